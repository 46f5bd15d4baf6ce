"""The polite portal crawler: report pages and their attachments from the annual-report
columns of government portals, into ``<out>/files`` with a manifest (see docs/crawler.md).

    from gongkai.crawl import crawl, load_sources
    result = crawl(load_sources("sources.yaml"), out_dir="data/crawl")

Names are imported on first use, so that ``gongkai.crawl.cli`` (loaded by every ``gongkai``
command to build its parser) stays cheap to import.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "CrawlResult": "crawler", "Progress": "crawler", "crawl": "crawler",
    "MANIFEST_COLUMNS": "manifest", "read_documents": "manifest", "read_manifest": "manifest",
    "Portal": "sources", "SourcesError": "sources", "load_sources": "sources",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"gongkai.crawl.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gongkai.crawl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
