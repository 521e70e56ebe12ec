"""Courses, lessons (content loaded from files) and each learner's progress and answers.

Content fields on ``Course`` and ``Lesson`` are written only by ``load_lessons``;
``LessonProgress`` and ``CheckAnswer`` belong to learners and are read through the
``for_learner`` / ``for_learners`` QuerySet methods, so a view cannot forget the scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from .rendering import reading_minutes


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_listing(self):
        """What an overview needs: no bodies, checks or sources."""
        return self.defer("body", "intro_html", "sections", "checks", "sources", "objectives")

    def with_progress_of(self, learner):
        """Attach ``learner_progress`` (a list of at most one) for a signed-in learner."""
        return self.prefetch_related(
            Prefetch("progress_records", queryset=LessonProgress.objects.for_learner(learner),
                     to_attr="learner_progress")
        )


class Lesson(models.Model):
    """One lesson; identified by its slug, so reloading a file updates this row in place."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="lessons")
    slug = models.SlugField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField()
    objectives = models.JSONField(default=list)
    practice_techniques = models.JSONField(
        default=list, blank=True, help_text="Technique codes the practice quiz for this lesson draws on."
    )
    checks = models.JSONField(
        default=list, help_text="Knowledge checks: id, question, options (text, correct, explanation)."
    )
    sources = models.JSONField(default=list)
    body = models.TextField(help_text="The Markdown source, as in the file.")
    intro_html = models.TextField(blank=True)
    sections = models.JSONField(default=list, help_text="Sanitized HTML per ## section: id, title, html.")
    section_count = models.PositiveSmallIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)
    source_file = models.CharField(max_length=200)
    # A lesson whose file is gone stays (with its learners' progress) but is not shown.
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["course_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "order"],
                condition=Q(is_published=True),
                name="lesson_unique_published_order",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="lesson_order_from_one"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson_detail", args=[self.slug])

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)

    def check_by_id(self, check_id: str) -> dict | None:
        return next((check for check in self.checks if check["id"] == check_id), None)


class LessonProgressQuerySet(models.QuerySet):
    def for_learner(self, learner):
        return self.filter(learner=learner)

    def for_learners(self, learners):
        """Users, ids or a queryset of either: what a class dashboard passes."""
        return self.filter(learner__in=learners)

    def completed(self):
        return self.filter(completed_at__isnull=False)

    def in_progress(self):
        return self.filter(completed_at__isnull=True)


class LessonProgress(models.Model):
    """How far one learner got in one lesson."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress_records")
    started_at = models.DateTimeField(default=timezone.now)
    sections_read = models.PositiveSmallIntegerField(default=0, help_text="The furthest section reached.")
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonProgressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "lesson progress"
        ordering = ["lesson", "learner"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"], name="lessonprogress_one_per_learner_lesson"
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed_at__gte=F("started_at")),
                name="lessonprogress_completed_after_started",
            ),
        ]
        indexes = [models.Index(fields=["lesson", "completed_at"], name="lessonprogress_lesson_done_idx")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.lesson}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class CheckAnswerQuerySet(models.QuerySet):
    def for_learner(self, learner):
        return self.filter(learner=learner)

    def for_learners(self, learners):
        return self.filter(learner__in=learners)


class CheckAnswer(models.Model):
    """A learner's latest answer to one knowledge check, and how many tries it took."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_answers"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="check_answers")
    # Refers to an id in Lesson.checks; an answer outlives a check removed from the file.
    check_id = models.CharField(max_length=40)
    option_index = models.PositiveSmallIntegerField()
    correct = models.BooleanField()
    attempts = models.PositiveIntegerField(default=1)
    first_answered_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(default=timezone.now)

    objects = CheckAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "check_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson", "check_id"], name="checkanswer_one_per_check"
            ),
            models.CheckConstraint(condition=Q(attempts__gte=1), name="checkanswer_attempts_from_one"),
        ]
        indexes = [models.Index(fields=["lesson", "check_id"], name="checkanswer_lesson_check_idx")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.lesson} · {self.check_id}"
