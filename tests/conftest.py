"""Fixtures shared by the whole suite."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from accounts.services import user_make_teacher
from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    """Tests need no collectstatic run; media goes to a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
        "private": {"BACKEND": "clips.storage.PrivateFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs about a second per user on this machine; tests need many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery_and_clean_cache():
    """Unit tests run tasks in-process; tests/integration starts real workers."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return "a-long-Unusual-passphrase-42"


@pytest.fixture
def student(db, password):
    return User.objects.create_user(email="sam.student@example.com", password=password, display_name="Sam")


@pytest.fixture
def teacher(db, password):
    user = User.objects.create_user(email="tess.teacher@example.com", password=password, display_name="Tess")
    return user_make_teacher(user=user)


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def isolated_ratelimits(settings, monkeypatch):
    """Rate-limit counters in this process's own cache, in one fixed window.

    django-ratelimit counts in fixed windows, so a burst that straddles a minute
    boundary would start counting again; and a parallel run sharing the Redis test
    database clears the cache between its tests. Neither may make these tests flaky.
    """
    import time

    from django_ratelimit import core

    settings.CACHES = {**settings.CACHES, "ratelimit-tests": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-tests"}}
    settings.RATELIMIT_USE_CACHE = "ratelimit-tests"
    start = int(time.time())
    monkeypatch.setattr(core, "_get_window", lambda value, period: start + period)
    from django.core.cache import caches

    caches["ratelimit-tests"].clear()
    yield
    caches["ratelimit-tests"].clear()


@pytest.fixture
def migrate_to():
    """``migrate_to(targets)`` migrates the test database there and returns the historical
    apps at that state; afterwards the database goes back to the latest migration for the
    tests that follow, even when an assert failed."""

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
