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
    assert "imported" in out or "rejected" in out
    for clip in Clip.objects.all():
        assert clip.visibility == Visibility.CLASSES and clip.research_basis


def test_imported_titles_do_not_leak_the_label(tmp_path):
    write_jpeg(tmp_path / "fake_video_1.jpg", (9, 9, 9))
    (tmp_path / "m.csv").write_text("path,truth,technique,source,licence,depicts_real_person\n"
                                    "fake_video_1.jpg,synthetic,splice,x,CC0-1.0,no\n")
    run(str(tmp_path / "m.csv"), "--format", "csv")
    assert "fake" not in Clip.objects.get().title.lower()


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
