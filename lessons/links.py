"""Links from lessons into other apps, shown only once those apps provide them."""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

PRACTICE_URL_NAME = "quiz:practice"


def practice_quiz_url(techniques: list[str]) -> str | None:
    """The practice quiz on these techniques, or None while ``quiz:practice`` does not exist
    or no public synthetic clip made with them is ready (a set of real clips only would
    teach nothing, and the quiz refuses to start)."""
    if not techniques:
        return None
    try:
        base = reverse(PRACTICE_URL_NAME)
    except NoReverseMatch:
        return None
    from quiz.services import practice_pool_fakes

    if not practice_pool_fakes(techniques=techniques).exists():
        return None
    return f"{base}?{urlencode({'technique': techniques}, doseq=True)}"
