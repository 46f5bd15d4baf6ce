"""Locate and read the project's .sql files (one object per file, applied in name order)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

SQL_DIR = Path(os.environ.get("GONGKAI_SQL_DIR", Path(__file__).resolve().parents[3] / "sql"))


@cache
def sql_text(relative: str) -> str:
    """The text of one .sql file, e.g. ``sql_text("checks/i1_balance.sql")``."""
    path = SQL_DIR / relative
    if not path.exists():
        raise FileNotFoundError(f"SQL file {path} not found (set GONGKAI_SQL_DIR to the project's sql/ folder)")
    return path.read_text(encoding="utf-8")


def sql_files(folder: str) -> list[str]:
    """Relative paths of the .sql files in a folder of sql/, in name order."""
    return sorted(f"{folder}/{p.name}" for p in (SQL_DIR / folder).glob("*.sql"))


def run_sql(con, sql: str, parameters: dict | list | None = None) -> list[tuple]:
    """Execute statement(s) and drain the result (DuckDB 2 keeps a connection busy until then)."""
    result = con.execute(sql, parameters) if parameters is not None else con.execute(sql)
    return result.fetchall()
