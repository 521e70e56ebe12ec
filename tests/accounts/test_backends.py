"""accounts.backends: Django's ModelBackend, taking a user row a view already read."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.test import RequestFactory

from accounts.backends import ModelBackend, session_user_id, user_preloaded
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_preloaded_user_is_returned_without_a_query_and_only_for_its_own_id(django_assert_num_queries):
    user, other = UserFactory(), UserFactory()
    backend = ModelBackend()
    with user_preloaded(user):
        with django_assert_num_queries(0):
            assert backend.get_user(user.pk) is user
        with django_assert_num_queries(1):
            assert backend.get_user(other.pk) == other
    with django_assert_num_queries(1):
        assert backend.get_user(user.pk) is not user  # outside the block: read again


def test_a_preloaded_inactive_user_is_refused_as_a_read_one_is():
    user = UserFactory(is_active=False)
    backend = ModelBackend()
    with user_preloaded(user):
        assert backend.get_user(user.pk) is None
    assert backend.get_user(user.pk) is None


def test_session_user_id_reads_the_session_only(django_assert_num_queries):
    ours = "accounts.backends.ModelBackend"
    request = RequestFactory().get("/")
    request.session = {SESSION_KEY: "42", BACKEND_SESSION_KEY: ours}
    with django_assert_num_queries(0):
        assert session_user_id(request) == 42
    request.session = {}
    assert session_user_id(request) is None
    request.session = {SESSION_KEY: "not a number", BACKEND_SESSION_KEY: ours}
    assert session_user_id(request) is None
    # Logged in by a backend no longer configured: Django reads it as logged out, and so does this.
    request.session = {SESSION_KEY: "42", BACKEND_SESSION_KEY: "django.contrib.auth.backends.RemoteUserBackend"}
    assert session_user_id(request) is None
