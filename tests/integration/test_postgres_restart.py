"""PostgreSQL restarted: the app recovers without a restart of its own.

A gunicorn app server holds persistent database connections (CONN_MAX_AGE=60).
A PostgreSQL restart ends them under it; we do exactly that from the outside by
terminating every other backend of the test database, as a restart does. With
CONN_HEALTH_CHECKS the next request notices the dead connection, opens a new one
and is served: no 500, no retry, and writes are stored.

PostgreSQL only: SQLite has no server to restart.
"""

import http.client
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import override_settings

from accounts.models import User
from tests.integration.test_scale_out import CSRF_INPUT, HOST, AppServer, Browser
from tests.workers import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: a database server restart means nothing for SQLite"),
]

# libpq reads PGAPPNAME, so the app server's connections are told apart in
# pg_stat_activity without any change to the settings.
APP_NAME = "secondlook-pg-restart-test"
OK = (200, 302)


def admin_connection() -> psycopg.Connection:
    """A connection of our own to the test database, as the postgres superuser."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432, user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None, dbname=db["NAME"], autocommit=True, connect_timeout=10,
    )


def app_backends(admin: psycopg.Connection) -> set[int]:
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
        [APP_NAME],
    ).fetchall()
    return {pid for (pid,) in rows}


def restart_as_the_app_sees_it(admin: psycopg.Connection) -> set[int]:
    """End every other connection to the database, as a PostgreSQL restart does."""
    # pg_terminate_backend in the select list, so it runs only on the rows the WHERE keeps.
    rows = admin.execute(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchall()
    assert all(ok for _, ok in rows), rows
    terminated = {pid for pid, _ in rows}

    def gone():
        alive = admin.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [list(terminated)])
        return not alive.fetchall()

    # Termination is a signal; wait (bounded) until the backends have really exited.
    assert wait_until(gone, timeout=15, interval=0.05), "terminated backends did not exit"
    return terminated


def plain_get(server: AppServer, path: str) -> int:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def burst(server: AppServer, paths: list[str]) -> list[int]:
    """Concurrent requests, so both of the worker's threads serve some (each holds its own connection)."""
    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(lambda p: plain_get(server, p), paths))


@pytest.fixture
def app_server(worker_env, tmp_path):
    env = {**worker_env, "DEBUG": "false", "ALLOWED_HOSTS": HOST, "CONN_MAX_AGE": "60",
           "PGAPPNAME": APP_NAME,
           # Tests run without collectstatic, so no manifest.
           "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    server = AppServer(env, tmp_path / "gunicorn.log")
    try:
        server.start()
        server.wait_ready()
        yield server
    finally:
        server.stop()


def log_in(browser: Browser, server: AppServer, email: str, password: str):
    status, page, _ = browser.request(server, "GET", "/accounts/login/")
    assert status == 200, server.log.read_text()[-3000:]
    csrf = CSRF_INPUT.search(page.decode()).group(1)
    return browser.request(server, "POST", "/accounts/login/", {
        "csrfmiddlewaretoken": csrf, "username": email, "password": password})


def test_the_app_recovers_when_postgresql_restarts(app_server, password):
    server = app_server
    # The server uses the production hashers, not the test suite's fast one.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        learner = User.objects.create_user(email="steady@example.com", password=password, display_name="Steady")

    # Before: a logged-in learner uses the app; the worker keeps its connections open.
    browser = Browser()
    status, _, _ = log_in(browser, server, learner.email, password)
    assert status == 302, server.log.read_text()[-3000:]
    for path in ("/", "/learn/", "/home/"):
        assert browser.request(server, "GET", path)[0] == 200, (path, server.log.read_text()[-3000:])
    assert burst(server, ["/learn/"] * 4) == [200] * 4

    with admin_connection() as admin:
        before = app_backends(admin)
        assert before, "the app server holds no persistent database connection (CONN_MAX_AGE?)"

        terminated = restart_as_the_app_sees_it(admin)
        assert before <= terminated
        assert app_backends(admin) == set()
        # pytest-django's own connection in this process was ended too: drop it, Django reconnects.
        connection.close()

        # After: each request succeeds on its first try.
        statuses = {}
        for path in ("/", "/learn/", "/home/"):
            statuses[path] = browser.request(server, "GET", path)[0]
        statuses["burst"] = burst(server, ["/learn/", "/", "/accounts/login/", "/learn/"])

        # A log-in writes a session row...
        again = Browser()
        statuses["login"] = log_in(again, server, learner.email, password)[0]
        # ...and a sign-up writes a user.
        newcomer = Browser()
        status, page, _ = newcomer.request(server, "GET", "/accounts/signup/")
        statuses["signup page"] = status
        csrf = CSRF_INPUT.search(page.decode()).group(1)
        status, body, headers = newcomer.request(server, "POST", "/accounts/signup/", {
            "csrfmiddlewaretoken": csrf, "email": "after.restart@example.com", "display_name": "After",
            "password1": password, "password2": password})
        statuses["signup"] = status
        statuses["home after signup"] = newcomer.request(server, "GET", "/home/")[0]

        log = server.log.read_text()
        assert statuses == {"/": 200, "/learn/": 200, "/home/": 200, "burst": [200] * 4, "login": 302,
                            "signup page": 200, "signup": 302, "home after signup": 200}, log[-4000:]
        assert "Traceback" not in log and "OperationalError" not in log, log[-4000:]

        # The app reconnected: it is served by new backends, none of the terminated ones.
        after = app_backends(admin)
        assert after, "the app server holds no database connection after the restart"
        assert after.isdisjoint(terminated), (before, after)

    # The writes are stored, and this process's own ORM use works again after its reconnect.
    newcomer_user = User.objects.get(email="after.restart@example.com")
    assert newcomer_user.display_name == "After"
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        assert newcomer_user.check_password(password)
    for client in (again, newcomer):
        assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
