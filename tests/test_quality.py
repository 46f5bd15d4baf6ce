"""Quality suites: exactly the expected flags on the samples, I5 across years, stored results."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from gongkai.quality.validate import validate_warehouse
from gongkai.warehouse.load import ingest

RAW = ROOT / "data" / "raw"
WUZHAI, WEIYUAN, XIANGNING, SISHUI, DASHUIKENG = (
    "000_a0b312813d1ea27c.txt", "001_e734d4ff9f7ecc9d.txt", "002_c9324f8e30294702.txt",
    "003_4069a6ea5ccfdf01.txt", "004_630953d30cc2ca0c.txt",
)


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> tuple[Path, object, Path]:
    work = tmp_path_factory.mktemp("quality")
    db = work / "warehouse.duckdb"
    ingest([str(RAW)], db, workers=1)
    run = validate_warehouse(db, docs_dir=work / "data_docs")
    return db, run, work


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_exactly_the_expected_flags_on_the_samples(validated):
    db, _run, _ = validated
    failing = rows(db, """
        select r.file_name, q.rule, q.item
        from quality_result q join dim_report r using (report_id)
        where q.run_id = (select max(run_id) from quality_run) and not q.passed
        order by all
    """)
    assert failing == sorted([
        (WUZHAI, "I1", "natural_person"),
        (WUZHAI, "I2", "new_received"),
        (WUZHAI, "I2", "unable_need_creation"),
        (WUZHAI, "I3", "natural_person"),
        (XIANGNING, "I1", "natural_person"),
        (XIANGNING, "I2", "total"),
        (XIANGNING, "I2", "unable_not_held"),
        (SISHUI, "completeness", "table4"),
    ])


def test_flagged_reports_stay_and_carry_their_status(validated):
    db, run, _ = validated
    status = dict(rows(db, "select file_name, status from dim_report"))
    assert status == {WUZHAI: "flagged", WEIYUAN: "passed", XIANGNING: "flagged",
                      SISHUI: "flagged", DASHUIKENG: "passed"}
    assert run.reports_flagged == 3 and run.reports == 5
    assert run.gx_success is False


def test_v_quality_gives_one_row_per_report_and_rule(validated):
    db, _run, _ = validated
    duplicates = rows(db, "select report_id, rule, count(*) from v_quality group by all having count(*) > 1")
    assert duplicates == []
    wuzhai = rows(db, """
        select q.rule, q.severity, q.passed, q.detail from v_quality q join dim_report r using (report_id)
        where r.file_name = ? and q.rule in ('I1', 'I2', 'I4') order by q.rule
    """, [WUZHAI])
    assert wuzhai == [
        ("I1", "error", False, "natural_person: expected 1, found 0"),
        ("I2", "error", False, "new_received: expected 1, found 0; unable_need_creation: expected 1, found 0"),
        ("I4", "error", True, ""),
    ]


def test_every_comparison_is_stored_with_its_numbers(validated):
    db, run, _ = validated
    assert rows(db, "select count(*) from quality_run") == [(1,)]
    # only the failing comparisons are stored (the 8 listed above); every comparison is
    # summarised in one verdict per report x rule and in the run's per-rule summary
    assert rows(db, "select count(*), bool_or(passed) from quality_result where run_id = ?", [run.run_id]) == [(8, False)]
    (verdicts,) = rows(db, "select count(*) from quality_verdict where run_id = ?", [run.run_id])
    assert verdicts[0] >= 5 * 8  # I1-I3, completeness, region, plausibility, duplicates for each report
    summary = dict(rows(db, "select rule, comparisons from quality_run_rule where run_id = ?", [run.run_id]))
    assert summary["I1"] == 5 * 7 and summary["I3"] == 5 * 7 and summary["completeness"] == 5 * 4
    xiangning_total = rows(db, """
        select expected, observed, residual, severity from quality_result q join dim_report r using (report_id)
        where r.file_name = ? and q.rule = 'I2' and q.item = 'total'
    """, [XIANGNING])
    assert xiangning_total == [(0.0, 2.0, -2.0, "error")]


def test_data_docs_site_is_built(validated):
    _db, run, work = validated
    index = work / "data_docs" / "index.html"
    assert run.data_docs == str(index.resolve())
    assert index.exists()
    validations = list((work / "data_docs" / "validations").rglob("*.html"))
    assert len(validations) >= 11  # one per rule suite


def _two_years(tmp_path: Path, carried_forward_2020: str) -> Path:
    """The 五寨县 2020 report and a 2021 copy whose 上年结转 column is printed as given."""
    folder = tmp_path / "raw"
    folder.mkdir()
    source = (RAW / WUZHAI).read_text(encoding="utf-8")
    (folder / "wuzhai_2020.txt").write_text(source, encoding="utf-8")
    # the next year's report: same agency, year 2021, carried-over row = last year's 结转下年度 (all 0s)
    next_year = source.replace("2020", "2021")
    marker = "二、上年结转政府信息公开申请数量"
    assert marker in next_year
    head, tail = next_year.split(marker, 1)
    lines = tail.split("\n")
    replaced, out = 0, []
    for line in lines:
        if replaced == 0 and line.strip() == "0":
            out.append(line.replace("0", carried_forward_2020))
            replaced = 1
        else:
            out.append(line)
    (folder / "wuzhai_2021.txt").write_text(head + marker + "\n".join(out), encoding="utf-8")
    return folder


@pytest.mark.parametrize("printed, should_pass", [("0", True), ("5", False)])
def test_i5_carried_over_against_last_years_carried_forward(tmp_path, printed, should_pass):
    folder = _two_years(tmp_path, printed)
    db = tmp_path / "w.duckdb"
    ingest([str(folder)], db, workers=1)
    assert rows(db, "select year from dim_report order by year") == [(2020,), (2021,)]
    validate_warehouse(db, docs_dir=None)
    i5 = rows(db, """
        select r.year, q.passed, q.detail from v_quality q join dim_report r using (report_id) where q.rule = 'I5'
    """)
    assert len(i5) == 1 and i5[0][0] == 2021
    assert i5[0][1] is should_pass
    if not should_pass:
        assert i5[0][2] == "natural_person: expected 0, found 5"
