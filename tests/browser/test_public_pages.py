"""Public pages in a real browser: axe-clean, keyboard reachable, no console errors."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path,name", [("/", "landing"), ("/accounts/login/", "login"),
                                       ("/accounts/signup/", "signup")])
def test_public_page_is_axe_clean_and_error_free(page, live_server, problems, axe, screenshot, path, name):
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    axe(name)
    screenshot(name)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server, problems):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_signup_errors_are_announced_and_nothing_is_created(page, live_server, problems):
    from accounts.models import User

    problems.allow("/accounts/signup/", 422)
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("E-mail address").fill("not-an-email")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.get_by_role("button", name="Create account").click()
    # Said twice on purpose: in the focused summary at the top, and beside the field itself.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert summary.get_by_role("link", name="E-mail address: Enter a valid email address.").is_visible()
    assert page.locator("#id_email_error").get_by_text("Enter a valid email address").is_visible()
    assert User.objects.count() == 0
