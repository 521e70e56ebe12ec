"""Media checks and renditions for quiz clips. Pure functions: no Django, no ORM.

The product rule is "No answer before the answer". Until a learner answers, nothing
they can reach may tell them whether a clip is real or synthetic. That rules out the
media bytes (EXIF, XMP, ICC, PNG text chunks, container tags, encoder strings), the
format, the dimensions policy, the poster and the file name. So every clip, whatever
its truth, goes through ONE rendition policy:

* images: WebP, RGB (alpha flattened onto white), long side at most 1600 px (never
  upscaled), quality 82, EXIF orientation applied and then dropped, embedded colour
  profiles converted to sRGB, and no EXIF/ICC/XMP written. Animated GIF/WebP/APNG
  files become a still image of their first frame. Every image also gets an
  error-level-analysis (ELA) map (JPEG), made the same way for all images.
* video: MP4 (faststart) with H.264 (libx264, yuv420p, preset superfast, crf 23,
  BT.709 tags) and AAC-LC 128 kb/s 48 kHz sound when the source has sound. The
  picture fits 1280 x 720 (height at most 720, even dimensions, square pixels,
  rotation applied) at no more than 30 frames per second. Only pixels and samples
  cross from the source to the encoder: the frames are rebuilt, so no side data,
  picture types (GOP structure) or captions carry over, and keyframes come every
  2 seconds, never at a scene cut. Container and stream tags are the muxer's fixed
  values ("VideoHandler", "SoundHandler", "und"), with no encoder, title or
  creation time.
* audio: M4A (AAC-LC 128 kb/s, 48 kHz, mono stays mono and anything else becomes
  stereo), no tags, and a waveform poster of 800 x 200 px.

Output files get random names (``secrets.token_urlsafe``) that have nothing to do
with the source name. Posters are JPEG, thumbnails are WebP with a long side of at
most 320 px, and the perceptual hash is ``imagehash.phash`` of the poster.

Every check reads the bytes, never the file name: we match magic numbers, walk the
file structure (JPEG segments, PNG chunks, GIF blocks, RIFF and MP4 boxes) and then
try a real decode. Image dimensions come from the header and are checked BEFORE
anything is decoded, which defeats decompression bombs. An image with significant
data after its end marker (a polyglot, such as a JPEG with a ZIP appended) is
refused. Each failure raises :class:`MediaError`, whose ``message`` is a sentence a
teacher can act on.

Disclosure copies, which are files that leave the app as downloads, get a visible
"SYNTHETIC" band and an IPTC ``DigitalSourceType`` in XMP. See
:func:`disclosure_copy`.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import mmap
import os
import re
import secrets
import struct
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import av
import av.error
import imagehash
import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

try:  # LittleCMS may be missing from a minimal Pillow build.
    from PIL import ImageCms
except ImportError:  # pragma: no cover - depends on the Pillow build
    ImageCms = None  # type: ignore[assignment]

__all__ = [
    "Limits",
    "MediaError",
    "Probe",
    "Rendition",
    "disclosure_copy",
    "has_metadata",
    "probe",
    "read_xmp",
    "render",
    "sniff",
]

log = logging.getLogger(__name__)

StrPath = str | os.PathLike[str]
MediaType = Literal["image", "video", "audio"]


# --------------------------------------------------------------------------- API types


class MediaError(Exception):
    """A file we refuse. ``message`` is a sentence a teacher can act on.

    It never contains exception text from a library. The original exception, if
    there was one, is chained as ``__cause__`` for logs.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    image_max_bytes: int = 20 * 1024 * 1024
    image_max_pixels: int = 40_000_000
    av_max_bytes: int = 200 * 1024 * 1024
    av_max_seconds: float = 120
    max_dimension: int = 20_000  # guard against absurd sides such as 1 x 30000


@dataclass(frozen=True)
class Probe:
    media_type: MediaType
    width: int | None  # as displayed (after EXIF orientation / video rotation)
    height: int | None
    duration_seconds: float | None  # None for images
    size_bytes: int


@dataclass(frozen=True)
class Rendition:
    media_type: MediaType
    rendition: Path
    poster: Path
    thumbnail: Path
    ela: Path | None  # images only
    mime: str
    width: int | None  # of the rendition (None for audio)
    height: int | None
    duration_seconds: float | None  # None for images
    sha256: str  # of the ORIGINAL bytes
    phash: str  # hex, imagehash.phash of the poster
    files: list[Path] = field(default_factory=list)


# --------------------------------------------------------------------------- policy

IMAGE_MAX_SIDE = 1600
WEBP_QUALITY = 82
WEBP_METHOD = 2  # measured: 2-4x faster than 4 at about the same size
POSTER_MAX_SIDE = 1280
POSTER_JPEG_QUALITY = 85
THUMB_MAX_SIDE = 320
ELA_JPEG_QUALITY = 90
ELA_GAIN = 20  # fixed for every image, so ELA maps are comparable across clips
# The ELA map is stored as JPEG: it is noise by nature, and libwebp took 600+ ms on a
# 1600 px map where JPEG takes about 25 ms, for about the same size.
ELA_OUTPUT_QUALITY = 90

VIDEO_MAX_WIDTH = 1280
VIDEO_MAX_HEIGHT = 720
VIDEO_MAX_FPS = Fraction(30)
X264_OPTIONS = {
    # superfast: measured 2.4x real time for 720p on 2 cores against 1.4x for veryfast;
    # CRF keeps the quality target, so the cost is a larger file, not a worse picture.
    "preset": "superfast",
    "crf": "23",
    # Closed captions (A/53) and user SEI from the source must not ride along.
    "a53cc": "0",
    "udu_sei": "0",
}
# A fixed GOP, set per clip from its output frame rate: x264's scene-cut detection would
# otherwise put a keyframe exactly where a frame was spliced in, pointing at the tampering.
KEYFRAME_SECONDS = 2
AUDIO_RATE = 48_000
AUDIO_BITRATE = 128_000
AUDIO_FRAME = 1024  # AAC-LC frame size
POSTER_TIME = 1.0  # seconds; first frame if the clip is shorter
WAVEFORM_SIZE = (800, 200)
WAVEFORM_BG = (24, 28, 36)
WAVEFORM_FG = (120, 200, 255)

# Muxer-fixed tags that are the same for every output. Anything else is metadata.
_STRUCTURAL_CONTAINER_TAGS = {"major_brand", "minor_version", "compatible_brands"}
_FIXED_STREAM_TAGS = {
    ("language", "und"),
    ("handler_name", "VideoHandler"),
    ("handler_name", "SoundHandler"),
    ("vendor_id", "[0][0][0][0]"),
}

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")  # Adobe XMP spec, part 3
IPTC_DST_BASE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# Short names shown in the visible band (IPTC Digital Source Type vocabulary).
DIGITAL_SOURCE_TYPES: dict[str, str] = {
    "trainedAlgorithmicMedia": "AI-generated",
    "compositeWithTrainedAlgorithmicMedia": "AI-edited composite",
    "algorithmicMedia": "Algorithmic media",
    "compositeSynthetic": "Synthetic composite",
    "dataDrivenMedia": "Data-driven media",
    "digitalArt": "Digital art",
    "virtualRecording": "Virtual recording",
    "algorithmicallyEnhanced": "Algorithmically enhanced",
    "humanEdits": "Human edits",
    "minorHumanEdits": "Minor human edits",
    "compositeCapture": "Composite capture",
    "computationalCapture": "Computational capture",
    "digitalCapture": "Digital capture",
    "screenCapture": "Screen capture",
    "negativeFilm": "Negative film",
    "positiveFilm": "Positive film",
    "print": "Print",
}

# Pillow's own decompression-bomb guard is a second line behind our header check.
# We only tighten it (never loosen it), and only for this process.
if Image.MAX_IMAGE_PIXELS is None or Image.MAX_IMAGE_PIXELS > Limits().image_max_pixels:
    Image.MAX_IMAGE_PIXELS = Limits().image_max_pixels

# --------------------------------------------------------------------------- messages

MSG_EMPTY = "The file is empty."
MSG_UNSUPPORTED = (
    "This file is not an image, video or audio file we can read. "
    "We accept JPEG, PNG, GIF, WebP and BMP images; MP4, MOV, WebM, MKV, AVI and Ogg "
    "videos; and MP3, M4A, AAC, WAV, FLAC, AIFF and Ogg audio."
)
MSG_HEIF = (
    "HEIC and AVIF photos are not supported yet. Please export the photo as JPEG "
    "(most phones can do this when sharing) and upload it again."
)
MSG_NO_STREAMS = "The file contains no video or audio we can play."


def _damaged(detail: str) -> MediaError:
    return MediaError(f"The file looks truncated or damaged: {detail}.")


def _hidden_data(extra: int, what: str) -> MediaError:
    return MediaError(
        f"The file has extra data hidden after the {what} ({extra:,} bytes). "
        "Open it in an editor, save or export it again, and upload the new file."
    )


