"""The warehouse: gold numbers back out through SQL, idempotent loads, atomic replacement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, gold_cases
from gongkai import formats as F
from gongkai.warehouse import load as load_module
from gongkai.warehouse.load import ingest

RAW = ROOT / "data" / "raw"
SEED_GOLD = {gold["source"]["ref"]: gold for _, gold in gold_cases() if gold["source"].get("kind") == "seed"}
TABLES = ("dim_report", "fct_requests", "fct_disclosure", "fct_review", "source_file", "quarantine", "dim_agency")


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    result = ingest([str(RAW)], db, workers=1)
    assert result.quarantined == []
    assert result.reports_loaded == 5
    return db


def query(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def report_id_of(db: Path, file_name: str) -> str:
    rows = query(db, "select report_id from dim_report where file_name = ?", [file_name])
    assert len(rows) == 1, rows
    return rows[0][0]


def same_number(stored, gold) -> bool:
    """A blank cell compares equal to a gold null or 0 (REPORT_SCHEMA.md); numbers exactly."""
    if stored is None:
        return gold in (None, 0)
    return gold is not None and float(stored) == float(gold)


@pytest.mark.parametrize("file_name", sorted(SEED_GOLD))
def test_table3_of_every_seed_through_v_requests(samples_db, file_name):
    gold = SEED_GOLD[file_name]
    report_id = report_id_of(samples_db, file_name)
    rows = query(samples_db, """
        select disposition_key, applicant_type, count from v_requests where report_id = ?
    """, [report_id])
    stored = {(d, a): c for d, a, c in rows}
    expected = {(row, F.APPLICANT_KEYS[i]): v for row, values in gold["table3"].items() for i, v in enumerate(values)}
    assert set(stored) == set(expected)
    mismatches = {k: (stored[k], expected[k]) for k in expected if not same_number(stored[k], expected[k])}
    assert mismatches == {}


@pytest.mark.parametrize("file_name", sorted(SEED_GOLD))
def test_tables_2_and_4_of_every_seed_through_facts(samples_db, file_name):
    gold = SEED_GOLD[file_name]
    report_id = report_id_of(samples_db, file_name)
    disclosure = {(i, m): (v, u) for i, m, v, u in query(samples_db, """
        select item_key, measure_key, value, unit from fct_disclosure where report_id = ?
    """, [report_id])}
    expected2 = {
        (item, measure): (value, measures.get(measure + "_unit"))
        for item, measures in gold.get("table2", {}).items()
        for measure, value in measures.items() if not measure.endswith("_unit")
    }
    assert set(disclosure) == set(expected2)
    for key, (value, unit) in expected2.items():
        assert same_number(disclosure[key][0], value), key
        assert disclosure[key][1] == unit, key
    review = {(p, o): c for p, o, c in query(samples_db, """
        select proceeding_key, outcome_key, count from fct_review where report_id = ?
    """, [report_id])}
    if "table4" not in gold:
        assert review == {}  # a table the document lacks is absent, never zeros
        return
    expected4 = {
        (p, F.TABLE4_OUTCOMES[i][0]): v for p, values in gold["table4"].items() for i, v in enumerate(values)
    }
    assert set(review) == set(expected4)
    assert all(same_number(review[k], v) for k, v in expected4.items())


def test_every_seed_resolves_to_its_region(samples_db):
    rows = dict(query(samples_db, "select file_name, adcode from dim_report"))
    assert rows == {name: gold["adcode"] for name, gold in SEED_GOLD.items()}
    township = query(samples_db, """
        select g.province, g.prefecture, g.county, g.township
        from dim_report r join dim_region g using (adcode) where r.adcode = '640323101'
    """)
    assert township == [("宁夏回族自治区", "吴忠市", "盐池县", "大水坑镇")]


def test_blank_cells_are_not_printed_zeros(samples_db):
    # 乡宁县 2021 prints its 法人或其他组织 sub-columns as they are; every stored count is
    # either a printed number or a flagged blank, never an invented 0
    rows = query(samples_db, "select count(*) from fct_requests where is_blank <> (count is null)")
    assert rows == [(0,)]


def test_ingesting_twice_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    first = ingest([str(RAW)], db, workers=1)
    counts = table_counts(db)
    second = ingest([str(RAW)], db, workers=1)
    assert (first.files_extracted, second.files_extracted, second.files_unchanged) == (5, 0, 5)
    assert table_counts(db) == counts
    assert counts["fct_requests"] == sum(7 * len(g["table3"]) for g in SEED_GOLD.values())


def table_counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from {t}")[0][0] for t in TABLES}


def test_a_changed_file_replaces_its_report(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    seed = folder / "wuzhai.txt"
    shutil.copy(RAW / "000_a0b312813d1ea27c.txt", seed)
    db = tmp_path / "w.duckdb"
    ingest([str(folder)], db, workers=1)
    old_id = report_id_of(db, "wuzhai.txt")
    before = table_counts(db)
    # the agency corrects its report: the procurement count 137 becomes 138
    text = seed.read_text(encoding="utf-8")
    assert text.count("137") == 1
    seed.write_text(text.replace("137", "138"), encoding="utf-8")
    result = ingest([str(folder)], db, workers=1)
    new_id = report_id_of(db, "wuzhai.txt")
    assert (result.files_extracted, result.reports_removed) == (1, 1)
    assert new_id != old_id
    assert query(db, "select count(*) from fct_requests where report_id = ?", [old_id]) == [(0,)]
    assert query(db, """
        select value from fct_disclosure where report_id = ? and item_key = 'procurement' and measure_key = 'count'
    """, [new_id]) == [(138.0,)]
    assert table_counts(db) == before


def test_a_crash_mid_load_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    folder = tmp_path / "raw"
    shutil.copytree(RAW, folder)
    db = tmp_path / "w.duckdb"
    ingest([str(folder / "000_a0b312813d1ea27c.txt")], db, workers=1)
    before = table_counts(db)
    snapshot = query(db, "select * from fct_requests order by all")
    real_insert = load_module.insert_frame

    def insert_then_crash(con, table, frame):
        real_insert(con, table, frame)
        if table == "fct_requests":
            raise RuntimeError("killed mid-load")

    monkeypatch.setattr(load_module, "insert_frame", insert_then_crash)
    with pytest.raises(RuntimeError, match="killed mid-load"):
        ingest([str(folder)], db, workers=1)
    assert table_counts(db) == before
    assert query(db, "select * from fct_requests order by all") == snapshot
    monkeypatch.undo()
    # and the next run loads the four files the crashed one did not
    result = ingest([str(folder)], db, workers=1)
    assert (result.files_unchanged, result.files_extracted) == (1, 4)


def test_failed_files_are_quarantined_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(RAW / "001_e734d4ff9f7ecc9d.txt", folder / "good.txt")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notice.txt").write_text("关于举办培训班的通知\n请各单位准时参加。\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    result = ingest([str(folder)], db, workers=1)
    assert result.reports_loaded == 1
    reasons = dict(query(db, "select regexp_extract(source_ref, '[^/]+$'), reason from quarantine"))
    assert set(reasons) == {"empty.pdf", "notice.txt"}
    assert reasons["empty.pdf"].startswith("empty file")
    assert reasons["notice.txt"].startswith("not an annual report")
    # fixing the file takes it out of quarantine
    shutil.copy(RAW / "000_a0b312813d1ea27c.txt", folder / "notice.txt")
    ingest([str(folder)], db, workers=1)
    assert [r[0] for r in query(db, "select regexp_extract(source_ref, '[^/]+$') from quarantine")] == ["empty.pdf"]
    assert query(db, "select count(*) from dim_report") == [(2,)]


def test_the_same_content_at_two_paths_is_one_report(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(RAW / "002_c9324f8e30294702.txt", folder / "a.txt")
    db = tmp_path / "w.duckdb"
    ingest([str(folder)], db, workers=1)
    shutil.copy(RAW / "002_c9324f8e30294702.txt", folder / "b.txt")
    result = ingest([str(folder)], db, workers=1)
    assert (result.files_unchanged, result.files_same_content, result.files_extracted) == (1, 1, 0)
    assert query(db, "select count(*) from dim_report") == [(1,)]
    assert query(db, "select count(*), count(distinct sha256) from source_file") == [(2, 1)]


def test_provenance_on_every_fact(samples_db):
    missing = query(samples_db, """
        select 'requests', count(*) from fct_requests where source_location is null and not is_blank
        union all select 'disclosure', count(*) from fct_disclosure where source_location is null and not is_blank
        union all select 'review', count(*) from fct_review where source_location is null and not is_blank
    """)
    assert dict(missing) == {"requests": 0, "disclosure": 0, "review": 0}
    sample = query(samples_db, """
        select r.file_name, f.source_location from fct_requests f join dim_report r using (report_id)
        where r.file_name = '000_a0b312813d1ea27c.txt' and f.disposition_key = 'new_received'
          and f.applicant_type = 'natural_person'
    """)
    file_name, where = sample[0]
    line = int(where.split()[1])
    assert (RAW / file_name).read_text(encoding="utf-8").splitlines()[line - 1].strip() == "1"
