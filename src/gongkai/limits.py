"""Per-file limits: what one file may cost before it is quarantined with the limit it broke.

Real reports are a few MB and a few dozen pages; a hostile or broken file can be tiny on
disk and huge when expanded (a DOCX whose ``word/document.xml`` inflates to 2 GiB, a PDF
page whose content stream is 1 GiB of compressed whitespace, 200,000 pages in 2 MB).
The checks here run *before* a reader parses the file, on the raw bytes, streaming and
stopping at the limit, so they cost little memory whatever the file claims:

* ``max_input_bytes``     the file itself (checked from ``stat`` before it is read);
* ``max_expanded_bytes``  one DOCX part or one PDF stream once decompressed (declared
                          sizes are checked, then actual sizes while inflating), and the
                          whole file's expanded parts together;
* ``max_pages``           pages of a PDF;
* ``max_seconds``         wall time per file (the batch kills the worker) and CPU time
                          (``RLIMIT_CPU`` in the worker: the kernel stops a runaway);
* ``max_memory_mb``       address space a worker may add for one file (``RLIMIT_AS``).

A broken limit is an :class:`LimitExceeded` (an ExtractionError) whose message names the
limit: "word/document.xml expands past 200 MB", "more than 2,000 pages".
"""

from __future__ import annotations

import os
from collections import namedtuple

from gongkai.lazyre import lazy  # compiled on first use: only PDFs need these
from gongkai.readers.base import ExtractionError

MB = 1 << 20
_CHUNK = 1 << 16


class LimitExceeded(ExtractionError):
    """A file broke one of the per-file limits; the message names the limit."""


# A namedtuple, not a dataclass: `import dataclasses` and the generated methods cost ~15 ms of
# CPU in every process (see readers/base.py); collections is loaded at start-up anyway.
_LimitsFields = namedtuple(
    "_LimitsFields", ("max_input_bytes", "max_expanded_bytes", "max_pages", "max_seconds", "max_memory_mb"),
    defaults=(100 * MB, 200 * MB, 2000, 120.0, 1536),
)


class Limits(_LimitsFields):
    """What one file may cost. Defaults leave ample room for real reports.

    Fields (immutable): ``max_input_bytes`` (100 MB), ``max_expanded_bytes`` (200 MB),
    ``max_pages`` (2000), ``max_seconds`` (120.0), ``max_memory_mb`` (1536).
    """

    __slots__ = ()

    def as_dict(self) -> dict:
        return dict(zip(self._fields, self))


DEFAULT_LIMITS = Limits()
_active = DEFAULT_LIMITS


def active() -> Limits:
    """The limits in force in this process (set by the batch worker, the CLI or a resource)."""
    return _active


def set_active(limits: Limits | None) -> None:
    global _active
    _active = limits or DEFAULT_LIMITS


def human_bytes(count: int) -> str:
    """200 MB, 1.5 GiB: the way the limit is printed."""
    if count >= 1 << 30:
        return f"{count / (1 << 30):.1f} GiB".replace(".0 ", " ")
    if count >= MB:
        return f"{count / MB:.0f} MB"
    return f"{count / 1024:.0f} KB"


# ---- input size ------------------------------------------------------------------------

def check_input_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or _active
    if size > limits.max_input_bytes:
        raise LimitExceeded(
            f"file is {human_bytes(size)}, larger than the {human_bytes(limits.max_input_bytes)} input limit"
        )


# ---- DOCX (zip) -----------------------------------------------------------------------

_MAX_ZIP_ENTRIES = 10_000


def check_docx(data: bytes, limits: Limits | None = None) -> None:
    """Declared and actual inflated sizes of every part, streamed and stopped at the limit."""
    import io
    import zipfile  # here, not at the top: ~3 ms of every `gongkai extract` start-up

    limits = limits or _active
    cap = limits.max_expanded_bytes
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # the reader reports the corrupt package
    if len(infos) > _MAX_ZIP_ENTRIES:
        raise LimitExceeded(f"DOCX has {len(infos):,} parts, more than {_MAX_ZIP_ENTRIES:,}")
    for info in infos:
        if info.file_size > cap:
            raise LimitExceeded(f"{info.filename} expands past {human_bytes(cap)} "
                                f"(declares {human_bytes(info.file_size)})")
    if sum(info.file_size for info in infos) > cap:
        raise LimitExceeded(f"DOCX parts together expand past {human_bytes(cap)}")
    total = 0
    for info in infos:
        size = _inflated_size(data, info, cap + 1)
        total += size
        if size > cap:
            raise LimitExceeded(f"{info.filename} expands past {human_bytes(cap)}")
        if total > cap:
            raise LimitExceeded(f"DOCX parts together expand past {human_bytes(cap)}")


