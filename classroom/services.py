"""Writes on classes: creating and archiving them, join codes and links, the roster,
co-teachers, assignments and CSV exports.

Keyword-only functions named ``<thing>_<action>``. A request the rules turn down
raises ``Refused`` with words a person can act on; nothing is written then.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from config.db import reconnect_if_broken
from config.jobs import jobs_fail_stuck, send_on_commit
from config.files import delete_files, delete_files_on_commit, save_whole

from . import analytics
from .models import (
    JOIN_ALPHABET, JOIN_CODE_LENGTH, Assignment, AssignmentKind, Classroom, ClassTeacher, ExportJob,
    ExportStatus, Membership, TeacherRole, new_join_code, new_join_token,
)

log = logging.getLogger(__name__)

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
    delete_files_on_commit(_export_files(files))
    return summary


def _export_files(names: list[str]) -> list[tuple]:
    storage = ExportJob._meta.get_field("file").storage
    return [(storage, name) for name in names]


@transaction.atomic
def exports_expire(*, classroom_ids: Iterable[int]) -> int:
    """Delete the export files of these classes, whose roster just changed (learner privacy).

    A student who left a class, was taken off its roster or deleted their account
    must not stay in a CSV its teachers can still download. Finished jobs, and any
    being written now, are marked ``REMOVED`` (the export page says why and offers a
    fresh one); their files leave private storage once the change commits. A job
    still waiting for a worker is locked but kept: it reads the roster when it
    runs, after this change. Returns how many jobs were marked.
    """
    classroom_ids = list(classroom_ids)
    if not classroom_ids:
        return 0
    # Locking the waiting jobs too makes a worker that is starting one wait for this change to commit.
    jobs = list(ExportJob.objects.select_for_update()
                .filter(classroom_id__in=classroom_ids,
                        status__in=[ExportStatus.PENDING, ExportStatus.RUNNING, ExportStatus.DONE])
                .only("pk", "status", "file"))
    stale = [job for job in jobs if job.status != ExportStatus.PENDING]
    if not stale:
        return 0
    files = [job.file.name for job in stale if job.file]
    ExportJob.objects.filter(pk__in=[job.pk for job in stale]).update(status=ExportStatus.REMOVED, file="")
    delete_files_on_commit(_export_files(files))
    return len(stale)


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


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Take the student off the roster; their own attempts and progress stay theirs.

    The class's teachers no longer see the student, so its export files, which may
    list them, are deleted too (``exports_expire``).
    """
    membership.delete()
    exports_expire(classroom_ids=[membership.classroom_id])


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
    _check_not_twice(classroom=classroom, lesson=lesson, quiz=quiz, kind=kind, pre=pre, opens_at=opens_at,
                     due_at=due_at, exclude=exclude)


def _open_at(due_at: Optional[datetime], moment: datetime) -> bool:
    return due_at is None or due_at > moment


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y, %H:%M}"


def _check_not_twice(*, classroom: Classroom, lesson, quiz, kind: str, pre: Optional[Assignment],
                     opens_at: datetime, due_at: Optional[datetime], exclude: Optional[int]) -> None:
    """The same quiz or lesson is not set to a class twice for the same time (a double click on "Assign"),
    and a quiz not while an earlier assignment of it is still open.

    A quiz assignment counts the attempts started from its opening until the next
    assignment of the quiz in the class opens (``analytics.assignment_windows``). Two
    that open together leave one with no attempts at all ("Not started" beside
    "Done" for the same work), and one that opens while another is still open (not
    yet due; no due date means open) takes that one's attempts from then on. So the
    same quiz or lesson may be set again only once the earlier assignment is due.
    A post-test and its own pre-test are the exception: splitting one quiz's
    attempts between them is what they are for.
    """
    same = Assignment.objects.filter(classroom=classroom).exclude(pk=exclude)
    same = same.filter(quiz=quiz) if quiz is not None else same.filter(lesson=lesson)
    if kind == AssignmentKind.POST and pre is not None:
        same = same.exclude(pk=pre.pk)
    if exclude is not None:
        same = same.exclude(pre_id=exclude)  # the post-test of the pre-test being edited
    what = "quiz" if quiz is not None else "lesson"
    for other in same.only("opens_at", "due_at").order_by("opens_at"):
        due = f", due {_when(other.due_at)}" if other.due_at else ", with no due date"
        taken = f"This {what} is already assigned to this class (opening {_when(other.opens_at)}{due})"
        if other.opens_at == opens_at:
            raise Refused(f"{taken}. Edit that assignment instead.")
        if quiz is None:
            continue  # a lesson has no attempts to split: setting it again for revision is fine
        if other.opens_at < opens_at and _open_at(other.due_at, opens_at):
            raise Refused(f"{taken} and it is still open then. Edit that assignment instead, or give it a "
                          f"due date before this one opens.")
        if opens_at < other.opens_at and _open_at(due_at, other.opens_at):
            raise Refused(f"{taken}, while this one would still be open. Edit that assignment instead, or "
                          f"make this one due before that one opens.")


