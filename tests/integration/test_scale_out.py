"""Scale-out: several app servers and several Celery workers share one database, Redis and media.

Nothing may live in a process's memory: a learner whose requests land on
different gunicorn servers (as behind a load balancer) keeps one session and one
attempt, and two workers fed the same jobs twice make one set of renditions per
clip. Everything runs on loopback on free ports.
"""

import http.client
import io
import random
import re
import secrets
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from PIL import Image

from accounts.models import User
from clips import services as clip_services
from clips.models import Clip, Status, Technique, Truth, Visibility
from clips.tasks import clip_process
from quiz import services as quiz_services
from quiz.models import Attempt, Mode, Response, Selection
from tests.factories import ClipFactory, webp_bytes
from tests.workers import ROOT, Worker, free_port, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HOST = "127.0.0.1"
TOKEN = re.compile(r'name="token" value="([^"]+)"')
IMAGE = re.compile(r'<img src="(/media/[^"]+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MEASURES = re.compile(r'<table class="measures">.*?</table>', re.S)
SUCCEEDED = re.compile(r"clips\.tasks\.clip_process\[[0-9a-f-]+\] succeeded in ")


class AppServer:
    """One gunicorn process (one worker) on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"{HOST}:{self.port}",
             "--workers", "1", "--threads", "2", "--worker-class", "gthread", "--access-logfile", "-",
             "--log-level", "info"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        def answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/accounts/login/")
                return conn.getresponse().status == 200
            except OSError:
                return False

        assert wait_until(answers, timeout=30, interval=0.1), self.log.read_text()[-3000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Browser:
    """A browser whose cookies (session, CSRF) go to whichever server it talks to, as behind a balancer."""

    def __init__(self):
        self.cookies = SimpleCookie()

    def request(self, server: AppServer, method: str, path: str, form: dict | None = None,
                htmx: bool = False):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"].value
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response.status, payload, response.headers


@pytest.fixture
def app_servers(worker_env, tmp_path):
    env = {**worker_env, "DEBUG": "false", "ALLOWED_HOSTS": HOST,
           # Tests run without collectstatic, so no manifest.
           "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    servers = [AppServer(env, tmp_path / f"gunicorn-{name}.log") for name in "ab"]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_an_attempt_started_on_one_server_continues_on_another(app_servers, password):
    a, b = app_servers
    # The servers use the production hashers, not the test suite's fast one.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        learner = User.objects.create_user(email="roam@example.com", password=password, display_name="Roam")
    # Served renditions live under m/ at random names, as the pipeline saves them.
    clips = [
        ClipFactory(fake=i == 1, rendition=ContentFile(webp_bytes(colour=(40 * i, 90, 60)),
                                                       name=f"m/{secrets.token_hex(8)}.webp"))
        for i in range(3)
    ]
    quiz = quiz_services.quiz_create(owner=None, title="Roaming", mode=Mode.PRACTICE,
                                     selection=Selection.FIXED, is_published=True)
    quiz_services.quiz_set_clips(quiz=quiz, add=[c.pk for c in clips], remove=[])
    browser = Browser()

    # Log in on A: the session lives in the database, so B knows it too.
    status, page, _ = browser.request(a, "GET", "/accounts/login/")
    csrf = CSRF_INPUT.search(page.decode()).group(1)
    status, _, headers = browser.request(a, "POST", "/accounts/login/", {
        "csrfmiddlewaretoken": csrf, "username": learner.email, "password": password})
    assert status == 302, a.log.read_text()[-2000:]
    assert browser.request(b, "GET", "/quiz/")[0] == 200  # logged in on B without logging in there

    status, _, headers = browser.request(a, "POST", f"/quiz/{quiz.public_id}/", {})
    assert status == 302, a.log.read_text()[-2000:]
    attempt_url = urllib.parse.urlsplit(headers["Location"]).path
    answers = {}

    def answer_on(server, fake: bool):
        status, card, _ = browser.request(server, "GET", attempt_url, htmx=True)
        assert status == 200
        token = TOKEN.search(card.decode()).group(1)
        image = IMAGE.search(card.decode()).group(1)
        form = {"token": token, "answer": "fake" if fake else "real", "confidence": 80}
        status, body, _ = browser.request(server, "POST", f"{attempt_url}answer/", form, htmx=True)
        assert status == 200, body.decode()[:500]
        assert b"reveal" in body
        answers[token] = fake
        return token, image

    first, image = answer_on(a, fake=True)
    # Media is shared: both servers serve the same bytes for the item's image.
    served = [browser.request(s, "GET", image) for s in (a, b)]
    assert [s[0] for s in served] == [200, 200] and served[0][1] == served[1][1] and served[0][1]

    second, _ = answer_on(b, fake=False)
    assert second != first  # B continues where A left off
    # A retry of the first answer through B is refused, not counted again.
    status, _, _ = browser.request(b, "POST", f"{attempt_url}answer/",
                                   {"token": first, "answer": "real", "confidence": 50}, htmx=True)
    assert status == 409
    third, _ = answer_on(a, fake=True)

    attempt = Attempt.objects.get(learner=learner)
    assert attempt.is_finished
    stored = dict(Response.objects.filter(item__attempt=attempt).values_list("item__token", "answered_fake"))
    assert stored == answers == {first: True, second: False, third: True}
    pages = [browser.request(s, "GET", f"{attempt_url}results/") for s in (a, b)]
    assert [p[0] for p in pages] == [200, 200]
    for _, page, _ in pages:
        assert "You answered 3 of 3 items." in page.decode()
    assert MEASURES.search(pages[0][1].decode()).group(0) == MEASURES.search(pages[1][1].decode()).group(0)


def jpeg(seed: int) -> SimpleUploadedFile:
    rng = random.Random(seed)
    image = Image.new("RGB", (160, 120), tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(6):
        x, y = rng.randrange(140), rng.randrange(100)
        image.paste(tuple(rng.randrange(256) for _ in range(3)), (x, y, x + 20, y + 20))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(f"scene-{seed}.jpg", buffer.getvalue(), content_type="image/jpeg")


def succeeded(worker: Worker) -> int:
    return len(SUCCEEDED.findall(worker.log.read_text()))


def test_two_workers_share_the_media_queue_and_duplicates_make_one_set_of_files(
    worker_env, tmp_path, teacher,
):
    workers = [Worker(worker_env, tmp_path / f"worker-{name}.log") for name in "ab"]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(Worker.start, workers))
    try:
        clips = []
        for i in range(6):
            fields = {"title": f"Scene {i}", "alt_text": "A scene.", "source": "Test suite",
                      "licence": "CC0-1.0", "visibility": Visibility.PUBLIC,
                      "truth": Truth.SYNTHETIC if i % 2 else Truth.REAL}
            if i % 2:
                fields["technique"] = Technique.COPY_MOVE
            # Enqueued once by the service on commit...
            clips.append(clip_services.clip_create(owner=teacher, original=jpeg(i), fields=fields))
        for clip in clips:  # ...and twice more, as a retry and a redelivery would.
            clip_process.delay(clip.pk)
            clip_process.delay(clip.pk)
        jobs = 3 * len(clips)

        done = wait_until(lambda: sum(succeeded(w) for w in workers) >= jobs, timeout=45)
        logs = "\n".join(w.log.read_text()[-2000:] for w in workers)
        assert done, logs
    finally:
        for worker in workers:
            worker.stop()

    per_worker = [succeeded(w) for w in workers]
    assert sum(per_worker) == jobs and all(per_worker), per_worker  # every job ran once; both workers worked
    files = sorted(default_storage.listdir(clip_services.RENDITION_PREFIX)[1])
    expected = []
    for clip in Clip.objects.order_by("pk"):
        assert clip.status == Status.READY, (clip.pk, clip.status, clip.failure_reason)
        assert clip.processing_token == ""
        names = [Path(f.name).name for f in (clip.rendition, clip.poster, clip.thumbnail, clip.ela) if f]
        assert len(names) >= 3 and len({name[:12] for name in names}) == 1  # one run's set, one token
        assert [f for f in files if f.startswith(names[0][:12])] == sorted(names)
        expected += names
    assert Clip.objects.count() == 6
    assert files == sorted(expected)  # nothing else left in the media folder
