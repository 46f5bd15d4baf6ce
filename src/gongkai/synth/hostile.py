"""Hostile files for the reliability tests: tiny on disk, huge when expanded, or broken.

    docx_bomb            word/document.xml of 2 GiB of ``<w:p/>`` in a ~2 MB DOCX
    docx_whitespace      word/document.xml of 2 GiB of spaces
    pdf_stream_bomb      one page whose content stream inflates to 1 GiB of whitespace (~1 MB)
    pdf_many_pages       200,000 pages (a real page tree with an xref table)
    text_one_line        one line of 150 MB
    truncated/bit_flipped/random_bytes   mutations of any file, under any extension

The deflate streams are built without compressing gigabytes: a block of repeated data is
compressed once and ended with a full flush (which resets the compressor's window), so
the same compressed bytes can be repeated to make a valid stream of any length.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

GIB = 1 << 30
MB = 1 << 20
_BLOCK = 1 << 20

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
).encode()
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
).encode()


def _repeated_deflate(unit: bytes, total: int, *, raw: bool) -> tuple[bytes, int, int]:
    """(compressed stream, crc32, adler32) of ``unit`` repeated to ``total`` bytes (a multiple of len(unit))."""
    block = unit * (_BLOCK // len(unit))
    repeats, rest = divmod(total, len(block))
    assert rest % len(unit) == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    header = b"" if raw else first[:2]
    assert (first[2:] if not raw else first) == again
    tail = block[:rest]
    tail_bytes = compressor.compress(tail) + compressor.flush(zlib.Z_FULL_FLUSH) if tail else b""
    crc, adler = _repeated_checksums(block, repeats)
    crc, adler = zlib.crc32(tail, crc), zlib.adler32(tail, adler)
    body = header + again * repeats + tail_bytes + b"\x03\x00"  # final empty fixed-Huffman block
    if not raw:
        body += struct.pack(">I", adler)
    return body, crc, adler


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, deflated bytes, crc32, compressed size, uncompressed size) entries."""
    out, central = bytearray(), bytearray()
    for name, data, crc, csize, usize in entries:
        offset = len(out)
        encoded = name.encode()
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, usize, len(encoded), 0)
        out += encoded + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, csize, usize,
                               len(encoded), 0, 0, 0, 0, 0, offset)
        central += encoded
    out_end = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), out_end, 0)
    return bytes(out)


def _small_entry(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return name, packed, zlib.crc32(data), len(packed), len(data)


def _docx_with_body(path: Path, unit: bytes, expanded: int) -> Path:
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W_NS}"><w:body>'.encode()
    foot = b"</w:body></w:document>"
    body, crc, _ = _repeated_deflate(unit, expanded, raw=True)
    # head and foot are added as their own deflate blocks around the repeated body
    start = zlib.compressobj(9, zlib.DEFLATED, -15)
    head_bytes = start.compress(head) + start.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15)
    foot_bytes = end.compress(foot) + end.flush()
    stream = head_bytes + body[:-2] + foot_bytes  # drop the body's final empty block: foot ends it
    crc_all = zlib.crc32(foot, _crc_concat(zlib.crc32(head), crc, expanded))
    size = len(head) + expanded + len(foot)
    entries = [
        _small_entry("[Content_Types].xml", _CONTENT_TYPES),
        _small_entry("_rels/.rels", _RELS),
        ("word/document.xml", stream, crc_all, len(stream), size),
    ]
    path.write_bytes(_zip(entries))
    return path


def _crc_concat(crc_a: int, crc_b_of_zero_start: int, length_b: int) -> int:
    """crc32(a + b) from crc32(a), crc32(b) and len(b) (zlib's crc32_combine, in Python)."""
    return _crc32_combine(crc_a, crc_b_of_zero_start, length_b)


