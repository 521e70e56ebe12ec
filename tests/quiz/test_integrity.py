"""Integrity rule 1: nothing a learner can reach before answering gives the label away.

Twin clips, a real and a fake with identical media (same format, size and bytes,
random file names), are put in a quiz: an image pair stored the way the pipeline
stores renditions, and a video pair made from one upload by the pipeline itself
(rendition, poster and thumbnail). The test walks the whole attempt as a student
and, before each answer, compares the real item with its fake twin over whole
responses (status, every header, cookies, the full document from <head> to after
</main>, the htmx fragment, the media and the poster, bytes and headers) and scans
them for label words.
"""

import functools
import re
import secrets
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from clips import services as clip_services
from clips.models import MediaType, Status, Technique, Truth, Visibility
from clips.services import RENDITION_PREFIX
from quiz.models import Attempt
from tests.factories import ClipFactory, webp_bytes

from .conftest import answer, make_quiz, take_url

pytestmark = pytest.mark.django_db

SHARED = dict(title="A street at dusk", alt_text="A street with parked cars at dusk.", width=64, height=48)
VIDEO_SHARED = dict(title="A cyclist on a bridge", alt_text="A cyclist crosses a bridge from left to right.")

# A served name: random hex as the tests store it, or the pipeline's token prefix and random name.
MEDIA_NAME = re.compile(rf"/media/{RENDITION_PREFIX}/(?:[0-9a-f]{{24}}|[0-9a-f]{{12}}[A-Za-z0-9_-]{{22}})\.")
# Per-response secrets: Django's masked CSRF token and django-csp's nonce.
CSRF = [re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"'), re.compile(r'"X-CSRFToken": "([^"]+)"')]
NONCE = re.compile(r"'nonce-([^']+)'")
# A cookie the app sets is an opaque key into server-side state (session, CSRF secret), never data.
OPAQUE_COOKIE = re.compile(r"[A-Za-z0-9]{32}|")


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


@functools.cache
def tiny_mp4() -> bytes:
    """One second of 64x48 H.264, made by the media tests' own maker."""
    from tests.clips.malformed import _mp4

    with tempfile.TemporaryDirectory() as folder:
        return _mp4(Path(folder) / "tiny.mp4", seconds=1, width=64, height=48, fps=10, faststart=False)


def pipeline_video_twins(*, owner=None, shared=VIDEO_SHARED, **fake_fields):
    """A real and a fake video uploaded from the same bytes and made ready by the pipeline (``clip_create``,
    then the ``clip_process`` service its task calls), so their rendition, poster and thumbnail are the
    app's own output, at the names it gives them."""
    fake_fields = dict(technique=Technique.LIP_SYNC, generator="Test generator",
                       tells="The lips close a beat before the word ends.",
                       explanation="The mouth was redrawn to match new words.",
                       regions=[{"start": 0.2, "end": 0.6}]) | fake_fields
    twins = []
    for truth, extra in ((Truth.REAL, {}), (Truth.SYNTHETIC, fake_fields)):
        fields = dict(**shared, truth=truth, visibility=Visibility.PUBLIC, difficulty=2, source="Test suite",
                      licence="CC0-1.0", **extra)
        upload = ContentFile(tiny_mp4(), name="upload.mp4")
        clip = clip_services.clip_create(owner=owner, original=upload, fields=fields)
        assert clip_services.clip_process(clip_id=clip.pk).status == Status.READY
        clip.refresh_from_db()
        assert clip.media_type == MediaType.VIDEO and clip.poster.name.endswith(".jpg")
        twins.append(clip)
    return tuple(twins)


@pytest.fixture
def video_twins(teacher):
    return pipeline_video_twins(owner=teacher)


class Seen(NamedTuple):
    """A whole response, with what differs between any two responses whatever the item replaced."""

    status: int
    headers: tuple
    cookies: tuple
    body: str | bytes  # text with placeholders; binary as sent

    def text(self) -> str:
        """Everything a person or a script can read in it: header names and values, cookie names, the body."""
        body = self.body if isinstance(self.body, str) else ""
        return "\n".join([*(f"{k}: {v}" for k, v in self.headers), *(c for c, _ in self.cookies), body])


def response_body(response) -> bytes:
    if not hasattr(response, "_read_body"):
        response._read_body = b"".join(response.streaming_content) if response.streaming else response.content
    return response._read_body


def seen(response, *, per_item=()) -> Seen:
    """What a learner's browser gets, comparable between a real item and its fake twin.

    Replaced: the CSRF token (masked afresh for every response) and the CSP nonce (new per response),
    ``per_item`` (the item's token, the attempt's id: random, per item), random media names (their
    extension stays) and the item's position; the CSP's directives are sorted (their order means
    nothing). Left out: ``Date`` and ``Expires`` (the clock) and ``Content-Length`` (checked to be the
    body's length; the body itself is compared). Cookies are compared by name and attributes: their
    values are random keys (checked), and ``expires`` is the clock again.
    Nothing else is touched, so any other difference, in <head>, after </main>, in any header or
    cookie, shows.
    """
    raw = response_body(response)
    headers = {name.lower(): value for name, value in response.headers.items()}
    if "content-length" in headers:
        assert int(headers.pop("content-length")) == len(raw), "Content-Length is not the body's length"
    for clock in ("date", "expires"):
        headers.pop(clock, None)
    if "content-security-policy" in headers:
        headers["content-security-policy"] = "; ".join(sorted(headers["content-security-policy"].split("; ")))
    text_type = re.match(r"text/|application/(json|javascript)", headers.get("content-type", ""))
    body = raw.decode() if text_type else raw
    values = set(per_item) | set(NONCE.findall(headers.get("content-security-policy", "")))
    if text_type:
        values |= {token for pattern in CSRF for token in pattern.findall(body)}
    for value in sorted(filter(None, values), key=len, reverse=True):
        if text_type:
            body = body.replace(value, "PER-RESPONSE")
        headers = {k: v.replace(value, "PER-RESPONSE") for k, v in headers.items()}
    if text_type:
        body = MEDIA_NAME.sub(f"/media/{RENDITION_PREFIX}/NAME.", body)
        body = re.sub(r"Item \d+ of \d+", "Item n of N", body)
    cookies = []
    for name, morsel in response.cookies.items():
        assert OPAQUE_COOKIE.fullmatch(morsel.value), f"cookie {name} carries data: {morsel.value!r}"
        cookies.append((name, tuple(sorted((k, str(v)) for k, v in morsel.items() if v and k != "expires"))))
    return Seen(response.status_code, tuple(sorted(headers.items())), tuple(sorted(cookies)), body)


# The site footer explains the Synthetic badge on every page; it says nothing about this item.
FOOTER_NOTE = ('Clips marked <span class="badge badge-synthetic">Synthetic</span> were made or edited '
               "on purpose for teaching.")
LABEL_WORDS = ("synthetic", "fake", "generator", "technique", "copy-move", "copy_move", "patchmatch", "clone",
               "lamp post", "explanation", "tell region", "lip-sync", "lip_sync", "lips", "redrawn")


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _without_answer_words(html: str) -> str:
    # The answer buttons and the shortcut help must say Real and Fake; nothing else may.
    html = re.sub(r'<span class="answer-word">(Real|Fake)</span>', "", html)
    html = html.replace("Is this clip real or fake?", "")
    html = re.sub(r'value="(real|fake)"', "", html)
    return html


def label_words(what: Seen) -> list[str]:
    """Label words anywhere in a response: headers, cookie names, the whole document (<head> and all)."""
    text = _without_answer_words(what.text().replace(FOOTER_NOTE, "", 1)).lower()
    found = [word for word in LABEL_WORDS if word in text]
    if "real" in re.sub(r"\b(already|really)\b", "", text).replace("realistic", ""):
        found.append("real")
    return found


def _assert_media_is_neutral(client, url: str, clip) -> Seen:
    assert MEDIA_NAME.match(url) and url.rsplit(".", 1)[1] in ("webp", "mp4", "jpg"), url
    # The name is random (its shape is checked above; token_urlsafe may spell any word by chance).
    assert clip.public_id not in url and clip.title.lower().replace(" ", "-") not in url.lower()
    name = url.split("/media/", 1)[1]
    data = default_storage.open(name).read()
    for word in (b"fake", b"synthetic", b"Synthetic", b"copy_move", b"lip_sync", b"XMP", b"Exif",
                 b"trainedAlgorithmic"):
        assert word not in data
    response = client.get(url)
    assert response.status_code == 200, "the app serves renditions itself (clips.views.media_file)"
    assert response_body(response) == data
    what = seen(response)
    for word in ("fake", "synthetic", "copy_move", "lip_sync", "authentic", clip.public_id.lower()):
        assert word not in what.text().lower(), f"{word!r} in the headers of {url}"
    return what


def test_nothing_before_an_answer_reveals_the_label(student_client, twin_clips, video_twins, teacher):
    """Rule 1 over whole responses: before each answer the page, the htmx fragment and every media file
    and poster they name are the same, header for header and byte for byte (bar per-response secrets),
    for a real clip and its fake twin, and none of them says a label word anywhere."""
    clips = [*twin_clips, *video_twins]
    quiz = make_quiz(owner=teacher, clips=clips, title="Look closely")
    start = student_client.get(reverse("quiz:quiz_start", args=[quiz.public_id]))
    assert start.status_code == 200
    student_client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    attempt = Attempt.objects.get()

    by_kind = {}
    for _ in clips:
        full = student_client.get(take_url(attempt))
        fragment = student_client.get(take_url(attempt), headers={"HX-Request": "true"})
        assert b"<html" not in fragment.content and b'class="quiz-item"' in fragment.content
        item = attempt.items.filter(response__isnull=True).select_related("clip").first()
        clip = item.clip
        assert re.fullmatch(r"[A-Za-z0-9_-]{16,32}", item.token) and re.fullmatch(r"[A-Za-z0-9_-]{16}",
                                                                                  attempt.public_id)
        pages = {where: seen(response, per_item=(item.token, attempt.public_id))
                 for where, response in (("page", full), ("fragment", fragment))}
        for where, what in pages.items():
            words = label_words(what)
            assert not words, f"the {where} of an unanswered {clip.truth} item says {words}"
            assert clip.alt_text in what.body and clip.public_id not in what.text()
        urls = re.findall(r'(?:src|href|poster)="(/media/[^"]+)"', fragment.content.decode())
        media = [_assert_media_is_neutral(student_client, url, clip) for url in urls]
        by_kind[(clip.media_type, clip.truth)] = {**pages, "media": media}
        # The fragment an answer returns is the reveal; that is after the answer.
        assert answer(student_client, attempt, fake=True, htmx=True).status_code == 200

    assert set(by_kind) == {(m, t) for m in (MediaType.IMAGE, MediaType.VIDEO)
                            for t in (Truth.REAL, Truth.SYNTHETIC)}
    for media_type in (MediaType.IMAGE, MediaType.VIDEO):
        real, fake = by_kind[(media_type, Truth.REAL)], by_kind[(media_type, Truth.SYNTHETIC)]
        for what in ("page", "fragment", "media"):
            assert real[what] == fake[what], f"the {what} of a real and a fake {media_type} item differ"
    # Not vacuous: the video's poster (a JPEG the pipeline made) and its rendition were both fetched.
    video_media = by_kind[(MediaType.VIDEO, Truth.REAL)]["media"]
    assert [dict(m.headers)["content-type"] for m in video_media] == ["image/jpeg", "video/mp4"]


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
