"""The dashboards' numbers equal ``quiz.scoring`` computed directly on the same responses."""

import random
import statistics
from datetime import timedelta

import pytest

from classroom import analytics
from classroom.models import Membership
from clips.models import Truth
from quiz import scoring
from quiz.models import Response

from .conftest import add_prepost, answer_attempts, build_class, make_students

TOL = 1e-9


def summaries_by_learner(responses):
    """Straight from the rows, the way a learner's own results page scores them."""
    groups = {}
    for r in responses.select_related("item__clip", "item__attempt"):
        groups.setdefault(r.item.attempt.learner_id, []).append(
            (r.item.clip.truth == Truth.SYNTHETIC, r.answered_fake, scoring.scored_confidence(r.confidence)))
    return {learner: scoring.summarize(rows) for learner, rows in groups.items()}


def assert_close(a, b):
    if a is None or b is None:
        assert a is b
    else:
        assert a == pytest.approx(b, abs=TOL)


@pytest.fixture
def data(db):
    return build_class(n_students=12, tag="ana")


def counted(data):
    return Response.objects.filter(item__attempt__quiz=data.quiz, item__attempt__is_preview=False,
                                   item__attempt__learner__in=data.students)


def test_per_student_accuracy_d_prime_bias_and_brier_equal_scoring_summarize(data):
    expected = summaries_by_learner(counted(data))
    skills = analytics.learner_skills(
        analytics.class_responses(classroom=data.classroom, assignments=[data.assignment]))
    assert set(skills) == set(expected)
    for learner, summary in expected.items():
        skill = skills[learner]
        assert (skill.n, skill.n_fake, skill.hits, skill.false_alarms, skill.correct) == (
            summary.n, summary.n_fake, summary.hits, summary.false_alarms, summary.correct)
        assert_close(skill.accuracy, summary.accuracy)
        assert_close(skill.hit_rate, summary.hit_rate)
        assert_close(skill.false_alarm_rate, summary.false_alarm_rate)
        assert_close(skill.d_prime, summary.d_prime)
        assert_close(skill.criterion, summary.criterion)
        assert_close(skill.brier, summary.brier)
        assert skill.enough_data == summary.enough_data


def test_student_profile_auc_and_per_technique_accuracy_equal_scoring(data):
    learner = data.students[3]
    profile = analytics.student_profile(classroom=data.classroom, assignments=[data.assignment],
                                        learner_id=learner.pk)
    rows = [(r.item.clip.truth == Truth.SYNTHETIC, r.answered_fake, scoring.scored_confidence(r.confidence),
             r.item.clip.technique)
            for r in counted(data).filter(item__attempt__learner=learner).select_related("item__clip")]
    summary = scoring.summarize([r[:3] for r in rows])
    assert_close(profile.skill.d_prime, summary.d_prime)
    assert_close(profile.skill.criterion, summary.criterion)
    assert_close(profile.auc, summary.auc)
    by_technique = scoring.summarize_by((r[3], r[:3]) for r in rows)
    got = {label: skill for label, skill in profile.by_technique}
    assert len(got) == len(by_technique)
    from clips.models import Technique
    labels = dict(Technique.choices)
    for code, s in by_technique.items():
        label = "Real clips" if code == Technique.AUTHENTIC else labels[code]
        assert got[label].n == s.n
        assert_close(got[label].accuracy, s.accuracy)


def test_auc_from_levels_matches_summarize_on_ties_and_unasked_confidence():
    rng = random.Random(3)
    rows = [(rng.random() < 0.5, rng.random() < 0.5, rng.choice([50, 60, 100, 100, 75])) for _ in range(200)]
    counts = {}
    for is_fake, answered_fake, c in rows:
        p = c / 100 if answered_fake else 1 - c / 100
        counts[(is_fake, p)] = counts.get((is_fake, p), 0) + 1
    auc = analytics.auc_from_levels((f, p, n) for (f, p), n in counts.items())
    assert_close(auc, scoring.summarize(rows).auc)


