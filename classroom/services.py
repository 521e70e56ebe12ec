"""Writes on classes: creating and archiving them, join codes and links, the roster,
co-teachers, assignments and CSV exports.

Keyword-only functions named ``<thing>_<action>``. A request the rules turn down
raises ``Refused`` with words a person can act on; nothing is written then.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User

from . import analytics
from .models import (
    JOIN_ALPHABET, JOIN_CODE_LENGTH, Assignment, AssignmentKind, Classroom, ClassTeacher, ExportJob,
    ExportStatus, Membership, TeacherRole, new_join_code, new_join_token,
)

EXPORT_STREAM_MAX_STUDENTS = 200
EXPORT_STREAM_MAX_RESPONSES = 20_000
_REGENERATE_TRIES = 10


class Refused(Exception):
    def __init__(self, message: str, *, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


# --------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------


def _unique(make, field: str, save) -> None:
    # A clash is one in billions; the unique index decides and we draw again.
    for _ in range(_REGENERATE_TRIES):
        try:
            with transaction.atomic():
                save(make())
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"could not draw a unique {field}")


@transaction.atomic
def classroom_create(*, owner: User, name: str) -> Classroom:
    classroom = Classroom(name=name.strip())

    def save(code):
        classroom.join_code = code
        classroom.save()

    _unique(new_join_code, "join_code", save)
    ClassTeacher.objects.create(classroom=classroom, user=owner, role=TeacherRole.OWNER)
    return classroom


def classroom_rename(*, classroom: Classroom, name: str) -> Classroom:
    classroom.name = name.strip()
    classroom.save(update_fields=["name", "updated_at"])
    return classroom


def classroom_archive(*, classroom: Classroom, archived: bool = True) -> Classroom:
    """Archive (students can no longer join; their work leaves "My work") or bring back."""
    classroom.archived_at = (classroom.archived_at or timezone.now()) if archived else None
    classroom.save(update_fields=["archived_at", "updated_at"])
    return classroom


def join_code_regenerate(*, classroom: Classroom) -> Classroom:
    """A new code; the old one stops working at once."""
    old = classroom.join_code

    def save(code):
        if code == old:
            raise IntegrityError("same code drawn")
        classroom.join_code = code
        classroom.save(update_fields=["join_code", "updated_at"])

    _unique(new_join_code, "join_code", save)
    return classroom


def join_link_regenerate(*, classroom: Classroom) -> Classroom:
    def save(token):
        classroom.join_token = token
        classroom.save(update_fields=["join_token", "updated_at"])

    _unique(new_join_token, "join_token", save)
    return classroom


def join_code_normalise(code: str) -> str:
    """Upper case without spaces or dashes, as people type codes off a board."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def join_code_problem(code: str) -> Optional[str]:
    """Why a typed code cannot be a join code, in words; None when it could be one."""
    if len(code) != JOIN_CODE_LENGTH:
        return f"A class code has {JOIN_CODE_LENGTH} characters; you typed {len(code)}."
    bad = sorted({ch for ch in code if ch not in JOIN_ALPHABET})
    if bad:
        hint = " (codes never use 0, O, 1, I or L)" if set(bad) & set("0O1IL") else ""
        return f"A class code has only letters and digits{hint}; check {', '.join(bad)}."
    return None


@dataclass(frozen=True)
class ClassDeletion:
    """What deleting a class removes (the confirm page shows it before, the message after)."""

    students: int
    teachers: int
    assignments: int
    attempts: int
    responses: int
    exports: int


def _class_only_attempts(classroom: Classroom):
    """The attempts that are this class's results and no other class's.

    Attempts are not linked to assignments: an attempt counts for a class when its
    learner is a current student of the class and it started at a quiz assigned to
    the class, on or after that assignment opened (``analytics.class_attempts_q``,
    the rule the dashboards read by). An attempt that also counts for another class the
    student is in (the same quiz assigned there, opened by then) is left alone, as
    are teacher previews and the work of students who have left the class.
    """
    from quiz.models import Attempt

    windows = analytics.assignment_windows(classroom.assignments.all()).values()
    elsewhere = Assignment.objects.filter(
        quiz_id=OuterRef("quiz_id"), opens_at__lte=OuterRef("started_at"),
        classroom__memberships__student_id=OuterRef("learner_id"),
    ).exclude(classroom=classroom)
    return (Attempt.objects.filter(analytics.class_attempts_q(classroom=classroom, windows=windows))
            .exclude(Exists(elsewhere)))


def classroom_deletion_preview(*, classroom: Classroom) -> ClassDeletion:
    from quiz.models import Response

    attempts = _class_only_attempts(classroom)
    return ClassDeletion(
        students=Membership.objects.filter(classroom=classroom).count(),
        teachers=ClassTeacher.objects.filter(classroom=classroom).count(),
        assignments=classroom.assignments.count(),
        attempts=attempts.count(),
        responses=Response.objects.filter(item__attempt__in=attempts.values("pk")).count(),
        exports=classroom.exports.count(),
    )