def _fmt_bytes(n: float) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            text = f"{n / size:.1f}"
            return f"{text[:-2] if text.endswith('.0') else text} {unit}"
    return f"{int(n):,} bytes"


def _fmt_duration(seconds: float) -> str:
    total = int(round(seconds))
    minutes, secs = divmod(total, 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def _fmt_num(x: float) -> str:
    return f"{x:g}"


# --------------------------------------------------------------------------- identification


@dataclass(frozen=True)
class _Kind:
    family: Literal["image", "av"]
    fmt: str  # Pillow format name for images, FFmpeg demuxer name for audio/video


_HEIF_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"mif2", b"msf1", b"avif", b"avis",
}
_MP4_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}


def _read_at(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


def _identify(path: Path) -> _Kind:
    """Classify by magic numbers only; the caller then checks the structure and decodes."""
    head = _read_at(path, 0, 64)
    if not head:
        raise MediaError(MSG_EMPTY)
    if head.startswith(b"\xff\xd8\xff"):
        return _Kind("image", "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _Kind("image", "PNG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _Kind("image", "GIF")
    if head[:4] == b"RIFF" and len(head) >= 12:
        sub = head[8:12]
        if sub == b"WEBP":
            return _Kind("image", "WEBP")
        if sub == b"WAVE":
            return _Kind("av", "wav")
        if sub == b"AVI ":
            return _Kind("av", "avi")
    if head[:2] == b"BM" and len(head) >= 18:
        dib = struct.unpack_from("<I", head, 14)[0]
        if dib in (12, 40, 52, 56, 64, 108, 124):
            return _Kind("image", "BMP")
    if len(head) >= 12 and head[4:8] in _MP4_FIRST_BOXES:
        if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
            raise MediaError(MSG_HEIF)
        return _Kind("av", "mov")
    if head[:4] == b"\x1aE\xdf\xa3":
        return _Kind("av", "matroska")
    if head[:4] == b"OggS":
        return _Kind("av", "ogg")
    if head[:4] == b"fLaC":
        return _Kind("av", "flac")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return _Kind("av", "aiff")
    if head[:3] == b"ID3" and len(head) >= 10:
        # An ID3v2 tag can precede MP3, AAC (ADTS) or FLAC; look past it.
        size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
        size += 20 if head[5] & 0x10 else 10
        after = _read_at(path, size, 4)
        kind = _identify_audio_frames(after)
        if kind is not None:
            return kind
        if after.startswith(b"fLaC"):
            return _Kind("av", "flac")
        raise MediaError(MSG_UNSUPPORTED)
    kind = _identify_audio_frames(head)
    if kind is not None:
        return kind
    raise MediaError(MSG_UNSUPPORTED)


def _identify_audio_frames(b: bytes) -> _Kind | None:
    if len(b) < 4 or b[0] != 0xFF or (b[1] & 0xE0) != 0xE0:
        return None
    version = (b[1] >> 3) & 3
    layer = (b[1] >> 1) & 3
    if layer == 0 and (b[1] & 0xF0) == 0xF0:
        return _Kind("av", "aac")  # ADTS
    if version == 1 or layer == 0:
        return None
    if (b[2] >> 4) == 0xF or ((b[2] >> 2) & 3) == 3:
        return None
    return _Kind("av", "mp3")


# --------------------------------------------------------------------------- structure walkers


class _Broken(Exception):
    """Internal: the byte structure is wrong. ``detail`` is teacher-readable."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


_TRUNCATED_IMAGE = "the image data stops before the end of the picture"
_BROKEN_IMAGE = "the image structure is broken"


@dataclass
class _Layout:
    width: int
    height: int
    end: int  # offset just past the image's end marker
    blocks: list[tuple[str, int, int]]  # (name, payload offset, payload length), for metadata


def _u16be(b: mmap.mmap | bytes, pos: int) -> int:
    return (b[pos] << 8) | b[pos + 1]


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# End of entropy-coded data: 0xFF followed by neither stuffing (00), RSTn nor fill (FF).
_JPEG_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _walk_jpeg(b: mmap.mmap | bytes, start: int = 0) -> _Layout:
    n = len(b)
    if b[start : start + 2] != b"\xff\xd8":
        raise _Broken(_BROKEN_IMAGE)
    pos = start + 2
    width = height = 0
    blocks: list[tuple[str, int, int]] = []
    while True:
        if pos + 2 > n:
            raise _Broken(_TRUNCATED_IMAGE)
        padding = 0
        while b[pos] == 0 and padding < 64 and pos + 2 < n:
            pos += 1  # some cameras pad between segments; libjpeg skips it too
            padding += 1
        if b[pos] != 0xFF:
            raise _Broken(_BROKEN_IMAGE)
        while pos + 1 < n and b[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 2 > n:
            raise _Broken(_TRUNCATED_IMAGE)
        marker = b[pos + 1]
        pos += 2
        if marker == 0xD9:  # EOI
            if not width:
                raise _Broken(_BROKEN_IMAGE)
            return _Layout(width, height, pos, blocks)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # standalone markers
        if marker in (0x00, 0xD8):
            raise _Broken(_BROKEN_IMAGE)
        if pos + 2 > n:
            raise _Broken(_TRUNCATED_IMAGE)
        length = _u16be(b, pos)
        if length < 2:
            raise _Broken(_BROKEN_IMAGE)
        if pos + length > n:
            raise _Broken(_TRUNCATED_IMAGE)
        if marker in _JPEG_SOF:
            if length < 8:
                raise _Broken(_BROKEN_IMAGE)
            if not width:
                height, width = _u16be(b, pos + 3), _u16be(b, pos + 5)
                if not width or not height:
                    raise _Broken(_BROKEN_IMAGE)
        elif 0xE0 <= marker <= 0xEF:
            blocks.append((f"APP{marker - 0xE0}", pos + 2, length - 2))
        elif marker == 0xFE:
            blocks.append(("COM", pos + 2, length - 2))
        pos += length
        if marker == 0xDA:  # start of scan: skip the entropy-coded data
            if not width:
                raise _Broken(_BROKEN_IMAGE)
            m = _JPEG_SCAN_END.search(b, pos)
            if m is None:
                raise _Broken(_TRUNCATED_IMAGE)
            pos = m.start()


def _jpeg_layout(b: mmap.mmap | bytes) -> _Layout:
    layout = _walk_jpeg(b)
    # Multi-Picture Format (MPF, APP2 "MPF\0": phone HDR, depth maps, gain maps) puts
    # more complete JPEGs after the first EOI. They are part of the file, not hidden
    # data, so we walk them too; anything after them is still refused.
    if any(name == "APP2" and b[off : off + 4] == b"MPF\x00" for name, off, _ in layout.blocks):
        pos = layout.end
        while True:
            nxt = pos
            while nxt < len(b) and nxt - pos < 4096 and b[nxt] == 0:
                nxt += 1  # zero padding between images
            if b[nxt : nxt + 3] != b"\xff\xd8\xff":
                break
            pos = _walk_jpeg(b, nxt).end
        layout.end = pos
    return layout


def _walk_png(b: mmap.mmap | bytes) -> _Layout:
    n = len(b)
    pos = 8
    width = height = 0
    seen_idat = False
    blocks: list[tuple[str, int, int]] = []
    first = True
    while True:
        if pos + 12 > n:
            raise _Broken(_TRUNCATED_IMAGE)
        length, ctype = struct.unpack_from(">I4s", b, pos)
        if length > 0x7FFFFFFF or not ctype.isalpha():
            raise _Broken(_BROKEN_IMAGE)
        end = pos + 12 + length
        if end > n:
            raise _Broken(_TRUNCATED_IMAGE)
        if first:
            if ctype != b"IHDR" or length != 13:
                raise _Broken(_BROKEN_IMAGE)
            width, height = struct.unpack_from(">II", b, pos + 8)
            if not width or not height:
                raise _Broken(_BROKEN_IMAGE)
            first = False
        if ctype == b"IEND":
            if not seen_idat:
                raise _Broken(_BROKEN_IMAGE)
            return _Layout(width, height, end, blocks)
        if ctype == b"IDAT":
            seen_idat = True
        blocks.append((ctype.decode("ascii"), pos + 8, length))
        pos = end


def _skip_gif_subblocks(b: mmap.mmap | bytes, pos: int) -> int:
    n = len(b)
    while True:
        if pos >= n:
            raise _Broken(_TRUNCATED_IMAGE)
        size = b[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size


def _walk_gif(b: mmap.mmap | bytes) -> _Layout:
    n = len(b)
    if n < 13:
        raise _Broken(_TRUNCATED_IMAGE)
    width, height = struct.unpack_from("<HH", b, 6)
    flags = b[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    frames = 0
    blocks: list[tuple[str, int, int]] = []
    while True:
        if pos >= n:
            if frames:
                # Some encoders omit the trailer byte; the picture itself is complete.
                return _Layout(width, height, n, blocks)
            raise _Broken(_TRUNCATED_IMAGE)
        code = b[pos]
        if code == 0x3B:  # trailer
            if not frames:
                raise _Broken(_BROKEN_IMAGE)
            return _Layout(width, height, pos + 1, blocks)
        if code == 0x21:  # extension
            if pos + 2 > n:
                raise _Broken(_TRUNCATED_IMAGE)
            label = b[pos + 1]
            start = pos + 2
            pos = _skip_gif_subblocks(b, start)
            if label == 0xFF:
                ident = bytes(b[start + 1 : start + 12]) if b[start] >= 11 else b""
                blocks.append((f"APP:{ident.decode('latin-1')}", start, pos - start))
            elif label == 0xFE:
                blocks.append(("COMMENT", start, pos - start))
            elif label == 0x01:
                blocks.append(("PLAINTEXT", start, pos - start))
        elif code == 0x2C:  # image descriptor
            if pos + 10 > n:
                raise _Broken(_TRUNCATED_IMAGE)
            left, top, fw, fh, fflags = struct.unpack_from("<HHHHB", b, pos + 1)
            # A frame may reach outside the logical screen; Pillow then grows the canvas.
            width, height = max(width, left + fw), max(height, top + fh)
            pos += 10 + (3 * (2 << (fflags & 7)) if fflags & 0x80 else 0)
            pos = _skip_gif_subblocks(b, pos + 1)  # +1: LZW minimum code size
            frames += 1
        else:
            raise _Broken(_BROKEN_IMAGE)
        if not width or not height:
            raise _Broken(_BROKEN_IMAGE)


def _walk_webp(b: mmap.mmap | bytes) -> _Layout:
    n = len(b)
    riff_size = struct.unpack_from("<I", b, 4)[0]
    riff_end = 8 + riff_size
    if riff_size < 4 or riff_end > n:
        raise _Broken(_TRUNCATED_IMAGE)
    pos = 12
    width = height = 0
    blocks: list[tuple[str, int, int]] = []
    while pos < riff_end:
        if pos + 8 > riff_end:
            raise _Broken(_BROKEN_IMAGE)
        fourcc, size = struct.unpack_from("<4sI", b, pos)
        data = pos + 8
        if data + size > riff_end:
            raise _Broken(_TRUNCATED_IMAGE)
        if fourcc == b"VP8X" and size >= 10:
            width = 1 + (b[data + 4] | b[data + 5] << 8 | b[data + 6] << 16)
            height = 1 + (b[data + 7] | b[data + 8] << 8 | b[data + 9] << 16)
        elif fourcc == b"VP8 " and size >= 10 and not width:
            if b[data + 3 : data + 6] != b"\x9d\x01\x2a":
                raise _Broken(_BROKEN_IMAGE)
            width = struct.unpack_from("<H", b, data + 6)[0] & 0x3FFF
            height = struct.unpack_from("<H", b, data + 8)[0] & 0x3FFF
        elif fourcc == b"VP8L" and size >= 5 and not width:
            if b[data] != 0x2F:
                raise _Broken(_BROKEN_IMAGE)
            bits = struct.unpack_from("<I", b, data + 1)[0]
            width = (bits & 0x3FFF) + 1
            height = ((bits >> 14) & 0x3FFF) + 1
        blocks.append((fourcc.decode("latin-1"), data, size))
        pos = data + size + (size & 1)
    if not width or not height:
        raise _Broken(_BROKEN_IMAGE)
    # RIFF pads odd sizes with one byte that some writers leave out of the size field.
    end = riff_end + 1 if (riff_size & 1 and n > riff_end and b[riff_end] == 0) else riff_end
    return _Layout(width, height, end, blocks)


def _walk_bmp(b: mmap.mmap | bytes) -> _Layout:
    n = len(b)
    if n < 26:
        raise _Broken(_TRUNCATED_IMAGE)
    off_bits = struct.unpack_from("<I", b, 10)[0]
    dib = struct.unpack_from("<I", b, 14)[0]
    if dib == 12:
        width, height, _planes, bpp = struct.unpack_from("<HHHH", b, 18)
        compression, size_image = 0, 0
    else:
        if n < 14 + 40:
            raise _Broken(_TRUNCATED_IMAGE)
        width, height, _planes, bpp, compression, size_image = struct.unpack_from("<iiHHII", b, 18)
    height = abs(height)  # negative height means top-down rows
    if width <= 0 or height == 0 or bpp not in (1, 2, 4, 8, 16, 24, 32):
        raise _Broken(_BROKEN_IMAGE)
    if compression not in (0, 1, 2, 3, 6) or off_bits < 14 + dib or off_bits > n:
        raise _Broken(_BROKEN_IMAGE)
    if compression in (0, 3, 6):
        end = off_bits + ((width * bpp + 31) // 32) * 4 * height
    elif size_image:
        end = off_bits + size_image
    else:
        end = n  # RLE without a size: the decoder finds the end
    if end > n:
        raise _Broken(_TRUNCATED_IMAGE)
    return _Layout(width, height, end, [])


_WALKERS = {"JPEG": _jpeg_layout, "PNG": _walk_png, "GIF": _walk_gif, "WEBP": _walk_webp, "BMP": _walk_bmp}

# Up to this many stray bytes after the end marker are tolerated (some encoders add a
# newline or two); zero padding of any length is tolerated as well.
_TRAILING_SLACK = 8


def _image_layout(b: mmap.mmap | bytes, fmt: str) -> _Layout:
    try:
        layout = _WALKERS[fmt](b)
    except _Broken as exc:
        raise _damaged(exc.detail) from None
    except (struct.error, IndexError):
        raise _damaged(_TRUNCATED_IMAGE) from None
    extra = len(b) - layout.end
    if extra > _TRAILING_SLACK and bytes(b[layout.end :]).strip(b"\x00"):
        raise _hidden_data(extra, "image")
    return layout


_MP4_TRUNCATED = "the video or audio container ends early (the upload may have been cut off)"
_MP4_BROKEN = "the video or audio container structure is broken"
_RIFF_TRUNCATED = "the recording stops before its declared end (the upload may have been cut off)"


def _walk_boxes(b: mmap.mmap | bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload offset, payload end) for ISO-BMFF boxes in [start, end)."""
    pos = start
    while pos < end:
        if end - pos < 8:
            if bytes(b[pos:end]).strip(b"\x00"):
                raise _Broken(_MP4_BROKEN)
            return
        size, btype = struct.unpack_from(">I4s", b, pos)
        header = 8
        if size == 1:
            if end - pos < 16:
                raise _Broken(_MP4_TRUNCATED)
            size = struct.unpack_from(">Q", b, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos  # box runs to the end of the file
        if size < header or not all(0x20 <= c <= 0x7E or c == 0xA9 for c in btype):
            raise _Broken(_MP4_BROKEN)
        if pos + size > end:
            raise _Broken(_MP4_TRUNCATED)
        yield btype, pos + header, pos + size
        pos += size


def _check_av_structure(b: mmap.mmap | bytes, kind: _Kind) -> None:
    n = len(b)
    try:
        if kind.fmt == "mov":
            types = [t for t, _, _ in _walk_boxes(b, 0, n)]
            if b"moov" not in types:
                raise _Broken(_MP4_TRUNCATED if b"mdat" in types else _MP4_BROKEN)
        elif kind.fmt in ("wav", "avi"):
            riff_size = struct.unpack_from("<I", b, 4)[0]
            if riff_size in (0, 0xFFFFFFFF):
                return  # written by a streaming tool that never knew the length
            end = 8 + riff_size
            # AVI files over 1 GB continue in further RIFF 'AVIX' lists.
            while end + 8 <= n and b[end : end + 4] == b"RIFF":
                end += 8 + struct.unpack_from("<I", b, end + 4)[0]
            if end > n + 1:  # +1: a missing pad byte is harmless
                raise _Broken(_RIFF_TRUNCATED)
            extra = n - end - (1 if riff_size & 1 else 0)
            if extra > _TRAILING_SLACK and bytes(b[end:]).strip(b"\x00"):
                raise _hidden_data(extra, "recording")
    except _Broken as exc:
        raise _damaged(exc.detail) from None
    except (struct.error, IndexError):
        raise _damaged(_MP4_TRUNCATED) from None


# --------------------------------------------------------------------------- limits


def _check_bytes(size: int, kind: _Kind, limits: Limits) -> None:
    if kind.family == "image":
        if size > limits.image_max_bytes:
            raise MediaError(
                f"The image file is {_fmt_bytes(size)}; the limit is {_fmt_bytes(limits.image_max_bytes)}."
            )
    elif size > limits.av_max_bytes:
        raise MediaError(
            f"The file is {_fmt_bytes(size)}; "
            f"the limit for video and audio is {_fmt_bytes(limits.av_max_bytes)}."
        )


def _check_pixels(width: int, height: int, limits: Limits, what: str = "image") -> None:
    if width * height > limits.image_max_pixels:
        raise MediaError(
            f"The {what} is {width:,} × {height:,} pixels; "
            f"the limit is {_fmt_num(limits.image_max_pixels / 1_000_000)} megapixels."
        )
    if max(width, height) > limits.max_dimension:
        raise MediaError(
            f"The {what} is {width:,} × {height:,} pixels; "
            f"no side may be longer than {limits.max_dimension:,} pixels."
        )


def _check_duration(seconds: float, what: str, limits: Limits) -> None:
    # Half a second of slack: containers often report a frame or an AAC priming
    # delay more than the nominal length.
    if seconds > limits.av_max_seconds + 0.5:
        raise MediaError(
            f"The {what} is {_fmt_duration(seconds)} long; the limit is {_fmt_num(limits.av_max_seconds)} s."
        )


@contextmanager
def _mapped(path: Path) -> Iterator[tuple[io.BufferedReader, mmap.mmap]]:
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            yield f, mm
        finally:
            mm.close()


def _stat_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaError("The file could not be opened.") from exc
    if not path.is_file():
        raise MediaError("The file could not be opened.")
    if size == 0:
        raise MediaError(MSG_EMPTY)
    return size


# --------------------------------------------------------------------------- images

# What Pillow raises for bad data (SyntaxError is its "not a valid file" signal).
_PIL_ERRORS = (
    OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error, MemoryError,
)
_ORIENT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _open_pillow(f: io.BufferedReader, kind: _Kind, layout: _Layout, limits: Limits) -> Image.Image:
    f.seek(0)
    try:
        # formats=[...] stops Pillow from re-guessing the type (no EPS, no PSD, ...).
        im = Image.open(f, formats=[kind.fmt])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(
            f"The image is {layout.width:,} × {layout.height:,} pixels; "
            f"the limit is {_fmt_num(limits.image_max_pixels / 1_000_000)} megapixels."
        ) from exc
    except _PIL_ERRORS as exc:
        raise _damaged("the image could not be decoded") from exc
    _check_pixels(im.width, im.height, limits)
    return im


def _load(im: Image.Image) -> None:
    try:
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError("The image is too large to process safely.") from exc
    except _PIL_ERRORS as exc:
        raise _damaged("the image could not be decoded completely") from exc


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # malformed EXIF must not sink an otherwise good picture
        return 1
    return value if value in _ORIENT else 1


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    long_side = max(width, height)
    if long_side <= max_side:
        return width, height  # never upscale
    scale = max_side / long_side
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resizable(im: Image.Image) -> Image.Image:
    """Bring any Pillow mode to L, RGB, RGBA or CMYK, which resize well."""
    mode = im.mode
    if mode in ("P", "PA", "LA", "La", "RGBa") or (mode in ("L", "RGB") and "transparency" in im.info):
        # Palette images would otherwise be resized with NEAREST; alpha is kept for
        # flattening onto white after the resize.
        has_alpha = mode != "P" or "transparency" in im.info
        return im.convert("RGBA" if has_alpha else "RGB")
    if mode in ("RGB", "RGBA", "L", "CMYK"):
        return im
    if mode.startswith("I;16") or mode == "I":
        # Pillow's I;16 -> L conversion clips at 255, so scale 16-bit values ourselves.
        arr = np.clip(np.asarray(im, dtype=np.int64), 0, 65535)
        peak = 65535 if mode.startswith("I;16") or int(arr.max(initial=0)) > 255 else 255
        return Image.fromarray((arr * 255 // peak).astype(np.uint8), "L")
    if mode == "F":
        return Image.fromarray(np.clip(np.asarray(im), 0, 255).astype(np.uint8), "L")
    if mode == "1":
        return im.convert("L")
    return im.convert("RGB")


@lru_cache(maxsize=32)
def _srgb_transform(icc: bytes, mode: str) -> object | None:
    if ImageCms is None:
        return None
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        return ImageCms.buildTransform(src, dst, mode, "RGB")
    except Exception:  # a broken profile: fall back to plain conversion
        return None


def _flatten(im: Image.Image) -> Image.Image:
    """Composite RGBA onto white. Done before resizing: a 3-channel resize is cheaper
    than Pillow's premultiplied 4-channel one, and the result is the same picture."""
    if im.mode != "RGBA":
        return im
    background = Image.new("RGB", im.size, (255, 255, 255))
    background.paste(im, mask=im.getchannel("A"))
    return background


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB RGB (via the ICC profile if there is one)."""
    if icc and im.mode in ("RGB", "L", "CMYK"):
        transform = _srgb_transform(icc, im.mode)
        if transform is not None:
            try:
                return ImageCms.applyTransform(im, transform)  # type: ignore[union-attr]
            except Exception:
                pass
    return im if im.mode == "RGB" else im.convert("RGB")


def _decode_still(im: Image.Image, max_side: int) -> Image.Image:
    """Decode once and return an sRGB RGB image with the long side at most max_side."""
    width, height = im.size
    target = _fit(width, height, max_side)
    if im.format in ("JPEG", "MPO") and target != (width, height):
        # DCT-domain downscaling (1/2, 1/4, 1/8) while decoding; never below target.
        im.draft(None, target)
    _load(im)
    orientation = _orientation(im)
    icc = im.info.get("icc_profile")
    out = _flatten(_resizable(im))
    if out.size != target:
        out = out.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)
    out = _to_srgb(out, icc if isinstance(icc, bytes) else None)
    if orientation != 1:
        # Transposing the small image is cheaper than transposing the decoded one.
        out = out.transpose(_ORIENT[orientation])
    out.info = {}  # nothing from the source's info dict may reach an encoder
    return out


def _ela(img: Image.Image) -> Image.Image:
    """Error level analysis: re-save at JPEG q90, take |difference|, scale it by a fixed gain."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=ELA_JPEG_QUALITY)
    buf.seek(0)
    with Image.open(buf) as resaved:
        diff = ImageChops.difference(img, resaved.convert("RGB"))
    return diff.point(_ELA_LUT)


_ELA_LUT = [min(255, v * ELA_GAIN) for v in range(256)] * 3


def _save_webp(img: Image.Image, path: Path, quality: int = WEBP_QUALITY) -> None:
    img.save(path, "WEBP", quality=quality, method=WEBP_METHOD)


def _save_jpeg(img: Image.Image, path: Path) -> None:
    img.save(path, "JPEG", quality=POSTER_JPEG_QUALITY, optimize=False)


# --------------------------------------------------------------------------- audio / video


@dataclass
class _AvInfo:
    media_type: MediaType
    video_index: int | None
    audio_index: int | None
    width: int | None  # display size after rotation and pixel aspect
    height: int | None
    duration: float
    rotation: int  # counter-clockwise degrees to apply: 0, 90, 180 or 270
    fps: Fraction | None
    channels: int


def _open_av(path: Path, kind: _Kind) -> av.container.InputContainer:
    try:
        # The demuxer is forced to what the magic number said, and only plain files
        # may be opened (no playlists pulling in other URLs).
        return av.open(
            str(path),
            mode="r",
            format=kind.fmt,
            container_options={"protocol_whitelist": "file"},
            metadata_errors="replace",
        )
    except av.error.FFmpegError as exc:
        raise _damaged("the video or audio data could not be read") from exc


@contextmanager
def _demuxing(inp: av.container.InputContainer, *streams: av.stream.Stream) -> Iterator[Iterator[av.Packet]]:
    """container.demux(), closed before the container is.

    An abandoned demux generator (after ``break`` or an exception) is otherwise
    finalised whenever the GC gets to it, which may be after its container has been
    closed. PyAV then touches freed memory, and we saw that corrupt a later container.
    """
    packets = inp.demux(*streams)
    try:
        yield packets
    finally:
        packets.close()


def _pick_streams(
    inp: av.container.InputContainer,
) -> tuple[av.video.stream.VideoStream | None, av.audio.stream.AudioStream | None]:
    # Cover art in MP3/M4A files is an "attached picture" video stream: still audio.
    video = next(
        (s for s in inp.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)),
        None,
    )
    audio = inp.streams.audio[0] if inp.streams.audio else None
    return video, audio


def _container_duration(inp: av.container.InputContainer, streams: list[av.stream.Stream]) -> float | None:
    if inp.duration and inp.duration > 0:
        return inp.duration / av.time_base
    best = None
    for s in streams:
        if s.duration and s.time_base:
            d = float(s.duration * s.time_base)
            best = d if best is None else max(best, d)
    return best


def _scan_duration(path: Path, kind: _Kind, limit: float | None) -> float:
    """Demux (without decoding) to find the end time when the header does not say."""
    with _open_av(path, kind) as inp:
        start: float | None = None
        end = 0.0
        with _demuxing(inp) as packets:
            for packet in packets:
                if packet.pts is None or packet.time_base is None:
                    continue
                t0 = float(packet.pts * packet.time_base)
                t1 = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                start = t0 if start is None else min(start, t0)
                end = max(end, t1)
                if limit is not None and end - start > limit + 1:
                    break
        return max(0.0, end - (start or 0.0))


def _rotation_of(frame: av.VideoFrame) -> int:
    try:
        # frame.rotation is the display matrix angle (counter-clockwise degrees).
        return int(round(frame.rotation / 90.0)) * 90 % 360
    except Exception:
        return 0


def _av_info(path: Path, kind: _Kind, limits: Limits, *, enforce_limits: bool) -> _AvInfo:
    with _open_av(path, kind) as inp:
        video, audio = _pick_streams(inp)
        if video is None and audio is None:
            raise MediaError(MSG_NO_STREAMS)
        media_type: MediaType = "video" if video is not None else "audio"
        primary = video if video is not None else audio
        assert primary is not None
        for s in (video, audio):
            if s is not None and s.codec_context is None:
                raise _damaged("it uses a video or audio format we cannot decode")
        width = height = None
        fps = None
        if video is not None:
            cw, ch = video.codec_context.width, video.codec_context.height
            if cw and ch:
                _check_pixels(cw, ch, limits, "video")
            rate = video.average_rate or video.guessed_rate
            fps = Fraction(rate) if rate and rate > 0 else None
        duration = _container_duration(inp, [s for s in (video, audio) if s is not None])
        if duration is not None and enforce_limits:
            _check_duration(duration, media_type, limits)

        # A real decode attempt: the first frame of the main stream.
        rotation = 0
        first = None
        try:
            primary.codec_context.thread_type = "AUTO"
            with _demuxing(inp, primary) as packets:
                for count, packet in enumerate(packets):
                    for frame in packet.decode():
                        first = frame
                        break
                    if first is not None or count > 2000:
                        break
        except av.error.FFmpegError as exc:
            raise _damaged("the first frame could not be decoded") from exc
        if first is None:
            raise _damaged("no picture or sound could be decoded")
        if video is not None:
            assert isinstance(first, av.VideoFrame)
            rotation = _rotation_of(first)
            fw, fh = first.width, first.height
            _check_pixels(fw, fh, limits, "video")
            sar = video.sample_aspect_ratio or video.codec_context.sample_aspect_ratio
            dw = fw * float(sar) if sar and sar > 0 else float(fw)
            width, height = int(round(dw)), fh
            if rotation in (90, 270):
                width, height = height, width
        # Read everything we need from the streams now: PyAV stream objects point into
        # the container's memory and return garbage once it is closed.
        channels = audio.codec_context.channels if audio is not None else 0
        video_index = video.index if video is not None else None
        audio_index = audio.index if audio is not None else None

    if duration is None:
        duration = _scan_duration(path, kind, limits.av_max_seconds if enforce_limits else None)
        if enforce_limits:
            _check_duration(duration, media_type, limits)
    return _AvInfo(
        media_type=media_type,
        video_index=video_index,
        audio_index=audio_index,
        width=width,
        height=height,
        duration=duration,
        rotation=rotation,
        fps=fps,
        channels=channels,
    )


def _video_target(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, VIDEO_MAX_WIDTH / width, VIDEO_MAX_HEIGHT / height)
    w = max(2, int(width * scale) // 2 * 2)
    h = max(2, int(height * scale) // 2 * 2)
    return w, h


def _output_fps(src: Fraction | None) -> Fraction:
    if src is None or src <= 0 or src > VIDEO_MAX_FPS:
        return VIDEO_MAX_FPS
    return src.limit_denominator(1001)


# AVColorSpace -> the scale filter's matrix names. Untagged video follows the usual
# convention (HD is BT.709, SD is BT.601), so untagged HD input is not needlessly
# converted, which also keeps its colours right.
_COLOR_MATRIX = {1: "bt709", 4: "fcc", 5: "bt470", 6: "smpte170m", 7: "smpte240m", 9: "bt2020", 10: "bt2020"}


class _VideoScaler:
    """Rotate, scale to the target, convert to BT.709 limited-range yuv420p, square pixels."""

    def __init__(self, rotation: int, size: tuple[int, int]) -> None:
        self.rotation = rotation
        self.size = size
        self.graph: av.filter.Graph | None = None
        self.key: tuple[int, int, str] | None = None

    def _build(self, frame: av.VideoFrame) -> None:
        graph = av.filter.Graph()
        nodes = [
            graph.add_buffer(
                width=frame.width,
                height=frame.height,
                format=frame.format,
                time_base=frame.time_base or Fraction(1, 1000),
            )
        ]
        if self.rotation == 90:
            nodes.append(graph.add("transpose", "cclock"))
        elif self.rotation == 270:
            nodes.append(graph.add("transpose", "clock"))
        elif self.rotation == 180:
            nodes += [graph.add("hflip"), graph.add("vflip")]
        w, h = self.size
        in_matrix = _COLOR_MATRIX.get(frame.colorspace) or ("bt709" if frame.height > 576 else "bt601")
        nodes.append(
            graph.add(
                "scale",
                f"{w}:{h}:flags=bicubic:in_color_matrix={in_matrix}:out_color_matrix=bt709:out_range=tv",
            )
        )
        nodes.append(graph.add("format", "yuv420p"))
        nodes.append(graph.add("buffersink"))
        graph.link_nodes(*nodes).configure()
        self.graph = graph
        self.key = (frame.width, frame.height, frame.format.name)

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        if self.graph is None or self.key != (frame.width, frame.height, frame.format.name):
            self._build(frame)
        assert self.graph is not None
        self.graph.push(frame)
        out = self.graph.pull()
        # Only the pixels travel on: a fresh array drops side data, picture type
        # (the source's GOP structure), captions and interlacing flags.
        return out.to_ndarray()


class _Mp4Writer:
    """One output MP4/M4A with our fixed settings; nothing from the source's metadata."""

    def __init__(
        self,
        path: Path,
        *,
        fmt: str,
        video_size: tuple[int, int] | None,
        fps: Fraction,
        audio_layout: str | None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.out = av.open(
            str(path),
            mode="w",
            format=fmt,
            # faststart: moov before mdat. bitexact: no "encoder" (Lavf version) tag.
            container_options={"movflags": "+faststart", "fflags": "+bitexact"},
        )
        self.fps = fps
        self.vstream: av.video.stream.VideoStream | None = None
        self.astream: av.stream.Stream | None = None
        self.video_frames = 0
        self.last_index = -1
        self.audio_samples = 0
        try:
            self._setup(video_size, audio_layout, metadata or {})
        except BaseException:
            self.out.close()
            raise

    def _setup(
        self, video_size: tuple[int, int] | None, audio_layout: str | None, metadata: dict[str, str]
    ) -> None:
        for key, value in metadata.items():
            self.out.metadata[key] = value
        fps = self.fps
        if video_size is not None:
            keyint = max(1, round(fps * KEYFRAME_SECONDS))
            options = {**X264_OPTIONS, "x264-params": f"keyint={keyint}:min-keyint={keyint}:scenecut=0"}
            vs = self.out.add_stream("libx264", rate=fps, options=options)
            vs.width, vs.height = video_size
            vs.pix_fmt = "yuv420p"
            cc = vs.codec_context
            # Let x264 use every core (frame threads); PyAV otherwise encodes on one.
            cc.thread_type = "FRAME"
            cc.thread_count = 0
            cc.colorspace = cc.color_primaries = cc.color_trc = 1  # BT.709
            cc.color_range = 1  # limited ("tv")
            self.vstream = vs
        if audio_layout is not None:
            st = self.out.add_stream("aac", rate=AUDIO_RATE)
            st.layout = audio_layout
            st.bit_rate = AUDIO_BITRATE
            self.astream = st

    def add_audio_copy(self, template: av.audio.stream.AudioStream) -> av.stream.Stream:
        self.astream = self.out.add_stream_from_template(template)
        return self.astream

    def video(self, yuv: np.ndarray, index: int) -> None:
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = index
        frame.time_base = 1 / self.fps
        assert self.vstream is not None
        self.out.mux(self.vstream.encode(frame))
        self.video_frames += 1
        self.last_index = index

    def audio(self, frame: av.AudioFrame, offset: int) -> None:
        frame.pts = offset + self.audio_samples
        frame.time_base = Fraction(1, AUDIO_RATE)
        self.audio_samples += frame.samples
        assert self.astream is not None
        self.out.mux(self.astream.encode(frame))

    def close(self) -> None:
        try:
            if self.vstream is not None:
                self.out.mux(self.vstream.encode(None))
            context = self.astream.codec_context if self.astream is not None else None
            if context is not None and context.is_encoder:  # a copied stream has nothing to flush
                self.out.mux(self.astream.encode(None))  # type: ignore[union-attr]
        finally:
            self.out.close()


def _audio_layout(channels: int) -> str:
    return "mono" if channels == 1 else "stereo"


@dataclass
class _TranscodeResult:
    width: int | None
    height: int | None
    duration: float
    poster: Image.Image


class _Transcoder:
    """Decode the source once and write one MP4/M4A with the fixed policy.

    The video frames are rotated, scaled, capped at 30 fps and rebuilt from bare pixels.
    The sound is resampled to 48 kHz and re-encoded to AAC, or, in ``copy_audio`` mode
    (disclosure copies of our own renditions), copied packet for packet.
    """

    def __init__(self, info: _AvInfo, limits: Limits, *, band: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.info = info
        self.limits = limits
        self.band = band
        self.size = _video_target(info.width, info.height) if info.width and info.height else None
        self.fps = _output_fps(info.fps)
        self.hard_limit = limits.av_max_seconds + 1.0  # the header may lie about the length
        self.scaler = _VideoScaler(info.rotation, self.size) if self.size else None
        self.t0 = 0.0
        self.decoded_video = 0
        self.audio_offset: int | None = None
        self.first_img: Image.Image | None = None
        self.poster_img: Image.Image | None = None
        self.peaks: list[np.ndarray] = []  # audio-only: per-sample peaks for the waveform

    def run(self, path: Path, kind: _Kind, out_path: Path, *, fmt: str, copy_audio: bool,
            metadata: dict[str, str] | None) -> _TranscodeResult:
        info = self.info
        with _open_av(path, kind) as inp:
            vin = inp.streams[info.video_index] if info.video_index is not None else None
            ain = inp.streams[info.audio_index] if info.audio_index is not None else None
            if ain is not None and copy_audio and ain.codec_context.name != "aac":
                copy_audio = False  # only AAC can be copied into MP4/M4A unchanged
            self.t0 = inp.start_time / av.time_base if inp.start_time is not None else 0.0
            resampler = (
                av.AudioResampler(
                    format="fltp",
                    layout=_audio_layout(info.channels),
                    rate=AUDIO_RATE,
                    frame_size=AUDIO_FRAME,
                )
                if ain is not None and not copy_audio
                else None
            )
            streams = [s for s in (vin, ain) if s is not None]
            for s in streams:
                s.codec_context.thread_type = "AUTO"
            self.writer = writer = _Mp4Writer(
                out_path,
                fmt=fmt,
                video_size=self.size if vin is not None else None,
                fps=self.fps,
                audio_layout=_audio_layout(info.channels) if resampler is not None else None,
                metadata=metadata,
            )
            try:
                copied = writer.add_audio_copy(ain) if (ain is not None and copy_audio) else None
                with _demuxing(inp, *streams) as packets:
                    for packet in packets:
                        if copied is not None and packet.stream is ain:
                            if packet.dts is not None:  # skip the flush packet
                                packet.stream = copied
                                writer.out.mux(packet)
                            continue
                        for frame in packet.decode():
                            if isinstance(frame, av.VideoFrame):
                                self._video(frame)
                            elif resampler is not None:
                                self._audio(resampler.resample(frame), frame)
                if resampler is not None:
                    self._audio(resampler.resample(None), None)
                writer.close()
            except BaseException:
                with suppress(Exception):
                    writer.out.close()
                raise
        return self._result(copied is not None)

    def _video(self, frame: av.VideoFrame) -> None:
        assert self.scaler is not None and self.size is not None
        if frame.time is not None:
            t = frame.time - self.t0
        else:
            t = self.decoded_video / float(self.info.fps or VIDEO_MAX_FPS)
        self.decoded_video += 1
        if t < -0.001:
            return  # before the presentation start (edit lists)
        if t > self.hard_limit:
            _check_duration(t, "video", self.limits)
        index = round(max(t, 0.0) * self.fps)
        if index <= self.writer.last_index:
            return  # a frame we drop to cap the rate at 30 fps
        yuv = self.scaler(frame)
        if self.band is not None:
            _burn_band_yuv(yuv, self.size, self.band)
        if self.first_img is None or (self.poster_img is None and t >= POSTER_TIME):
            img = av.VideoFrame.from_ndarray(yuv, format="yuv420p").to_image()
            self.first_img = self.first_img or img
            if t >= POSTER_TIME:
                self.poster_img = img
        self.writer.video(yuv, index)

    def _audio(self, frames: list[av.AudioFrame], source: av.AudioFrame | None) -> None:
        if self.audio_offset is None:
            # Keep the sound in sync when it starts later than the container does.
            start = (source.time - self.t0) if source is not None and source.time is not None else 0.0
            self.audio_offset = max(0, round(start * AUDIO_RATE))
        for out in frames:
            if self.info.media_type == "audio":
                self.peaks.append(np.abs(out.to_ndarray()).max(axis=0))
            self.writer.audio(out, self.audio_offset)
        if self.writer.audio_samples > self.hard_limit * AUDIO_RATE:
            _check_duration(self.writer.audio_samples / AUDIO_RATE, self.info.media_type, self.limits)

    def _result(self, copied_audio: bool) -> _TranscodeResult:
        writer = self.writer
        audio_end = ((self.audio_offset or 0) + writer.audio_samples) / AUDIO_RATE
        if self.info.media_type == "video":
            if writer.video_frames == 0 or self.first_img is None or self.size is None:
                raise _damaged("no picture could be decoded")
            duration = max((writer.last_index + 1) / float(self.fps), audio_end)
            return _TranscodeResult(*self.size, round(duration, 3), self.poster_img or self.first_img)
        if writer.audio_samples == 0 and not copied_audio:
            raise _damaged("no sound could be decoded")
        samples = np.concatenate(self.peaks) if self.peaks else np.zeros(1, np.float32)
        return _TranscodeResult(None, None, round(writer.audio_samples / AUDIO_RATE, 3), _waveform(samples))


def _transcode(
    path: Path,
    kind: _Kind,
    info: _AvInfo,
    out_path: Path,
    limits: Limits,
    *,
    fmt: str,
    band: tuple[np.ndarray, np.ndarray] | None = None,
    copy_audio: bool = False,
    metadata: dict[str, str] | None = None,
) -> _TranscodeResult:
    """Decode once and write the MP4/M4A. Returns the poster (video frame or waveform)."""
    return _Transcoder(info, limits, band=band).run(
        path, kind, out_path, fmt=fmt, copy_audio=copy_audio, metadata=metadata
    )


def _waveform(samples: np.ndarray) -> Image.Image:
    """Peak waveform at a fixed size and absolute scale (quiet audio looks quiet)."""
    width, height = WAVEFORM_SIZE
    if samples.size < width:
        samples = np.pad(samples, (0, width - samples.size))
    edges = (np.arange(width) * samples.size) // width
    peaks = np.clip(np.maximum.reduceat(samples, edges), 0.0, 1.0)
    half = np.maximum(np.round(peaks * (height / 2 - 4)), 1)
    dist = np.abs(np.arange(height) - (height - 1) / 2)[:, None]
    mask = dist <= half[None, :]
    rgb = np.where(mask[..., None], np.array(WAVEFORM_FG, np.uint8), np.array(WAVEFORM_BG, np.uint8))
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- public: checks


def _inspect(path: StrPath, limits: Limits, *, enforce_limits: bool) -> Probe:
    p = Path(path)
    size = _stat_size(p)
    kind = _identify(p)
    if enforce_limits:
        _check_bytes(size, kind, limits)
    if kind.family == "image":
        with _mapped(p) as (f, mm):
            layout = _image_layout(mm, kind.fmt)
            _check_pixels(layout.width, layout.height, limits)
            with _open_pillow(f, kind, layout, limits) as im:
                width, height = im.size
                if im.format in ("JPEG", "MPO"):
                    # The cheapest real decode: the DCT at 1/8 scale still reads every byte.
                    im.draft(None, (max(1, width // 8), max(1, height // 8)))
                # Load before reading EXIF: getexif() may load a PNG itself, and a decode
                # error must not be lost inside the orientation lookup.
                _load(im)
                if _orientation(im) in (5, 6, 7, 8):
                    width, height = height, width
        return Probe("image", width, height, None, size)
    with _mapped(p) as (_f, mm):
        _check_av_structure(mm, kind)
    info = _av_info(p, kind, limits, enforce_limits=enforce_limits)
    return Probe(info.media_type, info.width, info.height, round(info.duration, 3), size)


# Failures of the machine, not of the file (disk full, permissions...): these propagate
# as OSError so a caller can retry, instead of telling a teacher their file is bad.
_ENVIRONMENT_ERRNOS = {
    errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EACCES, errno.EPERM, errno.EROFS, errno.EMFILE, errno.ENFILE,
}


def _is_environment_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS


def _guard(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return fn(*args, **kwargs)
    except MediaError:
        raise
    except Exception as exc:  # never let library text reach a teacher
        if _is_environment_error(exc):
            raise
        log.warning("unexpected media failure", exc_info=True)
        raise _damaged("we could not read it") from exc


def sniff(path: StrPath) -> MediaType:
    """Return "image", "video" or "audio" from the bytes: magic numbers, structure, one decode.

    File names and extensions are ignored. Size and duration limits are not applied
    here (use :func:`probe`), but the decompression-bomb guard is.
    """
    return _guard(_inspect, path, Limits(), enforce_limits=False).media_type


def probe(path: StrPath, *, limits: Limits = Limits()) -> Probe:
    """Validate cheaply (bytes, structure, dimensions, duration, first frame) without rendering.

    Meant for upload time, so bad files are refused early. Raises :class:`MediaError`.
    """
    return _guard(_inspect, path, limits, enforce_limits=True)


# --------------------------------------------------------------------------- public: render


def _new_path(out_dir: Path, suffix: str, written: list[Path]) -> Path:
    path = out_dir / f"{secrets.token_urlsafe(16)}{suffix}"
    written.append(path)  # recorded before writing, so a half-written file is cleaned up too
    return path


def _render_image(p: Path, kind: _Kind, limits: Limits, out_dir: Path, written: list[Path]) -> Rendition:
    with _mapped(p) as (f, mm):
        sha = hashlib.sha256(mm).hexdigest()
        layout = _image_layout(mm, kind.fmt)
        _check_pixels(layout.width, layout.height, limits)
        with _open_pillow(f, kind, layout, limits) as im:
            # Decode ONCE; every output below is derived from this one image.
            img = _decode_still(im, IMAGE_MAX_SIDE)
    rendition = _new_path(out_dir, ".webp", written)
    _save_webp(img, rendition)
    ela_path = _new_path(out_dir, ".jpg", written)
    _ela(img).save(ela_path, "JPEG", quality=ELA_OUTPUT_QUALITY)
    poster_img = img if max(img.size) <= POSTER_MAX_SIDE else img.resize(
        _fit(img.width, img.height, POSTER_MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0
    )
    poster = _new_path(out_dir, ".jpg", written)
    _save_jpeg(poster_img, poster)
    thumbnail = _new_path(out_dir, ".webp", written)
    _save_webp(_thumb(poster_img), thumbnail)
    return Rendition(
        media_type="image",
        rendition=rendition,
        poster=poster,
        thumbnail=thumbnail,
        ela=ela_path,
        mime="image/webp",
        width=img.width,
        height=img.height,
        duration_seconds=None,
        sha256=sha,
        phash=str(imagehash.phash(poster_img)),
        files=list(written),
    )


def _thumb(img: Image.Image) -> Image.Image:
    target = _fit(img.width, img.height, THUMB_MAX_SIDE)
    return img if target == img.size else img.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _render_av(p: Path, kind: _Kind, limits: Limits, out_dir: Path, written: list[Path]) -> Rendition:
    with _mapped(p) as (_f, mm):
        _check_av_structure(mm, kind)
    sha = _sha256_file(p)
    info = _av_info(p, kind, limits, enforce_limits=True)
    is_video = info.media_type == "video"
    rendition = _new_path(out_dir, ".mp4" if is_video else ".m4a", written)
    result = _transcode(p, kind, info, rendition, limits, fmt="mp4" if is_video else "ipod")
    poster = _new_path(out_dir, ".jpg", written)
    poster_img = result.poster
    _save_jpeg(poster_img, poster)
    thumbnail = _new_path(out_dir, ".webp", written)
    _save_webp(_thumb(poster_img), thumbnail)
    return Rendition(
        media_type=info.media_type,
        rendition=rendition,
        poster=poster,
        thumbnail=thumbnail,
        ela=None,
        mime="video/mp4" if is_video else "audio/mp4",
        width=result.width,
        height=result.height,
        duration_seconds=result.duration,
        sha256=sha,
        phash=str(imagehash.phash(poster_img)),
        files=list(written),
    )


def render(src_path: StrPath, out_dir: StrPath, *, limits: Limits = Limits()) -> Rendition:
    """Validate the file and write the web rendition, poster, thumbnail and (for images) ELA map.

    Every output gets a random name in ``out_dir``. On any failure, whatever was
    written is removed and :class:`MediaError` is raised. The one exception is a fault
    of the machine rather than the file (disk full, permission denied, I/O error): it
    is cleaned up the same way but raised as ``OSError``, so the caller can retry.
    Animated GIF/WebP/APNG files are rendered as a still of their first frame.
    """
    p = Path(src_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        size = _stat_size(p)
        kind = _identify(p)
        _check_bytes(size, kind, limits)
        if kind.family == "image":
            return _render_image(p, kind, limits, out, written)
        return _render_av(p, kind, limits, out, written)
    except BaseException as exc:
        for path in written:
            with suppress(FileNotFoundError):
                path.unlink()
        if isinstance(exc, MediaError) or not isinstance(exc, Exception) or _is_environment_error(exc):
            raise
        log.warning("unexpected failure rendering media", exc_info=True)
        raise _damaged("we could not convert it") from exc


# --------------------------------------------------------------------------- disclosure


_DST_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}$")
_LABEL = re.compile(r"^[\w .,:;!?()'/+&-]{1,40}$")


def _source_type(value: str) -> tuple[str, str]:
    code = value[len(IPTC_DST_BASE) :] if value.startswith(IPTC_DST_BASE) else value
    if not _DST_CODE.match(code):
        raise ValueError(f"not an IPTC digital source type code: {value!r}")
    return code, DIGITAL_SOURCE_TYPES.get(code, code)


def _xmp_packet(code: str, text: str) -> bytes:
    uri = IPTC_DST_BASE + code
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f"    Iptc4xmpExt:DigitalSourceType={quoteattr(uri)}>\n"
        "   <dc:description><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{escape(text)}</rdf:li>'
        "</rdf:Alt></dc:description>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )
    return packet.encode("utf-8")


BAND_COLOR = (200, 16, 32)
BAND_TEXT = (255, 255, 255)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except Exception:  # Pillow without FreeType: fixed bitmap font
        return ImageFont.load_default()


def _band_image(width: int, band_h: int, label: str, short: str) -> Image.Image:
    """A solid band with centred text, shrunk (then shortened) until it fits the width."""
    band = Image.new("RGB", (width, band_h), BAND_COLOR)
    draw = ImageDraw.Draw(band)
    usable = max(1, int(width * 0.94))
    for text in (f"{label} · {short}", label):
        size = max(6, int(band_h * 0.62))
        font = _font(size)
        length = draw.textlength(text, font=font)
        if length > usable:
            size = max(6, int(size * usable / length))
            font = _font(size)
            length = draw.textlength(text, font=font)
        if length <= usable or text == label:
            break
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = (width - (right - left)) / 2 - left
    y = (band_h - (bottom - top)) / 2 - top
    draw.text((x, y), text, font=font, fill=BAND_TEXT)
    return band


def _band_height(height: int) -> int:
    # 12 % of the height, at least 24 px (or the whole picture if it is smaller).
    return min(height, max(24, round(height * 0.12)))


def _burn_band_yuv(yuv: np.ndarray, size: tuple[int, int], band: tuple[np.ndarray, np.ndarray]) -> None:
    width, height = size
    band_y, band_uv = band
    bh = band_y.shape[0]
    yuv[height - bh : height] = band_y
    uv = yuv[height:].reshape(2, height // 2, width // 2)
    uv[:, (height - bh) // 2 :] = band_uv


def _band_yuv(size: tuple[int, int], label: str, short: str) -> tuple[np.ndarray, np.ndarray]:
    width, height = size
    bh = min(height, _band_height(height) // 2 * 2)
    rgb = _band_image(width, bh, label, short)
    frame = av.VideoFrame.from_image(rgb).reformat(
        format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG"
    )
    arr = frame.to_ndarray()
    return arr[:bh].copy(), arr[bh:].reshape(2, bh // 2, width // 2).copy()


def _append_xmp_box(path: Path, xmp: bytes) -> None:
    # A top-level 'uuid' box after mdat: no chunk offsets move, and moov stays first.
    with open(path, "ab") as f:
        f.write(struct.pack(">I4s", 8 + 16 + len(xmp), b"uuid") + XMP_UUID + xmp)


def disclosure_copy(
    rendition_path: StrPath,
    out_path: StrPath,
    *,
    digital_source_type: str,
    label: str = "SYNTHETIC",
) -> Path:
    """Write a download copy that discloses what the clip is.

    ``digital_source_type`` is an IPTC code such as ``"trainedAlgorithmicMedia"`` or its
    full ``http://cv.iptc.org/newscodes/digitalsourcetype/...`` URI.

    * Images: a solid band across the bottom (12 % of the height, at least 24 px) with
      "SYNTHETIC · AI-generated" (or just the label if the image is too narrow), plus
      XMP with ``Iptc4xmpExt:DigitalSourceType``. Written as JPEG (WebP if out_path
      ends in ``.webp``).
    * Video: the same band burnt into every frame (re-encoded with the rendition
      settings; sound copied). The XMP goes in a top-level MP4 ``uuid`` box
      (BE7ACFCB-97A9-42E8-9C71-999491E3AFAC, XMP spec part 3) plus a ``comment`` tag.
    * Audio: nothing visible is possible, so the M4A carries the XMP ``uuid`` box and a
      container ``comment`` tag; the sound is copied untouched. Players show the
      comment; the app should show the label next to the download link.
    """
    code, short = _source_type(digital_source_type)
    label = label.strip().upper()
    if not _LABEL.match(label):
        raise ValueError("label must be 1-40 plain characters")
    description = f"{label}: {short} ({IPTC_DST_BASE}{code}). Disclosure copy from Second Look."
    xmp = _xmp_packet(code, description)
    src = Path(rendition_path)
    dst = Path(out_path)
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        kind = _identify(src)
        if kind.family == "image":
            with Image.open(src, formats=[kind.fmt]) as im:
                img = _decode_still(im, 1 << 30)
            bh = _band_height(img.height)
            img.paste(_band_image(img.width, bh, label, short), (0, img.height - bh))
            if dst.suffix.lower() == ".webp":
                img.save(dst, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, xmp=xmp)
            else:
                img.save(dst, "JPEG", quality=90, xmp=xmp)
            return dst
        # The input is one of our renditions: it already passed the limits.
        no_limits = Limits(av_max_seconds=10**9)
        info = _av_info(src, kind, no_limits, enforce_limits=False)
        meta = {"comment": description}
        if info.media_type == "video" and info.width and info.height:
            size = _video_target(info.width, info.height)
            band = _band_yuv(size, label, short)
            _transcode(src, kind, info, dst, no_limits, fmt="mp4", band=band, copy_audio=True, metadata=meta)
        else:
            _transcode(src, kind, info, dst, no_limits, fmt="ipod", copy_audio=True, metadata=meta)
        _append_xmp_box(dst, xmp)
        return dst
    except BaseException as exc:
        with suppress(FileNotFoundError):
            dst.unlink()
        if isinstance(exc, MediaError) or not isinstance(exc, Exception) or _is_environment_error(exc):
            raise
        log.warning("unexpected failure writing disclosure copy", exc_info=True)
        raise _damaged("we could not convert it") from exc


# --------------------------------------------------------------------------- inspection


def _mp4_xmp(b: mmap.mmap | bytes) -> list[bytes]:
    found: list[bytes] = []

    def walk(start: int, end: int, depth: int) -> None:
        for btype, data, box_end in _walk_boxes(b, start, end):
            if btype == b"uuid" and b[data : data + 16] == XMP_UUID:
                found.append(bytes(b[data + 16 : box_end]))
            elif btype == b"XMP_":
                found.append(bytes(b[data:box_end]))
            elif btype in (b"moov", b"udta", b"trak") and depth < 3:
                walk(data, box_end, depth + 1)

    try:
        walk(0, len(b), 0)
    except (_Broken, struct.error, IndexError):
        pass
    return found


def read_xmp(path: StrPath) -> str | None:
    """Return the XMP packet embedded in a JPEG/PNG/WebP/GIF image or MP4/M4A file, if any."""
    p = Path(path)
    try:
        kind = _identify(p)
    except MediaError:
        return None
    if kind.family == "image":
        with Image.open(p, formats=[kind.fmt]) as im:
            im.load()
            raw = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
        if raw is None:
            return None
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if kind.fmt != "mov":
        return None
    with _mapped(p) as (_f, mm):
        packets = _mp4_xmp(mm)
    return packets[0].decode("utf-8", "replace") if packets else None


_JPEG_APP_NAMES = {
    "APP1": (
        (b"Exif\x00", "EXIF"),
        (b"http://ns.adobe.com/xap/1.0/", "XMP"),
        (b"http://ns.adobe.com/xmp/extension/", "XMP"),
    ),
    "APP2": ((b"ICC_PROFILE\x00", "ICC profile"), (b"MPF\x00", "MPF (multi-picture) segment")),
    "APP13": ((b"Photoshop 3.0\x00", "Photoshop/IPTC block"),),
}
_PNG_PLAIN_CHUNKS = {"IHDR", "PLTE", "IDAT", "tRNS", "bKGD", "sBIT", "hIST", "sPLT", "acTL", "fcTL", "fdAT"}
_WEBP_PLAIN_CHUNKS = {"VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF"}


def _image_metadata(b: mmap.mmap | bytes, kind: _Kind, layout: _Layout) -> list[str]:
    found: list[str] = []
    for name, off, length in layout.blocks:
        if kind.fmt == "JPEG":
            payload = bytes(b[off : off + 40])
            if name == "APP0":
                if payload.startswith(b"JFIF\x00") and length >= 12 and payload[7] != 0:
                    found.append("JFIF resolution (dpi)")
                elif not payload.startswith((b"JFIF\x00", b"JFXX\x00")):
                    found.append("JPEG APP0 segment")
            elif name == "APP14" and payload.startswith(b"Adobe"):
                continue  # colour-transform flag, needed to decode
            elif name == "COM":
                found.append("JPEG comment")
            elif name == "APP11":
                found.append("JUMBF/C2PA block (APP11)")
            else:
                signatures = _JPEG_APP_NAMES.get(name, ())
                label = next((lab for sig, lab in signatures if payload.startswith(sig)), None)
                found.append(label or f"JPEG {name} segment")
        elif kind.fmt == "PNG":
            if name in _PNG_PLAIN_CHUNKS:
                continue
            if name in ("tEXt", "zTXt", "iTXt"):
                keyword = bytes(b[off : off + min(length, 80)]).split(b"\x00", 1)[0].decode("latin-1")
                found.append("XMP" if keyword == "XML:com.adobe.xmp" else f"PNG text chunk '{keyword}'")
            elif name == "eXIf":
                found.append("EXIF")
            elif name == "iCCP":
                found.append("ICC profile")
            elif name == "caBX":
                found.append("JUMBF/C2PA block (caBX)")
            else:
                found.append(f"PNG chunk '{name}'")
        elif kind.fmt == "WEBP":
            if name in _WEBP_PLAIN_CHUNKS:
                continue
            known = {"EXIF": "EXIF", "XMP ": "XMP", "ICCP": "ICC profile"}
            found.append(known.get(name, f"WebP chunk '{name.strip()}'"))
        elif kind.fmt == "GIF":
            if name == "COMMENT":
                found.append("GIF comment")
            elif name == "PLAINTEXT":
                found.append("GIF plain-text block")
            elif name.startswith("APP:") and name[4:] not in ("NETSCAPE2.0", "ANIMEXTS1.0"):  # looping
                app = name[4:]
                found.append("XMP" if app == "XMP DataXMP" else f"GIF application block '{app.strip()}'")
    return found


def _av_metadata(p: Path, kind: _Kind) -> list[str]:
    found: list[str] = []
    with _open_av(p, kind) as inp:
        for key in inp.metadata:
            if key not in _STRUCTURAL_CONTAINER_TAGS:
                found.append(f"container tag '{key}'")
        for s in inp.streams:
            for key, value in s.metadata.items():
                if (key, value) not in _FIXED_STREAM_TAGS:
                    found.append(f"{s.type} stream tag '{key}'")
            if s.disposition & av.stream.Disposition.attached_pic:
                found.append("attached picture (cover art)")
        with suppress(Exception):
            if inp.chapters():
                found.append("chapters")
    if kind.fmt == "mov":
        with _mapped(p) as (_f, mm):
            if _mp4_xmp(mm):
                found.append("XMP")
    return found


def has_metadata(path: StrPath) -> list[str]:
    """List the metadata a file carries: EXIF, XMP, ICC, text chunks, comments, tags...

    The muxer's fixed values (brands, "VideoHandler"/"SoundHandler", language "und")
    and structural fields needed for decoding (JFIF header without a resolution,
    Adobe APP14, GIF looping) are not metadata. A clean rendition returns ``[]``.
    """
    p = Path(path)
    _stat_size(p)
    kind = _identify(p)
    found: list[str] = []
    if kind.family == "image":
        with _mapped(p) as (f, mm):
            try:
                layout = _WALKERS[kind.fmt](mm)
            except (_Broken, struct.error, IndexError) as exc:
                raise _damaged("the image structure is broken") from exc
            found += _image_metadata(mm, kind, layout)
            f.seek(0)
            with Image.open(f, formats=[kind.fmt]) as im:
                with suppress(*_PIL_ERRORS):
                    im.load()
                info = dict(im.info)
        names = {
            "exif": "EXIF", "xmp": "XMP", "icc_profile": "ICC profile", "photoshop": "Photoshop/IPTC block",
        }
        for key, label in names.items():
            if info.get(key):
                found.append(label)
        if "comment" in info and info["comment"]:
            found.append(f"{kind.fmt} comment" if kind.fmt != "JPEG" else "JPEG comment")
        if "dpi" in info and kind.fmt not in ("JPEG",):
            found.append("resolution (dpi)")
    else:
        found += _av_metadata(p, kind)
    return list(dict.fromkeys(found))
