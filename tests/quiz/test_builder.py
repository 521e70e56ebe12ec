"""Teachers build, edit, choose clips for, duplicate, preview and delete quizzes; others may not."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.services import user_ensure
from clips.models import Clip, Technique, Visibility
from quiz import services
from quiz.models import Attempt, Mode, Quiz, Selection
from tests.factories import ClipFactory, UserFactory

from .conftest import make_clips, make_quiz

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {"title": "Week 3 check", "description": "", "mode": Mode.PRACTICE, "selection": Selection.FIXED,
            "fake_share": 50, "ask_confidence": "on", "is_published": "on"}
    data.update(overrides)
    return data


def test_teacher_creates_a_fixed_quiz_and_chooses_clips_with_filters(teacher_client, teacher):
    response = teacher_client.post(reverse("quiz:quiz_create"), _form(time_limit_minutes=5))
    quiz = Quiz.objects.get()
    assert response.url == reverse("quiz:quiz_clips", args=[quiz.public_id])
    assert quiz.owner == teacher and quiz.time_limit_seconds == 300
    real = ClipFactory()
    fake = ClipFactory(fake=True, technique=Technique.SPLICE)
    hidden = ClipFactory(visibility=Visibility.PRIVATE, owner=UserFactory())
    page = teacher_client.get(reverse("quiz:quiz_clips", args=[quiz.public_id]) + "?truth=synthetic")
    html = page.content.decode()
    assert page.status_code == 200 and html.count("<h1") == 1
    assert fake.title in html and real.title not in html and hidden.title not in html
    teacher_client.post(reverse("quiz:quiz_clips", args=[quiz.public_id]),
                        {"shown": [real.pk, fake.pk, hidden.pk], "clip": [real.pk, fake.pk, hidden.pk]})
    assert list(quiz.items.values_list("clip_id", flat=True)) == sorted([real.pk, fake.pk])
    teacher_client.post(reverse("quiz:quiz_clips", args=[quiz.public_id]), {"shown": [real.pk], "clip": []})
    assert list(quiz.items.values_list("clip_id", flat=True)) == [fake.pk]


def test_teacher_creates_a_random_draw_quiz_with_filters(teacher_client, teacher):
    ClipFactory.create_batch(4, owner=teacher, fake=True, technique=Technique.SPLICE)
    ClipFactory.create_batch(4, owner=teacher)
    response = teacher_client.post(reverse("quiz:quiz_create"), _form(
        selection=Selection.RANDOM, draw_count=8, fake_share=40, techniques=[Technique.SPLICE], media_types=["image"],
    ))
    assert response.status_code == 302
    quiz = Quiz.objects.get()
    assert quiz.draw_count == 8 and quiz.fake_share == 40
    assert quiz.filters == {"techniques": ["splice"], "media_types": ["image"]}


@pytest.mark.parametrize(("library", "words"), [
    ({"fakes": 0, "reals": 6}, "No synthetic clips ready in the library match these filters"),
    ({"fakes": 6, "reals": 0}, "No real clips ready in the library match these filters"),
    ({"fakes": 2, "reals": 3}, "Only 5 clips that may be drawn together match these filters, fewer than the 8 to draw"),
])
def test_a_random_quiz_that_could_not_draw_what_it_says_is_not_published(teacher_client, teacher, library, words):
    """Students would meet a quiz that refuses to start, or gives 5 clips where the teacher asked
    for 8: the teacher is told so when publishing, keeps every input, and may save it unpublished."""
    ClipFactory.create_batch(library["fakes"], owner=teacher, fake=True, technique=Technique.SPLICE)
    ClipFactory.create_batch(library["reals"], owner=teacher)
    form = _form(title="Kept title", selection=Selection.RANDOM, draw_count=8, fake_share=50)
    response = teacher_client.post(reverse("quiz:quiz_create"), form)
    html = response.content.decode()
    assert response.status_code == 422 and words in html and 'value="Kept title"' in html
    assert not Quiz.objects.exists()
    del form["is_published"]
    assert teacher_client.post(reverse("quiz:quiz_create"), form).status_code == 302
    quiz = Quiz.objects.get()
    # Publishing it later through the edit form meets the same check.
    response = teacher_client.post(reverse("quiz:quiz_edit", args=[quiz.public_id]), {**form, "is_published": "on"})
    assert response.status_code == 422 and words in response.content.decode()
    quiz.refresh_from_db()
    assert not quiz.is_published


def test_the_publish_check_counts_a_real_clip_and_the_fake_made_from_it_once(teacher_client, teacher):
    """They are never drawn together, so three such pairs give three items, not six."""
    reals = ClipFactory.create_batch(3, owner=teacher)
    for real in reals:
        ClipFactory(owner=teacher, fake=True, technique=Technique.SPLICE, sibling=real)
    form = _form(selection=Selection.RANDOM, draw_count=6, fake_share=50)
    response = teacher_client.post(reverse("quiz:quiz_create"), form)
    assert response.status_code == 422 and "Only 3 clips that may be drawn together" in response.content.decode()
    assert teacher_client.post(reverse("quiz:quiz_create"), {**form, "draw_count": 3}).status_code == 302


def test_a_public_quiz_is_checked_as_guests_would_be_drawn_it(teacher_client, teacher):
    """Guests never get research-dataset clips: a public quiz whose only fakes are such clips could
    not start for them, though the teacher's own students could take it."""
    ClipFactory.create_batch(3, owner=teacher, fake=True, technique=Technique.FACE_SWAP,
                             research_basis="FaceForensics++, research licence")
    ClipFactory.create_batch(3, owner=teacher)
    form = _form(selection=Selection.RANDOM, draw_count=4, fake_share=50)
    response = teacher_client.post(reverse("quiz:quiz_create"), {**form, "is_public": "on"})
    assert response.status_code == 422 and "No synthetic clips ready in the library match these filters for guests" \
        in response.content.decode()
    assert teacher_client.post(reverse("quiz:quiz_create"), form).status_code == 302


