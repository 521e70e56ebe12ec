"""The reveal's clip part (``quiz_tags.clip_reveal``): rendered once per clip and process,
never stale after an edit, with each learner's own point drawn over the tells."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from clips.models import Clip, Technique, Truth
from quiz import services
from quiz.models import CLIP_REVEAL_FIELDS
from quiz.templatetags import quiz_tags
from tests.factories import ClipFactory

from .conftest import answer, make_quiz, take_url

pytestmark = pytest.mark.django_db

# Properties of Clip the partial may read, and the fields they are made of.
DERIVED = {"is_synthetic": "truth", "box_regions": "regions", "time_regions": "regions",
           "get_technique_display": "technique"}


def reveal_of(client, attempt, **extra):
    client.get(take_url(attempt))
    html = answer(client, attempt, htmx=True, **extra).content.decode()
    assert 'class="reveal"' in html, html
    return html


def test_the_cache_key_covers_every_clip_field_the_partial_reads():
    source = Path(settings.BASE_DIR, "templates/quiz/attempt_take.html").read_text()
    partial = source.split("{% partialdef reveal-clip %}")[1].split("{% endpartialdef %}")[0]
    read = {DERIVED.get(name, name) for name in re.findall(r"\bclip\.(\w+)", partial)}
    assert read and read <= set(CLIP_REVEAL_FIELDS), read - set(CLIP_REVEAL_FIELDS)
    # What the part may not depend on: it is shared by every learner who answers the clip.
    assert not re.search(r"\b(response|outcome|attempt|review|request|user)\b", partial)


def test_each_learner_sees_their_own_point_over_the_same_tells(client, teacher, django_user_model, password):
    clip = ClipFactory(fake=True, regions=[{"x": 0.6, "y": 0.6, "w": 0.3, "h": 0.3}])
    quiz = make_quiz(owner=teacher, clips=[clip])
    seen = []
    for i, point in enumerate([("0.7", "0.72"), ("0.1", "0.2"), None]):
        learner = django_user_model.objects.create_user(email=f"learner{i}@example.com", password=password)
        client.force_login(learner)
        attempt = services.attempt_start(quiz=quiz, learner=learner)
        extra = {"point_x": point[0], "point_y": point[1]} if point else {}
        seen.append(reveal_of(client, attempt, **extra))
    assert seen[0].count('<rect x="60.0" y="60.0" width="30.0" height="30.0">') == 1
    assert '<circle class="learner-point" r="2.5" cx="70.0" cy="72.0"></circle>' in seen[0]
    assert '<circle class="learner-point" r="2.5" cx="10.0" cy="20.0"></circle>' in seen[1]
    assert "learner-point" not in seen[2] and "<!--" not in seen[2]
    assert "You pointed at a real tell." in seen[0] and "You pointed somewhere else" in seen[1]


def test_an_edited_clip_is_revealed_as_it_is_now(client, teacher, django_user_model, password):
    """A relabel or a new explanation reaches the next reveal: the cached part is keyed by what it shows."""
    clip = ClipFactory(fake=True, explanation="Pasted from the left side.")
    quiz = make_quiz(owner=teacher, clips=[clip])

    def next_reveal(n):
        learner = django_user_model.objects.create_user(email=f"next{n}@example.com", password=password)
        client.force_login(learner)
        return reveal_of(client, services.attempt_start(quiz=quiz, learner=learner), fake=True)

    first = next_reveal(1)
    assert "Synthetic</span>" in first and "Copy-move" in first and "Pasted from the left side." in first
    # A bulk update does not even touch updated_at: the key is the content itself.
    Clip.objects.filter(pk=clip.pk).update(truth=Truth.REAL, technique=Technique.AUTHENTIC, generator="",
                                           regions=[], explanation="An unedited photograph.")
    second = next_reveal(2)
    assert "Real</span>" in second and "Copy-move" not in second and "Pasted from" not in second
    assert "An unedited photograph." in second and "Not this time." in second


def test_a_full_cache_starts_again_instead_of_growing(monkeypatch):
    monkeypatch.setattr(quiz_tags, "REVEAL_CLIP_CACHE_SIZE", 2)
    monkeypatch.setattr(quiz_tags, "_reveal_clip_cache", {})
    clips = [ClipFactory(explanation=f"Clip {i}.") for i in range(3)]
    parts = [quiz_tags.clip_reveal(clip) for clip in clips]
    assert [f"Clip {i}." in part for i, part in enumerate(parts)] == [True] * 3
    assert len(quiz_tags._reveal_clip_cache) == 1


def test_signed_media_urls_are_never_served_from_the_cache(monkeypatch):
    """With a storage that signs its URLs (S3 query string auth), each reveal gets a fresh URL."""
    from itertools import count

    from django.core.files.storage import FileSystemStorage

    signatures = count()
    monkeypatch.setattr(FileSystemStorage, "url", lambda self, name: f"/signed/{name}?sig={next(signatures)}")
    clip = ClipFactory(fake=True)
    first, second = quiz_tags.clip_reveal(clip), quiz_tags.clip_reveal(clip)
    assert "?sig=" in first and "?sig=" in second
    assert re.findall(r'src="([^"]+)"', first)[0] != re.findall(r'src="([^"]+)"', second)[0]


def test_the_reveal_draws_a_chosen_part_of_the_frame_and_video_tells_and_says_why_a_point_was_not_judged(
        student_client, teacher, student):
    """Keyboard users see their chosen part of the frame against the tells, as mouse users see their
    click; a video's boxes are drawn over it; a fake whose tells are only moments in time says why
    the pointing got no verdict, instead of saying nothing."""
    box = [{"x": 0.6, "y": 0.6, "w": 0.3, "h": 0.3}]
    image = ClipFactory(fake=True, regions=box)
    video = ClipFactory(fake=True, media_type="video", regions=box, width=320, height=180)
    timed = ClipFactory(fake=True, media_type="video", regions=[{"start": 1.0, "end": 2.0}])
    reveals = {}
    for clip in (image, video, timed):
        attempt = services.attempt_start(quiz=make_quiz(owner=teacher, clips=[clip]), learner=student)
        student_client.get(take_url(attempt))
        reveals[clip.pk] = answer(student_client, attempt, cell="2,2", htmx=True).content.decode()
    cell = '<rect class="learner-point" x="66.67" y="66.67" width="33.33" height="33.33"></rect>'
    assert cell in reveals[image.pk] and "You pointed at a real tell." in reveals[image.pk]
    assert cell in reveals[video.pk] and 'class="tell-overlay"' in reveals[video.pk]
    assert "no marked place in the frame to compare your pointing with: its tells are moments in time" \
        in reveals[timed.pk]


def test_a_video_reveal_marks_its_tells_on_the_timeline_and_the_countdown_stays(student_client, teacher, student):
    """The tells of a video are drawn on its timeline as well as listed in words; in a timed quiz the
    reveal keeps the time left (the countdown and its warnings stopped on every reveal)."""
    video = ClipFactory(fake=True, media_type="video", duration_seconds=10.0,
                        regions=[{"start": 2.0, "end": 4.5}, {"start": 9.5, "end": 12.0}])
    quiz = make_quiz(owner=teacher, clips=[video, ClipFactory()], time_limit_seconds=600)
    attempt = services.attempt_start(quiz=quiz, learner=student)
    reveals = {}
    for _ in range(2):
        clip_id = services.attempt_progress(attempt=attempt).item.clip_id
        student_client.get(take_url(attempt))
        reveals[clip_id] = answer(student_client, attempt, htmx=True).content.decode()
    html = reveals[video.pk]
    assert 'class="timeline"' in html and "10.0 s long, with 2 tells marked" in html
    assert '<rect class="timeline-tell" x="20.0" y="0" width="25.0" height="6">' in html
    assert '<rect class="timeline-tell" x="95.0" y="0" width="5.0" height="6">' in html  # clipped at the end
    assert "From 2.0 s to 4.5 s" in html
    first, last = (reveals[i.clip_id] for i in attempt.items.order_by("position"))
    assert "data-seconds-left" in first and "data-seconds-left" not in last  # none once it is over


BOX = {"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.3}
MOMENT = {"start": 1.0, "end": 2.0}


@pytest.mark.parametrize("truth, regions, answered_fake, pointing, said", [
    (Truth.SYNTHETIC, [BOX], True, {"point_x": 0.2, "point_y": 0.2, "found_tell": True}, "You pointed at a real tell."),
    (Truth.SYNTHETIC, [BOX], True, {"point_x": 0.9, "point_y": 0.9, "found_tell": False},
     "You pointed somewhere else than the tell."),
    (Truth.SYNTHETIC, [MOMENT], True, {"grid_cell": "1,1"},
     "This clip has no marked place in the frame to compare your pointing with: its tells are moments in time, "
     "listed below."),
    (Truth.SYNTHETIC, [], True, {"point_x": 0.5, "point_y": 0.5},
     "This clip has no marked place in the frame to compare your pointing with."),
    (Truth.SYNTHETIC, [BOX], True, {}, "You did not point at where you saw it: the tells are marked below."),
    (Truth.SYNTHETIC, [MOMENT], True, {}, ""),
    (Truth.SYNTHETIC, [BOX], False, {}, ""),  # answered real: no pointing was asked
    # A verdict stored before the clip was relabelled real is not shown: a real clip has no tell.
    (Truth.REAL, [], True, {"point_x": 0.2, "point_y": 0.2, "found_tell": True}, ""),
], ids=["found", "missed", "pointed-at-a-moment-only-fake", "pointed-no-regions", "did-not-point",
        "did-not-point-moments", "answered-real", "relabelled-real"])
def test_the_reveal_says_what_became_of_the_pointing(truth, regions, answered_fake, pointing, said):
    from quiz.models import AttemptItem, Response

    item = AttemptItem(clip=Clip(truth=truth, regions=regions), position=1)
    outcome = services.Outcome(item=item, response=Response(item=item, answered_fake=answered_fake, **pointing))
    assert outcome.tell_verdict == said
