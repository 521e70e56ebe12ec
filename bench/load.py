"""Load run: 100 learners take quizzes at once for 60 s (run by hand: ``.venv/bin/python bench/load.py``).

The production shape on loopback: gunicorn (gthread workers), PostgreSQL and
Redis (cache and Celery broker). It

1. creates a throw-away PostgreSQL database (``secondlook_load``; dropped at the
   end, and dropped first if an interrupted run left it), migrates it, flushes
   its own Redis database (``/9``) and makes a temporary media folder;
2. makes a public practice quiz of ready image clips through the real pipeline
   (``clips.services.clip_create``, processed in-process) and the learners, each
   with a logged-in database session (no password hashing in the timed part);
3. starts gunicorn and runs one thread per learner, without think time unless
   ``--think-ms`` says otherwise (but never faster than the app's 120 answers a
   minute per learner, which it refuses as a script would be refused), through
   the flow a browser takes: start or resume the quiz (POST), then per item GET
   the item card (htmx), GET the image, POST the answer (htmx, the reveal comes
   back); at the end GET the results and start again. A small share of answers
   is sent twice at once (a double click): one must be acknowledged and the
   other refused with 409;
4. prints errors (goal 0), p50/p99 latency of answers and of all requests,
   throughput, and checks that every acknowledged answer (HTTP 200) is stored
   exactly once, with the answer that was sent, and that nothing else is stored.

Bounded: learners, seconds and clips are capped, every request has a timeout,
threads are joined with a deadline, and gunicorn, the database and the Redis
database are cleaned up on the way out (Ctrl-C included). Loopback only.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import io
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    HOST, free_port, gunicorn_start, gunicorn_stop, percentile, server_cpu_seconds, session_cookie,
)
PG = "postgres://postgres@127.0.0.1:5432"
REFUSED_NAMES = {"postgres", "test_postgres", "template0", "template1"}
REQUEST_TIMEOUT_S = 30
IDLE_REOPEN_S = 1.0  # under gunicorn's keep-alive timeout (2 s)

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
IMG_RE = re.compile(r'<img src="(/media/[^"]+)"')


# --- services -----------------------------------------------------------------


def _admin(sql: str) -> None:
    """CREATE/DROP DATABASE run from another database: the maintenance one, used for nothing else."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def database_create(name: str) -> None:
    database_drop(name)
    # template0, so that a test run copying template1 at this moment is not disturbed.
    _admin(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')


def database_drop(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


# --- data -------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    # The set-up runs the media pipeline in this process; the servers use Redis as production does.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def scene(i: int) -> bytes:
    """A small JPEG, different for every clip (so no two look like near-duplicates)."""
    from PIL import Image, ImageDraw

    rng = random.Random(i)
    image = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(300), rng.randrange(220)
        draw.rectangle([x, y, x + rng.randrange(10, 120), y + rng.randrange(10, 90)],
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def make_data(*, learners: int, clips: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from accounts.services import user_make_teacher
    from clips import services as clip_services
    from clips.models import Clip, Status, Technique, Truth, Visibility
    from quiz import services
    from quiz.models import Mode, Selection

    teacher = User.objects.create_user(email="load-teacher@example.com", password=None)
    teacher = user_make_teacher(user=teacher)
    made = []
    for i in range(clips):
        fake = i % 2 == 1
        fields = {
            "title": f"Load scene {i}", "alt_text": "A scene.", "source": "bench/load.py",
            "licence": "CC0-1.0",
            "truth": Truth.SYNTHETIC if fake else Truth.REAL, "visibility": Visibility.PUBLIC,
        }
        if fake:
            fields.update(technique=Technique.COPY_MOVE, regions=[{"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.3}],
                          tells="A cloned patch.", explanation="A patch was cloned.")
        original = SimpleUploadedFile(f"scene-{i}.jpg", scene(i), content_type="image/jpeg")
        made.append(clip_services.clip_create(owner=teacher, original=original, fields=fields))
    not_ready = Clip.objects.exclude(status=Status.READY).values_list("pk", "status", "failure_reason")
    if not_ready:
        raise SystemExit(f"the pipeline left clips not ready: {list(not_ready)}")
    quiz = services.quiz_create(owner=None, title="Load quiz", mode=Mode.PRACTICE, selection=Selection.FIXED,
                                is_published=True, is_public=True)
    services.quiz_set_clips(quiz=quiz, add=[c.pk for c in made], remove=[])
    users = []
    for i in range(learners):
        user = User.objects.create_user(email=f"load-{i}@example.com", password=None)
        cookie, csrf = session_cookie(user)
        users.append((cookie, csrf))
    return quiz, users


# --- learners ---------------------------------------------------------------


class Client:
    """One learner's browser: a keep-alive connection, its cookies and CSRF token."""

    def __init__(self, port: int, cookie: str, csrf: str):
        self.port, self.cookie, self.csrf = port, cookie, csrf
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def request(self, method: str, path: str, body: dict | None = None, htmx: bool = False):
        headers = {"Cookie": self.cookie}
        data = None
        if htmx:
            headers["HX-Request"] = "true"
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf})
        started = time.perf_counter()
        if time.monotonic() - self.last_used > IDLE_REOPEN_S:
            self.close()  # gunicorn closes idle keep-alive connections; do not race it
        for fresh in (False, True):
            if self.conn is None or fresh:
                self.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed between requests: a browser
                # reopens it. Only a request that never reached the server is resent,
                # and the answer check below would catch a double store.
                if fresh or method != "GET":
                    raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        self.last_used = time.monotonic()
        return response.status, payload, response.headers, time.perf_counter() - started

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[str, int, float]] = []  # (kind, status, seconds)
        self.errors: Counter = Counter()
        self.error_samples: list[str] = []
        self.acknowledged: dict[str, bool] = {}  # item token -> answered fake
        self.refused_duplicates = 0
        self.double_acknowledged: list[str] = []
        self.attempts = 0

    def record(self, kind: str, status: int, seconds: float, expected=(200,), detail: str = ""):
        with self.lock:
            self.requests.append((kind, status, seconds))
            if status not in expected:
                self.errors[f"{kind} HTTP {status}"] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(f"{kind} HTTP {status} after {seconds:.2f} s: {detail}"[:300])

    def error(self, what: str, detail: str = ""):
        with self.lock:
            self.errors[what] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{what}: {detail}"[:300])

    def acknowledge(self, token: str, fake: bool):
        with self.lock:
            if token in self.acknowledged:
                self.double_acknowledged.append(token)
            self.acknowledged[token] = fake


ANSWER_LIMIT = 120  # per learner per minute: quiz.views.response_submit's rate limit


def learner(port: int, cookie: str, csrf: str, quiz_id: str, stats: Stats, deadline: float, seed: int,
            think_s: float, double_share: float) -> None:
    rng = random.Random(seed)
    client = Client(port, cookie, csrf)

    def call(kind, method, path, body=None, htmx=False, expected=(200,)):
        status, payload, headers, seconds = client.request(method, path, body, htmx)
        detail = "" if status in expected else f"learner {seed}, {answered} answers so far, {path}, " + \
            " ".join(re.sub(r"<[^>]+>", " ", payload.decode(errors="replace")).split())[:160]
        stats.record(kind, status, seconds, expected, detail)
        return status, payload, headers

    answered = 0
    posted: collections.deque[float] = collections.deque()

    def pace(n_posts: int) -> None:
        # The app refuses more than ANSWER_LIMIT answer POSTs a minute per learner (a script,
        # not a person); a learner here that fast waits, so the run measures load, not the limit.
        while len(posted) + n_posts > ANSWER_LIMIT - 10:
            wait = posted[0] + 60 - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            posted.popleft()
        posted.extend([time.monotonic()] * n_posts)

    try:
        while time.monotonic() < deadline:
            status, _, headers = call("start", "POST", f"/quiz/{quiz_id}/", {}, expected=(302,))
            if status != 302:
                return
            attempt_url = urllib.parse.urlsplit(headers["Location"]).path
            with stats.lock:
                stats.attempts += 1
            while time.monotonic() < deadline:
                status, payload, headers = call("item", "GET", attempt_url, htmx=True)
                if status != 200:
                    return
                if headers.get("HX-Redirect"):  # finished: the results page, then another attempt
                    status, _, _ = call("results", "GET", headers["HX-Redirect"])
                    break
                html = payload.decode(errors="replace")
                token, image = TOKEN_RE.search(html), IMG_RE.search(html)
                if not token or not image:
                    stats.error("item card without token or image", html[:200])
                    return
                status, body, _ = call("media", "GET", image.group(1))
                if status == 200 and not body:
                    stats.error("empty media file", image.group(1))
                if think_s:
                    time.sleep(rng.uniform(0.5, 1.5) * think_s)
                fake = rng.random() < 0.5
                answer = {"token": token.group(1), "answer": "fake" if fake else "real",
                          "confidence": rng.choice([50, 60, 70, 80, 90, 100])}
                if fake:
                    answer["cell"] = rng.choice(["", "0,0", "1,1", "2,2"])
                if rng.random() < double_share:
                    pace(2)
                    acknowledged = double_submit(port, cookie, csrf, attempt_url, answer, stats)
                else:
                    pace(1)
                    status, body, _ = call("answer", "POST", f"{attempt_url}answer/", answer, htmx=True)
                    acknowledged = status == 200
                    if acknowledged and b"reveal" not in body:
                        stats.error("answer acknowledged without the reveal",
                                    body[:200].decode(errors="replace"))
                if acknowledged:
                    answered += 1
                    stats.acknowledge(answer["token"], fake)
                else:
                    return
    except (OSError, http.client.HTTPException) as error:
        stats.error(f"connection {type(error).__name__}", str(error))
    finally:
        client.close()


def double_submit(port, cookie, csrf, attempt_url, answer, stats: Stats) -> bool:
    """Send one answer twice at once (a double click on two connections): one 200, one 409."""
    results = []

    def send():
        client = Client(port, cookie, csrf)
        try:
            status, body, _, seconds = client.request("POST", f"{attempt_url}answer/", answer, htmx=True)
            results.append(status)
            stats.record("answer", status, seconds, expected=(200, 409),
                         detail=f"double click on {attempt_url}")
        except (OSError, http.client.HTTPException) as error:
            stats.error(f"connection {type(error).__name__}", str(error))
        finally:
            client.close()

    pair = [threading.Thread(target=send) for _ in range(2)]
    for t in pair:
        t.start()
    for t in pair:
        t.join(REQUEST_TIMEOUT_S + 5)
    with stats.lock:
        stats.refused_duplicates += results.count(409)
    if sorted(results) != [200, 409]:
        stats.error("double submit not settled as one 200 and one 409", str(results))
    return 200 in results


# --- report -----------------------------------------------------------------


def check_stored(quiz, stats: Stats) -> bool:
    """Every acknowledged answer stored exactly once, as sent; nothing stored that was not acknowledged."""
    from django.db.models import Count

    from quiz.models import Response

    rows = Response.objects.filter(item__attempt__quiz=quiz)
    per_item = dict(rows.values("item__token").annotate(n=Count("id")).values_list("item__token", "n"))
    stored = dict(rows.values_list("item__token", "answered_fake"))
    duplicates = [t for t, n in per_item.items() if n != 1]
    missing = [t for t in stats.acknowledged if t not in stored]
    unacknowledged = [t for t in stored if t not in stats.acknowledged]
    changed = [t for t, fake in stats.acknowledged.items() if t in stored and stored[t] != fake]
    ok = not (duplicates or missing or unacknowledged or changed or stats.double_acknowledged)
    print(f"acknowledged answers {len(stats.acknowledged)}, stored rows {sum(per_item.values())} "
          f"({len(per_item)} items): {'identical, each exactly once' if ok else 'MISMATCH'}")
    if not ok:
        print(f"  stored more than once {len(duplicates)}, acknowledged but missing {len(missing)}, "
              f"stored but never acknowledged {len(unacknowledged)}, stored answer differs {len(changed)}, "
              f"acknowledged twice {len(stats.double_acknowledged)}")
    return ok


def report(stats: Stats, wall: float, learners: int) -> None:
    answers = [s for kind, status, s in stats.requests if kind == "answer" and status == 200]
    every = [s for _, _, s in stats.requests]
    by_kind = Counter(kind for kind, _, _ in stats.requests)
    print(f"\n{learners} learners for {wall:.1f} s: {len(every)} requests "
          f"({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items()))}), {stats.attempts} attempts started")
    print(f"answers acknowledged {len(stats.acknowledged)} = {len(stats.acknowledged) / wall:.1f} answers/s; "
          f"all requests {len(every) / wall:.1f}/s")
    def ms(values, q):
        return percentile(values, q) * 1000

    print(f"answer latency  p50 {ms(answers, 50):7.1f} ms   p99 {ms(answers, 99):7.1f} ms   "
          f"max {max(answers, default=0) * 1000:7.1f} ms")
    print(f"all requests    p50 {ms(every, 50):7.1f} ms   p99 {ms(every, 99):7.1f} ms")
    print(f"double clicks refused with 409 (expected, not errors): {stats.refused_duplicates}")
    kinds = f": {dict(stats.errors)}" if stats.errors else ""
    print(f"errors {sum(stats.errors.values())} (goal 0){kinds}")
    for sample in stats.error_samples:
        print(f"  {sample}")


# --- main -------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=100, help="concurrent learners (threads)")
    parser.add_argument("--seconds", type=int, default=60, help="how long the learners take quizzes")
    parser.add_argument("--clips", type=int, default=20, help="clips in the quiz (items per attempt)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (gthread)")
    parser.add_argument("--think-ms", type=int, default=0, help="mean pause before each answer (0: none)")
    parser.add_argument("--double-share", type=float, default=0.03, help="share of answers sent twice")
    parser.add_argument("--database", default="secondlook_load", help="throw-away database, dropped after")
    parser.add_argument("--redis-db", type=int, default=9, help="Redis database, flushed before and after")
    args = parser.parse_args()
    if not (1 <= args.learners <= 200 and 1 <= args.seconds <= 300 and 2 <= args.clips <= 100
            and 1 <= args.workers <= 16 and 1 <= args.threads <= 16 and 0 <= args.think_ms <= 10_000
            and 0 <= args.double_share <= 0.5 and 8 <= args.redis_db <= 15):
        parser.error("keep it bounded: learners 1-200, seconds 1-300, clips 2-100, workers and threads 1-16, "
                     "think-ms 0-10000, double-share 0-0.5, redis-db 8-15")
    if args.database in REFUSED_NAMES or not re.fullmatch(r"[a-z][a-z0-9_]{2,40}", args.database):
        parser.error(f"refusing database name {args.database!r}: use a throw-away name like secondlook_load")

    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    redis_url = f"redis://{HOST}:6379/{args.redis_db}"
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{PG}/{args.database}",
        "REDIS_URL": redis_url,
        "BENCH_MEDIA_ROOT": str(tmp / "media"),
        "MEDIA_ROOT": str(tmp / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "STATIC_ROOT": str(tmp / "static"),
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
    }
    server = None
    created = False
    # SIGTERM cleans up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    (tmp / "static").mkdir()
    try:
        redis_flush(redis_url)
        database_create(args.database)
        created = True
        t0 = time.monotonic()
        setup_django(env)
        quiz, users = make_data(learners=args.learners, clips=args.clips)
        print(f"set-up {time.monotonic() - t0:.1f} s: database {args.database} migrated, {args.clips} clips "
              f"through the pipeline, {args.learners} learners")

        port = free_port()
        server_env = {**os.environ, **env}
        server_env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        probe = Client(port, *users[0])

        def ready():
            try:
                return probe.request("GET", "/bench/ping/")[0] == 200
            except OSError:
                probe.close()
                raise

        server = gunicorn_start(
            port=port, env=server_env, ready=ready,
            options=["--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
                     "--timeout", "60"],
        )
        probe.close()
        print(f"gunicorn on {HOST}:{port}: {args.workers} workers x {args.threads} threads (gthread); "
              f"PostgreSQL {args.database}; Redis db {args.redis_db}; {os.cpu_count()} CPUs; "
              f"think time {args.think_ms} ms; double clicks {args.double_share:.0%}; "
              f"load average before {os.getloadavg()[0]:.1f}")

        stats = Stats()
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=learner, daemon=True, args=(
                port, cookie, csrf, quiz.public_id, stats, deadline, i, args.think_ms / 1000,
                args.double_share))
            for i, (cookie, csrf) in enumerate(users)
        ]
        cpu_before = server_cpu_seconds(server.pid)
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.1, deadline + REQUEST_TIMEOUT_S + 10 - time.monotonic()))
        wall = time.perf_counter() - started
        hung = sum(t.is_alive() for t in threads)
        if hung:
            stats.error("learner threads still running at the cap", str(hung))

        server_cpu = server_cpu_seconds(server.pid) - cpu_before
        report(stats, wall, args.learners)
        if server_cpu > 0:
            print(f"gunicorn CPU {server_cpu:.1f} s = {server_cpu / wall:.2f} of {os.cpu_count()} cores, "
                  f"{server_cpu * 1000 / max(1, len(stats.requests)):.1f} ms per request; "
                  f"load average after {os.getloadavg()[0]:.1f}")
        same = check_stored(quiz, stats)
        errors = sum(stats.errors.values())
        return 0 if same and errors == 0 else 1
    finally:
        gunicorn_stop(server)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if created:
            database_drop(args.database)
        try:
            redis_flush(redis_url)
        except Exception as error:  # noqa: BLE001 - cleanup must go on
            print(f"could not flush {redis_url}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
