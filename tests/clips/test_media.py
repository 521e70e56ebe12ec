"""Tests for clips.media: one rendition policy, clean outputs, safe refusals.

Every sample is generated here (Pillow / PyAV / wave); no binaries are committed.
These tests need no database and no Django settings.
"""

from __future__ import annotations

import errno
import io
import re
import struct
import time
import wave
from pathlib import Path

import av
import imagehash
import numpy as np
import pytest
from PIL import Image, ImageCms, ImageDraw, ImageFilter
from PIL.PngImagePlugin import PngInfo

from clips import media
from clips.media import Limits, MediaError

from .malformed import build_corpus

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


# --------------------------------------------------------------------------- samples


def _scene(width: int, height: int, seed: int = 0) -> Image.Image:
    """A smooth, photo-like picture (gradients + blobs + a little noise)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 128 + 100 * np.sin(x / (width / (3 + seed % 3)) + seed)
    g = 128 + 100 * np.cos(y / (height / 2.5) + seed * 0.7)
    b = 128 + 100 * np.sin((x + y) / (width / 4) + seed * 1.3)
    arr = np.stack([r, g, b], axis=-1) + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def _shapes(width: int, height: int, seed: int) -> Image.Image:
    """Flat shapes: structure phash can latch onto (smooth gradients sit near its median)."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (width, height), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1 = x0 + int(rng.integers(width // 8, width // 2))
        y1 = y0 + int(rng.integers(height // 8, height // 2))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([x0, y0, x1, y1], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return img


def _jpeg_with_everything(
    path: Path, size: tuple[int, int] = (1200, 900), orientation: int | None = None
) -> Path:
    img = _scene(*size, seed=1)
    exif = Image.Exif()
    exif[0x013B] = "Alice Photographer"  # Artist
    exif[0x0131] = "CameraFirmware 1.0"  # Software
    exif[0x010F] = "Canon"  # Make
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 22.0, 1.5)
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 2.25)
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="RealCamera"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    img.save(path, "JPEG", quality=92, exif=exif, xmp=xmp, icc_profile=icc, comment=b"shot on a real camera")
    return path


