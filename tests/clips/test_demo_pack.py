"""The bundled demo media pack (clips/demo): manifest, files, licences, honesty.

Pure tests: no database, no Django. They read clips/demo/manifest.json and the
media beside it, and rebuild a few items with clips/demo/build.py into a
temporary folder to prove the build is deterministic and the committed files
are what it makes.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

PACK = Path(__file__).resolve().parents[2] / "clips" / "demo"

KEYS = {
    "key", "file", "title", "alt_text", "media_type", "truth", "technique", "generator", "tells",
    "regions", "explanation", "difficulty", "source", "creator", "licence", "url", "dataset",
    "digital_source_type", "sibling", "depicts_real_person",
}  # fmt: skip
TECHNIQUES = {
    "authentic", "face_swap", "face_reenactment", "lip_sync", "gan_synthesis", "diffusion_synthesis",
    "voice_clone", "text_to_speech", "splice", "copy_move", "retouch", "relighting", "text_edit",
    "frame_tampering", "other",
}  # fmt: skip
DIGITAL_SOURCE_TYPES = {
    "digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print", "humanEdits",
    "compositeCapture", "algorithmicallyEnhanced", "dataDrivenMedia", "digitalArt", "virtualRecording",
    "compositeSynthetic", "trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia", "screenCapture",
}  # fmt: skip
# Nothing made here uses a generative model, so no synthetic item may claim one.
GENERATIVE_TYPES = {"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "compositeSynthetic"}
LICENCES = {"CC0-1.0", "CC-BY-2.0", "GPL-2.0-or-later", "Public domain", "No known copyright restrictions"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg"}
VIDEO_EXTENSIONS = {".mp4"}

# Words that would give the answer away (or name the edit) before the learner answers.
GIVEAWAY = re.compile(
    r"\b(fake[sd]?|real(ly)?|synthetic|manipulat\w*|edit(ed|s|ing)?|unedited|ai|genuine|authentic|"
    r"doctored|tamper\w*|forge[dr]?|fabricat\w*|photoshop\w*|copied|cloned?|pasted|splice[sd]?|"
    r"retouch\w*|warp(ed)?|altered|composite|generated|deepfakes?|original|untouched|"
    r"added|inserted|removed)\b",
    re.IGNORECASE,
)


@cache
def manifest() -> tuple[dict, ...]:
    return tuple(json.loads((PACK / "manifest.json").read_text(encoding="utf-8")))


@cache
def by_key() -> dict[str, dict]:
    return {item["key"]: item for item in manifest()}


@cache
def builder():
    """clips/demo/build.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("second_look_demo_build", PACK / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im if im.mode == "L" else im.convert("RGB"), dtype=np.int16)


def video_frames(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)]).astype(np.int16)


def video_duration(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


def spatial(regions):
    return [r for r in regions if "x" in r]


def timed(regions):
    return [r for r in regions if "start" in r]


def region_mask(regions, shape) -> np.ndarray:
    """Boolean mask of the pixels covered by relative boxes (rounded outwards)."""
    h, w = shape[:2]
    mask = np.zeros((h, w), dtype=bool)
    for r in spatial(regions):
        x0, y0 = int(np.floor(r["x"] * w)), int(np.floor(r["y"] * h))
        x1, y1 = int(np.ceil((r["x"] + r["w"]) * w)), int(np.ceil((r["y"] + r["h"]) * h))
        mask[y0:y1, x0:x1] = True
    return mask


def synthetic_items(media_type=None):
    return [
        i
        for i in manifest()
        if i["truth"] == "synthetic" and (media_type is None or i["media_type"] == media_type)
    ]


# --- the manifest itself ------------------------------------------------------------


def test_every_entry_has_exactly_the_agreed_keys():
    for item in manifest():
        assert set(item) == KEYS, item["key"]


def test_keys_are_unique_stable_slugs():
    keys = [item["key"] for item in manifest()]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key), key