def test_class_grid_per_technique_accuracy_equals_scoring_per_student_and_for_the_class(data):
    grid = analytics.technique_grid(classroom=data.classroom, assignments=[data.assignment],
                                    memberships=list(Membership.objects.filter(classroom=data.classroom)))
    codes = [code for code, _ in grid.techniques]
    rows = list(counted(data).select_related("item__clip", "item__attempt"))
    whole = scoring.summarize_by(
        (r.item.clip.technique, (r.item.clip.truth == Truth.SYNTHETIC, r.answered_fake,
                                 scoring.scored_confidence(r.confidence))) for r in rows)
    for code, cell in zip(codes, grid.class_cells):
        assert cell.n == whole[code].n
        assert_close(cell.accuracy, whole[code].accuracy)
    for grid_row in grid.rows:
        mine = scoring.summarize_by(
            (r.item.clip.technique, (r.item.clip.truth == Truth.SYNTHETIC, r.answered_fake, 100))
            for r in rows if r.item.attempt.learner_id == grid_row.membership.student_id)
        for code, cell in zip(codes, grid_row.cells):
            assert cell.n == (mine[code].n if code in mine else 0)
            if code in mine:
                assert_close(cell.accuracy, mine[code].accuracy)


def test_overview_means_and_bias_quartiles_equal_scoring_over_students_with_enough_data(data):
    overview = analytics.class_overview(classroom=data.classroom, assignments=[data.assignment])
    summaries = summaries_by_learner(counted(data))
    enough = [s for s in summaries.values() if s.enough_data]
    assert_close(overview.mean_accuracy.value, statistics.fmean(s.accuracy for s in summaries.values()))
    assert_close(overview.mean_d_prime.value, statistics.fmean(s.d_prime for s in enough))
    criteria = sorted(s.criterion for s in enough)
    q1, median, q3 = statistics.quantiles(criteria, n=4, method="inclusive")
    assert overview.bias.n == len(enough)
    for got, want in zip(
        (overview.bias.minimum, overview.bias.q1, overview.bias.median, overview.bias.q3, overview.bias.maximum),
        (criteria[0], q1, median, q3, criteria[-1]),
    ):
        assert_close(got, want)
    assert overview.completion == 1.0


def test_previews_other_quizzes_removed_students_and_attempts_before_opening_are_left_out(data):
    before = analytics.learner_skills(
        analytics.class_responses(classroom=data.classroom, assignments=[data.assignment]))
    rng = random.Random(1)
    one = data.students[:1]
    answer_attempts(quiz=data.quiz, clips=data.clips, students=one, rng=rng, is_preview=True,
                    started_at=data.assignment.opens_at + timedelta(days=2))
    answer_attempts(quiz=data.quiz, clips=data.clips, students=one, rng=rng,
                    started_at=data.assignment.opens_at - timedelta(days=1))
    outsider = make_students(1, "outsider")
    answer_attempts(quiz=data.quiz, clips=data.clips, students=outsider, rng=rng,
                    started_at=data.assignment.opens_at + timedelta(days=1))
    Membership.objects.filter(student=data.students[1]).delete()
    after = analytics.learner_skills(
        analytics.class_responses(classroom=data.classroom, assignments=[data.assignment]))
    assert after[data.students[0].pk] == before[data.students[0].pk]
    assert data.students[1].pk not in after
    assert outsider[0].pk not in after


