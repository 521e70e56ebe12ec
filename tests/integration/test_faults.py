"""Faults with the real services: a worker killed mid-job, Redis stopped, storage failing.

Each test runs its own redis-server on a free port, so stopping it disturbs
nothing else on the machine.
"""

import os
import shutil
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.core.files.storage import default_storage
from django.urls import reverse

from clips import services
from clips.models import Clip, Status
from config.celery import app as celery_app
from tests.workers import Worker, database_url_for_tests, free_port, use_broker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DEMO_VIDEO = Path(__file__).resolve().parents[2] / "clips" / "demo" / "generated" / "storm-pan.mp4"


class RedisServer:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            pytest.fail("redis-server is not installed; `make test` installs it.")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        assert wait_until(lambda: self._ping(client), timeout=10), "private redis-server did not start"

    @staticmethod
    def _ping(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    old = celery_app.conf.broker_url
    use_broker(server.url, eager=False)
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": server.url,
                                   "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1}}}
    yield server
    use_broker(old, eager=True)
    server.stop()


def worker_for(server: RedisServer, tmp_path: Path, settings, name: str) -> Worker:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": server.url,
        "DATABASE_URL": database_url_for_tests(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    return Worker(env, tmp_path / f"{name}.log")


def rendition_files() -> list[str]:
    try:
        return sorted(default_storage.listdir(services.RENDITION_PREFIX)[1])
    except FileNotFoundError:
        return []


def upload_video(client) -> Clip:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("clips:upload"), {
        "file": SimpleUploadedFile("clouds.mp4", DEMO_VIDEO.read_bytes(), content_type="video/mp4"),
        "title": "Clouds", "alt_text": "Clouds over a field.", "truth": "real", "difficulty": "1",
        "source": "Demo pack", "licence": "GPL-2.0-or-later", "digital_source_type": "digitalCapture",
        "visibility": "private",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    return Clip.objects.latest("created_at")


def test_worker_killed_mid_job_then_restarted_completes_once(client, teacher, private_redis, tmp_path, settings):
    client.force_login(teacher)
    first = worker_for(private_redis, tmp_path, settings, "first")
    first.start()
    clip = upload_video(client)
    assert wait_until(lambda: Clip.objects.filter(pk=clip.pk, status=Status.PROCESSING).exists(),
                      timeout=60, interval=0.02), first.log.read_text()[-2000:]
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait()
    clip.refresh_from_db()
    assert clip.status == Status.PROCESSING  # the job died with the worker

    second = worker_for(private_redis, tmp_path, settings, "second")
    second.start()
    try:
        # The sweeper (run by beat every few minutes) finds the stalled job.
        assert services.clips_sweep_stuck(older_than=timedelta(0)) == [clip.pk]
        assert wait_until(lambda: Clip.objects.filter(pk=clip.pk, status=Status.READY).exists(), timeout=90), \
            second.log.read_text()[-2000:]
    finally:
        second.stop()
    clip.refresh_from_db()
    files = rendition_files()
    assert len(files) == 3, files  # rendition, poster, thumbnail: one set, nothing left by the dead run
    assert {Path(clip.rendition.name).name, Path(clip.poster.name).name, Path(clip.thumbnail.name).name} == set(files)


def test_redis_down_pages_load_uploads_wait_and_resume(client, teacher, private_redis, tmp_path, settings):
    client.force_login(teacher)
    private_redis.stop()
    assert client.get(reverse("clips:library")).status_code == 200
    assert client.get(reverse("landing")).status_code == 200
    clip = upload_video(client)
    assert clip.status == Status.PENDING
    page = client.get(reverse("clips:detail", args=[clip.public_id])).content.decode()
    assert "Waiting for processing" in page

    private_redis.start()
    worker = worker_for(private_redis, tmp_path, settings, "after")
    worker.start()
    try:
        assert services.clips_sweep_stuck(older_than=timedelta(0)) == [clip.pk]
        assert wait_until(lambda: Clip.objects.filter(pk=clip.pk, status=Status.READY).exists(), timeout=90), \
            worker.log.read_text()[-2000:]
    finally:
        worker.stop()


def test_storage_error_during_upload_gives_a_clear_error_and_saves_nothing(client, teacher, monkeypatch):
    from clips.storage import PrivateFileSystemStorage

    def broken_save(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PrivateFileSystemStorage, "save", broken_save)
    client.force_login(teacher)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("clips:upload"), {
        "file": SimpleUploadedFile("clouds.mp4", DEMO_VIDEO.read_bytes(), content_type="video/mp4"),
        "title": "Clouds", "alt_text": "Clouds.", "truth": "real", "difficulty": "1", "source": "Demo",
        "licence": "CC0-1.0", "digital_source_type": "digitalCapture", "visibility": "private",
    })
    assert response.status_code == 503
    assert "could not store" in response.content.decode()
    assert Clip.objects.count() == 0