@transaction.atomic
def assignment_create(*, classroom: Classroom, created_by: User, lesson=None, quiz=None,
                      kind: str = AssignmentKind.REGULAR, pre: Optional[Assignment] = None,
                      opens_at: Optional[datetime] = None, due_at: Optional[datetime] = None) -> Assignment:
    opens_at = opens_at or timezone.now()
    # One writer per class at a time, so two clicks on "Assign" are checked one after the other.
    Classroom.objects.select_for_update().only("pk").get(pk=classroom.pk)
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
    Classroom.objects.select_for_update().only("pk").get(pk=assignment.classroom_id)
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


EXPORT_BROKER_DOWN = "Our background service is busy; try again in a few minutes."


def export_job_start(*, classroom: Classroom, requested_by: User) -> ExportJob:
    """Record the job and send it to a worker once the row is committed.

    If the task cannot be sent (the broker is down), the job is marked failed with
    words the teacher can act on, rather than waiting for ever or answering a 500.
    """
    from .tasks import export_job_run as task

    def broker_down():
        # Only a job no worker has touched: when tasks run in-process, one that ran and failed keeps its own error.
        ExportJob.objects.filter(pk=job.pk, status=ExportStatus.PENDING).update(
            status=ExportStatus.FAILED, error=EXPORT_BROKER_DOWN, finished_at=timezone.now())

    with transaction.atomic():
        job = ExportJob.objects.create(classroom=classroom, requested_by=requested_by)
        send_on_commit(task, job.pk, on_broker_down=broker_down)
    return job


PROGRESS_EVERY = 1000


def export_job_run(*, job_id: int) -> None:
    """Write the export file; safe to run twice (a finished job is left alone)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("classroom").filter(pk=job_id).first()
        if job is None or job.status in (ExportStatus.DONE, ExportStatus.REMOVED):
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
            # A write that fails half-way (a full disk) leaves nothing behind (save_whole).
            name = job.file.field.generate_filename(job, export_filename(classroom))
            job.file.name = save_whole(job.file.storage, name, File(spool))
            text.detach()
        finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE, file=job.file.name, done=total, finished_at=timezone.now()
        )
        if not finished:
            # The roster changed while the file was written (``exports_expire``): it may list
            # someone who has left, so it is not kept.
            delete_files(_export_files([job.file.name]))
    except Exception as exc:  # noqa: BLE001 - the teacher sees the failure; the worker log has the rest
        # A file written but never recorded (the last update failed, a database restart) lists the
        # class's students with no row that names it: nothing would ever delete it (learner privacy).
        if job.file.name:
            delete_files(_export_files([job.file.name]))
        # On a fresh connection: the failure may be the database connection itself.
        reconnect_if_broken()
        try:
            # Not over REMOVED: a roster change while writing already said what became of the file.
            ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now())
        except Exception:  # noqa: BLE001 - the sweeper (export_jobs_sweep_stuck) ends it later
            log.warning("export job %s could not be marked failed", job.pk, exc_info=True)
        raise


EXPORT_STOPPED = "The export stopped before it finished (our background service was interrupted). Ask for a new one."


def export_jobs_sweep_stuck(*, now=None) -> int:
    """End, with words, export jobs whose worker is gone (``config.jobs.jobs_fail_stuck``)."""
    return jobs_fail_stuck(ExportJob.objects.all(), error=EXPORT_STOPPED, now=now)
