"""Run the whole asset graph headless, in this process (the README's main command)."""

import os
from pathlib import Path

import dagster as dg

from pipelines.checks import QUALITY_CHECKS
from pipelines.definitions import ASSETS
from pipelines.partitions import partition_range_tags, sync_source_partitions
from pipelines.resources import GongkaiPaths, paths_from_environment


def run_pipeline(paths: GongkaiPaths | None = None, *, instance: dg.DagsterInstance | None = None,
                 crawl: bool = True) -> dg.ExecuteInProcessResult:
    """Materialize every asset and run every check in the persistent Dagster instance
    ($DAGSTER_HOME, else the project root's dagster.yaml), so the run shows in `dagster dev`."""
    if instance is None:
        instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else project_instance()
    selection = ASSETS if crawl else [a for a in ASSETS if a.key.to_user_string() != "crawled_files"]
    paths = paths or paths_from_environment()
    return dg.materialize(
        [*selection, *QUALITY_CHECKS],
        resources={"paths": paths},
        instance=instance,
        raise_on_error=False,
        # one run over every source partition (pipelines/partitions.py)
        tags=partition_range_tags(sync_source_partitions(instance, paths)),
        # INFO, not DEBUG: one line per step and per check on the console
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )


PROJECT_ROOT = Path(__file__).resolve().parents[1]


def project_instance() -> dg.DagsterInstance:
    """The project's Dagster instance: DAGSTER_HOME = the folder of dagster.yaml (the project
    root), as `dagster dev` is started in the README."""
    os.environ["DAGSTER_HOME"] = str(PROJECT_ROOT)
    return dg.DagsterInstance.get()
