"""National-scale mechanisms, on small inputs: incremental quality gives the verdicts of a full
re-check, a replaced report re-checks its I5 pairs in year - 1 and year + 1, a process killed
mid-batch leaves whole reports (and a re-run completes them), and analysts holding the
published copy open never make ingest or validate fail."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from conftest import ROOT
from gongkai import PARSER_VERSION
from gongkai.batch import FileOutcome
from gongkai.quality.validate import validate_warehouse
from gongkai.synth.generate import generate_reports
from gongkai.warehouse.load import IngestResult, load_batches
from gongkai.warehouse.publish import published_path
from gongkai.warehouse.schema import connect

RAW = ROOT / "data" / "raw"
PYTHON = sys.executable
GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def as_outcome(report: dict, path: str, tag: str = "") -> FileOutcome:
    """A synthetic report as if extracted from ``path`` (its content hash depends on ``tag``)."""
    report = copy.deepcopy(report)
    sha = hashlib.sha256(f"{path}|{tag}".encode()).hexdigest()
    report["id"] = sha[:16]
    report["source"] = {"ref": path, "format": "txt", "sha256": sha, "file_name": Path(path).name,
                        "parser_version": PARSER_VERSION}
    return FileOutcome(path, sha, 100, reports=[report])


def load(db: Path, outcomes: list[FileOutcome]) -> IngestResult:
    result = IngestResult()
    con = connect(db)
    try:
        load_batches(con, outcomes, result, batch_reports=40)
    finally:
        con.close()
    return result


def state(db: Path) -> tuple[list, list, list]:
    """Current verdicts, failing comparisons and report statuses (without run ids)."""
    with duckdb.connect(str(db), read_only=True) as con:
        verdicts = con.execute("select report_id, rule, severity, passed, failing_items, detail "
                               "from v_quality order by all").fetchall()
        failing = con.execute("select report_id, rule, item, expected, observed, residual, severity, detail "
                              "from quality_result order by all").fetchall()
        status = con.execute("select report_id, status from dim_report order by all").fetchall()
    return verdicts, failing, status


def test_incremental_runs_give_the_verdicts_of_a_full_recheck(tmp_path):
    db = tmp_path / "w.duckdb"
    reports = list(generate_reports(360, seed=5, years=range(2019, 2027)))
    paths = [f"/synthetic/{i}.txt" for i in range(len(reports))]
    load(db, [as_outcome(r, p) for r, p in zip(reports[:200], paths[:200])])
    first = validate_warehouse(db, docs_dir=None, chunk_reports=70)
    assert (first.mode, first.reports_checked) == ("all", 200)
    # night 2: new reports (series continue across the boundary) and 30 replaced reports
    # whose 结转下年度 changed (their next year's I5 changes too)
    replaced = []
    for i in range(0, 60, 2):
        report = copy.deepcopy(reports[i])
        report["table3"]["carried_forward"] = [v + 3 if isinstance(v, int) else v
                                               for v in report["table3"]["carried_forward"]]
        replaced.append(as_outcome(report, paths[i], tag="v2"))
    result = load(db, [as_outcome(r, p) for r, p in zip(reports[200:], paths[200:])] + replaced)
    assert (result.reports_loaded, result.reports_removed) == (190, 30)
    second = validate_warehouse(db, docs_dir=None, chunk_reports=70)
    assert second.mode == "incremental" and 190 <= second.reports_checked < 360
    incremental = state(db)
    full = validate_warehouse(db, docs_dir=None, all_reports=True, chunk_reports=70)
    assert full.reports_checked == 360
    assert state(db) == incremental
    verdicts, failing, status = incremental
    assert any(rule == "I5" and not passed for _, rule, _, passed, _, _ in verdicts)
    assert {s for _, s in status} == {"passed", "flagged"}
    assert len({r for r, *_ in verdicts}) == 360  # every report has current verdicts
    # a night with nothing new checks nothing and changes nothing
    quiet = validate_warehouse(db, docs_dir=None)
    assert quiet.reports_checked == 0 and state(db) == incremental


def _series(years: int = 3) -> list[dict]:
    """One agency's reports for ``years`` consecutive years, consistent across years."""
    stream = list(generate_reports(400, seed=11, years=range(2019, 2027), inconsistent_share=0.0))
    by_agency: dict[str, list[dict]] = {}
    for report in stream:
        by_agency.setdefault(report["agency"], []).append(report)
    for series in by_agency.values():
        if len(series) >= years:
            return series[:years]
    raise AssertionError("no series long enough")


