"""Quiz answer load benchmark (run by hand: ``.venv/bin/python bench/quiz_load.py``).

Starts gunicorn on loopback with ``bench.settings`` (the app plus a trivial
``/bench/ping/`` view behind the same middleware that reads ``request.user``), on
a throw-away SQLite file in a temporary directory, or on ``DATABASE_URL`` when
set (point that at a throw-away database: users, clips and a quiz are created in
it). Then N learner threads (a fresh set of learners each round, so none passes
the app's 120 answers a minute), each with its own logged-in session, run
``--rounds`` rounds (default 10: single rounds swing by ±20 % on a 2-core machine) of:

1. ping:    GET /bench/ping/ (the baseline, same server, same run);
2. answers: POST each item's answer of a fresh attempt (htmx, as the page does) in order;

after a first round that warms the workers up and is not counted, and then once:

3. flow:    GET the current item (htmx partial) then POST its answer, as a browser does.

Ping and answer phases alternate so that both see the same machine (a 2-core box
with other work on it drifts within a run); the ratio is the answers' throughput
over all rounds to the pings' over all rounds (goal >= 0.5), with each round's own
ratio printed beside it. It also prints p50/p99 latency, errors (goal 0), the CPU
each request cost gunicorn (and PostgreSQL, when that is the database), and checks
that the stored responses are exactly the acknowledged ones. ``--workers`` sync
workers by default; ``--threads`` above 1 runs gthread workers instead. Bounded:
fixed request counts and a wall-clock cap; loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    HOST, free_port, gunicorn_start, gunicorn_stop, percentile, postgres_cpu_seconds, server_cpu_seconds,
    session_cookie,
)
TIME_CAP_S = 240


def setup_django(tmp: Path):
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["BENCH_MEDIA_ROOT"] = str(tmp / "media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_data(*, learners: int, items: int):
    """Users with ready sessions, a practice quiz of ``items`` clips, one attempt per learner per phase."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from accounts.models import User
    from clips.models import Clip, Status, Technique, Truth, Visibility
    from quiz import services
    from quiz.models import Mode, Selection

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, "WEBP")
    run = str(int(time.time()))
    clips = []
    for i in range(items):
        fake = i % 2 == 1
        clips.append(Clip.objects.create(
            title=f"Bench scene {run}-{i}", alt_text="A scene.", media_type="image",
            truth=Truth.SYNTHETIC if fake else Truth.REAL,
            technique=Technique.COPY_MOVE if fake else Technique.AUTHENTIC,
            regions=[{"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.3}] if fake else [],
            status=Status.READY, visibility=Visibility.PUBLIC, mime="image/webp", width=64, height=48,
            rendition=ContentFile(buffer.getvalue(), name=f"m/{os.urandom(8).hex()}.webp"),
        ))
    quiz = services.quiz_create(owner=None, title=f"Bench quiz {run}", mode=Mode.PRACTICE,
                                selection=Selection.FIXED, is_published=True)
    services.quiz_set_clips(quiz=quiz, add=[c.pk for c in clips], remove=[])
    users = []
    for i in range(learners):
        user = User.objects.create_user(email=f"bench-{run}-{i}@example.com", password=None)
        cookie, csrf = session_cookie(user)
        users.append({"user": user, "cookie": cookie, "csrf": csrf})
    return quiz, users


def start_attempt(quiz, user):
    from quiz import services

    attempt = services.attempt_start(quiz=quiz, learner=user)
    tokens = list(attempt.items.order_by("position").values_list("token", flat=True))
    return attempt, tokens


class Client:
    def __init__(self, port: int, cookie: str, csrf: str):
        self.port, self.cookie, self.csrf = port, cookie, csrf

    def request(self, method: str, path: str, body: dict | None = None, htmx: bool = False):
        headers = {"Cookie": self.cookie, "Host": f"{HOST}:{self.port}"}
        data = None
        if htmx:
            headers["HX-Request"] = "true"
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf,
                            "Referer": f"http://{HOST}:{self.port}/"})
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            return response.status, text, time.perf_counter() - started
        finally:
            conn.close()