def test_a_published_fixed_quiz_without_clips_is_not_listed_to_learners(client, teacher, student):
    empty = make_quiz(owner=teacher, title="Still empty")
    make_quiz(owner=teacher, clips=make_clips(1, 1), title="Ready quiz")
    client.force_login(student)
    html = client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Ready quiz" in html and "Still empty" not in html
    client.force_login(teacher)
    manage = client.get(reverse("quiz:quiz_manage")).content.decode()
    assert "Learners do not see it until it has clips." in manage and empty.is_published


def test_random_quiz_without_draw_count_and_public_assessment_are_refused(teacher_client):
    response = teacher_client.post(reverse("quiz:quiz_create"), _form(selection=Selection.RANDOM))
    assert response.status_code == 422 and "how many clips" in response.content.decode()
    response = teacher_client.post(reverse("quiz:quiz_create"), _form(mode=Mode.ASSESSMENT, is_public="on"))
    assert response.status_code == 422 and "Only practice quizzes can be public" in response.content.decode()
    assert not Quiz.objects.exists()


def test_teacher_edits_duplicates_and_deletes_own_quiz(teacher_client, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 1))
    response = teacher_client.post(reverse("quiz:quiz_edit", args=[quiz.public_id]), _form(title="Renamed"))
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.title == "Renamed"
    teacher_client.post(reverse("quiz:quiz_duplicate", args=[quiz.public_id]))
    copy = Quiz.objects.exclude(pk=quiz.pk).get()
    assert copy.title == "Copy of Renamed" and not copy.is_published
    assert list(copy.items.values_list("clip_id", flat=True)) == list(quiz.items.values_list("clip_id", flat=True))
    teacher_client.post(reverse("quiz:quiz_delete", args=[copy.public_id]))
    assert not Quiz.objects.filter(pk=copy.pk).exists()
    assert "Renamed" in teacher_client.get(reverse("quiz:quiz_manage")).content.decode()


def test_quiz_with_learner_attempts_is_kept_when_deleted(teacher_client, teacher, student):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1))
    services.attempt_start(quiz=quiz, learner=student)
    response = teacher_client.post(reverse("quiz:quiz_delete", args=[quiz.public_id]), follow=True)
    assert "kept for their results" in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_quiz_assigned_to_another_teachers_class_is_kept_when_deleted_with_words(teacher_client, teacher):
    """Any teacher may assign a published quiz; deleting it then must say why it stays, not fail."""
    from classroom.models import Assignment, Classroom

    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1))
    Assignment.objects.create(classroom=Classroom.objects.create(name="7B"), quiz=quiz)
    response = teacher_client.post(reverse("quiz:quiz_delete", args=[quiz.public_id]), follow=True)
    assert response.status_code == 200
    assert "assigned to a class" in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_garbled_clip_ids_in_the_clip_picker_are_ignored_and_the_rest_is_saved(teacher_client, teacher):
    quiz = make_quiz(owner=teacher)
    clip = ClipFactory()
    response = teacher_client.post(reverse("quiz:quiz_clips", args=[quiz.public_id]), {
        "shown": [clip.pk, "²", "9" * 5000, "99999999999999999999"],
        "clip": [clip.pk, "²", "9" * 5000, "99999999999999999999"],
    })
    assert response.status_code == 302
    assert list(quiz.items.values_list("clip_id", flat=True)) == [clip.pk]


