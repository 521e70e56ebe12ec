"""Integrity rule 1: nothing a learner can reach before answering gives the label away.

One real and one fake clip with byte-identical media (same format, size and
bytes, random file names) are put in a quiz; the test walks the whole attempt
as a student and checks every page, htmx fragment, media URL, media bytes and
headers, poster and alt text before each answer.
"""

import re
import secrets

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from clips.models import Technique
from clips.services import RENDITION_PREFIX
from quiz.models import Attempt
from tests.factories import ClipFactory, webp_bytes

from .conftest import answer, make_quiz, take_url

pytestmark = pytest.mark.django_db

SHARED = dict(title="A street at dusk", alt_text="A street with parked cars at dusk.", width=64, height=48)


def _identical_media():
    # Stored the way the pipeline stores renditions (random names under the served prefix).
    data = webp_bytes()
    return {
        field: default_storage.save(f"{RENDITION_PREFIX}/{secrets.token_hex(12)}.webp", ContentFile(data))
        for field in ("rendition", "poster", "thumbnail")
    }


@pytest.fixture
def twin_clips():
    real = ClipFactory(**SHARED, **_identical_media())
    fake = ClipFactory(
        fake=True, **SHARED, **_identical_media(), generator="PatchMatch 3000",
        tells="The second lamp post is a clone of the first.",
        explanation="A lamp post was copied and pasted to hide a sign.",
    )
    return real, fake


