"""Lesson pages: the public course overview, the lesson page and its htmx pieces.

Every read of progress or answers is scoped to ``request.user``; each POST also
works without JavaScript (it redirects back to the right spot on the lesson page).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clips.models import Technique

from . import services
from .forms import CheckAnswerForm
from .links import practice_quiz_url
from .models import CheckAnswer, Course, Lesson

LESSON_TEMPLATE = "lessons/lesson_detail.html"


def learner_required(view):
    """Anonymous visitors go to log-in and come back to the lesson."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        back_to = request.get_full_path() if request.method == "GET" else reverse(
            "lessons:lesson_detail", args=[kwargs["slug"]])
        return redirect_to_login(back_to)

    return wrapper


def _published_lesson(slug: str) -> Lesson:
    return get_object_or_404(Lesson.objects.published().select_related("course"), slug=slug)


def _check_item(lesson: Lesson, check: dict, answer: CheckAnswer | None, error: str = "") -> dict:
    options = check["options"]
    chosen = options[answer.option_index] if answer and answer.option_index < len(options) else None
    return {
        "id": check["id"],
        "number": lesson.checks.index(check) + 1,
        "question": check["question"],
        "options": [option["text"] for option in options],
        "answer": answer if chosen else None,
        "chosen": chosen,
        "error": error,
    }


def _lesson_page(
    request, lesson: Lesson, *, progress, errors: dict[str, str] | None = None, status: int = 200
):
    errors = errors or {}
    answers = {a.check_id: a for a in CheckAnswer.objects.for_learner(request.user).filter(lesson=lesson)}
    siblings = list(
        Lesson.objects.published().filter(course_id=lesson.course_id).only("slug", "title", "order")
    )
    position = next(i for i, sibling in enumerate(siblings) if sibling.pk == lesson.pk)
    context = {
        "lesson": lesson,
        "progress": progress,
        "checks": [
            _check_item(lesson, c, answers.get(c["id"]), errors.get(c["id"], "")) for c in lesson.checks
        ],
        "position": position + 1,
        "lesson_total": len(siblings),
        "previous_lesson": siblings[position - 1] if position > 0 else None,
        "next_lesson": siblings[position + 1] if position + 1 < len(siblings) else None,
        "practice_url": practice_quiz_url(lesson.practice_techniques),
        "practice_labels": [Technique(code).label for code in lesson.practice_techniques],
    }
    return render(request, LESSON_TEMPLATE, context, status=status)


@require_GET
def course_overview(request):
    lessons = Lesson.objects.published().for_listing()
    if request.user.is_authenticated:
        lessons = lessons.with_progress_of(request.user)
    courses = Course.objects.prefetch_related(
        Prefetch("lessons", queryset=lessons, to_attr="published_lessons")
    )
    return render(
        request,
        "lessons/course_overview.html",
        {"courses": [course for course in courses if course.published_lessons]},
    )


@require_GET
@learner_required
def lesson_detail(request, slug):
    lesson = _published_lesson(slug)
    progress = services.lesson_start(learner=request.user, lesson=lesson)
    return _lesson_page(request, lesson, progress=progress)


@require_POST
@learner_required
def check_answer(request, slug):
    lesson = _published_lesson(slug)
    form = CheckAnswerForm(request.POST, lesson=lesson)
    if not form.is_valid():
        error = next(iter(form.errors.get("check") or form.errors.get("option") or ["Check your answer."]))
        check = form.cleaned_data.get("check")
        if request.htmx:
            return render(request, f"{LESSON_TEMPLATE}#check-feedback", {"error": error}, status=422)
        if check is None:
            messages.error(request, error)
        progress = services.lesson_start(learner=request.user, lesson=lesson)
        return _lesson_page(
            request, lesson, progress=progress, errors={check["id"]: error} if check else {}, status=422
        )
    check = form.cleaned_data["check"]
    answer = services.check_answer_record(
        learner=request.user, lesson=lesson, check_id=check["id"], option_index=form.cleaned_data["option"]
    )
    if request.htmx:
        return render(
            request, f"{LESSON_TEMPLATE}#check-feedback", {"item": _check_item(lesson, check, answer)}
        )
    return redirect(f"{lesson.get_absolute_url()}#check-{check['id']}")


@require_POST
@learner_required
def section_read(request, slug, number):
    lesson = _published_lesson(slug)
    try:
        services.lesson_section_read(learner=request.user, lesson=lesson, section=number)
    except ValueError:
        return HttpResponse("This lesson has no such section.", status=422, content_type="text/plain")
    return HttpResponse(status=204)


@require_POST
@learner_required
def lesson_complete(request, slug):
    lesson = _published_lesson(slug)
    progress = services.lesson_complete(learner=request.user, lesson=lesson)
    if request.htmx:
        # Reaching the end marker must not pull focus away from the reader; the button moves it.
        return render(
            request,
            f"{LESSON_TEMPLATE}#completion-status",
            {"lesson": lesson, "progress": progress, "announce": "reached_end" not in request.POST},
        )
    return redirect(f"{lesson.get_absolute_url()}#completion")
