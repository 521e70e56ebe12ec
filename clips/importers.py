"""Parse research-dataset folders into import records: pure Python, no Django.

The ``import_clips`` management command and the Celery import job call
``scan(path, fmt)`` and turn each ``ImportRecord`` into a Clip row. Nothing here
touches the database or decodes media: a scan only reads folder listings and the
dataset's own label files, so it is cheap to run as a dry run first.

``scan`` returns a ``ScanResult``:

* ``records``: one ``ImportRecord`` per importable file, sorted by ``rel``;
* ``rejected``: ``Rejected(path_or_row, reason)`` for every file, list line or
  CSV row that was skipped, with a reason a curator can act on;
* ``fatal``: a message when nothing could be read at all (folder missing,
  ``metadata.json`` not valid JSON, CSV without its required columns); records
  and rejected are then empty;
* ``warnings``: things worth a look that did not stop the scan (unknown CSV
  columns, Celeb-DF without its test list).

``(dataset, rel)`` is the stable key for duplicate detection: ``rel`` is the
file's path relative to the dataset root, always with ``/`` separators.

Formats (``FORMATS``)
---------------------

``dfdc``
    PATH is one DFDC part folder (``dfdc_train_part_N``) holding
    ``metadata.json``: ``{"x.mp4": {"label": "FAKE", "split": "train",
    "original": "y.mp4"}, ...}``. REAL -> ``authentic``; FAKE -> ``face_swap``,
    because DFDC does not say which of its methods made each fake and most are
    face swaps (the record's ``note`` says so). ``sibling_rel`` is ``original``
    when that file is in the folder. Files in the folder that metadata.json does
    not list are rejected, since their label is unknown.

``ffpp``
    PATH is a FaceForensics++ root: ``original_sequences/<youtube|actors>/
    <raw|c23|c40>/videos/*`` are real; ``manipulated_sequences/<method>/
    <compression>/videos/*`` are fake, with the technique taken from the method
    folder (``FFPP_METHODS``) and ``generator`` = the folder name. ``masks``
    folders are skipped: they hold masks, not clips. Siblings: a fake
    ``<target>_<source>.mp4`` was made from ``original_sequences/youtube/<same
    compression>/videos/<target>.mp4``; a DeepFakeDetection fake
    ``01_02__meeting_serious__YVGY8LOK.mp4`` from ``original_sequences/actors/
    <same compression>/videos/01__meeting_serious.mp4``. ``None`` when that file
    is absent or the name does not follow the pattern.

``celebdf``
    PATH is a Celeb-DF v2 root with ``Celeb-real/``, ``YouTube-real/``,
    ``Celeb-synthesis/`` and optionally ``List_of_testing_videos.txt`` (lines
    ``<label> <relative path>``, 1 = real, 0 = fake). The folder gives the label
    of every file; a list line that contradicts its file's folder is rejected
    (the file is then not imported at all: one of the two labels is wrong and
    we cannot tell which). Fakes are ``face_swap``. Sibling: Celeb-DF names a
    fake ``idX_idY_NNNN`` when it is real video ``idX_NNNN`` (target identity
    X) with the face of identity Y swapped in, so its sibling is
    ``Celeb-real/idX_NNNN.mp4`` when present. This is the pairing the dataset
    authors describe and the one public Celeb-DF indexers use.

``csv``
    PATH is a CSV manifest (UTF-8, a BOM is fine). File paths are relative to
    the manifest's folder and must stay inside it. Header names are matched
    case-insensitively. Row numbers in reasons count the header as row 1, as a
    spreadsheet shows them.

    Required columns:

    ``path``
        the media file, relative to the manifest's folder.
    ``truth``
        ``real``, ``synthetic`` or ``fake`` (case-insensitive). ``1``/``0`` are
        refused on purpose: Celeb-DF uses 1 = real, other datasets 1 = fake.

    Optional columns (blank = default):

    ``technique``
        one of ``TECHNIQUES`` (``-`` and spaces read as ``_``). Default
        ``authentic`` for real rows, ``other`` for synthetic ones. A real row
        must be ``authentic`` and a synthetic row must not be.
    ``generator``
        the tool or model that made the fake (free text).
    ``title``, ``description``, ``tells``, ``explanation``
        free text shown to learners; ``tells`` is kept as written.
    ``difficulty``
        1, 2 or 3.
    ``source``, ``creator``, ``licence`` (``license`` also read), ``url``
        provenance, free text.
    ``dataset``
        dataset name, part of the duplicate key; default "".
    ``digital_source_type``
        an IPTC digital source type code (``trainedAlgorithmicMedia``; the full
        ``http://cv.iptc.org/newscodes/digitalsourcetype/...`` URI is also
        read). Default from the technique (``DEFAULT_DIGITAL_SOURCE_TYPE``),
        "" where the technique does not settle it.
    ``depicts_real_person``
        yes/no (true/false also read). Default yes: until the curator says
        otherwise we assume a real person is shown, so consent gets checked.
    ``consent_basis``
        why we may show this person, free text.
    ``sibling``
        path of the real clip this fake was made from, relative to the
        manifest's folder. If it is missing on disk the row is still imported,
        without a sibling, and the note says why.

    Unknown columns are ignored with a warning (a misspelt column would
    otherwise drop its data silently).

Common rules: only ``MEDIA_EXTENSIONS`` are imported (case-insensitive), other
files are rejected; dot-files (``.DS_Store``) are skipped silently; a file a
label file lists but the disk lacks is rejected. ``limit`` keeps the first
``limit`` records after sorting; rejections are still reported in full, and a
record's ``sibling_rel`` may name a clip that the limit left out.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "FORMATS",
    "TECHNIQUES",
    "MEDIA_EXTENSIONS",
    "FFPP_METHODS",
    "DIGITAL_SOURCE_TYPES",
    "DEFAULT_DIGITAL_SOURCE_TYPE",
    "CSV_REQUIRED_COLUMNS",
    "CSV_OPTIONAL_COLUMNS",
    "Truth",
    "ImportRecord",
    "Rejected",
    "ScanResult",
    "scan",
]

FORMATS: tuple[str, ...] = ("dfdc", "ffpp", "celebdf", "csv")

TECHNIQUES: tuple[str, ...] = (
    "authentic",
    "face_swap",
    "face_reenactment",
    "lip_sync",
    "gan_synthesis",
    "diffusion_synthesis",
    "voice_clone",
    "text_to_speech",
    "splice",
    "copy_move",
    "retouch",
    "relighting",
    "text_edit",
    "frame_tampering",
    "other",
)

MEDIA_EXTENSIONS: frozenset[str] = frozenset(
    {".mp4", ".avi", ".mov", ".webm", ".jpg", ".jpeg", ".png", ".webp", ".wav", ".mp3", ".m4a", ".ogg"}
)

Truth = Literal["real", "synthetic"]

# IPTC digital source type codes (cv.iptc.org/newscodes/digitalsourcetype),
# including the retired ones, so older manifests still validate.
DIGITAL_SOURCE_TYPES: frozenset[str] = frozenset(
    {
        "digitalCapture",
        "computationalCapture",
        "screenCapture",
        "virtualRecording",
        "negativeFilm",
        "positiveFilm",
        "print",
        "humanEdits",
        "minorHumanEdits",
        "compositeCapture",
        "algorithmicallyEnhanced",
        "dataDrivenMedia",
        "digitalArt",
        "digitalCreation",
        "compositeSynthetic",
        "trainedAlgorithmicMedia",
        "compositeWithTrainedAlgorithmicMedia",
        "algorithmicMedia",
        "composite",
        "softwareImage",
    }
)
_IPTC_URI_PREFIX = "http://cv.iptc.org/newscodes/digitalsourcetype/"

DIGITAL_CAPTURE = "digitalCapture"
TRAINED = "trainedAlgorithmicMedia"
COMPOSITE_TRAINED = "compositeWithTrainedAlgorithmicMedia"
# Captured footage with a computer-graphics (not learned) face composited in.
COMPOSITE_SYNTHETIC = "compositeSynthetic"

# Only where the technique settles the code; splices, retouches and the like can
# be done by hand or by a model, so the curator has to say which.
DEFAULT_DIGITAL_SOURCE_TYPE: dict[str, str] = {
    "authentic": DIGITAL_CAPTURE,
    "face_swap": COMPOSITE_TRAINED,
    "face_reenactment": COMPOSITE_TRAINED,
    "lip_sync": COMPOSITE_TRAINED,
    "gan_synthesis": TRAINED,
    "diffusion_synthesis": TRAINED,
    "voice_clone": TRAINED,
    "text_to_speech": TRAINED,
}

# FaceForensics++ method folder -> (technique, digital source type, note).
# FaceSwap and Face2Face are computer-graphics methods (3D face model, no
# training), so they are composites with synthetic, not learned, elements;
# telling learners "every fake is AI" would be wrong.
FFPP_METHODS: dict[str, tuple[str, str, str]] = {
    "Deepfakes": (
        "face_swap", COMPOSITE_TRAINED, "Autoencoder face swap (the original 'deepfakes' method).",
    ),
    "Face2Face": (
        "face_reenactment", COMPOSITE_SYNTHETIC, "Computer-graphics facial reenactment; no trained model.",
    ),
    "FaceSwap": ("face_swap", COMPOSITE_SYNTHETIC, "Computer-graphics face swap; no trained model."),
    "NeuralTextures": (
        "face_reenactment", COMPOSITE_TRAINED, "Facial reenactment with learned neural textures.",
    ),
    "FaceShifter": ("face_swap", COMPOSITE_TRAINED, "Learned face swap (FaceShifter)."),
    "DeepFakeDetection": (
        "face_swap", COMPOSITE_TRAINED, "Face swaps of consenting paid actors (Google/Jigsaw).",
    ),
}  # fmt: skip

CSV_REQUIRED_COLUMNS: tuple[str, ...] = ("path", "truth")
CSV_OPTIONAL_COLUMNS: tuple[str, ...] = (
    "technique",
    "generator",
    "title",
    "description",
    "tells",
    "explanation",
    "difficulty",
    "source",
    "creator",
    "licence",
    "url",
    "dataset",
    "digital_source_type",
    "depicts_real_person",
    "consent_basis",
    "sibling",
)
_CSV_ALIASES = {"license": "licence"}

NOT_MEDIA = "not a media file type we import"
_DIFFICULTIES = (1, 2, 3)
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


@dataclass(frozen=True)
class ImportRecord:
    """One file to import as a Clip. ``path`` is absolute; ``rel`` is the key."""

    path: Path
    rel: str
    truth: Truth
    technique: str
    generator: str
    dataset: str
    sibling_rel: str | None
    depicts_real_person: bool
    consent_basis: str
    digital_source_type: str
    title: str = ""
    description: str = ""
    tells: str = ""
    explanation: str = ""
    difficulty: int | None = None
    source: str = ""
    creator: str = ""
    licence: str = ""
    url: str = ""
    media_type_hint: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Rejected:
    """A file, list line or CSV row that was not imported, and why."""

    path_or_row: str
    reason: str


@dataclass
class ScanResult:
    records: list[ImportRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    fatal: str | None = None
    warnings: list[str] = field(default_factory=list)


def scan(path: str | Path, fmt: str, *, limit: int | None = None) -> ScanResult:
    """Read the dataset at ``path`` in format ``fmt`` (one of ``FORMATS``).

    Data problems are reported in the result, never raised; a ``ValueError`` is
    raised only for a wrong ``fmt`` or a negative ``limit`` (caller bugs).
    """
    if fmt not in _SCANNERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if limit is not None and limit < 0:
        raise ValueError("limit must be >= 0")
    # abspath, not resolve(): datasets are often symlinked into place, and the
    # stored path should be the one the operator gave.
    root = Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
    result = _SCANNERS[fmt](root)
    if result.fatal is not None:
        return ScanResult(fatal=result.fatal, warnings=result.warnings)
    result.records.sort(key=lambda r: r.rel)
    if limit is not None:
        del result.records[limit:]
    return result


# --- shared helpers ---------------------------------------------------------


def _is_media(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in MEDIA_EXTENSIONS


def _inside(root: Path, raw: str) -> str | None:
    """``raw`` as a ``/``-separated path relative to ``root``, or None if it leaves it.

    Backslashes are read as separators because manifests are often written on
    Windows. The check is lexical so symlinked files inside the root still count.
    """
    raw = raw.strip().replace("\\", "/")
    if not raw:
        return None
    full = os.path.normpath(os.path.join(root, raw))
    rel = os.path.relpath(full, root)
    if rel == "." or rel == ".." or rel.startswith(".." + os.sep):
        return None
    return Path(rel).as_posix()


def _rel(root: Path, file: Path) -> str:
    return file.relative_to(root).as_posix()


def _files(folder: Path, *, recursive: bool = False) -> Iterator[Path]:
    """Regular files under ``folder`` in sorted order, dot-files and dot-folders skipped."""
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            yield entry
        elif recursive and entry.is_dir():
            yield from _files(entry, recursive=True)


def _subdirs(folder: Path) -> list[Path]:
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    return [p for p in entries if p.is_dir() and not p.name.startswith(".")]


@dataclass(frozen=True)
class _FaceDataset:
    name: str
    licence: str
    url: str

    @property
    def consent_basis(self) -> str:
        return f"Research dataset: {self.name}, used under its research licence"

    def record(
        self,
        root: Path,
        rel: str,
        *,
        truth: Truth,
        technique: str,
        generator: str = "",
        sibling_rel: str | None = None,
        digital_source_type: str | None = None,
        note: str = "",
    ) -> ImportRecord:
        if digital_source_type is None:
            digital_source_type = DIGITAL_CAPTURE if truth == "real" else COMPOSITE_TRAINED
        return ImportRecord(
            path=root / rel,
            rel=rel,
            truth=truth,
            technique=technique,
            generator=generator,
            dataset=self.name,
            sibling_rel=sibling_rel,
            depicts_real_person=True,
            consent_basis=self.consent_basis,
            digital_source_type=digital_source_type,
            source=self.name,
            licence=self.licence,
            url=self.url,
            note=note,
        )


DFDC = _FaceDataset(
    "DFDC",
    "DFDC Dataset Licence Agreement (research, non-commercial)",
    "https://ai.meta.com/datasets/dfdc/",
)
FFPP = _FaceDataset(
    "FaceForensics++",
    "FaceForensics Terms of Use (research only)",
    "https://github.com/ondyari/FaceForensics",
)
CELEBDF = _FaceDataset(
    "Celeb-DF v2",
    "Terms to Use Celeb-DF (research only)",
    "https://github.com/yuezunli/celeb-deepfakeforensics",
)


def _missing_root(root: Path, what: str) -> str | None:
    if not root.exists():
        return f"{root} does not exist"
    if not root.is_dir():
        return f"{root} is not a folder; give the {what} folder"
    return None


# --- DFDC -------------------------------------------------------------------

DFDC_METADATA = "metadata.json"
DFDC_FAKE_NOTE = "DFDC does not label the method; most DFDC fakes are face swaps."


def _scan_dfdc(root: Path) -> ScanResult:
    if problem := _missing_root(root, "DFDC part"):
        return ScanResult(fatal=problem)
    meta_path = root / DFDC_METADATA
    if not meta_path.is_file():
        return ScanResult(
            fatal=f"{DFDC_METADATA} not found in {root}; give one DFDC part folder (dfdc_train_part_N)"
        )
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return ScanResult(fatal=f"{DFDC_METADATA} could not be read: {exc}")
    except json.JSONDecodeError as exc:
        return ScanResult(fatal=f"{DFDC_METADATA} is not valid JSON: {exc}")
    if not isinstance(metadata, dict):
        found = type(metadata).__name__
        return ScanResult(fatal=f"{DFDC_METADATA} should map file names to entries, found {found}")

    result = ScanResult()
    listed: set[str] = set()
    for name in sorted(metadata):
        entry = metadata[name]
        rel = _inside(root, name)
        if rel is None:
            result.rejected.append(Rejected(name, "not a file inside the DFDC part folder"))
            continue
        listed.add(rel)
        if not _is_media(rel):
            result.rejected.append(Rejected(rel, NOT_MEDIA))
            continue
        if not isinstance(entry, dict):
            result.rejected.append(Rejected(rel, f"{DFDC_METADATA} entry is not an object"))
            continue
        label = entry.get("label")
        label_up = label.strip().upper() if isinstance(label, str) else None
        if label_up not in ("REAL", "FAKE"):
            result.rejected.append(Rejected(rel, f"unknown label {label!r} (expected REAL or FAKE)"))
            continue
        if not (root / rel).is_file():
            result.rejected.append(Rejected(rel, f"listed in {DFDC_METADATA} but not found"))
            continue
        if label_up == "REAL":
            result.records.append(DFDC.record(root, rel, truth="real", technique="authentic"))
            continue
        sibling = None
        original = entry.get("original")
        if isinstance(original, str) and original.strip():
            original_rel = _inside(root, original)
            if original_rel is not None and original_rel != rel and (root / original_rel).is_file():
                sibling = original_rel
        result.records.append(
            DFDC.record(
                root, rel, truth="synthetic", technique="face_swap", sibling_rel=sibling, note=DFDC_FAKE_NOTE
            )
        )

    # Files the metadata does not mention have no label; say so rather than
    # silently dropping them, since it usually means a partial copy.
    for file in _files(root):
        rel = _rel(root, file)
        if rel == DFDC_METADATA or rel in listed:
            continue
        unlisted = f"not listed in {DFDC_METADATA}, so its label is unknown"
        reason = unlisted if _is_media(rel) else NOT_MEDIA
        result.rejected.append(Rejected(rel, reason))
    return result


# --- FaceForensics++ --------------------------------------------------------

FFPP_ORIGINAL = "original_sequences"
FFPP_MANIPULATED = "manipulated_sequences"
_FFPP_YOUTUBE_FAKE = re.compile(r"^(?P<target>\d+)_(?P<source>\d+)$")
# 01_02__meeting_serious__YVGY8LOK: target actor 01, source actor 02, scene, take id.
_FFPP_DFD_FAKE = re.compile(r"^(?P<target>\d+)_(?P<source>\d+)__(?P<scene>.+?)__[A-Za-z0-9]+$")


def _ffpp_videos(group: Path) -> Iterator[tuple[str, Path]]:
    """(compression, file) for ``<group>/<compression>/videos/*``, masks skipped."""
    for compression in _subdirs(group):
        # manipulated_sequences/<method>/masks/videos holds binary masks, not clips.
        if compression.name == "masks":
            continue
        for file in _files(compression / "videos"):
            yield compression.name, file


def _ffpp_sibling(root: Path, method: str, compression: str, file: Path) -> str | None:
    stem, suffix = file.stem, file.suffix
    if method == "DeepFakeDetection":
        match = _FFPP_DFD_FAKE.match(stem)
        candidate = f"{match['target']}__{match['scene']}{suffix}" if match else None
        origin = "actors"
    else:
        match = _FFPP_YOUTUBE_FAKE.match(stem)
        candidate = f"{match['target']}{suffix}" if match else None
        origin = "youtube"
    if candidate is None:
        return None
    rel = f"{FFPP_ORIGINAL}/{origin}/{compression}/videos/{candidate}"
    return rel if (root / rel).is_file() else None


def _scan_ffpp(root: Path) -> ScanResult:
    if problem := _missing_root(root, "FaceForensics++"):
        return ScanResult(fatal=problem)
    originals, manipulated = root / FFPP_ORIGINAL, root / FFPP_MANIPULATED
    if not originals.is_dir() and not manipulated.is_dir():
        return ScanResult(
            fatal=f"neither {FFPP_ORIGINAL}/ nor {FFPP_MANIPULATED}/ found in {root}; "
            "is this a FaceForensics++ root?"
        )
    result = ScanResult()
    if originals.is_dir():
        # youtube and actors are the documented groups; any other group here is
        # still original footage, so it is imported as real too.
        for group in _subdirs(originals):
            for _compression, file in _ffpp_videos(group):
                rel = _rel(root, file)
                if not _is_media(rel):
                    result.rejected.append(Rejected(rel, NOT_MEDIA))
                    continue
                result.records.append(FFPP.record(root, rel, truth="real", technique="authentic"))
    if manipulated.is_dir():
        for method in _subdirs(manipulated):
            known = FFPP_METHODS.get(method.name)
            if known is None:
                result.rejected.append(
                    Rejected(
                        _rel(root, method),
                        f"unknown manipulation method folder {method.name!r} "
                        f"(expected one of {', '.join(FFPP_METHODS)}); technique unknown",
                    )
                )
                continue
            technique, source_type, note = known
            for compression, file in _ffpp_videos(method):
                rel = _rel(root, file)
                if not _is_media(rel):
                    result.rejected.append(Rejected(rel, NOT_MEDIA))
                    continue
                result.records.append(
                    FFPP.record(
                        root,
                        rel,
                        truth="synthetic",
                        technique=technique,
                        generator=method.name,
                        sibling_rel=_ffpp_sibling(root, method.name, compression, file),
                        digital_source_type=source_type,
                        note=note,
                    )
                )
    return result


# --- Celeb-DF v2 ------------------------------------------------------------

CELEBDF_LIST = "List_of_testing_videos.txt"
CELEBDF_FOLDERS: dict[str, Truth] = {
    "Celeb-real": "real",
    "YouTube-real": "real",
    "Celeb-synthesis": "synthetic",
}
_CELEBDF_LIST_LABELS: dict[str, Truth] = {"1": "real", "0": "synthetic"}
_CELEBDF_FAKE = re.compile(r"^(?P<target>id\d+)_(?P<source>id\d+)_(?P<video>\d+)$")
CELEBDF_GENERATOR = "Celeb-DF v2 DeepFake synthesis"


def _describe(truth: Truth) -> str:
    return "real (1)" if truth == "real" else "fake (0)"


def _celebdf_sibling(root: Path, file: Path) -> str | None:
    match = _CELEBDF_FAKE.match(file.stem)
    if match is None:
        return None
    rel = f"Celeb-real/{match['target']}_{match['video']}{file.suffix}"
    return rel if (root / rel).is_file() else None


_ListedLabels = dict[str, tuple[Truth, int]]


def _read_celebdf_list(root: Path, result: ScanResult) -> tuple[_ListedLabels, set[str]] | None:
    """(rel -> (truth, line number), rels listed with both labels); None if unreadable."""
    list_path = root / CELEBDF_LIST
    if not list_path.is_file():
        result.warnings.append(f"{CELEBDF_LIST} not found; labels come from the folders only")
        return {}, set()
    try:
        lines = list_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    listed: _ListedLabels = {}
    conflicted: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{CELEBDF_LIST} line {number}"
        parts = line.split(maxsplit=1)
        if len(parts) != 2:
            result.rejected.append(Rejected(where, "expected '<label> <relative path>'"))
            continue
        label, raw = parts
        truth = _CELEBDF_LIST_LABELS.get(label)
        if truth is None:
            reason = f"unknown label {label!r} (expected 1 = real or 0 = fake)"
            result.rejected.append(Rejected(where, reason))
            continue
        rel = _inside(root, raw)
        if rel is None:
            result.rejected.append(Rejected(where, f"path {raw.strip()!r} is outside the dataset folder"))
            continue
        previous = listed.get(rel)
        if previous is not None and previous[0] != truth:
            reason = f"{rel} is also on line {previous[1]} with the opposite label; keeping neither"
            result.rejected.append(Rejected(where, reason))
            conflicted.add(rel)
            continue
        listed.setdefault(rel, (truth, number))
    return listed, conflicted


def _scan_celebdf(root: Path) -> ScanResult:
    if problem := _missing_root(root, "Celeb-DF v2"):
        return ScanResult(fatal=problem)
    if not any((root / name).is_dir() for name in CELEBDF_FOLDERS):
        return ScanResult(fatal=f"none of {', '.join(f + '/' for f in CELEBDF_FOLDERS)} found in {root}")
    result = ScanResult()
    read = _read_celebdf_list(root, result)
    if read is None:
        return ScanResult(fatal=f"{CELEBDF_LIST} could not be read as text")
    listed, conflicted = read

    seen: set[str] = set()
    for folder, folder_truth in CELEBDF_FOLDERS.items():
        for file in _files(root / folder, recursive=True):
            rel = _rel(root, file)
            seen.add(rel)
            if not _is_media(rel):
                result.rejected.append(Rejected(rel, NOT_MEDIA))
                continue
            if rel in conflicted:
                result.rejected.append(Rejected(rel, f"{CELEBDF_LIST} gives it both labels"))
                continue
            if rel in listed:
                list_truth, line = listed[rel]
                if list_truth != folder_truth:
                    result.rejected.append(
                        Rejected(
                            rel,
                            f"{CELEBDF_LIST} line {line} says {_describe(list_truth)} "
                            f"but the file is in {folder}/ ({_describe(folder_truth)})",
                        )
                    )
                    continue
            if folder_truth == "real":
                result.records.append(CELEBDF.record(root, rel, truth="real", technique="authentic"))
            else:
                result.records.append(
                    CELEBDF.record(
                        root,
                        rel,
                        truth="synthetic",
                        technique="face_swap",
                        generator=CELEBDF_GENERATOR,
                        sibling_rel=_celebdf_sibling(root, file),
                    )
                )

    for rel, (_truth, line) in sorted(listed.items()):
        if rel in seen:
            continue
        where = f"{CELEBDF_LIST} line {line}"
        if rel.split("/", 1)[0] not in CELEBDF_FOLDERS:
            reason = f"{rel} is not in {', '.join(f + '/' for f in CELEBDF_FOLDERS)}"
        elif not _is_media(rel):
            reason = f"{rel}: {NOT_MEDIA}"
        else:
            reason = f"{rel}: listed in {CELEBDF_LIST} but not found"
        result.rejected.append(Rejected(where, reason))
    return result


# --- CSV manifest -----------------------------------------------------------


class _RowError(Exception):
    """A reason to reject one CSV row."""


def _truth(raw: str) -> Truth:
    value = raw.strip().lower()
    if value == "real":
        return "real"
    if value in ("synthetic", "fake"):
        return "synthetic"
    raise _RowError(
        f"truth {raw!r} is not real, synthetic or fake "
        "(1/0 are refused because datasets disagree on which one means real)"
    )


def _technique(raw: str, truth: Truth) -> str:
    value = raw.strip().lower().replace("-", "_").replace(" ", "_")
    if not value:
        return "authentic" if truth == "real" else "other"
    if value not in TECHNIQUES:
        raise _RowError(f"unknown technique {raw.strip()!r} (expected one of {', '.join(TECHNIQUES)})")
    if truth == "real" and value != "authentic":
        raise _RowError(f"truth is real but technique is {value!r}; a real clip's technique is authentic")
    if truth == "synthetic" and value == "authentic":
        raise _RowError("truth is synthetic but technique is authentic")
    return value


def _difficulty(raw: str) -> int | None:
    value = raw.strip()
    if not value:
        return None
    if value.isdigit() and int(value) in _DIFFICULTIES:
        return int(value)
    raise _RowError(f"difficulty {value!r} is not 1, 2 or 3")


def _yes_no(raw: str, column: str) -> bool:
    value = raw.strip().lower()
    if not value:
        return True  # assume a real person until told otherwise, so consent is checked
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise _RowError(f"{column} {raw.strip()!r} is not yes or no")


def _source_type(raw: str, technique: str) -> str:
    value = raw.strip()
    if value.startswith(_IPTC_URI_PREFIX):
        value = value[len(_IPTC_URI_PREFIX) :]
    if not value:
        return DEFAULT_DIGITAL_SOURCE_TYPE.get(technique, "")
    if value not in DIGITAL_SOURCE_TYPES:
        raise _RowError(f"digital_source_type {raw.strip()!r} is not an IPTC digital source type code")
    return value


def _csv_record(root: Path, row: dict[str, str], seen: dict[str, int], number: int) -> ImportRecord:
    raw_path = row.get("path", "").strip()
    if not raw_path:
        raise _RowError("path is empty")
    rel = _inside(root, raw_path)
    if rel is None:
        raise _RowError(f"path {raw_path!r} is outside the manifest's folder")
    if not _is_media(rel):
        raise _RowError(f"{rel}: {NOT_MEDIA}")
    truth = _truth(row.get("truth", ""))
    technique = _technique(row.get("technique", ""), truth)
    difficulty = _difficulty(row.get("difficulty", ""))
    depicts = _yes_no(row.get("depicts_real_person", ""), "depicts_real_person")
    source_type = _source_type(row.get("digital_source_type", ""), technique)
    if not (root / rel).is_file():
        raise _RowError(f"{rel}: listed in the manifest but not found")
    # Checked last so a row rejected for another reason does not block a later,
    # corrected copy of itself.
    dataset = row.get("dataset", "").strip()
    if (previous := seen.get(f"{dataset}\0{rel}")) is not None:
        raise _RowError(f"{rel} is already on row {previous}")
    seen[f"{dataset}\0{rel}"] = number

    sibling_rel: str | None = None
    note = ""
    raw_sibling = row.get("sibling", "").strip()
    if raw_sibling:
        candidate = _inside(root, raw_sibling)
        if candidate is None:
            note = f"sibling {raw_sibling!r} is outside the manifest's folder; ignored"
        elif candidate == rel:
            note = "sibling is the clip itself; ignored"
        elif not (root / candidate).is_file():
            note = f"sibling {candidate} not found; ignored"
        else:
            sibling_rel = candidate

    return ImportRecord(
        path=root / rel,
        rel=rel,
        truth=truth,
        technique=technique,
        generator=row.get("generator", "").strip(),
        dataset=dataset,
        sibling_rel=sibling_rel,
        depicts_real_person=depicts,
        consent_basis=row.get("consent_basis", "").strip(),
        digital_source_type=source_type,
        title=row.get("title", "").strip(),
        description=row.get("description", "").strip(),
        tells=row.get("tells", "").strip(),
        explanation=row.get("explanation", "").strip(),
        difficulty=difficulty,
        source=row.get("source", "").strip(),
        creator=row.get("creator", "").strip(),
        licence=row.get("licence", "").strip(),
        url=row.get("url", "").strip(),
        note=note,
    )


def _scan_csv(manifest: Path) -> ScanResult:
    if not manifest.exists():
        return ScanResult(fatal=f"{manifest} does not exist")
    if not manifest.is_file():
        return ScanResult(fatal=f"{manifest} is not a file; give the CSV manifest itself")
    root = manifest.parent
    try:
        # utf-8-sig: spreadsheets often save a BOM, which would otherwise stick
        # to the first header name and hide the "path" column.
        with manifest.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
        # Spreadsheets set to many European locales save "CSV" with semicolons; some export tabs.
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count) if first.count(",") == 0 else ","
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except UnicodeDecodeError:
        return ScanResult(fatal=f"{manifest.name} is not saved as UTF-8 text: in your spreadsheet program, "
                                "save it again choosing “CSV UTF-8”.")
    except OSError as exc:
        return ScanResult(fatal=f"{manifest.name} could not be read: {exc.strerror or exc}")
    except csv.Error as exc:
        return ScanResult(fatal=f"{manifest.name} is not a readable CSV: {exc}")
    if not rows:
        needed = ", ".join(CSV_REQUIRED_COLUMNS)
        return ScanResult(fatal=f"{manifest.name} is empty; it needs a header with {needed}")

    header = [_CSV_ALIASES.get(name.strip().lower(), name.strip().lower()) for name in rows[0]]
    missing = [name for name in CSV_REQUIRED_COLUMNS if name not in header]
    if missing:
        return ScanResult(fatal=f"{manifest.name} lacks required column(s): {', '.join(missing)}")
    result = ScanResult()
    known = set(CSV_REQUIRED_COLUMNS) | set(CSV_OPTIONAL_COLUMNS)
    unknown = [name for name in header if name and name not in known]
    if unknown:
        result.warnings.append(f"{manifest.name}: ignored unknown column(s): {', '.join(unknown)}")

    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end of hand-edited files
        where = f"row {number}"
        if len(cells) > len(header):
            result.rejected.append(
                Rejected(where, f"row {number}: has {len(cells)} cells but the header has {len(header)}")
            )
            continue
        row: dict[str, str] = {}
        for name, cell in zip(header, cells):
            row.setdefault(name, cell)  # the first of duplicated columns wins
        try:
            result.records.append(_csv_record(root, row, seen, number))
        except _RowError as exc:
            result.rejected.append(Rejected(where, f"row {number}: {exc}"))
    return result


_SCANNERS: dict[str, Callable[[Path], ScanResult]] = {
    "dfdc": _scan_dfdc,
    "ffpp": _scan_ffpp,
    "celebdf": _scan_celebdf,
    "csv": _scan_csv,
}
