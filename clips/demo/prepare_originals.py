"""Copy the real photographs of the demo pack into ``originals/``.

Run once, by hand, when the pack's sources change; ``build.py`` only reads what
this leaves in ``originals/``. It needs the packages unpacked somewhere:

    pip download --no-deps -d /tmp/src scikit-image        # wheel -> unzip it
    apt-get download mate-backgrounds && dpkg-deb -x mate-backgrounds_*.deb /tmp/src/mate
    python clips/demo/prepare_originals.py --skimage /tmp/src/sk/skimage/data \
        --mate /tmp/src/mate/usr/share/backgrounds/mate/nature \
        --sklearn .venv/lib/python3.11/site-packages/sklearn/datasets/images

The scikit-image and scikit-learn files are copied byte for byte. The MATE
photographs (up to 2560 px wide) are downscaled so the long side is at most
1600 px (Lanczos; GreenMeadow, 1280 px wide, keeps its size) and saved as
baseline JPEG, quality 88, without metadata: that is the only change we make
to them. See ATTRIBUTION.md for credits and licences.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
OUT = HERE / "originals"

SKIMAGE_FILES = [
    "coffee.png",
    "chelsea.png",
    "rocket.jpg",
    "coins.png",
    "hubble_deep_field.jpg",
    "clock_motion.png",
]
SKLEARN_FILES = ["china.jpg"]
# Target names are lower-case; sources are the package's own names.
MATE_FILES = {
    "Aqua.jpg": "mate-aqua.jpg",
    "Dune.jpg": "mate-dune.jpg",
    "Garden.jpg": "mate-garden.jpg",
    "GreenMeadow.jpg": "mate-greenmeadow.jpg",
    "LadyBird.jpg": "mate-ladybird.jpg",
    "RainDrops.jpg": "mate-raindrops.jpg",
    "Storm.jpg": "mate-storm.jpg",
    "TwoWings.jpg": "mate-twowings.jpg",
    "YellowFlower.jpg": "mate-yellowflower.jpg",
}
MATE_LONG_SIDE = 1600
MATE_QUALITY = 88


def downscale(src: Path, dst: Path) -> None:
    with Image.open(src) as im:
        im = im.convert("RGB")
        scale = MATE_LONG_SIDE / max(im.size)
        if scale < 1:
            size = (round(im.width * scale), round(im.height * scale))
            im = im.resize(size, Image.Resampling.LANCZOS)
        im.save(dst, "JPEG", quality=MATE_QUALITY, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skimage", type=Path, required=True)
    parser.add_argument("--sklearn", type=Path, required=True)
    parser.add_argument("--mate", type=Path, required=True)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    for name in SKIMAGE_FILES:
        shutil.copyfile(args.skimage / name, OUT / name)
    for name in SKLEARN_FILES:
        shutil.copyfile(args.sklearn / name, OUT / name)
    for src, dst in MATE_FILES.items():
        downscale(args.mate / src, OUT / dst)


if __name__ == "__main__":
    main()
