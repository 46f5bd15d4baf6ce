"""Page geometry from the ruling lines: skew angle, deskew, and table grids with merged cells.

All functions take a grayscale uint8 page (ink dark on light paper) as a numpy array.

* `skew_angle`: long horizontal ruling lines (and underlines) found by a horizontal opening;
  each long line's slope is fitted, the width-weighted median is the page's skew.
* `deskew`: rotate the page about its centre by that angle (white fill).
* `find_grids`: tables as connected ruling-line structures; rows from the horizontal lines;
  in each band between two consecutive horizontal lines, a column boundary is a vertical
  run of ink that covers (nearly) the band's whole height — characters never do, even in a
  vertical label, because a cell pads its text. Slots of adjacent bands with the same
  boundaries merge when the horizontal line between them is missing there (a row-spanning
  cell). Rows and columns are numbered the way pdfplumber numbers a table (distinct cell
  tops, distinct cell lefts), so OCR provenance reads like the PDF reader's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_MIN_TABLE_WIDTH = 0.25  # of the page width
_BAND_COVERAGE = 0.95  # share of a band's interior rows a column boundary covers
_MIN_BAND = 14  # px: interior height of a band between two lines
_MIN_SLOT = 10  # px: narrowest cell


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255, paper as 0 (Otsu on a lightly smoothed page: survives noise and JPEG)."""
    import cv2

    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    _, bw = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return bw


def _open(bw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))


def skew_angle(gray: np.ndarray, bw: np.ndarray | None = None) -> float:
    """The page's skew in degrees (positive: lines fall to the right), from long lines."""
    import cv2

    bw = binarize(gray) if bw is None else bw
    height, width = bw.shape
    k = max(20, width // 60)
    horiz = _open(bw, (k, 1))
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horiz, connectivity=8)
    angles, weights = [], []
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if w < width * 0.2 or h > w * 0.06 + 12:
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(float(w))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


def deskew(gray: np.ndarray, angle: float) -> np.ndarray:
    """The page rotated so that its ruling lines are level (no-op below 0.05°)."""
    import cv2

    if abs(angle) < 0.05:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


@dataclass(slots=True)
class GridCell:
    """One cell of a table grid: pixel box (x0, y0, x1, y1) and pdfplumber-style row/col."""

    box: tuple[int, int, int, int]
    row: int
    col: int


@dataclass(slots=True)
class Grid:
    """A table on a page: its box and its cells (merged cells once, at their top-left)."""

    box: tuple[int, int, int, int]
    cells: list[GridCell] = field(default_factory=list)

    def cell_at(self, x: float, y: float) -> int | None:
        """Index of the cell containing the point, or None."""
        for index, cell in enumerate(self.cells):
            x0, y0, x1, y1 = cell.box
            if x0 <= x < x1 and y0 <= y < y1:
                return index
        return None


def _runs(flags: np.ndarray, max_gap: int = 1) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True, joining gaps up to ``max_gap``."""
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    runs, start, prev = [], int(idx[0]), int(idx[0])
    for i in idx[1:]:
        i = int(i)
        if i - prev > max_gap + 1:
            runs.append((start, prev + 1))
            start = i
        prev = i
    runs.append((start, prev + 1))
    return runs


def line_masks(bw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling-line masks of a (deskewed) binarized page."""
    height, width = bw.shape
    # longer than any stroke of bold, blurred header text; shorter than the narrowest cell
    horiz = _open(bw, (max(60, width // 25), 1))
    vert = _open(bw, (1, max(20, height // 120)))
    return horiz, vert


def find_grids(bw: np.ndarray) -> tuple[list[Grid], np.ndarray]:
    """The tables of a deskewed, binarized page, top to bottom; and the ruling-line mask."""
    import cv2

    height, width = bw.shape
    horiz, vert = line_masks(bw)
    lines = cv2.bitwise_or(horiz, vert)
    joined = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    grids = []
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if w < width * _MIN_TABLE_WIDTH or h < 30:
            continue
        grid = _grid(bw, horiz, (int(x), int(y), int(x + w), int(y + h)))
        if grid is not None:
            grids.append(grid)
    grids.sort(key=lambda g: g.box[1])
    return grids, lines


def _grid(bw: np.ndarray, horiz: np.ndarray, box: tuple[int, int, int, int]) -> Grid | None:
    x0, y0, x1, y1 = box
    region_h = horiz[y0:y1, x0:x1] > 0
    width = x1 - x0
    row_ink = region_h.sum(axis=1)
    hlines = _runs(row_ink >= max(60, width * 0.04), max_gap=1)
    if len(hlines) < 2:
        return None
    ink = bw[y0:y1, x0:x1] > 0
    # a vertical ruling may drift a pixel inside a band after deskewing: widen by one pixel
    ink_wide = ink.copy()
    ink_wide[:, 1:] |= ink[:, :-1]
    ink_wide[:, :-1] |= ink[:, 1:]
    slots: list[tuple[int, int, int]] = []  # (band, left, right) in region coordinates
    bands = []
    for band, ((_, top_end), (bottom_start, _)) in enumerate(zip(hlines, hlines[1:])):
        bands.append((top_end, bottom_start))
        if bottom_start - top_end < _MIN_BAND:
            continue
        interior = ink_wide[top_end:bottom_start]
        coverage = interior.mean(axis=0)
        seps = [(a + b) // 2 for a, b in _runs(coverage >= _BAND_COVERAGE, max_gap=1)]
        for left, right in zip(seps, seps[1:]):
            if right - left >= _MIN_SLOT:
                slots.append((band, left, right))
    if not slots:
        return None
    # snap boundaries to shared positions so columns line up across bands
    xs = sorted({s[1] for s in slots} | {s[2] for s in slots})
    snapped: dict[int, int] = {}
    cluster: list[int] = []
    for x in xs + [10**9]:
        if cluster and x - cluster[-1] > 4:
            centre = int(round(sum(cluster) / len(cluster)))
            for member in cluster:
                snapped[member] = centre
            cluster = []
        cluster.append(x)
    slots = [(b, snapped[l], snapped[r]) for b, l, r in slots]
    # merge a slot into the one above when the line between them is missing over its width
    parent = list(range(len(slots)))
    by_key = {(b, l, r): i for i, (b, l, r) in enumerate(slots)}
    for i, (band, left, right) in enumerate(slots):
        above = by_key.get((band - 1, left, right))
        if above is None:
            continue
        line_top, line_bottom = hlines[band]
        segment = region_h[line_top:line_bottom, left + 3:max(left + 4, right - 2)]
        if segment.size and segment.any(axis=0).mean() < 0.5:
            parent[i] = parent[above]
    groups: dict[int, list[int]] = {}
    for i in range(len(slots)):
        root = i
        while parent[root] != root:
            root = parent[root]
        groups.setdefault(root, []).append(i)
    boxes = []
    for members in groups.values():
        first_band = min(slots[m][0] for m in members)
        last_band = max(slots[m][0] for m in members)
        left, right = slots[members[0]][1], slots[members[0]][2]
        top = hlines[first_band][1]
        bottom = hlines[last_band + 1][0]
        boxes.append((first_band, left, right, top, bottom))
    tops = sorted({b[0] for b in boxes})
    lefts = sorted({b[1] for b in boxes})
    cells = [
        GridCell((x0 + left, y0 + top, x0 + right, y0 + bottom), tops.index(band) + 1, lefts.index(left) + 1)
        for band, left, right, top, bottom in sorted(boxes, key=lambda b: (b[0], b[1]))
    ]
    return Grid(box, cells)
