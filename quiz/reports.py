"""Reading results: one attempt's report and a learner's history, as plain data.

Queries here are bounded (one or two per report, whatever the number of items);
the numbers come from ``scoring``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from clips.models import MediaType, Technique

from . import scoring
from .models import Attempt
from .services import Outcome

CHART_HEIGHT = 50  # SVG units for 100 %


@dataclass
class Bar:
    label: str
    value: Optional[float]  # 0..1, None when there is nothing to draw
    n: int
    x: float = 0
    width: float = 0

    @property
    def percent(self) -> Optional[int]:
        return None if self.value is None else round(self.value * 100)

    @property
    def height(self) -> float:
        return 0 if self.value is None else round(self.value * CHART_HEIGHT, 2)

    @property
    def y(self) -> float:
        return round(CHART_HEIGHT - self.height, 2)

    # No value: a short dashed outline on the axis (includes/chart_bar.html), never a 0 % bar.
    missing_height = 6
    missing_y = CHART_HEIGHT - missing_height


def layout_bars(bars: list[Bar], width: float = 100) -> list[Bar]:
    """Place the bars side by side across ``width`` SVG units (each 70 % of its slot)."""
    if bars:
        slot = width / len(bars)
        for i, bar in enumerate(bars):
            bar.x = round(i * slot + slot * 0.15, 2)
            bar.width = round(slot * 0.7, 2)
    return bars


@dataclass
class Breakdown:
    label: str
    summary: scoring.Summary


@dataclass
class AttemptReport:
    attempt: Attempt
    outcomes: list[Outcome]
    total: int
    summary: scoring.Summary
    calibration_bars: list[Bar] = field(default_factory=list)
    by_technique: list[Breakdown] = field(default_factory=list)
    by_media_type: list[Breakdown] = field(default_factory=list)
    fake_calls_pointed: int = 0
    tells_found: int = 0

    @property
    def answered(self) -> int:
        return len(self.outcomes)

    @property
    def measures(self) -> list[tuple[str, str, scoring.Measure]]:
        m = self.summary.measures
        return [
            ("Accuracy", "share of answers that were right", m["accuracy"]),
            ("Sensitivity (d′)", "how well you separate real from synthetic; 0 is chance", m["d_prime"]),
            ("Bias (c)", "above 0: you let fakes pass as real; below 0: you call real clips fake",
             m["criterion"]),
            ("AUC", "chance that a fake got more of your suspicion than a real clip; 0.5 is chance", m["auc"]),
            ("Brier score", "how far your confidence was from the truth; 0 is perfect, 0.25 is guessing",
             m["brier"]),
        ]


def _response_tuple(outcome: Outcome) -> scoring.Response:
    r = outcome.response
    return (outcome.clip.is_synthetic, r.answered_fake, scoring.scored_confidence(r.confidence))


def attempt_report(*, attempt: Attempt) -> AttemptReport:
    items = list(attempt.items.select_related("clip", "response").order_by("position"))
    outcomes = []
    for item in items:
        response = getattr(item, "response", None)
        if response is not None:
            outcomes.append(Outcome(item=item, response=response, total=len(items)))
    responses = [_response_tuple(o) for o in outcomes]
    summary = scoring.summarize(responses)
    # A band's accuracy from one or two answers is not drawn (DESIGN.md: "not enough data").
    bars = layout_bars([Bar(band.label, band.accuracy if band.enough_data else None, band.n)
                    for band in summary.calibration])
    technique_labels = dict(Technique.choices)
    media_labels = dict(MediaType.choices)
    by_technique = scoring.summarize_by((o.clip.technique, t) for o, t in zip(outcomes, responses))
    by_media = scoring.summarize_by((o.clip.media_type, t) for o, t in zip(outcomes, responses))
    # Fakes the learner caught and pointed at: a real clip has no manipulation to find, whatever
    # regions it carries or carried when it was answered (its truth may have been corrected since).
    pointed = [o for o in outcomes
               if o.clip.is_synthetic and o.response.answered_fake and o.response.found_tell is not None]
    return AttemptReport(
        attempt=attempt, outcomes=outcomes, total=len(items), summary=summary, calibration_bars=bars,
        by_technique=[Breakdown(technique_labels.get(k, k), s) for k, s in sorted(by_technique.items())],
        by_media_type=[Breakdown(media_labels.get(k, k) or "Unknown", s) for k, s in sorted(by_media.items())],
        fake_calls_pointed=len(pointed), tells_found=sum(1 for o in pointed if o.response.found_tell),
    )


HISTORY_LIMIT = 30


@dataclass
class HistoryPoint:
    attempt: Attempt
    bar: Bar


def learner_history(*, user) -> list[HistoryPoint]:
    """The learner's last finished attempts, oldest first, with accuracy bars (one query).

    Assessments whose answers are not revealed yet are left out: their score would
    tell the learner which answers were right.
    """
    attempts = list(
        Attempt.objects.for_learner(user).counted().finished().revealable().with_scores()
        .select_related("quiz").order_by("-started_at")[:HISTORY_LIMIT]
    )[::-1]
    bars = layout_bars([
        Bar(a.started_at.strftime("%d %b"),
            a.n_correct / a.n_answered if a.n_answered >= scoring.MIN_RESPONSES else None, a.n_answered)
        for a in attempts
    ])
    return [HistoryPoint(a, bar) for a, bar in zip(attempts, bars)]
