"""PDFs with a text layer, the pdfplumber engine: ruled tables by pdfplumber, text lines
around them, page by page. PDFium (``readers/pdfium.py``) is the default engine; this one
is its fallback and the reference its tests compare against.

Each page is opened once: its ruled tables are found (``find_tables``), the text lines
outside the tables' boxes are read, and both are merged top to bottom. A table that
continues on the next page simply continues in the stream; the template engine reads
rows by their labels, so a repeated header or a row cut in two costs nothing.
A merged cell is read once (pdfplumber gives ``None`` for the positions it covers).
"""

from __future__ import annotations

import io
import logging
import re
from bisect import bisect_left, bisect_right
from operator import itemgetter

from gongkai.lazyre import lazy
from gongkai.readers.base import Cell, Document, ExtractionError

# pdfminer logs every odd font at WARNING; one bad file should give one line, not fifty
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_PAGE_NUMBER = lazy(r"^[-—–－\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*/\s*共?\s*\d{1,3}\s*页?)?[-—–－\s]*$")
_LINE_BREAK = lazy(r"\s*\n\s*")
_WORD_GAP = 3.0  # pt; pdfplumber's default x_tolerance
_LINE_TOLERANCE = 3.0  # pt; characters whose tops differ less share a line


def _open(data: bytes):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # parses the page tree: corrupt files fail here
        return pdf
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ExtractionError("encrypted PDF (password required)") from None
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in repr(cause).lower():
            raise ExtractionError("encrypted PDF (password required)") from None
        raise ExtractionError(f"corrupt PDF ({_short(cause)})") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ExtractionError(f"corrupt PDF ({_short(exc)})") from None


def _short(exc: object) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def cell_text(text: str | None) -> str:
    """Join a cell's wrapped lines: vertical labels print one character per line."""
    return _LINE_BREAK.sub("", text or "").strip()


def _text_of(chars: list[dict]) -> str:
    """Characters of one line (sorted left to right) as text; a gap wider than 3pt is a space."""
    parts, previous = [], None
    for char in chars:
        if previous is not None and char["x0"] - previous["x1"] > _WORD_GAP:
            parts.append(" ")
        parts.append(char["text"])
        previous = char
    return "".join(parts)


_TOP_X0, _X0 = itemgetter("top", "x0"), itemgetter("x0")


def _lines(chars: list[dict]) -> list[tuple[float, list[dict]]]:
    """Group characters into lines by their top (within 3pt), each sorted left to right."""
    lines: list[tuple[float, list[dict]]] = []
    for char in sorted(chars, key=_TOP_X0):
        if lines and char["top"] - lines[-1][0] <= _LINE_TOLERANCE:
            lines[-1][1].append(char)
        else:
            lines.append((char["top"], [char]))
    for _, members in lines:
        members.sort(key=_X0)
    return lines


class _CellIndex:
    """Which table cell a point falls in: a grid of every cell edge, each slot -> its cell."""

    def __init__(self, table) -> None:
        self.xs = sorted({x for cell in table.cells for x in (cell[0], cell[2])})
        self.ys = sorted({y for cell in table.cells for y in (cell[1], cell[3])})
        self.slots: dict[tuple[int, int], tuple[int, int]] = {}
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                if cell is None:
                    continue
                x0, x1 = bisect_left(self.xs, cell[0]), bisect_left(self.xs, cell[2])
                y0, y1 = bisect_left(self.ys, cell[1]), bisect_left(self.ys, cell[3])
                for i in range(x0, x1):
                    for j in range(y0, y1):
                        self.slots[(i, j)] = (r, c)

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        i, j = bisect_right(self.xs, x) - 1, bisect_right(self.ys, y) - 1
        return self.slots.get((i, j))


def _table_cells(table, chars: list[dict], lost=None) -> list[list[str | None]]:
    """Like ``table.extract()`` (None for merged positions, text per cell) from the page's chars.
    ``lost`` (if given) is called for a non-space character that falls in no cell."""
    index = _CellIndex(table)
    grid: list[list[str | None]] = [["" if cell is not None else None for cell in row.cells] for row in table.rows]
    members: dict[tuple[int, int], list[dict]] = {}
    for char in chars:
        where = index.cell_at((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2)
        if where is not None:
            members.setdefault(where, []).append(char)
        elif lost is not None and not char["text"].isspace():
            lost()
    for (r, c), cell_chars in members.items():
        grid[r][c] = "\n".join(_text_of(line) for _, line in _lines(cell_chars))
    return grid


def emit_page(page_no: int, chars: list[dict], tables: list, cells: list[Cell], lines: list[str], row: int,
              lost=None) -> int:
    """Append one page's text lines and table cells, top to bottom, to ``cells``/``lines``.

    ``chars`` are dicts with text, x0, x1, top, bottom (top-down page coordinates) and
    ``tables`` objects with ``bbox``, ``cells`` and ``rows`` (pdfplumber's Table); both PDF
    engines call this, so the same characters and rulings give the same stream. Returns the
    last source row number used; ``lost`` is called for a character inside a table's box
    that falls in none of its cells."""
    items: list[tuple[float, int, object]] = []
    boxes = [t.bbox for t in tables]
    outside, inside = [], [[] for _ in tables]
    for char in chars:
        middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        for t_index, (x0, top, x1, bottom) in enumerate(boxes):
            if x0 <= middle_x <= x1 and top <= middle_y <= bottom:
                inside[t_index].append(char)
                break
        else:
            outside.append(char)
    for t_index, table in enumerate(tables, start=1):
        items.append((table.bbox[1], 1, (t_index, table, inside[t_index - 1])))
    for top, line_chars in _lines(outside):
        items.append((top, 0, _text_of(line_chars)))
    items.sort(key=lambda item: (item[0], item[1]))
    line_no = 0
    for _, kind, payload in items:
        if kind == 0:
            text = payload.strip()
            line_no += 1
            if not text or _PAGE_NUMBER.match(text):
                continue
            row += 1
            cells.append(Cell(text, row, f"page {page_no} line {line_no}"))
            lines.append(text)
            continue
        t_index, table, table_chars = payload
        table_id = page_no * 100 + t_index
        for r, table_row in enumerate(_table_cells(table, table_chars, lost), start=1):
            row += 1
            texts = []
            for c, raw in enumerate(table_row, start=1):
                if raw is None:  # covered by a merged cell
                    continue
                text = cell_text(raw)
                cells.append(Cell(text, row, f"page {page_no} table {t_index} row {r} col {c}", table_id, c))
                texts.append(text)
            lines.append("\t".join(texts))
    return row


def read_pdf(path: str, data: bytes) -> Document:
    pdf = _open(data)
    cells: list[Cell] = []
    lines: list[str] = []
    row = 0
    char_count = 0
    try:
        for page_no, page in enumerate(pdf.pages, start=1):
            try:
                chars = page.chars
                char_count += len(chars)
                if not chars:
                    continue
                has_rules = bool(page.rects or page.lines)
                tables = page.find_tables() if has_rules else []
                row = emit_page(page_no, chars, tables, cells, lines, row)
            finally:
                page.close()
        pages = len(pdf.pages)
    except ExtractionError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on damaged content streams
        raise ExtractionError(f"corrupt PDF ({_short(exc)})") from None
    finally:
        pdf.close()
    from gongkai.readers.pdfium import no_text_layer_reason, text_layer_missing

    if text_layer_missing([char_count]):
        raise ExtractionError(no_text_layer_reason(pages))
    return Document(path=path, format="pdf", cells=cells, text="\n".join(lines), info={"pages": pages})
