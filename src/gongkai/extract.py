"""One file in, the canonical reports of REPORT_SCHEMA.md out.

    read (any format) -> cells -> report copies -> tables + metadata -> contract dicts

Pure functions, no Dagster: the CLI, the warehouse loader and the assets all call
`extract_file`.
"""

from __future__ import annotations

import hashlib
import os

from gongkai import PARSER_VERSION
from gongkai.metadata import extract_metadata
from gongkai.readers import Document, ExtractionError, read_document
from gongkai.readers.dispatch import read_bytes
from gongkai.template import Tables, heading_section, instance_bounds, parse_tables, parsed_cells

TYPE_CHECKING = False  # typing itself costs ~2 ms of start-up, for annotations only
if TYPE_CHECKING:
    from typing import Any

CONTRACT_KEYS = (
    "id", "source", "region_text", "region_path", "adcode", "agency", "year", "template",
    "table2", "table3", "table4",
)
_MIN_HEADINGS_FOR_REPORT = 2


def extract_file(path: str, *, data: bytes | None = None, with_provenance: bool = False) -> list[dict[str, Any]]:
    """All reports in one file; raises ExtractionError with a one-line reason when there are none."""
    if data is None:
        data = read_bytes(path)
    document = read_document(path, data)
    sha256 = hashlib.sha256(data).hexdigest()
    return extract_document(document, sha256, with_provenance=with_provenance)


def extract_document(document: Document, sha256: str, *, with_provenance: bool = False) -> list[dict[str, Any]]:
    """Reports found in an already-read document."""
    cells = document.cells
    parsed = parsed_cells(cells)
    metadata = extract_metadata(document.text, document.info.get("title"))
    copies: list[Tables] = []
    bounds: dict[int, tuple[int, int]] = {}  # id(copy) -> its cell range (for provenance.text)
    seen = set()
    instances = list(instance_bounds(cells, parsed))
    for start, stop in instances:
        tables = parse_tables(cells, parsed, start, stop, metadata.year)
        if len(instances) > 1:  # one instance (nearly every file) needs no signature
            signature = tables.signature()
            if signature in seen:
                continue  # the same report printed twice in one file is one report
            seen.add(signature)
        _note_text_in_number_cells(tables, cells, parsed, start, stop)
        copies.append(tables)
        bounds[id(tables)] = (start, stop)
    has_tables = any(t.table2 or t.table3 or t.table4 for t in copies)
    if not has_tables and not _has_report_sections(document, parsed):
        if metadata.title:
            raise ExtractionError(
                "no report body: a report title but no tables or sections (the report is probably an attachment)"
            )
        raise ExtractionError(
            "not an annual report: no 政府信息公开工作年度报告 title, section headings or tables found"
        )
    copies = [t for t in copies if t.table2 or t.table3 or t.table4] or copies[:1]
    reports = []
    for index, tables in enumerate(copies):
        report_id = sha256[:16] if len(copies) == 1 else f"{sha256[:16]}-{index + 1}"
        verdict = _verify_ocr(document, tables)
        report = _report_dict(report_id, document, sha256, metadata, tables, with_provenance)
        if verdict is not None:
            report["source"]["ocr_uncertain"] = bool(verdict.uncertain)
            if with_provenance:
                report["provenance"]["ocr"] = verdict.provenance()
        if with_provenance:
            from gongkai.report_text import report_text

            start, stop = bounds.get(id(tables), (0, len(cells)))
            report["provenance"]["text"] = report_text(cells, parsed, start, stop, metadata.year)
        reports.append(report)
    return reports


def _verify_ocr(document: Document, tables: Tables):
    """For a scan: the identities verify the OCR reading (gongkai.ocr.verify); notes recorded."""
    if not document.info.get("ocr"):
        return None
    from gongkai.ocr.verify import verify

    verdict = verify(tables, document)
    tables.notes.extend(verdict.notes())
    return verdict


def resolve_place(region_text: str | None, agency: str | None, year: int | None):
    """The gazetteer's answer (imported lazily: its index loads once per process)."""
    from gongkai.gazetteer import resolve_region

    return resolve_region(region_text, agency, year)


def _note_text_in_number_cells(tables: Tables, cells, parsed, start: int, stop: int) -> None:
    """Number cells holding text: kept as notes (→ dim_report.notes, quality rule text_in_number_cells)."""
    from gongkai.values import text_in_number_cells

    for cell in text_in_number_cells(cells, parsed, start, stop):
        tables.notes.append(f"text in a number cell: {cell['where']}: {cell['printed']!r}")


def _has_report_sections(document: Document, parsed) -> bool:
    """Tables printed as images still leave their section headings (二、三、四) behind."""
    headings = {
        heading_section(c.text) for c, p in zip(document.cells, parsed) if p is None
    } - {None}
    return len(headings & {2, 3, 4}) >= _MIN_HEADINGS_FOR_REPORT


def _report_dict(report_id: str, document: Document, sha256: str, metadata, tables: Tables,
                 with_provenance: bool) -> dict[str, Any]:
    source = {
        "ref": document.path,
        "format": document.format,
        "sha256": sha256,
        "file_name": os.path.basename(document.path),
        "parser_version": PARSER_VERSION,
        **{k: v for k, v in document.info.items()
           if k in ("encoding", "pages", "converted_with", "flattened", "sheets", "ocr")},
    }
    if getattr(tables, "label_repairs", None):  # damaged table-三 labels mapped by number and position
        source["damaged_labels"] = [{k: v for k, v in r.items() if k != "note"} for r in tables.label_repairs]
    region = resolve_place(metadata.region_text, metadata.agency, metadata.year)
    report: dict[str, Any] = {
        "id": report_id,
        "source": source,
        "region_text": metadata.region_text,
        "region_path": region.region_path if region.status == "resolved" else [],
        "adcode": region.adcode if region.status == "resolved" else None,
        "agency": metadata.agency,
        "year": metadata.year,
        "template": tables.template,
    }
    for key in ("table2", "table3", "table4"):
        value = getattr(tables, key)
        if value:
            report[key] = value
    if with_provenance:
        report["provenance"] = {
            "values": tables.provenance,
            "template": tables.template_evidence,
            "metadata": {**metadata.evidence, "region": region.reason},
            "notes": tables.notes,
        }
    return report
