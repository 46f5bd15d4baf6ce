"""Scanned reports: image-only PDFs and PNG/JPEG/TIFF images, read by OCR (gongkai.ocr).

Pages are rendered at 200 dpi (pypdfium2) or taken from the image file (every TIFF frame),
and only the pages that carry the title (the first) or a ruled table are recognised. The
cell stream has the PDF reader's shape — ``page P table T row R col C`` for table cells,
``page P line N`` for text — and the document remembers, for every table cell, its box
and confidence (``info["ocr_cells"]``) and keeps the page images so `gongkai.ocr.verify`
can re-read a cell that breaks an identity.
"""

from __future__ import annotations

import io

from gongkai.readers.base import Cell, Document, ExtractionError

DPI = 200  # reads the national tables' digits reliably (150 dpi scans are upsampled to it)
_MIN_WIDTH = 1400  # px: narrower images (low-resolution scans) are enlarged to an A4 width at 200 dpi
_TARGET_WIDTH = 1654
_MAX_WIDTH = 2600  # px: wider images (300+ dpi scans) are reduced to about 200 dpi: same reading, less memory
_MAX_PAGES = 60


def pdf_pages(data: bytes):
    """Grayscale page images of a PDF at 200 dpi, lazily, with the page count."""
    import numpy as np
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise ExtractionError("encrypted PDF (password required)") from None
        raise ExtractionError(f"corrupt PDF ({str(exc)[:120]})") from None
    count = len(pdf)

    def pages():
        try:
            for index in range(min(count, _MAX_PAGES)):
                page = pdf[index]
                try:
                    bitmap = page.render(scale=DPI / 72, grayscale=True)
                    image = np.array(bitmap.to_pil().convert("L"))
                finally:
                    page.close()
                yield index + 1, _normalise(image)
        finally:
            pdf.close()

    return count, pages()


def image_pages(data: bytes):
    """Grayscale frames of an image file (PNG, JPEG, TIFF with several pages)."""
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = [np.array(frame.convert("L")) for frame in ImageSequence.Iterator(image)][:_MAX_PAGES]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ExtractionError(f"corrupt image ({str(exc)[:120]})") from None
    return len(frames), ((i + 1, _normalise(f)) for i, f in enumerate(frames))


def _normalise(image):
    """Bring a page to about 200 dpi on A4 (the OCR models like ~30 px text)."""
    import cv2

    height, width = image.shape[:2]
    if width > _MAX_WIDTH:
        scale = _TARGET_WIDTH / width
        return cv2.resize(image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA)
    if width < _MIN_WIDTH:
        scale = _TARGET_WIDTH / width
        image = cv2.resize(image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_CUBIC)
    return image


def release_memory() -> None:
    """Give the heap's free pages back to the system after a page is read (glibc's malloc_trim).

    The recogniser's buffers (hundreds of MB for a page's detection) are freed after each
    call, but glibc keeps the pages: a long-lived worker sat at about 670 MB between files
    and peaked higher with every file (958 -> 1227 MB over 32 scans). Trimmed, it goes back
    to about 200 MB. A no-op where the C library has no malloc_trim.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def read_ocr(path: str, data: bytes, fmt: str) -> Document:
    """OCR a scanned PDF (``fmt`` "pdf") or an image file into a Document."""
    from gongkai.ocr.page import prepare, read_page

    count, pages = pdf_pages(data) if fmt == "pdf" else image_pages(data)
    cells: list[Cell] = []
    lines: list[str] = []
    ocr_cells: dict[str, dict] = {}
    read_pages = []
    row = 0
    for number, gray in pages:
        prepared = prepare(gray)
        if number != 1 and not prepared[3]:
            continue  # prose only: not needed for the tables (the title is on page 1)
        page = read_page(number, gray, prepared)
        read_pages.append(page)
        release_memory()
        items = [(line.box[1], 0, line) for line in page.lines]
        items += [(table.box[1], 1, (t, table)) for t, table in enumerate(page.tables, start=1)]
        items.sort(key=lambda item: (item[0], item[1]))
        line_no = 0
        for _, kind, payload in items:
            if kind == 0:
                line_no += 1
                text = payload.text.strip()
                if not text:
                    continue
                row += 1
                cells.append(Cell(text, row, f"page {number} line {line_no}"))
                lines.append(text)
                continue
            t_index, table = payload
            by_row: dict[int, list] = {}
            for cell in table.cells:
                by_row.setdefault(cell.row, []).append(cell)
            for r in sorted(by_row):
                row += 1
                texts = []
                for cell in sorted(by_row[r], key=lambda c: c.col):
                    where = f"page {number} table {t_index} row {r} col {cell.col}"
                    cells.append(Cell(cell.text, row, where, number * 100 + t_index, cell.col))
                    texts.append(cell.text)
                    ocr_cells[where] = {"page": number, "box": list(cell.box),
                                        "confidence": round(cell.confidence, 4), "reread": cell.reread}
                lines.append("\t".join(texts))
    if not read_pages or not any(c.text for c in cells):
        where = "no text layer (a scan) and " if fmt == "pdf" else "image: "
        raise ExtractionError(f"{where}OCR found no text on its {count} page(s)")
    info = {"pages": count, "ocr": True, "ocr_pages_read": [p.number for p in read_pages],
            "ocr_cells": ocr_cells, "ocr_page_images": {p.number: p for p in read_pages}}
    return Document(path=path, format=fmt, cells=cells, text="\n".join(lines), info=info)
