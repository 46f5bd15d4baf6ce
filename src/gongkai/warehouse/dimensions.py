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
