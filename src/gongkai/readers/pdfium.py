"""PDFs with a text layer, read with PDFium (pypdfium2): the default PDF engine.

The same cell stream and provenance as the pdfplumber engine (``readers/pdf.py``), at a
fraction of the cost: pdfplumber parses every content stream in Python (pdfminer), PDFium
does it in C. Per page:

* **characters** with their boxes: PDFium's text page; across, each character's *loose*
  box (its advance); up and down, pdfminer's box — from the baseline plus the font's
  descent, up by the font size (lines are grouped by their tops, so two fonts on one line
  must agree as they do in pdfplumber); generated spaces and line breaks dropped;
* **ruling lines**: every path object (also inside form XObjects), its segments mapped
  through the object's matrix (and each enclosing form's), classified as pdfminer does
  (a two-point path is a line, a closed axis-aligned four-point path a rectangle, anything
  else a curve) and turned into edges as pdfplumber does;
* **tables**: pdfplumber's own table finder steps (``TableFinder``: snap, join,
  intersections, cells, tables) run on those edges, so the grids are pdfplumber's by
  construction (two quadratic steps rewritten to do each point's work once);
* then :func:`gongkai.readers.pdf.emit_page` lays out lines and table cells exactly as the
  pdfplumber engine does.

The fast path declines a file (``FastPathDeclined``) when its own checks fail — a
character PDFium cannot map to Unicode, a rotated page, a character inside a table's box
that falls in no cell — and :func:`read_pdf` then reads it with pdfplumber. The engine can
be forced with ``GONGKAI_PDF_ENGINE=pdfium|pdfplumber`` (the CLI's ``--pdf-engine`` sets it,
so pool workers inherit it).

:func:`text_layer_missing` is the one place that decides "no text layer" (an image-only
scan): OCR can hook in there.
"""

from __future__ import annotations

import ctypes
import os
import re
import threading
from bisect import bisect_right

from gongkai.lazyre import lazy
from gongkai.readers.base import Cell, Document, ExtractionError

ENGINES = ("pdfium", "pdfplumber")
DEFAULT_ENGINE = "pdfium"
ENGINE_ENV = "GONGKAI_PDF_ENGINE"


# PDFium is not thread-safe: one file at a time per process (processes run in parallel)
_PDFIUM_LOCK = threading.Lock()


class FastPathDeclined(Exception):
    """The PDFium path cannot vouch for this file; read it with pdfplumber instead."""


def pdf_engine(engine: str | None = None) -> str:
    """The engine to use: the argument, else $GONGKAI_PDF_ENGINE, else PDFium."""
    chosen = (engine or os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE).strip().lower()
    if chosen not in ENGINES:
        raise ExtractionError(f"unknown PDF engine '{chosen}' (choose {' or '.join(ENGINES)})")
    return chosen


def text_layer_missing(char_counts: list[int]) -> bool:
    """True when no page has a single character: an image-only PDF (a scan), a case for OCR."""
    return not any(char_counts)


def no_text_layer_reason(pages: int) -> str:
    return f"no text layer ({pages} page(s) of images only: a scan), needs OCR"


def read_pdf(path: str, data: bytes, engine: str | None = None) -> Document:
    """Read a PDF with the chosen engine (PDFium by default, pdfplumber as its fallback)."""
    chosen = pdf_engine(engine)
    if chosen == "pdfium":
        try:
            doc = read_pdf_pdfium(path, data)
            doc.info["engine"] = "pdfium"
            return doc
        except FastPathDeclined as declined:
            reason = str(declined)
        except ExtractionError as exc:
            if not str(exc).startswith("corrupt PDF"):
                raise  # encrypted, no text layer: pdfplumber would say the same
            reason = str(exc)
        from gongkai.readers.pdf import read_pdf as read_pdf_pdfplumber

        doc = read_pdf_pdfplumber(path, data)
        doc.info["engine"] = "pdfplumber"
        doc.info["engine_fallback"] = reason
        return doc
    from gongkai.readers.pdf import read_pdf as read_pdf_pdfplumber

    doc = read_pdf_pdfplumber(path, data)
    doc.info["engine"] = "pdfplumber"
    return doc