def test_values_come_from_the_allowed_vocabularies():
    for item in manifest():
        key = item["key"]
        assert item["media_type"] in {"image", "video"}, key
        assert item["truth"] in {"real", "synthetic"}, key
        assert item["technique"] in TECHNIQUES, key
        assert item["digital_source_type"] in DIGITAL_SOURCE_TYPES, key
        assert item["difficulty"] in {1, 2, 3}, key
        assert item["licence"] in LICENCES, key
        assert item["dataset"] == "Second Look demo pack", key
        assert item["depicts_real_person"] is False, key
        assert item["url"] == "" or item["url"].startswith(("https://", "http://")), key
        for field in ("title", "alt_text", "explanation", "source", "creator"):
            assert item[field].strip(), (key, field)


def test_real_and_synthetic_items_are_labelled_consistently():
    for item in manifest():
        key = item["key"]
        if item["truth"] == "real":
            assert item["technique"] == "authentic", key
            assert item["generator"] == "", key
            assert item["tells"] == "", key
            assert item["regions"] == [], key
            assert item["sibling"] is None, key
        else:
            assert item["technique"] != "authentic", key
            assert item["generator"].startswith("Second Look demo builder"), key
            assert item["tells"].strip(), key
            assert item["regions"], key
            assert item["digital_source_type"] not in GENERATIVE_TYPES, key


def test_explanations_are_two_to_four_sentences():
    for item in manifest():
        sentences = re.findall(r"[.!?](?:\s|$)", item["explanation"])
        assert 2 <= len(sentences) <= 4, item["key"]


def test_files_exist_inside_the_pack_and_match_their_media_type():
    for item in manifest():
        path = (PACK / item["file"]).resolve()
        assert path.is_relative_to(PACK), item["key"]
        assert path.is_file(), item["key"]
        suffix = path.suffix.lower()
        expected = IMAGE_EXTENSIONS if item["media_type"] == "image" else VIDEO_EXTENSIONS
        assert suffix in expected, item["key"]


def test_real_stills_are_the_untouched_originals():
    for item in manifest():
        if item["truth"] == "real" and item["media_type"] == "image":
            assert item["file"].startswith("originals/"), item["key"]
        if item["truth"] == "synthetic":
            assert item["file"].startswith("generated/"), item["key"]


def test_the_pack_is_big_and_varied_enough_and_about_half_real():
    items = manifest()
    assert len(items) >= 30
    techniques = {i["technique"] for i in items} - {"authentic"}
    assert len(techniques) >= 5
    real_share = sum(i["truth"] == "real" for i in items) / len(items)
    assert 0.4 <= real_share <= 0.6
    assert {"image", "video"} <= {i["media_type"] for i in items}


def test_every_synthetic_item_was_made_from_a_real_sibling_in_the_pack():
    for item in synthetic_items():
        sibling = by_key().get(item["sibling"])
        assert sibling is not None, item["key"]
        assert sibling["truth"] == "real", item["key"]
        assert sibling["media_type"] == item["media_type"], item["key"]


def test_animated_photos_say_so_at_the_reveal_and_in_their_provenance():
    for item in manifest():
        if item["truth"] == "real" and item["media_type"] == "video":
            assert "unedited photograph, animated" in item["explanation"], item["key"]
            assert "animated" in item["source"], item["key"]


def test_titles_and_alt_texts_do_not_give_the_answer_away():
    for item in manifest():
        for field in ("title", "alt_text"):
            match = GIVEAWAY.search(item[field])
            assert match is None, (item["key"], field, match and match.group(0))


def test_titles_are_unique():
    titles = [item["title"] for item in manifest()]
    assert len(titles) == len(set(titles))


def _top_level_boxes(path: Path) -> list[str]:
    names, data, pos = [], path.read_bytes(), 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        names.append(data[pos + 4 : pos + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        if size < 8:
            break
        pos += size
    return names


@pytest.mark.parametrize(
    "item", [i for i in manifest() if i["media_type"] == "video"], ids=lambda i: i["key"]
)
def test_videos_are_short_web_ready_h264(item):
    path = PACK / item["file"]
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) in {(640, 360), (854, 480)}
        assert 24 <= float(stream.average_rate) <= 30
        assert not container.streams.audio
    assert 3 <= video_duration(path) <= 5
    boxes = _top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), "movflags=+faststart: the index comes first"


# --- regions ------------------------------------------------------------------------


