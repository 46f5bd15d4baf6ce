"""Dagster: the definitions load with their schedule and sensor; the whole graph materializes."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from conftest import ROOT
from pipelines.automation import raw_files_sensor
from pipelines.definitions import defs
from pipelines.resources import GongkaiPaths
from pipelines.run import run_pipeline


def test_definitions_have_the_nightly_schedule_running_at_two_in_shanghai():
    schedules = list(defs.schedules or [])
    assert [s.name for s in schedules] == ["gongkai_nightly_0200_shanghai"]
    schedule = schedules[0]
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "gongkai_nightly"


def test_definitions_have_the_raw_files_sensor_and_every_stage():
    sensors = list(defs.sensors or [])
    assert [s.name for s in sensors] == ["raw_files_sensor"]
    assert sensors[0].default_status == dg.DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"crawled_files", "raw_file_manifest", "extracted_reports", "warehouse_tables",
                    "quality_results", "quality_dashboard"}
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert groups["warehouse_tables"] == "warehouse" and groups["quality_dashboard"] == "quality"
    checks = {key.name for key in graph.asset_check_keys}
    assert checks == {"identities_hold", "cross_year_hold", "completeness_hold", "plausibility_hold", "duplicates_hold"}


@pytest.fixture()
def deployment(tmp_path: Path) -> GongkaiPaths:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    return GongkaiPaths(
        raw_dir=str(raw), crawl_dir=str(tmp_path / "crawl"), sources_file=str(tmp_path / "none.yaml"),
        db_path=str(tmp_path / "warehouse.duckdb"), docs_dir=str(tmp_path / "docs"),
        dashboard_dir=str(tmp_path / "dashboard"), workers=2, staging_dir=str(tmp_path / "staging"),
    )


def materialization(result, key: str) -> dict:
    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == key:
            return {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}
    raise AssertionError(f"{key} was not materialized")


def test_the_whole_graph_materializes_into_a_temporary_duckdb(deployment):
    instance = dg.DagsterInstance.ephemeral()
    first = run_pipeline(deployment, instance=instance)
    assert first.success
    assert materialization(first, "extracted_reports")["reports"] == 5
    assert materialization(first, "quality_results")["reports_flagged"] == 3
    checks = {c.check_name: c.passed for c in first.get_asset_check_evaluations()}
    assert checks == {"identities_hold": False, "completeness_hold": False, "cross_year_hold": True,
                      "plausibility_hold": True, "duplicates_hold": True}
    with duckdb.connect(deployment.db_path, read_only=True) as con:
        assert con.execute("select count(*), count(*) filter (where status = 'flagged') from dim_report").fetchall() == [(5, 3)]
    assert (Path(deployment.dashboard_dir) / "index.html").exists()
    # a night with nothing new: nothing extracted, nothing loaded, the last quality run stands
    second = run_pipeline(deployment, instance=instance)
    assert second.success
    assert materialization(second, "raw_file_manifest")["files_unchanged"] == 5
    assert materialization(second, "extracted_reports")["files_extracted"] == 0
    assert materialization(second, "quality_results")["validated"] is False
    with duckdb.connect(deployment.db_path, read_only=True) as con:
        assert con.execute("select count(*) from quality_run").fetchall() == [(1,)]


def test_the_sensor_starts_a_run_only_when_data_raw_changes(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    monkeypatch.setenv("GONGKAI_RAW_DIR", str(raw))
    first = raw_files_sensor(dg.build_sensor_context(cursor=None)).run_requests[0]
    assert isinstance(first, dg.RunRequest) and first.partition_key == "raw"
    unchanged = raw_files_sensor(dg.build_sensor_context(cursor=first.run_key))
    assert isinstance(unchanged, dg.SkipReason)
    (raw / "new_report.txt").write_text("新文件", encoding="utf-8")
    changed = raw_files_sensor(dg.build_sensor_context(cursor=first.run_key)).run_requests[0]
    assert isinstance(changed, dg.RunRequest) and changed.run_key != first.run_key