# --- PDFium -----------------------------------------------------------------------------

def _pdfium():
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    return pdfium, raw


def open_document(data: bytes):
    """The PDFium document, or ExtractionError (encrypted / corrupt)."""
    pdfium, raw = _pdfium()
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise ExtractionError("encrypted PDF (password required)") from None
        raise ExtractionError(f"corrupt PDF (PDFium: {str(exc).strip()[:100]})") from None


_ADDRESS_FUNCTIONS: dict[str, object] = {}


def _by_address(name: str, *argtypes):
    """A private copy of a PDFium function returning a plain address (an int) instead of a
    typed pointer: no ctypes.cast per character (pypdfium2's bindings stay untouched)."""
    fn = _ADDRESS_FUNCTIONS.get(name)
    if fn is None:
        from pypdfium2_raw import bindings

        fn = bindings._libs["pdfium"][name]  # CDLL.__getitem__ makes a new function object
        fn.argtypes, fn.restype = argtypes, ctypes.c_void_p
        _ADDRESS_FUNCTIONS[name] = fn
    return fn


_UNKNOWN = object()
_SURROGATE = lazy("[\ud800-\udfff]")  # a character outside the BMP: read code points one by one


def _loose_span(font, font_size, scale, size, baseline, box, get_ascent, descent) -> float | None:
    """For a font whose loose boxes are its descent-to-ascent box (most fonts with metrics in
    their descriptor), the box height per point of size; None when they are glyph boxes."""
    ascent = ctypes.c_float()
    if size <= 0 or not get_ascent(font, font_size, ctypes.byref(ascent)) or ascent.value <= descent.value:
        return None
    low, high = baseline + descent.value * scale, baseline + ascent.value * scale
    if abs(box.bottom - low) > 0.01 or abs(box.top - high) > 0.01:
        return None
    if abs((box.bottom - baseline) - min(descent.value, 0.0) * scale) > 0.01:
        return None  # a positive descent: pdfminer's box starts at the baseline instead
    return (box.top - box.bottom) / size


def page_chars(textpage, height: float) -> list[dict]:
    """Every character of a text page as {text, x0, x1, top, bottom} (top-down coordinates),
    without the spaces and line breaks PDFium generates. Declines characters without Unicode."""
    _, raw = _pdfium()
    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (count + 1))()
    raw.FPDFText_GetText(handle, 0, count, buffer)
    units = bytes(buffer)[: 2 * count].decode("utf-16-le", errors="surrogatepass")
    if len(units) != count or _SURROGATE.search(units):
        units = "".join(chr(raw.FPDFText_GetUnicode(handle, i)) for i in range(count))
    box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    pbox, pmatrix = ctypes.byref(box), ctypes.byref(matrix)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    pox, poy = ctypes.byref(ox), ctypes.byref(oy)
    descent = ctypes.c_float()
    loose, origin = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin
    text_object = _by_address("FPDFText_GetTextObject", raw.FPDF_TEXTPAGE, ctypes.c_int)
    font_of = _by_address("FPDFTextObj_GetFont", ctypes.c_void_p)
    get_descent = _by_address("FPDFFont_GetDescent", ctypes.c_void_p, ctypes.c_float, ctypes.POINTER(ctypes.c_float))
    get_ascent = _by_address("FPDFFont_GetAscent", ctypes.c_void_p, ctypes.c_float, ctypes.POINTER(ctypes.c_float))
    generated = raw.FPDFText_IsGenerated
    fonts: dict[int | None, float | None] = {}  # font -> loose box height / font size, None: not font-based
    # per text object: (font size in page space, descent in page space); pdfminer's box runs
    # from baseline + descent up by the font size, and lines are grouped by that top
    metrics: dict[int | None, tuple[float, float]] = {}
    chars = []
    append = chars.append
    for i, text in enumerate(units):
        if text in " \r\n" and generated(handle, i) == 1:
            continue
        if text in "\x00\x02\ufffe\uffff":
            raise FastPathDeclined("a character PDFium cannot map to Unicode")
        key = text_object(handle, i)
        loose(handle, i, pbox)
        known = metrics.get(key)
        if known is None:
            font = font_of(key) if key else None
            span = fonts.get(font, _UNKNOWN)
            if span is not _UNKNOWN and span is not None:
                # a font whose loose boxes run from its descent to its ascent: the box alone
                # gives pdfminer's bottom and (through the font's span) the size
                bottom = height - box.bottom
                append({"text": text, "x0": box.left, "x1": box.right,
                        "top": bottom - (box.top - box.bottom) / span, "bottom": bottom})
                continue
            raw.FPDFText_GetMatrix(handle, i, pmatrix)
            scale = abs(matrix.d) if matrix.c == 0 else (matrix.c * matrix.c + matrix.d * matrix.d) ** 0.5
            font_size = raw.FPDFText_GetFontSize(handle, i)
            if not font or not get_descent(font, font_size, ctypes.byref(descent)):
                descent.value = 0.0
            origin(handle, i, pox, poy)
            known = metrics[key] = (font_size * scale, min(descent.value, 0.0) * scale, oy.value)
            size, down, baseline = known
            if span is _UNKNOWN and font:
                fonts[font] = _loose_span(font, font_size, scale, size, baseline, box, get_ascent, descent)
        else:
            size, down, baseline = known
            # one show-text operation keeps its baseline; ask PDFium whenever the box does
            # not straddle it (vertical writing, a glyph wholly below the baseline)
            if not box.bottom - size <= baseline <= box.top:
                origin(handle, i, pox, poy)
                baseline = oy.value
        bottom = height - (baseline + down)
        append({"text": text, "x0": box.left, "x1": box.right, "top": bottom - size, "bottom": bottom})
    return chars