def test_spatial_regions_lie_inside_the_frame():
    for item in synthetic_items():
        for r in spatial(item["regions"]):
            assert set(r) == {"x", "y", "w", "h"}, item["key"]
            assert 0 <= r["x"] < 1 and 0 <= r["y"] < 1, item["key"]
            assert 0 < r["w"] <= 1 and 0 < r["h"] <= 1, item["key"]
            assert r["x"] + r["w"] <= 1 + 1e-9 and r["y"] + r["h"] <= 1 + 1e-9, item["key"]


def test_time_ranges_only_on_videos_and_within_their_duration():
    for item in synthetic_items():
        ranges = timed(item["regions"])
        if item["media_type"] == "image":
            assert not ranges, item["key"]
            continue
        assert ranges, item["key"]
        duration = video_duration(PACK / item["file"])
        for r in ranges:
            assert set(r) == {"start", "end"}, item["key"]
            assert 0 <= r["start"] < r["end"] <= duration + 1e-6, item["key"]


@pytest.mark.parametrize("item", synthetic_items("image"), ids=lambda i: i["key"])
def test_still_edits_stay_inside_their_regions(item):
    """Honest regions: the pixels that changed are the ones the reveal points at."""
    fake = pixels(PACK / item["file"])
    real = pixels(PACK / by_key()[item["sibling"]]["file"])
    assert fake.shape == real.shape
    diff = np.abs(fake - real)
    if diff.ndim == 3:
        diff = diff.max(axis=2)
    inside = region_mask(item["regions"], fake.shape)
    assert inside.mean() < 0.35, "regions should point somewhere, not cover the picture"
    outside = diff[~inside]
    if Path(item["file"]).suffix == ".png":
        assert outside.max() == 0
    else:  # re-saved as JPEG with the original's tables: untouched blocks barely move
        assert outside.mean() < 1.0
        assert np.percentile(outside, 99) <= 6
    first = region_mask(item["regions"][:1], fake.shape)
    assert (diff[first] > 10).sum() >= 30, "the first region is where the change is"