def test_a_class_sees_no_answer_given_before_the_student_joined_or_while_they_were_away(data):
    """Learner privacy: the leave page promises a class's teachers no longer see the student's work,
    and a newcomer's earlier practice at the same quiz is theirs. Counted by attempt start against
    the membership's joining time, on every dashboard (overview, grid, item analysis, pre/post, CSV)."""
    from classroom import services

    rng = random.Random(3)
    # A newcomer who practised the quiz inside the window, then joined.
    newcomer = make_students(1, "newcomer")[0]
    answer_attempts(quiz=data.quiz, clips=data.clips, students=[newcomer], rng=rng,
                    started_at=data.assignment.opens_at + timedelta(days=2))
    Membership.objects.create(classroom=data.classroom, student=newcomer)
    # A student who left, practised while away, and came back.
    leaver = data.students[0]
    services.membership_remove(membership=Membership.objects.get(classroom=data.classroom, student=leaver))
    answer_attempts(quiz=data.quiz, clips=data.clips, students=[leaver], rng=rng,
                    started_at=data.assignment.opens_at + timedelta(days=3))
    Membership.objects.create(classroom=data.classroom, student=leaver)
    seen = analytics.learner_skills(
        analytics.class_responses(classroom=data.classroom, assignments=[data.assignment]))
    assert newcomer.pk not in seen and leaver.pk not in seen
    scores = analytics.class_scores(classroom=data.classroom, assignments=[data.assignment])
    assert not scores.filter(attempt__learner__in=[newcomer, leaver]).exists()
    standings = analytics.class_standings(classroom=data.classroom, assignments=[data.assignment],
                                          now=data.assignment.opens_at + timedelta(days=4),
                                          learner_ids=[newcomer.pk, leaver.pk])
    assert not any(standings.skills.get(pk) and standings.skills[pk].n for pk in (newcomer.pk, leaver.pk))
    # Nor does the assignment show them as having started it.
    assert standings.codes[newcomer.pk] == standings.codes[leaver.pk] == [analytics._UNTOUCHED]
    report = analytics.item_analysis(classroom=data.classroom, assignments=[data.assignment], quiz=data.quiz)
    assert report.n_learners == len(data.students) - 1
    # The pre-test's answers of both (the class's assignment becomes the pre-test): not in the gain.
    pre, post = add_prepost(data)
    memberships = list(Membership.objects.filter(classroom=data.classroom, student__in=[newcomer, leaver]))
    gain = analytics.prepost(classroom=data.classroom, assignments=[pre, post], post=post, memberships=memberships)
    assert all(row.pre.n == 0 for row in gain.rows)
    # Nor the student page's work list: the assignment is not "started" by what was done before joining.
    work = analytics.work_table(assignments=[pre], learner_ids=[newcomer.pk], classroom=data.classroom)
    assert work.get(newcomer.pk, pre).started_at is None
    assert analytics.work_table(assignments=[pre], learner_ids=[newcomer.pk]).get(newcomer.pk, pre).started_at


def test_item_analysis_equals_scoring_item_statistics_and_alpha_on_first_attempts(data):
    # A second attempt by one student must not become a second row.
    answer_attempts(quiz=data.quiz, clips=data.clips, students=data.students[:1], rng=random.Random(5),
                    started_at=data.assignment.opens_at + timedelta(days=3))
    report = analytics.item_analysis(classroom=data.classroom, assignments=[data.assignment], quiz=data.quiz)
    first = {}
    for r in counted(data).select_related("item__clip", "item__attempt").order_by("item__attempt__started_at"):
        attempt = r.item.attempt
        first.setdefault(attempt.learner_id, attempt.pk)
    matrix_rows = {}
    for r in counted(data).select_related("item__clip", "item__attempt"):
        if first[r.item.attempt.learner_id] != r.item.attempt_id:
            continue
        ok = int((r.item.clip.truth == Truth.SYNTHETIC) == r.answered_fake)
        matrix_rows.setdefault(r.item.attempt.learner_id, {})[r.item.clip_id] = ok
    clip_ids = [c.pk for c in data.clips]
    matrix = [[row.get(c) for c in clip_ids] for _, row in sorted(matrix_rows.items())]
    expected = scoring.item_statistics(matrix)
    assert report.n_learners == len(data.students)
    assert [i.clip.pk for i in report.items] == clip_ids
    for item, want in zip(report.items, expected):
        assert item.stats.n == want.n
        assert_close(item.stats.facility, want.facility)
        assert_close(item.stats.discrimination, want.discrimination)
    assert_close(report.alpha, scoring.cronbach_alpha(matrix))
    assert [i.stats.facility for i in report.most_missed] == sorted(i.stats.facility for i in report.most_missed)


