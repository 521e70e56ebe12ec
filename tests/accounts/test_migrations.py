"""The address migration, run against the historical model as on a database in use (``migrate_to``)."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_addresses_made_with_capitals_are_stored_in_lower_case_unless_that_makes_two_the_same(migrate_to):
    apps = migrate_to([("accounts", "0001_initial")])
    User = apps.get_model("accounts", "User")
    tess = User.objects.create(email="Tess.Teacher@School.org", password="!")
    twin = User.objects.create(email="Sam@Example.com", password="!")
    sam = User.objects.create(email="sam@example.com", password="!")
    apps = migrate_to([("accounts", "0002_lowercase_emails")])
    User = apps.get_model("accounts", "User")
    assert User.objects.get(pk=tess.pk).email == "tess.teacher@school.org"
    # Lower-cased, it would be sam's: left for an admin to merge, never a unique-key failure.
    assert User.objects.get(pk=twin.pk).email == "Sam@Example.com"
    assert User.objects.get(pk=sam.pk).email == "sam@example.com"


@pytest.mark.django_db(transaction=True)
def test_sessions_logged_in_before_the_new_backend_stay_logged_in(migrate_to, client):
    """A session names the backend that logged it in; Django's path, no longer configured, is
    rewritten to ours, so nobody is logged out by the upgrade (nor loses a guest attempt to it)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    migrate_to([("accounts", "0002_lowercase_emails")])
    user = User.objects.create_user(email="sam@example.com", password="a-long-password-2026")
    old = SessionStore()
    old.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend", "quiz_guest_key": "g"})
    old.create()
    other = SessionStore()
    other.update({"quiz_guest_key": "h"})
    other.create()
    migrate_to([("accounts", "0003_sessions_name_accounts_backend")])
    assert SessionStore(old.session_key).load() == {
        SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
        BACKEND_SESSION_KEY: "accounts.backends.ModelBackend", "quiz_guest_key": "g"}
    assert SessionStore(other.session_key).load() == {"quiz_guest_key": "h"}
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key
    assert client.get("/home/").status_code == 200  # still logged in
    migrate_to([("accounts", "0002_lowercase_emails")])
    assert SessionStore(old.session_key).load()[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
