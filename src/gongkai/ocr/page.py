"""One page image → table cells and text lines, each with a box and a confidence.

    deskew -> grids -> full-page OCR boxes -> boxes into cells -> re-read empty/suspect cells

A text box belongs to the cell holding its centre. A cell is re-read from its own crop
(ruling lines erased, cropped to its ink, recognised as one line) when it is empty but has
ink (a lone digit the detector missed), when a box reaches across a column boundary into
it, when its confidence is low, or when its text mixes digits with other characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from gongkai.ocr import grid as G

SUSPECT_SCORE = 0.90  # a box below this is re-read from the cell's crop
_MIN_INK = 12  # px of ink (after erasing rulings) that make a cell non-empty
_PAD = 10
_NUMERIC_NOISE = re.compile(r"\d")
_NUMBER = re.compile(r"^[-+—－]?\d[\d,，.]*$")


@dataclass(slots=True)
class OcrCell:
    """A table cell as read: text, confidence (0-1), pixel box on the deskewed page."""

    text: str
    confidence: float
    box: tuple[int, int, int, int]
    row: int
    col: int
    reread: bool = False


@dataclass(slots=True)
class OcrTable:
    box: tuple[int, int, int, int]
    cells: list[OcrCell] = field(default_factory=list)


@dataclass(slots=True)
class OcrLine:
    text: str
    confidence: float
    box: tuple[int, int, int, int]


@dataclass(slots=True)
class OcrPage:
    """A read page: its deskewed image (kept for re-reading), skew, tables and text lines."""

    number: int
    image: np.ndarray
    skew: float
    tables: list[OcrTable] = field(default_factory=list)
    lines: list[OcrLine] = field(default_factory=list)
    line_mask: np.ndarray | None = None


def prepare(gray: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, list[G.Grid], np.ndarray]:
    """Deskewed page, its skew, binarized page, grids and ruling-line mask (no OCR yet)."""
    bw = G.binarize(gray)
    angle = G.skew_angle(gray, bw)
    if abs(angle) >= 0.05:
        gray = G.deskew(gray, angle)
        bw = G.binarize(gray)
    grids, lines = G.find_grids(bw)
    return gray, angle, bw, grids, lines


def read_page(number: int, gray: np.ndarray, prepared: tuple | None = None) -> OcrPage:
    """OCR one page image (grayscale uint8); ``prepared`` is `prepare(gray)` when already done."""
    from gongkai.ocr import stats
    from gongkai.ocr.engine import recognise

    stats.PAGES_READ += 1
    gray, angle, bw, grids, lines = prepared if prepared is not None else prepare(gray)
    page = OcrPage(number, gray, angle, line_mask=lines)
    boxes = recognise(gray)
    per_cell: list[dict[int, list]] = [dict() for _ in grids]
    suspects: list[set[int]] = [set() for _ in grids]
    outside = []
    for box, text, score in boxes:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        for t, grid in enumerate(grids):
            gx0, gy0, gx1, gy1 = grid.box
            if gx0 <= cx <= gx1 and gy0 <= cy <= gy1:
                index = grid.cell_at(cx, cy)
                if index is None:
                    break
                per_cell[t].setdefault(index, []).append((box, text, score))
                cell_box = grid.cells[index].box
                if box[0] < cell_box[0] - 8 or box[2] > cell_box[2] + 8:
                    suspects[t].add(index)  # reaches into a neighbour: read each cell alone
                    for probe in (box[0] + 4, box[2] - 4):
                        other = grid.cell_at(probe, cy)
                        if other is not None:
                            suspects[t].add(other)
                break
        else:
            outside.append((box, text, score))
    for t, grid in enumerate(grids):
        table = OcrTable(grid.box)
        for index, cell in enumerate(grid.cells):
            found = per_cell[t].get(index, [])
            text, confidence = _join(found)
            ocr_cell = OcrCell(text, confidence, cell.box, cell.row, cell.col)
            suspect = (index in suspects[t] or confidence < SUSPECT_SCORE
                       or (not text) or _mixed_number(text))
            if suspect:
                reread = reread_cell(page, cell.box)
                if reread is not None:
                    new_text, new_conf = reread
                    if not text or index in suspects[t] or new_conf > confidence:
                        ocr_cell.text, ocr_cell.confidence, ocr_cell.reread = new_text, new_conf, True
                elif not text or index in suspects[t]:
                    # no ink of its own: really blank (a neighbour's box only reached over)
                    ocr_cell.text, ocr_cell.confidence, ocr_cell.reread = "", 1.0, bool(text)
            table.cells.append(ocr_cell)
        page.tables.append(table)
    page.lines = _text_lines(outside)
    return page


def _mixed_number(text: str) -> bool:
    """Digits mixed with other characters in a short cell: probably a misread number."""
    compact = text.replace(" ", "")
    return (len(compact) <= 8 and bool(_NUMERIC_NOISE.search(compact)) and not _NUMBER.match(compact)
            and not re.search(r"[\u4e00-\u9fff]", compact))


def _join(found: list) -> tuple[str, float]:
    """Boxes of one cell in reading order: lines top to bottom joined without separators."""
    if not found:
        return "", 1.0
    found = sorted(found, key=lambda f: (f[0][1], f[0][0]))
    lines: list[list] = []
    for item in found:
        middle = (item[0][1] + item[0][3]) / 2
        if lines and abs(middle - lines[-1][-1][3]) < (item[0][3] - item[0][1]) / 2:
            lines[-1].append((item[0][0], item[1], item[2], middle))
        else:
            lines.append([(item[0][0], item[1], item[2], middle)])
    texts = [" ".join(t for _, t, _, _ in sorted(line)) for line in lines]
    return "".join(texts).strip(), min(f[2] for f in found)


def _text_lines(outside: list) -> list[OcrLine]:
    """Text boxes outside tables grouped into lines (same baseline band), left to right."""
    result: list[list] = []
    for box, text, score in sorted(outside, key=lambda f: (f[0][1] + f[0][3]) / 2):
        middle = (box[1] + box[3]) / 2
        if result:
            last = result[-1]
            lb = last[0][0]
            if abs(middle - (lb[1] + lb[3]) / 2) < (box[3] - box[1]) / 2:
                last.append((box, text, score))
                continue
        result.append([(box, text, score)])
    lines = []
    for members in result:
        members.sort(key=lambda m: m[0][0])
        text = " ".join(m[1] for m in members).strip()
        box = (int(min(m[0][0] for m in members)), int(min(m[0][1] for m in members)),
               int(max(m[0][2] for m in members)), int(max(m[0][3] for m in members)))
        lines.append(OcrLine(text, min(m[2] for m in members), box))
    return lines


def cell_ink(page: OcrPage, box: tuple[int, int, int, int], margin: int = 2) -> np.ndarray | None:
    """The cell's crop with ruling-line remnants erased, cut to its ink (None: no ink).

    A remnant is a row or column of the crop that is ink over 85% of its length: text never
    is (a cell pads its text), a ruling that the crop grazed always is.
    """
    import cv2

    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + margin, y0 + margin, x1 - margin, y1 - margin
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    gray = page.image[y0:y1, x0:x1]
    context = page.image[max(0, y0 - 20):y1 + 20, max(0, x0 - 20):x1 + 20]
    ink = G.binarize(context)[y0 - max(0, y0 - 20):, x0 - max(0, x0 - 20):][: y1 - y0, : x1 - x0].copy()
    on = ink > 0
    full_rows = on.mean(axis=1) > 0.85
    full_cols = on.mean(axis=0) > 0.85
    for flags, axis in ((full_rows, 0), (full_cols, 1)):
        grown = flags.copy()
        grown[1:] |= flags[:-1]
        grown[:-1] |= flags[1:]
        if axis == 0:
            ink[grown, :] = 0
        else:
            ink[:, grown] = 0
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = [i for i in range(1, count) if stats[i][4] >= 4]
    if sum(stats[i][4] for i in keep) < _MIN_INK:
        return None
    left = min(stats[i][0] for i in keep)
    top = min(stats[i][1] for i in keep)
    right = max(stats[i][0] + stats[i][2] for i in keep)
    bottom = max(stats[i][1] + stats[i][3] for i in keep)
    if bottom - top < 6:
        return None
    crop = np.full((bottom - top + 2 * _PAD, right - left + 2 * _PAD), 255, np.uint8)
    piece = gray[top:bottom, left:right].copy()
    erased = ink[top:bottom, left:right] == 0
    piece[erased] = np.maximum(piece[erased], 200)  # fade what is not ink (remnants, specks)
    crop[_PAD:_PAD + bottom - top, _PAD:_PAD + right - left] = piece
    return crop


def reread_cell(page: OcrPage, box: tuple[int, int, int, int], variant: int = 0) -> tuple[str, float] | None:
    """Recognise one cell from its own crop; None when the cell holds no ink.

    ``variant`` picks the preprocessing: 0 the crop as it is; 1 doubled and binarized;
    2 detection + recognition on the padded crop (several lines of text).
    """
    import cv2

    from gongkai.ocr.engine import recognise

    crop = cell_ink(page, box)
    if crop is None:
        return None
    if variant == 1:
        crop = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        _, crop = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    lines_of_text = crop.shape[0] > 70 and variant != 1
    if variant == 2 or lines_of_text:
        found = recognise(crop, detect=True)
        if not found:
            found = recognise(crop, detect=False)
        if not found:
            return "", 0.0
        text, confidence = _join(found)
        return text, confidence
    found = recognise(crop, detect=False)
    if not found:
        return "", 0.0
    return found[0][1].strip(), found[0][2]


def leading_stroke(page: OcrPage, box: tuple[int, int, int, int]) -> bool:
    """Whether a short level stroke stands left of the cell's digits, at mid-height: a minus sign.

    The recogniser can drop a minus that a noisy scan has shrunk or joined to the next digit
    ("-44" read as "44" with confidence 1.0), so the ink decides. From the first inked column
    of the digits' band (one digit-height left of the first digit onwards), columns whose ink
    is a thin band (at most a quarter of the digit height, within 30-85% of it, its top level)
    are counted; four or more (and a fifth of the digit height) are a stroke. Digits start
    with a vertical or slanted stroke, a curve or a top bar: on the gold reports scanned at
    150 and 200 dpi (6,867 grid cells) only the cells printing "-14" and "-44" showed one.
    """
    import cv2

    crop = cell_ink(page, box)
    if crop is None:
        return False
    ink = (G.binarize(crop) > 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    kept = [i for i in range(1, count) if stats[i][4] >= 8]
    if not kept:
        return False
    tallest = max(stats[i][3] for i in kept)
    digits = [i for i in kept if stats[i][3] >= 0.6 * tallest]
    top = min(stats[i][1] for i in digits)
    bottom = max(stats[i][1] + stats[i][3] for i in digits)
    height = bottom - top
    if height < 8:
        return False
    first = min(stats[i][0] for i in digits)
    band = np.isin(labels[top:bottom, max(0, first - height):], kept)
    inked = np.flatnonzero(band.any(axis=0))
    if inked.size == 0:
        return False
    tops: list[int] = []
    for x in range(int(inked[0]), band.shape[1]):
        ys = np.flatnonzero(band[:, x])
        if ys.size == 0 or ys[-1] - ys[0] + 1 > max(2, 0.25 * height):
            break
        if ys[0] < 0.3 * height or ys[-1] > 0.85 * height:
            break
        tops.append(int(ys[0]))
    return len(tops) >= max(4, 0.2 * height) and max(tops) - min(tops) <= max(1, 0.1 * height)
