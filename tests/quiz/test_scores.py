"""Running scores (``AttemptScore``): kept with each stored answer (never twice for one item:
see test_responses' concurrent submits), equal to ``scoring.summarize`` on the same
responses, and rebuilt after a clip is relabelled."""

import math

import pytest
from django.db.models import Sum

from clips.models import Technique, Truth
from quiz import scoring, services
from quiz.models import AttemptScore, Response

from .conftest import answer, current_token, make_clips, make_quiz, take_url


def totals(attempt) -> dict:
    return AttemptScore.objects.filter(attempt=attempt).aggregate(
        n=Sum("n"), n_fake=Sum("n_fake"), hits=Sum("hits"), false_alarms=Sum("false_alarms"), brier_e4=Sum("brier_e4"))


def rows(attempt) -> dict:
    return {row.pop("technique"): row for row in AttemptScore.objects.filter(attempt=attempt, n__gt=0).values(
        "technique", "n", "n_fake", "hits", "false_alarms", "brier_e4")}


def summary(attempt) -> scoring.Summary:
    return scoring.summarize(
        (r.item.clip.truth == Truth.SYNTHETIC, r.answered_fake, scoring.scored_confidence(r.confidence))
        for r in Response.objects.filter(item__attempt=attempt).select_related("item__clip"))


@pytest.fixture
def attempt(student, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(3, 3))
    return services.attempt_start(quiz=quiz, learner=student)


@pytest.mark.django_db
def test_score_after_answers_through_the_page_equals_scoring_summarize(student_client, attempt):
    student_client.get(take_url(attempt))
    for i, confidence in enumerate([50, 60, 70, 80, 90, 100]):
        response = answer(student_client, attempt, fake=i % 2 == 0, confidence=confidence, htmx=True)
        assert response.status_code == 200
    got, want = totals(attempt), summary(attempt)
    assert (got["n"], got["n_fake"], got["hits"], got["false_alarms"]) == (
        want.n, want.n_fake, want.hits, want.false_alarms)
    assert math.isclose(got["brier_e4"] / 10_000 / got["n"], want.brier, abs_tol=1e-12)


@pytest.mark.django_db
def test_second_submit_of_same_item_does_not_count_twice_in_the_score(student_client, attempt):
    student_client.get(take_url(attempt))
    token = current_token(attempt)
    assert answer(student_client, attempt, token=token, fake=True, confidence=90, htmx=True).status_code == 200
    assert answer(student_client, attempt, token=token, fake=False, confidence=50, htmx=True).status_code == 409
    assert totals(attempt)["n"] == 1


@pytest.mark.django_db
def test_refused_answers_do_not_count(attempt):
    later = services.attempt_progress(attempt=attempt).item
    states = list(attempt.items.order_by("position").values_list("token", flat=True))
    with pytest.raises(services.Refused):
        services.response_record(attempt=attempt, token=states[1], answered_fake=True, confidence=70)
    with pytest.raises(services.Refused):
        services.response_record(attempt=attempt, token=later.token, answered_fake=True, confidence=None)
    assert totals(attempt)["n"] == 0


@pytest.mark.django_db
def test_rebuild_gives_the_rows_the_answers_kept(attempt):
    for i in range(6):
        services.response_record(attempt=attempt, token=current_token(attempt), answered_fake=i % 3 == 0,
                                 confidence=50 + 10 * i if i != 5 else 100)
    kept = rows(attempt)
    AttemptScore.objects.filter(attempt=attempt).delete()
    services.attempt_scores_rebuild(attempts=[attempt.pk])
    assert rows(attempt) == kept


@pytest.mark.django_db
def test_an_attempt_without_score_rows_gets_them_on_its_first_answer(attempt):
    AttemptScore.objects.filter(attempt=attempt).delete()  # as for attempts started before the rows existed
    services.response_record(attempt=attempt, token=current_token(attempt), answered_fake=True, confidence=80)
    services.response_record(attempt=attempt, token=current_token(attempt), answered_fake=False, confidence=60)
    assert totals(attempt)["n"] == 2 == summary(attempt).n


