"""Build a corpus of bad media files in a folder (generated at test time, never committed).

``build_corpus(folder)`` writes each file and returns a list of :class:`Case`. Every case
must be refused by ``clips.media`` with a ``MediaError``. ``expect`` (if set) is a piece of
the teacher-facing message the case must produce, so that a file is refused for the
right reason and not just by luck.
"""

from __future__ import annotations

import io
import os
import random
import struct
import wave
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image

from clips.media import Limits


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    expect: str | None = None  # substring of MediaError.message; "a|b" means either
    limits: Limits | None = None
    # True when only size/duration limits reject the file (sniff() does not apply them).
    limit_only: bool = False


def _noise_image(width: int, height: int, seed: int = 1) -> Image.Image:
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(arr, "RGB")


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _png_chunk(ctype: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(ctype + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


def _png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG (valid CRCs) whose header declares width x height."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    chunks = _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def _jpeg_declaring(width: int, height: int) -> bytes:
    """Take a real small JPEG and rewrite the SOF0 dimensions (structure stays complete)."""
    data = bytearray(_encode(_noise_image(16, 16), "JPEG", quality=90))
    pos = 2
    while pos < len(data):
        marker = data[pos + 1]
        length = struct.unpack_from(">H", data, pos + 2)[0]
        if marker == 0xC0:
            struct.pack_into(">HH", data, pos + 5, height, width)
            return bytes(data)
        pos += 2 + length
    raise AssertionError("no SOF0 in the generated JPEG")


def _mp4(path: Path, *, seconds: float, width: int, height: int, fps: int, faststart: bool) -> bytes:
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", container_options=options) as out:
        vs = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        rng = np.random.default_rng(7)
        for i in range(int(seconds * fps)):
            arr = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(arr, format="rgb24")
            frame.pts = i
            out.mux(vs.encode(frame))
        out.mux(vs.encode())
    return path.read_bytes()


def _wav(path: Path, *, seconds: float, rate: int, channels: int = 1) -> bytes:
    samples = int(seconds * rate)
    t = np.arange(samples) / rate
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")
    if channels == 2:
        tone = np.repeat(tone, 2)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.tobytes())
    return path.read_bytes()


def _box(btype: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + btype + payload


def _mp4_without_streams() -> bytes:
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">I", 0)  # version + flags
        + struct.pack(">IIII", 0, 0, 1000, 0)  # times, timescale, duration
        + struct.pack(">IH", 0x10000, 0x100)  # rate, volume
        + b"\x00" * 10
        + matrix
        + b"\x00" * 24
        + struct.pack(">I", 1),
    )
    return ftyp + _box(b"moov", mvhd) + _box(b"free", b"")


