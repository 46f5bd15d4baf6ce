"""The analysts' read-only copy of the warehouse, replaced atomically after each load and validate.

The nightly writer works on ``data/warehouse.duckdb``; analysts, the dashboard and the example
queries read ``data/published/warehouse.duckdb``. Publishing checkpoints the warehouse, copies
it to a temporary file beside the published copy and ``os.replace``s it into place: an analyst's
connection keeps reading the snapshot it opened (the replaced file lives on, unlinked, until the
last connection closes) and never holds a lock the writer needs, so it can never make a nightly
run fail. Only one snapshot is kept; a superseded one disappears when its last reader closes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

PUBLISHED_NAME = "published"


def published_path(db_path: str | os.PathLike) -> Path:
    """Where the read-only copy of ``db_path`` lives: ``$GONGKAI_PUBLISHED`` or
    ``<folder of db>/published/<db file name>`` (data/published/warehouse.duckdb by default)."""
    override = os.environ.get("GONGKAI_PUBLISHED")
    if override:
        return Path(override)
    db_path = Path(db_path)
    return db_path.parent / PUBLISHED_NAME / db_path.name


def publish(db_path: str | os.PathLike, target: str | os.PathLike | None = None) -> Path:
    """Copy the warehouse to its published place atomically; returns the published path.

    The caller must hold no open connection to ``db_path`` (the CLI and the assets publish
    after closing theirs). The copy is checkpointed first so it carries no write-ahead log.
    """
    db_path = Path(db_path)
    target = Path(target) if target is not None else published_path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("checkpoint").fetchall()
    finally:
        con.close()
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(db_path, temp)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def connect_published(db_path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy (what analysts should open)."""
    from gongkai.warehouse.schema import DEFAULT_DB

    return duckdb.connect(str(published_path(db_path or DEFAULT_DB)), read_only=True)
