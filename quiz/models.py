"""Quizzes, attempts and responses.

A ``Quiz`` says which clips to show (a fixed list or a random draw from library
filters) and how (practice: reveal after each item; assessment: reveal at the
end or after a date). Starting an ``Attempt`` freezes the drawn, shuffled list as
``AttemptItem`` rows; each answer is one ``Response``, stored exactly once (the
one-to-one is the database's guarantee, see ``services.response_record``).
``AttemptScore`` keeps running counts of an attempt's answers per technique, so
that class dashboards add up a few rows per attempt instead of every answer.

Nothing here carries a clip's label into anything a learner can see before
answering: attempt ids and item tokens are random, never derived from a clip.
"""

import math
import secrets
from datetime import timedelta
from typing import Optional

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from clips.models import Clip, Truth

from .scoring import UNASKED_CONFIDENCE


# What a reveal shows of a clip (the ``reveal-clip`` partial): the answer path reads just
# these columns (``quiz.sql``) and the reveal's render cache is keyed by their values
# (``quiz_tags.clip_reveal``); a test checks the partial reads nothing else.
CLIP_REVEAL_FIELDS = (
    "truth", "technique", "generator", "media_type", "rendition", "alt_text", "width", "height", "regions",
    "poster", "mime", "tells", "explanation", "source", "creator", "licence", "source_url", "dataset", "ela",
    "duration_seconds",
)


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Mode(models.TextChoices):
    PRACTICE = "practice", "Practice: see the answer after each item"
    ASSESSMENT = "assessment", "Assessment: see the answers at the end"


class Selection(models.TextChoices):
    FIXED = "fixed", "A fixed list of clips"
    RANDOM = "random", "Drawn at random from the library"


class QuizQuerySet(models.QuerySet):
    def for_teacher(self, user):
        """Quizzes a teacher may edit: their own (an admin: all but the built-in ones)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.filter(system_key__isnull=True)
        return self.filter(owner=user, system_key__isnull=True)

    def takeable_by(self, user):
        """Quizzes a person may start: public ones; published ones and their own when signed in."""
        if not user.is_authenticated:
            return self.filter(is_public=True, mode=Mode.PRACTICE)
        return self.filter(Q(is_public=True) | Q(is_published=True) | Q(owner=user))

    def listed_for(self, user):
        """The quizzes shown on a learner's quiz list (built-in practice sets are reached from lessons),
        but not a fixed quiz with no clips chosen yet: it could not start."""
        chosen = Exists(QuizItem.objects.filter(quiz=OuterRef("pk")))
        listed = self.takeable_by(user).filter(Q(is_public=True) | Q(is_published=True), system_key__isnull=True)
        return listed.filter(Q(selection=Selection.RANDOM) | chosen)


class Quiz(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="quizzes"
    )
    mode = models.CharField(max_length=12, choices=Mode, default=Mode.PRACTICE)
    reveal_after = models.DateTimeField(
        null=True, blank=True,
        help_text="Assessment only: answers are revealed after this date, to everyone who has finished, "
                  "including those who finished before it was changed (empty: when each attempt ends).",
    )
    selection = models.CharField(max_length=8, choices=Selection, default=Selection.FIXED)
    filters = models.JSONField(
        default=dict, blank=True,
        help_text='Random draw: {"media_types": [...], "techniques": [...], "difficulties": [...]}.',
    )
    draw_count = models.PositiveSmallIntegerField(null=True, blank=True)
    fake_share = models.PositiveSmallIntegerField(
        default=50, help_text="Random draw: the share of synthetic clips, in percent."
    )
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True)
    ask_confidence = models.BooleanField(default=True)
    is_public = models.BooleanField(
        default=False, help_text="Anyone may take it, guests included (practice quizzes only)."
    )
    is_published = models.BooleanField(default=False, help_text="Signed-in learners with the link may take it.")
    # Built-in practice sets (``quiz:practice``) are quizzes too, keyed by their filters.
    system_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "quizzes"
        indexes = [models.Index(fields=["owner", "-created_at"], name="quiz_owner_recent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(selection=Selection.FIXED) | Q(draw_count__gte=1), name="quiz_random_needs_draw_count"
            ),
            models.CheckConstraint(condition=Q(fake_share__lte=100), name="quiz_fake_share_at_most_100"),
            models.CheckConstraint(
                condition=Q(time_limit_seconds__isnull=True) | Q(time_limit_seconds__gte=1),
                name="quiz_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1), name="quiz_max_attempts_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_practice(self) -> bool:
        return self.mode == Mode.PRACTICE


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    # PROTECT: a clip in use is retired, not deleted (the clips app relies on ProtectedError).
    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="quiz_items")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quizitem_unique_position"),
            models.UniqueConstraint(fields=["quiz", "clip"], name="quizitem_unique_clip"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.position}"


def learner_filter(user, guest_key: str = "", *, prefix: str = "") -> Q | None:
    """Who may see an attempt: its learner, or the browser holding its guest key (None: nobody)."""
    if user.is_authenticated:
        return Q(**{f"{prefix}learner": user})
    if guest_key:
        return Q(**{f"{prefix}learner__isnull": True, f"{prefix}guest_key": guest_key})
    return None


class AttemptQuerySet(models.QuerySet):
    def for_learner(self, user, *, guest_key: str = ""):
        """Attempts the visitor may see: their own, or this browser's guest attempts."""
        condition = learner_filter(user, guest_key)
        return self.filter(condition) if condition is not None else self.none()

    def unfinished(self):
        return self.filter(finished_at__isnull=True)

    def finished(self):
        return self.filter(finished_at__isnull=False)

    def counted(self):
        """Attempts that count in statistics and attempt limits (teacher previews do not)."""
        return self.filter(is_preview=False)

    def revealable(self, now=None):
        """Attempts whose answers may be shown: ``Attempt.can_reveal`` as a filter."""
        now = now or timezone.now()
        return self.filter(
            Q(mode=Mode.PRACTICE)
            | Q(finished_at__isnull=False) & (Q(quiz__reveal_after__isnull=True) | Q(quiz__reveal_after__lte=now))
        )

    def with_scores(self):
        """``n_answered`` and ``n_correct`` from the attempt's running score rows."""
        return self.annotate(n_answered=Coalesce(Sum("scores__n"), 0),
                             n_correct=Coalesce(Sum(score_correct("scores__")), 0))


