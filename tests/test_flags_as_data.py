"""Flags are data: the quality checks are WARN with the failing cells (source_location,
file) as evidence; a missing validation run is an ERROR; a forced run re-validates; progress
lines carry totals and ETA off a terminal."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import dagster as dg
import pytest

from conftest import ROOT
from gongkai.progress import Progress
from pipelines.checks import QUALITY_CHECKS
from pipelines.definitions import ASSETS, defs
from pipelines.resources import GongkaiPaths
from pipelines.run import run_pipeline


@pytest.fixture()
def deployment(tmp_path: Path) -> GongkaiPaths:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    return GongkaiPaths(raw_dir=str(raw), crawl_dir=str(tmp_path / "crawl"), sources_file=str(tmp_path / "none.yaml"),
                        db_path=str(tmp_path / "w.duckdb"), docs_dir=str(tmp_path / "docs"),
                        dashboard_dir=str(tmp_path / "dashboard"), workers=1)


def test_checks_warn_with_cells_and_files_and_force_revalidates(deployment):
    instance = dg.DagsterInstance.ephemeral()
    result = run_pipeline(deployment, instance=instance, crawl=False)
    assert result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    identities = checks["identities_hold"]
    assert not identities.passed and identities.severity == dg.AssetCheckSeverity.WARN
    metadata = {k: v.value for k, v in identities.metadata.items()}
    assert metadata["reports_flagged"] == 2 and metadata["failing_cells"] > 0
    evidence = metadata["evidence"]
    assert "source_location" in evidence and "line 123" in evidence and "000_a0b312813d1ea27c.txt" in evidence
    assert all(c.severity == dg.AssetCheckSeverity.WARN for c in checks.values() if not c.passed)
    materialized = {e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
                    for e in result.get_asset_materialization_events()}
    assert materialized["warehouse_tables"]["dagster/row_count"].value == 5
    assert [c.name for c in materialized["warehouse_tables"]["dagster/column_schema"].value.columns][:2] == [
        "report_id", "source_ref"]
    # nothing new: skipped, unless forced (the revalidate_all job's config)
    again = run_pipeline(deployment, instance=instance, crawl=False)
    assert {e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata["validated"].value
            for e in again.get_asset_materialization_events() if e.asset_key.to_user_string() == "quality_results"} == {
        "quality_results": False}
    forced = dg.materialize([a for a in ASSETS if a.key.to_user_string() in ("quality_results",)],
                            resources={"paths": deployment}, instance=instance,
                            run_config={"ops": {"quality_results": {"config": {"force": True}}}})
    event = forced.get_asset_materialization_events()[0].step_materialization_data.materialization
    assert event.metadata["validated"].value is True and event.metadata["reports_flagged"].value == 3
    assert defs.resolve_job_def("revalidate_all").name == "revalidate_all"


def test_no_validation_run_is_an_error(deployment):
    from gongkai.warehouse.load import ingest

    ingest([deployment.raw_dir], deployment.db_path, workers=1)
    check = next(c for c in QUALITY_CHECKS if any(k.name == "identities_hold" for k in c.check_keys))
    result = dg.materialize([a for a in ASSETS if a.key.to_user_string() == "quality_results"] + [check],
                            resources={"paths": deployment}, selection=dg.AssetSelection.checks(check),
                            raise_on_error=False)
    evaluation = result.get_asset_check_evaluations()[0]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR


def test_progress_lines_off_a_terminal_carry_total_and_eta():
    stream = io.StringIO()
    progress = Progress("extracted", stream=stream, interval=0.0, tty=False)
    progress.set_total(4)

    class Outcome:
        ok = True

    for _ in range(2):
        progress(Outcome())
    progress.done()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("gongkai: extracted 1/4 files (25%), ETA ")
    assert lines[-1].startswith("gongkai: extracted 2/4 files (50%), ETA ") and lines[-1].endswith("0 failed")