def _multiply(m, n) -> tuple[float, ...]:
    """The matrix m followed by n (both a, b, c, d, e, f)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _paths(container, count, get_object, matrix, out, raw, depth=0) -> None:
    """(path object, matrix to page space) for every path, inside forms too."""
    fs = raw.FS_MATRIX()
    for i in range(count):
        obj = get_object(container, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            raw.FPDFPageObj_GetMatrix(obj, fs)
            own = (fs.a, fs.b, fs.c, fs.d, fs.e, fs.f)
            out.append((obj, own if matrix is None else _multiply(own, matrix)))
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 8:
            raw.FPDFPageObj_GetMatrix(obj, fs)
            own = (fs.a, fs.b, fs.c, fs.d, fs.e, fs.f)
            inner = own if matrix is None else _multiply(own, matrix)
            _paths(obj, raw.FPDFFormObj_CountObjects(obj), raw.FPDFFormObj_GetObject, inner, out, raw, depth + 1)


def _subpaths(obj, matrix, raw) -> list[tuple[str, list[tuple[float, float]]]]:
    """The path's subpaths as pdfminer sees them: (shape like "mlllh", end points in page space)."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    px, py = ctypes.byref(x), ctypes.byref(y)
    out: list[tuple[str, list[tuple[float, float]]]] = []
    shape: list[str] = []
    pts: list[tuple[float, float]] = []
    bezier = 0
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        kind = raw.FPDFPathSegment_GetType(seg)
        raw.FPDFPathSegment_GetPoint(seg, px, py)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if shape:
                out.append(("".join(shape), pts))
            shape, pts, bezier = ["m"], [point], 0
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier == 3:  # two control points, then the end point: one "c"
                shape.append("c")
                pts.append(point)
                bezier = 0
        else:
            shape.append("l")
            pts.append(point)
        if raw.FPDFPathSegment_GetClose(seg) and shape:
            shape.append("h")
            pts.append(pts[0])
    if shape:
        out.append(("".join(shape), pts))
    return out


def _edge(x0, x1, top, bottom, orientation) -> dict:
    return {"object_type": "edge", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation}