def _adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """adler32(a + b) from adler32(a), adler32(b) and len(b) (zlib's adler32_combine)."""
    base = 65521
    rem = len2 % base
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % base
    sum1 += (adler2 & 0xFFFF) + base - 1
    sum2 += ((adler1 >> 16) & 0xFFFF) + ((adler2 >> 16) & 0xFFFF) + base - rem
    sum1 %= base
    sum2 %= base
    return sum1 | (sum2 << 16)


def _repeated_checksums(block: bytes, repeats: int) -> tuple[int, int]:
    """(crc32, adler32) of ``block * repeats`` by doubling, without touching gigabytes."""
    crc, adler, length = 0, 1, 0  # of the result so far
    p_crc, p_adler, p_len = zlib.crc32(block), zlib.adler32(block), len(block)  # of block * 2**k
    while repeats:
        if repeats & 1:
            crc, adler = _crc32_combine(crc, p_crc, p_len), _adler32_combine(adler, p_adler, p_len)
            length += p_len
        p_crc, p_adler = _crc32_combine(p_crc, p_crc, p_len), _adler32_combine(p_adler, p_adler, p_len)
        p_len *= 2
        repeats >>= 1
    return crc, adler


def _gf2_times(mat: list[int], vec: int) -> int:
    total = 0
    i = 0
    while vec:
        if vec & 1:
            total ^= mat[i]
        vec >>= 1
        i += 1
    return total


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def docx_bomb(path: Path, expanded: int = 2 * GIB) -> Path:
    """A DOCX whose word/document.xml is ``expanded`` bytes of empty paragraphs ``<w:p/>``."""
    unit = b"<w:p/>"
    return _docx_with_body(path, unit, expanded // len(unit) * len(unit))


def docx_whitespace(path: Path, expanded: int = 2 * GIB) -> Path:
    """A DOCX whose word/document.xml is ``expanded`` bytes of spaces."""
    return _docx_with_body(path, b" ", expanded)


def _pdf(objects: list[bytes], path: Path) -> Path:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def pdf_stream_bomb(path: Path, expanded: int = GIB) -> Path:
    """One page whose content stream inflates to ``expanded`` bytes of whitespace."""
    stream, _, _ = _repeated_deflate(b" ", expanded, raw=False)
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ], path)


def pdf_many_pages(path: Path, pages: int = 200_000) -> Path:
    """A PDF of ``pages`` empty pages sharing one page tree node (a real object per page)."""
    first_page = 3
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    return _pdf(objects, path)


def text_one_line(path: Path, size: int = 150 * MB) -> Path:
    """One line of ``size`` bytes: numbers and words without a newline."""
    unit = "政府信息公开 123 ".encode()
    with open(path, "wb") as handle:
        block = unit * (MB // len(unit))
        written = 0
        while written < size:
            part = block[: size - written]
            handle.write(part)
            written += len(part)
    return path


# ---- mutations ---------------------------------------------------------------------------

def truncated(data: bytes, seed: int = 0) -> bytes:
    """The first part of a file: cut at a random point in its middle half."""
    rng = random.Random(seed)
    return data[: rng.randint(len(data) // 4, max(len(data) // 4, 3 * len(data) // 4))]


def bit_flipped(data: bytes, seed: int = 0, flips: int = 16) -> bytes:
    """A file with ``flips`` random bits flipped."""
    rng = random.Random(seed)
    mutated = bytearray(data)
    for _ in range(flips):
        if mutated:
            mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
    return bytes(mutated)


def random_bytes(size: int = 4096, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


BOMBS = {
    "docx_bomb.docx": docx_bomb,
    "docx_whitespace.docx": docx_whitespace,
    "pdf_stream_bomb.pdf": pdf_stream_bomb,
    "pdf_200k_pages.pdf": pdf_many_pages,
    "text_one_line.txt": text_one_line,
}


def write_bombs(folder: Path) -> dict[str, Path]:
    """One of each bomb in ``folder``; returns name → path."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(folder / name) for name, make in BOMBS.items()}


def process_tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc — how the
    hostile tests and benchmarks/hostile_ingest.py measure a whole ingest's memory."""
    import os

    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total
