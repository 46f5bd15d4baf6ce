"""Property-based tests (Hypothesis): readers and the value parser on arbitrary input.

They assert only the contract for bad input: a reader returns a Document or raises
ExtractionError with a one-line reason; the value parser returns a Value or None; nothing
else escapes. Inputs are small (a few KB), so each test is bounded in time and memory.
"""

from __future__ import annotations

import io
import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.extract import extract_file
from gongkai.readers.base import Cell, Document, ExtractionError
from gongkai.readers.dispatch import read_document
from gongkai.readers.text import decode_text
from gongkai.values import Value, parse_value, text_in_number_cells

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMBERISH = st.text(alphabet="0123456789,.+-−－—０１２３ 　\t件万元亿个/无空", max_size=20)
PREFIXES = st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<html><table><tr><td>", b"\xef\xbb\xbf",
                            b"\xff\xfe", "二、主动公开政府信息情况\n".encode()])
EXTENSIONS = st.sampled_from([".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps", ".xls", ""])


def _one_line_error(exc: ExtractionError) -> None:
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message


@SETTINGS
@given(st.one_of(st.text(max_size=40), NUMBERISH))
def test_parse_value_returns_a_value_or_none(text):
    value = parse_value(text)
    assert value is None or isinstance(value, Value)
    if value is not None and not value.is_blank:
        assert isinstance(value.number, (int, float))
        assert value.printed == text.strip()


@SETTINGS
@given(st.lists(st.tuples(st.one_of(st.text(max_size=8), NUMBERISH), st.integers(0, 3)), max_size=30))
def test_text_in_number_cells_never_raises(rows):
    cells = [Cell(text, row, f"line {i}") for i, (text, row) in enumerate(sorted(rows, key=lambda r: r[1]))]
    found = text_in_number_cells(cells, [parse_value(c.text) for c in cells])
    for item in found:
        assert parse_value(item["printed"]) is None and len(item["printed"]) <= 16


@SETTINGS
@given(st.binary(max_size=4096))
def test_decode_text_always_gives_text(data):
    text, encoding = decode_text(data)
    assert isinstance(text, str) and "\x00" not in text and encoding


@SETTINGS
@given(PREFIXES, st.binary(max_size=4096), EXTENSIONS)
def test_read_document_gives_a_document_or_one_typed_line(prefix, body, ext):
    data = prefix + body
    if ext in (".doc", ".wps") and data.startswith(b"\xd0\xcf\x11\xe0"):
        data = b"x" + data  # never start LibreOffice from a property test
    try:
        document = read_document(f"hostile{ext}", data)
    except ExtractionError as exc:
        _one_line_error(exc)
    else:
        assert isinstance(document, Document)


def _docx_bytes(document_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                         '2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                         '</Relationships>')
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


XML_BITS = st.sampled_from([b"<w:p>", b"</w:p>", b"<w:t>", b"</w:t>", b"<w:tbl>", b"<w:tr>", b"<w:tc>", b"</w:tc>",
                            b"</w:tr>", b"</w:tbl>", "不详".encode(), b"12", b"&amp;", b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
                            b"<w:gridSpan w:val=\"x\"/>", b"<w:vMerge/>"])


@SETTINGS
@given(st.lists(XML_BITS, max_size=40))
def test_docx_with_arbitrary_body_xml_gives_a_document_or_one_typed_line(bits):
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    data = _docx_bytes(head + b"".join(bits) + b"</w:body></w:document>")
    try:
        read_document("hostile.docx", data)
    except ExtractionError as exc:
        _one_line_error(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                           "四、政府信息公开行政复议、行政诉讼情况", "本年新收政府信息公开申请数量",
                                           "\t", "|", "不详", "2023年度"]), NUMBERISH), max_size=60))
def test_extract_file_gives_reports_or_one_typed_line(parts):
    data = "\n".join(parts).encode("utf-8")
    try:
        reports = extract_file("hostile.txt", data=data, with_provenance=True)
    except ExtractionError as exc:
        _one_line_error(exc)
    else:
        json.dumps(reports, ensure_ascii=False).encode("utf-8")
