"""Which clips a quiz may show learners: consent and provenance (DESIGN rule 3)."""

import random

import pytest

from clips.models import Technique, Visibility
from quiz import services
from quiz.models import Selection
from tests.factories import ClipFactory, UserFactory

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
    student = _student_of(teacher)
    for seed in range(5):
        assert person.pk not in services.clips_draw(quiz=quiz, rng=random.Random(seed), learner=student)
    person.research_basis = "FaceForensics++ research licence, agreement on file"
    person.save()
    assert person.pk in services.clips_draw(quiz=quiz, rng=random.Random(0), learner=student)


def _student_of(teacher):
    from classroom import services as class_services
    from classroom.models import Membership

    student = UserFactory()
    Membership.objects.create(classroom=class_services.classroom_create(owner=teacher, name="9C"), student=student)
    return student


@pytest.mark.parametrize("selection", [Selection.FIXED, Selection.RANDOM])
def test_a_research_dataset_clip_reaches_only_its_owners_students(teacher, selection):
    """MEDIA-SOURCES.md: clips imported from a research dataset (real people, a research licence) stay
    with the importing teacher's classes, even in a quiz anyone with the link, or a guest, may take."""
    reals = make_clips(3, 0, owner=teacher, visibility=Visibility.PRIVATE)
    other = ClipFactory(fake=True, owner=teacher, visibility=Visibility.PRIVATE)
    research = ClipFactory(fake=True, owner=teacher, visibility=Visibility.CLASSES, technique=Technique.FACE_SWAP,
                           depicts_real_person=True, research_basis="Research dataset: Celeb-DF, research licence")
    quiz = make_quiz(owner=teacher, clips=[*reals, other, research], selection=selection, is_public=True,
                     **({"draw_count": 5, "fake_share": 40} if selection == Selection.RANDOM else {}))
    student, stranger = _student_of(teacher), UserFactory()
    for seed in range(5):
        assert research.pk in services.clips_draw(quiz=quiz, rng=random.Random(seed), learner=student)
        assert research.pk in services.clips_draw(quiz=quiz, rng=random.Random(seed), learner=teacher)
        assert research.pk not in services.clips_draw(quiz=quiz, rng=random.Random(seed), learner=stranger)
        assert research.pk not in services.clips_draw(quiz=quiz, rng=random.Random(seed))  # a guest
    guest = services.attempt_start(quiz=quiz, guest_key="a-guest")
    assert research.pk not in set(guest.items.values_list("clip_id", flat=True))


def test_an_admins_public_quiz_draws_no_other_teachers_private_clip(teacher):
    admin = UserFactory(is_superuser=True, is_staff=True)
    private = ClipFactory(fake=True, owner=teacher, visibility=Visibility.PRIVATE)
    shared = [*make_clips(3, 0), *make_clips(0, 2)]
    quiz = make_quiz(owner=admin, selection=Selection.RANDOM, draw_count=5, fake_share=40, is_public=True)
    for seed in range(10):
        drawn = services.clips_draw(quiz=quiz, rng=random.Random(seed))
        assert private.pk not in drawn and set(drawn) <= {c.pk for c in shared}


def test_a_research_clip_an_admin_shared_goes_to_the_students_of_the_teacher_whose_quiz_holds_it(teacher):
    from tests.clips.test_library import research_clip

    shared = research_clip(UserFactory(teacher=True), visibility=Visibility.PUBLIC)  # as an admin shares it
    quiz = make_quiz(owner=teacher, clips=[*make_clips(2, 0), shared], is_public=True)
    student, stranger = _student_of(teacher), UserFactory()
    assert shared.pk in services.clips_draw(quiz=quiz, rng=random.Random(0), learner=student)
    assert shared.pk in services.clips_draw(quiz=quiz, rng=random.Random(0), learner=teacher)
    assert shared.pk not in services.clips_draw(quiz=quiz, rng=random.Random(0), learner=stranger)
    assert shared.pk not in services.clips_draw(quiz=quiz, rng=random.Random(0))
