"""Results: measures with counts, calibration chart and table, breakdowns, review, history;
assessments keep answers hidden until the reveal date."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from quiz import reports, scoring, services, tells
from quiz.models import Attempt, GridCell, Mode, Quiz

from tests.factories import ClipFactory

from .conftest import answer, make_clips, make_quiz, take_url

pytestmark = pytest.mark.django_db


def _finish(client, attempt, answers):
    for fake, confidence in answers:
        client.get(take_url(attempt))
        answer(client, attempt, fake=fake, confidence=confidence)


def test_results_show_measures_with_counts_charts_breakdowns_and_review(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(4, 4))
    attempt = services.attempt_start(quiz=quiz, learner=student)
    _finish(student_client, attempt, [(True, 90), (False, 60), (True, 70), (False, 100)] * 2)
    response = student_client.get(reverse("quiz:attempt_results", args=[attempt.public_id]))
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    for label in ("Accuracy", "Sensitivity", "Bias (c)", "AUC", "Brier score"):
        assert label in html
    assert "<svg" in html and "<rect" in html and "Confidence bands" in html
    assert "By technique" in html and "Copy-move" in html and "By media type" in html
    assert html.count('class="review-item"') == 8
    assert " style=" not in html
    assert "You answered 8 of 8 items" in html


def test_too_few_answers_say_not_enough_data(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1))
    attempt = services.attempt_start(quiz=quiz, learner=student)
    _finish(student_client, attempt, [(True, 80), (False, 80)])
    html = student_client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).content.decode()
    measures, breakdowns = html.split('id="breakdown-heading"')
    # The five measures that need more answers, and the calibration row of the 80-89 % band (2 answers).
    assert measures.count("not enough data") == 6
    assert "<th scope=\"row\">80-89 %</th><td>2</td><td>not enough data</td>" in measures
    assert 'class="bar-missing"' in measures and '<rect class="bar"' not in measures
    # One answer per technique is not a percentage to show either.
    breakdowns = breakdowns.split("</section>")[0]
    assert breakdowns.count("not enough data") == 3 and "%" not in breakdowns


def test_assessment_results_wait_for_the_reveal_date(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), mode=Mode.ASSESSMENT,
                     reveal_after=timezone.now() + timedelta(days=1))
    attempt = services.attempt_start(quiz=quiz, learner=student)
    _finish(student_client, attempt, [(True, 80), (False, 80)])
    url = reverse("quiz:attempt_results", args=[attempt.public_id])
    html = student_client.get(url).content.decode().split("<footer")[0]
    assert "Your answers are saved" in html and "badge-synthetic" not in html and "Accuracy" not in html
    assert student_client.get(reverse("quiz:attempt_history")).content.decode().count(quiz.title) == 0
    Quiz.objects.filter(pk=quiz.pk).update(reveal_after=timezone.now() - timedelta(minutes=1))
    assert "badge-synthetic" in student_client.get(url).content.decode().split("<footer")[0]


def test_history_chart_and_table_exclude_previews(client, student, teacher):
    """The teacher both takes the quiz and previews it: only the real attempts are history."""
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 3), title="History quiz")
    client.force_login(teacher)
    for _ in range(2):
        attempt = services.attempt_start(quiz=quiz, learner=teacher)
        _finish(client, attempt, [(True, 80)] * 5)  # all "fake": 3 of 5 right
    preview = services.attempt_start(quiz=quiz, learner=teacher, is_preview=True)
    for _ in range(5):  # the preview is all right: 100 %, a score the real attempts never reach
        client.get(take_url(preview))
        answer(client, preview, fake=services.attempt_progress(attempt=preview).item.clip.is_synthetic)
    html = client.get(reverse("quiz:attempt_history")).content.decode()
    assert html.count("<h1") == 1 and "<svg" in html
    assert html.count(">History quiz<") == 2 and html.count("60 %") == 2 and "100 %" not in html
    assert html.count('<rect class="bar"') == 2


def test_history_shows_not_enough_data_for_a_quiz_of_a_few_answers(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), title="Short quiz")
    attempt = services.attempt_start(quiz=quiz, learner=student)
    _finish(student_client, attempt, [(True, 80), (True, 80)])
    html = student_client.get(reverse("quiz:attempt_history")).content.decode()
    assert "<td>2</td><td>not enough data</td>" in html and "50 %" not in html
    # Drawn as a dashed outline, not as an empty (0 %) or half-height bar.
    assert 'class="bar-missing"' in html and '<rect class="bar"' not in html


def test_spot_the_tell_counts_only_fakes_caught_and_pointed_at(student_client, teacher, student):
    """A real clip has no manipulation to find, even one that carries regions (a truth corrected
    after it was answered): pointing inside them is not "finding the tell" of a fake."""
    box = [{"x": 0.1, "y": 0.1, "w": 0.5, "h": 0.5}]
    clips = [ClipFactory(regions=box), ClipFactory(fake=True, regions=box)]
    quiz = make_quiz(owner=teacher, clips=clips)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    for _ in clips:
        student_client.get(take_url(attempt))
        answer(student_client, attempt, fake=True, point_x="0.3", point_y="0.3")
    report = reports.attempt_report(attempt=attempt)
    assert (report.fake_calls_pointed, report.tells_found) == (1, 1)
    html = student_client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).content.decode()
    assert "you pointed at the actual tell in 1 of 1 fake call where you pointed" in html


def test_unasked_confidence_is_scored_as_certain():
    assert scoring.scored_confidence(None) == scoring.UNASKED_CONFIDENCE == 100
    assert scoring.scored_confidence(70) == 70
    by = scoring.summarize_by([("a", (True, True, 100)), ("b", (False, True, 50)), ("a", (False, False, 90))])
    assert list(by) == ["a", "b"] and by["a"].n == 2 and by["a"].accuracy == 1.0


@pytest.mark.parametrize("point,cell,expected", [
    ((0.45, 0.45), "", True),          # inside
    ((0.33, 0.45), "", True),          # just outside, within tolerance
    ((0.1, 0.1), "", False),
    (None, "1,1", True),               # centre cell overlaps
    (None, "0,0", False),
    (None, "", None),                  # did not point
])
def test_tell_found_by_point_with_tolerance_or_by_overlapping_grid_cell(point, cell, expected):
    regions = [{"x": 0.35, "y": 0.35, "w": 0.2, "h": 0.2}]
    assert tells.tell_found(regions=regions, point=point, cell=cell) is expected


@pytest.mark.parametrize("region, cells", [
    # Typed to four decimals (the centre cell, 0.3333..0.6667), it grazes its neighbours by a few
    # hundred-thousandths: that is not the learner pointing at the tell.
    ({"x": 0.3333, "y": 0.3333, "w": 0.3334, "h": 0.3334}, ["1,1"]),
    # Across a cell boundary, it counts in both cells it really covers.
    ({"x": 0.25, "y": 0.4, "w": 0.2, "h": 0.1}, ["1,0", "1,1"]),
    # Smaller than the overlap a cell needs: found in the cell that holds it.
    ({"x": 0.45, "y": 0.45, "w": 0.015, "h": 0.015}, ["1,1"]),
    # Three hundredths wide across the boundary of two cells: found in both halves.
    ({"x": 1 / 3 - 0.015, "y": 0.45, "w": 0.03, "h": 0.03}, ["1,0", "1,1"]),
], ids=["four-decimals", "across", "tiny", "tiny-straddling"])
def test_a_grid_cell_counts_only_where_a_region_covers_a_real_part_of_it(region, cells):
    assert [c for c in GridCell.values if tells.tell_found(regions=[region], point=None, cell=c)] == cells


def test_tell_found_is_none_without_box_regions():
    assert tells.tell_found(regions=[{"start": 1, "end": 2}], point=(0.5, 0.5)) is None


def test_history_shows_the_last_revealed_attempts_even_behind_unrevealed_ones(student_client, teacher, student):
    """Newer assessments still hidden neither show nor push revealed attempts out of the last 30."""
    practice = make_quiz(owner=teacher, clips=make_clips(1, 0), title="Practice run")
    for _ in range(reports.HISTORY_LIMIT):
        _finish(student_client, services.attempt_start(quiz=practice, learner=student), [(False, 80)])
    hidden = make_quiz(owner=teacher, clips=make_clips(1, 0), title="Hidden test", mode=Mode.ASSESSMENT,
                       reveal_after=timezone.now() + timedelta(days=7))
    for _ in range(3):
        _finish(student_client, services.attempt_start(quiz=hidden, learner=student), [(True, 80)])
    points = reports.learner_history(user=student)
    assert len(points) == reports.HISTORY_LIMIT
    assert {p.attempt.quiz.title for p in points} == {"Practice run"}
    html = student_client.get(reverse("quiz:attempt_history")).content.decode()
    assert "Hidden test" not in html and html.count(">Practice run<") == reports.HISTORY_LIMIT


@pytest.mark.parametrize("mode,finished,reveal_after_days", [
    (Mode.PRACTICE, False, None), (Mode.PRACTICE, True, 3), (Mode.ASSESSMENT, False, None),
    (Mode.ASSESSMENT, True, None), (Mode.ASSESSMENT, True, 3), (Mode.ASSESSMENT, True, -3),
])
def test_revealable_filter_agrees_with_can_reveal(student, teacher, mode, finished, reveal_after_days):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 0), mode=mode)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    now = timezone.now()
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=now if finished else None)
    Quiz.objects.filter(pk=quiz.pk).update(
        reveal_after=now + timedelta(days=reveal_after_days) if reveal_after_days is not None else None)
    attempt = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    assert Attempt.objects.revealable(now).filter(pk=attempt.pk).exists() == attempt.can_reveal(now)


def test_a_reveal_date_the_teacher_moves_applies_to_attempts_already_finished(student_client, teacher, student):
    """Postponed, answers must not reach classmates who have not sat the test yet through those who
    finished early; brought forward or cleared, the early finishers see their results at once."""
    soon = timezone.now() + timedelta(minutes=5)
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), mode=Mode.ASSESSMENT, reveal_after=soon)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    _finish(student_client, attempt, [(True, 80), (False, 80)])
    url = reverse("quiz:attempt_results", args=[attempt.public_id])
    later = timezone.now() + timedelta(days=7)
    Quiz.objects.filter(pk=quiz.pk).update(reveal_after=later)
    html = student_client.get(url).content.decode().split("<footer")[0]

    def shown(moment):  # as the results page writes the reveal date
        return date_format(timezone.localtime(moment), "j F Y, H:i")

    assert "badge-synthetic" not in html and shown(later) in html and shown(soon) not in html
    assert not Attempt.objects.revealable(soon + timedelta(minutes=1)).filter(pk=attempt.pk).exists()
    Quiz.objects.filter(pk=quiz.pk).update(reveal_after=None)
    assert "badge-synthetic" in student_client.get(url).content.decode().split("<footer")[0]
    assert Attempt.objects.revealable().filter(pk=attempt.pk).exists()


def test_a_clip_relabelled_real_shows_no_tell_verdict_from_before(student_client, teacher, student):
    """The verdict stored when the clip was a fake is not the reveal's to repeat once it is real."""
    from clips.models import Clip

    fake = ClipFactory(fake=True, regions=[{"x": 0.1, "y": 0.1, "w": 0.5, "h": 0.5}])
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=[fake]), learner=student)
    _finish(student_client, attempt, [(True, 80)])
    Clip.objects.filter(pk=fake.pk).update(truth="real", technique="authentic")
    services.clip_scores_rebuild(clip=Clip.objects.get(pk=fake.pk))
    html = student_client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).content.decode()
    assert "real tell" not in html and "Not this time." in html


