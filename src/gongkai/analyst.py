"""Documented queries and exports for analysts: `gongkai query` and `gongkai export`.

A query is a file of ``sql/queries/``; its header comment declares each named parameter
with its default (``--   $year   default 2021   reporting year``, the default a JSON
literal), so ``gongkai query NAME`` runs with the defaults and ``--param year=2020``
overrides one. ``export`` writes a view, table or query to CSV (UTF-8 with a BOM, which
Excel needs to read Chinese), Parquet (DuckDB's COPY) or XLSX (openpyxl).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from gongkai.warehouse.sqlfiles import SQL_DIR

PARAM_RE = re.compile(r"^--\s+\$(\w+)\s+default\s+(\S+)\s*(.*)$", re.MULTILINE)
FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


class AnalystError(ValueError):
    """A query or export the user asked for that cannot run (one line for the CLI)."""


def query_files() -> list[Path]:
    return sorted((SQL_DIR / "queries").glob("*.sql"))


def find_query(name: str) -> Path | None:
    """The query file called ``name``: its file name, with or without ``.sql`` or its number."""
    stem = name.removesuffix(".sql")
    for path in query_files():
        if stem in (path.stem, re.sub(r"^\d+_", "", path.stem)):
            return path
    return None


def query_defaults(sql: str) -> dict[str, object]:
    """The named parameters a query's header declares, bound to their defaults."""
    return {name: json.loads(default) for name, default, _ in PARAM_RE.findall(sql)}


def parse_params(pairs: list[str] | None) -> dict[str, object]:
    """``key=value`` pairs; a value is read as a JSON literal (2021, true, null) or else a string."""
    params = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise AnalystError(f"--param {pair!r}: expected key=value")
        try:
            params[key.lstrip("$")] = json.loads(value)
        except json.JSONDecodeError:
            params[key.lstrip("$")] = value
    return params


def bind(sql: str, overrides: dict[str, object], name: str) -> dict[str, object]:
    """Defaults of the query with the user's values; an unknown parameter is an error."""
    params = query_defaults(sql)
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        known = ", ".join(sorted(params)) or "none"
        raise AnalystError(f"{name}: unknown parameter {', '.join(unknown)} (it takes: {known})")
    params.update(overrides)
    return params


def _relation_names(con) -> set[str]:
    return {n for (n,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}


def resolve_source(con, name: str, overrides: dict[str, object]) -> tuple[str, dict[str, object], str]:
    """(sql, params, label) for a query file or a view/table of the warehouse."""
    path = find_query(name)
    if path is not None:
        sql = path.read_text(encoding="utf-8")
        return sql, bind(sql, overrides, path.name), path.stem
    if name in _relation_names(con):
        if overrides:
            raise AnalystError(f"{name}: a view or table takes no parameters")
        return f'select * from "{name}"', {}, name
    queries = ", ".join(re.sub(r"^\d+_", "", p.stem) for p in query_files())
    raise AnalystError(f"{name}: no such query in sql/queries/ or view/table in the warehouse (queries: {queries})")


def run_query(con, name: str, overrides: dict[str, object] | None = None) -> pd.DataFrame:
    sql, params, _ = resolve_source(con, name, overrides or {})
    return con.execute(sql, params).df() if params else con.execute(sql).df()


def export(con, name: str, out: str | Path, fmt: str | None = None,
           overrides: dict[str, object] | None = None) -> int:
    """Write a query's or view's rows to ``out``; returns the number of rows written."""
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise AnalystError(f"{out}: unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    sql, params, label = resolve_source(con, name, overrides or {})
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet" and not params:  # the bulk path: DuckDB streams the rows to the file
        con.execute(f"copy ({sql.strip().rstrip(';')}) to '{_quote(out)}' (format parquet)")
        return con.execute(f"select count(*) from read_parquet('{_quote(out)}')").fetchall()[0][0]
    frame = con.execute(sql, params).df() if params else con.execute(sql).df()
    if fmt == "csv":
        frame.to_csv(out, index=False, encoding="utf-8-sig")  # BOM: Excel reads UTF-8 Chinese
    elif fmt == "parquet":
        con.register("_export_frame", frame)
        try:
            con.execute(f"copy _export_frame to '{_quote(out)}' (format parquet)")
        finally:
            con.unregister("_export_frame")
    else:
        if len(frame) > XLSX_MAX_ROWS:
            raise AnalystError(f"{name}: {len(frame)} rows do not fit an Excel sheet; export csv or parquet")
        frame.to_excel(out, index=False, sheet_name=label[:31], engine="openpyxl")
    return len(frame)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
