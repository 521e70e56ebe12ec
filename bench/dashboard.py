"""Bench: the class dashboard for 500 students and a 40-item quiz (20,000 responses).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/dashboard.py

Builds the data in a database of its own (``secondlook_bench``, made and dropped
with Django's test-database machinery), then times the class overview against a
trivial view that only reads ``request.user``, behind the same middleware, in the
same run. Prints the median times, their ratio (goal: at most 10) and the
dashboard's query count, plus the other class pages for context. The answers are
bulk-created, so the attempts' running scores (``quiz.AttemptScore``) are then
rebuilt from them, as the data migration does for existing answers.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import types
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# No collectstatic run needed; the manifest lookup is not what is being measured.
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

STUDENTS = 500
REAL, FAKE = 20, 20
ROUNDS = 60
BENCH_DB = "secondlook_bench"


@login_required
def trivial(request):
    return HttpResponse(request.user.get_username())


urls = types.ModuleType("bench_urls")
urls.urlpatterns = [path("__bench__/", trivial, name="bench_trivial"), path("", include("config.urls"))]
sys.modules["bench_urls"] = urls


def build():
    from accounts.models import User
    from accounts.services import user_make_teacher
    from classroom import services
    from classroom.models import Assignment, Membership
    from clips.models import Clip, Technique, Truth
    from quiz.models import Attempt, AttemptItem, Mode, Quiz, QuizItem, Response, Selection
    from quiz.services import attempt_scores_rebuild

    rng = random.Random(42)
    teacher = user_make_teacher(user=User.objects.create_user(email="bench-teacher@example.com", password="x" * 20))
    classroom = services.classroom_create(owner=teacher, name="Bench class")
    techniques = [Technique.FACE_SWAP, Technique.LIP_SYNC, Technique.DIFFUSION_SYNTHESIS, Technique.VOICE_CLONE]
    clips = Clip.objects.bulk_create(
        [Clip(title=f"Real {i}", alt_text="A scene.", truth=Truth.REAL, status="ready", media_type="image")
         for i in range(REAL)]
        + [Clip(title=f"Fake {i}", alt_text="A scene.", truth=Truth.SYNTHETIC, status="ready", media_type="image",
                technique=techniques[i % len(techniques)]) for i in range(FAKE)]
    )
    quiz = Quiz.objects.create(owner=teacher, title="Bench quiz", mode=Mode.ASSESSMENT, selection=Selection.FIXED,
                               is_published=True)
    QuizItem.objects.bulk_create([QuizItem(quiz=quiz, clip=c, position=i) for i, c in enumerate(clips, 1)])
    opens = timezone.now() - timedelta(days=10)
    Assignment.objects.create(classroom=classroom, quiz=quiz, opens_at=opens, due_at=opens + timedelta(days=5))
    students = User.objects.bulk_create(
        [User(email=f"bench-{i:04d}@example.com", display_name=f"Student {i:04d}", password="!")
         for i in range(STUDENTS)])
    # Joined before the work: a class sees only attempts started after the student joined.
    Membership.objects.bulk_create([Membership(classroom=classroom, student=s, joined_at=opens - timedelta(days=1))
                                    for s in students])
    attempts = Attempt.objects.bulk_create(
        [Attempt(quiz=quiz, learner=s, started_at=opens + timedelta(days=1, minutes=i), mode=quiz.mode,
                 finished_at=opens + timedelta(days=1, minutes=i + 20)) for i, s in enumerate(students)])
    items = AttemptItem.objects.bulk_create(
        [AttemptItem(attempt=a, clip=c, position=i) for a in attempts for i, c in enumerate(clips, 1)],
        batch_size=5000)
    responses = []
    for n, item in enumerate(items):
        skill = 0.5 + (n // len(clips) % 9) / 18
        is_fake = item.clip.truth == Truth.SYNTHETIC
        answered_fake = is_fake if rng.random() < skill else not is_fake
        responses.append(Response(item=item, answered_fake=answered_fake, confidence=rng.randint(50, 100),
                                  time_ms=rng.randint(500, 9000)))
    Response.objects.bulk_create(responses, batch_size=5000)
    # bulk_create bypasses response_record, which keeps the running scores; fill them
    # the way the data migration does for answers stored before scores existed.
    attempt_scores_rebuild(attempts=[a.pk for a in attempts])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return teacher, classroom, quiz, len(responses)


def timed(client, url) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main() -> int:
    if not connection.vendor == "postgresql":
        print("This bench is meant for PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["testserver"]):
            t0 = time.perf_counter()
            teacher, classroom, quiz, n_responses = build()
            print(f"built {STUDENTS} students, {REAL + FAKE} items, {n_responses} responses "
                  f"in {time.perf_counter() - t0:.1f} s on {connection.vendor}")
            client = Client()
            client.force_login(teacher)
            trivial_url = reverse("bench_trivial")
            dashboard_url = reverse("classroom:class_detail", args=[classroom.public_id])
            for _ in range(3):  # warm the template cache and the connection
                timed(client, trivial_url)
                timed(client, dashboard_url)
            base, dash = [], []
            for _ in range(ROUNDS):
                base.append(timed(client, trivial_url))
                dash.append(timed(client, dashboard_url))
            with CaptureQueriesContext(connection) as queries:
                timed(client, dashboard_url)
            t_base, t_dash = statistics.median(base), statistics.median(dash)
            print(f"trivial view (reads request.user): median {t_base * 1000:.2f} ms")
            print(f"class dashboard:                   median {t_dash * 1000:.2f} ms, "
                  f"{len(queries.captured_queries)} queries")
            print(f"ratio dashboard / trivial:         {t_dash / t_base:.1f} (goal <= 10)")
            if os.environ.get("BENCH_EXPLAIN"):
                from classroom import analytics

                assignments = list(classroom.assignments.all())
                qs = analytics.class_responses(classroom=classroom, assignments=assignments)
                for label, fn in (
                    ("learner_skills (20,000 responses)", lambda: analytics.learner_skills(qs)),
                    ("class_standings", lambda: analytics.class_standings(
                        classroom=classroom, assignments=assignments, now=timezone.now())),
                    ("work_table", lambda: analytics.work_table(
                        assignments=assignments,
                        learner_ids=list(classroom.memberships.values_list("student_id", flat=True)))),
                    ("class_overview", lambda: analytics.class_overview(classroom=classroom, assignments=assignments)),
                ):
                    times = []
                    for _ in range(10):
                        start = time.perf_counter()
                        fn()
                        times.append(time.perf_counter() - start)
                    print(f"  {label}: median {statistics.median(times) * 1000:.1f} ms")
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(timed, client, dashboard_url)
                pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(40)
            slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
            for q in slowest:
                print(f"  query {float(q['time']) * 1000:.1f} ms: {q['sql'][:110]}...")
            others = {
                "students x techniques": reverse("classroom:technique_grid", args=[classroom.public_id]),
                "item analysis": reverse("classroom:item_analysis", args=[classroom.public_id, quiz.public_id]),
                "roster": reverse("classroom:roster", args=[classroom.public_id]),
            }
            for label, url in others.items():
                times = [timed(client, url) for _ in range(5)]
                print(f"  for context, {label}: median {statistics.median(times) * 1000:.1f} ms")
            # A teacher relabels a clip every student answered: the rescoring runs in that request.
            from quiz.services import clip_scores_rebuild

            clip = quiz.items.select_related("clip").last().clip
            times = []
            for _ in range(3):
                start = time.perf_counter()
                clip_scores_rebuild(clip=clip)
                times.append(time.perf_counter() - start)
            print(f"  for context, rescoring a relabelled clip in {STUDENTS} attempts: "
                  f"median {statistics.median(times) * 1000:.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
