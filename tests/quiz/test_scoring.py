"""Tests for quiz.scoring: reference checks against scipy/sklearn/numpy plus edge cases."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import brier_score_loss, roc_auc_score

from quiz.scoring import (
    MIN_RESPONSES,
    CalibrationBand,
    Summary,
    cronbach_alpha,
    enough_for_sdt,
    item_statistics,
    normalised_gain,
    probability_fake,
    summarize,
)

SEED = 20240611
N_RANDOM_SETS = 200


def random_responses(rng: random.Random, n: int, *, coarse: bool = False) -> list[tuple[bool, bool, int]]:
    """Random responses; ``coarse`` restricts confidence to a few values to force ties."""
    skill = rng.random()
    out = []
    for _ in range(n):
        is_fake = rng.random() < 0.5
        answered_fake = is_fake if rng.random() < skill else not is_fake
        confidence = rng.choice([50, 75, 100]) if coarse else rng.randint(50, 100)
        out.append((is_fake, answered_fake, confidence))
    return out


def random_sets(min_n: int = 2, max_n: int = 80):
    rng = random.Random(SEED)
    for i in range(N_RANDOM_SETS):
        n = rng.randint(min_n, max_n)
        yield random_responses(rng, n, coarse=i % 3 == 0)


def reference_sdt(responses):
    hits = sum(1 for t, a, _ in responses if t and a)
    fas = sum(1 for t, a, _ in responses if not t and a)
    n_fake = sum(1 for t, _, _ in responses if t)
    n_real = len(responses) - n_fake
    h = (hits + 0.5) / (n_fake + 1)
    f = (fas + 0.5) / (n_real + 1)
    return norm.ppf(h) - norm.ppf(f), -(norm.ppf(h) + norm.ppf(f)) / 2


def both_kinds(responses) -> bool:
    return any(t for t, _, _ in responses) and any(not t for t, _, _ in responses)


def p_values(responses):
    return [probability_fake(a, c) for _, a, c in responses]


# --------------------------------------------------------------------------
# Reference implementations on random data
# --------------------------------------------------------------------------


def test_d_prime_matches_scipy_on_random_data():
    checked = 0
    for responses in random_sets():
        if not both_kinds(responses):
            continue
        expected_d, _ = reference_sdt(responses)
        assert summarize(responses).d_prime == pytest.approx(expected_d, abs=1e-9)
        checked += 1
    assert checked > N_RANDOM_SETS * 0.9


def test_criterion_matches_scipy_on_random_data():
    for responses in random_sets():
        if not both_kinds(responses):
            continue
        _, expected_c = reference_sdt(responses)
        assert summarize(responses).criterion == pytest.approx(expected_c, abs=1e-9)


def test_auc_matches_sklearn_roc_auc_score_on_random_data():
    for responses in random_sets():
        if not both_kinds(responses):
            continue
        y_true = [int(t) for t, _, _ in responses]
        expected = roc_auc_score(y_true, p_values(responses))
        assert summarize(responses).auc == pytest.approx(expected, abs=1e-9)


def test_auc_matches_sklearn_when_many_confidences_tie():
    rng = random.Random(SEED + 1)
    for _ in range(50):
        responses = random_responses(rng, rng.randint(10, 60), coarse=True)
        if not both_kinds(responses):
            continue
        y_true = [int(t) for t, _, _ in responses]
        expected = roc_auc_score(y_true, p_values(responses))
        assert summarize(responses).auc == pytest.approx(expected, abs=1e-9)


def test_auc_matches_sklearn_on_a_whole_school_of_responses():
    # No timing here (speed lives in bench/); a pairwise O(n^2) AUC would make
    # this test take minutes, which is noticed without asserting a clock.
    rng = random.Random(SEED + 2)
    responses = random_responses(rng, 50_000)
    summary = summarize(responses)
    y_true = [int(t) for t, _, _ in responses]
    assert summary.auc == pytest.approx(roc_auc_score(y_true, p_values(responses)), abs=1e-9)


def test_brier_matches_sklearn_brier_score_loss_on_random_data():
    for responses in random_sets(min_n=1):
        y_true = [int(t) for t, _, _ in responses]
        # labels= lets sklearn score sets that happen to contain one class only.
        expected = brier_score_loss(y_true, p_values(responses), labels=[0, 1])
        assert summarize(responses).brier == pytest.approx(expected, abs=1e-9)


def test_accuracy_and_counts_match_direct_count_on_random_data():
    for responses in random_sets(min_n=1):
        s = summarize(responses)
        correct = sum(1 for t, a, _ in responses if t == a)
        assert s.n == len(responses)
        assert s.correct == correct
        assert s.accuracy == pytest.approx(correct / len(responses), abs=1e-12)
        assert s.n_fake + s.n_real == s.n
        assert s.hits + s.misses == s.n_fake
        assert s.false_alarms + s.correct_rejections == s.n_real


def test_hit_and_false_alarm_rates_use_log_linear_correction():
    responses = [(True, True, 80)] * 3 + [(True, False, 60)] + [(False, True, 70)] + [(False, False, 90)] * 4
    s = summarize(responses)
    assert s.hit_rate == pytest.approx((3 + 0.5) / (4 + 1))
    assert s.false_alarm_rate == pytest.approx((1 + 0.5) / (5 + 1))
    assert s.raw_hit_rate == pytest.approx(3 / 4)
    assert s.raw_false_alarm_rate == pytest.approx(1 / 5)


def test_calibration_bands_match_direct_grouping_on_random_data():
    for responses in random_sets(min_n=1):
        bands = summarize(responses).calibration
        assert [b.label for b in bands] == ["50-59", "60-69", "70-79", "80-89", "90-100"]
        assert sum(b.n for b in bands) == len(responses)
        for band in bands:
            inside = [(t == a, c) for t, a, c in responses if band.low <= c <= band.high]
            assert band.n == len(inside)
            if inside:
                assert band.accuracy == pytest.approx(np.mean([ok for ok, _ in inside]), abs=1e-12)
                assert band.mean_confidence == pytest.approx(np.mean([c for _, c in inside]), abs=1e-12)
            else:
                assert band.accuracy is None and band.mean_confidence is None


# --------------------------------------------------------------------------
# probability_fake
# --------------------------------------------------------------------------


def test_probability_fake_is_confidence_for_fake_answers_and_complement_for_real():
    assert probability_fake(True, 80) == pytest.approx(0.8)
    assert probability_fake(False, 80) == pytest.approx(0.2)
    assert probability_fake(True, 50) == probability_fake(False, 50) == 0.5
    assert probability_fake(True, 100) == 1.0
    assert probability_fake(False, 100) == 0.0


@pytest.mark.parametrize("bad", [49, 101, 0, -5, 150, float("nan"), "80", None, True])
def test_probability_fake_rejects_confidence_outside_50_to_100(bad):
    with pytest.raises(ValueError, match="confidence"):
        probability_fake(True, bad)


# --------------------------------------------------------------------------
# Edge cases for summarize
# --------------------------------------------------------------------------


def test_no_responses_gives_none_everywhere_and_not_enough_data():
    s = summarize([])
    assert isinstance(s, Summary)
    assert (s.n, s.n_fake, s.n_real, s.correct, s.hits, s.false_alarms) == (0, 0, 0, 0, 0, 0)
    for value in (s.accuracy, s.hit_rate, s.false_alarm_rate, s.d_prime, s.criterion, s.auc, s.brier):
        assert value is None
    assert s.enough_data is False
    assert all(band.n == 0 for band in s.calibration)
    assert s.reading == "You have not answered any clips yet."
    assert all(not m.enough_data for m in s.measures.values())


def test_summarize_accepts_a_generator():
    s = summarize((t, t, 90) for t in [True, False, True])
    assert s.n == 3 and s.correct == 3


def test_no_fakes_leaves_hit_rate_d_prime_criterion_and_auc_undefined():
    responses = [(False, False, 80)] * 4 + [(False, True, 60)] * 2
    s = summarize(responses)
    assert s.n_fake == 0 and s.n_real == 6
    assert s.hit_rate is None
    assert s.false_alarm_rate == pytest.approx(2.5 / 7)
    assert s.d_prime is None and s.criterion is None and s.auc is None
    assert s.accuracy == pytest.approx(4 / 6)
    assert s.brier is not None
    assert s.enough_data is False
    assert "no fakes" in s.reading
    assert "called 2 of 6 real clips fake" in s.reading


def test_no_reals_leaves_false_alarm_rate_d_prime_criterion_and_auc_undefined():
    responses = [(True, True, 90)] * 5 + [(True, False, 70)]
    s = summarize(responses)
    assert s.n_fake == 6 and s.n_real == 0
    assert s.false_alarm_rate is None
    assert s.hit_rate == pytest.approx(5.5 / 7)
    assert s.d_prime is None and s.criterion is None and s.auc is None
    assert s.enough_data is False
    assert "no real clips" in s.reading
    assert "caught 5 of 6 fakes" in s.reading


def test_all_correct_gives_finite_d_prime_and_perfect_auc():
    responses = [(True, True, 95)] * 5 + [(False, False, 95)] * 5
    s = summarize(responses)
    assert s.accuracy == 1.0
    assert s.d_prime is not None and np.isfinite(s.d_prime) and s.d_prime > 0
    assert s.criterion == pytest.approx(0.0, abs=1e-12)
    assert s.auc == 1.0
    assert s.brier == pytest.approx(0.05**2)
    assert s.enough_data is True
    assert "no strong lean" in s.reading


def test_one_response_is_computed_but_flagged_not_enough_data():
    s = summarize([(True, True, 70)])
    assert s.n == 1 and s.accuracy == 1.0
    assert s.hit_rate == pytest.approx(0.75)
    assert s.d_prime is None and s.auc is None
    assert s.brier == pytest.approx(0.09)
    assert s.enough_data is False
    assert s.measures["accuracy"].n == 1
    assert s.measures["accuracy"].enough_data is False


def test_few_responses_of_both_kinds_give_numbers_but_say_too_few_to_tell():
    responses = [(True, True, 80), (False, True, 80)]
    s = summarize(responses)
    assert s.d_prime is not None and s.auc is not None
    assert s.enough_data is False
    assert s.measures["d_prime"].enough_data is False
    assert s.measures["d_prime"].n == 2
    assert s.lean is None
    assert "too few answers" in s.reading


def test_enough_data_needs_min_responses_and_both_kinds():
    base = [(True, True, 80), (False, False, 80)]
    short = base * ((MIN_RESPONSES - 1) // 2)
    assert len(short) < MIN_RESPONSES
    assert summarize(short).enough_data is False
    enough = base * MIN_RESPONSES
    s = summarize(enough)
    assert s.enough_data is True
    for name in ("accuracy", "d_prime", "criterion", "auc", "brier"):
        assert s.measures[name].enough_data is True
        assert s.measures[name].n == len(enough)
    assert s.measures["hit_rate"].n == s.n_fake
    assert s.measures["false_alarm_rate"].n == s.n_real


def test_all_same_confidence_ties_give_auc_matching_sklearn():
    responses = [(True, True, 70)] * 3 + [(True, False, 70)] * 2 + [(False, True, 70)] + [(False, False, 70)] * 4
    s = summarize(responses)
    y_true = [int(t) for t, _, _ in responses]
    assert s.auc == pytest.approx(roc_auc_score(y_true, p_values(responses)), abs=1e-9)
    # Only one band is used when every answer has the same confidence.
    used = [b for b in s.calibration if b.n]
    assert len(used) == 1 and used[0].label == "70-79" and used[0].mean_confidence == 70


def test_all_identical_p_gives_auc_one_half():
    responses = [(True, True, 50), (False, False, 50), (True, False, 50), (False, True, 50)]
    assert summarize(responses).auc == 0.5


def test_confidence_100_falls_in_the_top_band():
    s = summarize([(True, True, 100), (False, False, 90)])
    top = s.calibration[-1]
    assert (top.low, top.high, top.n) == (90, 100, 2)
    assert isinstance(top, CalibrationBand)


@pytest.mark.parametrize("confidence", [49, 101, 0, 200, -1])
def test_confidence_out_of_range_raises_value_error(confidence):
    with pytest.raises(ValueError, match=r"confidence must be between 50 and 100"):
        summarize([(True, True, 80), (False, False, confidence)])


@pytest.mark.parametrize("bad", [(True, True), (True, True, 80, 1), "abc", 5, ("fake", True, 80)])
def test_malformed_response_raises_value_error(bad):
    with pytest.raises(ValueError):
        summarize([bad])


def test_summary_is_frozen():
    s = summarize([(True, True, 80)])
    with pytest.raises(AttributeError):
        s.n = 5  # type: ignore[misc]


# --------------------------------------------------------------------------
# Plain-language reading
# --------------------------------------------------------------------------


def test_reading_for_a_suspicious_learner_says_they_lean_towards_suspicion():
    responses = (
        [(True, True, 80)] * 8
        + [(True, False, 60)] * 2
        + [(False, True, 70)] * 4
        + [(False, False, 70)] * 6
    )
    s = summarize(responses)
    assert s.criterion < 0
    assert s.lean == "suspicious"
    assert s.reading == (
        "You caught 8 of 10 fakes but called 4 of 10 real clips fake: "
        "you lean towards suspicion."
    )


def test_reading_for_a_trusting_learner_says_they_lean_towards_trusting():
    responses = (
        [(True, True, 80)] * 4
        + [(True, False, 60)] * 6
        + [(False, True, 70)] * 1
        + [(False, False, 70)] * 9
    )
    s = summarize(responses)
    assert s.criterion > 0
    assert s.lean == "trusting"
    assert s.reading.startswith("You caught 4 of 10 fakes but called 1 of 10 real clips fake:")
    assert "you lean towards trusting" in s.reading


def test_reading_for_a_balanced_learner_says_no_strong_lean():
    responses = (
        [(True, True, 80)] * 8
        + [(True, False, 60)] * 2
        + [(False, True, 70)] * 2
        + [(False, False, 70)] * 8
    )
    s = summarize(responses)
    assert s.criterion == pytest.approx(0.0, abs=1e-12)
    assert s.lean == "balanced"
    assert s.reading.endswith("you have no strong lean either way.")


def test_reading_uses_singular_nouns_for_one_clip():
    s = summarize([(True, True, 80), (False, False, 80)])
    assert "caught 1 of 1 fake and called 0 of 1 real clip fake" in s.reading


# --------------------------------------------------------------------------
# Items across learners
# --------------------------------------------------------------------------


def random_matrix(rng: np.random.Generator, learners: int, items: int) -> list[list[int]]:
    ability = rng.normal(size=(learners, 1))
    difficulty = rng.normal(size=(1, items))
    prob = 1 / (1 + np.exp(-(ability - difficulty)))
    return (rng.random((learners, items)) < prob).astype(int).tolist()


def numpy_alpha(matrix) -> float:
    x = np.asarray(matrix, dtype=float)
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_cronbach_alpha_matches_numpy_formula_on_random_data():
    rng = np.random.default_rng(SEED)
    checked = 0
    for _ in range(100):
        matrix = random_matrix(rng, int(rng.integers(3, 60)), int(rng.integers(2, 25)))
        if np.asarray(matrix).sum(axis=1).var() == 0:
            continue
        assert cronbach_alpha(matrix) == pytest.approx(numpy_alpha(matrix), abs=1e-9)
        checked += 1
    assert checked > 80


def test_cronbach_alpha_is_none_when_undefined():
    assert cronbach_alpha([]) is None
    assert cronbach_alpha([[1, 0, 1]]) is None  # one learner
    assert cronbach_alpha([[1], [0], [1]]) is None  # one item
    assert cronbach_alpha([[1, 1], [1, 1], [1, 1]]) is None  # no variance in totals


def test_cronbach_alpha_drops_learners_with_unanswered_items():
    complete = [[1, 1, 0], [0, 1, 0], [1, 1, 1], [0, 0, 0]]
    assert cronbach_alpha(complete + [[1, None, 0]]) == pytest.approx(numpy_alpha(complete), abs=1e-12)


def test_item_discrimination_matches_numpy_corrcoef_on_random_data():
    rng = np.random.default_rng(SEED + 1)
    for _ in range(60):
        matrix = random_matrix(rng, int(rng.integers(3, 60)), int(rng.integers(2, 20)))
        x = np.asarray(matrix, dtype=float)
        stats = item_statistics(matrix)
        assert len(stats) == x.shape[1]
        for j, item in enumerate(stats):
            item_col = x[:, j]
            rest = x.sum(axis=1) - item_col
            assert item.n == x.shape[0]
            assert item.facility == pytest.approx(item_col.mean(), abs=1e-12)
            if item_col.std() == 0 or rest.std() == 0:
                assert item.discrimination is None
            else:
                expected = np.corrcoef(item_col, rest)[0, 1]
                assert item.discrimination == pytest.approx(expected, abs=1e-9)


def test_item_discrimination_is_none_for_zero_variance_item():
    matrix = [[1, 0, 1], [1, 1, 0], [1, 0, 0], [1, 1, 1]]
    stats = item_statistics(matrix)
    assert stats[0].facility == 1.0
    assert stats[0].discrimination is None


def test_item_statistics_ignores_unanswered_entries_for_facility():
    matrix = [[1, None], [0, 1], [1, 0], [None, 1]]
    stats = item_statistics(matrix)
    assert stats[0].n == 3 and stats[0].facility == pytest.approx(2 / 3)
    assert stats[1].n == 3 and stats[1].facility == pytest.approx(2 / 3)


def test_item_discrimination_with_gaps_uses_rest_proportion_over_answered_items():
    matrix = [[1, 1, None], [0, 0, 1], [1, None, 1], [0, 1, 0], [1, 1, 1]]
    # Item 0 against the share right of each learner's other answered items.
    item = [1, 0, 1, 0, 1]
    rest = [1 / 1, 1 / 2, 1 / 1, 1 / 2, 2 / 2]
    expected = np.corrcoef(item, rest)[0, 1]
    assert item_statistics(matrix)[0].discrimination == pytest.approx(expected, abs=1e-9)


def test_item_statistics_of_empty_matrix_is_empty():
    assert item_statistics([]) == []


@pytest.mark.parametrize("matrix", [[[1, 0], [1]], [[1, 2]], [[1, "1"]], [[0.5, 1]]])
def test_item_statistics_rejects_ragged_or_non_binary_matrix(matrix):
    with pytest.raises(ValueError):
        item_statistics(matrix)


# --------------------------------------------------------------------------
# Normalised gain
# --------------------------------------------------------------------------


def test_normalised_gain_is_share_of_possible_improvement():
    assert normalised_gain(60, 80) == pytest.approx(0.5)
    assert normalised_gain(0, 100) == pytest.approx(1.0)
    assert normalised_gain(50, 50) == 0.0
    assert normalised_gain(80, 60) == pytest.approx(-1.0)


def test_normalised_gain_is_none_when_pre_is_100():
    assert normalised_gain(100, 100) is None
    assert normalised_gain(100, 90) is None


@pytest.mark.parametrize("pre,post", [(-1, 50), (50, 101), (float("nan"), 50), ("50", 60)])
def test_normalised_gain_rejects_values_outside_0_to_100(pre, post):
    with pytest.raises(ValueError):
        normalised_gain(pre, post)


@pytest.mark.parametrize(("n_fake", "n_real"), [(20, 5), (5, 20), (6, 5)])
def test_no_mistakes_is_never_read_as_a_lean_whatever_the_mix_of_clips(n_fake, n_real):
    """The log-linear correction gives c = -0.3 for 20 of 20 fakes caught and 0 of 5 reals called
    fake; saying "you lean towards suspicion" next to those counts would contradict them."""
    s = summarize([(True, True, 90)] * n_fake + [(False, False, 90)] * n_real)
    assert s.enough_data and abs(s.criterion) > 0.0
    assert s.lean == "balanced"
    assert s.reading.endswith("you have no strong lean either way.")


def test_a_lean_is_read_only_in_the_direction_the_mistakes_go():
    # Twice as many reals called fake (2 of 10) as fakes missed (1 of 10): suspicion, from the counts too.
    s = summarize([(True, True, 80)] * 9 + [(True, False, 80)] + [(False, True, 80)] * 4 + [(False, False, 80)] * 6)
    assert s.lean == "suspicious"
    s = summarize([(True, True, 80)] * 5 + [(True, False, 80)] * 5 + [(False, False, 80)] * 10)
    assert s.lean == "trusting"


def test_d_prime_c_and_auc_need_enough_answers_to_each_kind_of_clip():
    """One fake among four reals: d' and c would rest on a single answer to a fake, while the
    hit rate beside them rightly says "not enough data"."""
    s = summarize([(True, True, 90)] + [(False, False, 90)] * 4)
    assert s.n == 5 and s.d_prime is not None
    assert not s.enough_data and s.lean is None
    assert not any(s.measures[m].enough_data for m in ("hit_rate", "d_prime", "criterion", "auc"))
    assert s.measures["accuracy"].enough_data
    assert "we need at least 5 fakes and 5 real clips" in s.reading
    assert enough_for_sdt(5, 5) and not enough_for_sdt(4, 50)