def test_the_clip_picker_pages_through_the_whole_library_keeping_the_filters(teacher_client, teacher):
    """Past the newest page of clips the oldest can still be chosen; a garbled page number is the first page."""
    from quiz.views import CLIP_PAGE_SIZE

    quiz = make_quiz(owner=teacher)
    oldest = ClipFactory(fake=True, title="Oldest fake")
    ClipFactory.create_batch(CLIP_PAGE_SIZE, fake=True)
    ClipFactory(title="A real one")  # filtered out below
    url = reverse("quiz:quiz_clips", args=[quiz.public_id])
    first = teacher_client.get(url + "?truth=synthetic").content.decode()
    assert "Oldest fake" not in first and "Page 1 of 2" in first and "A real one" not in first
    # Turning the page saves this page's ticks, and the next page keeps the filter.
    newest = Clip.objects.filter(truth="synthetic").order_by("-created_at", "pk").first()
    turned = teacher_client.post(url + "?truth=synthetic", {"shown": [newest.pk], "clip": [newest.pk], "goto": "2"})
    assert turned.url.endswith("?truth=synthetic&page=2")
    second = teacher_client.get(turned.url).content.decode()
    assert f'value="{oldest.pk}" id="clip-{oldest.pk}"' in second and "Page 2 of 2" in second
    for garbled in ("abc", "-1", "0", "9" * 30):
        page = teacher_client.get(url + f"?truth=synthetic&page={garbled}")
        assert page.status_code == 200 and "Page " in page.content.decode()
    response = teacher_client.post(url + "?truth=synthetic&page=2", {"shown": [oldest.pk], "clip": [oldest.pk]})
    assert response.url.endswith("?truth=synthetic&page=2")
    assert set(quiz.items.values_list("clip_id", flat=True)) == {newest.pk, oldest.pk}


def test_a_clip_that_left_the_library_can_still_be_taken_out_of_a_quiz(teacher_client, teacher):
    kept, retired = ClipFactory(title="Kept clip"), ClipFactory(title="Retired clip")
    quiz = make_quiz(owner=teacher, clips=[kept, retired])
    retired.retired = True
    retired.save()
    url = reverse("quiz:quiz_clips", args=[quiz.public_id])
    html = teacher_client.get(url).content.decode()
    assert "2 clips in the quiz, 1 of them no longer in the library" in html
    assert html.count("No longer in the library") == 1
    response = teacher_client.post(url, {"remove_gone": "1"})
    assert response.status_code == 302
    assert list(quiz.items.values_list("clip_id", flat=True)) == [kept.pk]
    assert "1 clip in the quiz." in teacher_client.get(url).content.decode()


def test_zero_attempts_allowed_is_refused_in_words_keeping_the_other_inputs(teacher_client):
    response = teacher_client.post(reverse("quiz:quiz_create"), _form(title="Kept title", max_attempts=0))
    html = response.content.decode()
    assert response.status_code == 422 and not Quiz.objects.exists()
    assert "At least 1, or leave it empty for no limit." in html and "Kept title" in html
    assert "Constraint" not in html


def test_each_preview_starts_afresh_with_the_quiz_as_it_is_now(teacher_client, teacher):
    """Previewing again after an edit shows the edit, not the unfinished preview from before it."""
    quiz = make_quiz(owner=teacher, clips=make_clips(2, 1))
    url = reverse("quiz:quiz_preview", args=[quiz.public_id])
    teacher_client.post(url)
    first = Attempt.objects.get()
    Quiz.objects.filter(pk=quiz.pk).update(ask_confidence=False)
    page = teacher_client.post(url, follow=True).content.decode()
    second = Attempt.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert first.is_finished and second.is_preview and not second.ask_confidence
    assert "How sure are you?" not in page
    # A reload of the preview page itself still resumes it.
    assert teacher_client.get(reverse("quiz:attempt_take", args=[second.public_id])).status_code == 200
    assert Attempt.objects.count() == 2


