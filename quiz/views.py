"""Quiz pages: start, take one item at a time (htmx partials with a full-page fallback),
reveal, results and history for learners; build, duplicate and preview for teachers.

Views parse, call one service and render. Every attempt lookup goes through
``Attempt.objects.for_learner`` so another person's attempt is a 404.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import get_template
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.decorators import ratelimit

from accounts.backends import session_user_id, user_preloaded
from accounts.decorators import teacher_required
from clips.models import Clip, Technique

from . import reports, services, sql
from .forms import AnswerForm, ClipFilterForm, QuizForm
from .models import Attempt, Mode, Quiz

TAKE = "quiz/attempt_take.html"
CLIP_PAGE_SIZE = 60


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _guest_key(request, *, create: bool = False) -> str:
    key = request.session.get(services.GUEST_SESSION_KEY, "")
    if not key and create:
        key = secrets.token_urlsafe(24)
        request.session[services.GUEST_SESSION_KEY] = key
    return key


def _attempt(request, attempt_id) -> Attempt:
    visible = Attempt.objects.for_learner(request.user, guest_key=_guest_key(request))
    return get_object_or_404(visible.select_related("quiz"), public_id=attempt_id)


def _needs_login(request) -> bool:
    return not request.user.is_authenticated and not _guest_key(request)


def _redirect(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _refusal(request, attempt, refusal: services.Refused):
    context = {"attempt": attempt, "refusal": refusal, "outcome": refusal.outcome}
    template = f"{TAKE}#refusal" if request.htmx else TAKE
    return render(request, template, context, status=refusal.status)


# --------------------------------------------------------------------------
# Learners
# --------------------------------------------------------------------------


@login_required
@require_GET
def quiz_list(request):
    quizzes = Quiz.objects.listed_for(request.user).select_related("owner")
    return render(request, "quiz/quiz_list.html", {"quizzes": quizzes})


@require_http_methods(["GET", "POST"])
# Each start makes an attempt with its items; a guest gets a new session (and key) for the asking,
# so guests count by address. Generous: a class of thirty behind one school address starting at once.
@ratelimit(key="user_or_ip", rate="60/m", method="POST", block=True)
def quiz_start(request, quiz_id):
    quiz = Quiz.objects.filter(public_id=quiz_id).first()
    if quiz is None:
        raise Http404
    if not Quiz.objects.takeable_by(request.user).filter(pk=quiz.pk).exists():
        if not request.user.is_authenticated:
            messages.info(request, "Log in or create an account to take this quiz: only public practice "
                                   "quizzes are open without one.")
            return redirect_to_login(request.get_full_path())
        raise Http404
    if request.method == "POST":
        try:
            attempt = services.attempt_start(
                quiz=quiz, learner=request.user if request.user.is_authenticated else None,
                guest_key="" if request.user.is_authenticated else _guest_key(request, create=True),
            )
        except services.Refused as refusal:
            return render(request, "quiz/quiz_start.html", {"quiz": quiz, "refusal": refusal},
                          status=refusal.status)
        return redirect("quiz:attempt_take", attempt_id=attempt.public_id)
    return render(request, "quiz/quiz_start.html", {"quiz": quiz})


@require_GET
def quiz_guest(request):
    """The public practice quiz offered on the landing page."""
    quiz = Quiz.objects.filter(is_public=True, mode=Mode.PRACTICE).order_by("created_at").first()
    if quiz is None:
        return render(request, "quiz/quiz_none.html", status=404)
    return redirect("quiz:quiz_start", quiz_id=quiz.public_id)


@login_required
@require_GET
def quiz_practice(request):
    """The practice set on some public techniques (lessons link here): its start page, which
    says it contains synthetic media, as every quiz's does; starting is a POST there."""
    valid = set(Technique.values) - {Technique.AUTHENTIC}
    techniques = [t for t in request.GET.getlist("technique") if t in valid]
    quiz = services.practice_quiz_ensure(techniques=techniques)
    return redirect("quiz:quiz_start", quiz_id=quiz.public_id)


@require_GET
def attempt_take(request, attempt_id):
    if _needs_login(request):
        return redirect_to_login(request.get_full_path())
    attempt = _attempt(request, attempt_id)
    if not attempt.is_finished and attempt.is_overdue():
        services.attempt_finish(attempt=attempt)
        messages.info(request, "Time is up. Answers given before the limit are kept.")
    if attempt.is_finished:
        return _redirect(request, reverse("quiz:attempt_results", args=[attempt.public_id]))
    return _current_item(request, attempt)


def _current_item(request, attempt):
    progress = services.attempt_progress(attempt=attempt)
    if progress.item is None:  # all answered but not yet marked finished
        services.attempt_finish(attempt=attempt)
        return _redirect(request, reverse("quiz:attempt_results", args=[attempt.public_id]))
    form = AnswerForm.of(attempt.ask_confidence, initial={"token": progress.item.token})
    context = {"attempt": attempt, "progress": progress, "form": form}
    return render(request, f"{TAKE}#item-card" if request.htmx else TAKE, context)


