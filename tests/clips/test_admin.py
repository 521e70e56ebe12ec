"""The Django admin's clip change page keeps the clip library's rules."""

import json

import pytest
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.urls import reverse

from tests.factories import ClipFactory

pytestmark = pytest.mark.django_db


def change_data(clip, **overrides):
    data = {name: json.dumps(value) if isinstance(value, (list, dict)) else value
            for name, value in model_to_dict(clip).items() if value is not None and not isinstance(value, FieldFile)}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("field", "value"), [
    ("title", "Deepfake newsreader"),
    ("alt_text", "A newsreader whose face was swapped in by AI."),
])
def test_the_admin_refuses_a_title_or_alt_text_that_gives_the_answer_away(admin_client, field, value):
    clip = ClipFactory(fake=True, title="Newsreader", alt_text="A newsreader in a studio.")
    response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]),
                                 change_data(clip, **{field: value}))
    assert response.status_code == 200
    assert "must not hint at the answer" in response.content.decode()
    clip.refresh_from_db()
    assert (clip.title, clip.alt_text) == ("Newsreader", "A newsreader in a studio.")


def test_the_admin_still_saves_a_neutral_title_and_reads_a_bare_link_as_https(admin_client):
    clip = ClipFactory(fake=True, title="Newsreader")
    response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]),
                                 change_data(clip, title="Newsreader at night", source_url="example.org/clip"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    clip.refresh_from_db()
    assert (clip.title, clip.source_url) == ("Newsreader at night", "https://example.org/clip")
