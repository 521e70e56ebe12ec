"""Accessibility checks that the journeys alone would not catch: focus and announcements
after htmx swaps, keyboard reach on the quiz page, reduced motion, colour never the only
signal, and that the axe check itself fails when a page gains a serious violation.
"""

import re

import pytest

from clips.models import Status

from .conftest import log_in
from .journeys import VERDICTS, focus_is, focused, quiz_make, tab_to, wait_announced

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guest_attempt(page, live_server):
    """A guest on the first item of a three-item public practice quiz."""
    quiz_make(title="Practice: spot the edit", public=True, n_fake=2, n_real=1)
    page.goto(live_server.url + "/quiz/guest/")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_role("heading", name="Item 1 of 3").wait_for()
    return page


def test_focus_lands_in_the_swapped_region_and_the_change_is_announced(guest_attempt, problems):
    page = guest_attempt
    page.get_by_label("Real").check()
    page.get_by_label("50 % — a guess").check()
    page.get_by_role("button", name="Submit answer").click()
    page.locator("#quiz-region .reveal").wait_for()
    # Not <body>, not the detached submit button: the reveal's own heading.
    assert focus_is(page, "el.matches('#quiz-region .reveal h2[tabindex=\"-1\"]')"), focused(page)
    assert page.evaluate("document.activeElement !== document.body")
    verdict = page.locator("#quiz-region .reveal-verdict").inner_text()
    assert verdict.startswith(VERDICTS)
    wait_announced(page, verdict.split(".")[0] + ".")

    page.get_by_role("link", name="Next item").click()
    page.get_by_role("heading", name="Item 2 of 3").wait_for()
    # Focus on the new heading is what a screen reader reads; the live region must not
    # say it again (a heading read twice on every item adds up over a quiz).
    assert focus_is(page, "el.id === 'item-heading'"), focused(page)
    page.wait_for_timeout(300)
    assert "Item 2 of 3" not in page.locator("#announcer").inner_text()


def test_every_quiz_control_is_reachable_in_order_with_a_visible_focus_ring(guest_attempt, problems):
    page = guest_attempt
    page.locator("#item-heading").focus()
    stops = tab_to(page, "el.type === 'submit'")
    kinds = [stop.split(":")[0] for stop in stops]
    answer = kinds.index("input[name=answer][type=radio]")
    confidence = kinds.index("input[name=confidence][type=radio]")
    cell = kinds.index("input[name=cell][type=radio]")
    assert answer < confidence < cell < len(kinds) - 1, stops
    assert any(stop.startswith("button[type=button]: Zoom in") for stop in stops[:answer]), stops

    # Every stop shows where focus is (the :focus-visible ring from app.css).
    page.locator("#item-heading").focus()
    for _ in range(len(stops)):
        page.keyboard.press("Tab")
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert ring != "none", f"no focus ring on {focused(page)}"

    # Arrow keys move within a group; Space and Enter operate buttons.
    page.locator("#item-heading").focus()
    tab_to(page, "el.name === 'cell'")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=cell]:checked").get_attribute("value") != ""
    tab_to(page, "el.hasAttribute('data-zoom')", key="Shift+Tab")
    page.keyboard.press("Space")
    assert page.get_by_role("button", name="Zoom out").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Enter")
    assert page.get_by_role("button", name="Zoom in").get_attribute("aria-pressed") == "false"

    summary = page.locator("details.quiz-shortcuts summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.quiz-shortcuts").evaluate("el => el.open")

    page.keyboard.press("f")
    page.keyboard.press("7")
    tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
    page.locator("#quiz-region .reveal").wait_for()
    tab_to(page, "el.textContent.trim() === 'Next item'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Item 2 of 3").wait_for()


