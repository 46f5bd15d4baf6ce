"""Issue 13 at the command line: query, export (files read back equal), --version, a --db
that does not exist, validate's outputs beside its database, and `gongkai run` reporting
flags as findings (exit 0) in a persistent Dagster instance."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import ROOT

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def gongkai(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 300):
    return subprocess.run([GONGKAI, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """Samples ingested and validated with the CLI itself (outputs land beside the db)."""
    work = tmp_path_factory.mktemp("cli")
    db = work / "w.duckdb"
    assert gongkai("ingest", str(ROOT / "data" / "raw"), "--db", str(db), "--workers", "1").returncode == 0
    result = gongkai("validate", "--db", str(db))
    assert result.returncode == 0, result.stderr[-800:]
    return db


def test_version():
    result = gongkai("--version")
    assert result.returncode == 0 and result.stdout.startswith("gongkai 0.1.0")


def test_validate_writes_beside_the_database_it_checked(warehouse):
    assert (warehouse.parent / "dashboard" / "index.html").exists()
    assert (warehouse.parent / "quality" / "data_docs" / "index.html").exists()


@pytest.mark.parametrize("command", [["validate"], ["query", "quarantined_files"], ["export", "v_requests", "--out", "x.csv"]])
def test_a_missing_db_is_an_error_and_is_not_created(tmp_path, command):
    missing = tmp_path / "typo.duckdb"
    result = gongkai(*command, "--db", str(missing), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(f"gongkai: {missing}: no such warehouse (create it with gongkai ingest)")
    assert not missing.exists()


def test_query_runs_with_defaults_and_overrides(warehouse):
    default = gongkai("query", "fee_amounts_2021_format", "--db", str(warehouse), "--csv")
    assert default.returncode == 0, default.stderr
    assert "威远县人民政府" in default.stdout and "乡宁县人民政府办公室" in default.stdout
    other_year = gongkai("query", "05_fee_amounts_2021_format.sql", "--param", "year=2020", "--db", str(warehouse), "--csv")
    assert other_year.returncode == 0 and other_year.stdout.strip().count("\n") == 0  # header only
    search = gongkai("query", "keyword_search_section_five", "--param", "keyword=培训", "--db", str(warehouse), "--csv")
    assert search.returncode == 0 and "gongkai query: 4 rows" in search.stderr
    unknown = gongkai("query", "fee_amounts_2021_format", "--param", "yaer=2020", "--db", str(warehouse))
    assert unknown.returncode == 2 and "unknown parameter yaer (it takes: year)" in unknown.stderr
    nothing = gongkai("query", "no_such_query", "--db", str(warehouse))
    assert nothing.returncode == 2 and "no such query" in nothing.stderr


@pytest.mark.parametrize("name,params", [("v_requests", []), ("v_fees", []),
                                          ("denial_rate_by_province_year", ["--param", "include_flagged=true"])])
def test_exports_read_back_equal(warehouse, tmp_path, name, params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        from gongkai.analyst import parse_params, run_query

        expected = run_query(con, name, parse_params([p for p in params if p != "--param"]))
    for fmt in ("csv", "parquet", "xlsx"):
        out = tmp_path / f"{name}.{fmt}"
        result = gongkai("export", name, "--out", str(out), "--db", str(warehouse), *params)
        assert result.returncode == 0, result.stderr
        if fmt == "csv":
            raw = out.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
            back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        elif fmt == "parquet":
            with duckdb.connect() as con:
                back = con.execute("select * from read_parquet($p)", {"p": str(out)}).df()
        else:
            back = pd.read_excel(out, engine="openpyxl", dtype=str, keep_default_na=False)
        assert list(back.columns) == list(expected.columns)
        assert len(back) == len(expected) > 0
        if fmt == "parquet":
            pd.testing.assert_frame_equal(back.reset_index(drop=True), expected.reset_index(drop=True),
                                          check_dtype=False)
        else:  # text formats: compare as printed text
            def text(frame):
                return frame.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA
                                 else (str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v)))
            norm_back = back.map(lambda v: str(int(float(v))) if v.replace(".", "", 1).isdigit()
                                 and float(v).is_integer() else v)
            shown = text(expected)
            for column in expected.columns:
                if pd.api.types.is_float_dtype(expected[column]):
                    assert [float(v) if v != "" else None for v in back[column]] == pytest.approx(
                        [None if pd.isna(v) else float(v) for v in expected[column]], nan_ok=True)
                elif pd.api.types.is_bool_dtype(expected[column]):
                    assert [v.lower() for v in back[column]] == [str(v).lower() for v in expected[column]]
                else:
                    assert list(norm_back[column]) == list(shown[column]), column


def test_gongkai_run_reports_flags_as_findings_and_keeps_the_run(tmp_path):
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data" / "raw")
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    env = {"DAGSTER_HOME": str(tmp_path), "GONGKAI_WORKERS": "1"}
    result = gongkai("run", "--no-crawl", cwd=tmp_path, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "gongkai run: 3 reports flagged (data findings, not failures)" in result.stderr
    assert "FAILED" not in result.stderr
    assert "check identities_hold: 2 reports flagged (warning)" in result.stderr
    # the run is in the persistent instance `dagster dev` reads (DAGSTER_HOME), with its logs
    probe = subprocess.run([sys.executable, "-c", "import dagster as dg; i = dg.DagsterInstance.get(); "
                            "print(len(i.get_runs()), i.get_runs()[0].status.value)"],
                           capture_output=True, text=True, cwd=tmp_path, env={**os.environ, **env}, timeout=120)
    assert probe.stdout.split() == ["1", "SUCCESS"], probe.stderr[-500:]
    assert (tmp_path / ".dagster_home" / "compute_logs").is_dir()
    assert not (tmp_path / "storage").exists()
