"""Aggregates for the class dashboards, computed in SQL and returned as plain data.

Counts per learner (responses, fakes, hits, false alarms, right answers and the
sum of Brier terms) come from one ``GROUP BY`` with conditional aggregates; d'
and c are then derived from those counts with the same formulas and log-linear
correction as ``quiz.scoring.summarize`` (the tests check the two agree). The
class overview and the technique grid sum ``quiz.AttemptScore`` rows (running
counts per attempt and technique, kept as answers are stored) rather than every
response, so their cost follows the number of attempts, not of answers. No
function here loops over responses in Python; the only per-response rows are the
learners × items 0/1 matrix of one quiz (``item_analysis``), which classical test
statistics need as such.

What a class sees: responses of its current students, in attempts that are not
teacher previews, at quizzes assigned to the class, started inside the
assignment's window (see ``Assignment``) and after the student joined the class
(this time: a student who left and came back is not seen answering while away).
Students' other practice stays theirs.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from django.db.models import (
    Case, Count, Exists, F, FilteredRelation, IntegerField, Min, OuterRef, Q, QuerySet, Sum, Value, When,
)
from django.utils import timezone

from clips.models import Clip, Technique, Truth
from lessons.models import LessonProgress
from quiz import scoring
from quiz.models import (
    RIGHT, SCORE_COUNTS, Attempt, AttemptScore, QuizItem, Response, response_score_aggregates, score_correct,
)

from .models import Assignment, Classroom, Membership

MIN_RESPONSES = scoring.MIN_RESPONSES

# --------------------------------------------------------------------------
# Skill from counts
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Skill:
    """What ``scoring.Summary`` reports, rebuilt from counts the database summed."""

    n: int = 0
    n_fake: int = 0
    hits: int = 0
    false_alarms: int = 0
    correct: int = 0
    brier_sum: float = 0.0

    @property
    def n_real(self) -> int:
        return self.n - self.n_fake

    @property
    def misses(self) -> int:
        return self.n_fake - self.hits

    @property
    def correct_rejections(self) -> int:
        return self.n_real - self.false_alarms

    @property
    def accuracy(self) -> Optional[float]:
        return self.correct / self.n if self.n else None

    @property
    def _sdt(self) -> tuple[Optional[float], Optional[float], Optional[float], Optional[float]]:
        # Cached in scoring by the four counts, so asking for d' then c computes once.
        return scoring.signal_detection(hits=self.hits, n_fake=self.n_fake, false_alarms=self.false_alarms,
                                        n_real=self.n_real)

    @property
    def hit_rate(self) -> Optional[float]:
        return self._sdt[0]

    @property
    def false_alarm_rate(self) -> Optional[float]:
        return self._sdt[1]

    @property
    def d_prime(self) -> Optional[float]:
        return self._sdt[2]

    @property
    def criterion(self) -> Optional[float]:
        return self._sdt[3]

    @property
    def brier(self) -> Optional[float]:
        return self.brier_sum / self.n if self.n else None

    @property
    def enough_for_accuracy(self) -> bool:
        return self.n >= MIN_RESPONSES

    @property
    def enough_data(self) -> bool:
        """As ``Summary.enough_data``: d' and c need enough answers to each kind of clip."""
        return scoring.enough_for_sdt(self.n_fake, self.n_real)

    @classmethod
    def from_counts(cls, n, n_fake, hits, false_alarms, brier_e4) -> "Skill":
        """From ``AttemptScore``'s counts (``SCORE_COUNTS``; None from an empty SUM is 0)."""
        n, n_fake, hits, false_alarms = n or 0, n_fake or 0, hits or 0, false_alarms or 0
        # Right answers are the hits plus the correct rejections, so the database need not count them.
        return cls(n, n_fake, hits, false_alarms, hits + n - n_fake - false_alarms, (brier_e4 or 0) / 10_000)

    @classmethod
    def from_row(cls, row: dict, suffix: str = "") -> "Skill":
        return cls.from_counts(*(row.get(f"{name}{suffix}") for name in SCORE_COUNTS))


_SCORE_CORRECT = Sum(score_correct())


def auc_from_levels(levels: Iterable[tuple[bool, float, int]]) -> Optional[float]:
    """Mann-Whitney AUC from ``(is_fake, p, count)`` groups, ties counting one half."""
    fake: dict[float, int] = defaultdict(int)
    real: dict[float, int] = defaultdict(int)
    for is_fake, p, count in levels:
        (fake if is_fake else real)[p] += count
    n_fake, n_real = sum(fake.values()), sum(real.values())
    if not n_fake or not n_real:
        return None
    below = 0
    u = 0.0
    for p in sorted(set(fake) | set(real)):
        u += fake.get(p, 0) * (below + real.get(p, 0) / 2)
        below += real.get(p, 0)
    return u / (n_fake * n_real)


