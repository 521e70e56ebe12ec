"""Migrations that change data: run against the historical models, as on a database in use
(``migrate_to``, in tests/conftest.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

BEFORE = [("quiz", "0003_attemptscore_backfill")]
AFTER = [("quiz", "0005_one_open_attempt")]


@pytest.mark.django_db(transaction=True)
def test_duplicate_open_attempts_are_closed_before_one_open_attempt_is_enforced(migrate_to):
    apps = migrate_to(BEFORE)
    User = apps.get_model("accounts", "User")
    Quiz = apps.get_model("quiz", "Quiz")
    Clip = apps.get_model("clips", "Clip")
    Attempt = apps.get_model("quiz", "Attempt")
    AttemptItem = apps.get_model("quiz", "AttemptItem")
    Response = apps.get_model("quiz", "Response")
    learner = User.objects.create(email="double@example.com", password="!")
    quiz = Quiz.objects.create(title="Q", mode="practice", selection="fixed")
    clip = Clip.objects.create(title="C", alt_text="A scene.", truth="real", media_type="image", status="ready")
    now = timezone.now()
    # A double click on "Start": three open attempts; the middle one has an answer.
    oldest = Attempt.objects.create(quiz=quiz, learner=learner, mode="practice", started_at=now - timedelta(minutes=3))
    answered = Attempt.objects.create(quiz=quiz, learner=learner, mode="practice",
                                      started_at=now - timedelta(minutes=2))
    newest = Attempt.objects.create(quiz=quiz, learner=learner, mode="practice", started_at=now - timedelta(minutes=1))
    item = AttemptItem.objects.create(attempt=answered, clip=clip, position=1, token="t-answered")
    Response.objects.create(item=item, answered_fake=False, confidence=60, time_ms=1000)
    # Guests' and other learners' open attempts are separate and stay open.
    guest = Attempt.objects.create(quiz=quiz, guest_key="browser", mode="practice", started_at=now)

    apps = migrate_to(AFTER)
    Attempt = apps.get_model("quiz", "Attempt")
    Response = apps.get_model("quiz", "Response")
    assert not Attempt.objects.filter(pk=oldest.pk).exists()  # empty: nothing lost by removing it
    kept = Attempt.objects.get(pk=answered.pk)
    assert kept.finished_at is not None and Response.objects.filter(item__attempt_id=kept.pk).count() == 1
    assert Attempt.objects.get(pk=newest.pk).finished_at is None
    assert Attempt.objects.get(pk=guest.pk).finished_at is None

