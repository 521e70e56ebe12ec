"""Accessibility checks that the journeys alone would not catch: focus and announcements
after htmx swaps, keyboard reach on the quiz page, reduced motion, colour never the only
signal, and that the axe check itself fails when a page gains a serious violation.
"""

import re

import pytest
from playwright.sync_api import expect

from clips.models import Status

from .conftest import log_in
from .journeys import VERDICTS, focus_is, focused, live_text, quiz_make, tab_to, wait_announced

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guest_attempt(page, live_server):
    """A guest on the first item of a three-item public practice quiz."""
    quiz_make(title="Practice: spot the edit", public=True, n_fake=2, n_real=1)
    page.goto(live_server.url + "/quiz/guest/")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_role("heading", name="Item 1 of 3").wait_for()
    # The heading is parsed before the deferred scripts run: a key pressed in between does nothing.
    page.wait_for_load_state("load")
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

    # The shortcuts work in the item being answered (not on the summary that explains them).
    page.locator("#item-heading").focus()
    page.keyboard.press("f")
    page.keyboard.press("7")
    tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
    page.locator("#quiz-region .reveal").wait_for()
    tab_to(page, "el.textContent.trim() === 'Next item'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Item 2 of 3").wait_for()


def test_answer_shortcuts_act_only_in_the_item_not_on_its_links_and_buttons(guest_attempt, problems):
    """Single-key shortcuts (WCAG 2.1.4): "f" pressed on a link or button is that control's,
    never a ticked answer; in the item card and its answer form they choose."""
    page = guest_attempt
    answer = page.locator("#quiz-region input[name=answer]:checked")
    for control in (page.get_by_role("link", name="Open the full-size image in a new tab"),
                    page.get_by_role("button", name="Zoom in"),
                    page.locator("details.quiz-shortcuts summary"),
                    page.get_by_role("link", name="Skip to main content")):
        control.focus()
        for key in ("f", "r", "7"):
            page.keyboard.press(key)
        assert answer.count() == 0, f"a shortcut ticked an answer from {focused(page)}"
        assert page.locator("#quiz-region input[name=confidence]:checked").count() == 0
    assert page.get_by_role("button", name="Zoom in").get_attribute("aria-pressed") == "false"

    page.locator("#item-heading").focus()
    page.keyboard.press("f")
    assert page.get_by_label("Fake").is_checked()
    page.get_by_label("Fake").focus()
    page.keyboard.press("7")
    assert page.get_by_label("70 % — fairly sure").is_checked()
    tab_to(page, "el.type === 'submit'")
    page.keyboard.press("r")  # on the Submit button, a button like any other: the answer stays as it was
    assert page.get_by_label("Fake").is_checked() and not page.get_by_label("Real").is_checked()
    # Focus nowhere in particular, as after a full page load or a click on the image: the item's.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("r")
    assert page.get_by_label("Real").is_checked()


def test_the_zoomed_image_is_a_named_region_the_keyboard_can_scroll(guest_attempt, problems, axe):
    page = guest_attempt
    frame = page.locator("#quiz-region .media-frame")
    zoom = page.get_by_role("button", name="Zoom in")
    zoom.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("button", name="Zoom out").get_attribute("aria-pressed") == "true"
    axe("quiz item, zoomed")  # scrollable-region-focusable: a scroll area the keyboard cannot reach

    page.keyboard.press("Shift+Tab")
    region = page.get_by_role("region", name="Zoomed image; scroll with the arrow keys")
    expect(region).to_be_focused()
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth"), "zoomed, the image is wider than its frame"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#quiz-region .media-frame').scrollLeft > 0")

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # zoom out: the frame no longer scrolls, and is no tab stop
    assert page.get_by_role("button", name="Zoom in").get_attribute("aria-pressed") == "false"
    expect(region).to_have_count(0)
    assert frame.get_attribute("tabindex") is None


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


