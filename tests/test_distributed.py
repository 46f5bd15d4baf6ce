"""Extraction on a real dask.distributed LocalCluster (2 worker processes on 127.0.0.1).

The warehouse an ingest loads through the cluster equals a local ingest's; a file read by
fsspec URL gives the same reports; the gazetteer loads once per worker; the driver keeps
a bounded number of files in flight; a task that kills its worker or raises puts only
that file in quarantine and the run goes on.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dask
import duckdb
import pytest
from distributed import Client, LocalCluster

from conftest import ROOT
from gongkai.batch import discover, extract_many
from gongkai.cli import main
from gongkai.distributed import extract_on_cluster, extract_path, worker_state
from gongkai.warehouse.load import IngestResult, load_outcomes
from gongkai.warehouse.schema import connect

TABLES = ("source_file", "quarantine", "dim_report", "fct_requests", "fct_disclosure", "fct_review")


@pytest.fixture(scope="module")
def cluster():
    # one task per worker thread at a time, and a task whose worker dies fails at once
    # (the defaults retry it on 3 more workers), so the kill test touches no other file
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0,
                          "distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0", memory_limit="1GiB") as local:
            yield local


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """The five seed reports plus two files that yield no report."""
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "data" / "raw", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really a pdf\n")
    return folder


def warehouse_rows(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows without load timestamps, sorted."""
    rows = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in TABLES:
            columns = [name for name, kind in con.execute(
                "select column_name, data_type from information_schema.columns where table_name = $t order by ordinal_position",
                {"t": table}).fetchall() if not kind.startswith("TIMESTAMP")]
            select = ", ".join(f'"{c}"' for c in columns)
            rows[table] = sorted(con.execute(f"select {select} from {table}").fetchall(), key=repr)
    return rows


def test_ingest_on_the_cluster_loads_the_same_warehouse_as_a_local_ingest(cluster, corpus, tmp_path, monkeypatch, capsys):
    local_db, cluster_db = tmp_path / "local.duckdb", tmp_path / "cluster.duckdb"
    monkeypatch.delenv("GONGKAI_DASK_SCHEDULER", raising=False)
    assert main(["ingest", str(corpus), "--db", str(local_db), "--workers", "1"]) == 1  # two files quarantined
    monkeypatch.setenv("GONGKAI_DASK_SCHEDULER", "")  # restored after the test (the CLI sets it)
    assert main(["ingest", "--cluster", cluster.scheduler_address, str(corpus), "--db", str(cluster_db)]) == 1
    err = capsys.readouterr().err
    assert "broken.pdf" in err and "empty.txt" in err
    local, remote = warehouse_rows(local_db), warehouse_rows(cluster_db)
    assert len(local["dim_report"]) == 5 and len(local["quarantine"]) == 2
    assert len(local["fct_requests"]) > 100
    for table in TABLES:
        assert remote[table] == local[table], table


def test_a_file_read_by_fsspec_url_gives_the_same_reports(cluster, corpus):
    path = str(corpus / "000_a0b312813d1ea27c.txt")
    by_path = extract_path(path)
    (by_url,) = extract_on_cluster([Path(path).as_uri()], cluster.scheduler_address)
    assert by_url.ok and by_url.sha256 == by_path.sha256 and by_url.size_bytes == by_path.size_bytes
    assert [r["table3"] for r in by_url.reports] == [r["table3"] for r in by_path.reports]
    assert by_url.reports[0]["agency"] == by_path.reports[0]["agency"]
    (missing,) = extract_on_cluster([Path(corpus / "gone.txt").as_uri()], cluster.scheduler_address)
    assert not missing.ok and missing.error.startswith("cannot read file (FileNotFoundError")


def test_the_gazetteer_loads_once_per_worker(cluster, corpus):
    from gongkai.gazetteer.index import load

    list(extract_on_cluster(discover([corpus]), cluster.scheduler_address))
    list(extract_on_cluster(discover([corpus]), cluster.scheduler_address))
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        states = client.run(worker_state)
        builds = client.run(lambda: load.cache_info().misses)
    assert len(states) == 2 and len({s["pid"] for s in states.values()}) == 2
    assert all("gazetteer_cpu_seconds" in s for s in states.values())  # warmed by the plugin
    assert set(builds.values()) == {1}  # two runs, 14 files: built once in each worker


def test_the_driver_keeps_at_most_max_in_flight_files_submitted(cluster, corpus):
    files = discover([corpus]) * 3  # 21 tasks
    outcomes = extract_on_cluster(files, cluster.scheduler_address, max_in_flight=3, files_per_task=1)
    first = next(outcomes)
    assert first.path in files
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        live = client.run_on_scheduler(
            lambda dask_scheduler: sum(1 for key in dask_scheduler.tasks if str(key).startswith("gongkai-extract-")))
    assert live <= 3
    rest = list(outcomes)
    assert len(rest) == 20 and all(o.ok for o in rest if o.path.endswith("c.txt"))


def _dies_or_raises(path: str):
    """The extraction task, except that kill-me.txt ends its worker process and raise-me.txt raises."""
    if path.endswith("kill-me.txt"):
        os._exit(17)
    if path.endswith("raise-me.txt"):
        raise MemoryError("simulated")
    return extract_path(path)


def test_a_task_that_kills_its_worker_quarantines_that_file_and_the_run_goes_on(cluster, corpus, tmp_path):
    (corpus / "kill-me.txt").write_text("任何内容", encoding="utf-8")
    (corpus / "raise-me.txt").write_text("任何内容", encoding="utf-8")
    files = discover([corpus])
    outcomes = {o.path: o for o in extract_on_cluster(files, cluster.scheduler_address, task=_dies_or_raises)}
    assert set(outcomes) == set(files)
    killed = outcomes[str(corpus / "kill-me.txt")]
    assert killed.error.startswith("the worker extracting this file died (KilledWorker")
    assert killed.sha256 and killed.size_bytes == len("任何内容".encode())
    raised = outcomes[str(corpus / "raise-me.txt")]
    assert raised.error == "extraction task failed on the cluster (MemoryError: simulated)"
    assert sum(o.ok for o in outcomes.values()) == 5  # every seed still extracted
    con = connect(str(tmp_path / "w.duckdb"))
    try:
        load_outcomes(con, list(outcomes.values()), IngestResult())
        quarantined = dict(con.execute("select source_ref, reason from quarantine").fetchall())
        assert con.execute("select count(*) from dim_report").fetchall() == [(5,)]
    finally:
        con.close()
    assert quarantined[str((corpus / "kill-me.txt").resolve())] == killed.error
    assert len(quarantined) == 4  # kill-me, raise-me, empty, broken
    # the nanny restarted the worker: the cluster extracts again
    again = list(extract_on_cluster([str(corpus / "001_e734d4ff9f7ecc9d.txt")], cluster.scheduler_address))
    assert again[0].ok


def test_an_unreachable_scheduler_is_one_line_and_exit_2(corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GONGKAI_DASK_SCHEDULER", "")
    code = main(["ingest", "--cluster", "tcp://127.0.0.1:9", str(corpus), "--db", str(tmp_path / "x.duckdb")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("gongkai: cannot reach the Dask scheduler at tcp://127.0.0.1:9")


def test_local_extraction_ignores_an_empty_scheduler(corpus, monkeypatch):
    monkeypatch.setenv("GONGKAI_DASK_SCHEDULER", "")
    outcomes = list(extract_many(discover([corpus]), workers=1))
    assert [o.ok for o in outcomes].count(True) == 5
