"""Dagster partitions per source: one portal (or data/raw) materializes alone into a temp
DuckDB file; the staging folder carries the reports between extraction and the warehouse;
the nightly schedule registers the sources and runs them all; Dask through the resource."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from conftest import ROOT
from pipelines.assets import extracted_reports, raw_file_manifest, warehouse_tables
from pipelines.automation import nightly_schedule
from pipelines.definitions import defs
from pipelines.partitions import RAW_KEY, SOURCE_PARTITIONS, folders_of, source_keys, sync_source_partitions
from pipelines.resources import GongkaiPaths

PORTAL = "测试县人民政府"
SEEDS = sorted((ROOT / "data" / "raw").iterdir())
INGEST = [raw_file_manifest, extracted_reports, warehouse_tables]


@pytest.fixture()
def deployment(tmp_path: Path) -> GongkaiPaths:
    """data/raw with three seeds; one portal whose crawl folder holds the other two."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for seed in SEEDS[:3]:
        shutil.copy(seed, raw)
    crawled = tmp_path / "crawl" / "files" / "127.0.0.1_9"
    crawled.mkdir(parents=True)
    for seed in SEEDS[3:]:
        shutil.copy(seed, crawled)
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"portals:\n  - name: {PORTAL}\n    list_url: http://127.0.0.1:9/col/index.html\n",
                       encoding="utf-8")
    return GongkaiPaths(
        raw_dir=str(raw), crawl_dir=str(tmp_path / "crawl"), sources_file=str(sources),
        db_path=str(tmp_path / "warehouse.duckdb"), docs_dir=str(tmp_path / "docs"),
        dashboard_dir=str(tmp_path / "dashboard"), workers=1, staging_dir=str(tmp_path / "staging"),
    )


def metadata(result, key: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == key]
    return {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}


def loaded_files(db_path: str) -> list[str]:
    with duckdb.connect(db_path, read_only=True) as con:
        return sorted(Path(ref).name for (ref,) in con.execute(
            "select r.source_ref from dim_report r").fetchall())


def test_the_ingest_assets_are_partitioned_per_source_and_quality_is_not():
    graph = defs.resolve_asset_graph()
    for key in ("crawled_files", "raw_file_manifest", "extracted_reports", "warehouse_tables"):
        assert graph.get(dg.AssetKey(key)).partitions_def == SOURCE_PARTITIONS, key
        assert graph.get(dg.AssetKey(key)).backfill_policy.max_partitions_per_run == 8
    for key in ("quality_results", "quality_dashboard"):
        assert graph.get(dg.AssetKey(key)).partitions_def is None


def test_the_sources_become_partitions_with_their_folders(deployment):
    assert source_keys(deployment) == [RAW_KEY, PORTAL]
    assert folders_of(deployment, [PORTAL]) == [str(Path(deployment.crawl_dir) / "files" / "127.0.0.1_9")]
    assert folders_of(deployment, [RAW_KEY]) == [deployment.raw_dir]
    orphan = Path(deployment.crawl_dir) / "files" / "old.portal.example"  # no listed portal claims it
    orphan.mkdir()
    assert folders_of(deployment, [RAW_KEY]) == [deployment.raw_dir, str(orphan)]
    assert folders_of(deployment, [PORTAL]) == [str(Path(deployment.crawl_dir) / "files" / "127.0.0.1_9")]
    instance = dg.DagsterInstance.ephemeral()
    assert sync_source_partitions(instance, deployment) == [RAW_KEY, PORTAL]
    assert sync_source_partitions(instance, deployment) == [RAW_KEY, PORTAL]  # idempotent


def test_one_portal_materializes_alone_then_the_raw_folder(deployment):
    instance = dg.DagsterInstance.ephemeral()
    sync_source_partitions(instance, deployment)
    portal = dg.materialize(INGEST, partition_key=PORTAL, resources={"paths": deployment}, instance=instance)
    assert portal.success
    assert loaded_files(deployment.db_path) == [s.name for s in SEEDS[3:]]  # the portal's two reports only
    extracted = metadata(portal, "extracted_reports")
    assert (extracted["files_extracted"], extracted["reports"], extracted["batches"]) == (2, 2, 1)
    # the reports travelled through the staging folder, as JSON Lines with provenance
    folder = Path(extracted["staging_folder"])
    assert folder == Path(deployment.staging_dir) / portal.run_id
    lines = (folder / "batch-00001.jsonl").read_text(encoding="utf-8").splitlines()
    staged = [json.loads(line) for line in lines]
    assert sorted(Path(s["path"]).name for s in staged) == [s.name for s in SEEDS[3:]]
    assert all(s["reports"][0]["table3"] and "provenance" in json.dumps(s["reports"][0]) for s in staged)
    assert json.loads((folder / "partitions.json").read_text(encoding="utf-8")) == [PORTAL]
    assert (folder / "loaded.json").exists()
    assert metadata(portal, "warehouse_tables")["reports_loaded"] == 2

    raw = dg.materialize(INGEST, partition_key=RAW_KEY, resources={"paths": deployment}, instance=instance)
    assert raw.success and metadata(raw, "extracted_reports")["files_extracted"] == 3
    assert loaded_files(deployment.db_path) == [s.name for s in SEEDS]

    again = dg.materialize(INGEST, partition_key=PORTAL, resources={"paths": deployment}, instance=instance)
    assert metadata(again, "raw_file_manifest")["files_unchanged"] == 2
    assert metadata(again, "extracted_reports")["files_extracted"] == 0
    assert metadata(again, "warehouse_tables")["reports_loaded"] == 0
    status = instance.get_status_by_partition(dg.AssetKey("warehouse_tables"),
                                              partition_keys=[RAW_KEY, PORTAL], partitions_def=SOURCE_PARTITIONS)
    assert set(status.values()) == {dg.AssetPartitionStatus.MATERIALIZED}


def test_the_nightly_schedule_registers_the_sources_and_runs_every_partition(deployment, monkeypatch):
    monkeypatch.setenv("GONGKAI_SOURCES", deployment.sources_file)
    with dg.instance_for_test() as instance:
        request = nightly_schedule(dg.build_schedule_context(instance=instance))
        assert request.tags["dagster/asset_partition_range_start"] == RAW_KEY
        assert request.tags["dagster/asset_partition_range_end"] == PORTAL
        assert instance.get_dynamic_partitions(SOURCE_PARTITIONS.name) == [RAW_KEY, PORTAL]


def test_a_partition_extracts_on_dask_through_the_resource(deployment):
    from distributed import LocalCluster

    instance = dg.DagsterInstance.ephemeral()
    sync_source_partitions(instance, deployment)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", memory_limit="1GiB") as cluster:
        fields = {name: getattr(deployment, name) for name in GongkaiPaths.model_fields}
        on_dask = GongkaiPaths(**{**fields, "dask_scheduler": cluster.scheduler_address})
        result = dg.materialize(INGEST, partition_key=PORTAL, resources={"paths": on_dask}, instance=instance)
    assert result.success
    extracted = metadata(result, "extracted_reports")
    assert extracted["extracted_on"] == cluster.scheduler_address and extracted["reports"] == 2
    assert loaded_files(deployment.db_path) == [s.name for s in SEEDS[3:]]
