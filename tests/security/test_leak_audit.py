"""An automated audit of integrity rule 1 over every quiz item a learner can reach.

Twin clips (a real and a fake with byte-identical media, the same title and alt
text, stored at random names the way the pipeline stores them) go into every kind
of quiz: a fixed practice list, a random-draw assessment, the built-in practice
set lessons link to, and the public guest quiz. A student (and a guest) take each
one. Video twins are made from one upload by the pipeline itself (rendition,
poster, thumbnail). Before every answer the audit fetches the full page, the htmx
fragment and every URL those link to (media, posters, pages, static files) and
checks that no label word appears anywhere in them (every header, cookie names,
the whole document from <head> to after </main>, media bytes) and that the real
and the fake twins' responses are the same, header for header and byte for byte,
bar per-response secrets. Assessments show no label before their end and reveal
date.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from clips.models import Clip, MediaType, Technique, Truth
from clips.services import RENDITION_PREFIX
from quiz import services as quiz_services
from quiz.models import Attempt, Mode, Quiz, Selection
from tests.factories import ClipFactory, UserFactory, webp_bytes
from tests.quiz.test_integrity import FOOTER_NOTE, MEDIA_NAME, Seen, pipeline_video_twins, response_body, seen

from .conftest import served_media

pytestmark = pytest.mark.django_db

GENERATOR = "Morphwright 9 generator"
TELLS = "The left earring melts into the collar."
EXPLANATION = "A second face was blended in over the first one."
SHARED = {
    MediaType.IMAGE: dict(title="A street at dusk", alt_text="A street with parked cars at dusk.", width=64,
                          height=48, mime="image/webp"),
    MediaType.AUDIO: dict(title="A voice message", alt_text="A man says he will be late for dinner.",
                          width=None, height=None, mime="audio/mp4", duration_seconds=4.0),
    MediaType.VIDEO: dict(title="A man at a lectern", alt_text="A man in a grey suit speaks at a lectern."),
}
AUDIO_BYTES = b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00M4A isommp42" + bytes(range(256)) * 8

# Text every item shows whatever its label: the answer buttons, the shortcut help, the tell grid.
NEUTRAL = [
    re.compile(r'<span class="answer-word">(Real|Fake)</span>'),
    re.compile(r"Is this clip real or fake\?"),
    re.compile(r'value="(real|fake)"'),
    re.compile(r"if you think it was edited, where did you see it\?"),
    re.compile(re.escape(FOOTER_NOTE)),  # the site footer, on every page, explains the Synthetic badge
]
LEAK_WORDS = {"synthetic", "fake", "real", "manipulat", "edited", "generat", "deepfake", "authentic", "tell region",
              "explanation", "technique", "made with", "badge-", "verdict", "what gives it away", "iptc",
              "digitalsourcetype", GENERATOR.lower(), TELLS.lower(), EXPLANATION.lower(), "morphwright", "earring"}
LEAK_WORDS |= {t.value.replace("_", " ") for t in Technique} | {t.value for t in Technique if "_" in t.value}
LEAK_WORDS |= {t.label.lower() for t in Technique if t != Technique.OTHER}
LEAK_WORDS -= {"other"}


def make_twins(media_type: str, n: int = 2) -> list[Clip]:
    """``n`` real and ``n`` fake clips of one media type, all with the same bytes, title and alt text."""
    if media_type == MediaType.VIDEO:  # made by the pipeline from one upload, poster and all
        fake = dict(generator=GENERATOR, tells=TELLS, explanation=EXPLANATION, technique=Technique.FACE_SWAP,
                    regions=[{"start": 0.2, "end": 0.6}])
        return [clip for _ in range(n) for clip in pipeline_video_twins(shared=SHARED[media_type], **fake)]
    data = webp_bytes() if media_type == MediaType.IMAGE else AUDIO_BYTES
    suffix = "webp" if media_type == MediaType.IMAGE else "m4a"
    clips = []
    for i in range(n):
        for fake in (False, True):
            if media_type == MediaType.IMAGE:
                media = served_media(data)
            else:  # audio has no poster or thumbnail
                media = {"poster": "", "thumbnail": "", "rendition": default_storage.save(
                    f"{RENDITION_PREFIX}/{secrets.token_hex(12)}.{suffix}", ContentFile(data))}
            extra = dict(fake=True, generator=GENERATOR, tells=TELLS, explanation=EXPLANATION,
                         technique=Technique.FACE_SWAP if media_type == MediaType.IMAGE else Technique.VOICE_CLONE,
                         regions=[{"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}] if media_type == MediaType.IMAGE
                         else [{"start": 1.0, "end": 2.0}]) if fake else {}
            clips.append(ClipFactory(media_type=media_type, difficulty=2, **SHARED[media_type], **media, **extra))
    return clips


@pytest.fixture
def library():
    return make_twins(MediaType.IMAGE) + make_twins(MediaType.AUDIO) + make_twins(MediaType.VIDEO, n=1)


def _main(html: str) -> str:
    if '<main id="main"' not in html:
        return html
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _leak_words(html: str) -> set[str]:
    text = html
    for pattern in NEUTRAL:
        text = pattern.sub("", text)
    text = text.lower()
    text = re.sub(r"\b(already|really|realistic)\b", "", text)
    found = set()
    for word in LEAK_WORDS:
        if word == "real":
            if re.search(r"\breal\b", text):
                found.add(word)
        elif word in text:
            found.add(word)
    return found


def leaks_in(what: Seen, *, quiz_title: str = "") -> set[str]:
    """Label words anywhere in a response: every header, cookie names, the whole document.

    The quiz's own title (a built-in practice set is named for its techniques) is the same on every
    item, so it is left out."""
    text = what.text()
    return _leak_words(text.replace(quiz_title, "QUIZ TITLE") if quiz_title else text)


def _links(html: str) -> list[str]:
    urls = re.findall(r'(?:src|href|poster|hx-get)="([^"#]+)"', html)
    return sorted({u for u in urls if u.startswith("/") and not u.startswith("//")})


class Audit:
    """Everything seen before answering, per (quiz, media type, truth)."""

    def __init__(self, client):
        self.client = client
        self.cards: dict[tuple, set[Seen]] = {}
        self.media: dict[tuple, set[tuple]] = {}
        self.linked: dict[tuple, set[tuple]] = {}
        self.items_checked = 0

    def item(self, attempt: Attempt, label: str):
        take = reverse("quiz:attempt_take", args=[attempt.public_id])
        item = attempt.items.filter(response__isnull=True).select_related("clip").order_by("position").first()
        clip = item.clip
        page = self.client.get(take)
        fragment = self.client.get(take, headers={"HX-Request": "true"})
        assert page.status_code == fragment.status_code == 200
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", item.token), "an item's token is random"
        per_item = (item.token, attempt.public_id)
        key = (label, clip.media_type, clip.truth)
        for where, response in (("page", page), ("fragment", fragment)):
            what = seen(response, per_item=per_item)
            leaks = leaks_in(what, quiz_title=attempt.quiz.title)
            assert not leaks, f"{label}: the {where} of an unanswered {clip.truth} item shows {sorted(leaks)}"
            assert clip.public_id not in what.text()
            for header in ("etag", "last-modified", "content-disposition"):
                assert header not in dict(what.headers), f"{label}: the item {where} sends {header}"
            self.cards.setdefault(key + (where,), set()).add(what)
        head = page.content.decode().split("</head>", 1)[0]
        assert clip.rendition.name.split("/")[-1] not in head
        assert clip.alt_text in fragment.content.decode()
        assert not _leak_words(clip.alt_text + " " + clip.title)
        # The item card's links are about the item; the page's own (navigation, static files) are about the
        # site, whose pages talk about fakes: those are compared with what the twin's page links to.
        card_links = _links(fragment.content.decode())
        for url in sorted(set(card_links) | set(_links(page.content.decode()))):
            if urlsplit(url).path != reverse("quiz:response_submit", args=[attempt.public_id]):
                self._linked(url, key, clip, label, per_item, about_the_item=url in card_links)
        self.items_checked += 1
        return item

    def _linked(self, url: str, key: tuple, clip: Clip, label: str, per_item: tuple, about_the_item: bool):
        response = self.client.get(url)
        path = urlsplit(url).path
        what = seen(response, per_item=per_item)
        # Tests run without collectstatic: a static file may be missing, the same for every item.
        assert response.status_code in ((200, 404) if path.startswith("/static/") else (200, 302)), url
        if about_the_item:
            # A media name is random (the pipeline's is token_urlsafe, which may spell any word by chance):
            # its shape is checked below, and the rest of the URL scanned.
            rest = MEDIA_NAME.sub("", url).lower()
            for word in ("fake", "real", "synth", clip.technique, "authentic", clip.public_id.lower()):
                assert word not in rest, f"{label}: {word!r} in {url}"
        if path.startswith("/media/"):
            assert MEDIA_NAME.match(path), url
            assert path.rsplit(".", 1)[1] in ("webp", "m4a", "mp4", "jpg"), url
            assert clip.public_id not in url
            body = response_body(response)
            for word in (b"fake", b"synthetic", b"Synthetic", b"face_swap", b"voice_clone", b"XMP", b"Exif",
                         b"trainedAlgorithmic", GENERATOR.encode()):
                assert word not in body, f"{label}: {word!r} in the bytes of {url}"
            headers = dict(what.headers)
            assert "etag" not in headers and "last-modified" not in headers
            assert headers.get("content-disposition") == "inline"
            assert not leaks_in(what), f"{label}: the headers of {url} show {sorted(leaks_in(what))}"
            self.media.setdefault(key, set()).add((path.rsplit(".", 1)[1], what))
        elif about_the_item:
            leaks = leaks_in(what)
            assert not leaks, f"{label}: {url}, linked from an unanswered item, shows {sorted(leaks)}"
        where = MEDIA_NAME.sub(f"/media/{RENDITION_PREFIX}/NAME.", url)
        self.linked.setdefault(key, set()).add((where, what))

    def assert_real_and_fake_look_the_same(self):
        for (label, media_type, truth, *rest), cards in self.cards.items():
            if truth != Truth.REAL:
                continue
            twin = self.cards.get((label, media_type, Truth.SYNTHETIC, *rest))
            if twin is None:
                continue
            assert cards == twin, f"{label}: the {rest[0]} of a real and a fake {media_type} item differ"
            for by_kind, what in ((self.media, "media (bytes, headers)"), (self.linked, "linked pages")):
                real = by_kind.get((label, media_type, Truth.REAL))
                fake = by_kind.get((label, media_type, Truth.SYNTHETIC))
                assert real == fake, f"{label}: the {what} of a real and a fake {media_type} item differ"


def _take_all(client, audit: Audit, attempt: Attempt, label: str, answer_fake: bool = True):
    answer_url = reverse("quiz:response_submit", args=[attempt.public_id])
    for _ in range(attempt.items.count()):
        item = audit.item(attempt, label)
        data = {"token": item.token, "answer": "fake" if answer_fake else "real"}
        if attempt.ask_confidence:
            data["confidence"] = 70
        response = client.post(answer_url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.content[:300]
        attempt.refresh_from_db()


def _start(client, quiz) -> Attempt:
    before = set(Attempt.objects.values_list("pk", flat=True))
    response = client.post(reverse("quiz:quiz_start", args=[quiz.public_id]))
    assert response.status_code == 302, response.content[:300]
    return Attempt.objects.exclude(pk__in=before).get()


def test_no_item_of_any_quiz_reveals_its_label_before_the_answer(client, library):
    teacher = UserFactory(teacher=True)
    student = UserFactory()
    fixed = quiz_services.quiz_create(owner=teacher, title="Look closely", mode=Mode.PRACTICE,
                                      selection=Selection.FIXED, is_published=True)
    quiz_services.quiz_set_clips(quiz=fixed, add=[c.pk for c in library], remove=[])
    drawn = quiz_services.quiz_create(owner=teacher, title="Unit test", mode=Mode.ASSESSMENT,
                                      selection=Selection.RANDOM, draw_count=4, fake_share=50,
                                      filters={"media_types": ["image", "audio", "video"]}, is_published=True,
                                      ask_confidence=False)
    guest_quiz = quiz_services.quiz_create(owner=None, title="Try it", mode=Mode.PRACTICE,
                                           selection=Selection.FIXED, is_public=True)
    quiz_services.quiz_set_clips(quiz=guest_quiz, add=[c.pk for c in library], remove=[])

    client.force_login(student)
    audit = Audit(client)
    _take_all(client, audit, _start(client, fixed), "fixed practice")
    _take_all(client, audit, _start(client, drawn), "random-draw assessment", answer_fake=False)
    response = client.get(reverse("quiz:practice"), {"technique": ["face_swap", "voice_clone"]})
    assert response.status_code == 302  # to the set's start page, which starts it on a POST
    assert client.post(response.url).status_code == 302
    practice = Attempt.objects.filter(learner=student, quiz__system_key__isnull=False).get()
    _take_all(client, audit, practice, "built-in practice")

    client.logout()
    guest_audit = Audit(client)
    assert client.get(reverse("quiz:guest")).status_code == 302
    _take_all(client, guest_audit, _start(client, guest_quiz), "guest practice")

    for each in (audit, guest_audit):
        each.assert_real_and_fake_look_the_same()
    # Every label and media type was audited, in every kind of quiz.
    assert {(k[0], k[2]) for k in audit.cards} >= {
        ("fixed practice", Truth.REAL), ("fixed practice", Truth.SYNTHETIC),
        ("built-in practice", Truth.REAL), ("built-in practice", Truth.SYNTHETIC)}
    assert {k[0] for k in audit.cards} >= {"random-draw assessment"}
    assert {(k[1], k[2]) for k in guest_audit.cards} == {
        (m, t) for m in (MediaType.IMAGE, MediaType.AUDIO, MediaType.VIDEO)
        for t in (Truth.REAL, Truth.SYNTHETIC)}
    assert {ext for k in guest_audit.media if k[1] == MediaType.VIDEO for ext, _ in guest_audit.media[k]} == {
        "mp4", "jpg"}, "the video's rendition and poster were fetched and compared"
    assert audit.items_checked == len(library) + 4 + practice.items.count()
    assert guest_audit.items_checked == len(library)


def test_an_assessment_shows_no_label_before_its_end_and_reveal_date(client, library):
    teacher = UserFactory(teacher=True)
    student = UserFactory()
    quiz = quiz_services.quiz_create(owner=teacher, title="End of unit", mode=Mode.ASSESSMENT,
                                     selection=Selection.FIXED, is_published=True,
                                     reveal_after=timezone.now() + timedelta(days=2))
    quiz_services.quiz_set_clips(quiz=quiz, add=[c.pk for c in library], remove=[])
    client.force_login(student)
    attempt = _start(client, quiz)
    answer_url = reverse("quiz:response_submit", args=[attempt.public_id])
    results_url = reverse("quiz:attempt_results", args=[attempt.public_id])
    tokens = []
    for position in range(1, attempt.items.count() + 1):
        item = attempt.items.get(position=position)
        tokens.append(item.token)
        response = client.post(answer_url, {"token": item.token, "answer": "fake", "confidence": 90},
                               headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert not _leak_words(response.content.decode().replace(quiz.title, "")), "an answer showed a label"
        # While the attempt runs, no answered item can be revealed, as a page or a fragment.
        for token in tokens:
            url = reverse("quiz:attempt_reveal", args=[attempt.public_id, token])
            assert client.get(url).status_code == 404
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
        # Answering the same item again is refused without its label.
        again = client.post(answer_url, {"token": item.token, "answer": "real", "confidence": 90},
                            headers={"HX-Request": "true"})
        assert again.status_code == 409 and not _leak_words(again.content.decode())
    attempt.refresh_from_db()
    assert attempt.is_finished
    # Over, but before the reveal date: results page, reveal pages and fragments say nothing.
    results = client.get(results_url)
    assert results.status_code == 200
    assert not _leak_words(_main(results.content.decode())), "results showed labels before the reveal date"
    assert "will be shown after" in results.content.decode()
    for token in tokens:
        url = reverse("quiz:attempt_reveal", args=[attempt.public_id, token])
        assert client.get(url).status_code == 404
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    # After the reveal date the same pages show the labels: the audit above is not vacuous.
    Quiz.objects.filter(pk=quiz.pk).update(reveal_after=timezone.now() - timedelta(minutes=1))
    html = client.get(results_url).content.decode()
    assert "synthetic" in _main(html).lower()
    assert client.get(reverse("quiz:attempt_reveal", args=[attempt.public_id, tokens[0]])).status_code == 200
