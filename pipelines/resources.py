"""Where the pipeline reads and writes: one resource, overridable by environment variables."""

from __future__ import annotations

import os

import dagster as dg


class GongkaiPaths(dg.ConfigurableResource):
    """Folders and files of one gongkai deployment (relative paths are from the working directory)."""

    raw_dir: str = "data/raw"  # files dropped here are picked up by the sensor
    crawl_dir: str = "data/crawl"  # the crawler's downloads (files/) and manifest
    sources_file: str = "sources.yaml"  # portals to crawl; no file means no crawling
    db_path: str = "data/warehouse.duckdb"
    docs_dir: str = "data/quality/data_docs"
    dashboard_dir: str = "data/dashboard"
    workers: int = 2  # extraction processes
    staging_dir: str = "data/staging"  # extracted reports, one folder of JSON Lines batches per run
    dask_scheduler: str = ""  # tcp://HOST:PORT of a dask.distributed cluster; empty: local processes
    # per-file limits (docs/reliability.md): a file over one is quarantined with the limit it broke
    max_input_mb: float = 100
    max_expanded_mb: float = 200  # one DOCX part / PDF stream decompressed
    max_pages: int = 2000
    max_seconds: float = 120  # wall and CPU time per file
    max_memory_mb: int = 1536  # RLIMIT_AS a worker may add for one file

    def limits(self):
        """The per-file limits of this deployment as a gongkai.limits.Limits."""
        from gongkai.limits import MB, Limits

        return Limits(max_input_bytes=int(self.max_input_mb * MB), max_expanded_bytes=int(self.max_expanded_mb * MB),
                      max_pages=self.max_pages, max_seconds=self.max_seconds, max_memory_mb=self.max_memory_mb)

    def input_folders(self) -> list[str]:
        folders = [self.raw_dir]
        crawled = os.path.join(self.crawl_dir, "files")
        if os.path.isdir(crawled):
            folders.append(crawled)
        return folders


def paths_from_environment() -> GongkaiPaths:
    """The resource with GONGKAI_* environment overrides (GONGKAI_DB, GONGKAI_RAW_DIR, ...)."""
    env = os.environ.get
    return GongkaiPaths(
        raw_dir=env("GONGKAI_RAW_DIR", "data/raw"),
        crawl_dir=env("GONGKAI_CRAWL_DIR", "data/crawl"),
        sources_file=env("GONGKAI_SOURCES", "sources.yaml"),
        db_path=env("GONGKAI_DB", "data/warehouse.duckdb"),
        docs_dir=env("GONGKAI_DOCS_DIR", "data/quality/data_docs"),
        dashboard_dir=env("GONGKAI_DASHBOARD_DIR", "data/dashboard"),
        workers=int(env("GONGKAI_WORKERS", str(os.cpu_count() or 2))),
        staging_dir=env("GONGKAI_STAGING_DIR", "data/staging"),
        dask_scheduler=env("GONGKAI_DASK_SCHEDULER", ""),
        **_limit_fields_from_environment(),
    )


def _limit_fields_from_environment() -> dict:
    """Per-file limits from GONGKAI_MAX_INPUT_MB, _EXPANDED_MB, _PAGES, _SECONDS, _MEMORY_MB."""
    from gongkai.limits import MB, limits_from_environment

    limits = limits_from_environment()
    return {"max_input_mb": limits.max_input_bytes / MB, "max_expanded_mb": limits.max_expanded_bytes / MB,
            "max_pages": limits.max_pages, "max_seconds": limits.max_seconds, "max_memory_mb": limits.max_memory_mb}