def _detail(patch: np.ndarray) -> np.ndarray:
    """Fine structure of a patch: 2x2-averaged (to calm JPEG noise), then differentiated.

    Brightness offsets and smooth gradients drop out, so a clone whose light was
    evened out to fit its new place still matches its source.
    """
    h, w = patch.shape[0] // 2 * 2, patch.shape[1] // 2 * 2
    q = patch[:h, :w].reshape(h // 2, 2, w // 2, 2, *patch.shape[2:]).mean(axis=(1, 3))
    return (np.diff(q, axis=1)[:-1] + np.diff(q, axis=0)[:, :-1]).ravel()


@pytest.mark.parametrize("item", [i for i in synthetic_items("image") if i["technique"] == "copy_move"],
                         ids=lambda i: i["key"])  # fmt: skip
def test_copy_move_regions_show_the_clone_and_its_source(item):
    """The first region holds a copy of what the second region shows."""
    fake = pixels(PACK / item["file"]).astype(np.float32)
    real = pixels(PACK / by_key()[item["sibling"]]["file"]).astype(np.float32)
    clone_box, source_box = item["regions"][:2]

    def centre(arr, r):  # the middle half of a box, where the clone is at full strength
        h, w = arr.shape[:2]
        x0, y0 = int(np.ceil(r["x"] * w)), int(np.ceil(r["y"] * h))
        x1, y1 = int((r["x"] + r["w"]) * w), int((r["y"] + r["h"]) * h)
        qx, qy = (x1 - x0) // 4, (y1 - y0) // 4
        return arr[y0 + qy : y1 - qy, x0 + qx : x1 - qx]

    patches = [centre(fake, clone_box), centre(real, source_box), centre(real, clone_box)]
    rows = min(p.shape[0] for p in patches)
    cols = min(p.shape[1] for p in patches)
    clone, source, covered = (_detail(p[:rows, :cols]) for p in patches)
    assert np.corrcoef(clone, source)[0, 1] > 0.6
    assert np.corrcoef(clone, covered)[0, 1] < 0.3


@pytest.mark.parametrize("item", synthetic_items("video"), ids=lambda i: i["key"])
def test_video_edits_match_their_regions(item):
    fake = video_frames(PACK / item["file"])
    real = video_frames(PACK / by_key()[item["sibling"]]["file"])
    assert fake.shape == real.shape
    fps = fake.shape[0] / video_duration(PACK / item["file"])
    first_edit = min(round(r["start"] * fps) for r in timed(item["regions"]))
    per_frame = np.abs(fake - real).mean(axis=(1, 2, 3))
    boxes = spatial(item["regions"])
    # Re-encoding alone makes identical frames differ a little (x264 plans its
    # bits over the following frames), so changes are judged against that noise.
    if boxes:
        # Something pinned to the screen: the frames differ inside the box.
        inside = region_mask(boxes, fake.shape[1:])
        diff = np.abs(fake - real).max(axis=3)
        assert diff[:, inside].mean() > 5 * diff[:, ~inside].mean()
    else:
        # Frames before the tampering are the sibling's frames; within it, they are not.
        noise = per_frame[:first_edit].max()
        assert noise < 4
        r = timed(item["regions"])[0]
        last = round(r["end"] * fps)
        assert per_frame[first_edit:last].max() > 2 * noise + 1


# --- licences -----------------------------------------------------------------------


def test_every_original_has_an_attribution_entry():
    attribution = (PACK / "ATTRIBUTION.md").read_text(encoding="utf-8")
    originals = sorted(p.name for p in (PACK / "originals").iterdir() if p.is_file())
    assert originals
    for name in originals:
        assert f"`originals/{name}`" in attribution, name
    used = {Path(i["file"]).name for i in manifest() if i["file"].startswith("originals/")}
    assert used <= set(originals)


def test_gpl_material_carries_its_licence_into_what_is_made_from_it():
    gpl_files = {i["file"] for i in manifest() if i["truth"] == "real" and i["licence"] == "GPL-2.0-or-later"}
    for item in manifest():
        sibling = by_key().get(item["sibling"] or "")
        if sibling and sibling["file"] in gpl_files:
            assert item["licence"] == "GPL-2.0-or-later", item["key"]
        if "mate-backgrounds" in item["source"]:
            assert item["licence"] == "GPL-2.0-or-later", item["key"]


def test_no_item_uses_images_of_people_or_unlicensed_files():
    banned = re.compile(
        r"(?<![\w-])(astronaut|camera\.png|grace_hopper|lfw|flower\.jpg|motorcycle|moon\.png|page\.png)"
    )
    for item in manifest():
        assert not banned.search(item["file"]), item["key"]
        assert not banned.search(item["source"]), item["key"]


# --- the build ----------------------------------------------------------------------

REBUILT = ("coins-copy-move", "chelsea-eyes", "rocket-frozen")


@pytest.fixture(scope="module")
def rebuilds(tmp_path_factory):
    module = builder()
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    entries = module.build(first, REBUILT)
    module.build(second, REBUILT)
    return first, second, entries


def test_build_is_deterministic(rebuilds):
    first, second, _ = rebuilds
    for key in REBUILT:
        name = by_key()[key]["file"]
        assert (first / name).read_bytes() == (second / name).read_bytes(), key


def test_committed_files_are_what_the_build_makes(rebuilds):
    first, _, entries = rebuilds
    for entry in entries:
        committed = by_key()[entry["key"]]
        assert entry == committed, entry["key"]
        rebuilt, kept = first / entry["file"], PACK / entry["file"]
        if entry["media_type"] == "image":
            assert np.abs(pixels(rebuilt) - pixels(kept)).max() <= 1, entry["key"]
        else:
            assert np.abs(video_frames(rebuilt) - video_frames(kept)).mean() < 0.5, entry["key"]


def test_build_writes_no_manifest_for_a_partial_build(rebuilds):
    first, _, _ = rebuilds
    assert not (first / "manifest.json").exists()


def test_build_refuses_unknown_keys(tmp_path):
    with pytest.raises(KeyError):
        builder().build(tmp_path, ["no-such-item"])


def test_the_full_item_list_matches_the_manifest():
    module = builder()
    assert [item.key for item in module.ITEMS] == [item["key"] for item in manifest()]
