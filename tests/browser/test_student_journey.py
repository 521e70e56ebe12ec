"""Journeys 3 and 4: a student signs up, joins a class with its code, reads the assigned
lesson and answers its checks, takes the assigned quiz with the keyboard alone; then
the teacher finds that student on the class dashboard.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from classroom import services as classroom_services
from lessons.models import Lesson
from quiz.models import Attempt

from .conftest import log_in
from .journeys import VERDICTS, focus_is, focused, live_text, quiz_make, tab_to, wait_announced

pytestmark = pytest.mark.django_db(transaction=True)

QUIZ = "Week 1: real or edited?"
N_ITEMS = 5


@pytest.fixture
def assigned_class(teacher):
    """A class with a lesson and a quiz set, made through the services (journey 2 drives the pages)."""
    call_command("load_lessons", verbosity=0)
    classroom = classroom_services.classroom_create(owner=teacher, name="Year 10 media studies")
    lesson = Lesson.objects.get(slug="what-are-deepfakes")
    quiz = quiz_make(title=QUIZ, owner=teacher, n_fake=3, n_real=2)
    opens = timezone.now() - timezone.timedelta(minutes=5)
    for work in ({"lesson": lesson}, {"quiz": quiz}):
        classroom_services.assignment_create(classroom=classroom, created_by=teacher, opens_at=opens, **work)
    return classroom, lesson, quiz


def answer_item_with_keys(page, position: int) -> None:
    """Answer the current item by keyboard, a different way each time."""
    form = page.locator("#quiz-region form.answer-form")
    style = position % 3
    if style == 1:
        # Tab into the radio groups and pick with Space and the arrow keys.
        tab_to(page, "el.name === 'answer'")
        page.keyboard.press("ArrowDown")  # Real -> Fake, and checks it
        assert form.locator("input[name=answer][value=fake]").is_checked()
        tab_to(page, "el.name === 'confidence'")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert form.locator("input[name=confidence][value='70']").is_checked()
        tab_to(page, "el.type === 'submit'")
        page.keyboard.press("Enter")
    else:
        # The documented shortcuts: R / F, then 5-9 or 0.
        answer, sure, send = ("f", "9", "Space") if style == 2 else ("r", "0", "Enter")
        page.keyboard.press(answer)
        page.keyboard.press(sure)
        value = "fake" if answer == "f" else "real"
        assert form.locator(f"input[name=answer][value={value}]").is_checked()
        assert form.locator(f"input[name=confidence][value='{90 if sure == '9' else 100}']").is_checked()
        tab_to(page, "el.type === 'submit'")
        page.keyboard.press(send)


def test_student_signs_up_joins_learns_and_takes_the_quiz_by_keyboard_then_teacher_sees_them(
    page, live_server, problems, axe, screenshot, assigned_class, teacher, password
):
    classroom, lesson, quiz = assigned_class

    # Sign up and join with the code.
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("E-mail address").fill("robin@example.com")
    page.get_by_label("Your name (optional)").fill("Robin Reader")
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/home/")
    axe("student home")
    page.get_by_role("link", name="Join a class with a code").click()
    page.get_by_label("Class code").fill(classroom.join_code.lower())
    axe("join form")
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="My work", level=1).wait_for()
    assert page.get_by_role("heading", name="Year 10 media studies").is_visible()
    axe("my work")
    screenshot("my-work")

    # Read the lesson and answer its checks.
    page.get_by_role("link", name=lesson.title).click()
    page.get_by_role("heading", name=lesson.title, level=1).wait_for()
    axe("lesson")
    screenshot("lesson")
    for number, check in enumerate(lesson.checks, start=1):
        box = page.locator(f"#check-{check['id']}")
        right = next(option["text"] for option in check["options"] if option["correct"])
        box.get_by_label(right).check()
        box.get_by_role("button", name="Check answer").click()
        feedback = box.locator(".check-result")
        feedback.wait_for()
        assert feedback.inner_text().startswith("Correct.")
        # Focus follows the swap to the feedback: a screen reader reads it there, once
        # (no live region says it as well).
        assert focus_is(page, f"el.closest('#check-{check['id']}-feedback')"), focused(page)
        assert page.evaluate("document.activeElement.textContent").strip().startswith("Correct.")
    # The last check may bring the end of the lesson into view, which marks it done in the
    # background (quietly: the reader is busy elsewhere). Otherwise reaching "Mark as done"
    # does so, and whichever lands first, focus ends on the result, never on <body>.
    page.wait_for_load_state("networkidle")
    if page.get_by_role("button", name="Mark as done").count():
        page.get_by_role("button", name="Mark as done").focus()
        page.keyboard.press("Enter")
        page.locator("#completion .lesson-done").wait_for()
        page.wait_for_load_state("networkidle")
        assert focus_is(page, "el.matches('#completion .lesson-done')"), focused(page)
    else:
        assert page.locator("#completion .lesson-done").is_visible()
        assert focus_is(page, "el.closest('.check-feedback')"), focused(page)
    assert "Correct." not in live_text(page) and "You finished" not in live_text(page)
    axe("lesson, done")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lessons").click()
    page.get_by_role("heading", name="Lessons", level=1).wait_for()
    assert page.locator(f"#progress-{lesson.slug}-text").inner_text().strip() == "Done"
    axe("lessons overview")
    screenshot("lessons-overview")

    # The quiz, keyboard alone: no clicks from here to the results.
    page.goto(live_server.url + "/classes/my-work/")
    tab_to(page, f"el.tagName === 'A' && el.textContent.trim() === {QUIZ!r}")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=QUIZ, level=1).wait_for()
    tab_to(page, "el.textContent.trim() === 'Start the quiz'")
    page.keyboard.press("Enter")
    for position in range(1, N_ITEMS + 1):
        page.get_by_role("heading", name=f"Item {position} of {N_ITEMS}").wait_for()
        if position > 1:
            assert focus_is(page, "el.id === 'item-heading'"), focused(page)
        answer_item_with_keys(page, position)
        page.locator("#quiz-region .reveal").wait_for()
        assert focus_is(page, "el.matches('#quiz-region .reveal h2')"), focused(page)
        wait_announced(page, *VERDICTS)
        if position == 1:
            screenshot("quiz-reveal-keyboard")
        link = "Next item" if position < N_ITEMS else "See your results"
        tab_to(page, f"el.tagName === 'A' && el.textContent.trim() === {link!r}")
        page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"Results: {QUIZ}", level=1).wait_for()
    assert page.get_by_text(f"You answered {N_ITEMS} of {N_ITEMS} items.").is_visible()
    attempt = Attempt.objects.get(quiz=quiz)
    assert attempt.learner.email == "robin@example.com" and attempt.finished_at is not None
    assert attempt.items.filter(response__isnull=False).count() == N_ITEMS

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    statuses = page.locator(".work-status")
    assert [s.inner_text() for s in statuses.all()] and all(s.inner_text().strip() for s in statuses.all())
    # Leaving asks first and says what happens; staying changes nothing.
    page.get_by_role("link", name="Leave Year 10 media studies").click()
    page.get_by_role("heading", name="Leave Year 10 media studies?", level=1).wait_for()
    axe("leave a class")
    page.get_by_role("link", name="Stay in the class").click()
    page.get_by_role("heading", name="My work", level=1).wait_for()

    # Journey 4: the teacher sees the student on the class dashboard.
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, teacher.email, password)
    page.get_by_role("link", name="Year 10 media studies").first.click()
    page.get_by_role("heading", name="Year 10 media studies", level=1).wait_for()
    students = page.get_by_role("table", name=re.compile("Each student's work"))
    row = students.get_by_role("row", name=re.compile("Robin Reader"))
    cells = [c.inner_text().strip() for c in row.get_by_role("cell").all()]
    assert cells[:3] == ["2 of 2", "0", str(N_ITEMS)], cells
    axe("class dashboard with a student")
    screenshot("class-dashboard")
    row.get_by_role("link", name="Robin Reader").click()
    page.get_by_role("heading", name=re.compile("Robin Reader"), level=1).wait_for()
    axe("student detail")
    screenshot("student-detail")
