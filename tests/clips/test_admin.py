"""The Django admin's clip change page keeps the clip library's rules."""


import pytest
from django.core.files.storage import storages
from django.urls import reverse

from clips import services
from clips.models import Clip
from tests.clips.test_library import jpeg_upload, processed_clip
from tests.factories import ClipFactory, admin_change_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "value"), [
    ("title", "Deepfake newsreader"),
    ("alt_text", "A newsreader whose face was swapped in by AI."),
])
def test_the_admin_refuses_a_title_or_alt_text_that_gives_the_answer_away(admin_client, field, value):
    clip = ClipFactory(fake=True, title="Newsreader", alt_text="A newsreader in a studio.")
    response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]),
                                 admin_change_data(clip, **{field: value}))
    assert response.status_code == 200
    assert "must not hint at the answer" in response.content.decode()
    clip.refresh_from_db()
    assert (clip.title, clip.alt_text) == ("Newsreader", "A newsreader in a studio.")


def test_the_admin_still_saves_a_neutral_title_and_reads_a_bare_link_as_https(admin_client):
    clip = ClipFactory(fake=True, title="Newsreader")
    response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]),
                                 admin_change_data(clip, title="Newsreader at night", source_url="example.org/clip"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    clip.refresh_from_db()
    assert (clip.title, clip.source_url) == ("Newsreader at night", "https://example.org/clip")


@pytest.mark.parametrize("field", ["source", "licence", "digital_source_type"])
def test_the_admin_will_not_blank_where_a_clip_came_from(admin_client, field):
    clip = ClipFactory(source="Own camera", licence="CC0-1.0")
    response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]), admin_change_data(clip, **{field: ""}))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    clip.refresh_from_db()
    assert (clip.source, clip.licence, clip.digital_source_type) == ("Own camera", "CC0-1.0", "digitalCapture")


def face_swap(**fields):
    return ClipFactory(fake=True, technique="face_swap", digital_source_type="compositeWithTrainedAlgorithmicMedia",
                       visibility="private", **fields)


@pytest.mark.parametrize("consent", [
    {"consent_subject": "Jane"},
    {"consent_subject": "Jane", "consent_obtained_by": "Tess"},
    {"consent_subject": "", "consent_obtained_by": "", "consent_date": ""},
])
def test_the_admin_asks_for_a_whole_consent_record_in_words_before_sharing_a_real_person(admin_client, consent):
    clip = face_swap()
    response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]),
                                 admin_change_data(clip, depicts_real_person="on", visibility="public", **consent))
    assert response.status_code == 200
    page = response.content.decode()
    assert "needs a consent record (who, obtained by whom, and when)" in page
    assert "Constraint" not in page
    clip.refresh_from_db()
    assert (clip.depicts_real_person, clip.visibility) == (False, "private")


def test_the_admin_shares_a_real_person_with_a_whole_consent_record_or_a_research_basis(admin_client):
    consented, researched = face_swap(), face_swap()
    for clip, basis in [(consented, {"consent_subject": "Jane", "consent_obtained_by": "Tess",
                                     "consent_date": "2026-09-01"}),
                        (researched, {"research_basis": "Celeb-DF v2, research licence"})]:
        response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]),
                                     admin_change_data(clip, depicts_real_person="on", visibility="public", **basis))
        assert response.status_code == 302, response.context["adminform"].form.errors
        clip.refresh_from_db()
        assert clip.visibility == "public"


def test_deleting_a_clip_in_the_admin_stops_serving_it_and_removes_the_original(
        admin_client, client, teacher, django_capture_on_commit_callbacks):
    """Consent withdrawn: the admin's Delete must leave nothing to serve and no private copy behind."""
    clip = processed_clip(teacher, django_capture_on_commit_callbacks)
    url, original = clip.rendition.url, clip.original.name
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:clips_clip_delete", args=[clip.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert not storages["private"].exists(original)


def test_deleting_clips_in_bulk_in_the_admin_removes_their_files_too(
        admin_client, client, teacher, django_capture_on_commit_callbacks):
    clips = [processed_clip(teacher, django_capture_on_commit_callbacks, title=title) for title in ("Pier", "Dock")]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:clips_clip_changelist"), {
            "action": "delete_selected", "_selected_action": [c.pk for c in clips], "post": "yes"})
    assert response.status_code == 302
    assert not Clip.objects.exists()
    for clip in clips:
        assert client.get(clip.rendition.url).status_code == 404
        assert not storages["private"].exists(clip.original.name)