@pytest.mark.django_db
def test_relabelling_a_clip_rescores_the_attempts_that_showed_it(attempt):
    for _ in range(6):
        services.response_record(attempt=attempt, token=current_token(attempt), answered_fake=True, confidence=90)
    clip = attempt.items.filter(clip__truth=Truth.REAL).first().clip
    clip.truth, clip.technique = Truth.SYNTHETIC, Technique.FACE_SWAP
    clip.save()
    services.clip_scores_rebuild(clip=clip)
    got, want = totals(attempt), summary(attempt)
    assert (got["n_fake"], got["hits"], got["false_alarms"]) == (want.n_fake, want.hits, want.false_alarms)
    assert rows(attempt)[Technique.FACE_SWAP]["n"] >= 1


@pytest.mark.django_db
def test_answering_an_item_takes_a_bounded_number_of_queries(student_client, attempt, django_assert_max_num_queries):
    student_client.get(take_url(attempt))
    answer(student_client, attempt, fake=True, confidence=80, htmx=True)
    token = current_token(attempt)
    # session, the item with its attempt, clip, learner and item states, then the insert and
    # the score update in one transaction (savepoints for the test's own transaction).
    with django_assert_max_num_queries(7):
        response = answer(student_client, attempt, token=token, fake=True, confidence=80, htmx=True)
    assert response.status_code == 200


def test_relabelling_a_clip_in_the_library_rescores_past_answers(attempt, client, django_capture_on_commit_callbacks):
    """Through the teacher's edit page, not the service: the clips app tells quiz after commit."""
    from django.urls import reverse

    from tests.factories import UserFactory

    for _ in range(6):
        services.response_record(attempt=attempt, token=current_token(attempt), answered_fake=True, confidence=90)
    clip = attempt.items.filter(clip__truth=Truth.REAL).first().clip
    owner = UserFactory(teacher=True)
    clip.owner = owner
    clip.save()
    client.force_login(owner)
    data = {"title": clip.title, "alt_text": clip.alt_text, "truth": "synthetic", "technique": "splice",
            "explanation": "A pasted object.", "difficulty": "2", "source": "x", "licence": "CC0-1.0",
            "digital_source_type": "compositeCapture", "visibility": "private", "regions_json": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("clips:edit", args=[clip.public_id]), data)
    assert response.status_code == 302
    got, want = totals(attempt), summary(attempt)
    assert (got["n_fake"], got["hits"], got["false_alarms"]) == (want.n_fake, want.hits, want.false_alarms)


def test_relabelling_a_clip_in_the_django_admin_rescores_past_answers(attempt, admin_client,
                                                                    django_capture_on_commit_callbacks):
    """The admin is a third way to change a clip; its change page goes through the same service."""
    from django.urls import reverse

    from tests.factories import admin_change_data

    for _ in range(6):
        services.response_record(attempt=attempt, token=current_token(attempt), answered_fake=True, confidence=90)
    clip = attempt.items.filter(clip__truth=Truth.REAL).first().clip
    data = admin_change_data(clip, truth=Truth.SYNTHETIC, technique=Technique.SPLICE)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    clip.refresh_from_db()
    assert clip.truth == Truth.SYNTHETIC
    got, want = totals(attempt), summary(attempt)
    assert (got["n_fake"], got["hits"], got["false_alarms"]) == (want.n_fake, want.hits, want.false_alarms)


def test_an_attempts_items_are_read_only_in_the_admin(rf):
    from django.contrib import admin

    from quiz.admin import AttemptItemInline
    from quiz.models import Attempt as AttemptModel

    inline = AttemptItemInline(AttemptModel, admin.site)
    request = rf.get("/admin/")
    assert not inline.can_delete and not inline.has_add_permission(request)
    assert {"clip", "position"} <= set(inline.get_readonly_fields(request))
