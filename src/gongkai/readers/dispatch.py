"""Pick the reader for a file from its content, and check the extension agrees."""

from __future__ import annotations

import os

from gongkai.readers.base import Document, ExtractionError

TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_EXTENSIONS = {".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".jsp": "html"}
OFFICE_EXTENSIONS = {".docx": "docx", ".doc": "doc", ".wps": "wps", ".pdf": "pdf"}
SHEET_EXTENSIONS = {".xlsx": "xlsx", ".xls": "xls", ".et": "et", ".ods": "ods"}
# scanned pages, read by OCR (gongkai.ocr)
IMAGE_EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}
EXTENSIONS = {**TEXT_EXTENSIONS, **HTML_EXTENSIONS, **OFFICE_EXTENSIONS, **SHEET_EXTENSIONS, **IMAGE_EXTENSIONS}
UNSUPPORTED = {
    ".ofd": "OFD documents need an OFD renderer, which is not installed",
    ".gif": "GIF image: save it as PNG for OCR", ".zip": "archive: unpack it first", ".rar": "archive: unpack it first",
}
# documents _looks_html, which matches it without compiling it at import (~0.2 ms of every
# start-up); tests/test_startup_patterns.py checks the two agree
_HTML_SNIFF = rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<div|<table|<p[\s>]|<meta|<!--)"  # re.IGNORECASE
_HTML_STARTS = (b"<html", b"<head", b"<body", b"<div", b"<table", b"<meta", b"<!--")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str | None:
    """The content type by magic bytes: pdf, zip, ole, html, or None for text/unknown."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if _looks_html(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    return None


def _looks_html(head: bytes) -> bool:
    """``re.match(_HTML_SNIFF, head, re.IGNORECASE)``: after ASCII whitespace (``bytes.lstrip``, as
    ``\\s``), a start tag that only HTML opens with, in any ASCII case."""
    start = head.lstrip().lower()
    if start.startswith(_HTML_STARTS):
        return True
    if start.startswith(b"<p"):
        return start[2:3] == b">" or start[2:3].isspace()
    if start.startswith(b"<!doctype"):
        rest = start[9:]
        return rest[:1].isspace() and rest.lstrip().startswith(b"html")
    return False


_AGREES = {
    "pdf": {"pdf"},
    "zip": {"docx", "xlsx", "ods", "et"},  # newer WPS writes .et as an OOXML package
    "ole": {"doc", "wps", "docx", "xls", "et"},  # an encrypted .docx is an OLE container
    "html": {"html", "txt", "md", "xls", "et"},  # a saved page may be named .txt; an ".xls" export is often HTML
    "image": set(IMAGE_EXTENSIONS.values()),
    None: {"txt", "md", "html", "xls", "et"},  # ".xls" exports are also tab-separated text
}


def read_bytes(path: str) -> bytes:
    """A file's bytes, or ExtractionError("cannot read file (...)")."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ExtractionError(f"cannot read file ({exc.strerror or exc})") from None


