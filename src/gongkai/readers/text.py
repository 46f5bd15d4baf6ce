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
# _SPACE_SPLIT, _PROSE_MARKS and _SECTION_START document what _tokens, _PROSE_CHARS and
# _section_start do without compiling them (~0.8 ms of every text file's start-up, for their
# CJK classes); tests/test_startup_patterns.py checks that they agree
_SPACE_SPLIT = lazy(r"[ \t\u3000\xa0]+")
# a continuation line is a short label fragment, not prose and not a section heading
_CONTINUATION_MAX = 8
_PROSE_MARKS = lazy(r"[。，；：,;:]")
_PROSE_CHARS = frozenset("。，；：,;:")
_SECTION_START = lazy(r"^\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．]")
_NUMERALS = frozenset("一二三四五六七八九十")


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)


def _plausible(text: str) -> float:
    """Share of characters a report prints: letters, digits, punctuation, whitespace."""
    if not text:
        return 0.0
    return sum(1 for ch in text if ch.isprintable() or ch.isspace()) / len(text)


def _wide_codec(sample: bytes) -> str | None:
    """UTF-16/32 told apart by where NUL bytes fall (ASCII digits, spaces, newlines)."""
    zeros = [sample[k::4].count(0) for k in range(4)]
    quarter = max(1, len(sample) // 4)
    if zeros[2] > 0.9 * quarter and zeros[3] > 0.9 * quarter:
        return "utf-32-le"
    if zeros[0] > 0.9 * quarter and zeros[1] > 0.9 * quarter:
        return "utf-32-be"
    odd, even = zeros[1] + zeros[3], zeros[0] + zeros[2]
    if odd > 3 * max(1, even):
        return "utf-16-le"
    if even > 3 * max(1, odd):
        return "utf-16-be"
    return None


def _without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16/32 without a byte-order mark, recognised by where its NUL bytes fall."""
    sample = data[:65536]
    if sample.count(0) < max(2, len(sample) // 64):
        return None  # too few NULs for a wide encoding (NUL bytes in UTF-8/GBK are handled by the caller)
    codec = _wide_codec(sample)
    if codec is None:
        return None
    width = 4 if "32" in codec else 2
    try:
        text = data[: len(data) - len(data) % width].decode(codec)
    except UnicodeDecodeError:
        return None
    return (text, f"{codec} (no byte-order mark)") if _plausible(text[:20000]) > 0.95 else None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file: BOM, UTF-16/32 by their NUL pattern, strict UTF-8, then GB18030.

    NUL bytes left in UTF-8 or GB18030 text (a damaged export) are dropped, so they neither
    split a line nor make one report into two.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace").replace("\x00", ""), codec
    wide = _without_bom(data)
    if wide:
        return wide[0].replace("\x00", ""), wide[1]
    cleaned = data.replace(b"\x00", b"") if b"\x00" in data else data
    suffix = " (NUL bytes removed)" if cleaned is not data else ""
    try:
        return cleaned.decode("utf-8"), "utf-8" + suffix
    except UnicodeDecodeError:
        pass
    try:
        return cleaned.decode("gb18030"), "gb18030" + suffix
    except UnicodeDecodeError:
        return cleaned.decode("utf-8", errors="replace"), "utf-8 (with replacement characters)" + suffix


def read_text(path: str, data: bytes, fmt: str = "txt") -> Document:
    """Read a text or markdown rendering into reading-order cells, one source row per line group."""
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cells: list[Cell] = []
    row = 0
    in_tab_row = False  # inside a blank-line-delimited group of tab-indented cells
    last_was_cell = False
    flattened: list[dict] = []
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
        # table cells glued together (gongkai.flattened)
        if "本年新收" in line and _SEVEN_DIGITS.search(line) and _looks_flattened(line):
            from gongkai.flattened import flattened_cells

            decoded, row, report = flattened_cells(line, row, where)
            cells.extend(decoded)
            flattened.append(report)
            continue
        cells.extend(_split_line(line, row, where))
    info = {"encoding": encoding}
    if flattened:
        info["flattened"] = flattened[0] if len(flattened) == 1 else flattened
    return Document(path=path, format=fmt, cells=cells, text=text, info=info)


_SEVEN_DIGITS = lazy(r"[0-9]{7}")  # a glued run is 7+ digits: a line without one is not flattened


def _looks_flattened(line: str) -> bool:
    """gongkai.flattened.looks_flattened, imported only for a line that may need it (~3 ms of
    start-up that a text without a table-三 line glued into one digit run never pays)."""
    from gongkai.flattened import looks_flattened

    return looks_flattened(line)


def _is_continuation(line: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) <= _CONTINUATION_MAX
        and _PROSE_CHARS.isdisjoint(stripped)  # not _PROSE_MARKS.search(stripped)
        and not _section_start(stripped)
    )


def _section_start(text: str) -> bool:
    """``_SECTION_START.match(text)``: optional whitespace (``str.isspace``, as ``\\s``), Chinese
    numerals or one or two digits (``str.isdecimal``, as ``\\d``), optional whitespace, 、 . or ．."""
    at, end = 0, len(text)
    while at < end and text[at].isspace():
        at += 1
    begin = at
    while at < end and text[at] in _NUMERALS:
        at += 1
    if at == begin:
        while at < end and at - begin < 2 and text[at].isdecimal():
            at += 1
        if at == begin:
            return False
    while at < end and text[at].isspace():
        at += 1
    return at < end and text[at] in "、.．"


def _tokens(text: str) -> list[str]:
    """``[t for t in _SPACE_SPLIT.split(text) if t]``: split at spaces, tabs, U+3000 and U+00A0."""
    return [t for t in text.replace("\t", " ").replace("\u3000", " ").replace("\xa0", " ").split(" ") if t]


def _split_line(line: str, row: int, where: str) -> list[Cell]:
    """Split one line into cells by its own layout: pipes, tabs, or spaces around numbers."""
    stripped = line.strip()
    if stripped.endswith("|") or stripped.startswith("|"):
        return _pipe_cells(stripped, row, where)
    if "\t" in line.strip("\n"):
        parts = line.split("\t")
        return [Cell(p.strip(), row, where) for p in parts]
    tokens = _tokens(stripped)
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