def build_corpus(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(1234)
    cases: list[Case] = []

    def junk(n: int) -> bytes:
        return bytes(rnd.getrandbits(8) for _ in range(n))

    def add(name: str, data: bytes, **kw: object) -> None:
        path = folder / name
        path.write_bytes(data)
        cases.append(Case(name=name, path=path, **kw))  # type: ignore[arg-type]

    jpeg = _encode(_noise_image(200, 150), "JPEG", quality=90)
    png = _encode(_noise_image(200, 150), "PNG")
    gif = _encode(_noise_image(120, 90).convert("P"), "GIF")
    webp = _encode(_noise_image(200, 150), "WEBP", quality=80)
    work = folder / "_work"
    work.mkdir(exist_ok=True)
    good_mp4_fast = _mp4(work / "fast.mp4", seconds=1, width=64, height=48, fps=10, faststart=True)
    good_mp4_slow = _mp4(work / "slow.mp4", seconds=1, width=64, height=48, fps=10, faststart=False)
    good_wav = _wav(work / "good.wav", seconds=1, rate=8000)

    # Nothing or garbage.
    add("empty.jpg", b"", expect="empty")
    add("one-byte.png", b"\xff", expect="not an image, video or audio file")
    add("zeros.mp4", b"\x00" * 4096, expect="not an image, video or audio file")
    add("text.jpg", b"Hello, this is just a text file pretending to be a JPEG.\n", expect="not an image")
    add("page.png", b"<!doctype html><html><script>alert(1)</script></html>", expect="not an image")
    add("doc.pdf.jpg", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", expect="not an image")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("payload.txt", "zip contents")
    add("archive.png", zbuf.getvalue(), expect="not an image")
    add("program.jpg", b"\x7fELF\x02\x01\x01\x00" + junk(120), expect="not an image")
    add("setup.mp4", b"MZ\x90\x00\x03\x00\x00\x00" + junk(120), expect="not an image")
    add(
        "drawing.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        expect="not an image",
    )
    add("heic-photo.jpg", _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + b"\x00" * 64, expect="HEIC")

    # Truncated or damaged images.
    add("truncated.jpg", jpeg[: len(jpeg) * 3 // 5], expect="truncated or damaged")
    add("truncated.png", png[: len(png) // 2], expect="truncated or damaged")
    add("truncated.webp", webp[: len(webp) // 2], expect="truncated or damaged")
    add("truncated.gif", gif[: len(gif) // 2], expect="truncated or damaged")
    add("random-with-jpeg-magic.jpg", b"\xff\xd8\xff" + junk(4000), expect="damaged")
    add("jpeg-without-frame.jpg", b"\xff\xd8\xff\xd9", expect="damaged")
    bad_crc = bytearray(png)
    bad_crc[29] ^= 0xFF  # IHDR CRC
    add("png-bad-crc.png", bytes(bad_crc), expect="damaged")
    # Valid chunk CRCs but a corrupt zlib stream inside IDAT.
    ihdr = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    add(
        "png-bad-zlib.png",
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", b"\x78\x9c" + b"\xde\xad" * 50)
        + _png_chunk(b"IEND", b""),
        expect="damaged",
    )
    bad_webp = bytearray(webp)
    bad_webp[20:40] = b"\x00" * 20  # wipe the VP8 frame header
    add("webp-bad-frame.webp", bytes(bad_webp), expect="damaged")
    add(
        "bmp-negative-width.bmp",
        b"BM" + struct.pack("<IHHI", 70, 0, 0, 54)
        + struct.pack("<IiiHHIIiiII", 40, -50, 10, 1, 24, 0, 0, 0, 0, 0, 0)
        + b"\x00" * 16,
        expect="damaged",
    )
    add(
        "bmp-absurd.bmp",
        b"BM" + struct.pack("<IHHI", 70, 0, 0, 54)
        + struct.pack("<IiiHHIIiiII", 40, 2_000_000_000, 2_000_000_000, 1, 24, 0, 0, 0, 0, 0, 0)
        + b"\x00" * 16,
        expect="truncated or damaged",
    )

    # Decompression bombs and absurd dimensions (headers checked before decoding).
    add("bomb-100000.png", _png_declaring(100_000, 100_000), expect="100,000 × 100,000 pixels")
    add("bomb-65000.jpg", _jpeg_declaring(65_000, 65_000), expect="65,000 × 65,000 pixels")
    add("absurd-1x30000.png", _png_declaring(1, 30_000), expect="no side may be longer")
    gif_big = bytearray(gif)
    struct.pack_into("<HH", gif_big, 6, 60_000, 60_000)
    add("bomb-gif.gif", bytes(gif_big), expect="megapixels")

    # Polyglots: data hidden after the end of the image.
    add("jpeg-plus-zip.jpg", jpeg + zbuf.getvalue(), expect="extra data hidden")
    add("png-plus-html.png", png + b"<script>fetch('//evil.example')</script>", expect="extra data hidden")
    add("gif-plus-script.gif", gif + b"<script>alert(document.cookie)</script>", expect="extra data hidden")
    add("webp-plus-php.webp", webp + b"<?php system($_GET['c']); ?>", expect="extra data hidden")

    # Broken audio/video containers.
    add("truncated.mp4", good_mp4_slow[: len(good_mp4_slow) // 2], expect="truncated or damaged")
    add("truncated-faststart.mp4", good_mp4_fast[: len(good_mp4_fast) * 2 // 3], expect="truncated")
    moov_at = good_mp4_fast.index(b"moov") - 4
    moov_size = struct.unpack_from(">I", good_mp4_fast, moov_at)[0]
    corrupt = bytearray(good_mp4_fast)
    corrupt[moov_at + 8 : moov_at + moov_size] = junk(moov_size - 8)
    add("corrupt-moov.mp4", bytes(corrupt), expect="truncated or damaged|no video or audio")
    add("no-streams.mp4", _mp4_without_streams(), expect="no video or audio")
    add("random-with-ftyp.mp4", b"\x00\x00\x00\x18ftypisom" + junk(4000), expect="damaged")
    add("truncated.wav", good_wav[: len(good_wav) // 2], expect="truncated or damaged")
    add("wav-bad-format.wav", good_wav[:20] + b"\xff" * 16 + good_wav[36:], expect="damaged")
    add("mkv-garbage.webm", b"\x1aE\xdf\xa3" + junk(2000), expect="damaged")
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x10" + b"\x00" * 16
    add("mp3-garbage.mp3", id3 + b"\xff\xfb\x90\x00" + b"\x00" * 50, expect="damaged")

    # Over the limits.
    long_video = work / "long.mp4"
    _mp4(long_video, seconds=125, width=16, height=16, fps=1, faststart=True)
    too_long = "2 min 5 s long; the limit is 120 s"
    add("video-125s.mp4", long_video.read_bytes(), expect=too_long, limit_only=True)
    add("audio-125s.wav", _wav(work / "long.wav", seconds=125, rate=8000), expect=too_long, limit_only=True)
    add(
        "image-over-byte-limit.png",
        png,
        expect="the limit is",
        limits=Limits(image_max_bytes=10_000),
        limit_only=True,
    )
    add(
        "image-over-pixel-limit.jpg",
        jpeg,
        expect="megapixels",
        limits=Limits(image_max_pixels=20_000),
        limit_only=True,
    )

    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return cases


if __name__ == "__main__":  # pragma: no cover - handy for looking at the files by hand
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "malformed-corpus")
    for case in build_corpus(target):
        print(f"{case.name:32} {os.path.getsize(case.path):>9,} bytes  expect: {case.expect}")
