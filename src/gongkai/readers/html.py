"""Web pages and page fragments: decode correctly, then text lines and table cells in order.

Decoding: a BOM, then the charset the page declares (``<meta charset>`` or
``http-equiv``), checked strictly; then strict UTF-8; then GB18030 (a superset of GBK and
GB2312, which portals mislabel freely); then charset-normalizer's guess.

Tables: only leaf tables (no table inside) are data tables; outer layout tables are
walked like any other block. A merged cell is read once, at its top-left position;
``rowspan``/``colspan`` are expanded into the grid so that every cell knows its column.

The walk: ``_Walker`` states it in Python; ``read_html`` runs the same walk as a libxslt
stylesheet (one C pass printing the text with markers, see "the same walk in libxslt"),
and keeps ``_Walker`` for the pages the stylesheet cannot read. tests/test_html_reader.py
holds the two to the same cells on real, rendered and generated pages.
"""

from __future__ import annotations

import re

from lxml import etree

from gongkai.lazyre import lazy
from gongkai.readers.base import Cell, Document, ExtractionError

_DECLARED = lazy(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# portals declare gb2312 but print characters outside it; gb18030 decodes them all
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "select", "button"}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "blockquote", "pre", "center", "tr", "td", "th", "dd", "dt", "dl", "form", "header", "footer",
    "main", "nav", "aside", "caption", "address", "hr", "figure", "figcaption", "body", "html",
}
_WHITESPACE = lazy(r"[ \t\r\n\u3000\xa0\u2002\u2003\u200b]+")
_ANY_SPACE = lazy(r"[\s\u3000\xa0\u2002\u2003\u200b]")
_CJK_BREAK = lazy(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")
_SPACE_RUN = lazy(r"\s+")
_NOT_SETTABLE = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what lxml refuses in a text it sets


def _cjk_gap(match) -> str:
    """A space run between two CJK-range characters goes (``_CJK_BREAK`` without its costly
    compilation: ``re`` expands each CJK range character by character, ~2 ms a process)."""
    text, start, end = match.string, match.start(), match.end()
    if start and end < len(text):
        before, after = text[start - 1], text[end]
        if ("\u3000" <= before <= "\u9fff" or "\uff00" <= before <= "\uffef") and (
                "\u3000" <= after <= "\u9fff" or "\uff00" <= after <= "\uffef"):
            return ""
    return match.group()


def _join_cjk(text: str) -> str:
    """``_CJK_BREAK.sub("", text)``. Without U+3000 (the only space inside those ranges) a run
    goes exactly when both its neighbours are in the ranges; with it, the regex itself."""
    if "\u3000" in text:
        return _CJK_BREAK.sub("", text)
    return _SPACE_RUN.sub(_cjk_gap, text)


def decode_html(data: bytes, declared_by_transport: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding that decoded it."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), codec
    candidates = []
    for declared in (declared_by_transport, _declared_charset(data)):
        if declared:
            candidates.append(_SUPERSETS.get(declared.lower(), declared.lower()))
    candidates += ["utf-8", "gb18030"]
    for codec in dict.fromkeys(candidates):
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), f"{best.encoding} (guessed)"
    return data.decode("utf-8", errors="replace"), "utf-8 (with replacement characters)"


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _spaceless(text: str) -> bool:
    """No character of ``_ANY_SPACE`` in ``text``. Every one of them but the ASCII space is
    unprintable (categories Zs, Zl, Zp, Cc, Cf), so a printable text without " " has none,
    and ``isprintable`` costs a fifth of the regex search that decides the rest."""
    return (text.isprintable() and " " not in text) or _ANY_SPACE.search(text) is None


def clean_text(text: str) -> str:
    """Collapse whitespace (``&nbsp;``, ideographic spaces); join CJK split by line breaks."""
    if _spaceless(text):  # most cells: nothing to collapse or strip
        return text
    text = text.strip(" \t\r\n\u3000\xa0")
    if _spaceless(text):  # spaces only at the ends (a cell's leading line break)
        return text
    text = _join_cjk(text)
    return _WHITESPACE.sub(" ", text).strip()


class _Walker:
    """Depth-first walk collecting text lines and leaf-table cells in reading order."""

    def __init__(self, holding_skipped: set | None = None) -> None:
        self.holding_skipped = holding_skipped or set()  # cells to read with _cell_text
        self.cells: list[Cell] = []
        self.lines: list[str] = []
        self.row = 0
        self.tables = 0
        self.paragraphs = 0
        self._buffer: list[str] = []

    def flush(self) -> None:
        text = clean_text("".join(self._buffer))
        self._buffer = []
        if text:
            self.paragraphs += 1
            self.row += 1
            self.cells.append(Cell(text, self.row, f"paragraph {self.paragraphs}"))
            self.lines.append(text)

    def walk(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None:  # comments, processing instructions
            return
        tag = tag.lower()
        if tag in _SKIP_TAGS:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table" and not element.xpath(".//table"):
            self.flush()
            self.table(element)
            return
        block = tag in _BLOCK_TAGS or tag == "table"
        if block:
            self.flush()
        if element.text:
            self._buffer.append(element.text)
        for child in element:
            self.walk(child)
            if child.tail:
                self._buffer.append(child.tail)
        if block:
            self.flush()

    def table(self, table) -> None:
        self.tables += 1
        number = self.tables
        occupied: set[tuple[int, int]] = set()
        cells = self.cells
        holding = self.holding_skipped
        for r, tr in enumerate(_ROWS(table), start=1):
            self.row += 1
            row = self.row
            col = 1
            texts = []
            where = f"table {number} row {r} col "
            # td/th children only (libxml2 lower-cases HTML tag names; comments are skipped)
            for td in tr.iterchildren("td", "th"):
                # only rows below hold positions taken by a rowspan: within a row, col moves
                # past its own cells (so no set lookups at all in tables without rowspans)
                if occupied:
                    while (r, col) in occupied:
                        col += 1
                get = td.get
                if get("rowspan") is None and get("colspan") is None:  # nearly every cell
                    colspan = 1
                else:
                    rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
                    for dr in range(1, rowspan):
                        for dc in range(colspan):
                            occupied.add((r + dr, col + dc))
                if len(td) == 0:
                    text = clean_text(td.text or "")
                elif holding and td in holding:
                    text = clean_text(_cell_text(td))
                else:  # the tree is prepared (_prepare_cells): as _cell_text, in libxml2
                    text = clean_text(_tostring(td, method="text", encoding="unicode", with_tail=False))
                cells.append(Cell(text, row, where + str(col), number, col))
                texts.append(text)
                col += colspan
            self.lines.append("\t".join(texts))


def _span(td, attribute: str) -> int:
    return _span_value(td.get(attribute))


def _span_value(value: str | None) -> int:
    """A ``rowspan``/``colspan`` as the grid uses it: 1 when absent, empty or not a number; at most 100."""
    if value is None:  # nearly every cell
        return 1
    try:
        return max(1, min(int(value.strip() or 1), 100))
    except ValueError:
        return 1


def _cell_text(td) -> str:
    """A cell's text: ``<br>`` and paragraphs inside a cell are line breaks, joined later."""
    if len(td) == 0:  # no child elements: the cell's own text
        return td.text or ""
    parts: list[str] = []

    def visit(node) -> None:
        if isinstance(node.tag, str):
            tag = node.tag.lower()
            if tag in _SKIP_TAGS:
                return
            if tag in ("br", "p", "div"):
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            for child in node:
                visit(child)
                if child.tail:
                    parts.append(child.tail)

    visit(td)
    return "".join(parts)


_tostring = etree.tostring
_ROWS = etree.XPath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")  # compiled once, not per table


def _prepare_cells(root) -> set:
    """Make a cell's text content (``"".join(td.itertext())``, or libxml2's own: ``tostring``
    with ``method="text"``, 7× faster) give what ``_cell_text(td)`` gives, without a Python
    visit per element: ``<br>``/``<p>``/``<div>`` begin with the line break _cell_text
    adds; comments are not text content, their tails are. Returns the cells holding a
    skipped element (script, style, ...), whose text the text content would include: those
    still go through _cell_text (a doubled line break is the same space to clean_text).
    The walk outside tables reads the same: it never reads a ``<br>``'s text, and a
    ``<p>``/``<div>`` starts a block, whose leading line break clean_text strips.
    A text lxml will not set back (one holding a control character such as Word's
    vertical tab, which libxml2 keeps) is left as it is, and its cell read by _cell_text."""
    holding = set()  # the element proxies stay alive in the set, so `td in holding` holds
    for element in root.iter("br", "p", "div"):
        text = element.text
        if text and _NOT_SETTABLE.search(text):  # lxml would drop the text, then refuse the new one
            holding.update(element.iterancestors("td", "th"))
            continue
        element.text = "\n" + text if text else "\n"
    for element in root.iter(*_SKIP_TAGS):
        holding.update(element.iterancestors("td", "th"))
    return holding


_PARSERS: list = []


def _parser() -> etree.HTMLParser:
    if not _PARSERS:
        _PARSERS.append(etree.HTMLParser())
    return _PARSERS[0]


# --- the same walk in libxslt ------------------------------------------------------------
#
# _Walker costs ~3 µs of Python per table cell, twice the parse itself. The stylesheet below
# does the same walk in C and prints one string: the page's text with a marker wherever the
# walker acts. A marker is _MARK (a private-use character) and a letter:
#   b  a block boundary or <br> (the walker's flush)
#   T  a leaf table begins; E  it ends
#   r  a table row begins;  c  a cell begins, its text follows
#   s  around the cell's rowspan and colspan, right after c, only when it has either:
#      c s<rowspan> s<colspan> s<text>
# Python then only splits the string and cleans each piece. A page whose text may hold
# _MARK itself, and a stylesheet error, go through _Walker instead.
_MARK = "\ue000"
_BREAK, _TABLE, _TABLE_END, _ROW, _CELL, _SPAN = (_MARK + letter for letter in "bTErcs")
_MARK_REFERENCE = lazy(r"&#(?:[xX]0*[eE]000(?![0-9a-fA-F])|0*57344(?![0-9]))")


def _stylesheet() -> bytes:
    skip = "|".join(sorted(_SKIP_TAGS))
    blocks = "|".join(sorted(_BLOCK_TAGS | {"table"}))
    mark = "&#xE000;"
    return f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="/">
  <xsl:choose>
    <xsl:when test="*/body"><xsl:apply-templates select="*/body[1]"/></xsl:when>
    <xsl:otherwise><xsl:apply-templates/></xsl:otherwise>
  </xsl:choose>
</xsl:template>
<xsl:template match="{skip}"/>
<xsl:template match="br"><xsl:text>{mark}b</xsl:text></xsl:template>
<xsl:template match="{blocks}">
  <xsl:text>{mark}b</xsl:text><xsl:apply-templates/><xsl:text>{mark}b</xsl:text>
</xsl:template>
<xsl:template match="table[not(.//table)]">
  <xsl:text>{mark}T</xsl:text>
  <xsl:apply-templates mode="row" select="tr|thead/tr|tbody/tr|tfoot/tr"/>
  <xsl:text>{mark}E</xsl:text>
</xsl:template>
<xsl:template mode="row" match="tr">
  <xsl:text>{mark}r</xsl:text><xsl:apply-templates mode="cell" select="td|th"/>
</xsl:template>
<xsl:template mode="cell" match="td|th">
  <xsl:text>{mark}c</xsl:text>
  <xsl:if test="@rowspan or @colspan">
    <xsl:text>{mark}s</xsl:text><xsl:value-of select="@rowspan"/>
    <xsl:text>{mark}s</xsl:text><xsl:value-of select="@colspan"/><xsl:text>{mark}s</xsl:text>
  </xsl:if>
  <xsl:apply-templates mode="cell-text"/>
</xsl:template>
<xsl:template mode="cell-text" match="{skip}"/>
<xsl:template mode="cell-text" match="br|p|div">
  <xsl:text>&#10;</xsl:text><xsl:apply-templates mode="cell-text"/>
</xsl:template>
</xsl:stylesheet>""".encode()


_TRANSFORMS: list = []


def _transform() -> etree.XSLT:
    """The compiled stylesheet (~1 ms, once per process)."""
    if not _TRANSFORMS:
        _TRANSFORMS.append(etree.XSLT(etree.XML(_stylesheet())))
    return _TRANSFORMS[0]


def _marked_text(root) -> str | None:
    """The stylesheet's output for a parsed page, or None when the walker must read it."""
    try:
        return str(_transform()(root.getroottree()))
    except etree.XSLTError:  # libxslt's own limits (template depth, memory): the walker reads it
        return None


def _read_marked(marked: str) -> tuple[list[Cell], list[str], int]:
    """Cells, lines and the leaf-table count from the stylesheet's output, as _Walker gives them."""
    cells: list[Cell] = []
    lines: list[str] = []
    row = paragraphs = 0
    chunks = marked.split(_TABLE)
    for number, chunk in enumerate(chunks):
        if number:  # a table, then the text after it
            table, _, chunk = chunk.partition(_TABLE_END)
            row = _table_cells(table, number, row, cells, lines)
        for piece in chunk.split(_BREAK):
            if not piece or piece.isspace():  # most pieces: the line breaks between blocks
                continue
            text = clean_text(piece)
            if text:
                paragraphs += 1
                row += 1
                cells.append(Cell(text, row, f"paragraph {paragraphs}"))
                lines.append(text)
    return cells, lines, len(chunks) - 1


def _table_cells(table: str, number: int, row: int, cells: list[Cell], lines: list[str]) -> int:
    """One leaf table's cells appended, as _Walker.table makes them; returns the last row number."""
    below: dict[int, set[int]] = {}  # row -> the columns a rowspan from above holds there
    for r, printed in enumerate(table.split(_ROW)[1:], start=1):
        row += 1
        raws = printed.split(_CELL)[1:]
        held = below.pop(r, None)
        if _SPAN not in printed:  # the i-th cell takes the i-th column no rowspan above holds
            columns = range(1, len(raws) + 1) if held is None else (
                [col for col in range(1, len(raws) + len(held) + 1) if col not in held])
        else:
            columns = _place_cells(raws, r, held or (), below)
        texts = [clean_text(raw) for raw in raws]
        where = f"table {number} row {r} col "
        cells += [Cell(text, row, where + str(col), number, col) for text, col in zip(texts, columns)]
        lines.append("\t".join(texts))
    return row


def _place_cells(raws: list[str], r: int, held, below: dict[int, set[int]]) -> list[int]:
    """The column of each cell of row ``r``, past the columns rowspans above hold; strips each
    cell's span prefix in place and records the columns its rowspan holds below."""
    columns = []
    col = 1
    for index, raw in enumerate(raws):
        while col in held:
            col += 1
        columns.append(col)
        if raw.startswith(_SPAN):
            _, rowspan, colspan, raws[index] = raw.split(_SPAN, 3)
            rowspan, colspan = _span_value(rowspan), _span_value(colspan)
            for dr in range(1, rowspan):
                below.setdefault(r + dr, set()).update(range(col, col + colspan))
            col += colspan
        else:
            col += 1
    return columns


def _may_hold_mark(text: str) -> bool:
    """Whether a page's text can hold _MARK: printed, or as a character reference."""
    return _MARK in text or ("&#" in text and _MARK_REFERENCE.search(text) is not None)


def _walk(root, may_hold_mark: bool) -> tuple[list[Cell], list[str], int]:
    """The page's cells, lines and leaf-table count: through the stylesheet, or _Walker."""
    marked = None if may_hold_mark else _marked_text(root)
    if marked is not None:
        return _read_marked(marked)
    walker = _Walker(_prepare_cells(root))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.cells, walker.lines, walker.tables


def read_html(path: str, data: bytes, declared_charset: str | None = None) -> Document:
    text, encoding = decode_html(data, declared_charset)
    try:
        # libxml2's HTML parser as lxml.html.document_fromstring uses it, without lxml.html's
        # Python-level element classes (a lookup per element visited)
        root = etree.fromstring(text, _parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"unreadable HTML ({exc})") from None
    if root is None:
        raise ExtractionError("unreadable HTML (Document is empty)")
    title_nodes = root.xpath("//title")
    title = clean_text(title_nodes[0].xpath("string()")) if title_nodes else None
    cells, lines, tables = _walk(root, _may_hold_mark(text))
    if not cells:
        raise ExtractionError("HTML page has no text")
    return Document(
        path=path, format="html", cells=cells, text="\n".join(lines),
        info={"encoding": encoding, "title": title or None, "tables": tables},
    )
