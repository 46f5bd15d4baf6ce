"""Create or upgrade the warehouse: DDL and views from sql/, static dimensions from formats.py."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from gongkai.warehouse.dimensions import STATIC_DIMENSIONS
from gongkai.warehouse.sqlfiles import run_sql, sql_files, sql_text

DEFAULT_DB = Path(os.environ.get("GONGKAI_DB", "data/warehouse.duckdb"))
MEMORY_LIMIT = os.environ.get("GONGKAI_DUCKDB_MEMORY", "1GB")
REGION_COLUMNS = (
    "adcode", "level", "name", "province_code", "province", "prefecture_code", "prefecture",
    "county_code", "county", "township_code", "township", "valid_from", "valid_to", "in_force",
)


def connect(db_path: str | os.PathLike = DEFAULT_DB, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating folders as needed) the DuckDB file; writers get an up-to-date schema."""
    db_path = Path(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    # bounded memory at any warehouse size: DuckDB spills joins and sorts to disk beyond this
    # (its default, 80% of RAM, would let one writer take most of a shared machine)
    con.execute("set memory_limit = $limit", {"limit": MEMORY_LIMIT}).fetchall()
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Tables (idempotent DDL), static dimensions, the region dimension, then views."""
    run_sql(con, "begin transaction")
    try:
        _drop_outdated_regions(con)
        for name in sql_files("schema"):
            run_sql(con, sql_text(name))
        for table, build in STATIC_DIMENSIONS.items():
            frame = build()
            if _table_matches(con, table, frame):
                continue
            run_sql(con, f"delete from {table}")
            _insert(con, table, frame)
        regions_reloaded = _ensure_regions(con)
        _ensure_report_regions(con, rebuild=regions_reloaded)
        _ensure_rollups(con)
        for name in sql_files("views"):
            run_sql(con, sql_text(name))
        run_sql(con, "commit")
    except BaseException:
        run_sql(con, "rollback")
        raise


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, order_by: str | None = None) -> None:
    """Bulk insert a DataFrame by column name (one statement, no row loop), optionally sorted
    (rows stored in that order: DuckDB's per-row-group min/max then skip what a filter on
    those columns cannot match)."""
    if frame.empty:
        return
    columns = ", ".join(frame.columns)
    con.register("_frame", frame)
    try:
        order = f" order by {order_by}" if order_by else ""
        run_sql(con, f"insert into {table} ({columns}) select {columns} from _frame{order}")
    finally:
        con.unregister("_frame")


def _table_matches(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> bool:
    count = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    return count == len(frame)


@cache
def _region_frame() -> pd.DataFrame:
    from gongkai.gazetteer import region_rows

    frame = pd.DataFrame(list(region_rows()))
    return frame[[c for c in REGION_COLUMNS if c in frame.columns]]


def _drop_outdated_regions(con: duckdb.DuckDBPyConnection) -> None:
    """dim_region is derived data: a warehouse made before it had validity years drops it
    (it is reloaded from the gazetteer right after)."""
    columns = {c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_name = 'dim_region'").fetchall()}
    if columns and "valid_from" not in columns:
        run_sql(con, "drop table dim_region")


def _ensure_regions(con: duckdb.DuckDBPyConnection) -> bool:
    """The whole gazetteer as dim_region (plus the 'unresolved' member) and every version of
    every code as dim_region_version, loaded once. True when either was (re)loaded."""
    reloaded = False
    frame = _region_frame()
    if con.execute("select count(*) from dim_region").fetchall()[0][0] != len(frame) + 1:
        reloaded = True
        # not loaded from this gazetteer yet (a different gazetteer reloads it)
        unresolved = pd.DataFrame([{"adcode": "unresolved", "level": "unresolved", "name": None}])
        run_sql(con, "delete from dim_region")
        _insert(con, "dim_region", pd.concat([frame, unresolved], ignore_index=True))
    versions = _region_version_frame()
    if con.execute("select count(*) from dim_region_version").fetchall()[0][0] != len(versions):
        reloaded = True
        run_sql(con, "delete from dim_region_version")
        _insert(con, "dim_region_version", versions)
    return reloaded


def _ensure_report_regions(con: duckdb.DuckDBPyConnection, *, rebuild: bool) -> None:
    """report_region holds one row per report: rebuilt whole when the regions were reloaded
    (a new gazetteer) or when it does not match dim_report (a warehouse made before it)."""
    columns = {c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_name = 'report_region'").fetchall()}
    if "agency_key" not in columns:  # made before it carried the agency key
        run_sql(con, "drop table report_region")
        run_sql(con, sql_text("schema/25_report_region.sql"))
    stored, reports = con.execute(
        "select (select count(*) from report_region), (select count(*) from dim_report)").fetchall()[0]
    if rebuild or stored != reports:
        run_sql(con, "delete from report_region")
        insert_report_regions(con, "dim_report")
        drop_rollup_sources(con)


def rollup_sources(con: duckdb.DuckDBPyConnection, reports: str, regions: str) -> None:
    """Point the roll-up writers (sql/rollup/add_*.sql) at the reports' rows they copy year,
    status and place from: a batch's own frames, or dim_report and report_region whole."""
    run_sql(con, f"create or replace temp view _rollup_reports as select report_id, year, status from {reports}")
    run_sql(con, "create or replace temp view _rollup_regions as select report_id, province_code, prefecture_code, "
            f"county_code, agency_key from {regions}")


def drop_rollup_sources(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary names rollup_sources and insert_report_regions left behind."""
    run_sql(con, "drop view if exists _rollup_reports; drop view if exists _rollup_regions; "
            "drop table if exists _new_regions")


def insert_report_dispositions(con: duckdb.DuckDBPyConnection, facts: str) -> None:
    """Roll the table-三 facts of the relation ``facts`` (fct_requests or a batch's frame) up
    into rollup_report_dispositions, in the caller's transaction."""
    run_sql(con, f"create or replace temp view _disposition_facts as select * from {facts}")
    try:
        run_sql(con, sql_text("rollup/add_report_dispositions.sql"))
    finally:
        run_sql(con, "drop view if exists _disposition_facts")


def insert_report_reviews(con: duckdb.DuckDBPyConnection, facts: str) -> None:
    """Roll the table-四 facts of the relation ``facts`` (fct_review or a batch's frame) up
    into rollup_report_reviews, in the caller's transaction."""
    run_sql(con, f"create or replace temp view _review_facts as select * from {facts}")
    try:
        run_sql(con, sql_text("rollup/add_report_reviews.sql"))
    finally:
        run_sql(con, "drop view if exists _review_facts")


def insert_report_regions(con: duckdb.DuckDBPyConnection, reports: str) -> None:
    """Store the place in force in each report's year for the reports of the relation
    ``reports`` (a table or registered frame with report_id, year, adcode, agency,
    region_text), in the caller's
    transaction."""
    run_sql(con, f"create or replace temp view _region_reports as select report_id, year, adcode, agency, region_text from {reports}")
    try:
        run_sql(con, sql_text("region/insert_report_region.sql"))
    finally:
        run_sql(con, "drop view if exists _region_reports")


@cache
def _region_version_frame() -> pd.DataFrame:
    from gongkai.warehouse.dimensions import region_versions

    return region_versions()


def _ensure_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Build the roll-ups once for a warehouse loaded before they existed (the loader keeps
    them up to date from then on)."""
    columns = {c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_name = 'rollup_report_categories'").fetchall()}
    if "agency_key" not in columns:  # made before it carried year, status and place: rebuilt
        run_sql(con, "drop table rollup_report_categories")
        run_sql(con, sql_text("schema/24_rollup_report_categories.sql"))
    if con.execute("select not exists (select 1 from rollup_report_dispositions) "
                   "and exists (select 1 from fct_requests)").fetchall()[0][0]:
        rollup_sources(con, "dim_report", "report_region")
        insert_report_dispositions(con, "fct_requests")
    if con.execute("select not exists (select 1 from rollup_report_reviews) "
                   "and exists (select 1 from fct_review)").fetchall()[0][0]:
        rollup_sources(con, "dim_report", "report_region")
        insert_report_reviews(con, "fct_review")
    if con.execute("select not exists (select 1 from quality_cell) and exists (select 1 from quality_result "
                   "where not passed and rule in ('I1', 'I2', 'I3', 'I4'))").fetchall()[0][0]:
        run_sql(con, "create or replace temp table _chunk as select report_id from dim_report")
        run_sql(con, sql_text("quality/chunk/05a_insert_failing_cells.sql"))
        run_sql(con, "drop table _chunk")
    missing = con.execute("select not exists (select 1 from rollup_reports), "
                          "not exists (select 1 from rollup_report_categories)").fetchall()[0]
    if any(missing) and con.execute("select exists (select 1 from fct_requests)").fetchall()[0][0]:
        run_sql(con, sql_text("rollup/delta_all.sql"))
        if missing[0]:
            run_sql(con, sql_text("rollup/apply_delta.sql"))
        if missing[1]:
            rollup_sources(con, "dim_report", "report_region")
            run_sql(con, sql_text("rollup/add_report_categories.sql"))
    drop_rollup_sources(con)
