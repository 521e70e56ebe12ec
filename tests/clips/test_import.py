"""import_clips on small generated trees, and the demo pack loader."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from clips.models import Clip, Status, Truth, Visibility

pytestmark = pytest.mark.django_db


def write_jpeg(path: Path, colour) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (96, 64), colour).save(path, "JPEG")


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_clips", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def csv_tree(tmp_path):
    write_jpeg(tmp_path / "a.jpg", (10, 20, 30))
    write_jpeg(tmp_path / "b.jpg", (200, 20, 30))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    (tmp_path / "manifest.csv").write_text(
        "path,truth,technique,title,source,licence,depicts_real_person,sibling\n"
        "a.jpg,real,,Lake,Own camera,CC0-1.0,no,\n"
        "b.jpg,synthetic,splice,Lake again,Own edit,CC0-1.0,no,a.jpg\n"
        "missing.jpg,real,,Gone,x,CC0-1.0,no,\n"
        "broken.jpg,real,,Broken,x,CC0-1.0,no,\n"
        "a.jpg,synthetic,nonsense,Bad,x,CC0-1.0,no,\n"
    )
    return tmp_path / "manifest.csv"


def test_csv_import_reports_every_row_and_links_siblings(csv_tree, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run(str(csv_tree), "--format", "csv", "--owner", teacher.email)
    assert "2 imported" in out
    assert "rejected" in out and "broken.jpg" in out and "row 4" in out and "row 6" in out
    fake = Clip.objects.get(truth=Truth.SYNTHETIC)
    assert fake.sibling == Clip.objects.get(truth=Truth.REAL)
    assert fake.owner == teacher and fake.status == Status.READY


def test_second_import_imports_nothing_twice(csv_tree, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(str(csv_tree), "--format", "csv")
    out = run(str(csv_tree), "--format", "csv")
    assert "0 imported" in out and "2 skipped" in out
    assert Clip.objects.count() == 2


def test_dry_run_changes_nothing(csv_tree):
    out = run(str(csv_tree), "--format", "csv", "--dry-run")
    assert "dry run" in out
    assert Clip.objects.count() == 0


def test_limit(csv_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run(str(csv_tree), "--format", "csv", "--limit", "1")
    assert Clip.objects.count() == 1 and "1 imported" in out


def test_nothing_readable_exits_non_zero(tmp_path):
    with pytest.raises(CommandError, match="Nothing could be read"):
        run(str(tmp_path / "nowhere"), "--format", "dfdc")
    (tmp_path / "metadata.json").write_text("{not json")
    with pytest.raises(CommandError, match="Nothing could be read"):
        run(str(tmp_path), "--format", "dfdc")


def test_dfdc_import_keeps_research_clips_with_the_importers_classes(tmp_path, teacher):
    write_jpeg(tmp_path / "real.jpg", (1, 2, 3))
    (tmp_path / "metadata.json").write_text(json.dumps({"real.jpg": {"label": "REAL", "split": "train"}}))
    # DFDC is video; an image file is still readable media, which is all this test needs.
    out = run(str(tmp_path), "--format", "dfdc", "--owner", teacher.email)
    assert "1 imported" in out
    clip = Clip.objects.get()
    assert clip.visibility == Visibility.CLASSES and "DFDC" in clip.research_basis


def test_imported_titles_do_not_leak_the_label(tmp_path):
    write_jpeg(tmp_path / "fake_video_1.jpg", (9, 9, 9))
    (tmp_path / "m.csv").write_text("path,truth,technique,source,licence,depicts_real_person\n"
                                    "fake_video_1.jpg,synthetic,splice,x,CC0-1.0,no\n")
    run(str(tmp_path / "m.csv"), "--format", "csv")
    assert "fake" not in Clip.objects.get().title.lower()


def test_a_title_cut_for_giving_the_answer_away_is_named_on_the_report(tmp_path):
    """"Deep fake harbour" became "Deep harbour" without a word."""
    write_jpeg(tmp_path / "h.jpg", (9, 90, 9))
    (tmp_path / "m.csv").write_text("path,truth,technique,title,source,licence,depicts_real_person\n"
                                    "h.jpg,synthetic,splice,Deep fake harbour,x,CC0-1.0,no\n")
    out = run(str(tmp_path / "m.csv"), "--format", "csv")
    assert "the title “Deep fake harbour” gave the answer away, so it is now “Deep harbour”" in out
    assert Clip.objects.get().title == "Deep harbour"


def test_a_description_that_gives_the_answer_away_is_rejected_not_used_as_alt_text(tmp_path):
    """The description becomes the alt text, which a learner can read before answering."""
    write_jpeg(tmp_path / "a.jpg", (10, 20, 30))
    write_jpeg(tmp_path / "b.jpg", (200, 20, 30))
    (tmp_path / "m.csv").write_text(
        "path,truth,technique,title,description,source,licence,depicts_real_person\n"
        "a.jpg,synthetic,face_swap,Newsreader in a studio,"
        "A deepfake: the newsreader's face was swapped in by AI.,x,CC0-1.0,no\n"
        "b.jpg,real,,Harbour,Boats moored in a harbour.,x,CC0-1.0,no\n"
    )
    out = run(str(tmp_path / "m.csv"), "--format", "csv")
    assert "1 imported" in out and "1 rejected" in out
    rejected = next(line for line in out.splitlines() if line.startswith("rejected"))
    assert "a.jpg" in rejected and "deepfake" in rejected and "before they answer" in rejected
    assert list(Clip.objects.values_list("alt_text", flat=True)) == ["Boats moored in a harbour."]


def test_load_demo_is_idempotent_and_honest(django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=out)
    count = Clip.objects.count()
    assert count >= 30
    call_command("load_demo", stdout=out)
    assert Clip.objects.count() == count
    assert Clip.objects.filter(truth=Truth.REAL).count() >= count * 0.4
    assert Clip.objects.values("technique").distinct().count() >= 6  # 5 techniques plus authentic
    assert not Clip.objects.filter(depicts_real_person=True).exists()
    for fake in Clip.objects.filter(truth=Truth.SYNTHETIC):
        assert fake.sibling_id and fake.explanation and fake.regions
    assert Clip.objects.filter(status=Status.READY).count() == count, list(
        Clip.objects.exclude(status=Status.READY).values_list("title", "failure_reason"))


def zip_of(folder: Path) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path("dataset") / path.relative_to(folder))
    return buffer.getvalue()


def test_teacher_imports_a_zip_from_the_web_with_a_progress_page(teacher_client, teacher, csv_tree,
                                                                 django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clips.models import ImportJob

    archive = SimpleUploadedFile("set.zip", zip_of(csv_tree.parent), content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(reverse("clips:import_new"), {"fmt": "csv", "archive": archive})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "done", job.error
    page = teacher_client.get(response["Location"]).content.decode()
    assert "2 imported" in page and "rejected" in page
    partial = teacher_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "2 imported" in partial
    assert Clip.objects.filter(owner=teacher).count() == 2


def test_web_import_refuses_a_non_zip_and_an_unsafe_zip(teacher_client, django_capture_on_commit_callbacks):
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clips.models import ImportJob

    response = teacher_client.post(reverse("clips:import_new"),
                                   {"fmt": "csv", "archive": SimpleUploadedFile("x.zip", b"not a zip")})
    assert response.status_code == 422 and "not a ZIP archive" in response.content.decode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escape.csv", "path,truth\n")
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:import_new"),
                            {"fmt": "csv", "archive": SimpleUploadedFile("evil.zip", buffer.getvalue())})
    job = ImportJob.objects.get()
    assert job.status == "failed" and "unsafe path" in job.error
    assert Clip.objects.count() == 0


def _unreadable_zip(kind: str) -> bytes:
    """A ZIP as other tools write it: with a password (flag bit 0) or Deflate64 (method 9)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("dataset/m.csv", "path,truth\n")
    data = bytearray(buffer.getvalue())
    # zipfile writes neither, so set them in the local header and the central directory.
    offsets = {"encrypted": (6, 8), "deflate64": (8, 10)}[kind]
    for signature, offset in zip((b"PK\x03\x04", b"PK\x01\x02"), offsets):
        at = data.index(signature) + offset
        value = int.from_bytes(data[at:at + 2], "little")
        data[at:at + 2] = (value | 0x1 if kind == "encrypted" else 9).to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize(("kind", "words"), [
    ("encrypted", "The archive is password-protected; zip it again without a password."),
    ("deflate64", "The archive uses a compression we can't read; zip it again with standard compression."),
])
def test_a_zip_we_cannot_unpack_fails_the_import_with_a_reason_and_touches_nothing(
        teacher_client, csv_tree, kind, words, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clips.models import ImportJob

    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:import_new"),
                            {"fmt": "csv", "archive": SimpleUploadedFile("set.zip", zip_of(csv_tree.parent))})
    before = list(Clip.objects.order_by("pk").values())
    assert len(before) == 2
    with django_capture_on_commit_callbacks(execute=True):
        archive = SimpleUploadedFile("x.zip", _unreadable_zip(kind))
        response = teacher_client.post(reverse("clips:import_new"), {"fmt": "csv", "archive": archive})
    job = ImportJob.objects.latest("pk")
    assert job.status == "failed" and job.error == words
    page = teacher_client.get(response["Location"]).content.decode()
    assert "Failed" in page and "zip it again" in page and "hx-trigger" not in page  # polling stops
    assert list(Clip.objects.order_by("pk").values()) == before


