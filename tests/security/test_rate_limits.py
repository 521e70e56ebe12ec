"""Rate limits on answering and joining: generous for people, slow for scripts; a refusal stores nothing."""

import pytest
from django.urls import reverse

from classroom.models import Membership
from quiz import services as quiz_services
from quiz.models import Attempt, Mode, Response, Selection
from tests.factories import ClipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_ratelimits")]


def _quiz(**fields):
    quiz = quiz_services.quiz_create(owner=None, title="Try it", mode=Mode.PRACTICE, selection=Selection.FIXED,
                                     is_public=True, **fields)
    quiz_services.quiz_set_clips(quiz=quiz, add=[ClipFactory().pk, ClipFactory(fake=True).pk], remove=[])
    return quiz


def _flood(client, url, n, data=None):
    return [client.post(url, data or {}).status_code for _ in range(n)]


@pytest.mark.parametrize("as_guest", [False, True], ids=["student", "guest"])
def test_answering_is_limited_to_120_a_minute_and_the_refused_answer_is_not_stored(client, as_guest):
    quiz = _quiz()
    if not as_guest:
        client.force_login(UserFactory())
    client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempt = Attempt.objects.get()
    url = reverse("quiz:response_submit", args=[attempt.public_id])
    # Unreadable answers (no token) still count: that is what a script hammering the endpoint sends.
    statuses = _flood(client, url, 120)
    assert 429 not in statuses
    token = quiz_services.attempt_progress(attempt=attempt).item.token
    response = client.post(url, {"token": token, "answer": "fake", "confidence": 80})
    assert response.status_code == 429
    assert "Please wait a minute" in response.content.decode() and response["Retry-After"] == "60"
    assert not Response.objects.exists()


def test_guests_are_counted_one_by_one_not_by_their_shared_address(client):
    """A class of guests behind one school address must not share one budget."""
    from django.test import Client

    quiz = _quiz()
    first, second = Client(), Client()
    for guest in (first, second):
        guest.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempts = list(Attempt.objects.order_by("pk"))
    assert len(attempts) == 2
    _flood(first, reverse("quiz:response_submit", args=[attempts[0].public_id]), 121)
    token = quiz_services.attempt_progress(attempt=attempts[1]).item.token
    response = second.post(reverse("quiz:response_submit", args=[attempts[1].public_id]),
                           {"token": token, "answer": "real", "confidence": 60})
    assert response.status_code == 302 and Response.objects.count() == 1


def test_guessing_join_codes_is_slow_and_a_refused_join_stores_nothing(client):
    from classroom import services

    teacher = UserFactory(teacher=True)
    classroom = services.classroom_create(owner=teacher, name="Year 8")
    student = UserFactory()
    client.force_login(student)
    url = reverse("classroom:join")
    statuses = _flood(client, url, 20, {"code": "ABCDEFG" if classroom.join_code != "ABCDEFG" else "ABCDEFH"})
    assert statuses == [422] * 20
    response = client.post(url, {"code": classroom.join_code})
    assert response.status_code == 429 and "Please wait a minute" in response.content.decode()
    assert not Membership.objects.exists()
    # Join links share the budget, so switching from codes to links does not help.
    response = client.post(reverse("classroom:join_link", args=[classroom.join_token]))
    assert response.status_code == 429 and not Membership.objects.exists()
    # Reading the join page is not limited.
    assert client.get(url).status_code == 200


def test_another_student_can_still_join_while_one_is_limited(client):
    from django.test import Client

    from classroom import services

    classroom = services.classroom_create(owner=UserFactory(teacher=True), name="Year 8")
    client.force_login(UserFactory())
    _flood(client, reverse("classroom:join"), 21, {"code": "ZZZZZZZ"})
    other = Client()
    other.force_login(UserFactory())
    assert other.post(reverse("classroom:join"), {"code": classroom.join_code}).status_code == 302
    assert Membership.objects.count() == 1


def test_guests_starting_quizzes_are_limited_by_address_and_a_refused_start_makes_nothing(client):
    """A script that drops its cookie gets a new guest (session and key) with every start: counted by
    address, a class of thirty behind one school address still fits in a minute."""
    quiz = _quiz()
    url = reverse("quiz:quiz_start", args=[quiz.public_id])
    statuses = []
    for _ in range(61):
        client.cookies.clear()
        statuses.append(client.post(url).status_code)
    assert statuses[:60] == [302] * 60 and statuses[60] == 429
    assert Attempt.objects.count() == 60


def test_behind_a_load_balancer_guests_are_counted_by_their_own_address(client, settings):
    """Every request reaches the app from the balancer's address: counted by that, one busy public
    quiz would lock every guest out. The client's address, as the declared proxies forwarded it,
    is what counts; an X-Forwarded-For the client wrote itself is not trusted."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    quiz = _quiz()
    url = reverse("quiz:quiz_start", args=[quiz.public_id])

    def start(forwarded):
        client.cookies.clear()
        return client.post(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [start(f"198.51.100.{i}") for i in range(70)] == [302] * 70  # seventy pupils, seventy addresses
    # One client writing a new address of its own each time: the balancer's entry is the one that counts.
    statuses = [start(f"203.0.113.{i}, 192.0.2.7") for i in range(61)]
    assert statuses[:60] == [302] * 60 and statuses[60] == 429
    # With no proxy declared the header is ignored: counted by the connection's address.
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert 429 not in [start("192.0.2.99") for _ in range(60)] and start("192.0.2.100") == 429


def test_a_session_whose_log_in_no_longer_holds_is_counted_as_its_guest_not_as_the_account(client):
    """The answer limit counts by the account a session names without loading it; a session
    Django reads as logged out (its backend is no longer configured) is not that account."""
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.test import Client

    student = UserFactory()
    own = Client()
    own.force_login(student)
    own_attempt = quiz_services.attempt_start(quiz=_quiz(), learner=student)
    assert 429 not in _flood(own, reverse("quiz:response_submit", args=[own_attempt.public_id]), 120)
    client.force_login(student)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    session.save()
    client.post(reverse("quiz:quiz_start", args=[_quiz().public_id]))
    guest_attempt = Attempt.objects.get(learner=None)
    token = quiz_services.attempt_progress(attempt=guest_attempt).item.token
    response = client.post(reverse("quiz:response_submit", args=[guest_attempt.public_id]),
                           {"token": token, "answer": "fake", "confidence": 80})
    assert response.status_code == 302 and Response.objects.filter(item__attempt=guest_attempt).count() == 1