def _png_with_text(path: Path, size: tuple[int, int] = (2400, 1600)) -> Path:
    img = _scene(*size, seed=2).convert("RGBA")
    alpha = np.full((size[1], size[0]), 255, np.uint8)
    alpha[:, : size[0] // 10] = 0  # a fully transparent stripe on the left
    img.putalpha(Image.fromarray(alpha, "L"))
    info = PngInfo()
    info.add_text("Software", "Midjourney v6")
    info.add_text("parameters", "a photo of a politician, 8k, trending")
    info.add_itxt("Description", "made with a diffusion model", lang="en")
    img.save(path, "PNG", pnginfo=info, dpi=(300, 300), compress_level=1)
    return path


def _video(
    path: Path,
    *,
    seconds: float = 3.0,
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    audio: bool = True,
    fmt: str = "mp4",
    codec: str = "libx264",
    tags: dict[str, str] | None = None,
    stream_tags: dict[str, str] | None = None,
) -> Path:
    width, height = size
    with av.open(str(path), "w", format=fmt) as out:
        for key, value in (tags or {}).items():
            out.metadata[key] = value
        vs = out.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            vs.options = {"preset": "ultrafast"}
        for key, value in (stream_tags or {}).items():
            vs.metadata[key] = value
        st = None
        if audio:
            st = out.add_stream("aac", rate=44100)
            st.layout = "stereo"
        base = np.asarray(_scene(width, height, seed=3))
        for i in range(int(seconds * fps)):
            arr = np.roll(base, i * 8, axis=1)
            frame = av.VideoFrame.from_ndarray(arr, format="rgb24")
            frame.pts = i
            out.mux(vs.encode(frame))
        out.mux(vs.encode())
        if st is not None:
            n = 0
            while n < 44100 * seconds:
                t = np.arange(n, n + 1024) / 44100
                tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
                af = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
                af.sample_rate = 44100
                af.pts = n
                out.mux(st.encode(af))
                n += 1024
            out.mux(st.encode())
    return path


def _wav(path: Path, *, seconds: float = 2.0, rate: int = 44100, channels: int = 2) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = (np.sin(2 * np.pi * 330 * t) * np.linspace(0.1, 0.8, t.size) * 20000).astype("<i2")
    data = np.repeat(tone, channels) if channels > 1 else tone
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return path


def _top_level_boxes(path: Path) -> list[tuple[bytes, int, bytes]]:
    """(type, offset, first 16 payload bytes) for each top-level ISO-BMFF box."""
    data = path.read_bytes()
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size, btype = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = len(data) - pos
        assert size >= header, "broken box"
        boxes.append((btype, pos, data[pos + header : pos + header + 16]))
        pos += size
    assert pos == len(data), "boxes do not cover the file"
    return boxes


def _webp_chunks(path: Path) -> list[str]:
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        fourcc, size = struct.unpack_from("<4sI", data, pos)
        chunks.append(fourcc.decode())
        pos += 8 + size + (size & 1)
    return chunks


def _assert_clean_image(path: Path) -> None:
    assert media.has_metadata(path) == []
    with Image.open(path) as im:
        im.load()
        for key in ("exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "comment", "dpi", "photoshop"):
            assert key not in im.info, (path, key)
        assert len(im.getexif()) == 0
        assert not getattr(im, "text", {})


def _assert_clean_av(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    assert media.has_metadata(path) == []
    with av.open(str(path)) as c:
        container = dict(c.metadata)
        streams = [dict(s.metadata) for s in c.streams]
    assert set(container) <= {"major_brand", "minor_version", "compatible_brands"}, container
    for tags in streams:
        assert set(tags) <= {"language", "handler_name", "vendor_id"}, tags
        assert tags.get("handler_name", "VideoHandler") in ("VideoHandler", "SoundHandler")
    return container, streams


# --------------------------------------------------------------------------- images


def test_jpeg_with_exif_gps_xmp_icc_comes_out_clean(tmp_path):
    src = _jpeg_with_everything(tmp_path / "holiday-photo.jpg")
    # The source really carries the metadata, so the clean check below can fail.
    found = media.has_metadata(src)
    for item in ("EXIF", "XMP", "ICC profile", "JPEG comment"):
        assert item in found
    with Image.open(src) as im:
        assert im.getexif().get_ifd(0x8825)  # GPS present

    r = media.render(src, tmp_path / "out")
    assert r.media_type == "image" and r.mime == "image/webp"
    for path in (r.rendition, r.thumbnail, r.ela, r.poster):
        _assert_clean_image(path)
    raw = r.rendition.read_bytes()
    for needle in (b"Alice", b"Canon", b"Exif", b"RealCamera", b"ICC", b"real camera"):
        assert needle not in raw


def test_png_text_chunks_alpha_and_downscale(tmp_path):
    src = _png_with_text(tmp_path / "generated.png")
    found = media.has_metadata(src)
    assert "PNG text chunk 'Software'" in found and "PNG text chunk 'parameters'" in found
    r = media.render(src, tmp_path / "out")
    _assert_clean_image(r.rendition)
    assert b"Midjourney" not in r.rendition.read_bytes()
    with Image.open(r.rendition) as im:
        assert im.mode == "RGB"
        assert im.size == (1600, 1067) == (r.width, r.height)
        # The transparent stripe was flattened onto white.
        assert all(c > 235 for c in im.getpixel((20, 500)))


def test_real_and_synthetic_inputs_get_identical_treatment(tmp_path):
    real = _jpeg_with_everything(tmp_path / "real.jpg", size=(1200, 900))
    fake = _png_with_text(tmp_path / "fake.png", size=(2400, 1600))
    r1 = media.render(real, tmp_path / "o1")
    r2 = media.render(fake, tmp_path / "o2")
    for r in (r1, r2):
        assert max(r.width, r.height) <= 1600
        with Image.open(r.rendition) as im:
            assert (im.format, im.mode) == ("WEBP", "RGB")
            assert set(im.info) <= {"loop", "background"}  # Pillow's animation defaults only
        with Image.open(r.poster) as p:
            assert p.format == "JPEG" and set(p.info) == {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
            assert p.info["jfif_unit"] == 0 and p.info["jfif_density"] == (1, 1)
        with Image.open(r.thumbnail) as t:
            assert t.format == "WEBP" and max(t.size) <= 320
    # Same container layout (simple lossy WebP: one VP8 chunk, no VP8X/EXIF/XMP/ICCP).
    assert _webp_chunks(r1.rendition) == _webp_chunks(r2.rendition) == ["VP8 "]
    assert _webp_chunks(r1.thumbnail) == _webp_chunks(r2.thumbnail) == ["VP8 "]
    assert (r1.mime, r1.media_type, r1.rendition.suffix, r1.poster.suffix) == (
        r2.mime, r2.media_type, r2.rendition.suffix, r2.poster.suffix,
    )
    assert media.has_metadata(r1.rendition) == media.has_metadata(r2.rendition) == []


def test_small_image_is_not_upscaled_and_exif_orientation_is_applied(tmp_path):
    src = _jpeg_with_everything(tmp_path / "portrait.jpg", size=(600, 400), orientation=6)
    assert media.probe(src).width == 400  # display orientation
    r = media.render(src, tmp_path / "out")
    assert (r.width, r.height) == (400, 600)
    with Image.open(r.rendition) as im:
        assert im.size == (400, 600)
        assert 0x0112 not in im.getexif()


def test_output_names_are_random_and_unrelated_to_the_source(tmp_path):
    src = _jpeg_with_everything(tmp_path / "deepfake-of-the-mayor.jpg", size=(320, 240))
    r1 = media.render(src, tmp_path / "a")
    r2 = media.render(src, tmp_path / "b")
    names1 = [p.name for p in r1.files]
    names2 = [p.name for p in r2.files]
    assert len(set(names1)) == len(names1) == 4
    assert not set(names1) & set(names2)
    for name in names1 + names2:
        stem = name.rsplit(".", 1)[0]
        assert "deepfake" not in name and "mayor" not in name
        assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", stem)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(names1)
    assert r1.sha256 == r2.sha256 and len(r1.sha256) == 64
    import hashlib

    assert r1.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()


def test_ela_is_produced_for_images(tmp_path):
    img = _scene(800, 600, seed=4)
    # Paste a region that was compressed differently: ELA should light it up.
    patch = _scene(200, 200, seed=9)
    buf = io.BytesIO()
    patch.save(buf, "JPEG", quality=30)
    img.paste(Image.open(buf), (300, 200))
    src = tmp_path / "spliced.png"
    img.save(src)
    r = media.render(src, tmp_path / "out")
    assert r.ela is not None and r.ela.exists() and r.ela in r.files
    with Image.open(r.ela) as ela:
        assert ela.size == (r.width, r.height) and ela.format == "JPEG"
        arr = np.asarray(ela.convert("L"), dtype=np.float32)
    assert arr.max() > 0  # not a blank image
    inside, outside = arr[220:380, 320:480].mean(), arr[:, :250].mean()
    assert inside != pytest.approx(outside, abs=1.0)


def test_phash_near_duplicates_close_and_different_images_far(tmp_path):
    a = _shapes(900, 600, seed=5)
    a.save(tmp_path / "a.png")
    # Near duplicate: resized, slightly blurred, brighter, re-encoded as JPEG.
    b = a.resize((700, 467)).filter(ImageFilter.GaussianBlur(0.8)).point(lambda v: min(255, v + 6))
    b.save(tmp_path / "b.jpg", quality=70)
    c = _shapes(900, 600, seed=11)
    c.save(tmp_path / "c.png")
    ra, rb, rc = (media.render(tmp_path / n, tmp_path / f"o{n}") for n in ("a.png", "b.jpg", "c.png"))
    ha, hb, hc = (imagehash.hex_to_hash(r.phash) for r in (ra, rb, rc))
    assert len(ra.phash) == 16
    assert ha - hb <= 6
    assert ha - hc > 12
    with Image.open(ra.poster) as poster:
        assert str(imagehash.phash(poster)) == ra.phash or imagehash.phash(poster) - ha <= 2


def test_animated_gif_becomes_a_still_of_the_first_frame(tmp_path):
    frames = [Image.new("RGB", (120, 80), color) for color in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    src = tmp_path / "anim.gif"
    frames[0].save(
        src, save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"made by a bot"
    )
    assert "GIF comment" in media.has_metadata(src)
    r = media.render(src, tmp_path / "out")
    with Image.open(r.rendition) as im:
        assert getattr(im, "n_frames", 1) == 1
        red, green, blue = im.convert("RGB").getpixel((60, 40))
        assert red > 200 and blue < 60
    _assert_clean_image(r.rendition)


def test_sixteen_bit_and_cmyk_images_are_converted_not_clipped(tmp_path):
    arr = np.tile(np.linspace(0, 65535, 256), (64, 1)).astype(np.uint16)  # left-to-right ramp
    Image.fromarray(arr).save(tmp_path / "gray16.png")
    r = media.render(tmp_path / "gray16.png", tmp_path / "o1")
    with Image.open(r.rendition) as im:
        row = np.asarray(im.convert("L"))[32]
    assert row[10] < 40 and 100 < row[128] < 160 and row[-10] > 215  # a ramp, not clipped to white
    _scene(300, 200, seed=6).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=90)
    r2 = media.render(tmp_path / "cmyk.jpg", tmp_path / "o2")
    with Image.open(r2.rendition) as im:
        assert im.mode == "RGB" and im.size == (300, 200)


def test_sniff_ignores_the_file_name(tmp_path):
    _jpeg_with_everything(tmp_path / "x.mp4", size=(64, 48))
    _wav(tmp_path / "song.png", seconds=0.5)
    assert media.sniff(tmp_path / "x.mp4") == "image"
    assert media.sniff(tmp_path / "song.png") == "audio"
    _video(tmp_path / "clip.jpg", seconds=0.5, size=(64, 48), audio=False)
    assert media.sniff(tmp_path / "clip.jpg") == "video"


def test_probe_reports_without_writing(tmp_path):
    p = media.probe(_png_with_text(tmp_path / "a.png", size=(640, 480)))
    assert (p.media_type, p.width, p.height, p.duration_seconds) == ("image", 640, 480, None)
    assert p.size_bytes == (tmp_path / "a.png").stat().st_size
    v = media.probe(_video(tmp_path / "v.mp4", seconds=1, size=(320, 240)))
    assert (v.media_type, v.width, v.height) == ("video", 320, 240)
    assert v.duration_seconds == pytest.approx(1.0, abs=0.1)
    with pytest.raises(MediaError, match="megapixels"):
        media.probe(tmp_path / "a.png", limits=Limits(image_max_pixels=100_000))


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data", "ignore:Image appears to be a malformed MPO")
def test_mpf_jpeg_with_secondary_image_is_not_a_polyglot(tmp_path):
    """Phones append MPF images (HDR gain maps) after EOI; that is structure, not hidden data."""
    primary = io.BytesIO()
    _scene(320, 240, seed=7).save(primary, "JPEG", quality=85)
    data = bytearray(primary.getvalue())
    mpf = b"MPF\x00" + b"II*\x00" + b"\x00" * 8
    data[2:2] = b"\xff\xe2" + struct.pack(">H", len(mpf) + 2) + mpf
    second = io.BytesIO()
    _scene(160, 120, seed=8).save(second, "JPEG", quality=60)
    (tmp_path / "mpf.jpg").write_bytes(bytes(data) + second.getvalue())
    r = media.render(tmp_path / "mpf.jpg", tmp_path / "out")
    assert (r.width, r.height) == (320, 240)
    # The same trailing JPEG without an MPF index is refused.
    (tmp_path / "plain.jpg").write_bytes(primary.getvalue() + second.getvalue())
    with pytest.raises(MediaError, match="extra data hidden"):
        media.probe(tmp_path / "plain.jpg")


# --------------------------------------------------------------------------- video


@pytest.fixture(scope="module")
def two_videos(tmp_path_factory):
    d = tmp_path_factory.mktemp("videos")
    a = _video(
        d / "interview.mp4",
        tags={
            "title": "My deepfake",
            "creation_time": "2024-05-01T10:00:00Z",
            "comment": "generator: SynthStudio",
        },
        stream_tags={"handler_name": "Generator X"},
    )
    b = _video(
        d / "phone.mkv",
        seconds=2.0,
        size=(640, 360),
        fps=50,
        audio=False,
        fmt="matroska",
        codec="mpeg4",
        tags={"title": "Real footage", "encoder": "PhoneCam 2.1"},
    )
    ra = media.render(a, d / "out-a")
    rb = media.render(b, d / "out-b")
    return a, b, ra, rb


def test_video_rendition_is_h264_aac_720p_faststart(two_videos):
    src, _, r, _ = two_videos
    assert "container tag 'title'" in media.has_metadata(src)  # the source had tags
    assert (r.media_type, r.mime, r.rendition.suffix) == ("video", "video/mp4", ".mp4")
    assert (r.width, r.height) == (1280, 720)
    assert r.duration_seconds == pytest.approx(3.0, abs=0.15)
    with av.open(str(r.rendition)) as c:
        v = c.streams.video[0]
        a = c.streams.audio[0]
        assert v.codec_context.name == "h264" and v.codec_context.pix_fmt == "yuv420p"
        assert v.codec_context.height <= 720 and v.codec_context.width % 2 == 0
        assert a.codec_context.name == "aac" and a.codec_context.sample_rate == 48000
        assert v.average_rate <= 30
    types = [b[0] for b in _top_level_boxes(r.rendition)]
    assert types.index(b"moov") < types.index(b"mdat")
    raw = r.rendition.read_bytes()
    for needle in (b"My deepfake", b"Generator X", b"SynthStudio", b"2024", b"Lavf"):
        assert needle not in raw
    assert r.poster.suffix == ".jpg" and r.thumbnail.suffix == ".webp" and r.ela is None
    with Image.open(r.poster) as p:
        assert p.size == (1280, 720)
    with Image.open(r.thumbnail) as t:
        assert max(t.size) <= 320


def test_two_different_videos_have_identical_tags(two_videos):
    _, src_b, ra, rb = two_videos
    assert "container tag 'encoder'" in [m.lower() for m in media.has_metadata(src_b)]
    ca, sa = _assert_clean_av(ra.rendition)
    cb, sb = _assert_clean_av(rb.rendition)
    assert ca == cb
    assert sa[0] == sb[0]  # video stream tags
    with av.open(str(rb.rendition)) as c:
        assert len(c.streams.audio) == 0  # no sound in, no (silent) track out
        v = c.streams.video[0]
        assert (v.codec_context.width, v.codec_context.height) == (640, 360)
        assert v.average_rate <= 30  # 50 fps capped
        assert v.codec_context.name == "h264"
    with av.open(str(ra.rendition)) as c1, av.open(str(rb.rendition)) as c2:
        v1, v2 = c1.streams.video[0].codec_context, c2.streams.video[0].codec_context
        for attr in ("colorspace", "color_range", "color_primaries", "color_trc", "pix_fmt", "profile"):
            assert getattr(v1, attr) == getattr(v2, attr)


def test_rotated_phone_video_is_turned_upright(tmp_path):
    src = tmp_path / "portrait.mp4"
    with av.open(str(src), "w") as out:
        vs = out.add_stream("libx264", rate=10, options={"preset": "ultrafast"})
        vs.width, vs.height, vs.pix_fmt = 320, 240, "yuv420p"
        vs.set_display_rotation(-90)  # what phones write for portrait recordings
        for i in range(10):
            arr = np.zeros((240, 320, 3), np.uint8)
            arr[:, :40] = 255  # white band on the stored left
            f = av.VideoFrame.from_ndarray(arr, format="rgb24")
            f.pts = i
            out.mux(vs.encode(f))
        out.mux(vs.encode())
    assert media.probe(src).width == 240
    r = media.render(src, tmp_path / "out")
    assert (r.width, r.height) == (240, 320)
    with Image.open(r.poster) as p:
        arr = np.asarray(p.convert("L"))
    # Rotated clockwise: the stored left edge is now the top.
    assert arr[:30].mean() > 200 and arr[-100:].mean() < 40


def test_a_spliced_in_scene_gets_no_keyframe_of_its_own(tmp_path):
    """Keyframes come at fixed times; one at the cut would point at the tampered frames."""
    fps, cut = 10, 13
    src = tmp_path / "spliced.mp4"
    before, after = np.asarray(_scene(128, 96, seed=1)), np.asarray(_shapes(128, 96, seed=7))
    with av.open(str(src), "w") as out:
        vs = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        vs.width, vs.height, vs.pix_fmt = 128, 96, "yuv420p"
        for i in range(3 * fps):
            arr = np.roll(before if i < cut else after, i * 2, axis=1)
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(arr), format="rgb24")
            f.pts = i
            out.mux(vs.encode(f))
        out.mux(vs.encode())
    r = media.render(src, tmp_path / "out")
    with av.open(str(r.rendition)) as c:
        v = c.streams.video[0]
        keyframes = sorted(round(p.pts * v.time_base * fps) for p in c.demux(v)
                           if p.is_keyframe and p.pts is not None)
    every = media.KEYFRAME_SECONDS * fps
    assert keyframes == list(range(0, 3 * fps, every))  # frames 0 and 20, not the cut at 13


def test_audio_wav_becomes_clean_m4a_with_waveform(tmp_path):
    src = _wav(tmp_path / "voice.wav", seconds=2.0, channels=2)
    r = media.render(src, tmp_path / "out")
    assert (r.media_type, r.mime, r.rendition.suffix) == ("audio", "audio/mp4", ".m4a")
    assert (r.width, r.height) == (None, None)
    assert r.duration_seconds == pytest.approx(2.0, abs=0.1)
    _assert_clean_av(r.rendition)
    with av.open(str(r.rendition)) as c:
        assert len(c.streams.video) == 0
        a = c.streams.audio[0]
        ctx = a.codec_context
        assert (ctx.name, ctx.sample_rate, ctx.channels) == ("aac", 48000, 2)
    types = [b[0] for b in _top_level_boxes(r.rendition)]
    assert types.index(b"moov") < types.index(b"mdat")
    with Image.open(r.poster) as p:
        assert p.size == (800, 200) and p.format == "JPEG"
        arr = np.asarray(p.convert("L"), dtype=np.float32)
    # Crescendo: the waveform is taller at the end than at the start.
    assert (arr[:, -40:] > 128).sum() > (arr[:, :40] > 128).sum()
    mono = media.render(_wav(tmp_path / "mono.wav", seconds=1.0, rate=8000, channels=1), tmp_path / "out2")
    with av.open(str(mono.rendition)) as c:
        assert c.streams.audio[0].codec_context.channels == 1
        assert c.streams.audio[0].codec_context.sample_rate == 48000
    with Image.open(mono.poster) as p:
        assert p.size == (800, 200)


# --------------------------------------------------------------------------- disclosure


def test_disclosure_copy_image_has_band_and_xmp(tmp_path):
    r = media.render(_jpeg_with_everything(tmp_path / "s.jpg", size=(800, 600)), tmp_path / "out")
    assert media.read_xmp(r.rendition) is None
    dst = media.disclosure_copy(
        r.rendition, tmp_path / "download.jpg", digital_source_type="trainedAlgorithmicMedia"
    )
    xmp = media.read_xmp(dst)
    assert xmp is not None
    uri = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    assert f'Iptc4xmpExt:DigitalSourceType="{uri}"' in xmp
    assert "XMP" in media.has_metadata(dst)
    with Image.open(r.rendition) as a, Image.open(dst) as b:
        assert a.size == b.size
        src_arr = np.asarray(a.convert("RGB"), dtype=np.int16)
        out_arr = np.asarray(b.convert("RGB"), dtype=np.int16)
    h = src_arr.shape[0]
    band = slice(h - int(h * 0.1), h)
    diff_band = np.abs(src_arr[band] - out_arr[band]).mean()
    diff_top = np.abs(src_arr[: h // 2] - out_arr[: h // 2]).mean()
    assert diff_band > 40 and diff_top < 6
    # The band is mostly the solid colour, with some white text pixels.
    band_px = out_arr[band].reshape(-1, 3)
    assert (np.abs(band_px - np.array(media.BAND_COLOR)).sum(axis=1) < 60).mean() > 0.5
    assert (band_px.min(axis=1) > 220).mean() > 0.01
    # Tiny images still get a band.
    Image.new("RGB", (40, 30), (0, 128, 0)).save(tmp_path / "tiny.png")
    tiny = media.disclosure_copy(
        tmp_path / "tiny.png", tmp_path / "tiny.jpg", digital_source_type="algorithmicMedia"
    )
    with Image.open(tiny) as t:
        assert t.convert("RGB").getpixel((2, 28))[0] > 150


def test_disclosure_copy_video_has_xmp_box_and_burnt_band(two_videos, tmp_path):
    _, _, r, _ = two_videos
    dst = media.disclosure_copy(
        r.rendition,
        tmp_path / "download.mp4",
        digital_source_type=media.IPTC_DST_BASE + "trainedAlgorithmicMedia",
    )
    boxes = _top_level_boxes(dst)
    types = [b[0] for b in boxes]
    assert types.index(b"moov") < types.index(b"mdat")
    assert any(t == b"uuid" and head == XMP_UUID for t, _, head in boxes)
    assert "trainedAlgorithmicMedia" in (media.read_xmp(dst) or "")
    assert "container tag 'comment'" in media.has_metadata(dst)
    with av.open(str(dst)) as c:
        assert c.metadata.get("comment", "").startswith("SYNTHETIC")
        assert len(c.streams.audio) == 1 and c.streams.audio[0].codec_context.name == "aac"
        frames = [f.to_ndarray(format="rgb24") for _, f in zip(range(40), c.decode(video=0))]
    with av.open(str(r.rendition)) as c:
        originals = [f.to_ndarray(format="rgb24") for _, f in zip(range(40), c.decode(video=0))]
    assert len(frames) == len(originals) == 40
    for i in (0, 20, 39):
        bottom = frames[i][-40:].astype(np.int16)
        red = bottom[..., 0].mean() - bottom[..., 1].mean()
        assert red > 80, "band not burnt into every frame"
        assert np.abs(frames[i][:300].astype(np.int16) - originals[i][:300]).mean() < 8


def test_disclosure_copy_audio_has_xmp_and_comment(tmp_path):
    r = media.render(_wav(tmp_path / "a.wav", seconds=1.0), tmp_path / "out")
    dst = media.disclosure_copy(
        r.rendition, tmp_path / "d.m4a", digital_source_type="trainedAlgorithmicMedia"
    )
    assert any(t == b"uuid" and head == XMP_UUID for t, _, head in _top_level_boxes(dst))
    assert "DigitalSourceType" in (media.read_xmp(dst) or "")
    with av.open(str(dst)) as c:
        assert "SYNTHETIC" in c.metadata.get("comment", "")
        assert c.streams.audio[0].codec_context.name == "aac"


def test_disclosure_copy_rejects_bad_type(tmp_path):
    Image.new("RGB", (40, 30)).save(tmp_path / "x.png")
    with pytest.raises(ValueError):
        media.disclosure_copy(tmp_path / "x.png", tmp_path / "y.jpg", digital_source_type='x" onload="')


# --------------------------------------------------------------------------- malformed corpus

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    cases = build_corpus(tmp_path_factory.mktemp("malformed"))
    assert len(cases) >= 25
    return {c.name: c for c in cases}


def _case_names() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return [c.name for c in build_corpus(Path(d))]


_LEAK = re.compile(r"Traceback|Error\b|Exception|errno|\bFile \"|\.py\b|0x[0-9a-f]|/tmp/|\bNone\b")


@pytest.mark.parametrize("name", _case_names())
def test_malformed_file_is_refused_cleanly(corpus, tmp_path, name):
    case = corpus[name]
    limits = case.limits or Limits()
    out = tmp_path / "out"
    started = time.monotonic()
    with pytest.raises(MediaError) as info:
        media.render(case.path, out, limits=limits)
    elapsed = time.monotonic() - started
    message = info.value.message
    assert message and message == str(info.value)
    assert message[0].isupper() and message.rstrip().endswith(".")
    assert not _LEAK.search(message), message
    assert case.path.name not in message
    if case.expect:
        assert any(alt in message for alt in case.expect.split("|")), message
    assert out.is_dir() and list(out.iterdir()) == []
    assert elapsed < 5.0
    with pytest.raises(MediaError):
        media.probe(case.path, limits=limits)
    if not case.limit_only:
        with pytest.raises(MediaError):
            media.sniff(case.path)


@pytest.mark.parametrize(
    "failure, raised",
    [
        (ValueError("encoder exploded"), MediaError),
        (OSError(errno.ENOSPC, "No space left on device"), OSError),
    ],
)
def test_render_cleans_up_when_writing_fails_midway(tmp_path, monkeypatch, failure, raised):
    src = _jpeg_with_everything(tmp_path / "s.jpg", size=(300, 200))
    calls = {"n": 0}
    real = media._save_webp

    def flaky(img, path, quality=media.WEBP_QUALITY):
        calls["n"] += 1
        if calls["n"] == 2:
            path.write_bytes(b"partial")
            raise failure
        real(img, path, quality)

    monkeypatch.setattr(media, "_save_webp", flaky)
    with pytest.raises(raised) as info:
        media.render(src, tmp_path / "out")
    if raised is MediaError:
        # A file problem for the teacher, without the library's text.
        assert "exploded" not in info.value.message
    else:
        # A machine problem stays an OSError so the Celery task can retry.
        assert not isinstance(info.value, MediaError)
    assert list((tmp_path / "out").iterdir()) == []


def test_media_module_has_no_django_imports():
    source = Path(media.__file__).read_text()
    assert not re.search(r"^\s*(from|import)\s+django", source, re.M)
