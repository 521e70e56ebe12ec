"""Answering: stored exactly once (double submit, concurrent submits), refused with words
when out of order, too late, unknown or for someone else's attempt; bounded query counts."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clips.models import Clip
from quiz import services
from quiz.models import Attempt, AttemptScore, Mode, Response
from tests.factories import UserFactory

from tests.concurrency import at_once

from .conftest import answer, answer_url, current_token, make_clips, make_quiz, take_url


@pytest.fixture
def attempt(student, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(3, 2))
    return services.attempt_start(quiz=quiz, learner=student)


@pytest.mark.django_db
def test_second_submit_of_same_item_is_not_counted_twice(student_client, attempt):
    student_client.get(take_url(attempt))
    token = current_token(attempt)
    first = answer(student_client, attempt, token=token, fake=True, confidence=90, htmx=True)
    second = answer(student_client, attempt, token=token, fake=False, confidence=50, htmx=True)
    assert first.status_code == 200
    assert second.status_code == 409
    assert "already answered" in second.content.decode()
    stored = Response.objects.get(item__token=token)
    assert stored.answered_fake is True and stored.confidence == 90
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(3))
def test_two_concurrent_submits_store_one_response(student, teacher, run):
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 2))
    attempt = services.attempt_start(quiz=quiz, learner=student)
    token = current_token(attempt)

    def submit(fake):
        try:
            outcome = services.response_record(attempt=Attempt.objects.get(pk=attempt.pk), token=token,
                                               answered_fake=fake, confidence=70)
            return "stored", outcome.response.pk
        except services.Refused as refusal:
            return "refused", refusal.outcome.response.pk if refusal.outcome else None

    results = at_once(submit, True, False)
    assert Response.objects.filter(item__token=token).count() == 1
    stored = Response.objects.get(item__token=token)
    assert sorted(kind for kind, _ in results) == ["refused", "stored"]
    # The loser is told about the answer that stands, not its own.
    assert {pk for _, pk in results} == {stored.pk}
    # It counts once in the attempt's running score too.
    assert AttemptScore.objects.filter(attempt=attempt).aggregate(n=Sum("n"))["n"] == 1


@pytest.mark.django_db
def test_answer_out_of_order_is_refused_and_not_recorded(student_client, attempt):
    student_client.get(take_url(attempt))
    later = attempt.items.get(position=3)
    response = answer(student_client, attempt, token=later.token)
    assert response.status_code == 409
    assert "in order" in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_answer_for_an_item_not_in_the_attempt_is_422(student_client, attempt, teacher, student):
    other_quiz = make_quiz(owner=teacher, clips=make_clips(1, 1))
    other = services.attempt_start(quiz=other_quiz, learner=student)
    student_client.get(take_url(attempt))
    response = answer(student_client, attempt, token=current_token(other), htmx=True)
    assert response.status_code == 422
    assert "not part of this attempt" in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_answer_after_the_time_limit_is_refused_and_the_attempt_ends(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 2), time_limit_seconds=60)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    student_client.get(take_url(attempt))
    Attempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(seconds=61))
    response = answer(student_client, attempt)
    assert response.status_code == 409
    assert "Time is up" in response.content.decode()
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.is_finished
    # The take page now goes to the results.
    assert student_client.get(take_url(attempt)).url.endswith("/results/")


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("state", ["overdue", "finished"])
def test_an_incomplete_answer_to_a_closed_attempt_is_told_why_it_is_closed(student_client, teacher, student,
                                                                          state, htmx):
    """Not "choose how sure you are" on an item that can no longer be answered: the form would
    only be refused again once filled in."""
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 2), time_limit_seconds=60)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    student_client.get(take_url(attempt))
    if state == "overdue":
        Attempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(seconds=61))
    else:
        services.attempt_finish(attempt=attempt)
    response = answer(student_client, attempt, confidence="", htmx=htmx)  # no confidence chosen
    html = response.content.decode()
    assert response.status_code == 409
    assert ("Time is up" if state == "overdue" else "already finished") in html
    assert "Choose how sure you are" not in html and "answer-form" not in html
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.is_finished


@pytest.mark.django_db
def test_a_very_late_answer_to_an_untimed_item_is_stored_with_its_time_capped(student_client, attempt):
    """An item left open for weeks (no time limit) is still answered: its time is stored as the
    largest the column holds (PostgreSQL's integer), not refused with a server error."""
    student_client.get(take_url(attempt))
    attempt.items.filter(position=1).update(shown_at=timezone.now() - timedelta(days=30))
    assert answer(student_client, attempt).status_code == 302
    assert Response.objects.get().time_ms == services.TIME_MS_MAX == 2**31 - 1


@pytest.mark.django_db
def test_a_submit_that_read_the_item_before_another_landed_is_refused_by_the_database(attempt):
    """The race of two submits, made deterministic: this one read the item as unanswered and
    current, then the other stored its answer. The one-answer-per-item constraint refuses it,
    it is told of the answer that stands, and nothing is counted twice."""
    from quiz import sql

    token = current_token(attempt)
    stale = sql.answer_target(token=token, attempt_pk=attempt.pk)
    services.response_record(attempt=Attempt.objects.get(pk=attempt.pk), token=token, answered_fake=True,
                             confidence=90)
    with pytest.raises(services.Refused) as refused:
        services.response_record(attempt=stale.item.attempt, target=stale, token=token, answered_fake=False,
                                 confidence=50)
    assert refused.value.status == 409 and "already answered" in refused.value.message
    assert refused.value.outcome.response.answered_fake is True
    assert Response.objects.filter(item__token=token).count() == 1
    assert AttemptScore.objects.filter(attempt=attempt).aggregate(n=Sum("n"))["n"] == 1


@pytest.mark.django_db
def test_answer_within_the_time_limit_is_accepted(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 2), time_limit_seconds=60)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    student_client.get(take_url(attempt))
    Attempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(seconds=50))
    # The page counts down from the server's own reckoning of the time left.
    page = student_client.get(take_url(attempt)).content.decode()
    left = int(page.split('data-seconds-left="')[1].split('"')[0])
    assert 9 <= left <= 10
    assert f"{left} seconds left" in page  # in words without JavaScript, as the countdown words it
    assert answer(student_client, attempt).status_code == 302