def test_a_replaced_report_rechecks_its_i5_pairs_in_the_years_before_and_after(tmp_path):
    db = tmp_path / "w.duckdb"
    before, middle, after = _series()
    year = middle["year"]
    assert (before["year"], after["year"]) == (year - 1, year + 1)
    others = list(generate_reports(50, seed=99, years=range(2019, 2027)))
    load(db, [as_outcome(r, f"/s/{r['agency']}-{r['year']}.txt") for r in (before, middle, after, *others)])
    first = validate_warehouse(db, docs_dir=None)
    ids = {r["year"]: hashlib.sha256(f"/s/{r['agency']}-{r['year']}.txt|".encode()).hexdigest()[:16]
           for r in (before, middle, after)}
    with duckdb.connect(str(db), read_only=True) as con:
        i5 = dict(con.execute("select report_id, passed from v_quality where rule = 'I5' and list_contains(?, report_id)",
                              [list(ids.values())]).fetchall())
    assert i5 == {ids[year]: True, ids[year + 1]: True}  # the first year has no predecessor
    # year Y is re-published with a different 上年结转 and 结转下年度 in the natural-person column
    changed = copy.deepcopy(middle)
    changed["table3"]["carried_over"][0] += 4
    changed["table3"]["carried_over"][6] += 4
    changed["table3"]["carried_forward"][0] += 7
    changed["table3"]["carried_forward"][6] += 7
    path = f"/s/{middle['agency']}-{year}.txt"
    load(db, [as_outcome(changed, path, tag="v2")])
    new_id = hashlib.sha256(f"{path}|v2".encode()).hexdigest()[:16]
    run = validate_warehouse(db, docs_dir=None)
    assert run.mode == "incremental"
    with duckdb.connect(str(db), read_only=True) as con:
        checked = {r for (r,) in con.execute("select distinct report_id from quality_verdict where run_id = ?",
                                             [run.run_id]).fetchall()}
        verdict = dict(((r, rule), (passed, detail)) for r, rule, passed, detail in con.execute(
            "select report_id, rule, passed, detail from v_quality where rule = 'I5'").fetchall())
        status = dict(con.execute("select report_id, status from dim_report").fetchall())
        untouched_run = con.execute("select count(*) from quality_verdict where run_id = ?", [first.run_id]).fetchall()
    assert {ids[year - 1], new_id, ids[year + 1]} <= checked  # Y-1, the new Y and Y+1
    assert len(checked) < 10  # not the 53 reports of the warehouse
    assert untouched_run[0][0] > 0
    assert verdict[(new_id, "I5")][0] is False  # Y's 上年结转 against Y-1's 结转下年度
    assert "natural_person: expected" in verdict[(new_id, "I5")][1]
    assert verdict[(ids[year + 1], "I5")][0] is False  # Y+1's 上年结转 against the new 结转下年度
    assert status[ids[year + 1]] == "flagged"


KILLER = textwrap.dedent("""
    import os, signal, sys
    import gongkai.warehouse.load as load
    real, calls = load.insert_frame, []
    def insert_then_die(con, table, frame):
        real(con, table, frame)
        if table == "fct_requests":
            calls.append(table)
            if len(calls) == 2:  # in the middle of the second batch's transaction
                os.kill(os.getpid(), signal.SIGKILL)
    load.insert_frame = insert_then_die
    load.ingest([sys.argv[1]], sys.argv[2], workers=1, batch_reports=2)
""")


def test_a_process_killed_mid_batch_leaves_whole_reports_and_a_rerun_completes_them(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(RAW, folder)
    db = tmp_path / "w.duckdb"
    killed = subprocess.run([PYTHON, "-c", KILLER, str(folder), str(db)], capture_output=True, timeout=300)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    with duckdb.connect(str(db)) as con:  # read-write: DuckDB replays its log as after a crash
        assert con.execute("select count(*) from dim_report").fetchall() == [(2,)]  # the first batch, whole
        assert con.execute("select count(*) from source_file").fetchall() == [(2,)]
        orphans = con.execute("select count(*) from fct_requests where report_id not in "
                              "(select report_id from dim_report)").fetchall()
        assert orphans == [(0,)]
        per_report = con.execute("select count(distinct report_id) from fct_requests").fetchall()
        assert per_report == [(2,)]
    from gongkai.warehouse.load import ingest

    result = ingest([str(folder)], db, workers=1, batch_reports=2)
    assert (result.files_unchanged, result.files_extracted, result.reports_loaded) == (2, 3, 3)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(distinct sha256) from dim_report").fetchall() == [(5, 5)]
        assert con.execute("select count(*) from quality_pending").fetchall() == [(5,)]


ANALYST = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from dim_report").fetchall()[0][0], flush=True)
    sys.stdin.readline()  # keep the connection open while the nightly run goes on
    print(con.execute("select count(*) from v_requests").fetchall()[0][0], flush=True)
    con.close()
""")


def test_an_analyst_on_the_published_copy_never_blocks_ingest_or_validate(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "000_a0b312813d1ea27c.txt", raw)
    db = tmp_path / "warehouse.duckdb"
    env = {**os.environ, "GONGKAI_DB": str(db)}
    env.pop("GONGKAI_PUBLISHED", None)

    def gongkai(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([GONGKAI, *args], capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)

    first = gongkai("ingest", str(raw), "--db", str(db))
    assert first.returncode == 0, first.stderr
    published = published_path(db)
    assert published == tmp_path / "published" / "warehouse.duckdb" and published.exists()
    analyst = subprocess.Popen([PYTHON, "-c", ANALYST, str(published)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "1"  # connected and reading
        for name in ("001_e734d4ff9f7ecc9d.txt", "002_c9324f8e30294702.txt"):
            shutil.copy(RAW / name, raw)
        ingest = gongkai("ingest", str(raw), "--db", str(db))
        assert ingest.returncode == 0, ingest.stderr
        assert "published read-only copy" in ingest.stderr
        validate = gongkai("validate", "--db", str(db), "--docs", str(tmp_path / "docs"),
                           "--dashboard", str(tmp_path / "dashboard"))
        assert validate.returncode == 0, validate.stderr
        # the analyst's connection still answers (from the snapshot it opened)
        analyst.stdin.write("\n")
        analyst.stdin.flush()
        assert int(analyst.stdout.readline()) > 0
        assert analyst.wait(timeout=60) == 0
    finally:
        analyst.kill()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*), count(*) filter (where status = 'loaded') from dim_report").fetchall() == [(3, 0)]
        assert con.execute("select count(*) from v_quality").fetchall()[0][0] > 0
    assert "quality run" in validate.stderr and (tmp_path / "dashboard" / "index.html").exists()
    assert not list(published.parent.glob("*.tmp"))  # no temporary copies left behind
