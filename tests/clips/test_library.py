"""Upload, the pipeline through the service, the library pages, serving and delete."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from PIL import Image

from clips import media, services
from clips.models import Clip, Status, Technique, Truth, Visibility
from tests.factories import ClipFactory, UserFactory

pytestmark = pytest.mark.django_db


def jpeg_upload(name="holiday.jpg", size=(640, 480), colour=(30, 120, 200)):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x013B] = "Camera Owner"  # Artist
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def upload_data(**overrides):
    data = {
        "title": "Harbour at dusk",
        "alt_text": "Boats moored in a harbour under an orange sky.",
        "truth": "real",
        "technique": "",
        "difficulty": "2",
        "source": "My own camera",
        "creator": "Tess",
        "licence": "CC-BY-4.0",
        "digital_source_type": "digitalCapture",
        "visibility": "private",
        "regions_json": "",
    }
    data.update(overrides)
    return data


def test_teacher_uploads_an_image_and_it_becomes_ready(teacher_client, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    assert response.status_code == 302
    clip = Clip.objects.get()
    assert clip.owner == teacher
    assert clip.status == Status.READY, clip.failure_reason
    assert clip.media_type == "image" and clip.mime == "image/webp"
    assert clip.rendition.name.startswith("m/") and "holiday" not in clip.rendition.name
    assert clip.sha256 and clip.phash
    page = teacher_client.get(response["Location"]).content.decode()
    assert clip.rendition.url in page
    assert "Ready" in page


def test_original_is_private_and_has_no_url(teacher_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    clip = Clip.objects.get()
    assert storages["private"].exists(clip.original.name)
    with pytest.raises(ValueError):
        clip.original.url
    page = teacher_client.get(reverse("clips:detail", args=[clip.public_id])).content.decode()
    assert clip.original.name not in page
    assert teacher_client.get("/media/" + clip.original.name).status_code == 404


def test_rendition_served_with_ranges_and_no_identifying_headers(client, django_capture_on_commit_callbacks,
                                                                 teacher_client, tmp_path):
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    clip = Clip.objects.get()
    response = client.get(clip.rendition.url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert "Last-Modified" not in response and "holiday" not in response.get("Content-Disposition", "")
    served = tmp_path / "served.webp"
    served.write_bytes(body)
    assert media.has_metadata(served) == []
    partial = client.get(clip.rendition.url, HTTP_RANGE="bytes=0-9")
    assert partial.status_code == 206
    assert b"".join(partial.streaming_content) == body[:10]
    assert partial["Content-Range"] == f"bytes 0-9/{len(body)}"
    assert client.get(clip.rendition.url, HTTP_RANGE=f"bytes={len(body) + 5}-").status_code == 416


def test_an_absurdly_long_range_header_gets_the_whole_file_not_a_server_error(
        client, teacher_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    url = Clip.objects.get().rendition.url
    body = b"".join(client.get(url).streaming_content)
    for header in (f"bytes={'9' * 5000}-", f"bytes=-{'9' * 5000}", f"bytes=0-{'9' * 5000}"):
        response = client.get(url, HTTP_RANGE=header)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == body
    # Large but readable numbers keep their meaning: past the end, or a suffix longer than the file.
    assert client.get(url, HTTP_RANGE=f"bytes={'9' * 19}-").status_code == 416
    whole = client.get(url, HTTP_RANGE=f"bytes=-{'9' * 19}")
    assert whole.status_code == 206 and b"".join(whole.streaming_content) == body


def test_media_view_refuses_paths_outside_renditions(client):
    default_storage.save("secret.txt", io.BytesIO(b"x"))
    assert client.get("/media/secret.txt").status_code == 404
    assert client.get("/media/m/../secret.txt").status_code == 404
    assert client.get("/media/m/missing.webp").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": "Fake harbour"}, "title", "must not hint at the answer"),
        ({"alt_text": "An AI generated harbour"}, "alt_text", "must not hint"),
        ({"truth": "synthetic", "technique": ""}, "technique", "choose a technique"),
        ({"truth": "synthetic", "technique": "splice", "explanation": "Pasted boat.", "digital_source_type": "digitalCapture"},
         "digital_source_type", "not an original digital capture"),
        ({"truth": "synthetic", "technique": "face_swap", "explanation": "Swapped.",
          "digital_source_type": "compositeWithTrainedAlgorithmicMedia", "depicts_real_person": "on"},
         "depicts_real_person", "consent record"),
        ({"source": ""}, "source", "required"),
        ({"licence": ""}, "licence", "required"),
        ({"regions_json": "[{\"x\": 0.9, \"y\": 0.1, \"w\": 0.5, \"h\": 0.1}]"}, "regions_json", "inside the picture"),
        ({"regions_json": "not json"}, "regions_json", "not valid JSON"),
    ],
)
def test_bad_upload_metadata_is_explained_and_saves_nothing(teacher_client, overrides, field, words):
    response = teacher_client.post(reverse("clips:upload"), {**upload_data(**overrides), "file": jpeg_upload()})
    assert response.status_code == 422
    assert words in response.content.decode()
    assert field in response.context["form"].errors
    assert Clip.objects.count() == 0
    private = storages["private"]
    assert not private.exists("originals") or private.listdir("originals")[1] == []  # no original kept


def test_bad_file_is_refused_before_anything_is_saved(teacher_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bogus = SimpleUploadedFile("photo.jpg", b"this is not an image at all" * 10, content_type="image/jpeg")
    response = teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": bogus})
    assert response.status_code == 422
    assert "Traceback" not in response.content.decode()
    assert response.context["form"].errors["file"]
    assert Clip.objects.count() == 0


def test_synthetic_person_clip_with_consent_record_is_accepted(teacher_client, django_capture_on_commit_callbacks):
    data = upload_data(truth="synthetic", technique="face_swap", explanation="The face was swapped.",
                       digital_source_type="compositeWithTrainedAlgorithmicMedia", depicts_real_person="on",
                       consent_subject="Ms A (staff volunteer)", consent_obtained_by="Tess",
                       consent_date="2026-09-01", consent_scope="Classroom use", visibility="classes")
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(reverse("clips:upload"), {**data, "file": jpeg_upload()})
    assert response.status_code == 302
    assert Clip.objects.get().has_consent_record


def test_database_refuses_sharing_a_synthetic_person_without_basis(teacher):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ClipFactory(fake=True, technique=Technique.FACE_SWAP, depicts_real_person=True, visibility=Visibility.PUBLIC)


def test_pipeline_failure_keeps_the_upload_and_retry_works(teacher_client, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    real_render = media.render

    def broken(*args, **kwargs):
        raise media.MediaError("The file looks truncated or damaged: test.")

    monkeypatch.setattr(media, "render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    clip = Clip.objects.get()
    assert clip.status == Status.FAILED
    assert "truncated or damaged" in clip.failure_reason
    assert storages["private"].exists(clip.original.name)
    page = teacher_client.get(reverse("clips:detail", args=[clip.public_id])).content.decode()
    assert "Retry" in page and "truncated or damaged" in page
    monkeypatch.setattr(media, "render", real_render)
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:retry", args=[clip.public_id]))
    clip.refresh_from_db()
    assert clip.status == Status.READY


def test_processing_twice_does_not_make_a_second_set_of_renditions(teacher_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    clip = Clip.objects.get()
    before = sorted(default_storage.listdir("m")[1])
    outcome = services.clip_process(clip_id=clip.pk)
    assert outcome.skipped
    assert sorted(default_storage.listdir("m")[1]) == before


def test_a_superseded_run_discards_its_output(teacher, django_capture_on_commit_callbacks, monkeypatch):
    """Two runs on one clip (a swept job and its original): only one set of files survives."""
    clip = services.clip_create(owner=teacher, original=jpeg_upload(), fields={
        "title": "Pier", "alt_text": "A pier.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"})
    real_render = media.render

    def render_then_lose_ownership(*args, **kwargs):
        result = real_render(*args, **kwargs)
        Clip.objects.filter(pk=clip.pk).update(processing_token="someone-else")
        return result

    monkeypatch.setattr(media, "render", render_then_lose_ownership)
    outcome = services.clip_process(clip_id=clip.pk)
    assert outcome.status == "superseded"
    assert not default_storage.exists("m") or default_storage.listdir("m")[1] == []


def test_status_partial_polls_while_processing_and_stops_when_ready(teacher_client, teacher):
    clip = ClipFactory(owner=teacher, status=Status.PROCESSING, progress=40)
    response = teacher_client.get(reverse("clips:status", args=[clip.public_id]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html and "<html" not in html
    Clip.objects.filter(pk=clip.pk).update(status=Status.READY)
    response = teacher_client.get(reverse("clips:status", args=[clip.public_id]) + "?was=processing",
                                  HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].endswith(clip.public_id + "/")


def test_students_get_403_and_anonymous_go_to_login(client, student_client):
    clip = ClipFactory()
    for name, args in [("clips:library", []), ("clips:upload", []), ("clips:detail", [clip.public_id])]:
        assert student_client.get(reverse(name, args=args)).status_code == 403
    client.logout()
    response = client.get(reverse("clips:library"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_teachers_cannot_see_or_edit_each_others_private_clips(teacher_client):
    other = UserFactory(teacher=True)
    private = ClipFactory(owner=other, visibility=Visibility.PRIVATE)
    shared = ClipFactory(owner=other, visibility=Visibility.PUBLIC)
    assert teacher_client.get(reverse("clips:detail", args=[private.public_id])).status_code == 404
    assert teacher_client.get(reverse("clips:detail", args=[shared.public_id])).status_code == 200
    assert teacher_client.get(reverse("clips:edit", args=[shared.public_id])).status_code == 404
    assert teacher_client.post(reverse("clips:delete", args=[shared.public_id])).status_code == 404
    library = teacher_client.get(reverse("clips:library")).content.decode()
    assert shared.title in library and private.title not in library


def test_library_filters(teacher_client):
    ClipFactory(title="Lake one")
    ClipFactory(title="Lake two", fake=True)
    response = teacher_client.get(reverse("clips:library"), {"truth": "synthetic"})
    html = response.content.decode()
    assert "Lake two" in html and "Lake one" not in html
    response = teacher_client.get(reverse("clips:library"), {"technique": "copy_move", "difficulty": "2"})
    assert "Lake two" in response.content.decode()
    response = teacher_client.get(reverse("clips:library"), {"difficulty": "banana"})
    assert response.status_code == 200 and "not understood" in response.content.decode()


@pytest.mark.parametrize("count", [5, 60])
def test_library_query_count_does_not_grow_with_clips(teacher_client, django_assert_max_num_queries, count):
    ClipFactory.create_batch(count)
    with django_assert_max_num_queries(8):
        assert teacher_client.get(reverse("clips:library")).status_code == 200


def test_synthetic_detail_carries_a_visible_label_and_the_tells(teacher_client, teacher):
    clip = ClipFactory(owner=teacher, fake=True, regions=[{"x": 0.125, "y": 0.3333, "w": 0.25, "h": 0.5}])
    html = teacher_client.get(reverse("clips:detail", args=[clip.public_id])).content.decode()
    assert 'class="badge badge-synthetic">Synthetic' in html
    # Drawn where the reveal draws it, not rounded to whole percent.
    assert '<rect x="12.5" y="33.33" width="25.0" height="50.0"' in html and clip.tells in html


def test_delete_removes_files_when_unused(teacher_client, teacher, django_capture_on_commit_callbacks):
    clip = ClipFactory(owner=teacher)
    name = clip.rendition.name
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(reverse("clips:delete", args=[clip.public_id]))
    assert response.status_code == 302
    assert not Clip.objects.filter(pk=clip.pk).exists()
    assert not default_storage.exists(name)


def test_deleting_a_clip_a_quiz_holds_says_so_and_how_to_delete_it(teacher_client, teacher):
    """It said "Past attempts used this clip" of a clip no one had answered yet."""
    from tests.quiz.conftest import make_quiz

    clip = ClipFactory(owner=teacher)
    make_quiz(owner=teacher, clips=[clip])
    response = teacher_client.post(reverse("clips:delete", args=[clip.public_id]), follow=True)
    html = response.content.decode()
    assert "A quiz holds this clip, so it was retired" in html and "Past attempts" not in html
    assert Clip.objects.get(pk=clip.pk).retired


def test_edit_keeps_what_was_saved_when_input_is_bad(teacher_client, teacher):
    clip = ClipFactory(owner=teacher, title="Old title")
    response = teacher_client.post(reverse("clips:edit", args=[clip.public_id]),
                                   {**upload_data(title="Fake thing")})
    assert response.status_code == 422
    clip.refresh_from_db()
    assert clip.title == "Old title"
    response = teacher_client.post(reverse("clips:edit", args=[clip.public_id]), upload_data(title="New title"))
    assert response.status_code == 302
    clip.refresh_from_db()
    assert clip.title == "New title"


def test_sweeper_requeues_stuck_clips(teacher, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    clip = services.clip_create(owner=teacher, original=jpeg_upload(), fields={
        "title": "Pier", "alt_text": "A pier.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"})
    Clip.objects.filter(pk=clip.pk).update(status=Status.PROCESSING,
                                           processing_started_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        swept = services.clips_sweep_stuck()
    assert swept == [clip.pk]
    clip.refresh_from_db()
    assert clip.status == Status.READY


def processed_clip(teacher, django_capture_on_commit_callbacks, **fields):
    """An uploaded clip that went through the media pipeline: rendition made, original kept privately."""
    base = {"title": "Field", "alt_text": "A field.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"}
    base.update(fields)
    with django_capture_on_commit_callbacks(execute=True):
        clip = services.clip_create(owner=teacher, original=jpeg_upload(size=(400, 300)), fields=base)
    clip.refresh_from_db()
    assert clip.rendition and clip.original
    return clip


def test_synthetic_download_carries_a_visible_mark_and_iptc_xmp(teacher_client, teacher,
                                                                django_capture_on_commit_callbacks, tmp_path):
    clip = processed_clip(teacher, django_capture_on_commit_callbacks, truth=Truth.SYNTHETIC,
                           technique=Technique.SPLICE, explanation="Pasted.", digital_source_type="compositeCapture")
    response = teacher_client.get(reverse("clips:download", args=[clip.public_id]))
    assert response.status_code == 200
    suffix = Path(clip.rendition.name).suffix
    assert response["Content-Disposition"].endswith(f'-SYNTHETIC{suffix}"'), response["Content-Disposition"]
    assert response["Content-Type"].startswith("image/")
    data = b"".join(response.streaming_content)
    path = tmp_path / "download"
    path.write_bytes(data)
    xmp = media.read_xmp(path)
    assert xmp and "http://cv.iptc.org/newscodes/digitalsourcetype/compositeCapture" in xmp
    with Image.open(path) as marked, clip.rendition.open("rb") as handle, Image.open(handle) as plain:
        assert marked.size == plain.size
        from PIL import ImageChops

        assert ImageChops.difference(marked.convert("RGB"), plain.convert("RGB")).getbbox() is not None


def test_real_download_is_the_plain_rendition(teacher_client, teacher, django_capture_on_commit_callbacks):
    clip = processed_clip(teacher, django_capture_on_commit_callbacks)
    response = teacher_client.get(reverse("clips:download", args=[clip.public_id]))
    with clip.rendition.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_near_duplicate_upload_is_flagged(teacher, teacher_client, django_capture_on_commit_callbacks):
    first = processed_clip(teacher, django_capture_on_commit_callbacks, title="Field one")
    second = processed_clip(teacher, django_capture_on_commit_callbacks, title="Field two")
    assert second.near_duplicate_of == first
    page = teacher_client.get(reverse("clips:detail", args=[second.public_id])).content.decode()
    assert "looks almost the same as" in page


def test_another_teachers_private_clip_is_not_named_as_a_near_duplicate(teacher, client,
                                                                       django_capture_on_commit_callbacks):
    """The near-duplicate note names only clips the uploader may open: not another teacher's private one."""
    mine = processed_clip(teacher, django_capture_on_commit_callbacks, title="Field one",
                          visibility=Visibility.PRIVATE)
    other = UserFactory(teacher=True)
    theirs = processed_clip(other, django_capture_on_commit_callbacks, title="Field two")
    assert theirs.near_duplicate_of is None
    client.force_login(other)
    page = client.get(reverse("clips:detail", args=[theirs.public_id])).content.decode()
    assert mine.title not in page and "looks almost the same as" not in page