@pytest.mark.django_db
def test_time_to_answer_is_measured_on_the_server_from_first_show(student_client, attempt):
    student_client.get(take_url(attempt))
    item = attempt.items.get(position=1)
    type(item).objects.filter(pk=item.pk).update(shown_at=timezone.now() - timedelta(seconds=7))
    student_client.get(take_url(attempt))  # a reload does not restart the clock
    answer(student_client, attempt, token=item.token, time_ms=1)
    assert 7000 <= Response.objects.get().time_ms < 60000


@pytest.mark.django_db
def test_another_learner_cannot_see_or_answer_my_attempt(client, attempt):
    client.force_login(UserFactory())
    assert client.get(take_url(attempt)).status_code == 404
    assert client.get(take_url(attempt), headers={"HX-Request": "true"}).status_code == 404
    assert client.post(answer_url(attempt), {"token": current_token(attempt), "answer": "fake",
                                             "confidence": 80}).status_code == 404
    assert client.get(reverse("quiz:attempt_results", args=[attempt.public_id])).status_code == 404
    assert not Response.objects.exists()


def _change_password(user):
    user.set_password("a-new-password-2026")
    user.save()


def _deactivate(user):
    user.is_active = False
    user.save()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("change", [_change_password, _deactivate], ids=["password-changed", "deactivated"])
def test_an_answer_from_a_session_whose_account_no_longer_logs_it_in_is_not_recorded(
    student_client, student, attempt, change, htmx
):
    """The answer view reads the learner's account with the item (accounts.backends); Django
    still checks it as on every page: the session's password hash, and that it may log in."""
    token = current_token(attempt)
    change(student)
    response = answer(student_client, attempt, token=token, htmx=htmx)
    location = response["HX-Redirect"] if htmx else response["Location"]
    assert response.status_code == (200 if htmx else 302)
    assert location.startswith(reverse(settings.LOGIN_URL))
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_session_whose_log_in_no_longer_holds_cannot_answer_its_old_accounts_attempt(student_client, attempt):
    """A session naming an authentication backend no longer configured is not logged in, and
    Django leaves it as it is. With a guest key in it too, it may answer as that guest, but
    the item read by the account it names is not that guest's: 404, nothing stored."""
    from django.contrib.auth import BACKEND_SESSION_KEY

    session = student_client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    session[services.GUEST_SESSION_KEY] = "a-guest-key-of-this-browser"
    session.save()
    assert answer(student_client, attempt).status_code == 404
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in_for_an_attempt(client, attempt):
    response = client.get(take_url(attempt))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
