"""Contract gaps of issue 10: wide encodings without BOM, NUL bytes, text in a number cell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from gongkai.extract import extract_file
from gongkai.quality.rules import RULES

SEED = ROOT / "data" / "raw" / "000_a0b312813d1ea27c.txt"


def _tables(report: dict) -> dict:
    return {k: report.get(k) for k in ("year", "agency", "template", "table2", "table3", "table4")}


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_encodings_without_a_byte_order_mark_read_like_utf8(codec, tmp_path):
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(text.encode(codec))
    [report] = extract_file(str(path))
    [clean] = extract_file(str(SEED))
    assert _tables(report) == _tables(clean)
    assert report["source"]["encoding"] == f"{codec} (no byte-order mark)"


def test_nul_bytes_give_one_report_not_two(tmp_path):
    data = SEED.read_bytes()
    damaged = data.replace(b"\n", b"\x00\n\x00", 40).replace("年度报告".encode(), "年度\x00报告".encode())
    path = tmp_path / "nul.txt"
    path.write_bytes(damaged)
    reports = extract_file(str(path))
    [clean] = extract_file(str(SEED))
    assert len(reports) == 1
    assert _tables(reports[0]) == _tables(clean)
    assert reports[0]["source"]["encoding"] == "utf-8 (NUL bytes removed)"


@pytest.fixture()
def mistyped(tmp_path) -> Path:
    """The seed with 表三's 本年新收 法人/其他组织 cell printed as 不详 instead of a number."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if "本年新收政府信息公开申请数量" in line)
    assert lines[row + 3] == "\t0"
    lines[row + 3] = "\t不详"
    path = tmp_path / "mistyped.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_text_in_a_number_cell_is_recorded_not_silently_blank(mistyped):
    result = subprocess.run([sys.executable, "-m", "gongkai.cli", "extract", "--provenance", str(mistyped)],
                            capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout)
    assert "text in a number cell: line 119: '不详'" in report["provenance"]["notes"]
    clean = json.loads(subprocess.run([sys.executable, "-m", "gongkai.cli", "extract", "--provenance", str(SEED)],
                                      capture_output=True, text=True, timeout=120).stdout)
    assert not any("number cell" in note for note in clean["provenance"]["notes"])


def test_the_quality_layer_flags_text_in_a_number_cell(mistyped, tmp_path):
    from gongkai.quality.validate import validate_warehouse
    from gongkai.warehouse.load import ingest

    assert any(rule.name == "text_in_number_cells" and rule.severity == "error" for rule in RULES)
    db = tmp_path / "w.duckdb"
    ingest([str(mistyped)], db, workers=1)
    validate_warehouse(db, docs_dir=None)
    con = duckdb.connect(str(db), read_only=True)
    failing = con.execute(
        "select r.file_name, q.observed, q.detail, r.status from quality_result q join dim_report r using (report_id) "
        "where q.rule = 'text_in_number_cells'").fetchall()
    con.close()
    assert failing == [("mistyped.txt", 1.0, "text in a number cell: line 119: '不详'", "flagged")]