def test_a_file_that_cannot_be_deleted_does_not_keep_the_other_clips_files(
        admin_client, teacher, django_capture_on_commit_callbacks, monkeypatch):
    """One storage error (a locked file, an outage) is logged; every other file still goes."""
    clips = [processed_clip(teacher, django_capture_on_commit_callbacks, title=title) for title in ("Pier", "Dock")]
    stuck = clips[0].rendition.name
    delete = type(storages["default"]).delete

    def failing_delete(storage, name):
        if name == stuck:
            raise OSError("device busy")
        return delete(storage, name)

    monkeypatch.setattr(type(storages["default"]), "delete", failing_delete)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:clips_clip_changelist"), {
            "action": "delete_selected", "_selected_action": [c.pk for c in clips], "post": "yes"})
    assert not Clip.objects.exists()
    for clip in clips:
        assert not storages["private"].exists(clip.original.name)
    assert not storages["default"].exists(clips[1].rendition.name)


def test_a_clip_deletion_that_rolls_back_keeps_the_clips_files(teacher, django_capture_on_commit_callbacks):
    """Rule 5: the files go only once the deletion is committed; a rolled-back one leaves a whole clip."""
    from django.db import transaction

    clip = processed_clip(teacher, django_capture_on_commit_callbacks)
    pk, original, rendition = clip.pk, clip.original.name, clip.rendition.name
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                assert services.clip_delete(clip=clip) == "deleted"
                raise RuntimeError("the caller's transaction fails after the delete")
        except RuntimeError:
            pass
    assert Clip.objects.filter(pk=pk).exists()
    assert storages["private"].exists(original) and storages["default"].exists(rendition)


def admin_add_data(**overrides) -> dict:
    data = {"title": "Harbour at dusk", "alt_text": "Boats moored in a harbour.", "media_type": "", "truth": "synthetic",
            "technique": "face_swap", "difficulty": 2, "regions": "[]", "source": "Made by us", "licence": "CC0-1.0",
            "digital_source_type": "trainedAlgorithmicMedia", "visibility": "private", "progress": 0,
            "original_size": 0}
    data.update(overrides)
    return data


def test_a_clip_added_in_the_admin_goes_through_the_media_pipeline_and_its_file_names_say_nothing(
        admin_client, client, django_capture_on_commit_callbacks):
    """Rule 1 through the admin: an upload named for its label ("fake_03.jpg") is stored privately under a
    random name and processed like any other; the admin cannot put a file straight up as the served
    rendition, nor mark an unprocessed clip ready."""
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:clips_clip_add"), admin_add_data(
            original=jpeg_upload("fake_03.jpg"), rendition=jpeg_upload("deepfake_face.jpg"), status="ready"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    clip = Clip.objects.get()
    assert clip.status == "ready" and clip.processed_at is not None  # by the pipeline, not the form
    assert clip.original and "fake" not in clip.original.name
    assert clip.rendition and "fake" not in clip.rendition.url
    body = b"".join(client.get(clip.rendition.url).streaming_content)
    assert b"Camera Owner" not in body  # the pipeline stripped the upload's metadata


def test_the_admin_asks_for_the_file_when_adding_a_clip_and_keeps_nothing_half_saved(admin_client):
    response = admin_client.post(reverse("admin:clips_clip_add"), admin_add_data())
    assert response.status_code == 200
    assert "original" in response.context["adminform"].form.errors
    assert not Clip.objects.exists()


def test_the_admin_cannot_swap_the_served_file_of_a_clip(admin_client, teacher, django_capture_on_commit_callbacks):
    clip = processed_clip(teacher, django_capture_on_commit_callbacks)
    rendition = clip.rendition.name
    # The change page opens (an uploaded clip's private original once made it fail: it has no URL).
    page = admin_client.get(reverse("admin:clips_clip_change", args=[clip.pk]))
    assert page.status_code == 200 and "Kept privately" in page.content.decode()
    response = admin_client.post(reverse("admin:clips_clip_change", args=[clip.pk]),
                                 admin_change_data(clip, digital_source_type="digitalCapture",
                                                   rendition=jpeg_upload("deepfake_face.jpg")))
    assert response.status_code == 302, response.context["adminform"].form.errors
    clip.refresh_from_db()
    assert clip.rendition.name == rendition
