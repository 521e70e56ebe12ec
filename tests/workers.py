"""Fixtures for a real Celery worker process on the real Redis, for tests of the wiring.

Eager mode is not this: the worker is a separate process that imports the
project, reads the queue from Redis and writes to the test database.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS = "redis://127.0.0.1:6379/1"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS


def database_url_for_tests() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, env: dict[str, str], log: Path):
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,media",
             "--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--loglevel", "INFO", "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited early:\n{self.log.read_text()[-3000:]}")
            if "ready." in self.log.read_text():
                return
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker did not become ready:\n{self.log.read_text()[-3000:]}")

    def stop(self, sig: int = 15) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


def use_broker(url: str | None, *, eager: bool) -> None:
    """Point the in-process Celery app at a broker, dropping pools made for another one."""
    # kombu keeps one pool per broker URL process-wide; closing it would break the
    # next test on the same URL, so only forget the app's reference.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    if url:
        celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def redis_broker():
    url = redis_url()
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"Integration tests need Redis at {url}: {error}. Run `make test`, which starts it.")
    client.flushdb()  # no task left over from an earlier run
    old = celery_app.conf.broker_url
    use_broker(url, eager=False)
    yield client
    use_broker(old, eager=True)
    client.flushdb()


@pytest.fixture
def worker_env(transactional_db, redis_broker, tmp_path, settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": redis_url(),
        "DATABASE_URL": database_url_for_tests(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "PYTHONUNBUFFERED": "1",
    }
    return env


@pytest.fixture
def celery_worker_process(worker_env, tmp_path):
    worker = Worker(worker_env, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