def test_an_unexpected_error_fails_the_import_job_and_is_logged(teacher_client, csv_tree, monkeypatch, caplog,
                                                                django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clips import services
    from clips.models import ImportJob

    def broken(**kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(services, "clips_import_path", broken)
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:import_new"),
                            {"fmt": "csv", "archive": SimpleUploadedFile("set.zip", zip_of(csv_tree.parent))})
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error == services.IMPORT_UNEXPECTED_FAILURE
    assert any(record.exc_info and "surprise" in str(record.exc_info[1]) for record in caplog.records)


def test_another_teacher_cannot_see_my_import(client, teacher, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from clips.models import ImportJob
    from tests.factories import UserFactory

    job = ImportJob.objects.create(owner=teacher, fmt="csv", archive=ContentFile(b"x", name="a.zip"))
    client.force_login(UserFactory(teacher=True))
    assert client.get(reverse("clips:import_detail", args=[job.public_id])).status_code == 404


def test_scan_warnings_and_label_caveats_reach_the_person_importing(tmp_path, teacher):
    """An unknown (misspelt) CSV column and DFDC's unlabelled method are said, not dropped."""
    write_jpeg(tmp_path / "a.jpg", (10, 20, 30))
    (tmp_path / "m.csv").write_text("path,truth,technique,source,licence,depicts_real_person,licnce\n"
                                    "a.jpg,real,,x,CC0-1.0,no,CC-BY\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_clips", str(tmp_path / "m.csv"), "--format", "csv", stdout=out, stderr=err)
    assert "1 imported" in out.getvalue()
    assert "warning: m.csv: ignored unknown column(s): licnce" in err.getvalue()

    dfdc = tmp_path / "dfdc"
    write_jpeg(dfdc / "real.jpg", (1, 2, 3))
    write_jpeg(dfdc / "fake.jpg", (200, 2, 3))
    (dfdc / "metadata.json").write_text(json.dumps({
        "real.jpg": {"label": "REAL", "split": "train"},
        "fake.jpg": {"label": "FAKE", "split": "train", "original": "real.jpg"},
    }))
    out = run(str(dfdc), "--format", "dfdc", "--owner", teacher.email)
    fake_line = next(line for line in out.splitlines() if "fake.jpg" in line)
    assert fake_line.startswith("imported") and "DFDC does not label the method" in fake_line


def test_web_import_shows_the_scan_warnings(teacher_client, tmp_path, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clips.models import ImportJob

    write_jpeg(tmp_path / "a.jpg", (10, 20, 30))
    (tmp_path / "m.csv").write_text("path,truth,technique,source,licence,depicts_real_person,colour\n"
                                    "a.jpg,real,,x,CC0-1.0,no,blue\n")
    archive = SimpleUploadedFile("set.zip", zip_of(tmp_path), content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(reverse("clips:import_new"), {"fmt": "csv", "archive": archive})
    job = ImportJob.objects.get()
    assert job.status == "done" and job.warnings == ["m.csv: ignored unknown column(s): colour"]
    page = teacher_client.get(response["Location"]).content.decode()
    assert "Worth a look" in page and "ignored unknown column(s): colour" in page and "1 imported" in page


def test_a_row_without_licence_or_source_is_rejected_not_imported(tmp_path):
    """Rule 3: every clip records where it came from and under what licence. A misspelt
    licence column leaves the licence empty: the warning says why, the row is refused."""
    write_jpeg(tmp_path / "a.jpg", (10, 20, 30))
    write_jpeg(tmp_path / "b.jpg", (200, 20, 30))
    (tmp_path / "m.csv").write_text("path,truth,source,licnce,depicts_real_person\n"
                                    "a.jpg,real,Own camera,CC0-1.0,no\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_clips", str(tmp_path / "m.csv"), "--format", "csv", stdout=out, stderr=err)
    assert "0 imported" in out.getvalue() and "1 rejected" in out.getvalue()
    assert "no licence" in out.getvalue() and "ignored unknown column(s): licnce" in err.getvalue()
    (tmp_path / "n.csv").write_text("path,truth,licence,depicts_real_person\nb.jpg,real,CC0-1.0,no\n")
    out = run(str(tmp_path / "n.csv"), "--format", "csv")
    assert "0 imported" in out and "no source" in out
    assert not Clip.objects.exists()


def test_imports_are_each_teachers_own_and_never_show_or_link_another_teachers_private_clip(
        tmp_path, teacher, django_capture_on_commit_callbacks):
    """The import key was the dataset path alone, shared by every teacher: a second teacher's
    photo1.jpg was "already imported", and a fake of theirs was linked as made from the first
    teacher's private clip. A duplicate check across every library named private clips too."""
    from tests.factories import UserFactory

    other = UserFactory(teacher=True)
    for owner, colour, folder in ((teacher, (10, 20, 30), "mine"), (other, (200, 90, 30), "theirs")):
        root = tmp_path / folder
        root.mkdir()
        write_jpeg(root / "photo1.jpg", colour)
        write_jpeg(root / "photo2.jpg", (colour[0], colour[1], 250))
        (root / "manifest.csv").write_text(
            "path,truth,technique,title,source,licence,depicts_real_person,sibling\n"
            f"photo1.jpg,real,,Harbour of {folder},Own camera,CC0-1.0,no,\n"
            f"photo2.jpg,synthetic,splice,Harbour edit of {folder},Own edit,CC0-1.0,no,photo1.jpg\n")
        with django_capture_on_commit_callbacks(execute=True):
            out = run(str(root / "manifest.csv"), "--format", "csv", "--owner", owner.email)
        assert "2 imported" in out, out
    theirs = Clip.objects.get(owner=other, truth=Truth.SYNTHETIC)
    assert theirs.sibling.owner == other
    # The first teacher's bytes again, imported by the second: not "a duplicate of" a clip they cannot see.
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "same.jpg").write_bytes((tmp_path / "mine" / "photo1.jpg").read_bytes())
    (copy / "manifest.csv").write_text("path,truth,technique,title,source,licence,depicts_real_person\n"
                                       "same.jpg,real,,A harbour,Own camera,CC0-1.0,no\n")
    with django_capture_on_commit_callbacks(execute=True):
        out = run(str(copy / "manifest.csv"), "--format", "csv", "--owner", other.email)
    assert "1 imported" in out and "Harbour of mine" not in out


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, settings):
    """A few hundred kilobytes of zeros, declared as a clip larger than any allowed: refused from the
    sizes the archive declares, with nothing written to the worker's disk."""
    import zipfile

    from clips.services import ArchiveError, _extract_archive

    settings.CLIP_AV_MAX_BYTES = settings.CLIP_IMAGE_MAX_BYTES = 20 * 2**20
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("manifest.csv", "path,truth\nbig.mp4,real\n")
        with bomb.open("big.mp4", "w", force_zip64=True) as big:
            for _ in range(32):
                big.write(bytes(2**20))
    assert archive.stat().st_size < 100_000
    into = tmp_path / "out"
    into.mkdir()
    with pytest.raises(ArchiveError, match="big.mp4 unpacks to 32 MB, more than a clip may be"):
        _extract_archive(archive, into)
    assert not any(into.iterdir())


def test_a_synthetic_row_that_may_show_a_real_person_says_why_it_reaches_no_learner(tmp_path, teacher,
                                                                                   django_capture_on_commit_callbacks):
    """Without the depicts_real_person column a row is taken to show a real person (so consent gets
    checked): the report said "imported" and nothing more, and the clip never appeared in any quiz."""
    write_jpeg(tmp_path / "c.jpg", (90, 90, 200))
    (tmp_path / "manifest.csv").write_text("path,truth,technique,title,source,licence\n"
                                           "c.jpg,synthetic,splice,Market stall,Own edit,CC0-1.0\n")
    with django_capture_on_commit_callbacks(execute=True):
        out = run(str(tmp_path / "manifest.csv"), "--format", "csv", "--owner", teacher.email)
    assert "1 imported" in out and "needs a consent record or a research basis first" in out
    assert not Clip.objects.publishable().exists()


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_manifest_saved_with_semicolons_or_tabs_is_read(tmp_path, delimiter):
    """A spreadsheet in many European locales saves "CSV" with semicolons: it was "lacks required columns"."""
    write_jpeg(tmp_path / "a.jpg", (10, 20, 30))
    (tmp_path / "manifest.csv").write_text(
        delimiter.join(["path", "truth", "technique", "title", "source", "licence", "depicts_real_person"]) + "\n"
        + delimiter.join(["a.jpg", "real", "", "Lake", "Own camera", "CC0-1.0", "no"]) + "\n")
    out = run(str(tmp_path / "manifest.csv"), "--format", "csv", "--dry-run")
    assert "1 imported" in out


def test_a_manifest_not_saved_as_utf8_says_how_to_save_it(tmp_path):
    (tmp_path / "manifest.csv").write_bytes("path,truth,title\nc.jpg,real,Café\n".encode("latin-1"))
    with pytest.raises(CommandError, match="save it again choosing “CSV UTF-8”") as error:
        run(str(tmp_path / "manifest.csv"), "--format", "csv")
    assert "codec" not in str(error.value)


def test_a_web_import_names_folders_by_the_archive_not_the_worker(teacher_client, teacher, tmp_path,
                                                                  django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clips.models import ImportJob

    (tmp_path / "readme.txt").write_text("no metadata here")
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:import_new"),
                            {"fmt": "dfdc", "archive": SimpleUploadedFile("part.zip", zip_of(tmp_path))})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.JobStatus.FAILED and "metadata.json" in job.error
    assert "/tmp" not in job.error and "import-" not in job.error


def test_with_the_broker_down_an_import_says_so_instead_of_waiting_for_ever(teacher_client, csv_tree, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    """The clip sweeper sends clips again, not imports: the job stayed "waiting" with no word."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from kombu.exceptions import OperationalError

    from clips import services
    from clips.models import ImportJob
    from clips.tasks import import_job_run

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(import_job_run, "apply_async", broker_down)
    archive = SimpleUploadedFile("set.zip", zip_of(csv_tree.parent), content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.post(reverse("clips:import_new"), {"fmt": "csv", "archive": archive})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.JobStatus.FAILED and job.error == services.IMPORT_BROKER_DOWN


def test_import_jobs_left_waiting_by_a_lost_worker_end_in_words(teacher):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from clips import services
    from clips.models import ImportJob

    stuck = ImportJob.objects.create(owner=teacher, fmt="csv", archive=ContentFile(b"x", name="a.zip"))
    ImportJob.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert services.import_jobs_sweep_stuck() == 1
    stuck.refresh_from_db()
    assert stuck.status == ImportJob.JobStatus.FAILED and "Start it again" in stuck.error
