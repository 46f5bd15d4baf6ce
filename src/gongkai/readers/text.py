"""Plain-text and markdown renderings of reports.

Four layouts are seen in exports of real reports, and one file may mix them:

* one cell per line, indented with a tab, rows separated by blank lines (Word → text);
  a short un-indented line right after a cell continues that cell ("结果" / "纠正");
* cells ending in ``" |"``, empty cells as bare pipes (``"|||"``: three empty cells);
* one row per line with tab-separated cells (PDF → markdown), ``#`` headings;
* a page's plain text where cells are separated only by spaces (whole tables on one line).
"""

from __future__ import annotations

import re

from gongkai.lazyre import lazy
from gongkai.readers.base import Cell, Document
from gongkai.values import is_value_text

_HEADING_MARKS = lazy(r"^\s{0,3}#{1,6}\s*")
_BOLD = lazy(r"\*\*")
_SPACE_SPLIT = lazy(r"[ \t\u3000\xa0]+")
# a continuation line is a short label fragment, not prose and not a section heading
_CONTINUATION_MAX = 8
_PROSE_MARKS = lazy(r"[。，；：,;:]")
_SECTION_START = lazy(r"^\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．]")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file: BOM, then strict UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "utf-8 (with replacement characters)"


def read_text(path: str, data: bytes, fmt: str = "txt") -> Document:
    """Read a text or markdown rendering into reading-order cells, one source row per line group."""
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cells: list[Cell] = []
    row = 0
    in_tab_row = False  # inside a blank-line-delimited group of tab-indented cells
    last_was_cell = False
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\n")
        if "#" in line:
            line = _HEADING_MARKS.sub("", line)
        if "**" in line:
            line = line.replace("**", "")  # _BOLD
        where = f"line {lineno}"
        if not line.strip():
            if in_tab_row:
                row += 1
            in_tab_row = last_was_cell = False
            continue
        if line.startswith("\t") and "\t" not in line[1:]:
            # one cell per line (Word → text): the row continues until a blank line
            if not in_tab_row:
                row += 1
                in_tab_row = True
            cells.append(Cell(line[1:].strip(), row, where))
            last_was_cell = True
            continue
        if last_was_cell and in_tab_row and _is_continuation(line):
            previous = cells[-1]
            cells[-1] = Cell(previous.text + line.strip(), previous.row, previous.where)
            continue
        if in_tab_row:
            row += 1
            in_tab_row = False
        last_was_cell = False
        row += 1
        cells.extend(_split_line(line, row, where))
    return Document(path=path, format=fmt, cells=cells, text=text, info={"encoding": encoding})


def _is_continuation(line: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) <= _CONTINUATION_MAX
        and not _PROSE_MARKS.search(stripped)
        and not _SECTION_START.match(stripped)
    )


def _split_line(line: str, row: int, where: str) -> list[Cell]:
    """Split one line into cells by its own layout: pipes, tabs, or spaces around numbers."""
    stripped = line.strip()
    if stripped.endswith("|") or stripped.startswith("|"):
        return _pipe_cells(stripped, row, where)
    if "\t" in line.strip("\n"):
        parts = line.split("\t")
        return [Cell(p.strip(), row, where) for p in parts]
    tokens = [t for t in _SPACE_SPLIT.split(stripped) if t]
    if sum(1 for t in tokens if is_value_text(t)) >= 2:
        return [Cell(t, row, f"{where} token {i}") for i, t in enumerate(tokens, start=1)]
    return [Cell(stripped, row, where)]


def _pipe_cells(line: str, row: int, where: str) -> list[Cell]:
    """``"35 |"`` is one cell; every further bare ``|`` is one empty cell."""
    if not line.strip("| "):  # only pipes and spaces
        return [Cell("", row, where) for _ in range(line.count("|"))]
    parts = line.split("|")
    cells = [Cell(p.strip(), row, where) for p in parts[:-1]] if line.endswith("|") else [
        Cell(p.strip(), row, where) for p in parts
    ]
    return cells
