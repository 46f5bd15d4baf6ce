"""The staging area: outcomes as JSON Lines batch files, loaded batch by batch into the same
warehouse as one load of every outcome."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from conftest import ROOT
from gongkai.batch import FileOutcome, discover, extract_many
from gongkai.staging import MANIFEST, load_staged, prune_loaded, read_batch, read_staged, stage_outcomes
from gongkai.warehouse.load import IngestResult, load_outcomes
from gongkai.warehouse.schema import connect


@pytest.fixture(scope="module")
def outcomes() -> list[FileOutcome]:
    found = list(extract_many(discover([ROOT / "data" / "raw"]), workers=1))
    return found + [FileOutcome("/nowhere/empty.txt", "e3b0c442", 0, error="empty file")]


def test_outcomes_are_staged_in_bounded_batches_and_read_back_unchanged(outcomes, tmp_path):
    run = stage_outcomes(outcomes, tmp_path / "run", batch_files=2)
    assert [c["files"] for c in run.batch_counts] == [2, 2, 2]
    assert (run.files, run.reports, run.failed) == (6, 5, 1)
    assert [p.rsplit("/", 1)[1] for p in run.batches] == ["batch-00001.jsonl", "batch-00002.jsonl", "batch-00003.jsonl"]
    assert not list((tmp_path / "run").glob("*.tmp"))
    back = [o for path in read_staged(tmp_path / "run").batches for o in read_batch(path)]
    assert [(o.path, o.sha256, o.size_bytes, o.error, o.reports) for o in back] == \
           [(o.path, o.sha256, o.size_bytes, o.error, o.reports) for o in outcomes]
    manifest = json.loads((tmp_path / "run" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["reports"] == 5 and manifest["batches"][0] == "batch-00001.jsonl"
    with pytest.raises(FileExistsError):
        stage_outcomes(outcomes, tmp_path / "run")


def test_a_batch_closes_at_its_byte_budget(outcomes, tmp_path):
    run = stage_outcomes(outcomes, tmp_path / "run", batch_files=100, batch_bytes=1)
    assert len(run.batches) == 6  # every line is over one byte: one file per batch


def test_loading_batch_by_batch_equals_one_load(outcomes, tmp_path):
    run = stage_outcomes(outcomes, tmp_path / "run", batch_files=2)
    one, batched = connect(str(tmp_path / "one.duckdb")), connect(str(tmp_path / "batched.duckdb"))
    try:
        load_outcomes(one, [o for path in run.batches for o in read_batch(path)], IngestResult())
        result = load_staged(batched, run.batches)
        assert (result.files_seen, result.reports_loaded, len(result.quarantined)) == (6, 5, 1)
        for table in ("dim_report", "fct_requests", "fct_disclosure", "fct_review"):
            query = f"select * exclude (extracted_at) from {table} order by all" if table == "dim_report" \
                else f"select * from {table} order by all"
            assert one.execute(query).fetchall() == batched.execute(query).fetchall(), table
    finally:
        one.close()
        batched.close()


def test_only_loaded_runs_are_pruned_and_the_newest_kept(tmp_path):
    for index in range(4):
        folder = tmp_path / f"run{index}"
        folder.mkdir()
        if index < 3:  # run0..run2 loaded, in that order; run3 staged, not loaded yet
            (folder / "loaded.json").write_text("{}")
            os.utime(folder / "loaded.json", (1_000_000 + index, 1_000_000 + index))
    removed = prune_loaded(tmp_path, "loaded.json", keep=1)
    assert sorted(p.rsplit("/", 1)[1] for p in removed) == ["run0", "run1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run2", "run3"]
