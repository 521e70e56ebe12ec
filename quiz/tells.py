"""Spot the tell: did the learner point at a real tell region? Pure geometry, no database.

Regions come from ``Clip.regions`` in relative coordinates (0..1):
``{"x", "y", "w", "h"}``. A point counts when it lies inside a region grown by
``TOLERANCE`` on every side (a finger or a mouse is not a pixel); a 3x3 grid
cell counts when a region covers at least ``MIN_CELL_OVERLAP`` of the frame
inside it across and down, or half the region's own size where the region is
smaller than that (a region typed to four decimals grazes its neighbouring
cells by a few hundred-thousandths: that is not pointing at it; a tell of a few
pixels is found in the cell that holds it).
"""

from __future__ import annotations

from collections.abc import Iterable

TOLERANCE = 0.05
GRID = 3
MIN_CELL_OVERLAP = 0.02


def _boxes(regions: Iterable[dict]) -> list[tuple[float, float, float, float]]:
    boxes = []
    for r in regions or []:
        try:
            boxes.append((float(r["x"]), float(r["y"]), float(r["w"]), float(r["h"])))
        except (KeyError, TypeError, ValueError):
            continue
    return boxes


def point_in_regions(x: float, y: float, regions: Iterable[dict], tolerance: float = TOLERANCE) -> bool:
    return any(
        bx - tolerance <= x <= bx + bw + tolerance and by - tolerance <= y <= by + bh + tolerance
        for bx, by, bw, bh in _boxes(regions)
    )


def cell_box(cell: str) -> tuple[float, float, float, float]:
    """(x, y, w, h) of a grid cell named "row,column"."""
    row, column = (int(part) for part in cell.split(","))
    if not (0 <= row < GRID and 0 <= column < GRID):
        raise ValueError(f"grid cell out of range: {cell!r}")
    return column / GRID, row / GRID, 1 / GRID, 1 / GRID


def cell_overlaps_regions(cell: str, regions: Iterable[dict]) -> bool:
    cx, cy, cw, ch = cell_box(cell)

    def covers(a: float, a_len: float, b: float, b_len: float) -> bool:
        inside = min(a + a_len, b + b_len) - max(a, b)
        # 1e-9: a region split exactly in half by a cell edge is in both halves, whatever the rounding.
        return inside > 0 and inside >= min(MIN_CELL_OVERLAP, a_len / 2) - 1e-9

    return any(covers(bx, bw, cx, cw) and covers(by, bh, cy, ch) for bx, by, bw, bh in _boxes(regions))


def tell_found(*, regions: Iterable[dict], point: tuple[float, float] | None, cell: str = "") -> bool | None:
    """True/False when the learner pointed and the clip has box regions; None otherwise."""
    boxes = list(regions or [])
    if not _boxes(boxes) or (point is None and not cell):
        return None
    if point is not None:
        return point_in_regions(point[0], point[1], boxes)
    return cell_overlaps_regions(cell, boxes)
