"""PDFs with a text layer: ruled tables by pdfplumber, text lines around them, page by page.

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

from gongkai.readers.base import Cell, Document, ExtractionError

# pdfminer logs every odd font at WARNING; one bad file should give one line, not fifty
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*/\s*共?\s*\d{1,3}\s*页?)?[-—–－\s]*$")
_LINE_BREAK = re.compile(r"\s*\n\s*")


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
                tables = page.find_tables()
                items: list[tuple[float, int, object]] = []
                boxes = [t.bbox for t in tables]
                for t_index, table in enumerate(tables, start=1):
                    items.append((table.bbox[1], 1, (t_index, table)))
                for line in page.extract_text_lines(return_chars=False):
                    middle_x = (line["x0"] + line["x1"]) / 2
                    middle_y = (line["top"] + line["bottom"]) / 2
                    if any(x0 <= middle_x <= x1 and top <= middle_y <= bottom for x0, top, x1, bottom in boxes):
                        continue
                    items.append((line["top"], 0, line["text"]))
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
                    t_index, table = payload
                    table_id = page_no * 100 + t_index
                    for r, table_row in enumerate(table.extract(), start=1):
                        row += 1
                        texts = []
                        for c, raw in enumerate(table_row, start=1):
                            if raw is None:  # covered by a merged cell
                                continue
                            text = cell_text(raw)
                            cells.append(Cell(text, row, f"page {page_no} table {t_index} row {r} col {c}", table_id, c))
                            texts.append(text)
                        lines.append("\t".join(texts))
            finally:
                page.close()
        pages = len(pdf.pages)
    except ExtractionError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on damaged content streams
        raise ExtractionError(f"corrupt PDF ({_short(exc)})") from None
    finally:
        pdf.close()
    if char_count == 0:
        raise ExtractionError(f"no text layer ({pages} page(s) of images only: a scan), needs OCR")
    return Document(path=path, format="pdf", cells=cells, text="\n".join(lines), info={"pages": pages})
