"""The asset graph, one asset per stage of the data's path:

    crawled_files -> raw_file_manifest -> extracted_reports -> warehouse_tables
                  -> quality_results -> quality_dashboard

Each asset is a thin wrapper over a plain function of the `gongkai` package. Assets that
touch the DuckDB file share the pool "duckdb_writer" (limit 1 in dagster.yaml).
"""


import os
from collections import Counter

import dagster as dg
import pandas as pd

from gongkai.batch import FileOutcome, discover, extract_many
from pipelines.resources import GongkaiPaths

DUCKDB_POOL = "duckdb_writer"


def _markdown(frame: pd.DataFrame, rows: int = 20) -> dg.MetadataValue:
    if frame.empty:
        return dg.MetadataValue.md("_(none)_")
    return dg.MetadataValue.md(frame.head(rows).to_markdown(index=False))


@dg.asset(group_name="crawl", kinds={"python"})
def crawled_files(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
    """Report pages and attachments fetched from the portals listed in the sources file
    (robots.txt honoured, conditional re-requests, manifest under the crawl folder).
    Without a sources file nothing is crawled and only data/raw is ingested."""
    if not os.path.exists(paths.sources_file):
        context.log.info("no sources file at %s: nothing to crawl", paths.sources_file)
        return dg.MaterializeResult(metadata={"crawled": False, "sources_file": paths.sources_file})
    from gongkai.crawl import crawl, load_sources

    result = crawl(load_sources(paths.sources_file), out_dir=paths.crawl_dir)
    for url, reason in result.errors:
        context.log.warning("crawl error %s: %s", url, reason)
    return dg.MaterializeResult(metadata={
        "crawled": True, "pages_fetched": result.pages_fetched, "downloaded": result.downloaded,
        "unchanged": result.unchanged, "skipped": len(result.skipped), "errors": len(result.errors),
        "documents": len(result.files),
    })


@dg.asset(group_name="raw", kinds={"python"}, deps=[crawled_files], pool=DUCKDB_POOL)
def raw_file_manifest(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> pd.DataFrame:
    """Every input file (data/raw and the crawler's downloads) keyed by content hash, with
    what the warehouse already holds: new / changed / unchanged / same content as a loaded file."""
    from gongkai.warehouse.load import IngestResult, plan_files, source_ref_of
    from gongkai.warehouse.schema import connect

    files = discover(paths.input_folders())
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
    manifest = pd.DataFrame(rows, columns=["path", "change", "sha256", "size_bytes"])
    counts = Counter(manifest["change"])
    context.add_output_metadata({
        "files": len(manifest), **{f"files_{k}": int(v) for k, v in counts.items()},
        "preview": _markdown(manifest[manifest["change"] != "unchanged"][["path", "change"]]),
    })
    return manifest


@dg.asset(group_name="extract", kinds={"python"})
def extracted_reports(context: dg.AssetExecutionContext, paths: GongkaiPaths,
                      raw_file_manifest: pd.DataFrame) -> list[FileOutcome]:
    """Contract reports (REPORT_SCHEMA.md) of every new or changed file, extracted on all
    cores; each file is read and parsed once. Failures carry their one-line reason."""
    todo = raw_file_manifest.loc[raw_file_manifest["change"].isin(["new", "changed"]), "path"].tolist()
    outcomes = [
        FileOutcome(row.path, row.sha256, int(row.size_bytes), already_loaded=True)
        for row in raw_file_manifest[raw_file_manifest["change"] == "same_content"].itertuples()
    ]
    outcomes += list(extract_many(todo, workers=paths.workers)) if todo else []
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        context.log.warning("%s: %s", outcome.path, outcome.error)
    reports = [r for o in outcomes for r in o.reports]
    preview = pd.DataFrame([
        {"agency": r.get("agency"), "year": r.get("year"), "template": r.get("template"),
         "adcode": r.get("adcode"), "file": r["source"]["file_name"]} for r in reports
    ])
    context.add_output_metadata({
        "files_extracted": len(todo), "reports": len(reports), "failed_files": len(failed),
        "preview": _markdown(preview),
    })
    return outcomes


@dg.asset(group_name="warehouse", kinds={"duckdb"}, pool=DUCKDB_POOL)
def warehouse_tables(context: dg.AssetExecutionContext, paths: GongkaiPaths,
                     extracted_reports: list[FileOutcome]) -> dg.MaterializeResult:
    """The DuckDB star schema: extracted reports loaded in batches, one transaction each (a
    changed file replaces its report; failures go to the quarantine table); then the
    analysts' read-only copy (data/published/) is replaced."""
    from gongkai.warehouse.load import IngestResult, load_batches
    from gongkai.warehouse.publish import publish, published_path
    from gongkai.warehouse.schema import connect

    result = IngestResult(files_seen=len(extracted_reports))
    con = connect(paths.db_path)
    try:
        if extracted_reports:
            load_batches(con, extracted_reports, result)
        counts = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0]
                  for table in ("dim_report", "fct_requests", "fct_disclosure", "fct_review", "quarantine")}
    finally:
        con.close()
    published = published_path(paths.db_path)
    if extracted_reports or not published.exists():
        publish(paths.db_path)  # the analysts' read-only copy, replaced atomically
    return dg.MaterializeResult(metadata={
        "published": str(published),
        "reports_loaded": result.reports_loaded, "reports_replaced": result.reports_removed,
        "quarantined": len(result.quarantined), **{f"rows_{k}": v for k, v in counts.items()},
        "db_path": paths.db_path,
    })


@dg.asset(group_name="quality", kinds={"duckdb"}, deps=[warehouse_tables], pool=DUCKDB_POOL)
def quality_results(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
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
    if not stale:
        context.log.info("nothing loaded since the last quality run: keeping its results")
        return dg.MaterializeResult(metadata={"validated": False})
    run = validate_warehouse(paths.db_path, docs_dir=paths.docs_dir)
    from gongkai.warehouse.publish import publish

    publish(paths.db_path)  # analysts see the new verdicts
    by_rule = run.failures.groupby("rule")["report_id"].nunique().rename("reports_failing").reset_index()
    return dg.MaterializeResult(metadata={
        "validated": True, "run_id": run.run_id, "reports": run.reports, "reports_flagged": run.reports_flagged,
        "gx_success": run.gx_success, "seconds": round(run.seconds, 2), "failing_by_rule": _markdown(by_rule),
        "data_docs": dg.MetadataValue.path(run.data_docs or paths.docs_dir),
    })


@dg.asset(group_name="quality", kinds={"html"}, deps=[quality_results], pool=DUCKDB_POOL)
def quality_dashboard(context: dg.AssetExecutionContext, paths: GongkaiPaths) -> dg.MaterializeResult:
    """The offline data-quality dashboard (data/dashboard/index.html): failing share per
    rule, flagged share by province and year, flagged reports and a drill-down per report."""
    from gongkai.quality.dashboard import build_dashboard

    from gongkai.warehouse.publish import published_path

    page = build_dashboard(published_path(paths.db_path), paths.dashboard_dir)
    return dg.MaterializeResult(metadata={"page": dg.MetadataValue.path(str(page))})
