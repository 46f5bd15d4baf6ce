"""Pick the reader for a file from its content, and check the extension agrees."""

from __future__ import annotations

import os
import re

from gongkai.readers.base import Document, ExtractionError

TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_EXTENSIONS = {".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".jsp": "html"}
OFFICE_EXTENSIONS = {".docx": "docx", ".doc": "doc", ".wps": "wps", ".pdf": "pdf"}
# scanned pages, read by OCR (gongkai.ocr)
IMAGE_EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}
EXTENSIONS = {**TEXT_EXTENSIONS, **HTML_EXTENSIONS, **OFFICE_EXTENSIONS, **IMAGE_EXTENSIONS}
UNSUPPORTED = {
    ".xls": "spreadsheet (.xls) attachments are not report documents we can read yet",
    ".xlsx": "spreadsheet (.xlsx) attachments are not report documents we can read yet",
    ".ofd": "OFD documents need an OFD renderer, which is not installed",
    ".gif": "GIF image: save it as PNG for OCR", ".zip": "archive: unpack it first", ".rar": "archive: unpack it first",
}
_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<div|<table|<p[\s>]|<meta|<!--)", re.IGNORECASE)
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
    if _HTML_SNIFF.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    return None


_AGREES = {
    "pdf": {"pdf"},
    "zip": {"docx"},
    "ole": {"doc", "wps", "docx"},  # an encrypted .docx is an OLE container
    "html": {"html", "txt", "md"},  # a saved page may be named .txt; read it as HTML
    "image": set(IMAGE_EXTENSIONS.values()),
    None: {"txt", "md", "html"},
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
    if content == "html" or fmt == "html":
        from gongkai.readers.html import read_html

        return read_html(path, data)
    if fmt in ("txt", "md"):
        from gongkai.readers.text import read_text

        return read_text(path, data, fmt)
    if fmt == "pdf":
        from gongkai.readers.pdf import read_pdf

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
