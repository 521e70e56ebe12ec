"""Scoring for the fake-or-real quiz: pure functions, no database, no numpy.

Everything here works on plain Python values so it can be used from views,
management commands and tests alike.

* ``summarize(responses)`` turns one learner's answers into a ``Summary``:
  accuracy, signal-detection measures (hit rate, false-alarm rate, d', criterion),
  AUC, Brier score, a calibration table and a plain-language ``reading``.
* ``probability_fake(answered_fake, confidence)`` maps an answer plus confidence
  to the learner's implied probability that the clip is fake.
* ``item_statistics(matrix)`` and ``cronbach_alpha(matrix)`` describe the items
  of a quiz across many learners (classical test theory).
* ``normalised_gain(pre_percent, post_percent)`` is Hake's normalised gain.

A response is a tuple ``(is_fake, answered_fake, confidence)`` where confidence
is in 50..100 and says how sure the learner is of the answer they gave.

Each measure reports how many responses it rests on, and measures computed from
fewer than ``MIN_RESPONSES`` answers are flagged as not enough data: a d' from
two answers is noise, and showing it as a number would mislead the learner.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist
from typing import Optional

__all__ = [
    "MIN_RESPONSES",
    "enough_for_sdt",
    "LEAN_THRESHOLD",
    "CONFIDENCE_MIN",
    "CONFIDENCE_MAX",
    "CALIBRATION_BANDS",
    "Response",
    "CalibrationBand",
    "Measure",
    "Summary",
    "ItemStatistics",
    "probability_fake",
    "summarize",
    "item_statistics",
    "cronbach_alpha",
    "normalised_gain",
    "UNASKED_CONFIDENCE",
    "scored_confidence",
    "summarize_by",
]

UNASKED_CONFIDENCE = 100
"""Confidence scored for an answer to a quiz that did not ask for one.