def _inflated_size(data: bytes, info: zipfile.ZipInfo, stop_at: int) -> int:
    """Actual inflated size of a zip member (whatever its headers declare), counting no further than ``stop_at``."""
    import struct
    import zipfile

    start = info.header_offset
    if data[start:start + 4] != b"PK\x03\x04":
        return 0
    name_len, extra_len = struct.unpack("<HH", data[start + 26:start + 30])
    raw = memoryview(data)[start + 30 + name_len + extra_len:start + 30 + name_len + extra_len + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return 0  # the reader reports an unsupported compression
    return _inflate_count(raw, stop_at, wbits=-15)


def _inflate_count(raw: memoryview, stop_at: int, *, wbits: int) -> int:
    """Bytes a deflate/zlib stream at the start of ``raw`` inflates to, counting no further than
    ``stop_at`` and holding at most one 64 KB block of output at a time (0 when it is not one;
    64 KB blocks stay in the allocator's heap, 1 MB ones are mapped and unmapped each time)."""
    import zlib  # only PDFs and DOCX packages: not a cost of every start-up

    inflater = zlib.decompressobj(wbits)
    size = 0
    try:
        for pos in range(0, len(raw), _CHUNK):
            pending = bytes(raw[pos:pos + _CHUNK])
            while pending and size < stop_at and not inflater.eof:  # past its end a stream keeps its tail
                size += len(inflater.decompress(pending, min(_CHUNK, stop_at - size)))
                pending = inflater.unconsumed_tail
            if size >= stop_at or inflater.eof:
                break
    except zlib.error:
        pass  # not deflate, or damaged: the reader gives its own line
    return size


# ---- PDF --------------------------------------------------------------------------------

# "stream" + end of line; an "endstream" line matches too and is skipped in code (a lookbehind
# here would cost re its fast literal search: 8 ms on a 400 KB PDF, against 0.1 ms)
_STREAM = lazy(rb"stream(?:\r\n|\n|\r)")
_OBJ = lazy(rb"\d+\s+\d+\s+obj\b")
_COUNT = lazy(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")


def pdf_page_count(data: bytes) -> int | None:
    """Pages as the PDF's own page tree says (PDFium when available, else the /Count of /Pages)."""
    try:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - a corrupt file: the reader reports it
        return None
    counts = [int(a or b) for a, b in _COUNT.findall(data)]
    return max(counts) if counts else None


def check_pdf(data: bytes, limits: Limits | None = None) -> None:
    """Page count and inflated size of every Flate stream that is not an image."""
    limits = limits or _active
    pages = pdf_page_count(data)
    if pages is not None and pages > limits.max_pages:
        raise LimitExceeded(f"more than {limits.max_pages:,} pages ({pages:,})")
    cap = limits.max_expanded_bytes
    total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        if data[max(0, match.start() - 3):match.start()] == b"end" or _is_image_stream(data, match.start()):
            continue  # images are decoded per page, bounded by their dimensions
        size = _inflate_count(memoryview(data)[start:], cap + 1, wbits=15)
        if size > cap:
            raise LimitExceeded(f"a PDF stream (at byte {start:,}) expands past {human_bytes(cap)}")
        total += size
        if total > cap:
            raise LimitExceeded(f"PDF streams together expand past {human_bytes(cap)}")


def _is_image_stream(data: bytes, stream_at: int) -> bool:
    head_start = max(0, stream_at - 4096)
    head = data[head_start:stream_at]
    if b"/Image" not in head:  # most streams: no image dictionary anywhere before them
        return False
    objs = list(_OBJ.finditer(head))
    if objs:
        head = head[objs[-1].end():]
    return b"/Image" in head


# ---- dispatch ---------------------------------------------------------------------------

def check_document(fmt: str, data: bytes, limits: Limits | None = None) -> None:
    """All limits that apply to a file of format ``fmt`` before its reader opens it."""
    limits = limits or _active
    check_input_size(len(data), limits)
    if fmt == "pdf":
        check_pdf(data, limits)
    # DOCX parts are checked by readers/docx.py where the package is opened (check_docx), so
    # a .doc/.wps converted to DOCX by LibreOffice is held to the same limits


# ---- worker resource limits -------------------------------------------------------------

def _vm_size() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def apply_memory_limit(limits: Limits | None = None) -> None:
    """RLIMIT_AS for this process: what it already maps plus ``max_memory_mb`` for the file."""
    import resource

    limits = limits or _active
    if limits.max_memory_mb <= 0:
        return
    ceiling = _vm_size() + limits.max_memory_mb * MB
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def apply_cpu_limit(limits: Limits | None = None) -> None:
    """RLIMIT_CPU for the next file: CPU used so far plus ``max_seconds`` (+1 s grace)."""
    import math
    import resource

    limits = limits or _active
    if limits.max_seconds <= 0:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(spent + limits.max_seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def limits_from_environment(base: Limits | None = None) -> Limits:
    """GONGKAI_MAX_INPUT_MB, GONGKAI_MAX_EXPANDED_MB, GONGKAI_MAX_PAGES, GONGKAI_MAX_SECONDS, GONGKAI_MAX_MEMORY_MB."""
    base = base or DEFAULT_LIMITS
    env = os.environ.get
    return Limits(
        max_input_bytes=int(float(env("GONGKAI_MAX_INPUT_MB", base.max_input_bytes / MB)) * MB),
        max_expanded_bytes=int(float(env("GONGKAI_MAX_EXPANDED_MB", base.max_expanded_bytes / MB)) * MB),
        max_pages=int(env("GONGKAI_MAX_PAGES", base.max_pages)),
        max_seconds=float(env("GONGKAI_MAX_SECONDS", base.max_seconds)),
        max_memory_mb=int(env("GONGKAI_MAX_MEMORY_MB", base.max_memory_mb)),
    )
