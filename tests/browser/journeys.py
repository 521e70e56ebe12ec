"""Shared set-up and keyboard helpers for the browser journeys.

Set-up is lean on purpose: ready image clips come from ``ClipFactory`` (small
WebP renditions, no media pipeline) and quizzes from the quiz services, so a
journey starts in milliseconds rather than after the demo pack is processed.
"""

from quiz import services as quiz_services
from quiz.models import Mode, Quiz, Selection
from tests.factories import ClipFactory

# The words a learner reads on a reveal; one of them is always there.
VERDICTS = ("Right.", "Not this time.")


def quiz_make(*, title: str, owner=None, n_fake: int = 2, n_real: int = 1, public: bool = False) -> Quiz:
    """A practice quiz (a reveal after every answer) with a fixed list of ready clips."""
    clips = [ClipFactory(fake=True, title=f"{title}: scene {i}",
                         alt_text=f"A street scene, number {i}.") for i in range(1, n_fake + 1)]
    clips += [ClipFactory(title=f"{title}: scene {n_fake + i}", alt_text=f"A street scene, number {n_fake + i}.")
              for i in range(1, n_real + 1)]
    quiz = quiz_services.quiz_create(
        owner=owner, title=title, mode=Mode.PRACTICE, selection=Selection.FIXED,
        is_public=public, is_published=True,
        description="A few clips, some of them edited. After each answer you see which it was.",
    )
    return quiz_services.quiz_set_clips(quiz=quiz, add=[clip.pk for clip in clips], remove=[])


# --------------------------------------------------------------------------
# Keyboard and live regions
# --------------------------------------------------------------------------

LIVE_REGIONS = '[aria-live]:not([aria-live="off"]), [role=status], [role=alert]'

DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  const name = (el.getAttribute("aria-label") || el.textContent || el.value || "")
    .trim().replace(/\\s+/g, " ");
  const attrs = (el.name ? `[name=${el.name}]` : "") + (el.type ? `[type=${el.type}]` : "");
  return `${el.tagName.toLowerCase()}${attrs}: ${name.slice(0, 60)}`;
}"""


def focused(page) -> str:
    """A short description of the focused element, for assertions and failure messages."""
    return page.evaluate(DESCRIBE_FOCUS)


def tab_to(page, predicate: str, *, limit: int = 60, key: str = "Tab") -> list[str]:
    """Press Tab until ``predicate`` (JS, given the focused element ``el``) holds; return the stops passed."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stops.append(focused(page))
        if focus_is(page, predicate):
            return stops
    raise AssertionError(f"keyboard focus never reached {predicate!r}; tab stops:\n" + "\n".join(stops))


def focus_is(page, predicate: str) -> bool:
    return page.evaluate(f"(el) => Boolean({predicate})", page.evaluate_handle("document.activeElement"))


def live_text(page) -> str:
    """The text of every live region on the page (where screen readers hear changes)."""
    return page.evaluate("""() => [...document.querySelectorAll('""" + LIVE_REGIONS + """')]
        .map(el => el.textContent.replace(/\\s+/g, " ").trim()).join(" | ")""")


ANNOUNCED = """(texts) => [...document.querySelectorAll('""" + LIVE_REGIONS + """')]
    .some(el => texts.some(t => el.textContent.includes(t))
                && !el.querySelector('a[href], button, input, select, textarea, video, audio'))"""


def wait_announced(page, *texts: str, timeout: float = 5_000) -> None:
    """Wait until a live region says one of ``texts``; a region full of controls does not count
    (announcing a whole swapped form or reveal buries the news under every label in it)."""
    try:
        page.wait_for_function(ANNOUNCED, arg=list(texts), timeout=timeout)
    except Exception as error:  # Playwright's TimeoutError: say what the live regions held
        raise AssertionError(f"none of {texts} was announced; live regions: {live_text(page)!r}") from error
