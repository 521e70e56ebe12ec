"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

Every journey fails on a browser console error or a failed request. Screenshots
of the main pages go to test-artifacts/screenshots/<run>/ for people to look at.
"""

import os
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made
# by the test itself (setting up data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.workers import celery_worker_process, redis_broker, wait_until, worker_env  # noqa: E402,F401

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
RUN_ID = os.environ.get("TEST_RUN_ID") or time.strftime("%Y%m%d-%H%M%S")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / RUN_ID


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}; `make test` installs it (apt-get install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "reduced_motion": "reduce"}


class Problems:
    def __init__(self):
        self.items: list[str] = []
        self.allowed_statuses: set[tuple[str, int]] = set()

    def allow(self, url_part: str, status: int) -> None:
        self.allowed_statuses.add((url_part, status))


@pytest.fixture
def problems(page):
    """Collect console errors, page errors and failed requests; the test fails if any."""
    found = Problems()

    def on_console(msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        # Chromium also logs an allowed 4xx (a form re-shown with errors) as a console error.
        if msg.text.startswith("Failed to load resource") and any(
            part in url and f"status of {status}" in msg.text for part, status in found.allowed_statuses
        ):
            return
        found.items.append(f"console {msg.type}: {msg.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.items.append(f"page error: {error}"))
    def on_request_failed(request):
        # ERR_ABORTED is the browser cancelling a request because the page moved on
        # (a favicon still loading when a form submits), not the server failing.
        if "ERR_ABORTED" in (request.failure or ""):
            return
        found.items.append(f"request failed: {request.method} {request.url} {request.failure}")

    page.on("requestfailed", on_request_failed)

    def on_response(response):
        if response.status >= 400 and not any(part in response.url and status == response.status
                                              for part, status in found.allowed_statuses):
            found.items.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("response", on_response)
    yield found
    assert not found.items, "browser problems:\n" + "\n".join(found.items)


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe(page):
    """Run axe-core on the current page; fail on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def check(label: str = "") -> None:
        results = engine.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> " + ", ".join(n["target"][0] for n in v["nodes"][:5])
            for v in bad
        )
        assert not bad, f"axe found serious violations on {label or page.url}:\n{details}"

    return check


def log_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/home/")