def test_answer_full_page_redirects_to_the_reveal_page(student_client, attempt):
    student_client.get(take_url(attempt))
    token = current_token(attempt)
    response = answer(student_client, attempt, token=token)
    assert response.status_code == 302
    assert response.url == reverse("quiz:attempt_reveal", args=[attempt.public_id, token])
    page = student_client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200 and html.count("<h1") == 1
    clip = attempt.items.get(token=token).clip
    # Disclosure: once answered, a synthetic clip carries its visible label, a real one its own.
    expected, other = ("badge-synthetic", "badge-real") if clip.is_synthetic else ("badge-real", "badge-synthetic")
    main = html.split("<footer")[0]
    assert expected in main and other not in main
    assert "Next item" in html


@pytest.mark.django_db
def test_answer_htmx_returns_the_reveal_partial(student_client, attempt):
    student_client.get(take_url(attempt))
    response = answer(student_client, attempt, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'class="reveal"' in html and "data-autofocus" in html
    assert 'hx-get="' + take_url(attempt) in html


@pytest.mark.django_db
def test_missing_confidence_is_422_with_words_and_nothing_recorded(student_client, attempt):
    student_client.get(take_url(attempt))
    response = student_client.post(answer_url(attempt), {"token": current_token(attempt), "answer": "fake"},
                                    headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Choose how sure you are" in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_without_confidence_question_none_is_stored(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), ask_confidence=False)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    html = student_client.get(take_url(attempt)).content.decode()
    assert "How sure are you?" not in html
    student_client.post(answer_url(attempt), {"token": current_token(attempt), "answer": "real"})
    assert Response.objects.get().confidence is None


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 40])
def test_take_and_answer_query_counts_do_not_grow_with_the_quiz(
    student_client, teacher, student, size, django_assert_max_num_queries
):
    quiz = make_quiz(owner=teacher, clips=make_clips(size - size // 2, size // 2))
    attempt = services.attempt_start(quiz=quiz, learner=student)
    with django_assert_max_num_queries(7):
        assert student_client.get(take_url(attempt)).status_code == 200
    with django_assert_max_num_queries(5):
        assert student_client.get(take_url(attempt), headers={"HX-Request": "true"}).status_code == 200
    first, second = (attempt.items.get(position=p).token for p in (1, 2))
    # session, the item with its attempt, clip, learner and the attempt's state, then the insert
    # and the score upsert (inside a savepoint here: the test's own transaction).
    with django_assert_max_num_queries(6):
        assert answer(student_client, attempt, token=first, htmx=True).status_code == 200
    with django_assert_max_num_queries(6):
        assert answer(student_client, attempt, token=second).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 40])