# --------------------------------------------------------------------------
# Which attempts count for a class
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    quiz_id: int
    start: datetime
    end: Optional[datetime]

    def q(self, prefix: str = "") -> Q:
        condition = Q(**{f"{prefix}quiz_id": self.quiz_id, f"{prefix}started_at__gte": self.start})
        if self.end is not None:
            condition &= Q(**{f"{prefix}started_at__lt": self.end})
        return condition


def assignment_windows(assignments: Iterable[Assignment]) -> dict[int, Window]:
    """Each quiz assignment's window: from its opening until the next one of the same quiz opens."""
    by_quiz: dict[tuple[int, int], list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        if assignment.quiz_id:
            by_quiz[(assignment.classroom_id, assignment.quiz_id)].append(assignment)
    windows = {}
    for (_, quiz_id), group in by_quiz.items():
        group.sort(key=lambda a: (a.opens_at, a.pk))
        for current, following in zip(group, [*group[1:], None]):
            windows[current.pk] = Window(quiz_id, current.opens_at, following.opens_at if following else None)
    return windows


def _any_window(windows: Iterable[Window], prefix: str) -> Q:
    # Windows of one quiz are adjacent, so their union starts at the earliest opening.
    starts: dict[int, datetime] = {}
    for window in windows:
        starts[window.quiz_id] = min(starts.get(window.quiz_id, window.start), window.start)
    if not starts:
        return Q(pk__in=[])
    condition = Q()
    for quiz_id, start in starts.items():
        condition |= Q(**{f"{prefix}quiz_id": quiz_id, f"{prefix}started_at__gte": start})
    return condition


def assigned_attempts_q(windows: Iterable[Window], prefix: str = "") -> Q:
    """Attempts inside a window of a quiz the class was set, not a teacher preview."""
    return _any_window(windows, prefix) & Q(**{f"{prefix}is_preview": False})


def member_when_started_q(classroom: Classroom, prefix: str = "") -> Q:
    """The attempt's learner is a student of the class and already was when it started."""
    return Q(Exists(Membership.objects.filter(
        classroom=classroom, student_id=OuterRef(f"{prefix}learner_id"), joined_at__lte=OuterRef(f"{prefix}started_at"))))


def class_attempts_q(*, classroom: Classroom, windows: Iterable[Window], prefix: str = "") -> Q:
    """The one rule for which attempts are a class's results (see the module docstring):
    inside a window of a quiz assigned to it, not a teacher preview, by a current
    student who had joined when it started. ``prefix`` reaches ``Attempt`` from another
    model ("attempt__", ...)."""
    return assigned_attempts_q(windows, prefix) & member_when_started_q(classroom, prefix)


def class_responses(*, classroom: Classroom, assignments: Iterable[Assignment],
                    learner_ids: Iterable[int] | QuerySet | None = None) -> QuerySet:
    """Responses the class's teachers may see (see the module docstring)."""
    responses = Response.objects.filter(class_attempts_q(
        classroom=classroom, windows=assignment_windows(assignments).values(), prefix="item__attempt__"))
    if learner_ids is not None:
        responses = responses.filter(item__attempt__learner_id__in=learner_ids)
    return responses


def class_scores(*, classroom: Classroom, assignments: Iterable[Assignment]) -> QuerySet:
    """The ``AttemptScore`` rows of the attempts whose responses ``class_responses`` selects.

    Which responses a class sees is decided per attempt (quiz, start, preview,
    learner), so summing these rows gives the same counts as aggregating those responses.
    """
    return AttemptScore.objects.filter(class_attempts_q(
        classroom=classroom, windows=assignment_windows(assignments).values(), prefix="attempt__"))


def learner_skills(responses: QuerySet) -> dict[int, Skill]:
    rows = responses.values(learner=F("item__attempt__learner_id")).annotate(**response_score_aggregates()).order_by()
    return {row["learner"]: Skill.from_row(row) for row in rows}


# --------------------------------------------------------------------------
# Assignment status
# --------------------------------------------------------------------------


class WorkStatus:
    UPCOMING = "upcoming"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LATE = "late"

    LABELS = {
        UPCOMING: "Not open yet",
        NOT_STARTED: "Not started",
        IN_PROGRESS: "In progress",
        DONE: "Done",
        LATE: "Late",
    }


@dataclass(frozen=True)
class Work:
    assignment: Assignment
    status: str
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None

    @property
    def label(self) -> str:
        if self.status == WorkStatus.LATE and self.finished_at:
            return "Done late"
        return WorkStatus.LABELS[self.status]

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


def work_status(assignment: Assignment, started_at, finished_at, now: datetime) -> str:
    if not assignment.is_open(now):
        return WorkStatus.UPCOMING
    if finished_at is not None:
        late = assignment.due_at is not None and finished_at > assignment.due_at
        return WorkStatus.LATE if late else WorkStatus.DONE
    if assignment.due_at is not None and now > assignment.due_at:
        return WorkStatus.LATE
    return WorkStatus.IN_PROGRESS if started_at is not None else WorkStatus.NOT_STARTED


@dataclass
class WorkTable:
    """Each learner's status on each assignment; ``get`` fills in learners with no records."""

    now: datetime
    times: dict[tuple[int, int], tuple[Optional[datetime], Optional[datetime]]]

    def get(self, learner_id: int, assignment: Assignment) -> Work:
        started, finished = self.times.get((learner_id, assignment.pk), (None, None))
        return Work(assignment, work_status(assignment, started, finished, self.now), started, finished)


def work_table(*, assignments: list[Assignment], learner_ids, now: Optional[datetime] = None,
               classroom: Optional[Classroom] = None) -> WorkTable:
    """Start and finish times of each learner on each assignment: at most two queries. With a
    ``classroom`` (its teachers asking), only attempts its students started as members
    (``member_when_started_q``); without, all of the learner's own."""
    now = now or timezone.now()
    times: dict[tuple[int, int], tuple[Optional[datetime], Optional[datetime]]] = {}
    windows = assignment_windows(assignments)
    if windows:
        aggregates = {}
        for assignment_id, window in windows.items():
            aggregates[f"s{assignment_id}"] = Min("started_at", filter=window.q())
            aggregates[f"f{assignment_id}"] = Min("finished_at", filter=window.q())
        rows = (
            Attempt.objects.filter(learner_id__in=learner_ids, is_preview=False)
            .filter(_any_window(windows.values(), ""),
                    *([member_when_started_q(classroom)] if classroom is not None else []))
            .values("learner_id").annotate(**aggregates).order_by()
        )
        for row in rows:
            for assignment_id in windows:
                if row[f"s{assignment_id}"] is not None:
                    times[(row["learner_id"], assignment_id)] = (row[f"s{assignment_id}"], row[f"f{assignment_id}"])
    lessons = defaultdict(list)
    for assignment in assignments:
        if assignment.lesson_id:
            lessons[assignment.lesson_id].append(assignment.pk)
    if lessons:
        progress = (
            LessonProgress.objects.for_learners(learner_ids).filter(lesson_id__in=list(lessons))
            .values_list("learner_id", "lesson_id", "started_at", "completed_at")
        )
        for learner_id, lesson_id, started, completed in progress:
            for assignment_id in lessons[lesson_id]:
                times[(learner_id, assignment_id)] = (started, completed)
    return WorkTable(now=now, times=times)


@dataclass
class ClassWork:
    classroom: Classroom
    works: list[Work]


def student_work(*, student, now: Optional[datetime] = None) -> list[ClassWork]:
    """"My work": the student's active classes and their assignments, with status: at most four queries."""
    now = now or timezone.now()
    assignments = list(
        Assignment.objects.for_student(student).select_related("classroom", "quiz", "lesson")
        .order_by("classroom__name", "classroom_id", "opens_at", "pk")
    )
    table = work_table(assignments=assignments, learner_ids=[student.pk], now=now)
    groups = {c.pk: ClassWork(c, []) for c in Classroom.objects.for_student(student).active()}
    for assignment in assignments:
        if assignment.classroom_id in groups:
            groups[assignment.classroom_id].works.append(table.get(student.pk, assignment))
    return list(groups.values())


# --------------------------------------------------------------------------
# Class overview
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Five-number summary of a measure across students."""

    n: int
    minimum: Optional[float] = None
    q1: Optional[float] = None
    median: Optional[float] = None
    q3: Optional[float] = None
    maximum: Optional[float] = None

    @property
    def enough_data(self) -> bool:
        return self.n >= 2


def spread(values: list[float]) -> Spread:
    if not values:
        return Spread(0)
    if len(values) == 1:
        v = values[0]
        return Spread(1, v, v, v, v, v)
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(len(values), min(values), q1, median, q3, max(values))


@dataclass(frozen=True)
class Mean:
    value: Optional[float]
    n: int  # students it rests on


def mean(values: list[float]) -> Mean:
    return Mean(math.fsum(values) / len(values) if values else None, len(values))


@dataclass
class AssignmentProgress:
    assignment: Assignment
    counts: dict[str, int]
    total: int

    @property
    def finished(self) -> int:
        return self.counts.get("finished", 0)

    @property
    def share_finished(self) -> Optional[float]:
        return self.finished / self.total if self.total else None

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def rows(self) -> list[tuple[str, int]]:
        return [(WorkStatus.LABELS[s], self.counts.get(s, 0)) for s in
                (WorkStatus.DONE, WorkStatus.LATE, WorkStatus.IN_PROGRESS, WorkStatus.NOT_STARTED)]


@dataclass
class StudentRow:
    membership: Membership
    skill: Skill
    finished: int
    assigned: int
    late: int


# A learner's standing on one open assignment, as the class query computes it in SQL.
_UNTOUCHED, _STARTED, _FINISHED, _FINISHED_LATE = 0, 1, 2, 3


def _standing_status(code: int, past_due: bool) -> str:
    """``work_status`` for an open assignment, from the code the class query returned."""
    if code == _FINISHED_LATE:
        return WorkStatus.LATE
    if code == _FINISHED:
        return WorkStatus.DONE
    if past_due:
        return WorkStatus.LATE
    return WorkStatus.IN_PROGRESS if code == _STARTED else WorkStatus.NOT_STARTED


def _standing(assignment: Assignment, started: str, finished: str) -> Case:
    """SQL for the code of one assignment from the aggregates named ``started`` and ``finished``."""
    whens = []
    if assignment.due_at is not None:
        whens.append(When(**{f"{finished}__gt": assignment.due_at}, then=Value(_FINISHED_LATE)))
    whens += [When(**{f"{finished}__isnull": False}, then=Value(_FINISHED)),
              When(**{f"{started}__isnull": False}, then=Value(_STARTED))]
    return Case(*whens, default=Value(_UNTOUCHED), output_field=IntegerField())


@dataclass
class Standings:
    """Per student: skill and a code per open assignment, from one query (two with lessons)."""

    skills: dict[int, Skill]  # students with answers
    codes: dict[int, list[int]]  # every student
    opened: list[Assignment]
    now: datetime

    def rows(self, memberships: Iterable[Membership]) -> list[StudentRow]:
        """Roster rows for these memberships, from what the query returned: no query."""
        past_due = [a.due_at is not None and self.now > a.due_at for a in self.opened]
        rows = []
        for membership in memberships:
            codes = self.codes.get(membership.student_id, [_UNTOUCHED] * len(self.opened))
            statuses = [_standing_status(code, late) for code, late in zip(codes, past_due)]
            rows.append(StudentRow(
                membership=membership,
                skill=self.skills.get(membership.student_id, Skill()),
                finished=sum(code >= _FINISHED for code in codes),
                assigned=len(codes),
                late=statuses.count(WorkStatus.LATE),
            ))
        return rows


def class_standings(*, classroom: Classroom, assignments: list[Assignment], now: datetime,
                    learner_ids: Optional[list[int]] = None) -> Standings:
    """Every student's skill and standing on each open assignment: one query, two with lessons.

    ``learner_ids`` limits it to some of the class's students (one page of the roster).

    One row per student comes back, made of counts and small codes: the sums of the
    student's ``AttemptScore`` rows in the attempts the class sees (as ``class_scores``),
    and for each open quiz (or lesson) the first start and finish, turned into a code in SQL.
    """
    opened = [a for a in assignments if a.is_open(now)]
    windows = assignment_windows(assignments)
    # The join keeps only the attempts the class sees, so most sums need no FILTER of their own.
    # (The current-students part of class_attempts_q is the membership this starts from.)
    seen = FilteredRelation("student__attempts", condition=assigned_attempts_q(windows.values(), "student__attempts__")
                            & Q(student__attempts__started_at__gte=F("joined_at")))
    aggregates = {name: Sum(f"seen__scores__{name}") for name in SCORE_COUNTS}
    quiz_codes = []
    for assignment in opened:
        if assignment.pk in windows:
            # With a single quiz window the join is that window: no FILTER needed.
            mine = None if len(windows) == 1 else windows[assignment.pk].q("seen__")
            started, finished = f"s{assignment.pk}", f"f{assignment.pk}"
            aggregates[started] = Min("seen__started_at", filter=mine)
            aggregates[finished] = Min("seen__finished_at", filter=mine)
            aggregates[f"c{assignment.pk}"] = _standing(assignment, started, finished)
            quiz_codes.append(f"c{assignment.pk}")
    members = Membership.objects.filter(classroom=classroom)
    if learner_ids is not None:
        members = members.filter(student_id__in=learner_ids)
    if windows:
        rows = (members.annotate(seen=seen).values("student_id").annotate(**aggregates).order_by()
                .values_list("student_id", *SCORE_COUNTS, *quiz_codes))
    else:
        # No quiz set: nothing to join. (An always-false join condition would empty the whole query.)
        rows = [(student_id, 0, 0, 0, 0, 0) for student_id in members.values_list("student_id", flat=True)]
    lessons = [a for a in opened if a.lesson_id]
    lesson_codes: dict[int, tuple] = {}
    if lessons:
        aggregates = {}
        for assignment in lessons:
            started, finished = f"s{assignment.pk}", f"f{assignment.pk}"
            mine = Q(lesson_id=assignment.lesson_id)
            aggregates[started] = Min("started_at", filter=mine)
            aggregates[finished] = Min("completed_at", filter=mine)
            aggregates[f"c{assignment.pk}"] = _standing(assignment, started, finished)
        students = members.values("student_id")
        lesson_codes = {row[0]: row[1:] for row in (
            LessonProgress.objects.for_learners(students).filter(lesson_id__in={a.lesson_id for a in lessons})
            .values("learner_id").annotate(**aggregates).order_by()
            .values_list("learner_id", *(f"c{a.pk}" for a in lessons)))}
    # Where each open assignment's code sits: in the class row (>= 0) or the lesson row (< 0).
    where = {name: i for i, name in enumerate(quiz_codes, 6)}
    where |= {f"c{a.pk}": -1 - i for i, a in enumerate(lessons)}
    order = [where.get(f"c{a.pk}") for a in opened]
    no_lessons = (_UNTOUCHED,) * len(lessons)
    result = Standings({}, {}, opened, now)
    for row in rows:
        learner = row[0]
        if row[1]:  # n
            result.skills[learner] = Skill.from_counts(*row[1:6])
        read = lesson_codes.get(learner, no_lessons)
        result.codes[learner] = [_UNTOUCHED if i is None else row[i] if i >= 0 else read[-1 - i] for i in order]
    return result


@dataclass
class Overview:
    n_students: int
    assignments: list[AssignmentProgress]
    completion: Optional[float]
    mean_accuracy: Mean
    mean_d_prime: Mean
    bias: Spread
    class_skill: Skill
    standings: Standings

    @property
    def skills(self) -> dict[int, Skill]:
        return self.standings.skills

    def student_rows(self, memberships: Iterable[Membership]) -> list[StudentRow]:
        """Rows for one page of the roster, from what the class query already returned: no query."""
        return self.standings.rows(memberships)


def student_rows(*, classroom: Classroom, assignments: list[Assignment], memberships: Iterable[Membership],
                 now: datetime) -> list[StudentRow]:
    """One page of students without the class overview (an htmx page turn): the class query
    for the page's students only (one query, two with lessons)."""
    memberships = list(memberships)
    return class_standings(classroom=classroom, assignments=assignments, now=now,
                           learner_ids=[m.student_id for m in memberships]).rows(memberships)


def class_overview(*, classroom: Classroom, assignments: list[Assignment], now=None) -> Overview:
    """Completion, mean accuracy and d', and the spread of bias: one query, two with lessons.

    What comes back per student is a handful of counts and codes (``class_standings``);
    the class numbers are counted from them, and the page of the roster reads them too.
    """
    now = now or timezone.now()
    standings = class_standings(classroom=classroom, assignments=assignments, now=now)
    skills, opened = standings.skills, standings.opened
    n_students = len(standings.codes)
    columns = list(zip(*standings.codes.values())) if standings.codes else [()] * len(opened)
    counted = {}
    for assignment, column in zip(opened, columns):
        past_due = assignment.due_at is not None and now > assignment.due_at
        codes = Counter(column)
        counts: dict[str, int] = defaultdict(int)
        for code, k in codes.items():
            counts[_standing_status(code, past_due)] += k
        counts["finished"] = codes[_FINISHED] + codes[_FINISHED_LATE]
        counted[assignment.pk] = dict(counts)
    progress = [
        AssignmentProgress(a, counted.get(a.pk, {WorkStatus.UPCOMING: n_students, "finished": 0}), n_students)
        for a in assignments
    ]
    possible = len(opened) * n_students
    finished_total = sum(counted[a.pk]["finished"] for a in opened)
    enough = [s for s in skills.values() if s.enough_data]
    class_skill = Skill(*map(sum, zip(*((s.n, s.n_fake, s.hits, s.false_alarms, s.correct, s.brier_sum)
                                         for s in skills.values()))) if skills else ())
    return Overview(
        n_students=n_students,
        assignments=progress,
        completion=finished_total / possible if possible else None,
        mean_accuracy=mean([s.accuracy for s in skills.values() if s.enough_for_accuracy]),
        mean_d_prime=mean([s.d_prime for s in enough]),
        bias=spread([s.criterion for s in enough]),
        class_skill=class_skill,
        standings=standings,
    )


# --------------------------------------------------------------------------
# Students × techniques
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    n: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> Optional[float]:
        return self.correct / self.n if self.n else None

    @property
    def enough_data(self) -> bool:
        return self.n >= MIN_RESPONSES

    @property
    def needs_help(self) -> bool:
        return self.enough_data and self.accuracy < 0.5


@dataclass
class GridRow:
    membership: Membership
    cells: list[Cell]


@dataclass
class Grid:
    techniques: list[tuple[str, str]]  # (code, label)
    class_cells: list[Cell]
    rows: list[GridRow]


def technique_grid(*, classroom: Classroom, assignments: list[Assignment], memberships: list[Membership]) -> Grid:
    """Accuracy per student per technique for one page of students, with the class column: two queries."""
    scores = class_scores(classroom=classroom, assignments=assignments)
    totals = {
        row["technique"]: Cell(row["answered"], row["correct"])
        for row in scores.values("technique").annotate(answered=Sum("n"), correct=_SCORE_CORRECT).order_by()
        if row["answered"]
    }
    labels = dict(Technique.choices)
    techniques = sorted(totals, key=lambda code: (code == Technique.AUTHENTIC, labels.get(code, code)))
    page = {}
    ids = [m.student_id for m in memberships]
    if ids and techniques:
        for row in (scores.filter(attempt__learner_id__in=ids)
                    .values("technique", learner=F("attempt__learner_id"))
                    .annotate(answered=Sum("n"), correct=_SCORE_CORRECT).order_by()):
            page[(row["learner"], row["technique"])] = Cell(row["answered"], row["correct"])
    return Grid(
        techniques=[(code, "Real clips" if code == Technique.AUTHENTIC else labels.get(code, code))
                    for code in techniques],
        class_cells=[totals[code] for code in techniques],
        rows=[GridRow(m, [page.get((m.student_id, code), Cell()) for code in techniques]) for m in memberships],
    )


# --------------------------------------------------------------------------
# One student
# --------------------------------------------------------------------------


@dataclass
class AttemptPoint:
    public_id: str
    quiz_title: str
    started_at: datetime
    finished_at: Optional[datetime]
    skill: Skill


@dataclass
class StudentProfile:
    skill: Skill
    auc: Optional[float]
    attempts: list[AttemptPoint]
    by_technique: list[tuple[str, Skill]]


def _p_fake(answered_fake: bool, confidence: Optional[int]) -> float:
    return scoring.probability_fake(answered_fake, scoring.scored_confidence(confidence))


def student_profile(*, classroom: Classroom, assignments: list[Assignment], learner_id: int) -> StudentProfile:
    """One student's measures, their attempts over time and by technique: four queries."""
    responses = class_responses(classroom=classroom, assignments=assignments, learner_ids=[learner_id])
    skill = Skill.from_row(responses.aggregate(**response_score_aggregates()))
    levels = (
        responses.values("answered_fake", "confidence", truth=F("item__clip__truth"))
        .annotate(count=Count("pk")).order_by()
    )
    auc = auc_from_levels(
        (row["truth"] == Truth.SYNTHETIC, _p_fake(row["answered_fake"], row["confidence"]), row["count"])
        for row in levels
    )
    attempts = [
        AttemptPoint(row["public_id"], row["title"], row["started_at"], row["finished_at"], Skill.from_row(row))
        for row in responses.values(
            public_id=F("item__attempt__public_id"), title=F("item__attempt__quiz__title"),
            started_at=F("item__attempt__started_at"), finished_at=F("item__attempt__finished_at"),
        ).annotate(**response_score_aggregates()).order_by("started_at")
    ]
    labels = dict(Technique.choices)
    by_technique = [
        ("Real clips" if row["technique"] == Technique.AUTHENTIC else labels.get(row["technique"], row["technique"]),
         Skill.from_row(row))
        for row in responses.values(technique=F("item__clip__technique"))
        .annotate(**response_score_aggregates()).order_by("technique")
    ]
    return StudentProfile(skill=skill, auc=auc, attempts=attempts, by_technique=by_technique)


# --------------------------------------------------------------------------
# Items of one quiz
# --------------------------------------------------------------------------


@dataclass
class ItemRow:
    clip: Clip
    position: Optional[int]
    stats: scoring.ItemStatistics

    @property
    def n_wrong(self) -> int:
        return self.stats.n - round((self.stats.facility or 0) * self.stats.n)


@dataclass
class ItemReport:
    n_learners: int
    items: list[ItemRow]
    alpha: Optional[float]
    most_missed: list[ItemRow]


MOST_MISSED = 5


def item_matrix(*, classroom: Classroom, assignments: list[Assignment], quiz
                ) -> tuple[list[int], list[list], dict[int, int]]:
    """(clip ids, one row per student) for the quiz: each student's first counted attempt in the class."""
    windows = [w for w in assignment_windows(assignments).values() if w.quiz_id == quiz.pk]
    attempts = Attempt.objects.filter(class_attempts_q(classroom=classroom, windows=windows))
    # Each student's first attempt (one row per attempt), then only small integers per answer.
    learner_of: dict[int, int] = {}
    for learner_id, attempt_id in attempts.order_by("-started_at", "-pk").values_list("learner_id", "pk"):
        learner_of[learner_id] = attempt_id  # the earliest comes last and stays
    learner_of = {attempt_id: learner_id for learner_id, attempt_id in learner_of.items()}
    cells = (
        Response.objects.filter(item__attempt_id__in=list(learner_of))
        .annotate(ok=Case(When(RIGHT, then=Value(1)), default=Value(0)))
        .values_list("item__attempt_id", "item__clip_id", "ok")
        .order_by()
    )
    order = dict(QuizItem.objects.filter(quiz=quiz).values_list("clip_id", "position"))
    rows: dict[int, dict[int, int]] = defaultdict(dict)
    for attempt_id, clip_id, ok in cells:
        rows[learner_of[attempt_id]][clip_id] = ok
    clip_ids = sorted({cid for row in rows.values() for cid in row}, key=lambda c: (order.get(c, 10**9), c))
    matrix = [[row.get(cid) for cid in clip_ids] for _, row in sorted(rows.items())]
    return clip_ids, matrix, order


def item_analysis(*, classroom: Classroom, assignments: list[Assignment], quiz) -> ItemReport:
    clip_ids, matrix, order = item_matrix(classroom=classroom, assignments=assignments, quiz=quiz)
    stats = scoring.item_statistics(matrix)
    clips = Clip.objects.in_bulk(clip_ids)
    items = [ItemRow(clips[cid], order.get(cid), s) for cid, s in zip(clip_ids, stats)]
    # Clips someone got wrong: a clip everyone got right is not "missed", however few clips were.
    missed = sorted((i for i in items
                     if i.stats.enough_data and i.stats.facility is not None and i.stats.facility < 1),
                    key=lambda i: (i.stats.facility, i.position or 0))
    return ItemReport(n_learners=len(matrix), items=items, alpha=scoring.cronbach_alpha(matrix),
                      most_missed=missed[:MOST_MISSED])


# --------------------------------------------------------------------------
# Pre-test and post-test
# --------------------------------------------------------------------------

SHIFT = 0.2  # changes in d' or c smaller than this are within what a few answers swing


@dataclass
class GainRow:
    membership: Optional[Membership]  # None in the class-wide rows, which no table shows
    pre: Skill
    post: Skill

    @property
    def matched(self) -> bool:
        return self.pre.enough_for_accuracy and self.post.enough_for_accuracy

    @property
    def gain(self) -> Optional[float]:
        if not self.matched:
            return None
        return scoring.normalised_gain(self.pre.accuracy * 100, self.post.accuracy * 100)

    @property
    def sdt_matched(self) -> bool:
        return self.pre.enough_data and self.post.enough_data

    @property
    def delta_d_prime(self) -> Optional[float]:
        return self.post.d_prime - self.pre.d_prime if self.sdt_matched else None

    @property
    def delta_criterion(self) -> Optional[float]:
        return self.post.criterion - self.pre.criterion if self.sdt_matched else None

    @property
    def reading(self) -> str:
        return shift_reading(self.delta_d_prime, self.delta_criterion)


def shift_reading(delta_d: Optional[float], delta_c: Optional[float]) -> str:
    """Plain words for a change in sensitivity and bias; says so when only the lean moved."""
    if delta_d is None or delta_c is None:
        return "Not enough data."
    sharper = delta_d >= SHIFT
    duller = delta_d <= -SHIFT
    if delta_c <= -SHIFT:
        lean = "more suspicious"
    elif delta_c >= SHIFT:
        lean = "more trusting"
    else:
        lean = ""
    if not sharper and not duller:
        if lean == "more suspicious":
            return "Only more suspicious: calls more clips fake, but no better at telling real from fake."
        if lean == "more trusting":
            return "Only more trusting: lets more clips pass as real, but no better at telling real from fake."
        return "No clear change."
    sensitivity = "Better at telling real from fake" if sharper else "Worse at telling real from fake"
    return f"{sensitivity}, and {lean}." if lean else f"{sensitivity}, with the same lean."


@dataclass
class PrePost:
    pre: Assignment
    post: Assignment
    rows: list[GainRow]
    mean_pre_accuracy: Mean
    mean_post_accuracy: Mean
    class_gain: Optional[float]
    mean_delta_d_prime: Mean
    mean_delta_criterion: Mean

    @property
    def reading(self) -> str:
        return shift_reading(self.mean_delta_d_prime.value, self.mean_delta_criterion.value)


def prepost(*, classroom: Classroom, assignments: list[Assignment], post: Assignment,
            memberships: list[Membership]) -> PrePost:
    """Per student (``memberships``: one page of them) and for the class (every current student):
    normalised gain and the change in d' and bias. One query."""
    pre = post.pre
    windows = assignment_windows(assignments)
    pre_q = windows[pre.pk].q("item__attempt__")
    post_q = windows[post.pk].q("item__attempt__")
    rows_by_learner = {
        row["learner"]: row
        for row in Response.objects.filter(pre_q | post_q, member_when_started_q(classroom, "item__attempt__"),
                                           item__attempt__is_preview=False)
        .values(learner=F("item__attempt__learner_id"))
        .annotate(**response_score_aggregates(pre_q, "_pre"), **response_score_aggregates(post_q, "_post")).order_by()
    }
    rows = [
        GainRow(m, Skill.from_row(rows_by_learner.get(m.student_id, {}), "_pre"),
                Skill.from_row(rows_by_learner.get(m.student_id, {}), "_post"))
        for m in memberships
    ]
    # The class numbers cover every current student, not just this page's: the query above already
    # read them all, and a student with no answers on either test is matched by neither rule.
    everyone = [GainRow(None, Skill.from_row(row, "_pre"), Skill.from_row(row, "_post"))
                for row in rows_by_learner.values()]
    matched = [r for r in everyone if r.matched]
    pre_mean = mean([r.pre.accuracy * 100 for r in matched])
    post_mean = mean([r.post.accuracy * 100 for r in matched])
    sdt = [r for r in everyone if r.sdt_matched]
    return PrePost(
        pre=pre, post=post, rows=rows, mean_pre_accuracy=pre_mean, mean_post_accuracy=post_mean,
        class_gain=(scoring.normalised_gain(pre_mean.value, post_mean.value) if matched else None),
        mean_delta_d_prime=mean([r.delta_d_prime for r in sdt]),
        mean_delta_criterion=mean([r.delta_criterion for r in sdt]),
    )


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------

EXPORT_HEADER = [
    "student", "email", "assignment", "kind", "quiz", "attempt", "attempt_started", "attempt_finished",
    "position", "clip", "truth", "technique", "media_type", "answer", "confidence", "correct", "time_ms",
    "answered_at",
]


def export_size(*, classroom: Classroom, assignments: list[Assignment]) -> tuple[int, int]:
    """(students, responses) the export would hold."""
    return (Membership.objects.filter(classroom=classroom).count(),
            class_responses(classroom=classroom, assignments=assignments).count())


def export_rows(*, classroom: Classroom, assignments: list[Assignment]) -> Iterator[list]:
    """The class's responses, one row each, streamed from the database in chunks."""
    windows = assignment_windows(assignments)
    by_pk = {a.pk: a for a in assignments}
    which = Case(*[When(w.q("item__attempt__"), then=Value(pk)) for pk, w in windows.items()], default=None)
    rows = (
        class_responses(classroom=classroom, assignments=assignments)
        .annotate(assignment_pk=which, ok=Case(When(RIGHT, then=Value(True)), default=Value(False)))
        .order_by("item__attempt__learner__email", "item__attempt__started_at", "item__position")
        .values_list(
            "item__attempt__learner__display_name", "item__attempt__learner__email", "assignment_pk",
            "item__attempt__quiz__title", "item__attempt__public_id", "item__attempt__started_at",
            "item__attempt__finished_at", "item__position", "item__clip__title", "item__clip__truth",
            "item__clip__technique", "item__clip__media_type", "answered_fake", "confidence", "ok",
            "time_ms", "created_at",
        )
    )
    kinds = {"regular": "", "pre": "pre-test", "post": "post-test"}
    for (name, email, assignment_pk, quiz, attempt, started, finished, position, clip, truth, technique,
         media, answered_fake, confidence, ok, time_ms, answered_at) in rows.iterator(chunk_size=2000):
        assignment = by_pk.get(assignment_pk)
        yield [
            name or email.split("@")[0], email, assignment.public_id if assignment else "",
            kinds.get(assignment.kind, "") if assignment else "", quiz, attempt, _iso(started), _iso(finished),
            position, clip, truth, technique, media, "fake" if answered_fake else "real",
            "" if confidence is None else confidence, "yes" if ok else "no", time_ms, _iso(answered_at),
        ]


def _iso(value: Optional[datetime]) -> str:
    return value.isoformat(timespec="seconds") if value else ""
