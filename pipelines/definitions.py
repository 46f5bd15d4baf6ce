"""The one entry point: `dagster dev -m pipelines.definitions` (or `-f pipelines/definitions.py`)."""

from __future__ import annotations

import dagster as dg

from pipelines.assets import (
    crawled_files, extracted_reports, quality_dashboard, quality_results, raw_file_manifest, warehouse_tables,
)
from pipelines.automation import nightly_job, nightly_schedule, raw_files_job, raw_files_sensor
from pipelines.checks import QUALITY_CHECKS
from pipelines.resources import paths_from_environment

# Force a full re-validation from the UI: launch this job (quality_results with force=True).
revalidate_all_job = dg.define_asset_job(
    "revalidate_all", selection=[quality_results, quality_dashboard],
    config={"ops": {"quality_results": {"config": {"force": True}}}},
    description="Re-run every quality suite over every report, even when nothing new was loaded.")

ASSETS = [crawled_files, raw_file_manifest, extracted_reports, warehouse_tables, quality_results, quality_dashboard]

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=QUALITY_CHECKS,
    jobs=[nightly_job, raw_files_job, revalidate_all_job],
    schedules=[nightly_schedule],
    sensors=[raw_files_sensor],
    resources={"paths": paths_from_environment()},
)