def test_an_assessment_answer_and_its_next_item_take_a_bounded_number_of_queries(
    student_client, teacher, student, size, django_assert_max_num_queries
):
    """An assessment reveals nothing, so its htmx answer renders the next item in the same response."""
    quiz = make_quiz(owner=teacher, clips=make_clips(size - size // 2, size // 2), mode=Mode.ASSESSMENT)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    student_client.get(take_url(attempt))
    token = current_token(attempt)
    # The answer's six (as above), then the next item: the attempt's counts, the item with its
    # clip, and its first showing.
    with django_assert_max_num_queries(9):
        response = answer(student_client, attempt, token=token, htmx=True)
    assert response.status_code == 200 and "answer-form" in response.content.decode()
    while (token := current_token(attempt)) != attempt.items.order_by("position").last().token:
        answer(student_client, attempt, token=token, htmx=True)
    # The last answer: the six, the attempt's end (the same statement on PostgreSQL), and the
    # quiz's reveal date (is the end a reveal?), once per attempt.
    with django_assert_max_num_queries(8):
        response = answer(student_client, attempt, token=token, htmx=True)
    # No reveal date: the end of the attempt is the reveal, of the last item first.
    assert response.status_code == 200 and 'class="reveal"' in response.content.decode()


@pytest.mark.django_db
def test_answer_htmx_reveal_renders_from_the_objects_in_hand(student_client, attempt):
    """No query after the answer is stored: the reveal reads only the item, clip, attempt and response."""
    student_client.get(take_url(attempt))
    token = current_token(attempt)
    with CaptureQueriesContext(connection) as ctx:
        response = answer(student_client, attempt, token=token, htmx=True)
    assert response.status_code == 200 and 'class="reveal"' in response.content.decode()
    sqls = [q["sql"] for q in ctx.captured_queries]
    # session, the item with everything it needs and the learner's account (no query of its own:
    # accounts.backends), then the writes in a savepoint (the test's own transaction): one
    # statement on PostgreSQL, an insert and an upsert elsewhere.
    assert len(sqls) == (5 if connection.vendor == "postgresql" else 6), sqls
    assert not any(sql.startswith('SELECT "accounts_user"') for sql in sqls), sqls
    after_insert = sqls[[i for i, sql in enumerate(sqls) if "INSERT INTO" in sql][0] + 1:]
    assert all(not sql.startswith("SELECT") for sql in after_insert), after_insert
    # One read of the attempt (joined with the item), none of the quiz.
    assert sum('FROM "quiz_attempt"' in sql or 'JOIN "quiz_attempt"' in sql for sql in sqls) == 1
    assert not any('"quiz_quiz"' in sql for sql in sqls)


@pytest.mark.django_db
def test_last_answer_finishes_the_attempt_in_the_same_request(student_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1))
    attempt = services.attempt_start(quiz=quiz, learner=student)
    answer(student_client, attempt, htmx=True)
    response = answer(student_client, attempt, htmx=True)
    assert response.status_code == 200 and "See your results" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_finished


@pytest.mark.django_db
def test_guest_answer_is_scoped_to_the_guest_session(client, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1), is_public=True)
    client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempt = Attempt.objects.get(quiz=quiz)
    assert answer(client, attempt, htmx=True).status_code == 200
    other = type(client)()
    session = other.session
    session[services.GUEST_SESSION_KEY] = "someone-else"
    session.save()
    assert answer(other, attempt, htmx=True).status_code == 404
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["learner", "guest"])
def test_two_concurrent_starts_open_one_attempt(student, teacher, who):
    """A double click on "Start" (or two tabs) resumes one attempt; it never opens a second."""
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 2))
    if who == "guest":
        quiz.is_public = True
        quiz.save()
    who_kwargs = {"learner": student} if who == "learner" else {"guest_key": "browser-1"}
    started = at_once(lambda _: services.attempt_start(quiz=quiz, **who_kwargs).pk, 1, 2)
    assert len(started) == 2 and len(set(started)) == 1
    assert Attempt.objects.filter(quiz=quiz).count() == 1
    # Once finished, the next start is a new attempt.
    services.attempt_finish(attempt=Attempt.objects.get(pk=started[0]))
    assert services.attempt_start(quiz=quiz, **who_kwargs).pk != started[0]


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_attempt(student, teacher):
    from django.db import IntegrityError, transaction

    quiz = make_quiz(owner=teacher, clips=make_clips(2, 2))
    services.attempt_start(quiz=quiz, learner=student)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(quiz=quiz, learner=student, mode=quiz.mode)
    # A teacher's preview is its own kind of attempt, so it may be open beside one.
    Attempt.objects.create(quiz=quiz, learner=student, mode=quiz.mode, is_preview=True)


@pytest.mark.django_db(transaction=True)  # outside a transaction, as in a request: no savepoint to lean on
def test_answer_store_writes_all_or_nothing(attempt):
    """The answer, its score and the attempt's end go together: a score the database refuses
    (more hits than fakes) leaves no answer behind, on PostgreSQL's one statement and SQLite's three."""
    from django.db import IntegrityError

    from quiz import sql
    from quiz.models import AttemptScore

    target = sql.answer_target(token=current_token(attempt), attempt_pk=attempt.pk)
    bad = {"n": 1, "n_fake": 0, "hits": 1, "false_alarms": 0, "brier_e4": 0}
    assert AttemptScore.objects.filter(attempt=attempt, technique="authentic").exists()  # made at the start
    with pytest.raises(IntegrityError):
        sql.answer_store(item=target.item, technique="authentic", deltas=bad, last=True, answered_fake=True,
                         confidence=70, time_ms=5, point_x=None, point_y=None, grid_cell="", found_tell=None,
                         created_at=timezone.now())
    attempt.refresh_from_db()
    assert not Response.objects.exists() and attempt.finished_at is None
    assert not AttemptScore.objects.filter(n__gt=0).exists()