def test_lesson_results_are_read_once_where_focus_lands(page, live_server, problems, student, password):
    """A knowledge check's result and "Done." replace what the reader pressed: focus moves to
    them, which is how a screen reader reads them. A live region around them too read each twice."""
    from django.core.management import call_command

    call_command("load_lessons", verbosity=0)
    log_in(page, live_server, student.email, password)
    page.goto(live_server.url + "/learn/what-are-deepfakes/")

    page.get_by_role("button", name="Mark as done").focus()  # brings the end into view: may mark it done too
    page.keyboard.press("Enter")
    page.locator("#completion .lesson-done").wait_for()
    page.wait_for_load_state("networkidle")
    assert focus_is(page, "el.matches('#completion .lesson-done')"), focused(page)
    page.wait_for_timeout(300)
    assert "You finished this lesson" not in live_text(page)

    box = page.locator("#check-q1")
    box.get_by_label("It comes from 'deep web'", exact=False).check()
    box.get_by_role("button", name="Check answer").press("Enter")
    box.locator(".check-result").wait_for()
    assert focus_is(page, "el.matches('#check-q1 .check-result')"), focused(page)
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Incorrect.")
    page.wait_for_timeout(300)
    assert "Incorrect." not in live_text(page)


OUTLINE = """(root) => [...root.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .map(h => [Number(h.tagName[1]), h.textContent.replace(/\\s+/g, ' ').trim()])"""


def test_the_results_review_nests_each_item_under_its_heading(guest_attempt, problems, axe):
    """Headings are how screen-reader users move through the results: each reviewed item is a
    level below "Review every item", and what the item says (tells, provenance) a level below that."""
    page = guest_attempt
    for _ in range(3):
        page.locator("#quiz-region .media-frame img").click(position={"x": 20, "y": 20})  # spot the tell
        page.get_by_label("Fake").check()
        page.get_by_label("60 % — leaning").check()
        page.get_by_role("button", name="Submit answer").click()
        page.locator("#quiz-region .reveal").wait_for()
        # The reveal while answering is unchanged: its heading is an h2, its parts h3.
        reveal = page.evaluate(OUTLINE, page.locator("#quiz-region").element_handle())
        assert reveal[0][0] == 2 and reveal[0][1].startswith("Item ") and {lvl for lvl, _ in reveal[1:]} == {3}
        link = page.get_by_role("link", name="Next item")
        if link.count():
            link.click()
            page.locator("#quiz-region .quiz-item").wait_for()
    page.get_by_role("link", name="See your results").click()
    page.get_by_role("heading", name="Review every item", level=2).wait_for()
    page.evaluate("document.querySelectorAll('details.review-item').forEach(d => d.open = true)")

    outline = page.evaluate(OUTLINE, page.locator("main").element_handle())
    for (before, _), (after, text) in zip(outline, outline[1:]):
        assert after <= before + 1, f"heading level skipped at {text!r}:\n{outline}"
    review = outline[[text for _, text in outline].index("Review every item"):]
    items = [text for level, text in review if level == 3]
    assert len(items) == 3 and all(text.startswith("Item ") for text in items), review
    assert {level for level, text in review[1:]} == {3, 4}, review
    assert page.get_by_role("heading", name="Where it comes from", level=4).count() == 3
    # Each learner's own point is still drawn in the review: over the tells of the two fakes, and on
    # the real clip too, where there is no tell to compare it with.
    assert page.locator(".review-item .tell-overlay .learner-point").count() == 3
    axe("results, review open")


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
    # The reader is on "Submit answer" when time runs out: the button is disabled under them.
    page.get_by_label("Fake").check()
    page.get_by_role("button", name="Submit answer").focus()
    wait_announced(page, "Time is up.", timeout=15_000)
    limit = page.locator("#quiz-region .time-limit")
    assert "Time is up" in limit.inner_text()
    assert page.get_by_role("button", name="Submit answer").is_disabled()
    # Focus went to what they can do now, not to <body>.
    assert focus_is(page, "el.tagName === 'A' && el.textContent.trim() === 'See your results'"), focused(page)
    page.keyboard.press("Enter")
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


def wait_said(page, text: str, timeout: float = 8_000) -> str:
    """Wait until the page's announcer (app.js) says ``text``; return what it said."""
    try:
        page.wait_for_function("(t) => document.getElementById('announcer').textContent.includes(t)",
                               arg=text, timeout=timeout)
    except Exception as error:
        raise AssertionError(f"{text!r} was not said; announcer: {page.locator('#announcer').inner_text()!r}, "
                             f"live regions: {live_text(page)!r}") from error
    return page.locator("#announcer").inner_text()