def read_document(path: str, data: bytes | None = None) -> Document:
    """Read one file into a Document, or raise ExtractionError with a one-line reason."""
    ext = os.path.splitext(path)[1].lower()
    if ext in UNSUPPORTED:
        raise ExtractionError(UNSUPPORTED[ext])
    if data is None:
        data = read_bytes(path)
    if not data.strip():
        raise ExtractionError("empty file (no content)")
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        raise ExtractionError(f"unsupported file type '{ext or '(no extension)'}'")
    content = sniff(data)
    if fmt not in _AGREES[content]:
        raise ExtractionError(_mismatch_reason(ext, content))
    from gongkai.limits import check_document

    check_document("pdf" if content == "pdf" else fmt, data)  # DOCX parts: checked where readers/docx.py opens them
    if content in ("zip", "ole"):
        reason = container_mismatch(ext, fmt, content, data)
        if reason:
            raise ExtractionError(reason)
    if content is None and fmt in ("xls", "et"):
        from gongkai.readers.text import read_text

        return read_text(path, data, "txt")
    if fmt in ("xlsx", "xls", "et", "ods") and content in ("zip", "ole"):
        from gongkai.readers.sheet import read_sheet

        return read_sheet(path, data, fmt)
    if content == "html" or fmt == "html":
        from gongkai.readers.html import read_html

        return read_html(path, data)
    if fmt in ("txt", "md"):
        from gongkai.readers.text import read_text

        return read_text(path, data, fmt)
    if fmt == "pdf":
        from gongkai.readers.pdfium import read_pdf  # PDFium, pdfplumber as fallback ($GONGKAI_PDF_ENGINE)

        try:
            return read_pdf(path, data)
        except ExtractionError as exc:
            if not needs_ocr(exc):
                raise
        return _read_ocr(path, data, "pdf")
    if fmt in IMAGE_EXTENSIONS.values():
        return _read_ocr(path, data, fmt)
    if fmt == "docx":
        from gongkai.readers.docx import read_docx

        return read_docx(path, data)
    from gongkai.readers.legacy import read_legacy

    return read_legacy(path, data, fmt)


# spreadsheet sniffing: which kind of ZIP package / OLE compound file the bytes hold
def _utf16le(ascii_name: str) -> bytes:
    """``name.encode("utf-16-le")`` for an ASCII name, without importing the codec at start-up."""
    return bytes(byte for char in ascii_name.encode("ascii") for byte in (char, 0))


_OLE_WORKBOOK = (_utf16le("Workbook"), _utf16le("Book"))
_OLE_WORD = _utf16le("WordDocument")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def container_kind(content: str, data: bytes) -> str | None:
    """"sheet" or "word" for a ZIP package or OLE compound file, None when unclear.

    An .xls/.et and a .doc/.wps are all OLE compound files: the directory's stream names
    (UTF-16) tell them apart — "Workbook"/"Book" for a spreadsheet, "WordDocument" for
    Word/WPS. A ZIP holding ``xl/`` is an .xlsx, one whose ``mimetype`` names an
    OpenDocument spreadsheet is an .ods, one holding ``word/`` is a .docx.
    """
    if content == "ole":
        if _OLE_WORD in data:
            return "word"
        if any(name in data for name in _OLE_WORKBOOK):
            return "sheet"
        return None
    if content == "zip":
        head = data[:200]
        if b"mimetype" in head and _ODS_MIMETYPE in head:
            return "sheet"
        if b"word/document" in data:
            return "word"
        if b"xl/workbook" in data:
            return "sheet"
    return None


def container_mismatch(ext: str, fmt: str, content: str, data: bytes) -> str | None:
    """A one-line reason when a spreadsheet is named like a Word file or the reverse."""
    kind = container_kind(content, data)
    wants_sheet = fmt in ("xlsx", "xls", "et", "ods")
    if kind == "word" and wants_sheet:
        return f"wrong extension: named '{ext}' but the content is a Word/WPS document"
    if kind == "sheet" and not wants_sheet:
        return f"wrong extension: named '{ext}' but the content is a spreadsheet"
    return None


def needs_ocr(exc: ExtractionError) -> bool:
    """A PDF reader's answer that the file is a scan (pages of images, no text layer)."""
    return str(exc).startswith("no text layer")


def _read_ocr(path: str, data: bytes, fmt: str) -> Document:
    """The OCR reader (imported only for scans: onnxruntime and OpenCV load on first use)."""
    try:
        from gongkai.readers.ocr import read_ocr
    except ImportError as exc:
        raise ExtractionError(f"scan needs OCR, but the OCR stack is not installed ({exc.name})") from None
    return read_ocr(path, data, fmt)


def _mismatch_reason(ext: str, content: str | None) -> str:
    described = {
        "pdf": "a PDF", "zip": "a ZIP/DOCX package", "ole": "an old Word/WPS (OLE) document",
        "html": "an HTML page", "image": "an image", None: "plain text",
    }[content]
    return f"wrong extension: named '{ext}' but the content is {described}"