def test_pre_post_gain_and_bias_change_equal_scoring_per_student_and_for_the_class(data):
    pre, post = add_prepost(data, post_skill=lambda i: 0.9)
    memberships = list(Membership.objects.filter(classroom=data.classroom).select_related("student"))
    result = analytics.prepost(classroom=data.classroom, assignments=[pre, post], post=post,
                               memberships=memberships)
    windows = analytics.assignment_windows([pre, post])
    pre_rows = summaries_by_learner(counted(data).filter(item__attempt__started_at__lt=windows[pre.pk].end))
    post_rows = summaries_by_learner(counted(data).filter(item__attempt__started_at__gte=post.opens_at))
    for row in result.rows:
        a, b = pre_rows[row.membership.student_id], post_rows[row.membership.student_id]
        assert_close(row.gain, scoring.normalised_gain(a.accuracy * 100, b.accuracy * 100))
        assert_close(row.delta_d_prime, b.d_prime - a.d_prime)
        assert_close(row.delta_criterion, b.criterion - a.criterion)
    pre_mean = statistics.fmean(pre_rows[m.student_id].accuracy * 100 for m in memberships)
    post_mean = statistics.fmean(post_rows[m.student_id].accuracy * 100 for m in memberships)
    assert_close(result.class_gain, scoring.normalised_gain(pre_mean, post_mean))


def test_a_class_that_only_became_more_suspicious_shows_as_such(db):
    data = build_class(n_students=6, tag="sus", answers=False)
    pre_at = data.assignment.opens_at + timedelta(hours=1)
    # Before: a careful but trusting class. After: they call more of everything fake, no better at telling.
    reals = [c for c in data.clips if c.truth == Truth.REAL]
    fakes = [c for c in data.clips if c.truth == Truth.SYNTHETIC]
    order = reals + fakes

    def rule(pattern):
        def answer(position):
            return pattern[position]
        return answer

    # pre: reals R R R R F (1 FA), fakes F F R R R (2 hits)
    pre_pattern = [False, False, False, False, True, True, True, False, False, False]
    # post: reals R R F F F (3 FA), fakes F F F F R (4 hits): the same d', c moves to suspicion
    post_pattern = [False, False, True, True, True, True, True, True, True, False]
    from quiz.models import Attempt, AttemptItem
    from classroom.models import Assignment, AssignmentKind
    pre = data.assignment
    pre.kind = AssignmentKind.PRE
    pre.save()
    post = Assignment.objects.create(classroom=data.classroom, quiz=data.quiz, kind=AssignmentKind.POST, pre=pre,
                                     opens_at=pre.opens_at + timedelta(days=7))
    for started, pattern in ((pre_at, pre_pattern), (post.opens_at + timedelta(hours=1), post_pattern)):
        for student in data.students:
            attempt = Attempt.objects.create(quiz=data.quiz, learner=student, started_at=started,
                                             finished_at=started + timedelta(minutes=5))
            for position, clip in enumerate(order):
                item = AttemptItem.objects.create(attempt=attempt, clip=clip, position=position + 1)
                Response.objects.create(item=item, answered_fake=rule(pattern)(position), confidence=80, time_ms=1)
    result = analytics.prepost(classroom=data.classroom, assignments=[pre, post], post=post,
                               memberships=list(Membership.objects.filter(classroom=data.classroom)))
    assert result.mean_delta_criterion.value < -analytics.SHIFT
    assert abs(result.mean_delta_d_prime.value) < analytics.SHIFT
    assert result.reading.startswith("Only more suspicious")
    assert all(row.reading.startswith("Only more suspicious") for row in result.rows)


def test_pre_and_post_of_the_same_quiz_keep_their_attempts_apart(data):
    pre, post = add_prepost(data)
    windows = analytics.assignment_windows([pre, post])
    assert windows[pre.pk].end == post.opens_at
    table = analytics.work_table(assignments=[pre, post], learner_ids=[s.pk for s in data.students])
    for student in data.students:
        assert table.get(student.pk, pre).started_at < post.opens_at
        assert table.get(student.pk, post).started_at >= post.opens_at