@pytest.mark.parametrize("before, edit, said", [
    # A real clip relabelled fake, with its tell marked where the learner had pointed.
    ({"truth": "real", "technique": "authentic", "regions": []},
     {"truth": "synthetic", "technique": "splice", "digital_source_type": "compositeCapture",
      "explanation": "A pasted object.", "regions_json": '[{"x": 0.0, "y": 0.0, "w": 0.5, "h": 0.5}]'},
     "You pointed at a real tell."),
    # A fake whose tell is marked again, away from where the learner pointed.
    ({"truth": "synthetic", "technique": "splice", "regions": [{"x": 0.0, "y": 0.0, "w": 0.5, "h": 0.5}]},
     {"regions_json": '[{"x": 0.6, "y": 0.6, "w": 0.3, "h": 0.3}]'},
     "You pointed somewhere else than the tell."),
], ids=["relabelled-fake", "tell-moved"])
def test_editing_a_clips_label_or_tells_judges_past_pointing_again(student_client, teacher, student,
                                                                    django_capture_on_commit_callbacks,
                                                                    before, edit, said):
    """Through the teacher's edit page: the reveal says what the pointing found against the clip as it is now."""
    from django.test import Client

    from quiz.models import Response
    from tests.clips.test_library import edit_data

    clip = ClipFactory(owner=teacher, fake=before["truth"] == "synthetic", **before)
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=[clip]), learner=student)
    student_client.get(take_url(attempt))
    answer(student_client, attempt, fake=True, confidence=80, point_x="0.2", point_y="0.2")
    client = Client()
    client.force_login(teacher)
    regions_json = edit.pop("regions_json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("clips:edit", args=[clip.public_id]),
                               edit_data(clip, **edit, regions_json=regions_json))
    assert response.status_code == 302
    assert Response.objects.get().found_tell is (said == "You pointed at a real tell.")
    html = student_client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).content.decode()
    assert said in html