@transaction.atomic
def classroom_delete(*, classroom: Classroom) -> ClassDeletion:
    """Delete the class and its results for good (learner privacy: a teacher can erase a class's data).

    Deleted: the class, its roster (students' memberships and co-teacher links),
    its assignments, its export jobs and their CSV files, and the quiz attempts
    (with every answer) that are this class's results only (``_class_only_attempts``).
    Kept: the students' accounts, their lesson progress and check answers (a lesson
    is the same in every class), their other attempts, and the quizzes, lessons and
    clips themselves.
    """
    # Lock the row so two deletes (a double click) do not both count and collect.
    classroom = Classroom.objects.select_for_update().get(pk=classroom.pk)
    summary = classroom_deletion_preview(classroom=classroom)
    files = [job.file.name for job in classroom.exports.all() if job.file]
    _class_only_attempts(classroom).delete()
    classroom.delete()
    if files:
        transaction.on_commit(lambda: _delete_export_files(files))
    return summary


def _delete_export_files(names: list[str]) -> None:
    storage = ExportJob._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            pass


# --------------------------------------------------------------------------
# Students
# --------------------------------------------------------------------------


def membership_join(*, student: User, code: str = "", token: str = "") -> tuple[Membership, bool]:
    """Join the class with this code or link token; joining twice returns the same membership."""
    if token:
        classroom = Classroom.objects.filter(join_token=token).first()
        if classroom is None:
            raise Refused("This join link is no longer valid. Ask your teacher for a new link or the class code.",
                          status=404)
    else:
        code = join_code_normalise(code)
        problem = join_code_problem(code)
        if problem:
            raise Refused(problem, status=422)
        classroom = Classroom.objects.filter(join_code=code).first()
        if classroom is None:
            raise Refused(f"No class has the code {code}. Check it with your teacher: codes can be changed.",
                          status=422)
    if classroom.is_archived:
        raise Refused(f"{classroom.name} has been archived by its teacher, so it cannot be joined.")
    if ClassTeacher.objects.filter(classroom=classroom, user=student).exists():
        raise Refused(f"You teach {classroom.name}, so you cannot join it as a student.")
    membership, created = Membership.objects.get_or_create(classroom=classroom, student=student)
    return membership, created


def membership_remove(*, membership: Membership) -> None:
    """Take the student off the roster; their own attempts and progress stay theirs."""
    membership.delete()


# --------------------------------------------------------------------------
# Teachers
# --------------------------------------------------------------------------


@transaction.atomic
def coteacher_add(*, classroom: Classroom, email: str) -> ClassTeacher:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None or not user.is_teacher:
        raise Refused("There is no teacher account with that e-mail address.", status=422)
    if Membership.objects.filter(classroom=classroom, student=user).exists():
        raise Refused(f"{user} is a student in this class; remove them from the roster first.", status=422)
    link, _ = ClassTeacher.objects.get_or_create(classroom=classroom, user=user,
                                                 defaults={"role": TeacherRole.CO_TEACHER})
    return link


def coteacher_remove(*, link: ClassTeacher) -> None:
    if link.role == TeacherRole.OWNER:
        raise Refused("The owner of a class cannot be removed from it.")
    link.delete()


# --------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------


def _check_assignment(*, classroom: Classroom, lesson, quiz, kind: str, pre: Optional[Assignment],
                      opens_at: datetime, due_at: Optional[datetime], exclude: Optional[int] = None) -> None:
    if classroom.is_archived:
        raise Refused("This class is archived; bring it back before assigning work.")
    if (lesson is None) == (quiz is None):
        raise Refused("Choose a lesson or a quiz (one of the two).", status=422)
    if kind != AssignmentKind.REGULAR and quiz is None:
        raise Refused("A pre-test or post-test must be a quiz.", status=422)
    if due_at is not None and due_at <= opens_at:
        raise Refused("The due date must be after the opening date.", status=422)
    if kind == AssignmentKind.POST:
        if pre is None:
            raise Refused("Choose the pre-test this post-test is compared with.", status=422)
        if pre.classroom_id != classroom.pk or pre.kind != AssignmentKind.PRE:
            raise Refused("The pre-test must be a pre-test of this class.", status=422)
        taken = Assignment.objects.filter(pre=pre).exclude(pk=exclude)
        if taken.exists():
            raise Refused("That pre-test already has a post-test.", status=422)
        if opens_at <= pre.opens_at:
            raise Refused("The post-test must open after the pre-test.", status=422)


