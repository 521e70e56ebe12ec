"""Journey 2: a teacher signs in, creates a class and assigns a lesson and a quiz."""

import re

import pytest
from django.core.management import call_command

from classroom.models import Assignment, Classroom
from lessons.models import Lesson

from .conftest import log_in
from .journeys import quiz_make

pytestmark = pytest.mark.django_db(transaction=True)

LESSON = "What deepfakes are, and a short history"


def test_teacher_creates_a_class_and_assigns_a_lesson_and_a_quiz(
    page, live_server, problems, axe, screenshot, teacher, password
):
    call_command("load_lessons", verbosity=0)
    quiz_make(title="Week 1: real or edited?", owner=teacher)

    log_in(page, live_server, teacher.email, password)
    axe("teacher home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Classes").click()
    page.get_by_role("heading", name="Your classes", level=1).wait_for()
    axe("class list (empty)")

    page.get_by_role("link", name="New class").click()
    page.get_by_label("Class name").fill("Year 10 media studies")
    axe("new class form")
    page.get_by_role("button", name="Create the class").click()
    classroom = Classroom.objects.get(name="Year 10 media studies")
    assert page.get_by_role("status").get_by_text(classroom.join_code).is_visible()
    axe("roster and join code")
    screenshot("class-roster")

    class_nav = page.get_by_role("navigation", name="This class")
    class_nav.get_by_role("link", name="Assign work").click()
    page.get_by_label(re.compile(r"^Lesson:?$")).select_option(label=LESSON)
    axe("assignment form")
    screenshot("assignment-form")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_role("status").get_by_text("Assigned.").wait_for()

    class_nav.get_by_role("link", name="Assign work").click()
    page.get_by_label(re.compile(r"^Quiz:?$")).select_option(label="Week 1: real or edited?")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_role("status").get_by_text("Assigned.").wait_for()

    work = page.get_by_role("table", name=re.compile("Progress on each assignment"))
    assert work.get_by_role("rowheader", name=re.compile(LESSON)).is_visible()
    assert work.get_by_role("rowheader", name=re.compile("Week 1: real or edited?")).is_visible()
    axe("class dashboard")
    screenshot("class-dashboard-empty")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Classes").click()
    assert page.get_by_role("cell", name=classroom.join_code).is_visible()
    axe("class list")
    screenshot("class-list")

    assignments = Assignment.objects.filter(classroom=classroom)
    assert sorted(a.title for a in assignments) == sorted([LESSON, "Week 1: real or edited?"])
    assert assignments.get(lesson__isnull=False).lesson == Lesson.objects.get(slug="what-are-deepfakes")


def test_teacher_sees_the_clip_library(page, live_server, problems, axe, screenshot, teacher, password):
    from tests.factories import ClipFactory

    ClipFactory(title="Harbour at dusk")
    ClipFactory(fake=True, title="Harbour, cloned boat")
    log_in(page, live_server, teacher.email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clip library").click()
    page.get_by_text("Harbour, cloned boat").wait_for()
    # Outside an unanswered quiz item a synthetic clip says so in words, not just in colour.
    assert page.locator(".badge-synthetic").first.inner_text().strip() == "Synthetic"
    axe("clip library")
    screenshot("clip-library-factory")


def test_going_back_after_turning_the_students_page_raises_no_script_error(page, live_server, problems, teacher,
                                                                            password):
    """htmx restores a page from its history with no swap target: app.js read one and threw."""
    from tests.classroom.conftest import build_class

    data = build_class(n_students=30, teacher=teacher, tag="pages", answers=False)
    log_in(page, live_server, teacher.email, password)
    page.goto(f"{live_server.url}/classes/{data.classroom.public_id}/")
    page.get_by_role("link", name="Next page").click()
    page.get_by_text("Page 2 of 2", exact=True).wait_for()
    page.get_by_role("link", name="Previous page").click()
    page.get_by_text("Page 1 of 2", exact=True).wait_for()
    page.go_back()
    page.wait_for_timeout(500)
    page.go_forward()
    page.wait_for_timeout(500)
