"""Contract reports → column-oriented DataFrames, one per warehouse table (pure, no database).

Values are kept exactly as the contract carries them (as printed); a blank cell becomes a
null count with ``is_blank`` true, a printed 0 stays 0. Every fact row carries the
location of its value in the source (from ``extract --provenance``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import pandas as pd

from gongkai import formats as F
from gongkai.metadata import agency_kind

UNRESOLVED = "unresolved"
FACT_TABLES = ("fct_requests", "fct_disclosure", "fct_review")
_UNIT_SUFFIX = "_unit"
_REQUEST_COLUMNS = ("report_id", "applicant_type", "disposition_key", "count", "is_blank", "source_location")


def agency_id(name: str, adcode: str) -> str:
    return hashlib.md5(f"{name}|{adcode}".encode()).hexdigest()[:16]


def _locations(report: dict, table: str) -> dict:
    return (report.get("provenance") or {}).get("values", {}).get(table, {})


class ReportFrames:
    """Accumulates rows column by column, then builds one DataFrame per table."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list]] = {}

    def _append(self, table: str, **row: Any) -> None:
        columns = self.columns.setdefault(table, {k: [] for k in row})
        for key, value in row.items():
            columns[key].append(value)

    def add(self, report: dict, *, source_ref: str, extracted_at: datetime, region) -> None:
        """Add one contract report. ``region`` is the gazetteer's resolution of its place."""
        report_id = report["id"]
        source = report["source"]
        adcode = region.adcode if region.status == "resolved" and region.adcode else UNRESOLVED
        agency = report.get("agency")
        agency_key = agency_id(agency, adcode) if agency else None
        provenance = report.get("provenance") or {}
        notes = provenance.get("notes") or []
        self._append(
            "dim_report",
            report_id=report_id, source_ref=source_ref, file_name=source.get("file_name") or source_ref,
            sha256=source["sha256"], source_format=source["format"], template=report.get("template"),
            template_evidence=provenance.get("template") or None, parser_version=source["parser_version"],
            extracted_at=extracted_at, status="loaded", year=report.get("year"), agency=agency,
            agency_id=agency_key, region_text=report.get("region_text"), adcode=adcode,
            region_status=region.status,
            region_candidates=json.dumps(region.candidates, ensure_ascii=False) if region.candidates else None,
            has_table2="table2" in report, has_table3="table3" in report, has_table4="table4" in report,
            notes=json.dumps(notes, ensure_ascii=False) if notes else None,
        )
        if agency:
            self._append("dim_agency", agency_id=agency_key, name=agency, adcode=adcode, kind=agency_kind(agency))
        self._add_text(report_id, provenance.get("text"))
        self._add_requests(report_id, report.get("table3"), _locations(report, "table3"))
        self._add_disclosure(report_id, report.get("template"), report.get("table2"), _locations(report, "table2"))
        self._add_review(report_id, report.get("table4"), _locations(report, "table4"))

    def _add_text(self, report_id: str, text: dict | None) -> None:
        """provenance.text (gongkai.report_text) -> report_text: date and sections 一, 五, 六."""
        if not text:
            return
        sections = text.get("sections") or {}
        self._append(
            "report_text", report_id=report_id, published_on=text.get("published_on"),
            published_on_evidence=text.get("published_on_evidence"),
            section_overview=sections.get("overview"), section_problems=sections.get("problems"),
            section_other=sections.get("other"),
        )

    def _add_requests(self, report_id: str, table3: dict | None, where: dict) -> None:
        if not table3:
            return
        # column-wise, a whole report at a time (~175 rows: the loader's hot path)
        columns = self.columns.setdefault("fct_requests", {k: [] for k in _REQUEST_COLUMNS})
        width = len(F.APPLICANT_KEYS)
        for row_key, counts in table3.items():
            locations = where.get(row_key) or ()
            counts = list(counts[:width]) + [None] * (width - len(counts))
            columns["report_id"].extend([report_id] * width)
            columns["applicant_type"].extend(F.APPLICANT_KEYS)
            columns["disposition_key"].extend([row_key] * width)
            columns["count"].extend(counts)
            columns["is_blank"].extend([c is None for c in counts])
            columns["source_location"].extend(
                [locations[i] if i < len(locations) else None for i in range(width)])

    def _add_disclosure(self, report_id: str, template: str | None, table2: dict | None, where: dict) -> None:
        if not table2:
            return
        for item_key, measures in table2.items():
            locations = where.get(item_key) or {}
            for measure_key, value in measures.items():
                if measure_key.endswith(_UNIT_SUFFIX):
                    continue
                self._append(
                    "fct_disclosure", report_id=report_id, template=template or "unknown", item_key=item_key,
                    measure_key=measure_key, value=value, unit=measures.get(measure_key + _UNIT_SUFFIX),
                    is_blank=value is None, source_location=locations.get(measure_key),
                )

    def _add_review(self, report_id: str, table4: dict | None, where: dict) -> None:
        if not table4:
            return
        for proceeding, counts in table4.items():
            locations = where.get(proceeding) or []
            for i, (outcome, _label) in enumerate(F.TABLE4_OUTCOMES):
                count = counts[i] if i < len(counts) else None
                self._append(
                    "fct_review", report_id=report_id, proceeding_key=proceeding, outcome_key=outcome,
                    count=count, is_blank=count is None,
                    source_location=locations[i] if i < len(locations) else None,
                )

    def frames(self) -> dict[str, pd.DataFrame]:
        """One DataFrame per table that received rows (agencies de-duplicated)."""
        result = {table: pd.DataFrame(columns) for table, columns in self.columns.items()}
        if "dim_agency" in result:
            result["dim_agency"] = result["dim_agency"].drop_duplicates("agency_id")
        if "report_text" in result:
            result["report_text"]["published_on"] = pd.to_datetime(
                result["report_text"]["published_on"], errors="coerce").dt.date
        for table in FACT_TABLES:
            frame = result.get(table)
            if frame is not None:
                for column in ("count", "value"):
                    if column in frame:
                        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        return result


def build_frames(items: Iterable[tuple[dict, str]], *, extracted_at: datetime,
                 resolve: Callable[[dict, str], Any]) -> dict[str, pd.DataFrame]:
    """DataFrames for ``(report, source_ref)`` pairs; ``resolve(report, source_ref)`` places them."""
    frames = ReportFrames()
    for report, source_ref in items:
        frames.add(report, source_ref=source_ref, extracted_at=extracted_at, region=resolve(report, source_ref))
    return frames.frames()
