"""Build the Second Look demo media pack from the photographs in ``originals/``.

Run from the repository root::

    .venv/bin/python clips/demo/build.py            # everything, plus manifest.json
    .venv/bin/python clips/demo/build.py --out /tmp/pack --only coins-copy-move

It writes ``generated/`` (our manipulated counterparts and the short videos)
and ``manifest.json`` next to this file. ``originals/`` is only read: the real
still items of the manifest point straight at those files.

Every edit is made here, by code, with fixed parameters, so we know exactly
which pixels and which frames changed: the ``regions`` in the manifest are
computed from the same numbers that drive the edit. Nothing is random; the
only seeds are the fixed geometry below. Sibling files keep their original's
format, size, JPEG quantisation tables and colour profile, so format and file
size do not give the answer away (the app re-encodes everything anyway).

The pack teaches classic manipulation (copy-move, splice, retouch and warp,
relighting, edited text, frame tampering). It holds no AI-generated media: see
README.md for why.

Only Pillow, numpy and PyAV are used, all pinned in requirements.txt.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, JpegImagePlugin

HERE = Path(__file__).resolve().parent
ORIGINALS = HERE / "originals"
GENERATED = "generated"
MANIFEST = "manifest.json"
DATASET = "Second Look demo pack"
BUILDER = "Second Look demo builder"

VIDEO_W, VIDEO_H, FPS, N_FRAMES = 640, 360, 24, 96
DURATION = N_FRAMES / FPS  # 4.0 s
# One GOP layout for every clip (no scene-cut keyframes), so that the keyframe
# pattern of a tampered clip does not differ from its sibling's.
X264_OPTIONS = {
    "crf": "23",
    "preset": "medium",
    "threads": "1",  # x264 output depends on the thread count: keep it fixed
    "x264-params": "keyint=48:min-keyint=48:scenecut=0",
}

Box = tuple[int, int, int, int]  # x, y, w, h in pixels
Region = dict[str, float]


# --- where the originals come from --------------------------------------------


@dataclass(frozen=True)
class Source:
    file: str
    creator: str
    licence: str
    url: str
    origin: str
    digital_source_type: str


SKIMAGE = "scikit-image 0.26.0 wheel (PyPI), skimage/data/"
SKLEARN = "scikit-learn 1.9.1 wheel (PyPI), sklearn/datasets/images/"
MATE = "Debian package mate-backgrounds 1.26.0-1, /usr/share/backgrounds/mate/nature/"
MATE_URL = "https://git.mate-desktop.org/mate-backgrounds/"
MATE_NOTE = ", downscaled to 1600 px by us"
GPL = "GPL-2.0-or-later"

SOURCES: dict[str, Source] = {
    "coffee": Source("coffee.png", "Rachel Michetti", "CC0-1.0", "", SKIMAGE + "coffee.png", "digitalCapture"),
    "chelsea": Source(
        "chelsea.png", "Stefan van der Walt", "CC0-1.0", "", SKIMAGE + "chelsea.png", "digitalCapture"
    ),
    "rocket": Source(
        "rocket.jpg",
        "SpaceX",
        "Public domain",
        "https://www.flickr.com/photos/spacexphotos/16511594820/",
        SKIMAGE + "rocket.jpg",
        "digitalCapture",
    ),
    # The Brooklyn Museum archive images are mostly digitised glass lantern
    # slides; see ATTRIBUTION.md for why we say positiveFilm.
    "coins": Source(
        "coins.png",
        "Brooklyn Museum (archive photograph, photographer not named)",
        "No known copyright restrictions",
        "https://www.brooklynmuseum.org/opencollection/archives/image/51611",
        SKIMAGE + "coins.png",
        "positiveFilm",
    ),
    # The Hubble eXtreme Deep Field is stacked from many exposures.
    "hubble": Source(
        "hubble_deep_field.jpg",
        "NASA (Hubble Space Telescope)",
        "Public domain",
        "http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/",
        SKIMAGE + "hubble_deep_field.jpg",
        "computationalCapture",
    ),
    "clock": Source(
        "clock_motion.png", "Stefan van der Walt", "Public domain", "", SKIMAGE + "clock_motion.png",
        "digitalCapture",
    ),
    "china": Source(
        "china.jpg",
        "danielbuechele (Flickr)",
        "CC-BY-2.0",
        "https://www.flickr.com/photos/danielbuechele/6061409035/",
        SKLEARN + "china.jpg",
        "digitalCapture",
    ),
    "aqua": Source("mate-aqua.jpg", "Charles Barbin", GPL, MATE_URL, MATE + "Aqua.jpg" + MATE_NOTE,
                   "digitalCapture"),
    "dune": Source("mate-dune.jpg", "Marco Cogoni, Hylke Bons", GPL, MATE_URL, MATE + "Dune.jpg" + MATE_NOTE,
                   "digitalCapture"),
    "garden": Source("mate-garden.jpg", "Charles Barbin", GPL, MATE_URL, MATE + "Garden.jpg" + MATE_NOTE,
                     "digitalCapture"),
    "greenmeadow": Source(
        "mate-greenmeadow.jpg", "Timothy Schellhase, Lapo Calamandrei", GPL, MATE_URL,
        MATE + "GreenMeadow.jpg, re-compressed by us", "digitalCapture",
    ),
    "ladybird": Source("mate-ladybird.jpg", "Charles Barbin", GPL, MATE_URL,
                       MATE + "LadyBird.jpg" + MATE_NOTE, "digitalCapture"),
    "raindrops": Source("mate-raindrops.jpg", "blackcombwhistler07", GPL, MATE_URL,
                        MATE + "RainDrops.jpg" + MATE_NOTE, "digitalCapture"),
    "storm": Source("mate-storm.jpg", "Sergey Nazarov", GPL, MATE_URL, MATE + "Storm.jpg" + MATE_NOTE,
                    "digitalCapture"),
    "twowings": Source("mate-twowings.jpg", "Charles Barbin, Hylke Bons", GPL, MATE_URL,
                       MATE + "TwoWings.jpg" + MATE_NOTE, "digitalCapture"),
    "yellowflower": Source("mate-yellowflower.jpg", "Charles Barbin", GPL, MATE_URL,
                           MATE + "YellowFlower.jpg" + MATE_NOTE, "digitalCapture"),
}  # fmt: skip

# When sources with different licences are combined, the result is under the
# stricter one (CC0 and public-domain material can go anywhere).
_LICENCE_RANK = {
    "CC0-1.0": 0,
    "Public domain": 0,
    "No known copyright restrictions": 0,
    "CC-BY-2.0": 1,
    GPL: 2,
}


def combined_licence(names: Sequence[str]) -> str:
    licences = [SOURCES[n].licence for n in names]
    strictest = max(licences, key=lambda lic: _LICENCE_RANK[lic])
    if _LICENCE_RANK[strictest] == 0:
        return licences[0] if len(set(licences)) == 1 else "Public domain"
    return strictest


# --- small image helpers --------------------------------------------------------


def original_path(name: str) -> Path:
    return ORIGINALS / SOURCES[name].file


def load(name: str) -> np.ndarray:
    """Float32 array of an original: (H, W) for greyscale files, else (H, W, 3)."""
    with Image.open(original_path(name)) as im:
        im = im if im.mode == "L" else im.convert("RGB")
        return np.asarray(im, dtype=np.float32).copy()


def to_image(arr: np.ndarray) -> Image.Image:
    data = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    return Image.fromarray(data, "L" if data.ndim == 2 else "RGB")


def save_like(arr: np.ndarray, dest: Path, like: str) -> None:
    """Save in the same format, quantisation and colour profile as original ``like``."""
    img = to_image(arr)
    src = original_path(like)
    with Image.open(src) as orig:
        icc = orig.info.get("icc_profile")
        extra = {"icc_profile": icc} if icc else {}
        if orig.format == "PNG":
            img.save(dest, "PNG", **extra)
        else:
            img.save(
                dest,
                "JPEG",
                qtables=orig.quantization,
                subsampling=JpegImagePlugin.get_sampling(orig),
                progressive="progressive" in orig.info,
                optimize=True,
                **extra,
            )


def smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def ellipse_mask(w: int, h: int, feather: float) -> np.ndarray:
    """1 inside the ellipse inscribed in a w x h box, fading to 0 at its rim."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    rx, ry = w / 2, h / 2
    r = np.sqrt(((xx - rx) / rx) ** 2 + ((yy - ry) / ry) ** 2)
    return smoothstep((1.0 - r) * min(rx, ry) / feather)


