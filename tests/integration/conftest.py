"""Integration tests use the real-worker fixtures from tests/workers.py."""

from tests.workers import celery_worker_process, redis_broker, wait_until, worker_env  # noqa: F401
