"""Journey 1: a guest takes the public practice quiz from the landing page and sees a scored result."""

import re

import pytest

from quiz.models import Attempt

from .journeys import VERDICTS, quiz_make

pytestmark = pytest.mark.django_db(transaction=True)


def test_guest_takes_the_practice_quiz_from_the_landing_page_and_is_offered_to_keep_the_result(
    page, live_server, problems, axe, screenshot
):
    quiz_make(title="Practice: spot the edit", public=True, n_fake=3, n_real=2)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Try the practice quiz, no account needed").click()
    page.get_by_role("heading", name="Practice: spot the edit", level=1).wait_for()
    assert page.get_by_role("heading", name=re.compile("this quiz contains synthetic media")).is_visible()
    axe("quiz start")
    screenshot("quiz-start")

    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quiz/attempt/*/")
    for position in range(1, 6):
        page.get_by_role("heading", name=f"Item {position} of 5").wait_for()
        # Nothing on an unanswered item says which it is.
        assert not page.locator("#quiz-region .badge").count()
        if position == 1:
            axe("quiz item")
            screenshot("quiz-item")
        page.get_by_label("Fake").check()
        page.get_by_label("70 % — fairly sure").check()
        page.get_by_role("button", name="Submit answer").click()
        reveal = page.locator("#quiz-region .reveal")
        reveal.wait_for()
        assert any(verdict in reveal.inner_text() for verdict in VERDICTS)
        assert reveal.locator(".badge").inner_text() in ("Synthetic", "Real")
        if position == 1:
            axe("quiz reveal")
            screenshot("quiz-reveal")
        if position < 5:
            page.get_by_role("link", name="Next item").click()

    page.get_by_role("link", name="See your results").click()
    page.get_by_role("heading", name="Results: Practice: spot the edit", level=1).wait_for()
    assert page.get_by_text("You answered 5 of 5 items.").is_visible()
    # Three fakes among five, "fake" every time: 60 % right whatever the shuffle (and enough answers to say).
    accuracy = page.locator("table.measures tr", has=page.get_by_role("rowheader", name="Accuracy"))
    assert "60" in accuracy.inner_text()
    offer = page.get_by_role("link", name="Sign up to keep these results")
    assert offer.is_visible()
    assert "/accounts/signup/?next=" in offer.get_attribute("href")
    axe("quiz results")
    screenshot("quiz-results")

    attempt = Attempt.objects.get()
    assert attempt.learner is None and attempt.finished_at is not None
