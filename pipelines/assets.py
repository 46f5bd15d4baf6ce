"""The asset graph, one asset per stage of the data's path:

    crawled_files -> raw_file_manifest -> extracted_reports -> warehouse_tables
                  -> quality_results -> quality_dashboard

Each asset is a thin wrapper over a plain function of the `gongkai` package. Assets that
touch the DuckDB file share the pool "duckdb_writer" (limit 1 in dagster.yaml).
The first four are partitioned per source (pipelines/partitions.py); between extraction
and the warehouse only paths and counts travel: reports wait in the staging folder
(<staging_dir>/<run_id>/, gongkai.staging) until the single writer loads them.
"""


import itertools
import json
import os
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from gongkai.batch import FileOutcome, discover, extract_many
from pipelines.partitions import BACKFILL_POLICY, SOURCE_PARTITIONS, folders_of, portals_of
from pipelines.resources import GongkaiPaths

DUCKDB_POOL = "duckdb_writer"
MANIFEST_FILE = "files.parquet"  # raw_file_manifest's output in the run's staging folder
LOADED_MARK = "loaded.json"  # written into a staged run once the warehouse holds it
KEEP_LOADED_RUNS = 5  # loaded staged runs kept for inspection or re-loading
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class QualityConfig(dg.Config):
    """Run config of quality_results: force=True re-validates every report even when nothing
    was loaded since the last run (the `revalidate_all` job sets it; or in the Launchpad)."""

    force: bool = False


def project_relative(path: str | os.PathLike) -> str:
    """A path as the UI should show it: relative to the project root when inside it."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(PROJECT_ROOT)) if resolved.is_relative_to(PROJECT_ROOT) else str(resolved)


def _table_metadata(con, table: str, preview_sql: str, rows: int = 10) -> dict:
    """Dagster's standard metadata for a table: row count, column schema, a preview."""
    count = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_name = $t order by ordinal_position",
        {"t": table}).fetchall()
    preview = con.execute(f"{preview_sql} limit {rows}").df()
    return {
        "dagster/row_count": int(count),
        "dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(n, t) for n, t in columns]),
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False) if not preview.empty else "_(none)_"),
    }


def _markdown(frame: pd.DataFrame, rows: int = 20) -> dg.MetadataValue:
    if frame.empty:
        return dg.MetadataValue.md("_(none)_")
    return dg.MetadataValue.md(frame.head(rows).to_markdown(index=False))