@pytest.mark.django_db
def test_a_start_that_loses_the_race_resumes_the_winners_attempt(student, teacher, monkeypatch):
    """Not left to thread timing: a rival start commits its open attempt between this start's
    check and its insert; the database refuses the second open attempt and the winner's is resumed."""
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 2))
    create = services._attempt_create
    rivals = []

    def rival_first(**kwargs):
        rivals.append(create(**kwargs))  # the other tab, a moment earlier
        return create(**kwargs)

    monkeypatch.setattr(services, "_attempt_create", rival_first)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    assert attempt.pk == rivals[0].pk and Attempt.objects.filter(quiz=quiz).count() == 1



def test_answer_forms_alive_at_once_each_follow_their_own_quiz():
    """The answer form's fields are shared by every instance (quiz.forms.SharedFields), and a
    threaded server holds forms of different quizzes at once: neither may change the other."""
    from quiz.forms import AnswerForm

    data = {"token": "t", "answer": "fake"}
    asking = AnswerForm.of(True, data)
    quiet = AnswerForm.of(False, data)
    assert quiet.is_valid() and quiet.answer_kwargs()["confidence"] is None
    assert not asking.is_valid() and asking.errors["confidence"] == ["Choose how sure you are."]
    sure = AnswerForm.of(True, {**data, "confidence": "70"})
    assert sure.is_valid() and sure.answer_kwargs()["confidence"] == 70


prepared_statements = pytest.mark.skipif(
    connection.vendor != "postgresql" or settings.ANSWER_PREPARE_THRESHOLD is None,
    reason="prepared statements are PostgreSQL's, and PG_PREPARE_THRESHOLD=off turns them off")


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@prepared_statements
def test_on_postgresql_the_answer_path_is_prepared_and_the_orm_is_not(student_client, teacher, student):
    """quiz.sql's statements bind on the server, so PostgreSQL keeps them planned (half the
    database's work per answer); the ORM's stay bound on the client, where no IN list can
    pass PostgreSQL's 65,535 parameters, and psycopg does not even count them."""
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=make_clips(4, 4)), learner=student)
    for _ in range(7):
        assert answer(student_client, attempt, htmx=True).status_code == 200
    prepared = _prepared()
    response_table, session_table = Response._meta.db_table, "django_session"
    assert any(s.startswith("WITH") and f'INSERT INTO "{response_table}"' in s for s in prepared), prepared
    assert any(s.startswith("SELECT") and "pg_prepared" not in s and "$1" in s for s in prepared), prepared
    assert not any(session_table in s for s in prepared), prepared
    assert connection.connection.prepare_threshold is None
    assert Response.objects.filter(item__attempt=attempt).count() == 7


@pytest.mark.django_db
@prepared_statements
def test_prepared_answers_are_logged_with_their_values(student_client, teacher, student):
    """Django's query log (debug pages, CaptureQueriesContext) shows every run, prepared or not."""
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=make_clips(4, 4)), learner=student)
    tokens = list(attempt.items.order_by("position").values_list("token", flat=True))
    with CaptureQueriesContext(connection) as queries:
        for token in tokens[:7]:
            assert answer(student_client, attempt, token=token, htmx=True).status_code == 200
    logged = [q["sql"] for q in queries.captured_queries]
    assert None not in logged
    for token in tokens[:7]:
        assert sum(token in sql for sql in logged) >= 1, token


@pytest.mark.django_db(transaction=True)
@prepared_statements
def test_a_migration_that_changes_a_returned_column_does_not_break_prepared_answers(
    student_client, teacher, student
):
    """PostgreSQL refuses a prepared statement whose result type changed ("cached plan must
    not change result type"): the answer path forgets its statements and runs once more."""
    attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=make_clips(4, 4)), learner=student)
    for _ in range(6):
        assert answer(student_client, attempt, htmx=True).status_code == 200
    assert any(s.startswith("SELECT") and "$1" in s for s in _prepared())
    table = connection.ops.quote_name(Clip._meta.db_table)
    length = Clip._meta.get_field("title").max_length
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN title TYPE varchar({length + 1})")
        assert answer(student_client, attempt, htmx=True).status_code == 200
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN title TYPE varchar({length})")
    assert answer(student_client, attempt, htmx=True).status_code == 200
    assert Response.objects.filter(item__attempt=attempt).count() == 8