def test_reduced_motion_turns_off_every_transition_and_animation(guest_attempt, problems):
    page = guest_attempt
    # A transition someone might add later: the reduced-motion rule must still win.
    # (Through the CSSOM: the page's CSP rightly blocks an injected <style> element.)
    page.evaluate("""() => {
        const sheet = [...document.styleSheets].find(s => (s.href || '').endsWith('app.css'));
        for (const rule of ['.button { transition: background-color .4s ease; }',
                            '@keyframes pulse { from { opacity: .5; } to { opacity: 1; } }',
                            '.badge, #item-heading { animation: pulse 1s infinite; }']) {
            sheet.insertRule(rule, sheet.cssRules.length);
        }
    }""")
    moving = """() => [...document.querySelectorAll('*')].filter(el => {
        const s = getComputedStyle(el);
        return s.transitionDuration.split(',').some(d => parseFloat(d) > 0) || s.animationName !== 'none';
    }).map(el => el.tagName + '.' + el.className)"""
    button = page.get_by_role("button", name="Submit answer")
    assert button.evaluate("el => getComputedStyle(el).transitionDuration") == "0s"
    assert page.evaluate(moving) == []
    page.get_by_label("Fake").check()
    page.get_by_label("90 % — very sure").check()
    button.click()
    page.locator("#quiz-region .reveal").wait_for()
    assert page.evaluate(moving) == []
    assert page.evaluate("document.getAnimations().length") == 0

    # The check can see motion: without the preference the injected transition is there.
    page.emulate_media(reduced_motion="no-preference")
    assert page.get_by_role("link", name="Next item").evaluate(
        "el => getComputedStyle(el).transitionDuration") == "0.4s"


def test_colour_is_never_the_only_signal(guest_attempt, problems, student, password, live_server):
    page = guest_attempt
    for _ in range(3):
        page.get_by_label("Fake").check()
        page.get_by_label("60 % — leaning").check()
        page.get_by_role("button", name="Submit answer").click()
        reveal = page.locator("#quiz-region .reveal")
        reveal.wait_for()
        assert reveal.locator(".badge").inner_text().strip() in ("Synthetic", "Real")
        verdict = reveal.locator(".reveal-verdict strong").inner_text()
        assert verdict in VERDICTS, "right and wrong differ in words, not only in green and red"
        link = page.get_by_role("link", name="Next item")
        if link.count():
            link.click()
            page.locator("#quiz-region .quiz-item").wait_for()
    page.get_by_role("link", name="See your results").click()
    page.locator("details.review-item").first.wait_for()
    for summary in page.locator("details.review-item summary").all():
        assert " — synthetic, " in summary.inner_text() or " — real, " in summary.inner_text()
    badges = page.locator(".badge")
    # text_content, not inner_text: the review badges sit in closed <details>.
    assert badges.count() and all(b.text_content().strip() for b in badges.all())

    page.context.clear_cookies()
    log_in(page, live_server, student.email, password)
    from django.core.management import call_command

    call_command("load_lessons", verbosity=0)
    page.goto(live_server.url + "/learn/what-are-deepfakes/")
    box = page.locator("#check-q1")
    box.get_by_label("It comes from 'deep web'", exact=False).check()
    box.get_by_role("button", name="Check answer").click()
    assert box.locator(".check-incorrect").inner_text().startswith("Incorrect.")


def test_polling_a_clip_status_never_moves_the_readers_focus(page, live_server, problems, teacher, password):
    from tests.factories import ClipFactory

    clip = ClipFactory(owner=teacher, status=Status.PROCESSING, title="Still working")
    log_in(page, live_server, teacher.email, password)
    page.goto(f"{live_server.url}/clips/{clip.public_id}/")
    page.get_by_role("link", name="Skip to main content").focus()
    with page.expect_response(lambda r: f"/clips/{clip.public_id}/status/" in r.url,
                              timeout=6_000):
        pass
    page.wait_for_timeout(300)
    assert focus_is(page, "el.classList.contains('skip-link')"), focused(page)