@dg.asset(group_name="crawl", kinds={"python"}, partitions_def=SOURCE_PARTITIONS, backfill_policy=BACKFILL_POLICY)
def crawled_files(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
    """Report pages and attachments fetched from the portals of this run's partitions
    (robots.txt honoured, conditional re-requests, manifest under the crawl folder).
    The ``raw`` partition and a deployment without a sources file crawl nothing."""
    keys = set(context.partition_keys)
    portals = [p for p in portals_of(paths) if p.name in keys]
    if not portals:
        context.log.info("no portal among partitions %s: nothing to crawl", sorted(keys))
        return dg.MaterializeResult(metadata={"crawled": False, "sources_file": paths.sources_file})
    from gongkai.crawl import crawl

    result = crawl(portals, out_dir=paths.crawl_dir)
    for url, reason in result.errors:
        context.log.warning("crawl error %s: %s", url, reason)
    return dg.MaterializeResult(metadata={
        "crawled": True, "portals": len(portals), "pages_fetched": result.pages_fetched,
        "downloaded": result.downloaded, "unchanged": result.unchanged, "skipped": len(result.skipped),
        "errors": len(result.errors), "documents": len(result.files),
    })


def _run_folder(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> str:
    """This run's staging folder: <staging_dir>/<run_id> (paths travel, reports do not)."""
    return os.path.join(paths.staging_dir, context.run.run_id)


def _write_parquet(frame: pd.DataFrame, path: str) -> None:
    """A frame as Parquet through DuckDB's writer (no pyarrow needed)."""
    with duckdb.connect() as con:
        con.from_df(frame).write_parquet(path)


def _plan(paths: GongkaiPaths, keys: list[str]) -> pd.DataFrame:
    """Every input file of the partitions keyed by content hash, with what the warehouse holds."""
    from gongkai.warehouse.load import IngestResult, plan_files, source_ref_of
    from gongkai.warehouse.schema import connect

    files = discover(folders_of(paths, keys))
    con = connect(paths.db_path)
    try:
        known = dict(con.execute("select source_ref, sha256 from source_file").fetchall())
        todo, same_content = plan_files(con, files, IngestResult())
    finally:
        con.close()
    to_extract = set(todo)
    same = {o.path: o for o in same_content}
    rows = []
    for path in files:
        if path in to_extract:
            change = "changed" if source_ref_of(path) in known else "new"
        elif path in same:
            change = "same_content"
        else:
            change = "unchanged"
        rows.append({"path": path, "change": change,
                     "sha256": same[path].sha256 if path in same else None,
                     "size_bytes": same[path].size_bytes if path in same else os.path.getsize(path)})
    return pd.DataFrame(rows, columns=["path", "change", "sha256", "size_bytes"])


@dg.asset(group_name="raw", kinds={"python"}, deps=[crawled_files], pool=DUCKDB_POOL,
          partitions_def=SOURCE_PARTITIONS, backfill_policy=BACKFILL_POLICY)
def raw_file_manifest(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
    """Every input file of this run's sources (data/raw for ``raw``, a portal's crawl folders)
    keyed by content hash, with what the warehouse already holds: new / changed / unchanged /
    same content as a loaded file. Written to the run's staging folder as files.parquet."""
    keys = list(context.partition_keys)
    manifest = _plan(paths, keys)
    folder = _run_folder(context, paths)
    os.makedirs(folder, exist_ok=True)
    _write_parquet(manifest, os.path.join(folder, MANIFEST_FILE))
    with open(os.path.join(folder, "partitions.json"), "w", encoding="utf-8") as handle:
        json.dump(keys, handle, ensure_ascii=False)
    counts = Counter(manifest["change"])
    return dg.MaterializeResult(metadata={
        "files": len(manifest), "dagster/row_count": len(manifest),
        **{f"files_{k}": int(v) for k, v in counts.items()},
        "manifest": dg.MetadataValue.path(os.path.join(folder, MANIFEST_FILE)),
        "preview": _markdown(manifest[manifest["change"] != "unchanged"][["path", "change"]]),
    })


@dg.asset(group_name="extract", kinds={"python"}, deps=[raw_file_manifest],
          partitions_def=SOURCE_PARTITIONS, backfill_policy=BACKFILL_POLICY)
def extracted_reports(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
    """Contract reports (REPORT_SCHEMA.md, with provenance) of every new or changed file,
    extracted on local processes or on the Dask cluster of ``paths.dask_scheduler``, and
    staged as JSON Lines batches in the run's staging folder. Only the folder and counts
    travel to the loader; failures carry their one-line reason."""
    from gongkai.staging import stage_outcomes

    folder = _run_folder(context, paths)
    manifest_path = os.path.join(folder, MANIFEST_FILE)
    keys = list(context.partition_keys)
    if os.path.exists(manifest_path):
        manifest = duckdb.read_parquet(manifest_path).df()
    else:  # materialized without raw_file_manifest in this run: plan afresh
        manifest = _plan(paths, keys)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "partitions.json"), "w", encoding="utf-8") as handle:
            json.dump(keys, handle, ensure_ascii=False)
    todo = manifest.loc[manifest["change"].isin(["new", "changed"]), "path"].tolist()
    same = [FileOutcome(row.path, row.sha256, int(row.size_bytes), already_loaded=True)
            for row in manifest[manifest["change"] == "same_content"].itertuples()]
    preview: list[dict] = []

    def note(outcome: FileOutcome) -> None:
        if not outcome.ok:
            context.log.warning("%s: %s", outcome.path, outcome.error)
        for r in outcome.reports:
            if len(preview) < 20:
                preview.append({"agency": r.get("agency"), "year": r.get("year"), "template": r.get("template"),
                                "adcode": r.get("adcode"), "file": r["source"]["file_name"]})

    extracted = extract_many(todo, workers=paths.workers, cluster=paths.dask_scheduler or None,
                             limits=paths.limits()) if todo else iter(())
    staged = stage_outcomes(itertools.chain(same, extracted), folder, on_outcome=note)
    return dg.MaterializeResult(metadata={
        "files_extracted": len(todo), "reports": staged.reports, "failed_files": staged.failed,
        "dagster/row_count": staged.reports, "batches": len(staged.batches),
        "staging_folder": dg.MetadataValue.path(folder),
        "extracted_on": paths.dask_scheduler or f"{paths.workers} local processes",
        "preview": _markdown(pd.DataFrame(preview)),
    })


def _pending_runs(staging_dir: str, keys: list[str]) -> list[str]:
    """Staged runs (complete, not loaded yet) of any of the partitions ``keys``, oldest first."""
    from gongkai.staging import MANIFEST

    found = []
    if not os.path.isdir(staging_dir):
        return found
    for name in os.listdir(staging_dir):
        folder = os.path.join(staging_dir, name)
        done = os.path.join(folder, MANIFEST)
        if not os.path.exists(done) or os.path.exists(os.path.join(folder, LOADED_MARK)):
            continue
        try:
            with open(os.path.join(folder, "partitions.json"), encoding="utf-8") as handle:
                parts = set(json.load(handle))
        except OSError:
            parts = set(keys)
        if parts & set(keys):
            found.append((os.path.getmtime(done), folder))
    return [folder for _, folder in sorted(found)]


@dg.asset(group_name="warehouse", kinds={"duckdb"}, pool=DUCKDB_POOL, deps=[extracted_reports],
          partitions_def=SOURCE_PARTITIONS, backfill_policy=BACKFILL_POLICY)
def warehouse_tables(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
    """The DuckDB star schema fed from the staging area: every staged, not yet loaded run of
    these partitions, one transaction per batch file (a changed file replaces its report;
    failures go to the quarantine table). Loaded runs are marked and old ones pruned; then
    the analysts' read-only copy (data/published/) is replaced."""
    from gongkai.staging import load_staged, prune_loaded, read_staged
    from gongkai.warehouse.load import IngestResult
    from gongkai.warehouse.publish import publish, published_path
    from gongkai.warehouse.schema import connect

    runs = _pending_runs(paths.staging_dir, list(context.partition_keys))
    result = IngestResult()
    con = connect(paths.db_path)
    try:
        for folder in runs:
            load_staged(con, read_staged(folder).batches, result)
            with open(os.path.join(folder, LOADED_MARK), "w", encoding="utf-8") as handle:
                json.dump({"run_id": context.run.run_id, "reports_loaded": result.reports_loaded}, handle)
        counts = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0]
                  for table in ("dim_report", "fct_requests", "fct_disclosure", "fct_review", "quarantine")}
        standard = _table_metadata(con, "dim_report", "select report_id, agency, year, adcode, status, file_name "
                                   "from dim_report order by extracted_at desc, report_id")
    finally:
        con.close()
    prune_loaded(paths.staging_dir, LOADED_MARK, keep=KEEP_LOADED_RUNS)
    published = published_path(paths.db_path)
    if runs or not published.exists():
        publish(paths.db_path)  # the analysts' read-only copy, replaced atomically
    return dg.MaterializeResult(metadata={
        "staged_runs_loaded": len(runs), "files": result.files_seen,
        "published": dg.MetadataValue.path(project_relative(published)),
        **standard,
        "reports_loaded": result.reports_loaded, "reports_replaced": result.reports_removed,
        "quarantined": len(result.quarantined), **{f"rows_{k}": v for k, v in counts.items()},
        "db_path": dg.MetadataValue.path(project_relative(paths.db_path)),
    })


@dg.asset(group_name="quality", kinds={"duckdb"}, deps=[warehouse_tables], pool=DUCKDB_POOL)
def quality_results(context: dg.AssetExecutionContext, config: QualityConfig,
                    paths: GongkaiPaths) -> dg.MaterializeResult:
    """Great Expectations suites (I1-I6, completeness, plausibility, duplicates) over the
    warehouse; every run stored in quality_run / quality_result, Data Docs rebuilt.
    Skipped (the last run stands) when nothing was loaded since the last run."""
    from gongkai.quality.validate import validate_warehouse
    from gongkai.warehouse.schema import connect

    con = connect(paths.db_path)
    try:
        stale = con.execute("""
            select coalesce((select max(loaded_at) from source_file), timestamp '1970-01-01')
                 > coalesce((select max(started_at) from quality_run), timestamp '1970-01-01')
        """).fetchall()[0][0]
    finally:
        con.close()
    if not stale and not config.force:
        context.log.info("nothing loaded since the last quality run: keeping its results")
        return dg.MaterializeResult(metadata={"validated": False})
    run = validate_warehouse(paths.db_path, docs_dir=paths.docs_dir, all_reports=config.force)
    from gongkai.warehouse.publish import publish

    publish(paths.db_path)  # analysts see the new verdicts
    by_rule = pd.DataFrame(sorted(run.reports_failing_by_rule.items()), columns=["rule", "reports_failing"])
    return dg.MaterializeResult(metadata={
        "validated": True, "run_id": run.run_id, "reports": run.reports, "reports_flagged": run.reports_flagged,
        "summary": f"{run.reports_flagged} reports flagged of {run.reports}",
        "dagster/row_count": run.failing_comparisons, "gx_success": run.gx_success, "seconds": round(run.seconds, 2),
        "failing_by_rule": _markdown(by_rule),
        "data_docs": dg.MetadataValue.path(project_relative(run.data_docs or paths.docs_dir)),
    })


@dg.asset(group_name="quality", kinds={"html"}, deps=[quality_results], pool=DUCKDB_POOL)
def quality_dashboard(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
    """The offline data-quality dashboard (data/dashboard/index.html): failing share per
    rule, flagged share by province and year, flagged reports and a drill-down per report."""
    from gongkai.quality.dashboard import build_dashboard

    from gongkai.warehouse.publish import published_path

    page = build_dashboard(published_path(paths.db_path), paths.dashboard_dir)
    return dg.MaterializeResult(metadata={"page": dg.MetadataValue.path(project_relative(page))})