def _normalise(html: str) -> str:
    """Remove what differs between any two items: tokens, ids, URLs, csrf, nonces."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'(src|href|poster|action|hx-post|hx-get|value|id|aria-labelledby|nonce)="[^"]*"', r'\1=""', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r"Item \d+ of \d+", "Item n of N", html)
    return html


def _main(html: str) -> str:
    # The site footer explains the Synthetic badge on every page; it says nothing about this item.
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _forbidden_words(clip):
    return {
        "synthetic", "fake", "real",
        clip.technique.replace("_", " "), clip.technique, Technique(clip.technique).label.lower(),
        "test generator", "patchmatch", "cloned", "clone", "copied", "lamp post",
    } - {"", "authentic"} | ({"authentic"} if clip.truth == "real" else set())


def _without_answer_words(html: str) -> str:
    # The answer buttons and the shortcut help must say Real and Fake; nothing else may.
    html = re.sub(r'<span class="answer-word">(Real|Fake)</span>', "", html)
    html = html.replace("Is this clip real or fake?", "")
    html = re.sub(r'value="(real|fake)"', "", html)
    return html


def _assert_no_label_words(html: str, clip):
    text = _without_answer_words(_main(html)).lower()
    for word in ("synthetic", "fake", "generator", "technique", "copy-move", "copy_move", "patchmatch",
                 "clone", "lamp post", "explanation", "tell region"):
        assert word not in text, f"{word!r} appears before the answer"
    assert "real" not in re.sub(r"\b(already|really)\b", "", text).replace("realistic", "")


def _assert_media_is_neutral(client, url: str, clip):
    lowered = url.lower()
    for word in ("fake", "real", "synthetic", clip.technique, "copy", "splice", "authentic"):
        assert word not in lowered, f"{word!r} in media URL {url}"
    slug = clip.title.lower().replace(" ", "-")
    assert slug not in lowered and clip.public_id not in url
    name = url.split("/media/", 1)[1]
    data = default_storage.open(name).read()
    for word in (b"fake", b"synthetic", b"Synthetic", b"copy_move", b"XMP", b"Exif", b"trainedAlgorithmic"):
        assert word not in data
    response = client.get(url)
    assert response.status_code == 200, "the app serves renditions itself (clips.views.media_file)"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == data
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items()).lower()
    for word in ("fake", "synthetic", "copy_move", "authentic", clip.public_id.lower()):
        assert word not in headers
    return data


def test_nothing_before_an_answer_reveals_the_label(student_client, twin_clips, teacher):
    real, fake = twin_clips
    quiz = make_quiz(owner=teacher, clips=[real, fake], title="Look closely")
    start = student_client.get(reverse("quiz:quiz_start", args=[quiz.public_id]))
    assert start.status_code == 200
    student_client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempt = Attempt.objects.get()

    seen = {}
    media = {}
    for _ in range(2):
        full = student_client.get(take_url(attempt)).content.decode()
        fragment = student_client.get(take_url(attempt), headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in fragment and 'class="quiz-item"' in fragment
        item = attempt.items.filter(response__isnull=True).select_related("clip").first()
        clip = item.clip
        for html in (full, fragment if "<main" in fragment else f'<main id="main">{fragment}</main>'):
            _assert_no_label_words(html, clip)
            assert clip.alt_text in html
            assert clip.public_id not in html
        for url in re.findall(r'(?:src|href|poster)="(/media/[^"]+)"', fragment):
            media.setdefault(clip.truth, []).append(_assert_media_is_neutral(student_client, url, clip))
        seen[clip.truth] = _normalise(fragment)
        # The fragment an answer returns is the reveal; that is after the answer.
        assert answer(student_client, attempt, fake=True, htmx=True).status_code == 200

    assert set(seen) == {"real", "synthetic"}
    assert seen["real"] == seen["synthetic"], "the item card differs between a real and a fake clip"
    assert media["real"] and media["real"] == media["synthetic"]


def test_reveal_is_not_reachable_before_answering(student_client, twin_clips, teacher):
    quiz = make_quiz(owner=teacher, clips=list(twin_clips))
    student_client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempt = Attempt.objects.get()
    student_client.get(take_url(attempt))
    item = attempt.items.get(position=1)
    url = reverse("quiz:attempt_reveal", args=[attempt.public_id, item.token])
    assert student_client.get(url).status_code == 404
    assert student_client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_assessment_shows_no_label_until_the_attempt_is_over(student_client, teacher):
    from quiz.models import Mode

    real = ClipFactory(**SHARED)
    fake = ClipFactory(fake=True, **SHARED)
    quiz = make_quiz(owner=teacher, clips=[real, fake], mode=Mode.ASSESSMENT)
    student_client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempt = Attempt.objects.get()
    student_client.get(take_url(attempt))
    first = answer(student_client, attempt, fake=True, htmx=True)
    assert first.status_code == 200
    html = first.content.decode()
    assert "badge-synthetic" not in html and "badge-real" not in html and "Item 2 of 2" in html
    token = attempt.items.get(position=1).token
    assert student_client.get(reverse("quiz:attempt_reveal", args=[attempt.public_id, token])).status_code == 404


def test_assessment_with_a_reveal_date_reveals_nothing_at_the_end_or_on_a_double_submit(student_client, teacher):
    """Rule 1 on the answer path itself: the last answer of an assessment whose answers show
    only after a date, and a second submit of an answered item (its refusal carries the stored
    answer), render from the attempt the answer read; neither may show a label or a verdict."""
    from datetime import timedelta

    from django.utils import timezone

    from quiz.models import Mode

    real, fake = ClipFactory(**SHARED), ClipFactory(fake=True, **SHARED)
    quiz = make_quiz(owner=teacher, clips=[real, fake], mode=Mode.ASSESSMENT,
                     reveal_after=timezone.now() + timedelta(days=3))
    student_client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempt = Attempt.objects.get()
    student_client.get(take_url(attempt))
    first_token = attempt.items.get(position=1).token
    assert answer(student_client, attempt, token=first_token, htmx=True).status_code == 200
    again = answer(student_client, attempt, token=first_token, fake=False, htmx=True)
    student_client.get(take_url(attempt))
    last = answer(student_client, attempt, htmx=True)
    attempt.refresh_from_db()
    assert again.status_code == 409 and attempt.is_finished
    assert last.status_code == 200 and last["HX-Redirect"].endswith("/results/")
    results = student_client.get(last["HX-Redirect"]).content.decode()
    for html in (again.content.decode(), last.content.decode(), _main(results)):
        assert "badge-synthetic" not in html and "badge-real" not in html
        assert "Right." not in html and "Not this time." not in html and "You answered" not in html
