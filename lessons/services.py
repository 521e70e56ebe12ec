"""Writes on lessons: loading the content files, and recording a learner's progress and answers.

Also ``lesson_progress_summary``, the plain-data read the classroom dashboards use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from .content import CourseContent, LessonContent, read_course
from .models import CheckAnswer, Course, Lesson, LessonProgress


@dataclass(frozen=True)
class LoadResult:
    course: Course
    created: int
    updated: int
    unchanged: int
    retired: int


def _lesson_fields(content: LessonContent) -> dict[str, object]:
    rendered = content.rendered
    return {
        "order": content.order,
        "title": content.title,
        "summary": content.summary,
        "objectives": content.objectives,
        "practice_techniques": content.practice_techniques,
        "checks": content.checks,
        "sources": content.sources,
        "body": content.body,
        "intro_html": rendered.intro_html,
        "sections": [{"id": s.id, "title": s.title, "html": s.html} for s in rendered.sections],
        "section_count": len(rendered.sections),
        "word_count": rendered.word_count,
        "source_file": content.file_name,
    }


def _save_changes(instance, fields: dict[str, object], always: tuple[str, ...] = ()) -> bool:
    """Set the fields that differ and save only those; True when content changed."""
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, fields[name])
    update_fields = [*changed, *always]
    if changed:
        update_fields.append("updated_at")
    if update_fields:
        instance.save(update_fields=update_fields)
    return bool(changed)


def _course_write(content: CourseContent) -> Course:
    fields = {"title": content.title, "summary": content.summary}
    course, created = Course.objects.get_or_create(slug=content.slug, defaults=fields)
    if not created:
        _save_changes(course, fields)
    return course


@transaction.atomic
def lessons_load(*, path: Path) -> LoadResult:
    """Load the course in ``path``: create new lessons, update changed ones in place.

    Lessons are matched by slug, so ids, and with them every learner's progress and
    answers, survive any edit. A lesson whose file is gone is unpublished, not deleted.
    Invalid content raises ``ContentError`` before anything is written.
    """
    content = read_course(path)
    course = _course_write(content)
    slugs = [lesson.slug for lesson in content.lessons]
    existing = {lesson.slug: lesson for lesson in Lesson.objects.filter(Q(course=course) | Q(slug__in=slugs))}
    retired = sum(lesson.is_published and lesson.slug not in slugs for lesson in existing.values())
    # Unpublish first so the unique published order holds at every step while orders move.
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in existing.values()]).update(is_published=False)
    created = updated = 0
    for lesson_content in content.lessons:
        fields = {"course_id": course.pk, **_lesson_fields(lesson_content)}
        lesson = existing.get(lesson_content.slug)
        if lesson is None:
            Lesson.objects.create(slug=lesson_content.slug, is_published=True, **fields)
            created += 1
            continue
        lesson.is_published = True
        updated += _save_changes(lesson, fields, always=("is_published",))
    return LoadResult(course=course, created=created, updated=updated,
                      unchanged=len(slugs) - created - updated, retired=retired)


def lesson_start(*, learner, lesson: Lesson) -> LessonProgress:
    """Opening a lesson (or answering in it) starts it, once; returns the learner's progress."""
    progress, _ = LessonProgress.objects.get_or_create(learner=learner, lesson=lesson)
    return progress


@transaction.atomic
def lesson_section_read(*, learner, lesson: Lesson, section: int) -> None:
    """The learner reached the end of section ``section`` (1-based); progress only moves forward."""
    if not 1 <= section <= lesson.section_count:
        raise ValueError(f"section must be between 1 and {lesson.section_count}")
    progress = lesson_start(learner=learner, lesson=lesson)
    LessonProgress.objects.filter(pk=progress.pk).update(
        sections_read=Greatest(F("sections_read"), section), updated_at=timezone.now()
    )


@transaction.atomic
def lesson_complete(*, learner, lesson: Lesson) -> LessonProgress:
    """Mark the lesson done for the learner; the first completion time is kept."""
    progress = lesson_start(learner=learner, lesson=lesson)
    now = timezone.now()
    LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
        completed_at=now, sections_read=lesson.section_count, updated_at=now
    )
    progress.refresh_from_db()
    return progress


@transaction.atomic
def check_answer_record(*, learner, lesson: Lesson, check_id: str, option_index: int) -> CheckAnswer:
    """Store the learner's answer to a check (the latest replaces the one before) and count the try.

    Raises ``ValueError`` for a check or option the lesson does not have; the form
    checks first, so this guards the rule rather than the user.
    """
    check = lesson.check_by_id(check_id)
    if check is None or not 0 <= option_index < len(check["options"]):
        raise ValueError("no such check or option in this lesson")
    correct = check["options"][option_index]["correct"]
    lesson_start(learner=learner, lesson=lesson)
    now = timezone.now()
    answer, created = CheckAnswer.objects.select_for_update().get_or_create(
        learner=learner,
        lesson=lesson,
        check_id=check_id,
        defaults={
            "option_index": option_index,
            "correct": correct,
            "first_answered_at": now,
            "answered_at": now,
        },
    )
    if not created:
        CheckAnswer.objects.filter(pk=answer.pk).update(
            option_index=option_index, correct=correct, answered_at=now, attempts=F("attempts") + 1
        )
        answer.refresh_from_db()
    return answer


@dataclass(frozen=True)
class LessonProgressSummary:
    learner_id: int
    lesson_id: int
    started_at: datetime
    completed_at: datetime | None
    sections_read: int
    section_count: int
    checks_total: int
    checks_answered: int
    checks_correct: int
    attempts: int

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


def lesson_progress_summary(
    *, learner_ids: Iterable[int], lesson_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], LessonProgressSummary]:
    """Progress of these learners, keyed by ``(learner_id, lesson_id)``, in three queries.

    Only lessons a learner has started appear. Answers count only for checks the
    lesson still has, so a check removed from its file drops out of the numbers.
    ``learner_ids`` and ``lesson_ids`` may be lists or ``values("pk")`` querysets.
    """
    if not isinstance(learner_ids, QuerySet):
        learner_ids = list(learner_ids)
    lessons = Lesson.objects.all() if lesson_ids is None else Lesson.objects.filter(pk__in=lesson_ids)
    lessons = {row["pk"]: row for row in lessons.values("pk", "checks", "section_count")}
    if not lessons:
        return {}
    current_checks = Q()
    for lesson_id, lesson in lessons.items():
        current_checks |= Q(lesson_id=lesson_id, check_id__in=[check["id"] for check in lesson["checks"]])
    answers = {
        (row["learner_id"], row["lesson_id"]): row
        for row in CheckAnswer.objects.for_learners(learner_ids)
        .filter(current_checks)
        .values("learner_id", "lesson_id")
        .annotate(
            answered=Count("pk"), correct_count=Count("pk", filter=Q(correct=True)), tries=Sum("attempts")
        )
    }
    progress = (
        LessonProgress.objects.for_learners(learner_ids)
        .filter(lesson_id__in=list(lessons))
        .values("learner_id", "lesson_id", "started_at", "completed_at", "sections_read")
    )
    summary = {}
    for row in progress:
        key = (row["learner_id"], row["lesson_id"])
        answered = answers.get(key, {})
        lesson = lessons[row["lesson_id"]]
        summary[key] = LessonProgressSummary(
            **row,
            section_count=lesson["section_count"],
            checks_total=len(lesson["checks"]),
            checks_answered=answered.get("answered", 0),
            checks_correct=answered.get("correct_count", 0),
            attempts=answered.get("tries", 0),
        )
    return summary
