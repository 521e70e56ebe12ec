"""Lesson pages: access, knowledge checks (htmx and full page), progress, privacy, query counts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from lessons import links
from lessons.models import CheckAnswer, Lesson, LessonProgress
from lessons.services import check_answer_record, lesson_complete, lesson_section_read

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def lesson_url(slug="lesson-2"):
    return reverse("lessons:lesson_detail", args=[slug])


def check_url(slug="lesson-2"):
    return reverse("lessons:check_answer", args=[slug])


def complete_url(slug="lesson-2"):
    return reverse("lessons:lesson_complete", args=[slug])


def section_url(number, slug="lesson-2"):
    return reverse("lessons:section_read", args=[slug, number])


@pytest.fixture
def other_client(db):
    other = User.objects.create_user(email="olly.other@example.com", display_name="Olly")
    client = Client()
    client.force_login(other)
    return client


# Access -------------------------------------------------------------------------------


def test_overview_is_public_and_invites_sign_up(client, loaded):
    response = client.get(reverse("lessons:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Create a free account" in html and reverse("accounts:signup") in html
    assert "Lesson 1: lesson-1" in html and lesson_url("lesson-1") in html
    assert "<progress" not in html


def test_anonymous_visitor_is_sent_to_log_in_from_a_lesson(client, loaded):
    response = client.get(lesson_url())
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={lesson_url()}"


@pytest.mark.parametrize("url, data", [
    (check_url(), {"check": "q1", "option": "0"}),
    (complete_url(), {}),
    (section_url(1), {}),
])
def test_anonymous_posts_record_nothing_and_go_to_log_in(client, loaded, url, data):
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={lesson_url()}"
    htmx = client.post(url, data, headers=HTMX)
    assert htmx.status_code == 200
    assert htmx["HX-Redirect"] == f"{reverse('accounts:login')}?next={lesson_url()}"
    assert not LessonProgress.objects.exists() and not CheckAnswer.objects.exists()


def test_an_unpublished_lesson_is_not_found(student_client, lesson):
    Lesson.objects.filter(pk=lesson.pk).update(is_published=False)
    assert student_client.get(lesson_url()).status_code == 404
    assert student_client.post(check_url(), {"check": "q1", "option": "0"}).status_code == 404


# The lesson page ----------------------------------------------------------------------


def test_lesson_page_has_one_h1_toc_reading_time_and_previous_next(student_client, lesson):
    html = student_client.get(lesson_url()).content.decode()
    assert html.count("<h1") == 1
    assert "About 1 min read" in html
    toc = re.search(r'<nav class="lesson-toc".*?</nav>', html, re.S).group()
    for section in lesson.sections:
        assert f'href="#{section["id"]}"' in toc and f'id="{section["id"]}"' in html
    assert f'href="{lesson_url("lesson-1")}" rel="prev"' in html
    assert f'href="{lesson_url("lesson-3")}" rel="next"' in html
    assert "Lesson 2 of 3" in html


def test_opening_a_lesson_starts_it_once(student_client, student, lesson):
    student_client.get(lesson_url())
    student_client.get(lesson_url())
    progress = LessonProgress.objects.get(learner=student)
    assert progress.lesson == lesson and progress.completed_at is None


def test_each_check_is_a_fieldset_with_legend_and_a_feedback_region_that_is_not_live(student_client, lesson):
    """Focus moves to the feedback when it arrives (app.js); a live region as well would read it twice."""
    html = student_client.get(lesson_url()).content.decode()
    assert html.count("<fieldset>") == len(lesson.checks) == html.count("<legend>")
    assert "Question 1: Which word goes with" in html
    for check in lesson.checks:
        assert f'<div class="check-feedback" id="check-{check["id"]}-feedback">' in html
        assert f'hx-target="#check-{check["id"]}-feedback"' in html
    assert '<div id="completion" class="lesson-completion">' in html
    assert f'action="{check_url()}"' in html and f'hx-post="{check_url()}"' in html


def test_no_explanation_or_correct_answer_is_in_the_page_before_answering(student_client, lesson):
    html = student_client.get(lesson_url()).content.decode()
    assert "EXPLAIN-" not in html
    assert "correct" not in html.lower().replace("check your understanding", "")


def test_no_inline_scripts_styles_or_hx_on(student_client, lesson):
    response = student_client.get(lesson_url())
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    for tag in re.findall(r"<script[^>]*>", html):
        assert f'nonce="{nonce}"' in tag and "src=" in tag
    assert "lessons.js" in html
    assert "<style" not in html and " style=" not in html and "hx-on" not in html


# Knowledge checks ---------------------------------------------------------------------


def test_htmx_answer_returns_the_feedback_partial_in_words_and_records_it(student_client, student, lesson):
    response = student_client.post(check_url(), {"check": "q2", "option": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert "Correct." in html and "EXPLAIN-Q2-NO" in html
    assert "EXPLAIN-Q2-YES" not in html
    assert "data-autofocus" in html
    answer = CheckAnswer.objects.get(learner=student, lesson=lesson, check_id="q2")
    assert (answer.option_index, answer.correct, answer.attempts) == (1, True, 1)


def test_htmx_wrong_answer_says_incorrect_with_the_chosen_options_explanation(student_client, lesson):
    html = student_client.post(check_url(), {"check": "q2", "option": "2"}, headers=HTMX).content.decode()
    assert "Incorrect." in html and "EXPLAIN-Q2-NIGHT" in html
    assert "EXPLAIN-Q2-NO" not in html and "Correct." not in html


def test_full_page_answer_without_javascript_comes_back_to_the_page_with_feedback(student_client, lesson):
    response = student_client.post(check_url(), {"check": "q1", "option": "1"})
    assert response.status_code == 302
    assert response.url == f"{lesson_url()}#check-q1"
    html = student_client.get(lesson_url()).content.decode()
    assert "Incorrect." in html and "EXPLAIN-Q1-WRONG" in html
    assert 'id="check-q1-option-1" required checked' in html


def test_answering_again_keeps_only_the_latest_answer_and_counts_attempts(student_client, student, lesson):
    student_client.post(check_url(), {"check": "q1", "option": "1"}, headers=HTMX)
    student_client.post(check_url(), {"check": "q1", "option": "0"}, headers=HTMX)
    answer = CheckAnswer.objects.get(learner=student, lesson=lesson, check_id="q1")
    assert (answer.option_index, answer.correct, answer.attempts) == (0, True, 2)
    assert answer.first_answered_at <= answer.answered_at


@pytest.mark.parametrize("data, message", [
    ({"check": "q1", "option": "7"}, "That answer is not one of the options."),
    ({"check": "q1", "option": "-1"}, "That answer is not one of the options."),
    ({"check": "q1", "option": "abc"}, "Choose one of the answers"),
    ({"check": "q1"}, "Choose one of the answers"),
    ({"check": "q9", "option": "0"}, "This question is not part of the lesson"),
    ({"option": "0"}, "Say which question you are answering."),
])
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "full-page"])
def test_bad_answers_get_a_clear_422_and_record_nothing(student_client, lesson, data, message, headers):
    response = student_client.post(check_url(), data, headers=headers)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CheckAnswer.objects.exists()
    if headers:
        assert "<html" not in response.content.decode()
    else:
        assert response.content.decode().count("<h1") == 1


def test_check_answer_only_accepts_post(student_client, lesson):
    assert student_client.get(check_url()).status_code == 405


def test_a_check_removed_from_the_file_keeps_its_answer_but_is_not_shown(student_client, student, lesson):
    check_answer_record(learner=student, lesson=lesson, check_id="q2", option_index=1)
    lesson.checks = lesson.checks[:1]
    lesson.save()
    html = student_client.get(lesson_url()).content.decode()
    assert "EXPLAIN-Q2" not in html and "check-q2" not in html
    assert CheckAnswer.objects.filter(learner=student, check_id="q2").exists()


# Progress and completion --------------------------------------------------------------


def test_section_markers_record_the_furthest_section_read(student_client, student, lesson):
    assert student_client.post(section_url(2), headers=HTMX).status_code == 204
    assert student_client.post(section_url(1), headers=HTMX).status_code == 204
    assert LessonProgress.objects.get(learner=student).sections_read == 2
    overview = student_client.get(reverse("lessons:overview")).content.decode()
    assert "2 of 3 sections read" in overview
    assert 'max="3" value="2"' in overview


@pytest.mark.parametrize("number", [0, 4])
def test_a_section_that_does_not_exist_is_refused(student_client, lesson, number):
    response = student_client.post(section_url(number), headers=HTMX)
    assert response.status_code == 422
    assert not LessonProgress.objects.filter(sections_read__gt=0).exists()


def test_page_renders_markers_only_for_sections_not_yet_read(student_client, student, lesson):
    lesson_section_read(learner=student, lesson=lesson, section=2)
    html = student_client.get(lesson_url()).content.decode()
    assert section_url(3) in html and section_url(2) not in html and section_url(1) not in html
    assert 'hx-trigger="intersect once"' in html and complete_url() in html


def test_mark_as_done_works_without_javascript(student_client, student, lesson):
    response = student_client.post(complete_url())
    assert response.status_code == 302 and response.url == f"{lesson_url()}#completion"
    progress = LessonProgress.objects.get(learner=student, lesson=lesson)
    assert progress.completed_at is not None and progress.sections_read == lesson.section_count
    html = student_client.get(lesson_url()).content.decode()
    assert "You finished this lesson" in html and "Mark as done" not in html
    assert "intersect once" not in html
    assert "Done" in student_client.get(reverse("lessons:overview")).content.decode()


def test_mark_as_done_with_htmx_moves_focus_to_the_message(student_client, lesson):
    html = student_client.post(complete_url(), headers=HTMX).content.decode()
    assert "<html" not in html and "Done." in html and "data-autofocus" in html


def test_reaching_the_end_marker_completes_without_taking_focus(student_client, student, lesson):
    html = student_client.post(complete_url(), {"reached_end": "1"}, headers=HTMX).content.decode()
    assert "Done." in html and "data-autofocus" not in html
    assert LessonProgress.objects.get(learner=student).completed_at is not None


def test_completing_twice_keeps_the_first_completion_time(student, lesson):
    first = lesson_complete(learner=student, lesson=lesson).completed_at
    assert lesson_complete(learner=student, lesson=lesson).completed_at == first


# Privacy ------------------------------------------------------------------------------


def test_another_student_sees_their_own_state_not_the_first_students(student_client, other_client, lesson):
    student_client.post(check_url(), {"check": "q1", "option": "1"})
    student_client.post(complete_url())
    assert "EXPLAIN-Q1-WRONG" in student_client.get(lesson_url()).content.decode()

    html = other_client.get(lesson_url()).content.decode()
    assert "EXPLAIN-" not in html and "Incorrect." not in html and " checked" not in html
    assert "Mark as done" in html and "You finished" not in html
    overview = other_client.get(reverse("lessons:overview")).content.decode()
    assert "lesson-status-done" not in overview
    assert "lesson-status-done" in student_client.get(reverse("lessons:overview")).content.decode()


def test_htmx_answer_partial_shows_only_the_posting_students_answer(student_client, other_client, lesson):
    student_client.post(check_url(), {"check": "q2", "option": "0"}, headers=HTMX)
    html = other_client.post(check_url(), {"check": "q2", "option": "1"}, headers=HTMX).content.decode()
    assert "Correct." in html and "EXPLAIN-Q2-NO" in html and "EXPLAIN-Q2-YES" not in html
    assert CheckAnswer.objects.count() == 2


def test_deleting_an_account_deletes_its_learning_records(student, lesson):
    lesson_complete(learner=student, lesson=lesson)
    check_answer_record(learner=student, lesson=lesson, check_id="q1", option_index=0)
    student.delete()
    assert not LessonProgress.objects.exists() and not CheckAnswer.objects.exists()


# Practice quiz link -------------------------------------------------------------------


def test_practice_link_goes_to_the_quiz_on_the_lessons_techniques(student_client, lesson):
    from clips.models import Technique
    from tests.factories import ClipFactory

    ClipFactory(fake=True, technique=Technique.FACE_SWAP)
    html = student_client.get(lesson_url()).content.decode()
    assert "Take the practice quiz" in html and "Face swap" in html
    assert f'href="{reverse("quiz:practice")}?technique=face_swap"' in html


def test_practice_link_is_left_out_while_no_practice_url_resolves(monkeypatch, student_client, lesson):
    monkeypatch.setattr(links, "PRACTICE_URL_NAME", "quiz:no-such-page")
    assert links.practice_quiz_url(["face_swap"]) is None
    assert "Take the practice quiz" not in student_client.get(lesson_url()).content.decode()


def test_practice_link_is_left_out_while_no_public_fake_of_those_techniques_is_ready(student_client, lesson):
    """A practice set of real clips only would teach nothing (and every answer "real" would be right)."""
    from clips.models import Status, Technique, Visibility
    from tests.factories import ClipFactory

    ClipFactory.create_batch(3)
    ClipFactory(fake=True, technique=Technique.SPLICE)
    ClipFactory(fake=True, technique=Technique.FACE_SWAP, visibility=Visibility.PRIVATE)
    ClipFactory(fake=True, technique=Technique.FACE_SWAP, status=Status.PROCESSING)
    assert "Take the practice quiz" not in student_client.get(lesson_url()).content.decode()


def test_practice_link_is_left_out_for_a_lesson_without_techniques():
    assert links.practice_quiz_url([]) is None


# Query counts -------------------------------------------------------------------------


def _answer_everything(learner):
    for lesson in Lesson.objects.all():
        for check in lesson.checks:
            check_answer_record(learner=learner, lesson=lesson, check_id=check["id"], option_index=0)
        lesson_complete(learner=learner, lesson=lesson)


@pytest.mark.parametrize("answered", [False, True], ids=["nothing-answered", "everything-answered"])
def test_overview_query_count_is_bounded(
    student_client, student, loaded, django_assert_max_num_queries, answered
):
    if answered:
        _answer_everything(student)
    # session, user, the teacher-role check in the layout, courses, lessons, the learner's progress
    with django_assert_max_num_queries(6):
        assert student_client.get(reverse("lessons:overview")).status_code == 200


@pytest.mark.parametrize("answered", [False, True], ids=["nothing-answered", "everything-answered"])
def test_lesson_page_query_count_is_bounded(
    student_client, student, lesson, django_assert_max_num_queries, answered
):
    if answered:
        _answer_everything(student)
    student_client.get(lesson_url())
    # session, user, the teacher-role check in the layout, lesson, progress, answers, the course's
    # lessons, whether the practice set has a fake to show
    with django_assert_max_num_queries(8):
        assert student_client.get(lesson_url()).status_code == 200
