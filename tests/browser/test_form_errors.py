"""Forms as a keyboard and screen-reader user meets them: after a refused submit the page
says so in its title and puts focus on a summary of what went wrong, each error linking to
its field; fields are tied to their help and errors; groups of radios and checkboxes have a
name.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in
from .journeys import focus_is, focused

pytestmark = pytest.mark.django_db(transaction=True)

SUMMARY = "el.matches('.error-summary')"


def assert_error_summary_has_focus(page, *expected: str) -> None:
    """What a screen reader reads first on a re-shown form: the title, then the focused summary."""
    assert page.title().startswith("Error: "), page.title()
    assert focus_is(page, SUMMARY), focused(page)
    said = page.evaluate("document.activeElement.textContent.replace(/\\s+/g, ' ')")
    assert said.strip().startswith("There is a problem"), said
    for words in expected:
        assert words in said, f"{words!r} not in the focused summary: {said!r}"


def test_a_refused_sign_up_puts_focus_on_a_summary_that_links_to_each_field(page, live_server, problems, axe):
    problems.allow("/accounts/signup/", 422)
    page.goto(live_server.url + "/accounts/signup/")
    # The password rules are the password field's description, not an empty paragraph.
    expect(page.locator("#id_password1")).to_have_accessible_description(re.compile("at least 8 characters"))
    assert page.title() == "Sign up · Second Look"

    page.get_by_label("E-mail address").fill("not-an-email")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_error_summary_has_focus(page, "E-mail address: Enter a valid email address.", "too short")
    axe("sign-up with errors")

    email = page.locator("#id_email")
    assert email.get_attribute("aria-invalid") == "true"
    expect(email).to_have_accessible_description(re.compile("Enter a valid email address"))
    # Each listed error takes the reader to its field.
    page.locator(".error-summary").get_by_role("link", name=re.compile("^E-mail address")).press("Enter")
    assert focus_is(page, "el.id === 'id_email'"), focused(page)


def test_a_refused_log_in_marks_both_fields_and_says_why(page, live_server, problems, axe, student):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail address").fill(student.email)
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_error_summary_has_focus(page, "Please enter a correct e-mail address and password")
    for field in (page.get_by_label("E-mail address"), page.locator("#id_password")):
        assert field.get_attribute("aria-invalid") == "true"
        expect(field).to_have_accessible_description(re.compile("Please enter a correct e-mail address"))
    # What was typed stays, what is secret does not.
    assert page.get_by_label("E-mail address").input_value() == student.email
    assert page.locator("#id_password").input_value() == ""
    axe("log-in refused")


def test_the_quiz_builder_names_its_groups_and_summarises_its_errors(page, live_server, problems, axe,
                                                                     teacher, password):
    problems.allow("/quiz/manage/new/", 422)
    log_in(page, live_server, teacher.email, password)
    page.goto(live_server.url + "/quiz/manage/new/")
    for name in ("Mode", "Selection", "Media types", "Techniques", "Difficulties"):
        group = page.get_by_role("group", name=re.compile(f"^{name}"))
        expect(group).to_have_count(1)
        assert group.locator("input[type=radio], input[type=checkbox]").count() >= 2, name
    expect(page.get_by_role("group", name=re.compile("^Media types"))).to_have_accessible_description(
        re.compile("Random draw only"))

    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_error_summary_has_focus(page, "Title: This field is required.")
    axe("new quiz with errors")


def test_a_refused_assignment_puts_focus_on_the_summary(page, live_server, problems, axe, teacher, password):
    from classroom import services as class_services

    classroom = class_services.classroom_create(owner=teacher, name="Year 9")
    url = f"/classes/{classroom.public_id}/assignments/new/"
    problems.allow(url, 422)
    log_in(page, live_server, teacher.email, password)
    page.goto(live_server.url + url)
    page.locator("#id_opens_at").fill("")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_error_summary_has_focus(page, "Opens: This field is required.")
    page.locator(".error-summary").get_by_role("link", name=re.compile("^Opens")).press("Enter")
    assert focus_is(page, "el.id === 'id_opens_at'"), focused(page)
    axe("assignment with errors")


def test_an_impossible_date_typed_by_hand_is_refused_in_words_and_erases_nothing(page, live_server, problems, axe,
                                                                                   teacher, password):
    """The browser sends 31 February as an empty value; the server, seeing no due date, said
    "Assignment saved." and erased the one there was. Nothing is sent, and the summary says which date."""
    from datetime import timedelta

    from django.utils import timezone

    from classroom import services as class_services
    from tests.quiz.conftest import make_clips, make_quiz

    classroom = class_services.classroom_create(owner=teacher, name="Year 9")
    due = timezone.now() + timedelta(days=7)
    assignment = class_services.assignment_create(classroom=classroom, created_by=teacher, due_at=due,
                                                  quiz=make_quiz(owner=teacher, clips=make_clips(1, 1)))
    log_in(page, live_server, teacher.email, password)
    page.goto(f"{live_server.url}/classes/{classroom.public_id}/assignments/{assignment.public_id}/edit/")
    due_field = page.locator("#id_due_at")
    due_field.click()
    due_field.press("Control+a")
    page.keyboard.type("02312031")  # month, day, year in Chromium's en-US order: 31 February
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('#id_due_at').validity.badInput")
    page.get_by_role("button", name=re.compile("^Save")).click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert focus_is(page, SUMMARY), focused(page)
    assert "this is not a real date or time" in summary.inner_text()
    assert due_field.get_attribute("aria-invalid") == "true"
    assignment.refresh_from_db()
    assert assignment.due_at is not None and abs((assignment.due_at - due).total_seconds()) < 1
    axe("assignment with an impossible date")


def test_an_assignment_the_rules_refuse_is_a_form_error_with_focus_on_the_summary(page, live_server, problems, axe,
                                                                                     teacher, password):
    """Due before it opens: the refusal sat in an alert already on the page when it loaded (screen
    readers rarely read that), with no "Error:" in the title and focus on <body>."""
    from classroom import services as class_services
    from tests.quiz.conftest import make_clips, make_quiz

    classroom = class_services.classroom_create(owner=teacher, name="Year 9")
    make_quiz(owner=teacher, clips=make_clips(1, 1), title="Week 3 check")
    url = f"/classes/{classroom.public_id}/assignments/new/"
    problems.allow(url, 422)
    log_in(page, live_server, teacher.email, password)
    page.goto(live_server.url + url)
    page.locator("#id_quiz").select_option(label="Week 3 check")
    page.locator("#id_opens_at").fill("2031-03-10T09:00")
    page.locator("#id_due_at").fill("2031-03-09T09:00")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_error_summary_has_focus(page, "after the opening")
    axe("assignment refused by the rules")