def test_teacher_preview_is_flagged_and_shows_the_quiz_as_a_student_would(teacher_client, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1))
    response = teacher_client.post(reverse("quiz:quiz_preview", args=[quiz.public_id]), follow=True)
    html = response.content.decode().split("<footer")[0]
    assert Attempt.objects.get().is_preview
    assert "Item 1 of 2" in html and "Preview" in html and "badge-synthetic" not in html


def test_another_teachers_quiz_is_404(client, teacher):
    quiz = make_quiz(owner=teacher, clips=make_clips(1, 1))
    client.force_login(UserFactory(teacher=True))
    for name in ("quiz_edit", "quiz_clips"):
        assert client.get(reverse(f"quiz:{name}", args=[quiz.public_id])).status_code == 404
    for name in ("quiz_duplicate", "quiz_preview", "quiz_delete"):
        assert client.post(reverse(f"quiz:{name}", args=[quiz.public_id])).status_code == 404


@pytest.mark.parametrize("name,method", [
    ("quiz_manage", "get"), ("quiz_create", "get"), ("quiz_edit", "get"), ("quiz_clips", "get"),
    ("quiz_duplicate", "post"), ("quiz_preview", "post"), ("quiz_delete", "post"),
])
def test_teacher_pages_are_403_for_students_and_log_in_for_anonymous(client, student, teacher, name, method):
    quiz = make_quiz(owner=teacher)
    url = reverse(f"quiz:{name}", args=[] if name in ("quiz_manage", "quiz_create") else [quiz.public_id])
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    client.force_login(student)
    assert getattr(client, method)(url).status_code == 403


def test_teacher_nav_links_to_quizzes(teacher_client, client, student):
    html = teacher_client.get(reverse("home")).content.decode()
    assert reverse("quiz:quiz_manage") in html and reverse("quiz:quiz_list") in html
    client.force_login(student)
    html = client.get(reverse("home")).content.decode()
    assert reverse("quiz:quiz_manage") not in html and reverse("quiz:quiz_list") in html


def test_load_demo_quizzes_does_nothing_without_clips_and_is_idempotent(capsys):
    call_command("load_demo_quizzes")
    assert "No public ready clips" in capsys.readouterr().out
    assert not Quiz.objects.exists()
    make_clips(6, 6)
    user_ensure(email="teacher@example.com", password="x-long-passphrase-1", teacher=True)
    call_command("load_demo_quizzes")
    call_command("load_demo_quizzes")
    practice = Quiz.objects.get(title="Practice: spot the edit")
    assert practice.is_public and practice.mode == Mode.PRACTICE and practice.draw_count == 10
    assessment = Quiz.objects.get(mode=Mode.ASSESSMENT)
    assert assessment.owner.email == "teacher@example.com"
    assert Quiz.objects.count() == 2


def test_filtering_the_clip_picker_saves_the_ticks_first(teacher_client, teacher):
    """Filter was a form of its own: a tick not yet saved was lost without a word."""
    quiz = make_quiz(owner=teacher)
    real, fake = ClipFactory(title="Pier at noon"), ClipFactory(fake=True, title="Pier at dusk")
    url = reverse("quiz:quiz_clips", args=[quiz.public_id])
    response = teacher_client.post(url, {"shown": [real.pk, fake.pk], "clip": [real.pk], "truth": "synthetic",
                                         "apply_filter": "1"})
    assert response.url.endswith("?truth=synthetic")
    assert list(quiz.items.values_list("clip_id", flat=True)) == [real.pk]
    page = teacher_client.get(response.url).content.decode()
    assert f'id="clip-{fake.pk}"' in page and f'id="clip-{real.pk}"' not in page


def test_a_filter_the_picker_cannot_read_says_error_in_the_page_title(teacher_client, teacher):
    quiz = make_quiz(owner=teacher)
    html = teacher_client.get(reverse("quiz:quiz_clips", args=[quiz.public_id]) + "?truth=bogus").content.decode()
    assert "<title>Error: Clips for" in html and "There is a problem" in html