@require_POST
# Generous: a quick learner answers one item every few seconds; a script does not get to hammer it.
@ratelimit(key="config.ratelimits.learner_or_guest", rate="120/m", method="POST", block=True)
def response_submit(request, attempt_id):
    # One query for the item with its attempt (scoped to this visitor), clip, the attempt's
    # state and, for a signed-in learner, their account's row; when that finds nothing, the
    # plain attempt lookup says 404 or the service says "not part of this attempt".
    # The scope is the account the session names, before anything checked it: request.user
    # then checks it as on every page, from the row just read (accounts.backends), and the
    # item is kept only if its learner is who request.user says is asking.
    token = request.POST.get("token", "")
    target = None
    if token:
        target = sql.answer_target(token=token, attempt_public_id=attempt_id, learner_id=session_user_id(request),
                                   guest_key=_guest_key(request))
    with user_preloaded(target.learner if target is not None else None):
        needs_login = _needs_login(request)
    if needs_login:
        return redirect_to_login(reverse("quiz:attempt_take", args=[attempt_id]))
    if target is not None and target.learner is not None and target.learner.pk != request.user.pk:
        target = None
    attempt = target.item.attempt if target is not None else _attempt(request, attempt_id)
    form = AnswerForm.of(attempt.ask_confidence, request.POST)
    if not form.is_valid():
        try:
            services.attempt_check_open(attempt=attempt)
        except services.Refused as refusal:
            return _refusal(request, attempt, refusal)
        progress = services.attempt_progress(attempt=attempt)
        if progress.item is None or form.data.get("token") != progress.item.token:
            return _refusal(request, attempt, services.Refused(
                "That answer could not be read and is not the current item; nothing was recorded.", status=422))
        context = {"attempt": attempt, "progress": progress, "form": form}
        return render(request, f"{TAKE}#item-card" if request.htmx else TAKE, context, status=422)
    try:
        answer = form.answer_kwargs()  # tokens have no whitespace: the item found by the raw token is it
        outcome = services.response_record(attempt=attempt, target=target, **answer)
    except services.Refused as refusal:
        return _refusal(request, attempt, refusal)
    if not attempt.can_reveal():
        # Assessment: no reveal until the end; go straight on.
        if outcome.finished:
            messages.success(request, "All answers saved.")
            return _redirect(request, reverse("quiz:attempt_results", args=[attempt.public_id]))
        if request.htmx:
            return _current_item(request, attempt)
        messages.success(request, "Answer saved.")
        return redirect("quiz:attempt_take", attempt_id=attempt.public_id)
    if request.htmx:
        # The partial shows only the attempt and the outcome in hand: no context processors
        # (and ``review`` said, not looked up and missed four times: 18 of its 110 us).
        html = get_template(f"{TAKE}#reveal").render({"attempt": attempt, "outcome": outcome, "review": False})
        return HttpResponse(html)
    return redirect("quiz:attempt_reveal", attempt_id=attempt.public_id, token=outcome.item.token)


@require_GET
def attempt_reveal(request, attempt_id, token):
    if _needs_login(request):
        return redirect_to_login(request.get_full_path())
    attempt = _attempt(request, attempt_id)
    item = get_object_or_404(attempt.items.select_related("clip", "response"), token=token)
    response = getattr(item, "response", None)
    if response is None or not attempt.can_reveal():
        raise Http404("Nothing to reveal yet.")
    outcome = services.Outcome(item=item, response=response, total=attempt.items.count(),
                               finished=attempt.is_finished)
    context = {"attempt": attempt, "outcome": outcome}
    return render(request, f"{TAKE}#reveal" if request.htmx else TAKE, context)


@require_GET
def attempt_results(request, attempt_id):
    if _needs_login(request):
        return redirect_to_login(request.get_full_path())
    attempt = _attempt(request, attempt_id)
    if not attempt.is_finished:
        return redirect("quiz:attempt_take", attempt_id=attempt.public_id)
    report = reports.attempt_report(attempt=attempt) if attempt.can_reveal() else None
    signup_url = f"{reverse('accounts:signup')}?next={request.path}"
    return render(request, "quiz/attempt_results.html",
                  {"attempt": attempt, "report": report, "signup_url": signup_url})


@login_required
@require_GET
def attempt_history(request):
    points = reports.learner_history(user=request.user)
    return render(request, "quiz/attempt_history.html", {"points": points})


# --------------------------------------------------------------------------
# Teachers
# --------------------------------------------------------------------------


def _own_quiz(request, quiz_id) -> Quiz:
    return get_object_or_404(Quiz.objects.for_teacher(request.user), public_id=quiz_id)