def rect_mask(w: int, h: int, feather: float) -> np.ndarray:
    """1 in the middle of a w x h box, fading to (almost) 0 at its edges."""
    x = np.arange(w, dtype=np.float32) + 0.5
    y = np.arange(h, dtype=np.float32) + 0.5
    dx = np.minimum(x, w - x)[None, :]
    dy = np.minimum(y, h - y)[:, None]
    return smoothstep(np.minimum(dx, dy) / feather)


def blend(arr: np.ndarray, patch: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    """Blend ``patch`` into ``arr`` at (x, y), in place, weighted by ``mask``."""
    h, w = mask.shape
    m = mask if arr.ndim == 2 else mask[..., None]
    arr[y : y + h, x : x + w] = arr[y : y + h, x : x + w] * (1 - m) + patch * m


def resize(arr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Lanczos resize of a float array (values kept as float, not clipped to 8 bits)."""
    if arr.ndim == 2:
        return np.asarray(Image.fromarray(arr, "F").resize(size, Image.Resampling.LANCZOS))
    chans = [np.asarray(Image.fromarray(np.ascontiguousarray(arr[..., c]), "F").resize(
        size, Image.Resampling.LANCZOS)) for c in range(arr.shape[2])]  # fmt: skip
    return np.stack(chans, axis=-1)


def lowpass(arr: np.ndarray, factor: int = 16) -> np.ndarray:
    """A very smooth version of ``arr``: box-shrunk by ``factor``, then enlarged again."""
    h, w = arr.shape[:2]
    small = (max(1, w // factor), max(1, h // factor))
    chans = [arr] if arr.ndim == 2 else [arr[..., c] for c in range(arr.shape[2])]
    out = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(c), "F")
            .resize(small, Image.Resampling.BOX)
            .resize((w, h), Image.Resampling.BILINEAR)
        )
        for c in chans
    ]
    return out[0] if arr.ndim == 2 else np.stack(out, axis=-1)


def sample_bilinear(arr: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Sample ``arr`` at float pixel positions (pixel centres at integers)."""
    h, w = arr.shape[:2]
    xs = np.clip(xs, 0, w - 1)
    ys = np.clip(ys, 0, h - 1)
    x0 = np.floor(xs).astype(int)
    y0 = np.floor(ys).astype(int)
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    fx = xs - x0
    fy = ys - y0
    if arr.ndim == 3:
        fx, fy = fx[..., None], fy[..., None]
    top = arr[y0, x0] * (1 - fx) + arr[y0, x1] * fx
    bottom = arr[y1, x0] * (1 - fx) + arr[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def region(box: Box, size: tuple[int, int]) -> Region:
    """A pixel box as relative coordinates, rounded outwards to 4 decimals."""
    x, y, w, h = box
    width, height = size
    x0 = max(0.0, math.floor(x / width * 1e4) / 1e4)
    y0 = max(0.0, math.floor(y / height * 1e4) / 1e4)
    x1 = min(1.0, math.ceil((x + w) / width * 1e4) / 1e4)
    y1 = min(1.0, math.ceil((y + h) / height * 1e4) / 1e4)
    return {"x": round(x0, 4), "y": round(y0, 4), "w": round(x1 - x0, 4), "h": round(y1 - y0, 4)}


def time_range(start_frame: int, end_frame: int) -> Region:
    """Frames [start_frame, end_frame) as seconds."""
    return {"start": round(start_frame / FPS, 3), "end": round(end_frame / FPS, 3)}


def image_size(arr: np.ndarray) -> tuple[int, int]:
    return arr.shape[1], arr.shape[0]


# --- the edits ------------------------------------------------------------------


def copy_move(name: str, src: Box, dest_xy: tuple[int, int], mask: np.ndarray, *, match_light: bool = False):
    """Clone ``src`` of original ``name`` to ``dest_xy``. Returns (array, [dest region, source region])."""
    arr = load(name)
    x, y, w, h = src
    dx, dy = dest_xy
    patch = arr[y : y + h, x : x + w].copy()
    if match_light:
        # A careful forger evens out the light: keep the clone's detail, take
        # the smooth brightness of the place it covers.
        patch += lowpass(arr[dy : dy + h, dx : dx + w], 64) - lowpass(patch, 64)
    blend(arr, patch, mask, dx, dy)
    size = image_size(arr)
    return arr, [region((dx, dy, w, h), size), region(src, size)]


def make_coins_copy_move(dest: Path) -> list[Region]:
    # The coin with the facing head (3rd row) is cloned over a plain coin in row 2.
    arr, regions = copy_move("coins", (183, 164, 60, 58), (73, 97), ellipse_mask(60, 58, 5))
    save_like(arr, dest, "coins")
    return regions


def make_hubble_copy_move(dest: Path) -> list[Region]:
    # The face-on spiral at left is cloned, background noise and all, into an empty patch of sky.
    arr, regions = copy_move("hubble", (88, 368, 66, 66), (583, 212), ellipse_mask(66, 66, 10))
    save_like(arr, dest, "hubble")
    return regions


def make_storm_copy_move(dest: Path) -> list[Region]:
    arr, regions = copy_move(
        "storm", (352, 256, 448, 224), (860, 40), rect_mask(448, 224, 70), match_light=True
    )
    save_like(arr, dest, "storm")
    return regions


LADYBIRD = (1032, 428, 180, 196)  # the ladybird, legs and all, in mate-ladybird.jpg


def make_ladybird_copy_move(dest: Path) -> list[Region]:
    # Shifted along the stem, so the clone stands on it as the original does.
    arr, regions = copy_move("ladybird", LADYBIRD, (772, 324), ellipse_mask(180, 196, 22))
    save_like(arr, dest, "ladybird")
    return regions


def make_greenmeadow_copy_move(dest: Path) -> list[Region]:
    # Sharp blades from the plane of focus, cloned into the blurred top of the frame.
    arr, regions = copy_move(
        "greenmeadow", (538, 330, 200, 240), (900, 16), rect_mask(200, 240, 40), match_light=True
    )
    save_like(arr, dest, "greenmeadow")
    return regions


def cut_out(name: str, box: Box, mask: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    x, y, w, h = box
    arr = load(name)[y : y + h, x : x + w]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return resize(arr, size), np.clip(resize(mask.astype(np.float32), size), 0, 1)


def make_china_splice(dest: Path) -> list[Region]:
    # The rocket, cut from its night-time launch pad by brightness, stood on the
    # distant island as if it were a tower.
    box = (300, 118, 42, 226)
    rocket = load("rocket")[118:344, 300:342]
    lum = rocket @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    mask = smoothstep((lum - 60) / 60)
    patch, pmask = cut_out("rocket", box, mask, 0.5)
    arr = load("china")
    h, w = pmask.shape
    x, y = 462, 234 - h
    blend(arr, patch, pmask, x, y)
    save_like(arr, dest, "china")
    return [region((x, y, w, h), image_size(arr))]


def make_coffee_splice(dest: Path) -> list[Region]:
    # The ladybird from the meadow photo, scaled down and set on the saucer.
    # Cut out by colour (everything that is not green stem or blue flowers), within an oval.
    x, y, w, h = LADYBIRD
    beetle = load("ladybird")[y : y + h, x : x + w]
    r, g, b = beetle[..., 0], beetle[..., 1], beetle[..., 2]
    background = np.maximum(g - np.maximum(r, b), b - np.maximum(r, g))
    mask = (1 - smoothstep((background - 4) / 24)) * ellipse_mask(w, h, 12)
    patch, pmask = cut_out("ladybird", LADYBIRD, mask, 0.21)
    arr = load("coffee")
    h, w = pmask.shape
    x, y = 112, 226
    blend(arr, patch, pmask, x, y)
    save_like(arr, dest, "coffee")
    return [region((x, y, w, h), image_size(arr))]


def make_chelsea_smooth(dest: Path) -> list[Region]:
    # "Beauty filter": heavy edge-blind smoothing over the muzzle and cheeks.
    arr = load("chelsea")
    box = (120, 150, 250, 132)
    x, y, w, h = box
    with Image.open(original_path("chelsea")) as im:
        smooth = im.convert("RGB").filter(ImageFilter.MedianFilter(9)).filter(ImageFilter.GaussianBlur(3))
    smooth_arr = np.asarray(smooth, dtype=np.float32)[y : y + h, x : x + w]
    blend(arr, smooth_arr, ellipse_mask(w, h, 30) * 0.92, x, y)
    save_like(arr, dest, "chelsea")
    return [region(box, image_size(arr))]


def bulge(arr: np.ndarray, cx: float, cy: float, radius: float, strength: float) -> Box:
    """Magnify around (cx, cy), fading to no change at ``radius``. Returns the touched box."""
    x0, y0 = math.floor(cx - radius), math.floor(cy - radius)
    x1, y1 = math.ceil(cx + radius) + 1, math.ceil(cy + radius) + 1
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / radius
    f = np.where(d < 1, 1 - strength * (1 - d**2) ** 2, 1.0)
    warped = sample_bilinear(arr, cx + (xx - cx) * f, cy + (yy - cy) * f)
    inside = d < 1
    arr[y0:y1, x0:x1][inside] = warped[inside]
    return (x0, y0, x1 - x0, y1 - y0)


def make_chelsea_eyes(dest: Path) -> list[Region]:
    # Liquify-style "bloat" on both eyes.
    arr = load("chelsea")
    boxes = [bulge(arr, 171, 112, 52, 0.32), bulge(arr, 318, 128, 50, 0.32)]
    save_like(arr, dest, "chelsea")
    return [region(b, image_size(arr)) for b in boxes]


def inpaint_harmonic(arr: np.ndarray, mask: np.ndarray, iterations: int = 1500) -> None:
    """Fill mask pixels with the smoothest surface that meets their border (in place)."""
    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min() - 1, ys.max() + 2, xs.min() - 1, xs.max() + 2
    sub = arr[y0:y1, x0:x1].copy()
    m = mask[y0:y1, x0:x1]
    filled = sub.copy()
    filled[m] = sub[~m].mean(axis=0)
    for _ in range(iterations):
        avg = (
            np.roll(filled, 1, 0) + np.roll(filled, -1, 0) + np.roll(filled, 1, 1) + np.roll(filled, -1, 1)
        ) / 4
        filled[m] = avg[m]
    arr[y0:y1, x0:x1][m] = filled[m]


def make_raindrops_removed(dest: Path) -> list[Region]:
    # Two drops painted out with a smooth fill, as a quick healing brush would.
    arr = load("raindrops")
    h, w = arr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    drops = [(466, 537, 46, 44), (709, 549, 38, 38)]  # cx, cy, rx, ry (drop plus its rim)
    boxes = []
    for cx, cy, rx, ry in drops:
        mask = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
        inpaint_harmonic(arr, mask)
        boxes.append((cx - rx, cy - ry, 2 * rx + 1, 2 * ry + 1))
    save_like(arr, dest, "raindrops")
    return [region(b, (w, h)) for b in boxes]


def make_twowings_warp(dest: Path) -> list[Region]:
    # Liquify "push": an S-bend in the left seed's stalk.
    arr = load("twowings")
    y0, y1, half, amp = 540, 712, 48, 22.0

    def stalk_x(y):
        return 822 + (y - 478) * (138 / 257)

    xa = math.floor(stalk_x(y0) - half) - 1
    xb = math.ceil(stalk_x(y1) + half) + 2
    yy, xx = np.mgrid[y0:y1, xa:xb].astype(np.float32)
    t = (yy - y0) / (y1 - y0)
    across = (xx - stalk_x(yy)) / half
    bump = np.where(np.abs(across) < 1, (1 - across**2) ** 2, 0.0)
    shift = amp * np.sin(2 * math.pi * t) * np.sin(math.pi * t) * bump
    warped = sample_bilinear(arr, xx - shift, yy)
    touched = bump > 0
    arr[y0:y1, xa:xb][touched] = warped[touched]
    save_like(arr, dest, "twowings")
    return [region((xa, y0, xb - xa, y1 - y0), image_size(arr))]


def make_dune_relight(dest: Path) -> list[Region]:
    # A warm pool of light on the grass, with no sun or lamp that could throw it.
    arr = load("dune")
    h, w = arr.shape[:2]
    cx, cy, radius = 430, 740, 300
    x0, y0 = cx - radius, cy - radius
    x1, y1 = min(w, cx + radius + 1), min(h, cy + radius + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / radius
    g = np.where(d < 1, (1 - d**2) ** 2, 0.0)[..., None]
    warm = np.array([1.0, 0.82, 0.5], dtype=np.float32)
    sub = arr[y0:y1, x0:x1]
    arr[y0:y1, x0:x1] = 255 - (255 - sub) * (1 - 0.55 * g * warm)
    save_like(arr, dest, "dune")
    return [region((x0, y0, x1 - x0, y1 - y0), (w, h))]


def make_china_shadow(dest: Path) -> list[Region]:
    # A soft diagonal shadow across the roofs that also darkens the open sky.
    arr = load("china")
    box = (0, 0, 360, 215)
    x, y, w, h = box
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    t = (xx * 0.6 + yy * 0.8) / 10.0  # distance along the band's normal, in units of 10 px
    band = smoothstep((t - 8) / 4) * (1 - smoothstep((t - 17) / 4))
    m = (band * rect_mask(w, h, 25))[..., None]
    arr[y : y + h, x : x + w] *= 1 - 0.45 * m
    save_like(arr, dest, "china")
    return [region(box, image_size(arr))]


def make_garden_relight(dest: Path) -> list[Region]:
    # A cold bluish light from beyond the right edge, falling on the petals there.
    arr = load("garden")
    h, w = arr.shape[:2]
    cx, cy, radius = w + 60, 520, 520
    x0, y0 = cx - radius, max(0, cy - radius)
    x1, y1 = w, min(h, cy + radius + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / radius
    g = np.where(d < 1, (1 - d**2) ** 2, 0.0)[..., None]
    cold = np.array([110, 150, 255], dtype=np.float32) / 255
    sub = arr[y0:y1, x0:x1]
    arr[y0:y1, x0:x1] = 255 - (255 - sub) * (1 - 0.7 * g * cold)
    save_like(arr, dest, "garden")
    return [region((x0, y0, x1 - x0, y1 - y0), (w, h))]


def draw_text(
    arr: np.ndarray, items: Iterable[tuple[tuple[float, float], str]], size: int, fill
) -> list[Box]:
    """Draw crisp text (Pillow's bundled font, so the build does not depend on system fonts).

    Returns one box per text, padded by 2 px.
    """
    img = to_image(arr)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=size)
    boxes = []
    for xy, text in items:
        draw.text(xy, text, fill=fill, font=font, anchor="mm")
        boxes.append(draw.textbbox(xy, text, font=font, anchor="mm"))
    arr[...] = np.asarray(img, dtype=np.float32)
    pad = 2
    return [(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad) for x0, y0, x1, y1 in boxes]


def make_clock_numerals(dest: Path) -> list[Region]:
    arr = load("clock")
    cx, cy, r = 211, 153, 46
    numerals = [((cx, cy - r), "12"), ((cx + r + 4, cy), "3"), ((cx, cy + r), "6"), ((cx - r - 4, cy), "9")]
    boxes = draw_text(arr, numerals, 15, 60)
    save_like(arr, dest, "clock")
    return [region(box, image_size(arr)) for box in boxes]


def make_coffee_label(dest: Path) -> list[Region]:
    arr = load("coffee")
    boxes = draw_text(arr, [((287, 219), "ROMA")], 13, (236, 226, 208))
    save_like(arr, dest, "coffee")
    return [region(box, image_size(arr)) for box in boxes]


# --- video ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pan:
    """A slow, steady pan and zoom over a still: centre moves linearly, zoom geometrically.

    ``start`` and ``end`` are (centre x, centre y, width), relative to the
    photo; the window is 16:9. ``at(p)`` is the window at progress p (0..1, a
    little beyond 1 for clips that skip frames).
    """

    photo: str
    start: tuple[float, float, float]
    end: tuple[float, float, float]

    def at(self, p: float, size: tuple[int, int]) -> tuple[float, float, float, float]:
        width, height = size
        cx = (self.start[0] + (self.end[0] - self.start[0]) * p) * width
        cy = (self.start[1] + (self.end[1] - self.start[1]) * p) * height
        w = self.start[2] * (self.end[2] / self.start[2]) ** p * width
        h = w * VIDEO_H / VIDEO_W
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
            raise ValueError(f"pan over {self.photo} leaves the photo at p={p:.3f}: {box}")
        return box


def progress(i: int) -> float:
    return i / (N_FRAMES - 1)


def render(photo: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    return photo.transform((VIDEO_W, VIDEO_H), Image.Transform.EXTENT, box, resample=Image.Resampling.BICUBIC)


def open_photo(name: str) -> Image.Image:
    with Image.open(original_path(name)) as im:
        return im.convert("RGB")


def encode(frames: Iterable[Image.Image], dest: Path) -> None:
    with av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS, options=X264_OPTIONS)
        stream.width, stream.height, stream.pix_fmt = VIDEO_W, VIDEO_H, "yuv420p"
        count = 0
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_image(frame)):
                out.mux(packet)
            count += 1
        for packet in stream.encode():
            out.mux(packet)
    if count != N_FRAMES:
        raise ValueError(f"{dest.name}: {count} frames, expected {N_FRAMES}")


PANS = {
    "china": Pan("china", (0.47, 0.52, 0.92), (0.62, 0.55, 0.62)),
    "rocket": Pan("rocket", (0.5, 0.64, 0.80), (0.5, 0.37, 0.74)),
    "storm": Pan("storm", (0.32, 0.42, 0.55), (0.66, 0.42, 0.55)),
    "hubble": Pan("hubble", (0.5, 0.48, 0.85), (0.5, 0.48, 0.5)),
}


def pan_video(name: str, dest: Path, progress_of: Callable[[int], float] = progress) -> None:
    photo = open_photo(name)
    pan = PANS[name]
    encode((render(photo, pan.at(progress_of(i), photo.size)) for i in range(N_FRAMES)), dest)


def make_pan(name: str) -> Callable[[Path], list[Region]]:
    def make(dest: Path) -> list[Region]:
        pan_video(name, dest)
        return []

    return make


# Frame tampering: which frame of the smooth pan each output frame shows.
CHINA_DROP_AT, CHINA_DROPPED = 40, 12
ROCKET_FREEZE_FROM, ROCKET_FREEZE_TO = 42, 54
STORM_INSERT_FROM, STORM_INSERT_TO = 60, 63


def make_china_dropped(dest: Path) -> list[Region]:
    # 12 frames (half a second of camera travel) cut out; the clip runs on past the
    # real pan's end so it keeps its length.
    def p(i: int) -> float:
        return progress(i if i < CHINA_DROP_AT else i + CHINA_DROPPED)

    pan_video("china", dest, p)
    return [time_range(CHINA_DROP_AT - 1, CHINA_DROP_AT + 1)]


def make_rocket_frozen(dest: Path) -> list[Region]:
    # One frame repeated for half a second, the frames it hid thrown away: the
    # tilt stops dead, then jumps to where it would have been.
    def p(i: int) -> float:
        return progress(ROCKET_FREEZE_FROM if ROCKET_FREEZE_FROM <= i < ROCKET_FREEZE_TO else i)

    pan_video("rocket", dest, p)
    return [time_range(ROCKET_FREEZE_FROM, ROCKET_FREEZE_TO + 1)]


def make_storm_inserted(dest: Path) -> list[Region]:
    # Three frames of a different shot (a close view of the road) cut into the pan.
    photo = open_photo("storm")
    pan = PANS["storm"]
    other = Pan("storm", (0.5, 0.8, 0.35), (0.5, 0.8, 0.35)).at(0, photo.size)

    def frames():
        for i in range(N_FRAMES):
            box = other if STORM_INSERT_FROM <= i < STORM_INSERT_TO else pan.at(progress(i), photo.size)
            yield render(photo, box)

    encode(frames(), dest)
    return [time_range(STORM_INSERT_FROM, STORM_INSERT_TO)]


# A galaxy from the top of the deep field (outside the clip's view), pinned to
# the screen while the camera zooms in.
HUBBLE_GALAXY = (458, 40, 60, 60)
HUBBLE_GALAXY_AT = (440, 62)


def make_hubble_pinned(dest: Path) -> list[Region]:
    photo = open_photo("hubble")
    pan = PANS["hubble"]
    gx, gy, gw, gh = HUBBLE_GALAXY
    galaxy = np.asarray(photo, dtype=np.float32)[gy : gy + gh, gx : gx + gw]
    lum = galaxy @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    alpha = (smoothstep((lum - 12) / 40) * ellipse_mask(gw, gh, 8))[..., None]
    px, py = HUBBLE_GALAXY_AT

    def frames():
        for i in range(N_FRAMES):
            frame = np.asarray(render(photo, pan.at(progress(i), photo.size)), dtype=np.float32).copy()
            under = frame[py : py + gh, px : px + gw]
            # "Lighten" blend: the dark sky of the patch never covers what is behind it.
            frame[py : py + gh, px : px + gw] = under * (1 - alpha) + np.maximum(under, galaxy) * alpha
            yield to_image(frame)

    encode(frames(), dest)
    return [region((px, py, gw, gh), (VIDEO_W, VIDEO_H)), time_range(0, N_FRAMES)]


# --- the manifest -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    alt_text: str
    tells: str
    explanation: str
    difficulty: int
    photo: str  # the original it shows or was made from
    technique: str = "authentic"
    make: Callable[[Path], list[Region]] | None = None  # None: the untouched original itself
    ext: str = ""  # file extension of a generated file
    sibling: str | None = None
    extra_sources: tuple[str, ...] = ()  # other originals mixed in (splices)
    generator: str = ""
    how: str = ""  # what we did, in a few words (edits only)
    digital_source_type: str = ""  # for edits; real items take their original's
    media_type: str = "image"
    truth: str = "real"

    @property
    def file(self) -> str:
        if self.make is None:
            return f"originals/{SOURCES[self.photo].file}"
        return f"{GENERATED}/{self.key}{self.ext}"


def still_ext(photo: str) -> str:
    return Path(SOURCES[photo].file).suffix


def fake(key: str, photo: str, technique: str, make, *, sibling: str, dst: str, how: str, video=False,
         extra_sources=(), **text) -> Item:  # fmt: skip
    tool = "PyAV + Pillow" if video else "Pillow + numpy"
    return Item(
        key=key,
        photo=photo,
        technique=technique,
        make=make,
        ext=".mp4" if video else still_ext(photo),
        sibling=sibling,
        extra_sources=tuple(extra_sources),
        generator=f"{BUILDER} ({tool}), {how}",
        how=how,
        digital_source_type=dst,
        media_type="video" if video else "image",
        truth="synthetic",
        **text,
    )


def real_video(key: str, photo: str, **text) -> Item:
    return Item(key=key, photo=photo, make=make_pan(photo), ext=".mp4", media_type="video", **text)


UNCHANGED = (
    "We did not change this photograph. Its packagers resized and re-compressed it, so it is not the "
    "camera's original file, but nothing in the picture was added, moved or removed by us."
)
ANIMATED = (
    "This is an unedited photograph, animated: we moved a virtual camera slowly and steadily across "
    "the still photo and changed nothing else."
)

ITEMS: list[Item] = [
    # --- coffee ---
    Item(
        key="coffee-real",
        photo="coffee",
        title="Espresso cup on a wooden table",
        alt_text="A red espresso cup with crema on a matching saucer, a spoon beside it, on a worn wooden table.",
        tells="",
        explanation=UNCHANGED + " The strong warm cast and the hard highlights come from the café's "
        "lighting, not from editing: odd colour alone is not evidence of a fake.",
        difficulty=1,
    ),
    fake(
        "coffee-splice",
        "coffee",
        "splice",
        make_coffee_splice,
        sibling="coffee-real",
        dst="compositeCapture",
        how="splice",
        extra_sources=("ladybird",),
        title="Espresso cup with a small visitor",
        alt_text="A red espresso cup on a saucer on a wooden table; a small red beetle sits on the saucer.",
        tells="Look at the ladybird on the saucer, left of the cup: it is lit by bright daylight in a "
        "dim, warm café, it casts no shadow on the glaze, and a faint greenish rim from its meadow "
        "background clings to its shell.",
        explanation="We cut the ladybird out of a meadow photograph, shrank it and pasted it onto the "
        "saucer. Light, colour and shadow have to agree across a scene, and a pasted object keeps the "
        "light of the photo it came from, often with a fringe of its old background. A careful forger "
        "can repaint the shadow and fringe, so a clean edge proves nothing on its own.",
        difficulty=1,
    ),
    fake(
        "coffee-label",
        "coffee",
        "text_edit",
        make_coffee_label,
        sibling="coffee-real",
        dst="humanEdits",
        how="text added",
        title="Espresso cup with a printed word",
        alt_text="A red espresso cup on a saucer on a wooden table, with the word ROMA on the side of the cup.",
        tells="Read the word on the side of the cup: it runs in a dead-straight line across a round "
        "cup and is equally bright from end to end, even where the cup curves away into shadow.",
        explanation="We typed the word onto the photo. Printing on a curved object bends with the "
        "surface and darkens with it; flat text laid over a photo does neither. Edited text is one of "
        "the commonest fakes (prices, dates, signs), and the same check works on all of them.",
        difficulty=2,
    ),
    # --- chelsea ---
    Item(
        key="chelsea-real",
        photo="chelsea",
        title="Close-up of a tabby cat",
        alt_text="A close-up of a tabby cat's face with green eyes, striped fur and long white whiskers.",
        tells="",
        explanation=UNCHANGED + " Look at how the fine fur and whiskers stay crisp right across the "
        "face: that texture is what smoothing and warping tools tend to destroy.",
        difficulty=1,
    ),
    fake(
        "chelsea-smooth",
        "chelsea",
        "retouch",
        make_chelsea_smooth,
        sibling="chelsea-real",
        dst="humanEdits",
        how="smoothing filter",
        title="Face of a tabby cat",
        alt_text="A close-up of a tabby cat's face with green eyes, striped fur and white whiskers.",
        tells="Look at the muzzle and cheeks below the eyes: the fur has melted into a smooth, waxy "
        "surface and the whiskers fade out there, while the forehead fur stays sharp.",
        explanation="We ran a heavy smoothing filter over the lower face, like a beauty filter does to "
        "skin. Real skin and fur keep fine texture everywhere; a patch of airbrushed smoothness next to "
        "sharp detail is the tell. Mild smoothing is everywhere in phone photos, so judge by how far "
        "and how unevenly it goes.",
        difficulty=2,
    ),
    fake(
        "chelsea-eyes",
        "chelsea",
        "retouch",
        make_chelsea_eyes,
        sibling="chelsea-real",
        dst="humanEdits",
        how="liquify bulge warp",
        title="Tabby cat looking at the camera",
        alt_text="A close-up of a tabby cat's face with green eyes, striped fur and white whiskers.",
        tells="Look at the fur stripes around both eyes: they bow outwards in curves around each eye, "
        "and the eyes are a little too large for the face.",
        explanation="We enlarged both eyes with a liquify-style bulge warp, the tool behind 'bigger eyes' "
        "filters. A warp moves pixels rather than painting new ones, so straight lines and patterns "
        "nearby bend with it. Without a straight line or regular pattern nearby, a small warp can be "
        "invisible.",
        difficulty=3,
    ),
    # --- rocket ---
    Item(
        key="rocket-real",
        photo="rocket",
        title="Rocket on the launch pad at dusk",
        alt_text="A white rocket stands between lattice towers on a launch pad under a deep blue dusk sky, "
        "floodlights glowing at its base.",
        tells="",
        explanation=UNCHANGED + " The star-shaped flares around the floodlights are made by the camera's "
        "aperture, not added later: real photos have their own strange-looking artefacts.",
        difficulty=1,
    ),
    real_video(
        "rocket-pan",
        "rocket",
        title="Tilting up a rocket on the launch pad",
        alt_text="The view moves slowly up a white rocket standing between lattice towers at dusk.",
        tells="",
        explanation=ANIMATED + " The movement is perfectly steady from first frame to last, which is "
        "what a motorised camera move looks like.",
        difficulty=1,
    ),
    fake(
        "rocket-frozen",
        "rocket",
        "frame_tampering",
        make_rocket_frozen,
        sibling="rocket-pan",
        dst="humanEdits",
        how="duplicated and dropped frames",
        video=True,
        title="Tilting up a rocket at dusk",
        alt_text="The view moves up a white rocket standing between lattice towers at dusk.",
        tells="Watch the movement between 1.75 s and 2.3 s: the steady tilt stops dead, holds still for "
        "half a second, then jumps ahead to catch up.",
        explanation="We repeated one frame for half a second and threw away the frames it covered. "
        "Steady camera motion that stalls and then jumps is a sign that frames were cut or copied, "
        "for example to hide a moment. Dropped frames also happen in honest video from slow "
        "phones and bad connections, so a stutter tells you to look closer, not that it is a fake.",
        difficulty=2,
    ),
    # --- coins ---
    Item(
        key="coins-real",
        photo="coins",
        title="Ancient coins in rows",
        alt_text="A black-and-white photograph of 24 ancient Greek coins laid out in four rows on a dark background.",
        tells="",
        explanation=UNCHANGED + " It is an old archive photograph. Every coin differs in size, wear and "
        "light, as real objects do.",
        difficulty=2,
    ),
    fake(
        "coins-copy-move",
        "coins",
        "copy_move",
        make_coins_copy_move,
        sibling="coins-real",
        dst="humanEdits",
        how="copy-move",
        title="Old coins laid out in rows",
        alt_text="A black-and-white photograph of 24 ancient Greek coins laid out in four rows on a dark background.",
        tells="Compare the coin in the second row, second from the left, with the coin in the third row "
        "showing a face from the front: they are identical, down to the same scratches and the same "
        "highlight.",
        explanation="We copied one coin and pasted it over another in the same photo (copy-move). Two "
        "hand-made, worn objects are never identical in every mark, so an exact twin means a copy. The "
        "repeat is easy to miss when the clone is small or sits in busy texture.",
        difficulty=2,
    ),
    # --- hubble ---
    Item(
        key="hubble-real",
        photo="hubble",
        title="Thousands of distant galaxies",
        alt_text="A dark sky crowded with thousands of small galaxies in white, orange and blue.",
        tells="",
        explanation="We did not change this image. It is a real astronomical image, built by stacking "
        "many long telescope exposures taken through different filters, which is normal in science "
        "imaging: a composite of exposures can still be an honest record.",
        difficulty=2,
    ),
    real_video(
        "hubble-zoom",
        "hubble",
        title="Zooming into a field of galaxies",
        alt_text="A slow zoom into a dark sky crowded with small galaxies in white, orange and blue.",
        tells="",
        explanation=ANIMATED + " As the view zooms, every galaxy grows and drifts outwards from the "
        "centre together, as they must when nothing moves but the camera.",
        difficulty=2,
    ),
    fake(
        "hubble-copy-move",
        "hubble",
        "copy_move",
        make_hubble_copy_move,
        sibling="hubble-real",
        dst="humanEdits",
        how="copy-move",
        title="A field of distant galaxies",
        alt_text="A dark sky crowded with thousands of small galaxies in white, orange and blue.",
        tells="Find the round, face-on spiral galaxy at the far left, halfway down, and its twin up and "
        "to the right of the centre: same shape, same spiral arms, and even the same faint specks of "
        "background around it.",
        explanation="We cloned a galaxy, together with its patch of background, into an empty spot. "
        "In a real image the background noise never repeats, so a patch whose noise matches another "
        "patch exactly is a copy. In a busy scene a copy like this is very hard to spot by eye; "
        "forensic software looks for repeated blocks for that reason.",
        difficulty=3,
    ),
    fake(
        "hubble-pinned",
        "hubble",
        "splice",
        make_hubble_pinned,
        sibling="hubble-zoom",
        dst="compositeCapture",
        how="object pasted over video",
        video=True,
        title="Zooming into a deep-sky field",
        alt_text="A slow zoom into a dark sky crowded with small galaxies in white, orange and blue.",
        tells="Watch the pinkish spiral galaxy in the upper right for the whole clip: every other galaxy "
        "grows and drifts outwards as the view zooms, but this one keeps the same size and the same "
        "place on screen.",
        explanation="We pasted a galaxy onto every frame at a fixed screen position, ignoring the camera "
        "move. Everything that is really in a scene must follow the camera's motion; an object that "
        "floats against it was added. Real compositing software can track the motion, so matching "
        "movement is no proof of authenticity.",
        difficulty=2,
    ),
    # --- clock ---
    Item(
        key="clock-real",
        photo="clock",
        title="Wall clock, blurred",
        alt_text="A black-and-white photo of a round wall clock, smeared sideways by camera movement.",
        tells="",
        explanation=UNCHANGED + " The photographer moved the camera sideways during the exposure, so "
        "everything is smeared the same way.",
        difficulty=1,
    ),
    fake(
        "clock-numerals",
        "clock",
        "text_edit",
        make_clock_numerals,
        sibling="clock-real",
        dst="humanEdits",
        how="text added",
        title="Wall clock with numerals",
        alt_text="A black-and-white photo of a round wall clock, smeared sideways, with the numbers 12, 3, 6 and 9.",
        tells="Look at the numerals 12, 3, 6 and 9: they are perfectly sharp while the clock face they "
        "sit on is smeared sideways by camera shake.",
        explanation="We typed the numerals onto the blurred photo. Camera movement blurs everything in "
        "the frame in the same direction, so sharp detail on a smeared surface cannot have been "
        "photographed with it. Blur and sharpness should match for things at the same distance.",
        difficulty=1,
    ),
    # --- china ---
    Item(
        key="china-real",
        photo="china",
        title="Pagoda above a lake",
        alt_text="A many-tiered Chinese pagoda with red pillars and green-and-orange roofs on a hill above "
        "a hazy lake with a small island.",
        tells="",
        explanation=UNCHANGED + " The haze makes the far shore pale and low in contrast, which is how "
        "distance looks in real air.",
        difficulty=1,
    ),
    real_video(
        "china-pan",
        "china",
        title="Moving across a pagoda and a lake",
        alt_text="The view drifts slowly from a tiered pagoda towards a hazy lake and its small island.",
        tells="",
        explanation=ANIMATED + " The drift and the zoom stay smooth and even for the whole clip.",
        difficulty=1,
    ),
    fake(
        "china-splice",
        "china",
        "splice",
        make_china_splice,
        sibling="china-real",
        dst="compositeCapture",
        how="splice",
        extra_sources=("rocket",),
        title="Pagoda above a lake with a tower",
        alt_text="A tiered pagoda on a hill above a hazy lake; a tall white tower stands on the small island.",
        tells="Look at the tall white tower on the island, right of centre: it is bright and crisp while "
        "everything else that far away is pale with haze, and its outline has a dark rim.",
        explanation="We pasted the rocket from a night-time launch photo onto the island. Haze makes "
        "distant things paler and softer, and a pasted object keeps the contrast and the edge colour of "
        "its source photo. Small pasted objects are easy to miss, so compare anything suspicious with "
        "things at the same distance.",
        difficulty=1,
    ),
    fake(
        "china-shadow",
        "china",
        "relighting",
        make_china_shadow,
        sibling="china-real",
        dst="humanEdits",
        how="painted shadow",
        title="Pagoda on a hill over a lake",
        alt_text="A many-tiered Chinese pagoda with red pillars and green-and-orange roofs on a hill above a hazy lake.",
        tells="Look at the dark diagonal band across the upper roofs: it also darkens the open sky to "
        "the left of the pagoda.",
        explanation="We painted a soft shadow band over the top-left of the photo. Shadows fall on "
        "surfaces, never on open sky, and need something between the sun and the surface to cast them. "
        "A careful editor would have masked the sky, so check shadows against their possible casters "
        "too.",
        difficulty=1,
    ),
    fake(
        "china-dropped",
        "china",
        "frame_tampering",
        make_china_dropped,
        sibling="china-pan",
        dst="humanEdits",
        how="dropped frames",
        video=True,
        title="Drifting over a pagoda and lake",
        alt_text="The view drifts from a tiered pagoda towards a hazy lake and its small island.",
        tells="Watch around 1.6 to 1.7 s: the smooth drift suddenly jumps forward, as if half a second "
        "of movement was skipped.",
        explanation="We cut out twelve frames, half a second of movement. In a steady camera move, a "
        "sudden jump means frames are missing, which is how a moment can be removed from a clip. Streaming "
        "glitches and slow phones can also drop frames, so a jump is a reason to check, not proof.",
        difficulty=3,
    ),
    # --- storm ---
    Item(
        key="storm-real",
        photo="storm",
        title="Storm clouds over a road",
        alt_text="Dark storm clouds over flat fields, seen from the road, with blurred guard rails in front.",
        tells="",
        explanation=UNCHANGED + " The smeared rails in front are motion blur from the moving camera, while "
        "the distant clouds stay sharp: near things blur more than far ones in a moving shot.",
        difficulty=2,
    ),
    real_video(
        "storm-pan",
        "storm",
        title="Panning across storm clouds",
        alt_text="The view pans slowly to the right across dark storm clouds over flat fields and a road.",
        tells="",
        explanation=ANIMATED + " Every frame continues smoothly from the last one.",
        difficulty=1,
    ),
    fake(
        "storm-copy-move",
        "storm",
        "copy_move",
        make_storm_copy_move,
        sibling="storm-real",
        dst="humanEdits",
        how="copy-move",
        title="Storm clouds over flat country",
        alt_text="Dark storm clouds over flat fields, seen from the road, with blurred guard rails in front.",
        tells="Compare the ragged cloud bank on the left with the cloud in the upper right: the same "
        "pattern of lumps and gaps appears twice.",
        explanation="We copied a stretch of cloud into the clear sky and evened out its brightness. "
        "Clouds never repeat exactly, so a repeated shape means a copy. Soft, low-contrast copies like "
        "this one are hard to see; look for repeated shapes rather than for edges.",
        difficulty=2,
    ),
    fake(
        "storm-inserted",
        "storm",
        "frame_tampering",
        make_storm_inserted,
        sibling="storm-pan",
        dst="humanEdits",
        how="frames from another shot inserted",
        video=True,
        title="Panning across a stormy sky",
        alt_text="The view pans slowly to the right across dark storm clouds over flat fields and a road.",
        tells="Watch at 2.5 s: for an eighth of a second the picture flicks to a close view of the road, "
        "then the pan carries on as if nothing happened.",
        explanation="We cut three frames of a different shot into the clip. A flash frame that does not "
        "belong is a sign of careless editing or of an inserted image; step through the video frame by "
        "frame to see it. Honest edits also have cuts, but they do not jump away and back in a few frames.",
        difficulty=2,
    ),
    # --- mate: the meadow photographs ---
    Item(
        key="ladybird-real",
        photo="ladybird",
        title="Ladybird on a grass stem",
        alt_text="A red ladybird with black and white markings walks along a green stem among small "
        "blue flowers.",
        tells="",
        explanation=UNCHANGED + " The soft, blurred background is shallow depth of field from a macro "
        "lens: only a thin slice of the scene is sharp.",
        difficulty=1,
    ),
    fake(
        "ladybird-copy-move",
        "ladybird",
        "copy_move",
        make_ladybird_copy_move,
        sibling="ladybird-real",
        dst="humanEdits",
        how="copy-move",
        title="Ladybirds on a grass stem",
        alt_text="Two red ladybirds with black and white markings on a green stem among small blue flowers.",
        tells="Compare the two ladybirds: they are the same insect, with identical spots, legs and "
        "highlights, and the left one is as sharp as the right although the stem around it is softer.",
        explanation="We cloned the ladybird further up the stem. No two insects match in every detail, "
        "and a clone also carries its sharpness with it, which may not fit its new place in the depth "
        "of field. Cloned objects are often flipped or resized to hide the repeat.",
        difficulty=1,
    ),
    Item(
        key="raindrops-real",
        photo="raindrops",
        title="Water drops on a leaf",
        alt_text="Clear water drops of different sizes on a broad green leaf with fine lengthwise veins.",
        tells="",
        explanation=UNCHANGED + " Notice the fine veins and grain running along the whole leaf: real "
        "surfaces keep their texture everywhere.",
        difficulty=1,
    ),
    fake(
        "raindrops-removed",
        "raindrops",
        "retouch",
        make_raindrops_removed,
        sibling="raindrops-real",
        dst="humanEdits",
        how="objects removed with a smooth fill",
        title="Drops on a broad leaf",
        alt_text="Clear water drops of different sizes on a broad green leaf with fine lengthwise veins.",
        tells="Look left of centre on the leaf, where two large drops used to be: two round patches are "
        "perfectly smooth, and the leaf's veins and grain stop at their edges.",
        explanation="We painted out two water drops with a smooth fill, as a quick healing brush does. "
        "Removing something leaves a hole that has to be filled, and a fill that lacks the surrounding "
        "texture shows as a smudge. Modern content-aware and AI fills copy texture much better, so a "
        "missing smudge proves nothing.",
        difficulty=2,
    ),
    Item(
        key="twowings-real",
        photo="twowings",
        title="Two dandelion seeds",
        alt_text="Two feathery dandelion seeds on thin stalks in front of a blurred orange and green background.",
        tells="",
        explanation=UNCHANGED + " The thin stalks run straight, as the stiff stalks of these seeds do.",
        difficulty=1,
    ),
    fake(
        "twowings-warp",
        "twowings",
        "retouch",
        make_twowings_warp,
        sibling="twowings-real",
        dst="humanEdits",
        how="liquify push warp",
        title="Two dandelion seeds in the light",
        alt_text="Two feathery dandelion seeds on thin stalks in front of a blurred orange and green background.",
        tells="Follow the stalk of the left seed down towards its seed: halfway down it wiggles in a "
        "smooth S-bend, while the stalk beside it runs straight as these stiff stalks do.",
        explanation="We pushed pixels sideways with a liquify-style warp. A warp drags everything under "
        "its brush, so lines that should be straight come out wavy; next to door frames, tiles or "
        "horizons that is the classic tell of body-shape edits. Here the smooth, blurred background "
        "hides the warp completely, and only the stalk gives it away.",
        difficulty=2,
    ),
    Item(
        key="dune-real",
        photo="dune",
        title="Dune grass by the sea",
        alt_text="Tall golden dune grass bending in the wind in front of a blue sea and a pale sky.",
        tells="",
        explanation=UNCHANGED + " The sunlight falls evenly across the whole field of grass.",
        difficulty=1,
    ),
    fake(
        "dune-glow",
        "dune",
        "relighting",
        make_dune_relight,
        sibling="dune-real",
        dst="humanEdits",
        how="painted light",
        title="Grass on a dune above the sea",
        alt_text="Tall golden dune grass bending in the wind in front of a blue sea and a pale sky.",
        tells="Look at the lower left: a round, milky pool of extra warm light sits on the grass and "
        "fades out in a perfect circle, ignoring the stalks, although the sun lights the rest of the "
        "field evenly and nothing could focus light there.",
        explanation="We painted a soft circle of warm light onto the grass. Light has to come from "
        "somewhere, and a real pool of light follows the shapes it falls on. Real light can be patchy "
        "(through clouds or leaves), so ask what could have cast it.",
        difficulty=2,
    ),
    Item(
        key="garden-real",
        photo="garden",
        title="Red marigold in a garden",
        alt_text="A red and yellow marigold flower in close-up against a blurred green and orange garden.",
        tells="",
        explanation=UNCHANGED + " All the petals share the same warm light.",
        difficulty=1,
    ),
    fake(
        "garden-cold-light",
        "garden",
        "relighting",
        make_garden_relight,
        sibling="garden-real",
        dst="humanEdits",
        how="painted light",
        title="Marigold in the garden",
        alt_text="A red and yellow marigold flower in close-up against a blurred green and orange garden.",
        tells="Look at the right edge: the petals there glow with a cold, bluish light that nothing else "
        "in the picture receives, neither the rest of the flower nor the background.",
        explanation="We painted a bluish light onto the right side of the flower. A light source that "
        "strong would also tint the rest of the scene; colour and direction of light must agree "
        "everywhere. Mixed lighting does exist (a window and a lamp), so look for a plausible source.",
        difficulty=2,
    ),
    Item(
        key="greenmeadow-real",
        photo="greenmeadow",
        title="Young grass up close",
        alt_text="Dense young green grass blades in close-up, sharp in the middle and blurred at the top "
        "and bottom.",
        tells="",
        explanation=UNCHANGED + " The grass is sharp in a band across the middle and blurs above and "
        "below it, which is how a lens focused on one distance renders a field.",
        difficulty=2,
    ),
    fake(
        "greenmeadow-copy-move",
        "greenmeadow",
        "copy_move",
        make_greenmeadow_copy_move,
        sibling="greenmeadow-real",
        dst="humanEdits",
        how="copy-move",
        title="Young grass in close-up",
        alt_text="Dense young green grass blades in close-up, sharp in the middle and blurred at the top "
        "and bottom.",
        tells="Look at the top right: a block of grass there is as sharp as the middle of the picture, "
        "though everything around it is blurred, and its blades repeat a group from the centre.",
        explanation="We cloned a block of sharp grass from the middle into the blurred top of the photo. "
        "Sharpness follows distance from the lens, so a sharp patch in a blurred zone does not belong. "
        "In busy textures like grass or foliage, repeats are very hard to see.",
        difficulty=3,
    ),
    Item(
        key="aqua-real",
        photo="aqua",
        title="Splash of a water drop",
        alt_text="A water drop splashing into water, forming a crown of droplets, in cool blue light.",
        tells="",
        explanation=UNCHANGED
        + " A very short exposure froze the splash; such frozen moments look strange but "
        "are ordinary high-speed photography.",
        difficulty=2,
    ),
    Item(
        key="yellowflower-real",
        photo="yellowflower",
        title="Yellow flower petals",
        alt_text="Bright yellow petals of a daisy-like flower in close-up against a dark background.",
        tells="",
        explanation=UNCHANGED + " The black background is shade behind a brightly lit flower: strong "
        "contrast alone is not a sign of editing.",
        difficulty=1,
    ),
]


def manifest_entry(item: Item, regions: list[Region]) -> dict:
    names = (item.photo, *item.extra_sources)
    sources = [SOURCES[n] for n in names]
    if item.truth == "real":
        src = sources[0]
        return {
            "key": item.key,
            "file": item.file,
            "title": item.title,
            "alt_text": item.alt_text,
            "media_type": item.media_type,
            "truth": "real",
            "technique": "authentic",
            "generator": "",
            "tells": "",
            "regions": [],
            "explanation": item.explanation,
            "difficulty": item.difficulty,
            "source": src.origin
            if item.make is None
            else f"{src.origin}; the unedited photograph animated (slow pan and zoom) by {BUILDER}",
            "creator": src.creator,
            "licence": src.licence,
            "url": src.url,
            "dataset": DATASET,
            "digital_source_type": src.digital_source_type,
            "sibling": None,
            "depicts_real_person": False,
        }
    return {
        "key": item.key,
        "file": item.file,
        "title": item.title,
        "alt_text": item.alt_text,
        "media_type": item.media_type,
        "truth": "synthetic",
        "technique": item.technique,
        "generator": item.generator,
        "tells": item.tells,
        "regions": regions,
        "explanation": item.explanation,
        "difficulty": item.difficulty,
        "source": f"Made by {BUILDER} (clips/demo/build.py) from "
        + "; and ".join(s.origin for s in sources)
        + (f"; the photograph animated, then {item.how}" if item.media_type == "video" else f"; {item.how}"),
        "creator": ("Photos: " if len(sources) > 1 else "Photo: ")
        + "; ".join(s.creator for s in sources)
        + f"; edit: {BUILDER}",
        "licence": combined_licence(names),
        "url": sources[0].url,
        "dataset": DATASET,
        "digital_source_type": item.digital_source_type,
        "sibling": item.sibling,
        "depicts_real_person": False,
    }


def build(out_dir: Path = HERE, only: Iterable[str] | None = None) -> list[dict]:
    """Make the generated files under ``out_dir`` and return their manifest entries.

    With ``only`` (keys), just those items are made and returned; manifest.json
    is written only by a full build.
    """
    wanted = set(only) if only is not None else None
    known = {item.key for item in ITEMS}
    if wanted and wanted - known:
        raise KeyError(f"unknown keys: {sorted(wanted - known)}")
    (out_dir / GENERATED).mkdir(parents=True, exist_ok=True)
    entries = []
    for item in ITEMS:
        if wanted is not None and item.key not in wanted:
            continue
        regions = item.make(out_dir / item.file) if item.make else []
        entries.append(manifest_entry(item, regions))
    if wanted is None:
        text = json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
        (out_dir / MANIFEST).write_text(text, encoding="utf-8")
    return entries


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Second Look demo media pack.")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: next to this script)")
    parser.add_argument("--only", nargs="+", metavar="KEY", help="build only these items (no manifest.json)")
    args = parser.parse_args(argv)
    entries = build(args.out, args.only)
    print(f"built {len(entries)} items in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
