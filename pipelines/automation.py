"""Jobs, the nightly schedule and the data/raw sensor."""


import hashlib
import json
import os

import dagster as dg

from pipelines.assets import crawled_files
from pipelines.partitions import RAW_KEY, SOURCE_PARTITIONS, partition_range_tags, sync_source_partitions
from pipelines.resources import paths_from_environment

# everything: crawl the portals, then ingest, validate, publish
nightly_job = dg.define_asset_job("gongkai_nightly", selection=dg.AssetSelection.all(),
                                  description="Crawl, extract, load, validate and publish the dashboard.")
# files dropped into data/raw: everything but the crawl
raw_files_job = dg.define_asset_job("gongkai_ingest_raw", selection=dg.AssetSelection.all() - dg.AssetSelection.assets(crawled_files),
                                    description="Extract, load and validate the files in data/raw; publish the dashboard.")

@dg.schedule(
    name="gongkai_nightly_0200_shanghai",
    job=nightly_job,
    cron_schedule="0 2 * * *",  # every day at 02:00 ...
    execution_timezone="Asia/Shanghai",  # ... Beijing time, after portals' evening publishing
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def nightly_schedule(context: dg.ScheduleEvaluationContext):
    """Register the sources file's portals as partitions, then one run over all of them."""
    keys = sync_source_partitions(context.instance, paths_from_environment())
    return dg.RunRequest(run_key=None, tags=partition_range_tags(keys))


def raw_folder_fingerprint(raw_dir: str) -> str:
    """A digest of every file's path, size and modification time under ``raw_dir``."""
    entries = []
    for root, dirs, files in os.walk(raw_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            stat = os.stat(os.path.join(root, name))
            entries.append((os.path.join(root, name), stat.st_size, stat.st_mtime_ns))
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


@dg.sensor(job=raw_files_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts an ingest run of the 'raw' partition when files in data/raw are added, changed or removed.")
def raw_files_sensor(context: dg.SensorEvaluationContext):
    raw_dir = paths_from_environment().raw_dir
    if not os.path.isdir(raw_dir):
        return dg.SkipReason(f"{raw_dir} does not exist")
    fingerprint = raw_folder_fingerprint(raw_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed files in data/raw")
    context.update_cursor(fingerprint)
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=fingerprint, partition_key=RAW_KEY)],
        dynamic_partitions_requests=[SOURCE_PARTITIONS.build_add_request([RAW_KEY])],
    )