@teacher_required
@require_GET
def quiz_manage(request):
    quizzes = Quiz.objects.for_teacher(request.user).annotate(n_items=Count("items"))
    return render(request, "quiz/quiz_manage.html", {"quizzes": quizzes})


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_create(request):
    form = QuizForm(request.POST or None, instance=Quiz(owner=request.user))  # its owner, for the publishing check
    if request.method == "POST" and form.is_valid():
        quiz = services.quiz_create(owner=request.user, **form.quiz_fields())
        messages.success(request, f"Quiz “{quiz.title}” created.")
        return redirect("quiz:quiz_clips" if quiz.selection == "fixed" else "quiz:quiz_manage",
                        **({"quiz_id": quiz.public_id} if quiz.selection == "fixed" else {}))
    return render(request, "quiz/quiz_form.html", {"form": form}, status=422 if form.errors else 200)


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request, quiz_id):
    quiz = _own_quiz(request, quiz_id)
    form = QuizForm(request.POST or None, instance=quiz)
    if request.method == "POST" and form.is_valid():
        services.quiz_update(quiz=quiz, **form.quiz_fields())
        messages.success(request, f"Quiz “{quiz.title}” saved.")
        return redirect("quiz:quiz_manage")
    return render(request, "quiz/quiz_form.html", {"form": form, "quiz": quiz},
                  status=422 if form.errors else 200)


def _clip_ids(values: list[str]) -> set[int]:
    """Clip ids from a form; anything else (a tampered or garbled value) is ignored."""
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 18}


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_clips(request, quiz_id):
    quiz = _own_quiz(request, quiz_id)
    library = Clip.objects.visible_to(request.user).ready().publishable()

    def gone_from(chosen: set[int]) -> set[int]:
        # Clips in the quiz that have left the library since (retired, made private, failed again):
        # learners no longer get them, and the picker below no longer lists them to untick.
        return chosen - set(library.filter(pk__in=chosen).values_list("pk", flat=True))

    if request.method == "POST":
        if "remove_gone" in request.POST:
            gone = gone_from(set(quiz.items.values_list("clip_id", flat=True)))
            services.quiz_set_clips(quiz=quiz, add=[], remove=sorted(gone))
            messages.success(request, f"Removed {len(gone)} clip{pluralize(len(gone))} no longer in the library.")
        else:
            shown, ticked = _clip_ids(request.POST.getlist("shown")), _clip_ids(request.POST.getlist("clip"))
            allowed = set(library.filter(pk__in=shown | ticked).values_list("pk", flat=True))
            services.quiz_set_clips(quiz=quiz, add=sorted(ticked & allowed),
                                    remove=sorted((shown - ticked) & allowed))
            messages.success(request, "Clips saved.")
        query = request.GET.copy()
        if (goto := request.POST.get("goto", "")).isascii() and goto.isdigit():  # "Save and show page n"
            query["page"] = goto
        if "apply_filter" in request.POST:  # "Save ticks and filter": the filters chosen, from the first page
            query = QueryDict(mutable=True)
            for name in ClipFilterForm.base_fields:
                if value := request.POST.get(name, ""):
                    query[name] = value
        return redirect(f"{reverse('quiz:quiz_clips', args=[quiz.public_id])}?{query.urlencode()}")
    filter_form = ClipFilterForm(request.GET or None)
    # A page number that is not one (garbled, negative) gives the first page; past the end, the last.
    page = Paginator(filter_form.filter(library).order_by("-created_at", "pk"), CLIP_PAGE_SIZE).get_page(
        request.GET.get("page"))
    items = list(quiz.items.select_related("clip"))
    chosen = {item.clip_id for item in items}
    return render(request, "quiz/quiz_clips.html", {
        "quiz": quiz, "filter_form": filter_form, "page": page, "chosen": chosen, "gone": gone_from(chosen),
        "items": items,
    })


@teacher_required
@require_POST
def quiz_duplicate(request, quiz_id):
    copy = services.quiz_duplicate(quiz=_own_quiz(request, quiz_id), owner=request.user)
    messages.success(request, f"Made “{copy.title}”.")
    return redirect("quiz:quiz_edit", quiz_id=copy.public_id)


@teacher_required
@require_POST
def quiz_preview(request, quiz_id):
    quiz = _own_quiz(request, quiz_id)
    try:
        attempt = services.attempt_start(quiz=quiz, learner=request.user, is_preview=True)
    except services.Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("quiz:quiz_manage")
    return redirect("quiz:attempt_take", attempt_id=attempt.public_id)


@teacher_required
@require_POST
def quiz_delete(request, quiz_id):
    quiz = _own_quiz(request, quiz_id)
    try:
        services.quiz_delete(quiz=quiz)
    except services.Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Deleted “{quiz.title}”.")
    return redirect("quiz:quiz_manage")