def page_edges(page, height: float) -> tuple[list[dict], bool]:
    """pdfplumber's ``page.edges`` from PDFium's path objects, and whether the page has any
    line or rectangle (pdfplumber looks for tables only then)."""
    _, raw = _pdfium()
    found: list = []
    _paths(page.raw, raw.FPDFPage_CountObjects(page.raw), raw.FPDFPage_GetObject, None, found, raw)
    edges: list[dict] = []
    has_rules = False
    for obj, matrix in found:
        for shape, pts in _subpaths(obj, matrix, raw):
            if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
                shape = shape[:-2] + "h"
                pts = pts[:-2] + pts[-1:]
            flipped = [(px, height - py) for px, py in pts]
            if shape in ("mlh", "ml"):
                (xa, ta), (xb, tb) = flipped[0], flipped[1]
                x0, x1, top, bottom = min(xa, xb), max(xa, xb), min(ta, tb), max(ta, tb)
                edges.append(_edge(x0, x1, top, bottom, "h" if top == bottom else "v"))
                has_rules = True
                continue
            if shape in ("mlllh", "mllll"):
                (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
                closed = pts[0] == pts[4]
                square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                    y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
                if closed and square:
                    xs, tops = [p[0] for p in flipped], [p[1] for p in flipped]
                    left, right, top, bottom = min(xs), max(xs), min(tops), max(tops)
                    edges.append(_edge(left, right, top, top, "h"))
                    edges.append(_edge(left, right, bottom, bottom, "h"))
                    edges.append(_edge(left, left, top, bottom, "v"))
                    edges.append(_edge(right, right, top, bottom, "v"))
                    has_rules = True
                    continue
            if not shape.startswith("m"):
                continue
            for (xa, ta), (xb, tb) in zip(flipped, flipped[1:]):
                orientation = "v" if xa == xb else ("h" if ta == tb else None)
                edges.append(_edge(min(xa, xb), max(xa, xb), min(ta, tb), max(ta, tb), orientation))
    return edges, has_rules


class _EdgePage:
    """What pdfplumber's TableFinder reads from a page when both strategies are "lines"."""

    def __init__(self, edges: list[dict], width: float, height: float) -> None:
        self.edges = edges
        self.bbox = (0, 0, width, height)


def find_tables(edges: list[dict], width: float, height: float) -> list:
    """pdfplumber's tables (default settings, both strategies "lines") from the given edges:
    ``TableFinder``'s steps with pdfplumber's own edge merging and cell grouping, and the two
    quadratic steps (intersections, smallest cells) computed once per point instead of once
    per pair — the same results (see tests/test_pdf_engines.py)."""
    from pdfplumber import utils
    from pdfplumber.table import Table, TableSettings, cells_to_tables, merge_edges

    settings = TableSettings.resolve({})
    v = utils.filter_edges(edges, "v", min_length=settings.edge_min_length_prefilter)
    h = utils.filter_edges(edges, "h", min_length=settings.edge_min_length_prefilter)
    merged = merge_edges(list(v) + list(h), snap_x_tolerance=settings.snap_x_tolerance,
                         snap_y_tolerance=settings.snap_y_tolerance, join_x_tolerance=settings.join_x_tolerance,
                         join_y_tolerance=settings.join_y_tolerance)
    merged = utils.filter_edges(merged, min_length=settings.edge_min_length)
    intersections = edges_to_intersections(merged, settings.intersection_x_tolerance,
                                           settings.intersection_y_tolerance)
    cells = intersections_to_cells(intersections)
    page = _EdgePage(edges, width, height)
    return [_Grid(Table(page, group)) for group in cells_to_tables(cells)]


class _Grid:
    """A pdfplumber Table's bbox, cells and rows, computed once (Table recomputes them on
    every access)."""

    __slots__ = ("bbox", "cells", "rows")

    def __init__(self, table) -> None:
        self.bbox = table.bbox
        self.cells = table.cells
        self.rows = table.rows


def edges_to_intersections(edges: list[dict], x_tolerance: float = 1, y_tolerance: float = 1) -> dict:
    """pdfplumber.table.edges_to_intersections, with the horizontal edges sorted once."""
    from operator import itemgetter

    intersections: dict = {}
    v_edges = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    h_edges = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    for v in v_edges:
        vx, vtop, vbottom = v["x0"], v["top"], v["bottom"]
        for h in h_edges:
            htop = h["top"]
            if vtop <= htop + y_tolerance and vbottom >= htop - y_tolerance and \
                    h["x0"] - x_tolerance <= vx <= h["x1"] + x_tolerance:
                vertex = (vx, htop)
                found = intersections.get(vertex)
                if found is None:
                    found = intersections[vertex] = {"v": [], "h": []}
                found["v"].append(v)
                found["h"].append(h)
    return intersections


def intersections_to_cells(intersections: dict) -> list[tuple]:
    """pdfplumber.table.intersections_to_cells, each point's edge sets built once: for every
    point (sorted), the first point below and the first point right joined to it by an edge
    whose opposite corner is joined to both."""
    def box(e):
        return (e["x0"], e["top"], e["x1"], e["bottom"])

    points = sorted(intersections)
    vsets = {p: {box(e) for e in intersections[p]["v"]} for p in points}
    hsets = {p: {box(e) for e in intersections[p]["h"]} for p in points}
    by_x: dict[float, list] = {}
    by_y: dict[float, list] = {}
    for p in points:  # sorted by (x, y): each list is in the order pdfplumber scans it
        by_x.setdefault(p[0], []).append(p)
        by_y.setdefault(p[1], []).append(p)
    by_y = {y: sorted(ps) for y, ps in by_y.items()}
    # the points after each point in its column (below it) and in its row (right of it)
    below_of = {p: column[i + 1:] for column in by_x.values() for i, p in enumerate(column)}
    right_of = {p: row[i + 1:] for row in by_y.values() for i, p in enumerate(row)}

    def connects(p1, p2) -> bool:
        if p1[0] == p2[0] and not vsets[p1].isdisjoint(vsets[p2]):
            return True
        return p1[1] == p2[1] and not hsets[p1].isdisjoint(hsets[p2])

    cells = []
    for pt in points[:-1]:
        below, right = below_of[pt], right_of[pt]
        found = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in vsets and connects(corner, right_pt) and connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _lost_character() -> None:
    raise FastPathDeclined("a character inside a table falls in no cell")


def read_pdf_pdfium(path: str, data: bytes) -> Document:
    """Read a PDF with PDFium; ExtractionError for unreadable files, FastPathDeclined when
    the fast path's own checks fail."""
    with _PDFIUM_LOCK:
        return _read_pdf_pdfium(path, data)


def _read_pdf_pdfium(path: str, data: bytes) -> Document:
    from gongkai.readers.pdf import emit_page

    pdf = open_document(data)
    cells: list[Cell] = []
    lines: list[str] = []
    row = 0
    counts: list[int] = []
    try:
        pages = len(pdf)
        for page_no in range(1, pages + 1):
            page = pdf[page_no - 1]
            try:
                if page.get_rotation() % 360:
                    raise FastPathDeclined("a rotated page")
                width, height = page.get_size()
                textpage = page.get_textpage()
                try:
                    chars = page_chars(textpage, height)
                finally:
                    textpage.close()
                counts.append(len(chars))
                if not chars:
                    continue
                edges, has_rules = page_edges(page, height)
                tables = find_tables(edges, width, height) if has_rules else []
                row = emit_page(page_no, chars, tables, cells, lines, row, lost=_lost_character)
            finally:
                page.close()
    except (ExtractionError, FastPathDeclined):
        raise
    except Exception as exc:  # noqa: BLE001 - PDFium errors on damaged pages
        raise ExtractionError(f"corrupt PDF ({type(exc).__name__}: {str(exc)[:100]})") from None
    finally:
        pdf.close()
    if text_layer_missing(counts):
        raise ExtractionError(no_text_layer_reason(pages))
    return Document(path=path, format="pdf", cells=cells, text="\n".join(lines), info={"pages": pages})
