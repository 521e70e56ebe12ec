"""Writes on quizzes and attempts: building quizzes, drawing and starting attempts,
recording answers exactly once (with the attempt's running score), finishing, and
claiming guest attempts.

Keyword-only functions named ``<thing>_<action>``. Refusals a learner must read
are raised as ``Refused`` with the HTTP status the view should answer and words
that say what happened; nothing is recorded when one is raised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from clips.models import Clip, MediaType, Truth, Visibility

from . import scoring, sql, tells
from .models import (
    Attempt, AttemptItem, AttemptScore, Mode, Quiz, QuizItem, Response, Selection, response_score_aggregates,
)

PRACTICE_DRAW = 10
GUEST_SESSION_KEY = "quiz_guest_key"
POINTABLE = (MediaType.IMAGE, MediaType.VIDEO)


TIME_MS_MAX = 2**31 - 1
"""The longest answer time stored (PostgreSQL's integer, about 24.8 days): an untimed item can
be left open for weeks, and its answer still counts."""


class Refused(Exception):
    """A request the rules turn down; ``status`` is 409 (state) or 422 (bad input)."""

    def __init__(self, message: str, *, status: int = 409, outcome: Optional["Outcome"] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.outcome = outcome


# --------------------------------------------------------------------------
# Building quizzes (teachers)
# --------------------------------------------------------------------------

QUIZ_FIELDS = (
    "title", "description", "mode", "reveal_after", "selection", "filters", "draw_count", "fake_share",
    "time_limit_seconds", "max_attempts", "ask_confidence", "is_public", "is_published",
)


def _apply(quiz: Quiz, fields: dict) -> None:
    unknown = set(fields) - set(QUIZ_FIELDS)
    if unknown:
        raise TypeError(f"not quiz settings: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(quiz, name, value)
    if quiz.mode != Mode.PRACTICE:
        # Guests only ever see practice quizzes; an assessment needs an account.
        quiz.is_public = False
    if quiz.selection == Selection.FIXED:
        quiz.draw_count = None


@transaction.atomic
def quiz_create(*, owner, **fields) -> Quiz:
    quiz = Quiz(owner=owner)
    _apply(quiz, fields)
    quiz.save()
    return quiz


@transaction.atomic
def quiz_update(*, quiz: Quiz, **fields) -> Quiz:
    _apply(quiz, fields)
    quiz.save()
    return quiz


@transaction.atomic
def quiz_set_clips(*, quiz: Quiz, add: list[int], remove: list[int]) -> Quiz:
    """Add clips at the end of the fixed list and remove others; positions stay dense."""
    QuizItem.objects.filter(quiz=quiz, clip_id__in=remove).delete()
    current = list(QuizItem.objects.filter(quiz=quiz).order_by("position").values_list("clip_id", flat=True))
    for clip_id in add:
        if clip_id not in current:
            current.append(clip_id)
    QuizItem.objects.filter(quiz=quiz).delete()
    QuizItem.objects.bulk_create(
        [QuizItem(quiz=quiz, clip_id=clip_id, position=i) for i, clip_id in enumerate(current, start=1)]
    )
    return quiz


@transaction.atomic
def quiz_duplicate(*, quiz: Quiz, owner) -> Quiz:
    copy = Quiz(owner=owner, **{name: getattr(quiz, name) for name in QUIZ_FIELDS})
    copy.title = f"Copy of {quiz.title}"[:200]
    copy.is_public = copy.is_published = False
    copy.save()
    QuizItem.objects.bulk_create(
        [QuizItem(quiz=copy, clip_id=item.clip_id, position=item.position) for item in quiz.items.all()]
    )
    return copy


def quiz_delete(*, quiz: Quiz) -> None:
    if quiz.attempts.counted().exists():
        raise Refused("Learners have taken this quiz, so it is kept for their results. Unpublish it instead.")
    classes = quiz.assignments.values("classroom_id").distinct().count()
    if classes:
        where = "a class" if classes == 1 else f"{classes} classes"
        raise Refused(f"This quiz is assigned to {where}, so it is kept for that work. "
                      "Remove the assignment first, or unpublish the quiz instead.")
    with transaction.atomic():
        quiz.attempts.all().delete()  # teacher previews only
        quiz.delete()


def practice_quiz_ensure(*, techniques: list[str]) -> Quiz:
    """The built-in practice set for these techniques (lessons link to it), created on first use."""
    techniques = sorted(set(techniques))
    key = "practice:" + ",".join(techniques)
    label = ", ".join(techniques).replace("_", " ") if techniques else "all techniques"
    quiz, _ = Quiz.objects.get_or_create(
        system_key=key,
        defaults=dict(
            title=f"Practice: {label}"[:200], mode=Mode.PRACTICE, selection=Selection.RANDOM,
            draw_count=PRACTICE_DRAW, fake_share=50, filters={"techniques": techniques} if techniques else {},
            is_published=True,
        ),
    )
    return quiz


# --------------------------------------------------------------------------
# Drawing clips
# --------------------------------------------------------------------------


def _pool(quiz: Quiz, learner=None):
    """The clips a quiz may show this learner (None: a guest, or no one in particular).

    The quiz's owner shares their own clips and those every teacher may use; an admin's
    quiz too, not every clip an admin may browse. A clip from a research dataset (it has a
    research basis: real people, under a research licence) stays with its owner's classes,
    as MEDIA-SOURCES.md promises: only its owner and their students are drawn it, never a
    guest or a stranger who has the quiz's link. Once an admin has shared one with every
    teacher, it also goes to the students of a teacher whose quiz holds it."""
    clips = Clip.objects.ready().publishable()
    if quiz.owner_id is None:
        clips = clips.filter(visibility=Visibility.PUBLIC)
    else:
        clips = clips.filter(Q(owner_id=quiz.owner_id) | Q(visibility=Visibility.PUBLIC))
    if learner is None:
        return clips.filter(research_basis="")
    # Imported here: classroom imports quiz when it loads, so a module-level import would be circular.
    from classroom.models import Membership

    def student_of(teacher):
        return Exists(Membership.objects.filter(student=learner, classroom__teacher_links__user=teacher))

    allowed = Q(research_basis="") | Q(owner=learner) | student_of(OuterRef("owner"))
    if quiz.owner_id is not None:
        shared = Q(visibility=Visibility.PUBLIC)
        allowed |= shared if learner.pk == quiz.owner_id else shared & student_of(quiz.owner_id)
    return clips.filter(allowed)


def _family(row: dict) -> int:
    # A fake and the real clip it was made from share a family; one per attempt.
    return row["sibling_id"] or row["id"]


def _take(rows: list[dict], count: int, families: set[int]) -> list[dict]:
    taken = []
    for row in rows:
        if len(taken) >= count:
            break
        if _family(row) in families:
            continue
        families.add(_family(row))
        taken.append(row)
    return taken


def _random_pool(quiz: Quiz, learner=None) -> tuple[QuerySet, QuerySet]:
    """The fakes and the reals a random quiz draws from for this learner: its filters on ``_pool``.
    Fakes are filtered by technique too (a real clip has no technique to match)."""
    filters = quiz.filters or {}
    pool = _pool(quiz, learner)
    if filters.get("media_types"):
        pool = pool.filter(media_type__in=filters["media_types"])
    if filters.get("difficulties"):
        pool = pool.filter(difficulty__in=filters["difficulties"])
    fakes = pool.filter(truth=Truth.SYNTHETIC)
    if filters.get("techniques"):
        fakes = fakes.filter(technique__in=filters["techniques"])
    return fakes, pool.filter(truth=Truth.REAL)


def quiz_supply_problem(quiz: Quiz) -> Optional[str]:
    """Why a random quiz could not give learners what it says now, in words for its teacher (None
    when it can): drawn as the owner's students would be, from the library as it stands."""
    if quiz.selection != Selection.RANDOM or not quiz.draw_count:
        return None
    # A public quiz is drawn for guests too, who never get research-dataset clips (``_pool``).
    learners = [quiz.owner, None] if quiz.is_public and quiz.owner is not None else [quiz.owner]
    for learner in learners:
        fakes, reals = _random_pool(quiz, learner)
        n_fake, n_real = fakes.count(), reals.count()
        who = " for guests" if learner is None and len(learners) > 1 else ""
        if quiz.fake_share and not n_fake:
            return (f"No synthetic clips ready in the library match these filters{who}, so learners could not "
                    "start it. Widen the filters, or untick “Published” until there are some.")
        if quiz.fake_share < 100 and not n_real:
            return (f"No real clips ready in the library match these filters{who}: every answer “fake” would be "
                    "right. Widen the filters, set the share of synthetic clips to 100 %, or untick “Published” "
                    "for now.")
        # A real clip and a fake made from it are never drawn together: count each such pair once.
        families = (fakes | reals).annotate(family=Coalesce("sibling_id", "id")).values("family").distinct().count()
        if families < quiz.draw_count:
            return (f"Only {families} clips that may be drawn together match these filters{who}, fewer than the "
                    f"{quiz.draw_count} to draw. Lower the number, widen the filters, or untick “Published” for now.")
    return None


def practice_pool_fakes(*, techniques: list[str]):
    """The synthetic clips a built-in practice set on these techniques draws from."""
    fakes = _pool(Quiz(owner=None)).filter(truth=Truth.SYNTHETIC)
    return fakes.filter(technique__in=techniques) if techniques else fakes


def clips_draw(*, quiz: Quiz, rng: random.Random, learner=None) -> list[int]:
    """The clip ids for a new attempt, shuffled; never a real clip together with a fake made from it.

    A random draw filters fakes by technique (a real clip has no technique to match), and
    both by media type and difficulty. It aims at ``fake_share`` percent fakes within each
    media type that has both kinds to draw, so that what kind of clip it is (an image, a
    video) says nothing about its label (``_draw_balanced``).
    """
    fields = ("id", "sibling_id", "truth", "media_type")
    if quiz.selection == Selection.FIXED:
        rows = list(
            _pool(quiz, learner).filter(quiz_items__quiz=quiz).order_by("quiz_items__position").values(*fields)
        )
        rng.shuffle(rows)
        chosen = _take(rows, len(rows), set())
    else:
        fakes, reals = _random_pool(quiz, learner)
        fake_rows = list(fakes.values(*fields))
        if not fake_rows and quiz.fake_share:
            # All real clips would make every answer "real" right, and the start page promised synthetic media.
            raise Refused("There are no synthetic clips to draw for this quiz yet, so it cannot start. "
                          "Please try again later.")
        real_rows = list(reals.values(*fields))
        rng.shuffle(fake_rows)
        rng.shuffle(real_rows)
        chosen = _draw_balanced(fake_rows, real_rows, count=quiz.draw_count or PRACTICE_DRAW,
                                share=quiz.fake_share / 100, rng=rng)
        rng.shuffle(chosen)
    return [row["id"] for row in chosen]


def _draw_balanced(fake_rows: list[dict], real_rows: list[dict], *, count: int, share: float,
                   rng: random.Random) -> list[dict]:
    """At most ``count`` rows, ``round(count * share)`` of them fakes when there are enough,
    spread over the media types that have both kinds so that each type holds about the
    same share of fakes (see ``clips_draw``).

    Each type's part of the draw follows its part of the pool. Its fakes are rounded up or
    down at random, weighted by the fraction, so that the total stays exact and no type is
    always rounded the same way: three videos with two fakes in every attempt would make a
    video a better guess than an image. A short type's places, and any left over, are
    filled from the others, the mixed types first."""
    families: set[int] = set()
    n_fake = round(count * share)
    by_type: dict[str, tuple[list[dict], list[dict]]] = {}
    for rows, kind in ((fake_rows, 0), (real_rows, 1)):
        for row in rows:
            by_type.setdefault(row["media_type"], ([], []))[kind].append(row)
    mixed = {t: pools for t, pools in sorted(by_type.items()) if pools[0] and pools[1]}
    chosen: list[dict] = []
    if 0 < share < 1 and mixed:
        total = sum(len(f) + len(r) for f, r in mixed.values())
        exact = {t: count * (len(f) + len(r)) / total for t, (f, r) in mixed.items()}
        places = _round_to_total(exact, count, rng)
        fakes_by_type = _round_to_total({t: places[t] * share for t in mixed}, n_fake, rng)
        for t, (fakes, reals) in mixed.items():
            part = _take(fakes, fakes_by_type[t], families)
            part += _take(reals, places[t] - len(part), families)
            part += _take(fakes, places[t] - len(part), families)
            chosen += part
    # Top up, the mixed types first: fakes up to the share, then reals, then fakes.
    order = [*mixed.values(), *(pools for t, pools in sorted(by_type.items()) if t not in mixed)]
    left_fakes = [row for fakes, _ in order for row in fakes]
    left_reals = [row for _, reals in order for row in reals]
    have = sum(row["truth"] == Truth.SYNTHETIC for row in chosen)
    chosen += _take(left_fakes, min(max(0, n_fake - have), count - len(chosen)), families)
    chosen += _take(left_reals, count - len(chosen), families)
    chosen += _take(left_fakes, count - len(chosen), families)
    return chosen


def _round_to_total(exact: dict[str, float], total: int, rng: random.Random) -> dict[str, int]:
    """Round each value down or up so that they add up to ``total``: the ones rounded up are
    drawn at random, each in proportion to its fraction (weighted sampling without
    replacement), so over many draws every value is met on average."""
    rounded = {key: int(value) for key, value in exact.items()}
    fractions = {key: value - rounded[key] for key, value in exact.items() if value > rounded[key]}
    ranked = sorted(fractions, key=lambda key: rng.random() ** (1 / fractions[key]), reverse=True)
    for key in ranked[:max(0, total - sum(rounded.values()))]:
        rounded[key] += 1
    return rounded


# --------------------------------------------------------------------------
# Attempts
# --------------------------------------------------------------------------


def attempt_start(
    *, quiz: Quiz, learner=None, guest_key: str = "", is_preview: bool = False,
    rng: Optional[random.Random] = None, now: Optional[datetime] = None,
) -> Attempt:
    """Resume the learner's unfinished attempt at this quiz, or start one with a frozen, shuffled list
    (always, for a teacher's preview: it shows the quiz as it is now)."""
    now = now or timezone.now()
    if learner is None and not guest_key:
        raise ValueError("an attempt needs a learner or a guest key")
    if learner is None and not (quiz.is_public and quiz.mode == Mode.PRACTICE):
        raise Refused("Log in to take this quiz.", status=403)
    mine = Attempt.objects.filter(quiz=quiz, is_preview=is_preview)
    mine = mine.filter(learner=learner) if learner is not None else mine.filter(guest_key=guest_key,
                                                                                    learner__isnull=True)
    open_attempt = mine.unfinished().order_by("-started_at").first()
    if open_attempt is not None:
        # A teacher previews to see the quiz as it is now, after an edit: a preview is never resumed.
        if not open_attempt.is_overdue(now) and not is_preview:
            return open_attempt
        attempt_finish(attempt=open_attempt, now=now)
    try:
        return _attempt_create(quiz=quiz, mine=mine, learner=learner, guest_key=guest_key, is_preview=is_preview,
                               rng=rng, now=now)
    except IntegrityError:
        # A concurrent start (a double click, two tabs) made the open attempt first: resume that one.
        open_attempt = mine.unfinished().first()
        if open_attempt is None:
            raise
        return open_attempt


def _attempt_create(*, quiz: Quiz, mine: QuerySet, learner, guest_key: str, is_preview: bool,
                    rng: Optional[random.Random], now: datetime) -> Attempt:
    """A new attempt with its frozen, shuffled items; the database allows one open attempt per learner."""
    if quiz.max_attempts and not is_preview and mine.count() >= quiz.max_attempts:
        noun = "attempt" if quiz.max_attempts == 1 else "attempts"
        raise Refused(f"You have used all {quiz.max_attempts} {noun} allowed for this quiz.")
    clip_ids = clips_draw(quiz=quiz, rng=rng or random.SystemRandom(), learner=learner)
    if not clip_ids:
        raise Refused("This quiz has no clips ready yet. Please try again later.")
    with transaction.atomic():
        attempt = Attempt.objects.create(
            quiz=quiz, learner=learner, guest_key="" if learner else guest_key, is_preview=is_preview,
            started_at=now, time_limit_seconds=quiz.time_limit_seconds, mode=quiz.mode,
            ask_confidence=quiz.ask_confidence,
        )
        AttemptItem.objects.bulk_create(
            [AttemptItem(attempt=attempt, clip_id=clip_id, position=i) for i, clip_id in enumerate(clip_ids, 1)]
        )
        # Empty score rows now, so that each answer is a single UPDATE.
        techniques = Clip.objects.filter(pk__in=clip_ids).values_list("technique", flat=True).distinct()
        AttemptScore.objects.bulk_create(
            [AttemptScore(attempt=attempt, technique=technique) for technique in sorted(set(techniques))]
        )
    return attempt


def attempt_check_open(*, attempt: Attempt, now: Optional[datetime] = None) -> None:
    """Refuse (409) an answer to a finished attempt, or to one past its time limit, which it then finishes.

    Checked before anything else about an answer can be said (an unreadable form included):
    a learner is told the attempt is closed, not asked to fill in a form that cannot count."""
    now = now or timezone.now()
    if attempt.is_finished:
        raise Refused("This attempt is already finished, so nothing more is recorded.")
    if attempt.is_overdue(now):
        attempt_finish(attempt=attempt, now=now)
        raise Refused("Time is up: the time limit passed before this answer arrived, so it was not counted.")


def attempt_finish(*, attempt: Attempt, now: Optional[datetime] = None) -> Attempt:
    now = now or timezone.now()
    Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(finished_at=now)
    if attempt.finished_at is None:
        attempt.finished_at = now
    return attempt


@dataclass
class Progress:
    """Where an attempt stands: the item to show now (None when all are answered)."""

    item: Optional[AttemptItem]
    total: int
    answered: int

    @property
    def position(self) -> int:
        return self.answered + 1


def attempt_progress(*, attempt: Attempt, now: Optional[datetime] = None) -> Progress:
    """The first unanswered item, marked shown the first time (the server's clock starts then)."""
    now = now or timezone.now()
    counts = attempt.items.aggregate(total=Count("id"), answered=Count("response"))
    item = (
        attempt.items.filter(response__isnull=True).select_related("clip").order_by("position").first()
    )
    if item is not None and item.shown_at is None:
        AttemptItem.objects.filter(pk=item.pk, shown_at__isnull=True).update(shown_at=now)
        item.shown_at = now
    return Progress(item=item, total=counts["total"], answered=counts["answered"])


@dataclass
class Outcome:
    """One answered item, as the reveal shows it."""

    item: AttemptItem
    response: Response
    total: int = 0
    finished: bool = False

    @property
    def clip(self) -> Clip:
        return self.item.clip

    @property
    def correct(self) -> bool:
        return self.response.answered_fake == self.item.clip.is_synthetic

    @property
    def tell_verdict(self) -> str:
        """What the reveal says of where the learner pointed, or nothing. Only a fake has a tell
        to find: a verdict stored before a clip was relabelled real is not shown."""
        response, clip = self.response, self.item.clip
        if not (response.answered_fake and clip.is_synthetic):
            return ""
        if response.found_tell is not None:
            return "You pointed at a real tell." if response.found_tell else "You pointed somewhere else than the tell."
        if response.point_x is not None or response.grid_cell:
            return ("This clip has no marked place in the frame to compare your pointing with"
                    + (": its tells are moments in time, listed below." if clip.time_regions else "."))
        if clip.box_regions:
            return "You did not point at where you saw it: the tells are marked below."
        return ""


def _outcome(item: AttemptItem, response: Response) -> Outcome:
    return Outcome(item=item, response=response)


def response_record(
    *, attempt: Attempt, token: str, answered_fake: bool, confidence: Optional[int] = None,
    point: Optional[tuple[float, float]] = None, cell: str = "", now: Optional[datetime] = None,
    target: Optional[sql.Target] = None,
) -> Outcome:
    """Store the answer to the attempt's current item exactly once.

    Refuses (nothing stored) an item not in the attempt (422), a second answer,
    an answer out of order, to a finished attempt or after the time limit (409).
    Two concurrent submits of one item are settled by the one-to-one constraint:
    the loser gets the stored answer back in its refusal.

    ``target`` may be passed when the caller already read it with ``sql.answer_target``
    (the view does, to find the visitor's attempt and the item in one query); it must
    be this attempt's item with this token. The statements are hand-written (``quiz.sql``
    says why); the rules are all here.
    """
    now = now or timezone.now()
    if target is None:
        target = sql.answer_target(token=token, attempt_pk=attempt.pk)
    elif target.item.attempt_id != attempt.pk or target.item.token != token:
        raise ValueError("target is not the attempt's item with this token")
    if target is None:
        raise Refused("That item is not part of this attempt, so nothing was recorded.", status=422)
    item = target.item
    if target.answered:
        raise Refused("You have already answered this item; your first answer stands.",
                      outcome=_outcome(item, Response.objects.get(item=item)))
    attempt_check_open(attempt=attempt, now=now)
    if not target.is_current:
        existing = Response.objects.filter(item=item).first()
        if existing is not None:  # answered a moment ago, by a concurrent submit
            raise Refused("You have already answered this item; your first answer stands.",
                          outcome=_outcome(item, existing))
        raise Refused("That is not the current item; answer the items in order. Nothing was recorded.")
    if not attempt.ask_confidence:
        confidence = None
    elif confidence is None:
        raise Refused("Choose how sure you are.", status=422)

    found = None
    if answered_fake and item.clip.media_type in POINTABLE:
        if point is not None:
            cell = ""  # the click was the last thing the learner did (quiz.js clears the other)
        # Only a fake has a manipulation to find: a real clip keeps what was pointed at, with no verdict.
        if item.clip.is_synthetic:
            found = tells.tell_found(regions=item.clip.box_regions, point=point, cell=cell)
    else:
        point, cell = None, ""
    shown_at = item.shown_at or now
    remaining = target.open > 1
    try:
        # On PostgreSQL a concurrent insert of the same item waits on the unique index and
        # then fails; the score is added only with the answer that was stored.
        response = sql.answer_store(
            item=item, technique=item.clip.technique, last=not remaining,
            deltas=_score_deltas(is_fake=item.clip.is_synthetic, answered_fake=answered_fake, confidence=confidence),
            answered_fake=answered_fake, confidence=confidence,
            time_ms=min(TIME_MS_MAX, max(0, int((now - shown_at).total_seconds() * 1000))),
            point_x=point[0] if point else None, point_y=point[1] if point else None,
            grid_cell=cell or "", found_tell=found, created_at=now,
        )
        if not remaining:
            attempt.finished_at = attempt.finished_at or now
    except IntegrityError:
        existing = Response.objects.filter(item=item).first()
        if existing is None:
            raise
        raise Refused("You have already answered this item; your first answer stands.",
                      outcome=_outcome(item, existing)) from None
    return Outcome(item=item, response=response, total=target.total, finished=not remaining)


# --------------------------------------------------------------------------
# Running scores
# --------------------------------------------------------------------------


def _score_deltas(*, is_fake: bool, answered_fake: bool, confidence: Optional[int]) -> dict[str, int]:
    """What one answer adds to its ``AttemptScore`` row (the same counts as ``scoring.summarize``)."""
    sure = int(scoring.scored_confidence(confidence))
    right = answered_fake == is_fake
    return {
        "n": 1,
        "n_fake": int(is_fake),
        "hits": int(is_fake and answered_fake),
        "false_alarms": int(not is_fake and answered_fake),
        # (p - [fake])^2 is (1 - sure)^2 for a right answer and sure^2 for a wrong one; times 10 000.
        "brier_e4": (100 - sure) ** 2 if right else sure**2,
    }


@transaction.atomic
def attempt_scores_rebuild(*, attempts: QuerySet | list[int]) -> int:
    """Recompute these attempts' ``AttemptScore`` rows from their responses; returns the rows written.

    For what bypasses ``response_record``: a clip whose truth or technique was changed
    after people answered it, data loaded with ``bulk_create``, an admin's edit.
    """
    if isinstance(attempts, QuerySet):
        attempts = attempts.values("pk")
    AttemptScore.objects.filter(attempt__in=attempts).delete()
    rows = (
        Response.objects.filter(item__attempt__in=attempts)
        .values(attempt_ref=F("item__attempt_id"), technique_ref=F("item__clip__technique"))
        .annotate(**response_score_aggregates()).order_by()
    )
    scores = [
        AttemptScore(attempt_id=row.pop("attempt_ref"), technique=row.pop("technique_ref"), **row) for row in rows
    ]
    AttemptScore.objects.bulk_create(scores, batch_size=1000)
    return len(scores)


def clip_scores_rebuild(*, clip: Clip) -> int:
    """After a clip's truth, technique or tell regions changed: judge again where past learners
    pointed (a clip relabelled fake, or given its regions, now has a tell to find; one relabelled
    real has none), then rescore the attempts that showed it."""
    pointed = (Response.objects.filter(item__clip=clip, answered_fake=True)
               .filter(Q(point_x__isnull=False) | ~Q(grid_cell="")).only("pk", "point_x", "point_y", "grid_cell",
                                                                         "found_tell"))
    changed = []
    for response in pointed:
        point = (response.point_x, response.point_y) if response.point_x is not None else None
        found = (tells.tell_found(regions=clip.box_regions, point=point, cell=response.grid_cell)
                 if clip.is_synthetic else None)
        if found != response.found_tell:
            response.found_tell = found
            changed.append(response)
    Response.objects.bulk_update(changed, ["found_tell"])
    return attempt_scores_rebuild(attempts=Attempt.objects.filter(items__clip=clip))


@transaction.atomic
def _attempt_close_extra(attempt: Attempt) -> None:
    """Close an open attempt that must give way to a newer one: an empty one is removed
    (nothing is lost), one with answers keeps them and ends at its last answer."""
    last = Response.objects.filter(item__attempt=attempt).order_by("-created_at").values_list("created_at", flat=True)
    last = last.first()
    if last is None:
        attempt.delete()
    else:
        Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(finished_at=last)


@transaction.atomic
def attempts_claim_guest(*, guest_key: str, user) -> int:
    """Give a guest's attempts to the account they just signed up or logged in with.

    The account may already have an open attempt at a quiz the guest also has open;
    one learner has one open attempt per quiz, so the newer stays open and the older
    is closed (removed if it has no answers, else ended at its last answer).
    """
    if not guest_key or not user.is_authenticated:
        return 0
    guest = Attempt.objects.filter(learner__isnull=True, guest_key=guest_key)
    for guest_attempt in guest.unfinished():
        mine = Attempt.objects.filter(learner=user, quiz_id=guest_attempt.quiz_id, is_preview=guest_attempt.is_preview)
        for own in mine.unfinished():
            older = own if own.started_at <= guest_attempt.started_at else guest_attempt
            _attempt_close_extra(older)
            if older is guest_attempt:
                break
    return guest.update(learner=user, guest_key="")