The stored confidence is None (we never invent a number the learner did not
give); for scoring, an unqualified answer is taken at face value, as certain.
AUC then reduces to the balanced accuracy and Brier to the error rate, which is
what a plain real/fake answer can tell us."""

MIN_RESPONSES = 5
"""Below this many responses a measure is reported as "not enough data"."""


def enough_for_sdt(n_fake: int, n_real: int) -> bool:
    """Whether d', c and AUC rest on enough answers: ``MIN_RESPONSES`` of each kind of clip.

    They compare the answers to fakes with the answers to reals, so each side must be enough
    on its own: one fake among four reals would make d' (and a "lean") of a single answer,
    where the hit rate beside it says "not enough data"."""
    return n_fake >= MIN_RESPONSES and n_real >= MIN_RESPONSES

LEAN_THRESHOLD = 0.2
"""|criterion| below this counts as no clear lean. 0.2 SD is a small bias in
signal-detection terms; anything smaller is within what a few answers swing."""

CONFIDENCE_MIN = 50
CONFIDENCE_MAX = 100

# (label, low, high); the last band is closed at 100 so that "certain" answers
# are not left in a band of their own.
CALIBRATION_BANDS: tuple[tuple[str, int, int], ...] = (
    ("50-59", 50, 59),
    ("60-69", 60, 69),
    ("70-79", 70, 79),
    ("80-89", 80, 89),
    ("90-100", 90, 100),
)

Response = tuple[bool, bool, int]

_STANDARD_NORMAL = NormalDist()


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _check_confidence(confidence: object) -> float:
    # bool is an int subclass; True as a confidence is certainly a caller bug.
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(
            f"confidence must be a number from {CONFIDENCE_MIN} to {CONFIDENCE_MAX}, "
            f"got {confidence!r}"
        )
    value = float(confidence)
    if math.isnan(value) or not CONFIDENCE_MIN <= value <= CONFIDENCE_MAX:
        raise ValueError(
            f"confidence must be between {CONFIDENCE_MIN} and {CONFIDENCE_MAX} "
            f"(how sure the learner is of the answer given), got {confidence!r}"
        )
    return value


def _check_flag(value: object, name: str) -> bool:
    # Accept bools and 0/1 (database rows, numpy bools) but not strings such as
    # "fake"/"real", which are truthy and would silently all count as fake.
    if isinstance(value, (str, bytes)) or value not in (0, 1):
        raise ValueError(f"{name} must be True/False (or 1/0), got {value!r}")
    return bool(value)


def _z(p: float) -> float:
    return _STANDARD_NORMAL.inv_cdf(p)


def _corrected_rate(k: int, n: int) -> float:
    # Log-linear correction (Hautus 1995): keeps rates off 0 and 1 so z is
    # finite, and biases d' less than replacing 0/1 with 1/(2n).
    return (k + 0.5) / (n + 1)


@lru_cache(maxsize=4096)
def signal_detection(
    *, hits: int, n_fake: int, false_alarms: int, n_real: int
) -> tuple[Optional[float], Optional[float], Optional[float], Optional[float]]:
    """Corrected hit rate, false-alarm rate, d' and criterion from counts.

    Shared by ``summarize`` and by dashboards that count in SQL, so both use
    one formula. A rate is None without clips of its kind; d' and c need both.
    Pure and keyed by four small counts, so it is cached: a class of 500 students
    who took the same quiz repeats the same few hundred count combinations.
    """
    hit_rate = _corrected_rate(hits, n_fake) if n_fake else None
    false_alarm_rate = _corrected_rate(false_alarms, n_real) if n_real else None
    if hit_rate is None or false_alarm_rate is None:
        return hit_rate, false_alarm_rate, None, None
    z_hit, z_fa = _z(hit_rate), _z(false_alarm_rate)
    return hit_rate, false_alarm_rate, z_hit - z_fa, -(z_hit + z_fa) / 2


# --------------------------------------------------------------------------
# Per-response mapping
# --------------------------------------------------------------------------


def probability_fake(answered_fake: bool, confidence: float) -> float:
    """The learner's implied probability that the clip is fake.

    ``confidence`` is how sure they are of the answer they gave (50..100), so a
    "real" answer at 80 means a 20 % belief that the clip is fake.
    """
    answered_fake = _check_flag(answered_fake, "answered_fake")
    c = _check_confidence(confidence)
    return c / 100 if answered_fake else 1 - c / 100


# --------------------------------------------------------------------------
# Summary of one learner
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationBand:
    """Answers given with confidence in [low, high] and how often they were right."""

    label: str
    low: int
    high: int
    n: int
    correct: int
    accuracy: Optional[float]
    mean_confidence: Optional[float]

    @property
    def enough_data(self) -> bool:
        return self.n >= MIN_RESPONSES


@dataclass(frozen=True)
class Measure:
    """One number from a Summary with the count it rests on."""

    name: str
    value: Optional[float]
    n: int
    enough_data: bool


@dataclass(frozen=True)
class Summary:
    """Everything we report about one learner's set of responses.

    ``hit_rate`` and ``false_alarm_rate`` carry the log-linear correction used
    for d' and the criterion; ``raw_hit_rate`` / ``raw_false_alarm_rate`` are the
    plain proportions (hits / fakes, false alarms / reals) for display.
    """

    n: int
    n_fake: int
    n_real: int
    correct: int
    accuracy: Optional[float]
    hits: int
    false_alarms: int
    hit_rate: Optional[float]
    false_alarm_rate: Optional[float]
    raw_hit_rate: Optional[float]
    raw_false_alarm_rate: Optional[float]
    d_prime: Optional[float]
    criterion: Optional[float]
    auc: Optional[float]
    brier: Optional[float]
    calibration: list[CalibrationBand] = field(default_factory=list)
    enough_data: bool = False

    # -- derived counts -----------------------------------------------------

    @property
    def misses(self) -> int:
        return self.n_fake - self.hits

    @property
    def correct_rejections(self) -> int:
        return self.n_real - self.false_alarms

    @property
    def has_both_kinds(self) -> bool:
        return self.n_fake > 0 and self.n_real > 0

    # -- per-measure sufficiency ---------------------------------------------

    @property
    def measures(self) -> dict[str, Measure]:
        """Each reported number with the responses it rests on and whether that is enough."""
        enough_n = self.n >= MIN_RESPONSES
        return {
            "accuracy": Measure("accuracy", self.accuracy, self.n, enough_n),
            "hit_rate": Measure(
                "hit_rate", self.hit_rate, self.n_fake, self.n_fake >= MIN_RESPONSES
            ),
            "false_alarm_rate": Measure(
                "false_alarm_rate",
                self.false_alarm_rate,
                self.n_real,
                self.n_real >= MIN_RESPONSES,
            ),
            "d_prime": Measure("d_prime", self.d_prime, self.n, self.enough_data),
            "criterion": Measure("criterion", self.criterion, self.n, self.enough_data),
            "auc": Measure("auc", self.auc, self.n, self.enough_data),
            "brier": Measure("brier", self.brier, self.n, enough_n),
        }

    # -- plain language -------------------------------------------------------

    @property
    def lean(self) -> Optional[str]:
        """"suspicious", "trusting" or "balanced"; None when there is not enough data.

        From c, but only in the direction the mistakes themselves go: the log-linear correction
        pulls H and F towards a half by different amounts when there are more fakes than reals,
        so a learner with no mistakes at all (20 of 20 fakes caught, 0 of 5 reals called fake)
        gets a c of -0.3, and "you lean towards suspicion" would contradict the counts quoted
        beside it."""
        if not self.enough_data or self.criterion is None:
            return None
        miss_share, false_alarm_share = self.misses / self.n_fake, self.false_alarms / self.n_real
        if self.criterion < -LEAN_THRESHOLD and false_alarm_share > miss_share:
            return "suspicious"
        if self.criterion > LEAN_THRESHOLD and miss_share > false_alarm_share:
            return "trusting"
        return "balanced"

    @property
    def reading(self) -> str:
        """One plain-language sentence describing how the learner decides."""
        if self.n == 0:
            return "You have not answered any clips yet."

        fakes_part = _fakes_clause(self.hits, self.n_fake)
        reals_part = _reals_clause(self.false_alarms, self.n_real)

        if self.n_fake == 0:
            return (
                f"You {reals_part}; there were no fakes among your clips yet, "
                "so we cannot tell which way you lean."
            )
        if self.n_real == 0:
            return (
                f"You {fakes_part}; there were no real clips among your answers yet, "
                "so we cannot tell which way you lean."
            )

        # "but" only when both a success and a mistake are being reported;
        # otherwise the two clauses point the same way.
        joiner = "but" if self.hits > 0 and self.false_alarms > 0 else "and"
        counts = f"You {fakes_part} {joiner} {reals_part}"

        lean = self.lean
        if lean is None:
            return (
                f"{counts}: that is too few answers to tell which way you lean "
                f"(we need at least {MIN_RESPONSES} fakes and {MIN_RESPONSES} real clips)."
            )
        if lean == "suspicious":
            return f"{counts}: you lean towards suspicion."
        if lean == "trusting":
            return f"{counts}: you lean towards trusting clips as real."
        return f"{counts}: you have no strong lean either way."

    def __str__(self) -> str:
        return self.reading


def _fakes_clause(hits: int, n_fake: int) -> str:
    noun = "fake" if n_fake == 1 else "fakes"
    return f"caught {hits} of {n_fake} {noun}"


def _reals_clause(false_alarms: int, n_real: int) -> str:
    noun = "real clip" if n_real == 1 else "real clips"
    return f"called {false_alarms} of {n_real} {noun} fake"


def _average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks with ties given the mean of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        # Positions i..j (0-based) share ranks i+1..j+1, whose mean is this.
        shared = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = shared
        i = j + 1
    return ranks


def _auc(p: Sequence[float], is_fake: Sequence[bool]) -> Optional[float]:
    # Mann-Whitney U from rank sums: O(n log n) instead of comparing all pairs,
    # and average ranks make each tied fake/real pair count one half.
    n_fake = sum(is_fake)
    n_real = len(is_fake) - n_fake
    if n_fake == 0 or n_real == 0:
        return None
    ranks = _average_ranks(p)
    rank_sum_fake = math.fsum(r for r, f in zip(ranks, is_fake) if f)
    u = rank_sum_fake - n_fake * (n_fake + 1) / 2
    return u / (n_fake * n_real)


def _calibration(confidences: Sequence[float], correct: Sequence[bool]) -> list[CalibrationBand]:
    buckets: list[list[tuple[float, bool]]] = [[] for _ in CALIBRATION_BANDS]
    for c, ok in zip(confidences, correct):
        # Bands are 10 wide from 50; 100 folds into the last band.
        index = min(int((c - CONFIDENCE_MIN) // 10), len(CALIBRATION_BANDS) - 1)
        buckets[index].append((c, ok))
    bands = []
    for (label, low, high), bucket in zip(CALIBRATION_BANDS, buckets):
        n = len(bucket)
        n_correct = sum(ok for _, ok in bucket)
        bands.append(
            CalibrationBand(
                label=label,
                low=low,
                high=high,
                n=n,
                correct=n_correct,
                accuracy=n_correct / n if n else None,
                mean_confidence=math.fsum(c for c, _ in bucket) / n if n else None,
            )
        )
    return bands


def summarize(responses: Iterable[Response]) -> Summary:
    """Summarise one learner's responses ``(is_fake, answered_fake, confidence)``.

    Raises ValueError for a malformed response or a confidence outside 50..100.
    """
    truths: list[bool] = []
    answers: list[bool] = []
    confidences: list[float] = []
    for position, response in enumerate(responses):
        try:
            is_fake, answered_fake, confidence = response
        except (TypeError, ValueError):
            raise ValueError(
                f"response {position} must be (is_fake, answered_fake, confidence), "
                f"got {response!r}"
            ) from None
        try:
            truths.append(_check_flag(is_fake, "is_fake"))
            answers.append(_check_flag(answered_fake, "answered_fake"))
            confidences.append(_check_confidence(confidence))
        except ValueError as exc:
            raise ValueError(f"response {position}: {exc}") from None

    n = len(truths)
    n_fake = sum(truths)
    n_real = n - n_fake
    correct_flags = [t == a for t, a in zip(truths, answers)]
    correct = sum(correct_flags)
    hits = sum(1 for t, a in zip(truths, answers) if t and a)
    false_alarms = sum(1 for t, a in zip(truths, answers) if not t and a)
    p = [c / 100 if a else 1 - c / 100 for a, c in zip(answers, confidences)]

    hit_rate, false_alarm_rate, d_prime, criterion = signal_detection(
        hits=hits, n_fake=n_fake, false_alarms=false_alarms, n_real=n_real
    )

    brier = (
        math.fsum((pi - (1.0 if t else 0.0)) ** 2 for pi, t in zip(p, truths)) / n
        if n
        else None
    )

    return Summary(
        n=n,
        n_fake=n_fake,
        n_real=n_real,
        correct=correct,
        accuracy=correct / n if n else None,
        hits=hits,
        false_alarms=false_alarms,
        hit_rate=hit_rate,
        false_alarm_rate=false_alarm_rate,
        raw_hit_rate=hits / n_fake if n_fake else None,
        raw_false_alarm_rate=false_alarms / n_real if n_real else None,
        d_prime=d_prime,
        criterion=criterion,
        auc=_auc(p, truths),
        brier=brier,
        calibration=_calibration(confidences, correct_flags),
        enough_data=enough_for_sdt(n_fake, n_real),
    )


# --------------------------------------------------------------------------
# Items across learners
# --------------------------------------------------------------------------

Matrix = Sequence[Sequence[Optional[int]]]


@dataclass(frozen=True)
class ItemStatistics:
    """Classical test statistics for one item (column) of the learners × items matrix."""

    index: int
    n: int  # learners who answered this item
    facility: Optional[float]
    discrimination: Optional[float]

    @property
    def enough_data(self) -> bool:
        return self.n >= MIN_RESPONSES


def _validated_matrix(matrix: Matrix) -> tuple[list[list[Optional[int]]], int]:
    rows = [list(row) for row in matrix]
    if not rows:
        return rows, 0
    width = len(rows[0])
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(
                f"every learner row must have {width} items; row {r} has {len(row)}"
            )
        for i, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (str, bytes)) or value not in (0, 1):
                raise ValueError(
                    f"matrix[{r}][{i}] must be 0, 1 or None (not answered), got {value!r}"
                )
            row[i] = int(value)
    return rows, width


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> Optional[float]:
    n = len(xs)
    if n < 2:
        return None
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        # A constant item or rest score carries no information about ranking.
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    return sxy / math.sqrt(sxx * syy)


def item_statistics(matrix: Matrix) -> list[ItemStatistics]:
    """Facility and discrimination for each item.

    ``matrix`` has one row per learner and one 0/1 entry per item, or None where
    the learner did not answer. Facility is the share of answering learners who
    got the item right. Discrimination is the Pearson correlation, across
    learners who answered the item, between the item score and the
    rest-of-quiz score. The rest score is the proportion correct of the
    learner's other answered items: with a complete matrix this correlates
    exactly like "total minus this item", and with gaps it does not penalise
    someone for items they never saw.
    """
    rows, width = _validated_matrix(matrix)
    # Each learner's right answers and answered items, once: the rest score of an item
    # is then (right - score) / (answered - 1), without walking the row again per item.
    totals = [(sum(v for v in row if v is not None), sum(v is not None for v in row)) for row in rows]
    stats = []
    for item in range(width):
        item_scores: list[float] = []
        rest_scores: list[float] = []
        answered = 0
        right = 0
        for row, (row_right, row_answered) in zip(rows, totals):
            score = row[item]
            if score is None:
                continue
            answered += 1
            right += score
            if row_answered > 1:
                item_scores.append(float(score))
                rest_scores.append((row_right - score) / (row_answered - 1))
        stats.append(
            ItemStatistics(
                index=item,
                n=answered,
                facility=right / answered if answered else None,
                discrimination=_pearson(item_scores, rest_scores),
            )
        )
    return stats


def cronbach_alpha(matrix: Matrix) -> Optional[float]:
    """Cronbach's alpha for a learners × items 0/1 matrix.

    Learners with any unanswered item are left out, since alpha compares item
    variances with total variance over the same people. Returns None when alpha
    is undefined: fewer than two items or two complete learners, or no variance
    in total scores.
    """
    rows, width = _validated_matrix(matrix)
    complete = [row for row in rows if all(v is not None for v in row)]
    if width < 2 or len(complete) < 2:
        return None

    def variance(values: Sequence[float]) -> float:
        # Sample variance throughout; the ddof choice cancels in the ratio.
        mean = math.fsum(values) / len(values)
        return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)

    item_variances = math.fsum(
        variance([float(row[i]) for row in complete]) for i in range(width)  # type: ignore[arg-type]
    )
    total_variance = variance([float(sum(row)) for row in complete])  # type: ignore[arg-type]
    if total_variance == 0:
        return None
    return width / (width - 1) * (1 - item_variances / total_variance)


# --------------------------------------------------------------------------
# Learning gain
# --------------------------------------------------------------------------


def normalised_gain(pre_percent: float, post_percent: float) -> Optional[float]:
    """Hake's normalised gain (post - pre) / (100 - pre), accuracies in percent.

    None when pre is 100: there was nothing left to gain, so any ratio would be
    meaningless. Negative when the learner did worse afterwards.
    """
    for name, value in (("pre_percent", pre_percent), ("post_percent", post_percent)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a number from 0 to 100, got {value!r}")
        if math.isnan(value) or not 0 <= value <= 100:
            raise ValueError(f"{name} must be between 0 and 100, got {value!r}")
    if pre_percent == 100:
        return None
    return (post_percent - pre_percent) / (100 - pre_percent)


# --------------------------------------------------------------------------
# Helpers for stored responses
# --------------------------------------------------------------------------


def scored_confidence(confidence: Optional[float]) -> float:
    """The confidence used for scoring: the stored one, or UNASKED_CONFIDENCE when None."""
    return UNASKED_CONFIDENCE if confidence is None else confidence


def summarize_by(rows: Iterable[tuple[object, Response]]) -> dict[object, Summary]:
    """One Summary per key from ``(key, response)`` pairs, keys in first-seen order.

    Used for the per-technique and per-media-type breakdowns of a result.
    """
    groups: dict[object, list[Response]] = {}
    for key, response in rows:
        groups.setdefault(key, []).append(response)
    return {key: summarize(responses) for key, responses in groups.items()}
