"""Classes, who is in them, what is assigned to them, and CSV exports of their results.

A ``Classroom`` has teachers (``ClassTeacher``: one owner, any number of
co-teachers) and students (``Membership``). Students join with a short code of
unambiguous characters or with a join link; both can be regenerated, which
invalidates the old one. An ``Assignment`` is a lesson or a quiz (exactly one,
the database checks it) with open and due dates; a post-test points at its
pre-test through ``pre``.

Teacher pages find the class through the teacher's own ``ClassTeacher`` row
(``views._class``), students' pages through ``for_student``; a class's results are
read by one rule, ``analytics.class_attempts_q``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from clips.models import private_storage

JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: a code read aloud or copied from a board cannot be misread."""

JOIN_CODE_LENGTH = 7


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_join_token() -> str:
    return secrets.token_urlsafe(18)


class TeacherRole(models.TextChoices):
    OWNER = "owner", "Owner"
    CO_TEACHER = "co_teacher", "Co-teacher"


class ClassroomQuerySet(models.QuerySet):
    def for_teacher(self, user):
        """Classes the user teaches (owner or co-teacher)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(ClassTeacher.objects.filter(classroom=OuterRef("pk"), user=user)))

    def owned_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(ClassTeacher.objects.filter(classroom=OuterRef("pk"), user=user, role=TeacherRole.OWNER))
        )

    def for_student(self, user):
        """Classes the user is a student in."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Exists(Membership.objects.filter(classroom=OuterRef("pk"), student=user)))

    def active(self):
        return self.filter(archived_at__isnull=True)


class Classroom(models.Model):
    """A class (``class`` is a Python keyword, hence the name)."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=120)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True, default=new_join_code)
    join_token = models.CharField(max_length=32, unique=True, default=new_join_token)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="classroom_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def join_path(self) -> str:
        return reverse("classroom:join_link", args=[self.join_token])


class ClassTeacher(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="teacher_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching")
    role = models.CharField(max_length=12, choices=TeacherRole, default=TeacherRole.CO_TEACHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "user"], name="classteacher_one_per_user"),
            models.UniqueConstraint(
                fields=["classroom"], condition=Q(role=TeacherRole.OWNER), name="classteacher_one_owner"
            ),
        ]
        indexes = [models.Index(fields=["user", "classroom"], name="classteacher_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) · {self.classroom}"


class MembershipQuerySet(models.QuerySet):
    def for_student(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(student=user)


class Membership(models.Model):
    """A student in a class. Removing a student deletes this row, never their own records."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["classroom", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "student"], name="membership_one_per_student"),
        ]
        indexes = [models.Index(fields=["student", "classroom"], name="membership_student_idx")]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"


class AssignmentKind(models.TextChoices):
    REGULAR = "regular", "Regular"
    PRE = "pre", "Pre-test"
    POST = "post", "Post-test"


class AssignmentQuerySet(models.QuerySet):
    def for_student(self, user):
        """Assignments of the student's active classes."""
        return self.filter(classroom__in=Classroom.objects.for_student(user).active())


class Assignment(models.Model):
    """A lesson or a quiz set for a class, open from ``opens_at``, due by ``due_at``.

    An attempt at the quiz counts for the assignment when it starts inside the
    assignment's window: from ``opens_at`` until the next assignment of the same
    quiz in the same class opens (so a pre-test and a post-test of one quiz keep
    their attempts apart).
    """

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    lesson = models.ForeignKey(
        "lessons.Lesson", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    quiz = models.ForeignKey("quiz.Quiz", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=8, choices=AssignmentKind, default=AssignmentKind.REGULAR)
    pre = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="post",
        help_text="For a post-test: the pre-test it is compared with.",
    )
    opens_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lesson__isnull=False) & Q(quiz__isnull=True))
                | (Q(lesson__isnull=True) & Q(quiz__isnull=False)),
                name="assignment_lesson_xor_quiz",
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True) | Q(due_at__gt=models.F("opens_at")),
                name="assignment_due_after_open",
            ),
            models.CheckConstraint(
                condition=Q(kind=AssignmentKind.REGULAR) | Q(quiz__isnull=False),
                name="assignment_tests_are_quizzes",
            ),
            models.CheckConstraint(
                condition=Q(pre__isnull=True) | Q(kind=AssignmentKind.POST), name="assignment_only_post_has_pre"
            ),
            # The same work opening twice at once (a double click on "Assign") would leave one of the two
            # an empty window; services refuse any overlap, the database at least this.
            models.UniqueConstraint(fields=["classroom", "quiz", "opens_at"], name="assignment_one_quiz_per_opening"),
            models.UniqueConstraint(fields=["classroom", "lesson", "opens_at"],
                                    name="assignment_one_lesson_per_opening"),
        ]
        indexes = [
            models.Index(fields=["classroom", "opens_at"], name="assignment_class_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.classroom}"

    @property
    def title(self) -> str:
        return str(self.quiz or self.lesson)

    @property
    def taken_down(self) -> bool:
        """What it sets is no longer open to the class's students: a quiz neither published nor
        public (``QuizQuerySet.takeable_by``), or a lesson no longer published."""
        if self.quiz is not None:
            return not (self.quiz.is_published or self.quiz.is_public)
        return not self.lesson.is_published

    def is_open(self, now=None) -> bool:
        return self.opens_at <= (now or timezone.now())


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Writing"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    # The class's roster changed after the file was written (a student left, was removed or
    # deleted their account), so the file was deleted: it could still hold them.
    REMOVED = "removed", "Removed (the class changed)"


class ExportJob(models.Model):
    """A CSV export of a class too large to stream at once, written by a worker."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ExportStatus, default=ExportStatus.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", storage=private_storage, blank=True, max_length=200)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)


    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")) | Q(total=0),
                                   name="exportjob_done_within_total"),
        ]
        indexes = [models.Index(fields=["classroom", "-created_at"], name="exportjob_class_recent_idx")]

    def __str__(self) -> str:
        return f"Export of {self.classroom} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (ExportStatus.PENDING, ExportStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, int(self.done * 100 / self.total)) if self.total else 0