def test_axe_check_fails_when_an_image_loses_its_alt_text(page, live_server, problems, axe):
    page.goto(live_server.url + "/")
    axe("landing, untouched")
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = '/static/favicon.svg';
        document.querySelector('main').append(img);
    }""")
    with pytest.raises(AssertionError, match="image-alt"):
        axe("landing with an image without alt text")


def test_axe_check_fails_when_a_form_control_has_no_label(page, live_server, problems, axe):
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate("""() => {
        const input = document.createElement('input');
        input.type = 'text';
        input.name = 'nickname';
        document.querySelector('main form').prepend(input);
    }""")
    with pytest.raises(AssertionError, match="label"):
        axe("login with an unlabelled field")


def test_rate_limited_htmx_answer_says_why_and_keeps_the_item(page, live_server, problems, student, password):
    """A 429 on an htmx request shows words in the live message region instead of nothing."""
    from .conftest import log_in

    problems.allow("/", 429)
    log_in(page, live_server, student.email, password)
    page.route("**/nowhere-429", lambda route: route.fulfill(status=429, body="slow down"))
    page.evaluate("""() => {
        const button = document.createElement('button');
        button.id = 'probe'; button.textContent = 'Probe';
        button.setAttribute('hx-get', '/nowhere-429'); button.setAttribute('hx-target', '#main');
        document.querySelector('main').appendChild(button);
        htmx.process(button);
    }""")
    page.locator("#probe").click()
    message = page.locator("#messages .message-error")
    message.wait_for()
    assert "Wait a minute" in message.inner_text()
    assert page.locator("#probe").is_visible()  # the page was not replaced


def test_a_time_limit_counts_down_says_so_aloud_and_ends_with_the_results_link(page, live_server, problems):
    """The server decides when time is up; the page keeps the time left current and,
    at the end, offers the results instead of an answer that would be refused."""
    from quiz.models import Quiz

    quiz = quiz_make(title="Timed practice", public=True, n_fake=2, n_real=1)
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_seconds=8)
    page.goto(live_server.url + "/quiz/guest/")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_role("heading", name="Item 1 of 3").wait_for()
    left = page.locator("#quiz-region .time-left")
    first = left.inner_text()
    assert re.fullmatch(r"\d+ seconds? left", first), first
    page.wait_for_function("(t) => document.querySelector('#quiz-region .time-left') && "
                           "document.querySelector('#quiz-region .time-left').textContent !== t", arg=first)
    wait_announced(page, "Time is up.", timeout=15_000)
    limit = page.locator("#quiz-region .time-limit")
    assert "Time is up" in limit.inner_text()
    assert page.get_by_role("button", name="Submit answer").is_disabled()
    page.get_by_role("link", name="See your results").click()
    page.get_by_role("heading", name="Results: Timed practice", level=1).wait_for()


def test_turning_a_page_of_students_by_keyboard_keeps_focus_in_the_new_table(page, live_server, problems,
                                                                             teacher, password):
    """The class overview's student table is swapped in place (htmx, outerHTML): the focused
    "Next page" link disappears with it, and focus must land in the new table, not on <body>."""
    from classroom import services as class_services
    from classroom.models import Membership
    from tests.classroom.conftest import make_students

    classroom = class_services.classroom_create(owner=teacher, name="Big class")
    Membership.objects.bulk_create([Membership(classroom=classroom, student=s)
                                    for s in make_students(30, "paging")])
    log_in(page, live_server, teacher.email, password)
    page.goto(f"{live_server.url}/classes/{classroom.public_id}/")
    table = page.locator("#student-table")
    assert "Page 1 of 2" in table.inner_text()
    tab_to(page, "el.matches('#student-table a') && el.textContent.trim() === 'Next page'", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#student-table').textContent.includes('Page 2 of 2')")
    assert page.evaluate("document.activeElement !== document.body"), focused(page)
    assert focus_is(page, "el.matches('#student-table caption')"), focused(page)  # read on focus: "… page 2 of 2"
    assert page.url.endswith("?page=2")  # the address says where the reader is, for reload and back