class Attempt(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    # CASCADE: deleting an account deletes its learning records (integrity rule 4).
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    guest_key = models.CharField(max_length=64, blank=True, default="")
    is_preview = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Frozen at the start so that editing the quiz does not change a running attempt. The reveal
    # date is not: it is the quiz's, as the teacher sets it now (moved later, answers must not reach
    # classmates who have not sat the test yet through those who finished early).
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    mode = models.CharField(max_length=12, choices=Mode, default=Mode.PRACTICE)
    ask_confidence = models.BooleanField(default=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["learner", "quiz", "-started_at"], name="attempt_learner_quiz_idx"),
            models.Index(fields=["guest_key"], name="attempt_guest_key_idx", condition=~Q(guest_key="")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(learner__isnull=False) | ~Q(guest_key=""), name="attempt_has_learner_or_guest"
            ),
            # One unfinished attempt per learner (or guest browser) and quiz, so a double
            # click on "Start" or two tabs resume one attempt instead of making two.
            models.UniqueConstraint(
                fields=["quiz", "learner", "is_preview"], condition=Q(finished_at__isnull=True, learner__isnull=False),
                name="attempt_one_open_per_learner",
            ),
            models.UniqueConstraint(
                fields=["quiz", "guest_key"], condition=Q(finished_at__isnull=True, learner__isnull=True),
                name="attempt_one_open_per_guest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} by {self.learner or 'a guest'}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def is_practice(self) -> bool:
        return self.mode == Mode.PRACTICE

    @property
    def deadline(self):
        if not self.time_limit_seconds:
            return None
        return self.started_at + timedelta(seconds=self.time_limit_seconds)

    def is_overdue(self, now=None) -> bool:
        deadline = self.deadline
        return deadline is not None and (now or timezone.now()) > deadline

    @property
    def seconds_left(self) -> Optional[int]:
        """Whole seconds until the time limit, by the server's clock (None without a limit).

        The page counts down from this, not from the learner's own clock, which may be off.
        Rounded up, so the page never says time is up before the server would refuse."""
        deadline = self.deadline
        if deadline is None:
            return None
        return max(0, math.ceil((deadline - timezone.now()).total_seconds()))

    def can_reveal(self, now=None) -> bool:
        """Whether answered items may show their label: always in practice; in an
        assessment once the attempt is over and the quiz's reveal date (if any) has passed."""
        if self.is_practice:
            return True
        if not self.is_finished:
            return False
        reveal_after = self.quiz.reveal_after
        return reveal_after is None or (now or timezone.now()) >= reveal_after


class AttemptItemQuerySet(models.QuerySet):
    def for_learner(self, user, *, guest_key: str = ""):
        """Items of the attempts ``Attempt.objects.for_learner`` finds, scoped by a join (not a subquery)."""
        condition = learner_filter(user, guest_key, prefix="attempt__")
        return self.filter(condition) if condition is not None else self.none()


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="attempt_items")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    shown_at = models.DateTimeField(null=True, blank=True)

    objects = AttemptItemQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attemptitem_unique_position"),
            models.UniqueConstraint(fields=["attempt", "clip"], name="attemptitem_unique_clip"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"


class GridCell(models.TextChoices):
    """Spot the tell without a pointer: the nine cells of a 3x3 grid, "row,column"."""

    TOP_LEFT = "0,0", "top left"
    TOP = "0,1", "top centre"
    TOP_RIGHT = "0,2", "top right"
    LEFT = "1,0", "middle left"
    CENTRE = "1,1", "centre"
    RIGHT = "1,2", "middle right"
    BOTTOM_LEFT = "2,0", "bottom left"
    BOTTOM = "2,1", "bottom centre"
    BOTTOM_RIGHT = "2,2", "bottom right"


class Response(models.Model):
    # One-to-one: the database refuses a second answer to the same item (integrity rule 5).
    item = models.OneToOneField(AttemptItem, on_delete=models.CASCADE, related_name="response")
    answered_fake = models.BooleanField()
    # None when the quiz did not ask; scoring counts it as 100 (scoring.UNASKED_CONFIDENCE).
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    time_ms = models.PositiveIntegerField(help_text="From showing the item to the answer, measured on the server.")
    point_x = models.FloatField(null=True, blank=True)
    point_y = models.FloatField(null=True, blank=True)
    grid_cell = models.CharField(max_length=3, choices=GridCell, blank=True)
    found_tell = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=50, confidence__lte=100),
                name="response_confidence_50_to_100",
            ),
            models.CheckConstraint(
                condition=(Q(point_x__isnull=True) & Q(point_y__isnull=True))
                | Q(point_x__gte=0, point_x__lte=1, point_y__gte=0, point_y__lte=1),
                name="response_point_inside_unit_square",
            ),
        ]

    def __str__(self) -> str:
        return f"{'fake' if self.answered_fake else 'real'} @ {self.confidence}"

    @property
    def pointed(self) -> bool:
        return self.point_x is not None or bool(self.grid_cell)


