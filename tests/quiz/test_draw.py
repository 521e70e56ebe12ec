"""Which clips a quiz may show learners: consent and provenance (DESIGN rule 3)."""

import random

import pytest

from clips.models import Technique, Visibility
from quiz import services
from quiz.models import Selection
from tests.factories import ClipFactory

from .conftest import make_clips, make_quiz

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("selection", [Selection.FIXED, Selection.RANDOM])
def test_a_private_synthetic_likeness_without_consent_or_basis_never_reaches_learners(teacher, selection):
    """The database lets an owner keep such a clip private; a quiz would still show it to
    their students, so no quiz may draw it until it has a consent record or a research basis."""
    reals = make_clips(3, 0, owner=teacher, visibility=Visibility.PRIVATE)
    other = ClipFactory(fake=True, owner=teacher, visibility=Visibility.PRIVATE)  # a random draw needs a fake
    person = ClipFactory(fake=True, owner=teacher, visibility=Visibility.PRIVATE, technique=Technique.FACE_SWAP,
                         depicts_real_person=True, consent_subject="", consent_obtained_by="", research_basis="")
    quiz = make_quiz(owner=teacher, clips=[*reals, other, person], selection=selection,
                     **({"draw_count": 4, "fake_share": 50} if selection == Selection.RANDOM else {}))
    for seed in range(5):
        assert person.pk not in services.clips_draw(quiz=quiz, rng=random.Random(seed))
    person.research_basis = "FaceForensics++ research licence, agreement on file"
    person.save()
    assert person.pk in services.clips_draw(quiz=quiz, rng=random.Random(0))
