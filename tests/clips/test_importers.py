"""Tests for clips.importers: small fake dataset trees built in tmp_path.

Media files are a few bytes: the importers only read names and label files, so
nothing here needs real video.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest

from clips.importers import (
    FORMATS,
    MEDIA_EXTENSIONS,
    TECHNIQUES,
    ImportRecord,
    Rejected,
    ScanResult,
    scan,
)

MODULE_PATH = Path(__file__).resolve().parents[2] / "clips" / "importers.py"


def touch(root: Path, *rels: str) -> None:
    for rel in rels:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00\x01")


def by_rel(result: ScanResult) -> dict[str, ImportRecord]:
    return {r.rel: r for r in result.records}


def reasons(result: ScanResult) -> dict[str, str]:
    return {r.path_or_row: r.reason for r in result.rejected}


# --- module contract ----------------------------------------------------------


def test_module_has_no_django_imports_so_it_runs_outside_django():
    tree = ast.parse(MODULE_PATH.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "django" not in imported
    assert "celery" not in imported


def test_formats_and_techniques_are_the_documented_codes():
    assert FORMATS == ("dfdc", "ffpp", "celebdf", "csv")
    assert TECHNIQUES == (
        "authentic", "face_swap", "face_reenactment", "lip_sync", "gan_synthesis", "diffusion_synthesis",
        "voice_clone", "text_to_speech", "splice", "copy_move", "retouch", "relighting", "text_edit",
        "frame_tampering", "other",
    )  # fmt: skip
    assert {".mp4", ".webm", ".jpg", ".png", ".wav", ".ogg"} <= MEDIA_EXTENSIONS


def test_import_record_is_frozen():
    record = ImportRecord(
        path=Path("/x.mp4"), rel="x.mp4", truth="real", technique="authentic", generator="", dataset="",
        sibling_rel=None, depicts_real_person=True, consent_basis="", digital_source_type="digitalCapture",
    )  # fmt: skip
    assert record.media_type_hint is None and record.difficulty is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.rel = "y.mp4"  # type: ignore[misc]


def test_unknown_format_and_negative_limit_are_caller_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        scan(tmp_path, "kaggle")
    with pytest.raises(ValueError, match="limit"):
        scan(tmp_path, "dfdc", limit=-1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_path_is_fatal_for_every_format(tmp_path, fmt):
    result = scan(tmp_path / "nope", fmt)
    assert result.fatal and "does not exist" in result.fatal
    assert result.records == [] and result.rejected == []


# --- DFDC ---------------------------------------------------------------------


def make_dfdc(root: Path, metadata: object, *files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "metadata.json").write_text(json.dumps(metadata))
    touch(root, *files)
    return root


DFDC_METADATA = {
    "aaa.mp4": {"label": "FAKE", "split": "train", "original": "zzz.mp4"},
    "bbb.mp4": {"label": "FAKE", "split": "train", "original": None},
    "ccc.mp4": {"label": "FAKE", "split": "train"},
    "ddd.mp4": {"label": "FAKE", "split": "train", "original": "gone.mp4"},
    "zzz.mp4": {"label": "REAL", "split": "train"},
    "missing.mp4": {"label": "REAL", "split": "train"},
    "odd.mp4": {"label": "MAYBE", "split": "train"},
    "nolabel.mp4": {"split": "train"},
    "notes.txt": {"label": "REAL", "split": "train"},
}


def test_dfdc_reads_real_and_fake_with_dataset_provenance(tmp_path):
    root = make_dfdc(tmp_path / "part0", DFDC_METADATA, "aaa.mp4", "bbb.mp4", "ccc.mp4", "ddd.mp4", "zzz.mp4")
    result = scan(root, "dfdc")
    assert result.fatal is None
    records = by_rel(result)
    assert sorted(records) == ["aaa.mp4", "bbb.mp4", "ccc.mp4", "ddd.mp4", "zzz.mp4"]

    real = records["zzz.mp4"]
    assert (real.truth, real.technique, real.digital_source_type) == ("real", "authentic", "digitalCapture")
    assert real.path == root / "zzz.mp4" and real.path.is_absolute()

    fake = records["aaa.mp4"]
    assert (fake.truth, fake.technique) == ("synthetic", "face_swap")
    assert fake.digital_source_type == "compositeWithTrainedAlgorithmicMedia"
    assert "DFDC does not label the method" in fake.note
    for record in records.values():
        assert record.dataset == "DFDC"
        assert record.depicts_real_person is True
        assert record.consent_basis == "Research dataset: DFDC, used under its research licence"


def test_dfdc_sibling_is_the_original_only_when_it_is_in_the_folder(tmp_path):
    root = make_dfdc(tmp_path / "part0", DFDC_METADATA, "aaa.mp4", "bbb.mp4", "ccc.mp4", "ddd.mp4", "zzz.mp4")
    records = by_rel(scan(root, "dfdc"))
    assert records["aaa.mp4"].sibling_rel == "zzz.mp4"
    assert records["bbb.mp4"].sibling_rel is None  # original: null
    assert records["ccc.mp4"].sibling_rel is None  # original missing from the entry
    assert records["ddd.mp4"].sibling_rel is None  # original named but not on disk
    assert records["zzz.mp4"].sibling_rel is None


def test_dfdc_rejects_missing_file_unknown_label_and_non_media(tmp_path):
    on_disk = ("aaa.mp4", "zzz.mp4", "odd.mp4", "nolabel.mp4", "notes.txt")
    root = make_dfdc(tmp_path / "part0", DFDC_METADATA, *on_disk)
    why = reasons(scan(root, "dfdc"))
    assert why["missing.mp4"] == "listed in metadata.json but not found"
    assert "unknown label 'MAYBE'" in why["odd.mp4"]
    assert "unknown label None" in why["nolabel.mp4"]
    assert why["notes.txt"] == "not a media file type we import"


def test_dfdc_label_case_is_ignored(tmp_path):
    metadata = {"a.mp4": {"label": "real"}, "b.MP4": {"label": "Fake"}}
    root = make_dfdc(tmp_path / "p", metadata, "a.mp4", "b.MP4")
    records = by_rel(scan(root, "dfdc"))
    assert records["a.mp4"].truth == "real" and records["b.MP4"].truth == "synthetic"


def test_dfdc_rejects_files_metadata_does_not_list_but_not_metadata_itself(tmp_path):
    on_disk = ("a.mp4", "stray.mp4", "readme.md", ".DS_Store")
    root = make_dfdc(tmp_path / "p", {"a.mp4": {"label": "REAL"}}, *on_disk)
    result = scan(root, "dfdc")
    why = reasons(result)
    assert "not listed in metadata.json" in why["stray.mp4"]
    assert why["readme.md"] == "not a media file type we import"
    assert "metadata.json" not in why and ".DS_Store" not in why
    assert [r.rel for r in result.records] == ["a.mp4"]


def test_dfdc_rejects_entries_that_point_outside_the_folder(tmp_path):
    touch(tmp_path, "secret.mp4")
    metadata = {"../secret.mp4": {"label": "REAL"}, "a.mp4": {"label": "REAL"}}
    root = make_dfdc(tmp_path / "p", metadata, "a.mp4")
    result = scan(root, "dfdc")
    assert reasons(result)["../secret.mp4"] == "not a file inside the DFDC part folder"
    assert [r.rel for r in result.records] == ["a.mp4"]


def test_dfdc_malformed_json_is_fatal(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "metadata.json").write_text('{"a.mp4": {"label": "REAL",}')
    touch(root, "a.mp4")
    result = scan(root, "dfdc")
    assert result.fatal and "not valid JSON" in result.fatal
    assert result.records == []


def test_dfdc_missing_metadata_or_wrong_top_level_type_is_fatal(tmp_path):
    touch(tmp_path / "p", "a.mp4")
    assert "metadata.json not found" in scan(tmp_path / "p", "dfdc").fatal
    make_dfdc(tmp_path / "q", ["a.mp4"])
    assert "should map file names" in scan(tmp_path / "q", "dfdc").fatal


def test_dfdc_non_object_entry_is_rejected_not_fatal(tmp_path):
    root = make_dfdc(tmp_path / "p", {"a.mp4": "REAL", "b.mp4": {"label": "REAL"}}, "a.mp4", "b.mp4")
    result = scan(root, "dfdc")
    assert result.fatal is None
    assert "not an object" in reasons(result)["a.mp4"]
    assert [r.rel for r in result.records] == ["b.mp4"]


# --- FaceForensics++ ------------------------------------------------------------


def make_ffpp(root: Path) -> Path:
    touch(
        root,
        "original_sequences/youtube/c23/videos/000.mp4",
        "original_sequences/youtube/c23/videos/001.mp4",
        "original_sequences/youtube/c40/videos/000.mp4",
        "original_sequences/actors/c23/videos/01__meeting_serious.mp4",
        "manipulated_sequences/Deepfakes/c23/videos/000_003.mp4",
        "manipulated_sequences/Deepfakes/c23/videos/002_006.mp4",  # 002 not downloaded
        "manipulated_sequences/Deepfakes/c40/videos/000_003.mp4",
        "manipulated_sequences/Deepfakes/masks/videos/000_003.mp4",
        "manipulated_sequences/Face2Face/c23/videos/001_870.mp4",
        "manipulated_sequences/FaceSwap/c23/videos/000_003.mp4",
        "manipulated_sequences/NeuralTextures/c23/videos/000_003.mp4",
        "manipulated_sequences/FaceShifter/c23/videos/000_003.mp4",
        "manipulated_sequences/DeepFakeDetection/c23/videos/01_02__meeting_serious__YVGY8LOK.mp4",
        "manipulated_sequences/DeepFakeDetection/c23/videos/03_04__walking_outside__ABCDEF12.mp4",
        "manipulated_sequences/Deepfakes/c23/videos/000_003.json",
        "manipulated_sequences/MysteryMethod/c23/videos/000_003.mp4",
    )
    return root


def test_ffpp_labels_reals_and_fakes_with_technique_from_the_method_folder(tmp_path):
    root = make_ffpp(tmp_path / "ffpp")
    result = scan(root, "ffpp")
    assert result.fatal is None
    records = by_rel(result)
    real = records["original_sequences/youtube/c23/videos/000.mp4"]
    assert (real.truth, real.technique, real.generator) == ("real", "authentic", "")
    assert real.digital_source_type == "digitalCapture"
    expected = {
        "Deepfakes": "face_swap",
        "Face2Face": "face_reenactment",
        "FaceSwap": "face_swap",
        "NeuralTextures": "face_reenactment",
        "FaceShifter": "face_swap",
        "DeepFakeDetection": "face_swap",
    }
    for record in records.values():
        assert record.dataset == "FaceForensics++" and record.depicts_real_person
        assert record.consent_basis == "Research dataset: FaceForensics++, used under its research licence"
        if record.truth == "synthetic":
            method = record.rel.split("/")[1]
            assert record.technique == expected[method]
            assert record.generator == method


def test_ffpp_graphics_methods_are_not_labelled_as_trained_ai(tmp_path):
    records = by_rel(scan(make_ffpp(tmp_path / "ffpp"), "ffpp"))
    faceswap = records["manipulated_sequences/FaceSwap/c23/videos/000_003.mp4"]
    face2face = records["manipulated_sequences/Face2Face/c23/videos/001_870.mp4"]
    assert faceswap.digital_source_type == face2face.digital_source_type == "compositeSynthetic"
    deepfakes = records["manipulated_sequences/Deepfakes/c23/videos/000_003.mp4"]
    assert deepfakes.digital_source_type == "compositeWithTrainedAlgorithmicMedia"


def test_ffpp_sibling_is_the_target_video_at_the_same_compression(tmp_path):
    records = by_rel(scan(make_ffpp(tmp_path / "ffpp"), "ffpp"))
    fake = "manipulated_sequences/{}/{}/videos/{}"
    assert records[fake.format("Deepfakes", "c23", "000_003.mp4")].sibling_rel == (
        "original_sequences/youtube/c23/videos/000.mp4"
    )
    assert records[fake.format("Deepfakes", "c40", "000_003.mp4")].sibling_rel == (
        "original_sequences/youtube/c40/videos/000.mp4"
    )
    # Target is the first number: 001_870 was made from 001, not 870.
    assert records[fake.format("Face2Face", "c23", "001_870.mp4")].sibling_rel == (
        "original_sequences/youtube/c23/videos/001.mp4"
    )
    assert records[fake.format("Deepfakes", "c23", "002_006.mp4")].sibling_rel is None


def test_ffpp_deepfakedetection_sibling_is_the_actors_original(tmp_path):
    records = by_rel(scan(make_ffpp(tmp_path / "ffpp"), "ffpp"))
    dfd = "manipulated_sequences/DeepFakeDetection/c23/videos/"
    assert records[dfd + "01_02__meeting_serious__YVGY8LOK.mp4"].sibling_rel == (
        "original_sequences/actors/c23/videos/01__meeting_serious.mp4"
    )
    assert records[dfd + "03_04__walking_outside__ABCDEF12.mp4"].sibling_rel is None


def test_ffpp_skips_masks_and_rejects_non_media_and_unknown_methods(tmp_path):
    result = scan(make_ffpp(tmp_path / "ffpp"), "ffpp")
    rels = set(by_rel(result))
    assert not any("/masks/" in rel for rel in rels)
    why = reasons(result)
    assert why["manipulated_sequences/Deepfakes/c23/videos/000_003.json"] == "not a media file type we import"
    assert "unknown manipulation method folder 'MysteryMethod'" in why["manipulated_sequences/MysteryMethod"]
    assert not any("MysteryMethod" in rel for rel in rels)
    assert len(result.records) == 13


def test_ffpp_root_without_sequence_folders_is_fatal(tmp_path):
    touch(tmp_path / "ffpp", "videos/000.mp4")
    assert "FaceForensics++" in scan(tmp_path / "ffpp", "ffpp").fatal


# --- Celeb-DF v2 ------------------------------------------------------------------


def make_celebdf(root: Path, list_lines: list[str] | None) -> Path:
    touch(
        root,
        "Celeb-real/id0_0000.mp4",
        "Celeb-real/id16_0000.mp4",
        "Celeb-real/id1_0003.mp4",
        "YouTube-real/00170.mp4",
        "YouTube-real/00171.mp4",
        "Celeb-synthesis/id0_id16_0000.mp4",
        "Celeb-synthesis/id1_id2_0003.mp4",
        "Celeb-synthesis/id5_id6_0001.mp4",
        "Celeb-synthesis/thumbs.db",
    )
    if list_lines is not None:
        (root / "List_of_testing_videos.txt").write_text("\n".join(list_lines) + "\n")
    return root


def test_celebdf_honours_1_real_0_fake_and_imports_unlisted_files_by_folder(tmp_path):
    root = make_celebdf(
        tmp_path / "cdf",
        ["1 YouTube-real/00170.mp4", "0 Celeb-synthesis/id0_id16_0000.mp4", "1 Celeb-real/id0_0000.mp4"],
    )
    result = scan(root, "celebdf")
    assert result.fatal is None and result.warnings == []
    records = by_rel(result)
    assert records["YouTube-real/00170.mp4"].truth == "real"
    assert records["Celeb-real/id0_0000.mp4"].truth == "real"
    fake = records["Celeb-synthesis/id0_id16_0000.mp4"]
    assert (fake.truth, fake.technique) == ("synthetic", "face_swap")
    assert fake.digital_source_type == "compositeWithTrainedAlgorithmicMedia"
    # Not in the list, still imported with the folder's label.
    assert records["YouTube-real/00171.mp4"].truth == "real"
    assert records["Celeb-synthesis/id5_id6_0001.mp4"].truth == "synthetic"
    for record in records.values():
        assert record.dataset == "Celeb-DF v2" and record.depicts_real_person
        assert record.consent_basis == "Research dataset: Celeb-DF v2, used under its research licence"


def test_celebdf_list_label_contradicting_the_folder_is_rejected_with_the_reason(tmp_path):
    root = make_celebdf(
        tmp_path / "cdf",
        ["0 YouTube-real/00170.mp4", "1 Celeb-synthesis/id1_id2_0003.mp4"],
    )
    result = scan(root, "celebdf")
    why = reasons(result)
    assert why["YouTube-real/00170.mp4"] == (
        "List_of_testing_videos.txt line 1 says fake (0) but the file is in YouTube-real/ (real (1))"
    )
    assert "line 2 says real (1)" in why["Celeb-synthesis/id1_id2_0003.mp4"]
    assert "YouTube-real/00170.mp4" not in by_rel(result)
    assert "Celeb-synthesis/id1_id2_0003.mp4" not in by_rel(result)


def test_celebdf_sibling_is_the_target_identity_video_in_celeb_real(tmp_path):
    records = by_rel(scan(make_celebdf(tmp_path / "cdf", []), "celebdf"))
    # id0_id16_0000 = video id0_0000 with id16's face, so the real it came from is
    # id0_0000, not id16_0000 (which also exists here, to catch the wrong guess).
    assert records["Celeb-synthesis/id0_id16_0000.mp4"].sibling_rel == "Celeb-real/id0_0000.mp4"
    assert records["Celeb-synthesis/id1_id2_0003.mp4"].sibling_rel == "Celeb-real/id1_0003.mp4"
    assert records["Celeb-synthesis/id5_id6_0001.mp4"].sibling_rel is None


def test_celebdf_rejects_bad_list_lines_missing_files_and_non_media(tmp_path):
    root = make_celebdf(
        tmp_path / "cdf",
        [
            "1 YouTube-real/00170.mp4",
            "2 YouTube-real/00171.mp4",
            "justonefield",
            "0 Celeb-synthesis/id9_id8_0000.mp4",
            "1 Elsewhere/x.mp4",
            "",
        ],
    )
    result = scan(root, "celebdf")
    why = reasons(result)
    assert "unknown label '2'" in why["List_of_testing_videos.txt line 2"]
    assert "expected '<label> <relative path>'" in why["List_of_testing_videos.txt line 3"]
    assert why["List_of_testing_videos.txt line 4"] == (
        "Celeb-synthesis/id9_id8_0000.mp4: listed in List_of_testing_videos.txt but not found"
    )
    assert "not in Celeb-real/" in why["List_of_testing_videos.txt line 5"]
    assert why["Celeb-synthesis/thumbs.db"] == "not a media file type we import"
    # A bad label on the list does not stop the folder label from importing the file.
    assert by_rel(result)["YouTube-real/00171.mp4"].truth == "real"


def test_celebdf_same_file_listed_with_both_labels_is_not_imported(tmp_path):
    root = make_celebdf(tmp_path / "cdf", ["1 YouTube-real/00170.mp4", "0 YouTube-real/00170.mp4"])
    result = scan(root, "celebdf")
    assert "opposite label" in reasons(result)["List_of_testing_videos.txt line 2"]
    assert "both labels" in reasons(result)["YouTube-real/00170.mp4"]
    assert "YouTube-real/00170.mp4" not in by_rel(result)


def test_celebdf_without_list_warns_and_uses_folders(tmp_path):
    result = scan(make_celebdf(tmp_path / "cdf", None), "celebdf")
    assert result.fatal is None
    assert result.warnings and "List_of_testing_videos.txt not found" in result.warnings[0]
    assert len(result.records) == 8


def test_celebdf_folder_without_dataset_folders_is_fatal(tmp_path):
    touch(tmp_path / "cdf", "video.mp4")
    assert "Celeb-real/" in scan(tmp_path / "cdf", "celebdf").fatal


# --- CSV manifest --------------------------------------------------------------------


def write_csv(root: Path, text: str, name: str = "manifest.csv") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_reads_required_and_optional_columns(tmp_path):
    root = tmp_path / "set"
    touch(root, "clips/real1.mp4", "clips/fake1.mp4", "img/gen.png")
    manifest = write_csv(
        root,
        "path,truth,technique,generator,title,description,tells,explanation,difficulty,source,creator,"
        "licence,url,dataset,digital_source_type,depicts_real_person,consent_basis,sibling\n"
        "clips/real1.mp4,real,,,Street interview,Desc,,,1,BBC,Jo,CC BY 4.0,https://x.test/1,Mine,,yes,"
        "Signed release,\n"
        "clips/fake1.mp4,Synthetic,lip-sync,Wav2Lip,Lip sync,D,mouth blur;teeth,E,3,,,,,Mine,,yes,"
        "Signed release,clips/real1.mp4\n"
        "img/gen.png,FAKE,diffusion_synthesis,SDXL,Portrait,,,,2,,,,,Mine,,no,,\n",
    )
    result = scan(manifest, "csv")
    assert result.fatal is None and result.rejected == [] and result.warnings == []
    records = by_rel(result)
    real = records["clips/real1.mp4"]
    assert real.path == root / "clips/real1.mp4"
    assert (real.truth, real.technique, real.digital_source_type) == ("real", "authentic", "digitalCapture")
    assert (real.title, real.source, real.creator, real.licence, real.url) == (
        "Street interview", "BBC", "Jo", "CC BY 4.0", "https://x.test/1",
    )  # fmt: skip
    assert (real.difficulty, real.dataset, real.consent_basis) == (1, "Mine", "Signed release")
    fake = records["clips/fake1.mp4"]
    assert (fake.truth, fake.technique, fake.generator) == ("synthetic", "lip_sync", "Wav2Lip")
    assert fake.sibling_rel == "clips/real1.mp4" and fake.tells == "mouth blur;teeth"
    assert fake.digital_source_type == "compositeWithTrainedAlgorithmicMedia"
    generated = records["img/gen.png"]
    assert generated.truth == "synthetic" and generated.depicts_real_person is False
    assert generated.digital_source_type == "trainedAlgorithmicMedia"
    assert generated.media_type_hint is None


def test_csv_only_path_and_truth_uses_defaults(tmp_path):
    root = tmp_path / "set"
    touch(root, "a.mp4", "b.wav")
    result = scan(write_csv(root, "Path,TRUTH\na.mp4,REAL\nb.wav,fake\n"), "csv")
    records = by_rel(result)
    assert records["a.mp4"].technique == "authentic" and records["a.mp4"].dataset == ""
    assert records["b.wav"].technique == "other" and records["b.wav"].digital_source_type == ""
    # No depicts_real_person column: assume a real person so consent gets checked.
    assert records["a.mp4"].depicts_real_person is True


def test_csv_missing_required_column_is_fatal(tmp_path):
    root = tmp_path / "set"
    touch(root, "a.mp4")
    result = scan(write_csv(root, "path,technique\na.mp4,face_swap\n"), "csv")
    assert result.fatal and "truth" in result.fatal
    assert result.records == [] and result.rejected == []


def test_csv_empty_file_or_a_folder_instead_of_the_file_is_fatal(tmp_path):
    assert "empty" in scan(write_csv(tmp_path, ""), "csv").fatal
    assert "not a file" in scan(tmp_path, "csv").fatal


def test_csv_unknown_technique_is_rejected_naming_the_row(tmp_path):
    root = tmp_path / "set"
    touch(root, "a.mp4", "b.mp4")
    result = scan(write_csv(root, "path,truth,technique\na.mp4,real,\nb.mp4,synthetic,morphing\n"), "csv")
    assert result.rejected == [Rejected("row 3", result.rejected[0].reason)]
    assert result.rejected[0].reason.startswith("row 3: unknown technique 'morphing'")
    assert [r.rel for r in result.records] == ["a.mp4"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("a.mp4,1,,", "truth '1' is not real, synthetic or fake"),
        ("a.mp4,0,,", "truth '0' is not real, synthetic or fake"),
        ("a.mp4,maybe,,", "truth 'maybe'"),
        ("a.mp4,synthetic,,4", "difficulty '4' is not 1, 2 or 3"),
        ("a.mp4,synthetic,,easy", "difficulty 'easy'"),
        ("a.mp4,real,face_swap,", "truth is real but technique is 'face_swap'"),
        ("a.mp4,fake,authentic,", "truth is synthetic but technique is authentic"),
        ("gone.mp4,real,,", "gone.mp4: listed in the manifest but not found"),
        ("a.txt,real,,", "a.txt: not a media file type we import"),
        ("../outside.mp4,real,,", "outside the manifest's folder"),
        (",real,,", "path is empty"),
    ],
)
def test_csv_bad_rows_are_rejected_with_row_number_and_reason(tmp_path, row, expected):
    root = tmp_path / "set"
    touch(root, "a.mp4", "a.txt")
    touch(tmp_path, "outside.mp4")
    result = scan(write_csv(root, f"path,truth,technique,difficulty\n{row}\n"), "csv")
    assert result.fatal is None and result.records == []
    [rejected] = result.rejected
    assert rejected.path_or_row == "row 2"
    assert rejected.reason.startswith("row 2: ") and expected in rejected.reason


def test_csv_bad_yes_no_and_source_type_are_rejected_and_iptc_uri_is_accepted(tmp_path):
    root = tmp_path / "set"
    touch(root, "a.mp4", "b.mp4", "c.mp4")
    result = scan(
        write_csv(
            root,
            "path,truth,depicts_real_person,digital_source_type\n"
            "a.mp4,real,perhaps,\n"
            "b.mp4,fake,no,madeUpType\n"
            "c.mp4,fake,no,http://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic\n",
        ),
        "csv",
    )
    why = reasons(result)
    assert "depicts_real_person 'perhaps' is not yes or no" in why["row 2"]
    assert "'madeUpType' is not an IPTC digital source type" in why["row 3"]
    assert by_rel(result)["c.mp4"].digital_source_type == "compositeSynthetic"


def test_csv_duplicate_path_is_rejected_pointing_at_the_first_row(tmp_path):
    root = tmp_path / "set"
    touch(root, "a.mp4")
    result = scan(write_csv(root, "path,truth\na.mp4,real\n./a.mp4,real\n"), "csv")
    assert [r.rel for r in result.records] == ["a.mp4"]
    assert reasons(result)["row 3"] == "row 3: a.mp4 is already on row 2"


def test_csv_sibling_that_is_missing_is_dropped_with_a_note_not_rejected(tmp_path):
    root = tmp_path / "set"
    touch(root, "f.mp4")
    result = scan(write_csv(root, "path,truth,sibling\nf.mp4,fake,r.mp4\n"), "csv")
    [record] = result.records
    assert record.sibling_rel is None and "sibling r.mp4 not found" in record.note


def test_csv_tolerates_bom_windows_separators_blank_lines_and_license_spelling(tmp_path):
    root = tmp_path / "set"
    touch(root, "sub/a.mp4")
    manifest = root / "m.csv"
    text = "\ufeffpath,truth,license,colour\r\nsub\\a.mp4,real,CC0,red\r\n\r\n,,,\r\n"
    manifest.write_text(text, encoding="utf-8")
    result = scan(manifest, "csv")
    assert result.rejected == []
    [record] = result.records
    assert record.rel == "sub/a.mp4" and record.licence == "CC0"
    assert result.warnings == ["m.csv: ignored unknown column(s): colour"]


def test_csv_row_with_too_many_cells_is_rejected(tmp_path):
    root = tmp_path / "set"
    touch(root, "a.mp4")
    result = scan(write_csv(root, "path,truth\na.mp4,real,extra\n"), "csv")
    assert "has 3 cells but the header has 2" in reasons(result)["row 2"]


def test_csv_non_utf8_manifest_is_fatal(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_bytes("path,truth\ncaf\xe9.mp4,real\n".encode("latin-1"))
    assert "UTF-8" in scan(manifest, "csv").fatal


# --- limit and determinism -----------------------------------------------------------


def test_limit_keeps_the_first_records_in_sorted_order_and_all_rejections(tmp_path):
    root = make_dfdc(
        tmp_path / "p",
        {f"{name}.mp4": {"label": "REAL"} for name in ("d", "b", "a", "c", "gone")},
        "a.mp4", "b.mp4", "c.mp4", "d.mp4",
    )  # fmt: skip
    result = scan(root, "dfdc", limit=2)
    assert [r.rel for r in result.records] == ["a.mp4", "b.mp4"]
    assert reasons(result) == {"gone.mp4": "listed in metadata.json but not found"}
    assert scan(root, "dfdc", limit=0).records == []
    assert len(scan(root, "dfdc", limit=100).records) == 4


def test_csv_records_are_sorted_by_rel_not_row_order(tmp_path):
    root = tmp_path / "set"
    touch(root, "b.mp4", "a.mp4", "c.mp4")
    result = scan(write_csv(root, "path,truth\nc.mp4,real\na.mp4,real\nb.mp4,real\n"), "csv", limit=2)
    assert [r.rel for r in result.records] == ["a.mp4", "b.mp4"]


@pytest.mark.parametrize("fmt", ["dfdc", "ffpp", "celebdf"])
def test_scans_are_deterministic_and_sorted(tmp_path, fmt):
    if fmt == "dfdc":
        root = make_dfdc(tmp_path / "d", DFDC_METADATA, "aaa.mp4", "bbb.mp4", "zzz.mp4", "notes.txt")
    elif fmt == "ffpp":
        root = make_ffpp(tmp_path / "f")
    else:
        root = make_celebdf(tmp_path / "c", ["0 YouTube-real/00170.mp4", "1 Celeb-real/id0_0000.mp4"])
    first, second = scan(root, fmt), scan(str(root), fmt)
    assert first == second
    assert [r.rel for r in first.records] == sorted(r.rel for r in first.records)


def test_relative_path_argument_gives_absolute_record_paths(tmp_path, monkeypatch):
    make_dfdc(tmp_path / "p", {"a.mp4": {"label": "REAL"}}, "a.mp4")
    monkeypatch.chdir(tmp_path)
    [record] = scan("p", "dfdc").records
    assert record.path == tmp_path / "p" / "a.mp4" and record.path.is_absolute()