def run_threads(work, users, deadline):
    results, lock = [], threading.Lock()

    def target(u):
        for record in work(u, deadline):
            with lock:
                results.append(record)

    threads = [threading.Thread(target=target, args=(u,)) for u in users]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def report(name, results, wall):
    ok = [r for r in results if r["status"] == 200]
    latencies = [r["latency"] * 1000 for r in results]
    rate = len(ok) / wall if wall else 0
    print(f"{name:8s} {len(results):5d} requests in {wall:6.2f} s = {rate:7.1f}/s   "
          f"p50 {percentile(latencies, 50):6.1f} ms   p99 {percentile(latencies, 99):6.1f} ms   "
          f"errors {len(results) - len(ok)}")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=8, help="concurrent learners (threads)")
    parser.add_argument("--items", type=int, default=25, help="items per attempt")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (above 1: gthread workers)")
    parser.add_argument("--pings", type=int, default=50, help="ping requests per learner per round")
    parser.add_argument("--rounds", type=int, default=10, help="alternating ping and answer rounds")
    args = parser.parse_args()
    if not (1 <= args.learners <= 64 and 1 <= args.items <= 200 and 1 <= args.workers <= 16
            and 1 <= args.rounds <= 20):
        parser.error("keep it bounded: learners 1-64, items 1-200, workers 1-16, rounds 1-20")

    tmp = Path(tempfile.mkdtemp(prefix="quiz-bench-"))
    server = None
    try:
        setup_django(tmp)
        # A fresh set of learners for each round (warm-up and flow included): no learner answers
        # more than one attempt's items, so none runs into the 120-answers-a-minute limit, which
        # is shared across workers when REDIS_URL is set.
        quiz, users = make_data(learners=args.learners * (args.rounds + 2), items=args.items)
        groups = [users[i * args.learners:(i + 1) * args.learners] for i in range(args.rounds + 2)]
        port = free_port()
        probe = Client(port, users[0]["cookie"], users[0]["csrf"])
        server = gunicorn_start(
            port=port, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
            options=["--workers", str(args.workers),
                     *(["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else [])],
            ready=lambda: probe.request("GET", "/bench/ping/")[0] == 200,
        )
        deadline = time.monotonic() + TIME_CAP_S
        for u in users:
            u["client"] = Client(port, u["cookie"], u["csrf"])
        print(f"gunicorn {args.workers} workers on {HOST}:{port}; {args.learners} learners x {args.items} items "
              f"x {args.rounds} rounds; database {os.environ['DATABASE_URL'].split(':')[0]}")

        def ping(u, deadline):
            for _ in range(args.pings):
                if time.monotonic() > deadline:
                    return
                status, _, latency = u["client"].request("GET", "/bench/ping/")
                yield {"status": status, "latency": latency}

        def answers(u, deadline):
            attempt, tokens = u["answers"]  # this round's attempt
            for i, token in enumerate(tokens):
                if time.monotonic() > deadline:
                    return
                status, _, latency = u["client"].request(
                    "POST", f"/quiz/attempt/{attempt.public_id}/answer/",
                    {"token": token, "answer": "fake" if i % 3 else "real", "confidence": 70}, htmx=True)
                yield {"status": status, "latency": latency, "token": token}

        def flow(u, deadline):
            attempt, _ = u["flow"]
            for i in range(args.items):
                if time.monotonic() > deadline:
                    return
                status, html, latency = u["client"].request("GET", f"/quiz/attempt/{attempt.public_id}/", htmx=True)
                yield {"status": status, "latency": latency, "kind": "get"}
                match = re.search(r'name="token" value="([^"]+)"', html)
                if not match:
                    return
                status, _, latency = u["client"].request(
                    "POST", f"/quiz/attempt/{attempt.public_id}/answer/",
                    {"token": match.group(1), "answer": "fake", "confidence": 80, "cell": "0,0"}, htmx=True)
                yield {"status": status, "latency": latency, "token": match.group(1), "kind": "post"}

        ping_results, answer_results, ping_wall, answer_wall, round_ratios = [], [], 0.0, 0.0, []
        ping_cpu = answer_cpu = ping_db_cpu = answer_db_cpu = 0.0
        warmup_answers = []
        for r in range(args.rounds + 1):  # round 0 warms the workers up (imports, templates, connections): not counted
            cpu, db_cpu = server_cpu_seconds(server.pid), postgres_cpu_seconds()
            results, wall = run_threads(ping, groups[r], deadline)
            round_ping_cpu = server_cpu_seconds(server.pid) - cpu
            round_ping_db_cpu = postgres_cpu_seconds() - db_cpu
            round_pings, round_ping_wall = results, wall
            for u in groups[r]:  # a learner has one unfinished attempt at a time: start it now, untimed
                u["answers"] = start_attempt(quiz, u["user"])
            cpu, db_cpu = server_cpu_seconds(server.pid), postgres_cpu_seconds()
            results, wall = run_threads(answers, groups[r], deadline)
            if r == 0:
                warmup_answers = results
                continue
            answer_cpu += server_cpu_seconds(server.pid) - cpu
            answer_db_cpu += postgres_cpu_seconds() - db_cpu
            ping_cpu += round_ping_cpu
            ping_db_cpu += round_ping_db_cpu
            ping_results += round_pings
            ping_wall += round_ping_wall
            answer_results += results
            answer_wall += wall
            round_ping = sum(x["status"] == 200 for x in round_pings) / round_ping_wall
            round_ratios.append(sum(x["status"] == 200 for x in results) / wall / round_ping)
        for u in groups[-1]:
            u["flow"] = start_attempt(quiz, u["user"])
        flow_results, flow_wall = run_threads(flow, groups[-1], deadline)

        print()
        ping_rate = report("ping", ping_results, ping_wall)
        answer_rate = report("answer", answer_results, answer_wall)
        report("flow", flow_results, flow_wall)
        flow_answers = [r for r in flow_results if r.get("kind") == "post"]
        flow_items_rate = sum(r["status"] == 200 for r in flow_answers) / flow_wall
        print(f"\nanswer throughput / ping throughput = {answer_rate / ping_rate:.2f} (goal >= 0.5); "
              f"by round: {', '.join(f'{x:.2f}' for x in round_ratios)}")
        print(f"full item flow (GET item + POST answer) = {flow_items_rate:.1f} answers/s")
        # Where the ratio comes from: what each request costs the server (this process, the
        # load generator, uses the same machine's cores too).
        print(f"gunicorn CPU per request: ping {ping_cpu / len(ping_results) * 1000:.2f} ms, "
              f"answer {answer_cpu / len(answer_results) * 1000:.2f} ms")
        if os.environ["DATABASE_URL"].startswith("postgres"):
            print(f"PostgreSQL CPU per request: ping {ping_db_cpu / len(ping_results) * 1000:.2f} ms, "
                  f"answer {answer_db_cpu / len(answer_results) * 1000:.2f} ms")

        from quiz.models import Response

        acknowledged = [r["token"] for r in warmup_answers + answer_results + flow_answers if r["status"] == 200]
        stored = list(Response.objects.filter(item__attempt__quiz=quiz).values_list("item__token", flat=True))
        errors = sum(r["status"] != 200 for r in ping_results + warmup_answers + answer_results + flow_results)
        same = sorted(acknowledged) == sorted(stored) and len(set(stored)) == len(stored)
        print(f"acknowledged answers {len(acknowledged)}, stored {len(stored)}: "
              f"{'identical' if same else 'MISMATCH'}; errors {errors}")
        return 0 if same and errors == 0 else 1
    finally:
        gunicorn_stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