def test_a_fake_and_its_own_original_are_not_flagged_as_duplicates(teacher, django_capture_on_commit_callbacks):
    real = processed_clip(teacher, django_capture_on_commit_callbacks, title="Field one")
    fake = processed_clip(teacher, django_capture_on_commit_callbacks, title="Field two", truth=Truth.SYNTHETIC,
                           technique=Technique.RETOUCH, explanation="Smoothed.", digital_source_type="humanEdits",
                           sibling=real)
    assert fake.near_duplicate_of is None


def test_upload_is_rate_limited_per_teacher_with_a_clear_page(teacher_client, isolated_ratelimits):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bogus = lambda: SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")  # noqa: E731
    statuses = [teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": bogus()}).status_code
                for _ in range(61)]
    assert statuses[:60] == [422] * 60
    assert statuses[60] == 429
    response = teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": bogus()})
    assert "try again" in response.content.decode() and response["Retry-After"] == "60"


def test_a_large_upload_is_checked_where_django_spooled_it(teacher_client, settings, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django has written the upload to disk already: it is
    probed there, not copied to a second temporary file first. Bad bytes are still refused."""
    import tempfile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the test image is larger: it goes to a temporary file

    def no_second_copy(*args, **kwargs):
        raise AssertionError("the upload was copied to a second temporary file")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_second_copy)
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    assert response.status_code == 302 and Clip.objects.get().status == Status.READY
    from django.core.files.uploadedfile import SimpleUploadedFile

    junk = SimpleUploadedFile("junk.jpg", b"\xff\xd8\xff" + b"not really a JPEG " * 200, content_type="image/jpeg")
    response = teacher_client.post(reverse("clips:upload"), {**upload_data(title="Another"), "file": junk})
    assert response.status_code == 422 and Clip.objects.count() == 1


def edit_data(clip, **overrides):
    from django.forms.models import model_to_dict

    from clips.forms import ClipMetadataForm

    data = {name: value for name, value in model_to_dict(clip, fields=ClipMetadataForm.Meta.fields).items()
            if value is not None}
    data.update(overrides)
    return data


def research_clip(owner, **fields):
    """A Celeb-DF face swap as an import leaves it: with the importer's classes (unless ``visibility``
    says otherwise, as an admin's sharing does), on a research basis."""
    return ClipFactory(owner=owner, fake=True, technique=Technique.FACE_SWAP, depicts_real_person=True,
                       digital_source_type="compositeWithTrainedAlgorithmicMedia", dataset="Celeb-DF v2",
                       research_basis="Research dataset: Celeb-DF v2, used under its research licence",
                       **{"visibility": Visibility.CLASSES, **fields})


def test_a_teacher_cannot_share_a_research_dataset_clip_with_every_teacher(teacher_client, teacher, client):
    clip = research_clip(teacher)
    response = teacher_client.post(reverse("clips:edit", args=[clip.public_id]),
                                   edit_data(clip, visibility="public"))
    assert response.status_code == 422
    assert "Clips from a research dataset stay with your classes" in response.content.decode()
    clip.refresh_from_db()
    assert clip.visibility == Visibility.CLASSES
    other = UserFactory(teacher=True)
    client.force_login(other)
    assert clip.title not in client.get(reverse("clips:library")).content.decode()


def test_an_upload_with_a_research_basis_cannot_go_to_every_teacher(teacher_client):
    data = upload_data(research_basis="FaceForensics++ research licence", visibility="public")
    response = teacher_client.post(reverse("clips:upload"), {**data, "file": jpeg_upload()})
    assert response.status_code == 422
    assert "an administrator can share them with every teacher" in response.content.decode()
    assert Clip.objects.count() == 0


def test_an_administrator_shares_a_research_clip_and_its_owner_can_still_edit_it(teacher_client, teacher):
    clip = research_clip(teacher)
    Clip.objects.filter(pk=clip.pk).update(visibility=Visibility.PUBLIC)  # as the Django admin does
    clip.refresh_from_db()
    response = teacher_client.post(reverse("clips:edit", args=[clip.public_id]),
                                   edit_data(clip, title="Interview in a garden"))
    assert response.status_code == 302
    clip.refresh_from_db()
    assert (clip.title, clip.visibility) == ("Interview in a garden", Visibility.PUBLIC)


@pytest.mark.parametrize("superuser", [True, False], ids=["administrator", "staff-only"])
def test_only_an_administrator_teacher_may_share_their_own_research_clip(client, superuser):
    """Staff status alone (the admin site, some models) is not the administrator's say over rule 3."""
    staff = UserFactory(teacher=True, is_staff=True, is_superuser=superuser)
    clip = research_clip(staff)
    client.force_login(staff)
    response = client.post(reverse("clips:edit", args=[clip.public_id]), edit_data(clip, visibility="public"))
    assert response.status_code == (302 if superuser else 422)
    clip.refresh_from_db()
    assert clip.visibility == (Visibility.PUBLIC if superuser else Visibility.CLASSES)


@pytest.mark.parametrize("consent", [
    {"consent_subject": "Jane"},
    {"consent_subject": "Jane", "consent_obtained_by": "Tess"},
    {"consent_subject": "Jane", "consent_date": "2026-09-01"},
])
def test_a_partial_consent_record_neither_reaches_learners_nor_can_be_shared(teacher, consent):
    from django.db import IntegrityError

    person = ClipFactory(fake=True, technique=Technique.FACE_SWAP, depicts_real_person=True, owner=teacher,
                         visibility=Visibility.PRIVATE, **consent)
    assert person not in Clip.objects.publishable()
    with pytest.raises(IntegrityError):
        Clip.objects.filter(pk=person.pk).update(visibility=Visibility.CLASSES)


def test_a_whole_consent_record_or_a_research_basis_lets_a_real_person_be_shown(teacher):
    consented = ClipFactory(fake=True, technique=Technique.FACE_SWAP, depicts_real_person=True, owner=teacher,
                            consent_subject="Jane", consent_obtained_by="Tess", consent_date="2026-09-01")
    researched = research_clip(teacher)
    assert set(Clip.objects.publishable()) == {consented, researched}


@pytest.mark.parametrize("lose", ["deleted from storage", "never stored"])
def test_a_missing_original_fails_in_words_with_retry_instead_of_waiting_for_ever(
        teacher_client, teacher, django_capture_on_commit_callbacks, lose):
    if lose == "never stored":  # as a clip added in the Django admin without a file
        clip = ClipFactory(owner=teacher, status=Status.PENDING, rendition="", poster="", thumbnail="")
    else:
        clip = services.clip_create(owner=teacher, original=jpeg_upload(), fields={
            "title": "Pier", "alt_text": "A pier.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"})
        storages["private"].delete(clip.original.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.clips_sweep_stuck(older_than=timedelta(0))
    clip.refresh_from_db()
    assert clip.status == Status.FAILED
    assert clip.failure_reason == "The uploaded file is no longer stored; upload it again."
    page = teacher_client.get(reverse("clips:detail", args=[clip.public_id])).content.decode()
    assert "no longer stored" in page and "Retry" in page
    # Retried, it fails the same way at once: no loop of retries and sweeps.
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:retry", args=[clip.public_id]))
    clip.refresh_from_db()
    assert clip.status == Status.FAILED and "no longer stored" in clip.failure_reason
    assert services.clips_sweep_stuck(older_than=timedelta(0)) == []


def test_storage_trouble_reading_the_original_is_still_retried(teacher, monkeypatch):
    clip = services.clip_create(owner=teacher, original=jpeg_upload(), fields={
        "title": "Pier", "alt_text": "A pier.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"})

    def unreachable(*args, **kwargs):
        raise ConnectionResetError("storage went away")

    monkeypatch.setattr(storages["private"], "open", unreachable)
    with pytest.raises(OSError):
        services.clip_process(clip_id=clip.pk)
    clip.refresh_from_db()
    assert clip.status == Status.PENDING and clip.failure_reason == ""


def test_an_upload_sent_back_for_a_metadata_error_says_to_choose_the_file_again(teacher_client):
    response = teacher_client.post(reverse("clips:upload"), {**upload_data(licence=""), "file": jpeg_upload()})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose the file again: browsers do not keep it after an error." in page
    assert page.index('for="id_file"') < page.index("Choose the file again") < page.index('name="file"')
    assert "Choose the file again" not in teacher_client.get(reverse("clips:upload")).content.decode()
    response = teacher_client.post(reverse("clips:upload"), upload_data(licence=""))  # no file was chosen
    assert "Choose the file again" not in response.content.decode()


def test_an_upload_sent_back_for_a_storage_problem_also_says_to_choose_the_file_again(teacher_client, monkeypatch):
    def full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(storages["private"], "save", full)
    response = teacher_client.post(reverse("clips:upload"), {**upload_data(), "file": jpeg_upload()})
    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not store your file just now" in page and "Choose the file again" in page


def test_a_clip_from_a_teachers_own_named_collection_without_research_basis_may_be_shared(client, teacher):
    """The sharing rule is about real people under a research licence, not any dataset name."""
    from tests.factories import ClipFactory

    clip = ClipFactory(owner=teacher, dataset="Year 9 photo walk", visibility=Visibility.CLASSES)
    client.force_login(teacher)
    response = client.post(reverse("clips:edit", args=[clip.public_id]), edit_data(clip, visibility="public"))
    assert response.status_code == 302
    clip.refresh_from_db()
    assert clip.visibility == Visibility.PUBLIC


@pytest.mark.parametrize("title", ["deepfake_01", "fake2", "Clip real_03", "IMG_fake", "faceswap test", "REAL1",
                                   "Deep-fake interview", "voice cloning demo", "AI_generated harbour"])
def test_a_label_word_joined_by_underscores_or_digits_is_still_refused(teacher_client, title):
    """Rule 1: file-style titles join words with "_" and digits, which a \\b word boundary counts as
    letters: "deepfake_01" passed and was shown to learners before they answered."""
    response = teacher_client.post(reverse("clips:upload"), {**upload_data(title=title), "file": jpeg_upload()})
    assert response.status_code == 422 and "must not hint at the answer" in response.content.decode()
    assert not Clip.objects.exists()


@pytest.mark.parametrize("title", ["Really windy pier", "Said the harbour master", "Origami fold", "Swapping seats",
                                   "Maid of the mist", "Cafe 2"])
def test_words_that_merely_contain_a_label_word_are_fine(title):
    from clips.models import label_word

    assert label_word(title) is None


def test_storage_trouble_that_outlasts_every_retry_ends_the_clip_in_words(teacher, teacher_client, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    """A full or read-only disk sent the clip back to "pending" after each try, and the sweeper sent
    it again every ten minutes for ever: the teacher saw "Processing" and no word. The upload is kept
    (rule 5), so "Try again" works once the disk is back."""
    from celery.exceptions import Retry

    from clips.tasks import clip_process

    clip = services.clip_create(owner=teacher, original=jpeg_upload(), fields={
        "title": "Pier", "alt_text": "A pier.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"})

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storages["private"], "open", full)
    with pytest.raises(Retry):  # a retry: the clip waits for the next one
        clip_process.apply(args=[clip.pk], retries=4, throw=True)
    clip.refresh_from_db()
    assert clip.status == Status.PENDING
    assert clip_process.apply(args=[clip.pk], retries=5, throw=True).get() == Status.FAILED  # the last retry
    clip.refresh_from_db()
    assert clip.status == Status.FAILED and "could not store this clip's files" in clip.failure_reason
    assert services.clips_sweep_stuck(older_than=timedelta(0)) == []
    monkeypatch.undo()
    assert storages["private"].exists(clip.original.name)
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:retry", args=[clip.public_id]))
    clip.refresh_from_db()
    assert clip.status == Status.READY


def test_a_write_that_fails_part_way_leaves_no_half_file(teacher, monkeypatch):
    """Django's file storage keeps what it had written when the disk fills: an original or a
    rendition half-written under a name no row would ever hold, left for good."""
    from django.core.files.storage import FileSystemStorage

    real_save, attempted = FileSystemStorage._save, []

    def fills_up(self, name, content):
        attempted.append(name)
        path = self.path(name)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(b"\xff\xd8\xff" + b"\0" * 4093)  # what got written before the disk filled
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", fills_up)
    with pytest.raises(OSError):
        services.clip_create(owner=teacher, original=jpeg_upload(), fields={
            "title": "Pier", "alt_text": "A pier.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"})
    assert not Clip.objects.exists()
    assert storages["private"].listdir("originals")[1] == []

    monkeypatch.setattr(FileSystemStorage, "_save", real_save)
    clip = services.clip_create(owner=teacher, original=jpeg_upload(), fields={
        "title": "Pier", "alt_text": "A pier.", "truth": Truth.REAL, "source": "x", "licence": "CC0-1.0"})
    monkeypatch.setattr(FileSystemStorage, "_save", fills_up)
    with pytest.raises(OSError):
        services.clip_process(clip_id=clip.pk)
    assert storages["private"].exists(clip.original.name)  # the upload itself stays, for the retry
    rendition = [name for name in attempted if name.startswith("m/")]
    assert rendition and not any(default_storage.exists(name) for name in rendition)
