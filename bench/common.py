"""Helpers the load benchmarks share: gunicorn on loopback, a free port, percentiles, a
logged-in cookie, server CPU."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]


def gunicorn_start(*, port: int, env: dict, options: list[str], ready) -> subprocess.Popen:
    """Start ``gunicorn config.wsgi`` on loopback in its own process group and wait until
    ``ready()`` (a request the bench makes) is true; exits the bench if it never is."""
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"{HOST}:{port}",
         "--log-level", "warning", *options],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, start_new_session=True,
    )
    try:
        for _ in range(150):
            try:
                if ready():
                    return server
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("gunicorn did not answer on loopback")
    except BaseException:  # Ctrl-C or SIGTERM while waiting too: never leave it running
        gunicorn_stop(server)
        raise


def gunicorn_stop(server: subprocess.Popen | None) -> None:
    """Stop gunicorn and its workers (the whole process group), forcibly if it takes too long."""
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def session_cookie(user) -> tuple[str, str]:
    """A logged-in session written straight to the database, and a CSRF token: (Cookie header, token).

    Logging 100 learners in through the form would measure password hashing, not the app.
    Needs Django set up.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = _get_new_csrf_string()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time used so far by gunicorn's master and workers (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        for pid in [master_pid, *map(int, children)]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except (OSError, ValueError):
        return 0.0
    return total


def postgres_cpu_seconds() -> float:
    """CPU time used so far by this machine's PostgreSQL processes (Linux /proc; 0 elsewhere).

    Counts every ``postgres`` process, so run it on a machine where nothing else uses the database."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError, IndexError):
            continue
        if name == "postgres":
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total