@transaction.atomic
def assignment_create(*, classroom: Classroom, created_by: User, lesson=None, quiz=None,
                      kind: str = AssignmentKind.REGULAR, pre: Optional[Assignment] = None,
                      opens_at: Optional[datetime] = None, due_at: Optional[datetime] = None) -> Assignment:
    opens_at = opens_at or timezone.now()
    _check_assignment(classroom=classroom, lesson=lesson, quiz=quiz, kind=kind, pre=pre,
                      opens_at=opens_at, due_at=due_at)
    return Assignment.objects.create(
        classroom=classroom, created_by=created_by, lesson=lesson, quiz=quiz, kind=kind,
        pre=pre if kind == AssignmentKind.POST else None, opens_at=opens_at, due_at=due_at,
    )


@transaction.atomic
def assignment_update(*, assignment: Assignment, lesson=None, quiz=None, kind: str = AssignmentKind.REGULAR,
                      pre: Optional[Assignment] = None, opens_at: datetime,
                      due_at: Optional[datetime] = None) -> Assignment:
    _check_assignment(classroom=assignment.classroom, lesson=lesson, quiz=quiz, kind=kind, pre=pre,
                      opens_at=opens_at, due_at=due_at, exclude=assignment.pk)
    if kind != AssignmentKind.PRE and hasattr(assignment, "post"):
        raise Refused("This pre-test has a post-test; delete or change that first.", status=422)
    assignment.lesson, assignment.quiz, assignment.kind = lesson, quiz, kind
    assignment.pre = pre if kind == AssignmentKind.POST else None
    assignment.opens_at, assignment.due_at = opens_at, due_at
    assignment.save()
    return assignment


def assignment_delete(*, assignment: Assignment) -> None:
    """Students' attempts stay theirs; the class just stops counting them."""
    assignment.delete()


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def export_limits() -> tuple[int, int]:
    return (getattr(settings, "CLASSROOM_EXPORT_STREAM_MAX_STUDENTS", EXPORT_STREAM_MAX_STUDENTS),
            getattr(settings, "CLASSROOM_EXPORT_STREAM_MAX_RESPONSES", EXPORT_STREAM_MAX_RESPONSES))


def export_is_small(*, classroom: Classroom, assignments: list[Assignment]) -> bool:
    students, responses = analytics.export_size(classroom=classroom, assignments=assignments)
    max_students, max_responses = export_limits()
    return students <= max_students and responses <= max_responses


class _Echo:
    def write(self, value):
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    # A name typed as "=HYPERLINK(...)" must reach the spreadsheet as text, not as a formula.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_lines(*, classroom: Classroom, assignments: list[Assignment]) -> Iterator[str]:
    """The CSV, line by line, for a StreamingHttpResponse or a file."""
    writer = csv.writer(_Echo())
    yield writer.writerow(analytics.EXPORT_HEADER)
    for row in analytics.export_rows(classroom=classroom, assignments=assignments):
        yield writer.writerow([_cell(v) for v in row])


def export_filename(classroom: Classroom) -> str:
    return f"class-{classroom.public_id}-{timezone.now():%Y%m%d-%H%M}.csv"


def export_job_start(*, classroom: Classroom, requested_by: User) -> ExportJob:
    from .tasks import export_job_run as task

    with transaction.atomic():
        job = ExportJob.objects.create(classroom=classroom, requested_by=requested_by)
        task.delay_on_commit(job.pk)
    return job


PROGRESS_EVERY = 1000


def export_job_run(*, job_id: int) -> None:
    """Write the export file; safe to run twice (a finished job is left alone)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("classroom").filter(pk=job_id).first()
        if job is None or job.status == ExportStatus.DONE:
            return
        job.status = ExportStatus.RUNNING
        job.save(update_fields=["status"])
    classroom = job.classroom
    try:
        assignments = list(classroom.assignments.all())
        _, total = analytics.export_size(classroom=classroom, assignments=assignments)
        ExportJob.objects.filter(pk=job.pk).update(total=total, done=0)
        # Large classes come here: the CSV goes to a temporary file (memory only while small),
        # never held whole in memory, and is then copied into private storage.
        with tempfile.SpooledTemporaryFile(max_size=1 << 20) as spool:
            text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
            for n, line in enumerate(export_lines(classroom=classroom, assignments=assignments)):
                text.write(line)
                if n and n % PROGRESS_EVERY == 0:
                    ExportJob.objects.filter(pk=job.pk).update(done=min(n, total))
            text.flush()
            spool.seek(0)
            job.file.save(export_filename(classroom), File(spool), save=False)
            text.detach()
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.DONE, file=job.file.name, done=total, finished_at=timezone.now()
        )
    except Exception as exc:  # noqa: BLE001 - the teacher sees the failure; the worker log has the rest
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=str(exc)[:500])
        raise
