"""Partitions per source: ``raw`` (the data/raw folder) and one per portal of the sources file.

An operator re-runs or backfills one portal (or the raw folder) alone by picking its
partition; a backfill over many partitions runs as parallel runs of at most
``PARTITIONS_PER_RUN`` sources each (only the DuckDB writers queue, in the pool
``duckdb_writer``). The nightly schedule and ``gongkai run`` register the current sources
and run every partition in one run (``partition_range_tags``); the data/raw sensor runs the
``raw`` partition.
"""

from __future__ import annotations

import fnmatch
import os
import warnings
from pathlib import Path

import dagster as dg

from pipelines.resources import GongkaiPaths

SOURCE_PARTITIONS = dg.DynamicPartitionsDefinition(name="gongkai_source")
RAW_KEY = "raw"
PARTITIONS_PER_RUN = 8
BACKFILL_POLICY = dg.BackfillPolicy.multi_run(max_partitions_per_run=PARTITIONS_PER_RUN)
# backfill_policy is marked beta in dagster 1.13; say so once here, not on every import
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


def portals_of(paths: GongkaiPaths) -> list:
    """The portals of the sources file (none when there is no file)."""
    if not os.path.exists(paths.sources_file):
        return []
    from gongkai.crawl import load_sources

    return list(load_sources(paths.sources_file))


def source_keys(paths: GongkaiPaths) -> list[str]:
    """Partition keys of a deployment: ``raw`` then every portal's name."""
    return [RAW_KEY, *(p.name for p in portals_of(paths) if p.name != RAW_KEY)]


def sync_source_partitions(instance: dg.DagsterInstance, paths: GongkaiPaths) -> list[str]:
    """Register the deployment's sources as partitions (new portals appear); all keys."""
    wanted = source_keys(paths)
    known = set(instance.get_dynamic_partitions(SOURCE_PARTITIONS.name))
    missing = [key for key in wanted if key not in known]
    if missing:
        instance.add_dynamic_partitions(SOURCE_PARTITIONS.name, missing)
    return list(instance.get_dynamic_partitions(SOURCE_PARTITIONS.name))


def partition_range_tags(keys: list[str]) -> dict[str, str]:
    """Run tags for one run over every partition in ``keys`` (first..last as registered)."""
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    return {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}


def folders_of(paths: GongkaiPaths, keys: list[str]) -> list[str]:
    """Input folders of the partitions ``keys``: for a portal, the crawl folders
    (files/<host>) of its hosts; for ``raw``, data/raw and every crawl folder that no
    listed portal claims (downloads of a `gongkai crawl` with another sources file, or of
    a portal since removed), so no downloaded file is left out."""
    from gongkai.crawl.manifest import safe_host

    folders = [paths.raw_dir] if RAW_KEY in keys else []
    crawled = Path(paths.crawl_dir) / "files"
    if not crawled.is_dir():
        return folders
    present = sorted(p.name for p in crawled.iterdir() if p.is_dir())
    claimed: set[str] = set()
    for portal in portals_of(paths):
        if portal.name == RAW_KEY:
            continue
        for rule in portal.hosts:
            pattern = safe_host(rule.pattern) if "*" not in rule.pattern else rule.pattern.replace(":", "_")
            for name in present:
                if fnmatch.fnmatch(name, pattern) and name not in claimed:
                    claimed.add(name)
                    if portal.name in keys:
                        folders.append(str(crawled / name))
    if RAW_KEY in keys:
        folders += [str(crawled / name) for name in present if name not in claimed]
    return folders
