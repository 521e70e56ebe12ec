"""Helpers for the quiz tests: quizzes built from factory clips, answering through the client."""

import pytest
from django.urls import reverse

from quiz import services
from quiz.models import Mode, Selection
from tests.factories import ClipFactory


def make_clips(n_real: int, n_fake: int, **kwargs):
    return [ClipFactory(**kwargs) for _ in range(n_real)] + [ClipFactory(fake=True, **kwargs) for _ in range(n_fake)]


def make_quiz(*, owner=None, clips=(), **fields):
    fields.setdefault("title", "Spot the edit")
    fields.setdefault("mode", Mode.PRACTICE)
    fields.setdefault("selection", Selection.FIXED)
    fields.setdefault("is_published", True)
    quiz = services.quiz_create(owner=owner, **fields)
    if clips:
        services.quiz_set_clips(quiz=quiz, add=[c.pk for c in clips], remove=[])
    return quiz


def take_url(attempt):
    return reverse("quiz:attempt_take", args=[attempt.public_id])


def answer_url(attempt):
    return reverse("quiz:response_submit", args=[attempt.public_id])


def current_token(attempt):
    progress = services.attempt_progress(attempt=attempt)
    return progress.item.token if progress.item else None


def answer(client, attempt, *, fake=True, confidence=80, token=None, htmx=False, **extra):
    token = token or current_token(attempt)
    data = {"token": token, "answer": "fake" if fake else "real", "confidence": confidence, **extra}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(answer_url(attempt), data, headers=headers)


@pytest.fixture
def practice_quiz(db, teacher):
    return make_quiz(owner=teacher, clips=make_clips(3, 2))
