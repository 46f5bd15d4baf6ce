"""Word documents (.docx): paragraphs and real Word tables, in body order.

Merged cells are read from the table XML python-docx exposes: ``w:gridSpan`` widens a
cell over grid columns, ``w:vMerge`` without ``restart`` continues the cell above. A
merged cell is read once, at its first position, as Word's own text export prints it.
"""

from __future__ import annotations

import io
import zipfile

from gongkai.readers.base import Cell, Document, ExtractionError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _open(data: bytes):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data.startswith(_OLE_MAGIC):
        raise ExtractionError("encrypted or password-protected Word document (an OLE container, not a .docx package)")
    from gongkai.limits import check_docx

    check_docx(data)  # part sizes within the limits (also for .doc/.wps converted by LibreOffice)
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise ExtractionError(f"corrupt DOCX ({str(exc).splitlines()[0][:100] or type(exc).__name__})") from None
    except Exception as exc:  # lxml XMLSyntaxError and friends on damaged parts
        raise ExtractionError(f"corrupt DOCX ({type(exc).__name__}: {str(exc)[:100]})") from None


def _text(element) -> str:
    """Visible text of a paragraph or cell: runs, tabs and breaks, no field codes."""
    parts = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}p"):
        tag = node.tag
        if tag == f"{_W}t":
            parts.append(node.text or "")
        elif tag == f"{_W}tab":
            parts.append(" ")
        elif parts:  # a break or a new paragraph inside a cell
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc) -> str:
    from gongkai.readers.pdf import cell_text

    return cell_text(_text(tc))


def _grid_span(tc) -> int:
    span = tc.find(f"{_W}tcPr/{_W}gridSpan")
    try:
        return max(1, int(span.get(f"{_W}val"))) if span is not None else 1
    except (TypeError, ValueError):
        return 1


def _continues_above(tc) -> bool:
    merge = tc.find(f"{_W}tcPr/{_W}vMerge")
    return merge is not None and merge.get(f"{_W}val", "continue") != "restart"


def read_docx(path: str, data: bytes) -> Document:
    document = _open(data)
    body = document.element.body
    cells: list[Cell] = []
    lines: list[str] = []
    row = 0
    paragraphs = 0
    tables = 0
    for block in body.iterchildren():
        if block.tag == f"{_W}p":
            paragraphs += 1
            text = " ".join(_text(block).split())
            if text:
                row += 1
                cells.append(Cell(text, row, f"paragraph {paragraphs}"))
                lines.append(text)
        elif block.tag == f"{_W}tbl":
            tables += 1
            for r, tr in enumerate(block.iterchildren(f"{_W}tr"), start=1):
                row += 1
                col = 1
                texts = []
                for tc in tr.iterchildren(f"{_W}tc"):
                    span = _grid_span(tc)
                    if not _continues_above(tc):
                        text = _cell_text(tc)
                        cells.append(Cell(text, row, f"table {tables} row {r} col {col}", tables, col))
                        texts.append(text)
                    col += span
                lines.append("\t".join(texts))
    if not cells:
        raise ExtractionError("DOCX has no text (empty document or images only)")
    title = (document.core_properties.title or "").strip() or None
    return Document(path=path, format="docx", cells=cells, text="\n".join(lines),
                    info={"tables": tables, "paragraphs": paragraphs, "title": title})
