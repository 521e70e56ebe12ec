"""factory_boy factories shared by the suite."""

import io

import factory
from django.core.files.base import ContentFile
from PIL import Image

from accounts.models import User
from clips.models import Clip, DigitalSourceType, MediaType, Status, Technique, Truth, Visibility


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Learner {n}")
    password = factory.PostGenerationMethodCall("set_password", "a-long-Unusual-passphrase-42")

    @factory.post_generation
    def teacher(self, create, extracted, **kwargs):
        from accounts.services import user_make_teacher

        if extracted:
            user_make_teacher(user=self)
        if create:
            self.save()


def webp_bytes(size=(64, 48), colour=(120, 90, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "WEBP", quality=82)
    return buffer.getvalue()


class ClipFactory(factory.django.DjangoModelFactory):
    """A ready image clip with a small rendition, poster and thumbnail in storage."""

    class Meta:
        model = Clip

    title = factory.Sequence(lambda n: f"Scene {n}")
    alt_text = "A photograph of a scene."
    media_type = MediaType.IMAGE
    truth = Truth.REAL
    technique = Technique.AUTHENTIC
    status = Status.READY
    visibility = Visibility.PUBLIC
    difficulty = 2
    source = "Test suite"
    licence = "CC0-1.0"
    digital_source_type = DigitalSourceType.DIGITAL_CAPTURE
    mime = "image/webp"
    width = 64
    height = 48
    rendition = factory.LazyFunction(lambda: ContentFile(webp_bytes(), name="r.webp"))
    poster = factory.LazyFunction(lambda: ContentFile(webp_bytes(), name="p.webp"))
    thumbnail = factory.LazyFunction(lambda: ContentFile(webp_bytes((32, 24)), name="t.webp"))

    class Params:
        fake = factory.Trait(
            truth=Truth.SYNTHETIC,
            technique=Technique.COPY_MOVE,
            generator="Test generator",
            tells="A duplicated patch in the top left.",
            regions=[{"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.3}],
            explanation="A patch was cloned.",
            digital_source_type=DigitalSourceType.HUMAN_EDITS,
        )


def admin_change_data(clip, **overrides) -> dict:
    """What the Django admin's change page for this clip posts, with ``overrides`` (files left out:
    an empty file input keeps the stored file)."""
    import json

    from django.db.models.fields.files import FieldFile
    from django.forms.models import model_to_dict

    data = {name: json.dumps(value) if isinstance(value, (list, dict)) else value
            for name, value in model_to_dict(clip).items() if value is not None and not isinstance(value, FieldFile)}
    data.update(overrides)
    return data