def test_a_new_join_code_is_said_once_it_is_in_place(page, live_server, problems, teacher, password):
    """The message arrives inside the swapped panel, where a role=status that appears with it
    is seldom read: the page's announcer says it, after focus moves to the panel's heading."""
    from classroom import services as class_services

    classroom = class_services.classroom_create(owner=teacher, name="Year 8")
    old_code = classroom.join_code
    log_in(page, live_server, teacher.email, password)
    page.goto(f"{live_server.url}/classes/{classroom.public_id}/roster/")
    page.get_by_role("button", name="New code").focus()
    page.keyboard.press("Enter")
    said = wait_said(page, "New class code:")
    classroom.refresh_from_db()
    assert classroom.join_code != old_code and classroom.join_code in said
    assert focus_is(page, "el.id === 'join-heading'"), focused(page)
    assert page.locator("#join-panel [role=status], #join-panel [aria-live]").count() == 0


def test_an_export_says_when_it_is_ready_once_not_at_every_poll(page, live_server, problems, teacher, password):
    from classroom import services as class_services
    from classroom.models import ExportJob, ExportStatus

    classroom = class_services.classroom_create(owner=teacher, name="Year 7")
    job = ExportJob.objects.create(classroom=classroom, requested_by=teacher, status=ExportStatus.RUNNING,
                                   total=10, done=3)
    log_in(page, live_server, teacher.email, password)
    page.goto(f"{live_server.url}/classes/{classroom.public_id}/export/{job.public_id}/")
    with page.expect_response(lambda r: job.public_id in r.url, timeout=6_000):
        pass
    page.wait_for_timeout(300)
    # A poll that changes nothing a reader needs says nothing (a live region here read it all again).
    assert "Status" not in live_text(page) and page.locator("#announcer").inner_text() == ""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.DONE, done=10)
    said = wait_said(page, "written.")
    assert said.startswith("Status: Ready") and "10 answers written." in said
    assert page.get_by_role("link", name="Download CSV").is_visible()
    assert "Download" not in live_text(page)  # never a region full of controls


def test_the_class_dashboard_meter_is_not_read_beside_its_number(page, live_server, problems, teacher, password):
    from django.utils import timezone

    from classroom import services as class_services

    classroom = class_services.classroom_create(owner=teacher, name="Year 6")
    quiz = quiz_make(title="Week 2", owner=teacher)
    class_services.assignment_create(classroom=classroom, created_by=teacher, quiz=quiz,
                                     opens_at=timezone.now() - timezone.timedelta(minutes=5))
    log_in(page, live_server, teacher.email, password)
    page.goto(f"{live_server.url}/classes/{classroom.public_id}/")
    row = page.get_by_role("row", name=re.compile("Week 2"))
    expect(row.get_by_role("img")).to_have_count(0)  # the meter pictures the number beside it
    finished = row.get_by_role("cell").nth(6)  # Opens, Due, Done, Late, In progress, Not started, Finished
    number = finished.inner_text().strip()
    assert number, "the Finished cell shows its number"
    expect(finished).to_have_accessible_name(number)  # read once, not "… finished …" as well


def test_a_click_on_the_zoomed_image_is_marked_where_it_was_made(guest_attempt):
    """The marker is drawn in the image's own box: zoomed to twice the width, a click 30 % across the
    image lands 30 % across it (it was drawn against the unzoomed frame, far from the click)."""
    page = guest_attempt
    page.get_by_role("button", name="Zoom in").click()
    image = page.locator("#quiz-region .media-frame img")
    box = image.bounding_box()
    image.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.5})
    assert abs(float(page.locator("#quiz-region input[name=point_x]").input_value()) - 0.3) < 0.01
    box = image.bounding_box()  # the click scrolled it into view
    marker = page.locator("#quiz-region .point-marker circle").bounding_box()
    assert abs(marker["x"] + marker["width"] / 2 - (box["x"] + box["width"] * 0.3)) < 4
    assert abs(marker["y"] + marker["height"] / 2 - (box["y"] + box["height"] * 0.5)) < 4


def test_without_javascript_the_page_offers_no_button_that_does_nothing(browser, live_server):
    """Zoom, replay and "jump to" need quiz.js: without it they are not shown (they did nothing when
    pressed), while the answer form and the full-size link still work."""
    from tests.quiz.conftest import make_clips, make_quiz

    make_quiz(title="Practice: no script", clips=make_clips(1, 1), is_public=True)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/quiz/guest/")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_role("heading", name="Item 1 of 2").wait_for()
    assert page.get_by_role("button", name="Zoom in").count() == 0
    assert page.get_by_role("link", name="Open the full-size image in a new tab").is_visible()
    assert page.get_by_role("button", name="Submit answer").is_visible()
    context.close()


def test_the_page_does_not_scroll_sideways_on_a_320_pixel_screen(guest_attempt):
    page = guest_attempt
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