# Over Response rows: the clip's truth, whether the answer was right, and the answer's
# Brier term in ten-thousandths: (p - [fake])^2 with p the stated certainty is (1 - sure)^2
# for a right answer and sure^2 for a wrong one; confidences are whole percents, so times
# 10 000 it is a whole number and sums are exact in any order. An unasked confidence is 100.
FAKE = Q(item__clip__truth=Truth.SYNTHETIC)
REAL = Q(item__clip__truth=Truth.REAL)
RIGHT = (FAKE & Q(answered_fake=True)) | (REAL & Q(answered_fake=False))
_SURE = Coalesce(F("confidence"), Value(UNASKED_CONFIDENCE))
BRIER_E4 = Case(When(RIGHT, then=(Value(100) - _SURE) * (Value(100) - _SURE)), default=_SURE * _SURE)


def response_score_aggregates(condition: Q = Q(), suffix: str = "") -> dict:
    """``AttemptScore``'s counts as aggregates over the Response rows matching ``condition``,
    named with ``suffix`` (several sets in one query)."""
    return {
        f"n{suffix}": Count("pk", filter=condition),
        f"n_fake{suffix}": Count("pk", filter=condition & FAKE),
        f"hits{suffix}": Count("pk", filter=condition & FAKE & Q(answered_fake=True)),
        f"false_alarms{suffix}": Count("pk", filter=condition & REAL & Q(answered_fake=True)),
        f"brier_e4{suffix}": Sum(BRIER_E4, filter=condition),
    }


# AttemptScore's counts, in the order code that reads them as tuples relies on.
SCORE_COUNTS = ("n", "n_fake", "hits", "false_alarms", "brier_e4")


def score_correct(prefix: str = ""):
    """Right answers in ``AttemptScore`` rows: the hits plus the correct rejections."""
    return F(f"{prefix}hits") + F(f"{prefix}n") - F(f"{prefix}n_fake") - F(f"{prefix}false_alarms")


class AttemptScore(models.Model):
    """Running counts of one attempt's answers to clips of one technique.

    Written only by ``services.response_record``, in the transaction that inserts the
    ``Response`` and only when that insert succeeded, so a refused or duplicate submit
    never counts; ``services.attempt_scores_rebuild`` recomputes rows from the responses
    (after a clip's label changes, or data loaded around the service). The class
    dashboards sum these rows; they equal ``scoring.summarize`` on the same responses.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="scores")
    technique = models.CharField(max_length=30)
    n = models.PositiveIntegerField(default=0)
    n_fake = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)
    false_alarms = models.PositiveIntegerField(default=0)
    # Sum of Brier terms times 10 000 (see BRIER_E4).
    brier_e4 = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "technique"], name="attemptscore_unique_technique"),
            models.CheckConstraint(
                condition=Q(n_fake__lte=F("n"), hits__lte=F("n_fake"), false_alarms__lte=F("n") - F("n_fake")),
                name="attemptscore_counts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.technique}: {self.n} answers"
