"""The roll-up tables the loader keeps up to date must give exactly what summing the facts
gives, after loads, a replaced report, a removed one, and for a warehouse built before
roll-ups; the regional views, which read them, add up to the same requests."""

from __future__ import annotations

import hashlib

import duckdb

from gongkai import PARSER_VERSION
from gongkai.batch import FileOutcome
from gongkai.quality.validate import validate_warehouse
from gongkai.synth.generate import generate_reports
from gongkai.warehouse.load import IngestResult, load_batches
from gongkai.warehouse.schema import connect
from gongkai.warehouse.sqlfiles import sql_text

REFERENCE_CATEGORIES = """
    select r.report_id, r.adcode, g.province_code, g.province, g.prefecture_code, g.prefecture,
           g.county_code, g.county, r.year, coalesce(d.category, d.disposition_key) as category,
           sum(f.count) as requests
    from fct_requests as f join dim_report as r using (report_id)
    join dim_disposition as d using (disposition_key) left join dim_region as g on g.adcode = r.adcode
    where f.applicant_type = 'total' and (d.is_leaf or d.disposition_group in ('received', 'carried_forward'))
    group by all
"""


# the place in force in each report's year, picked per query (as v_report_region did before
# report_region stored it): the version whose years hold the year, else the code's latest
REFERENCE_REPORT_REGION = """
    with versions as (
        select r.report_id, v.*
        from dim_report as r
        join dim_region_version as v
          on v.adcode = r.adcode and r.year between coalesce(v.valid_from, 0) and coalesce(v.valid_to, 9999)
        qualify row_number() over (partition by r.report_id order by v.valid_from desc nulls last) = 1
    )
    select r.report_id, r.year, r.adcode, coalesce(v.level, g.level), coalesce(v.name, g.name),
           if(v.report_id is null, g.province_code, v.province_code), if(v.report_id is null, g.province, v.province),
           if(v.report_id is null, g.prefecture_code, v.prefecture_code),
           if(v.report_id is null, g.prefecture, v.prefecture),
           if(v.report_id is null, g.county_code, v.county_code), if(v.report_id is null, g.county, v.county),
           if(v.report_id is null, g.township_code, v.township_code),
           if(v.report_id is null, g.township, v.township),
           coalesce(v.series_code, r.adcode), v.report_id is not null,
           if(r.agency is null, null, md5(coalesce(case when r.region_text is not null and starts_with(r.agency, r.region_text)
                                                       then substr(r.agency, length(r.region_text) + 1) end, r.agency)
               || '|' || if(r.adcode = 'unresolved', 'unresolved:' || r.agency, coalesce(v.series_code, g.adcode)))[1:16])
    from dim_report as r left join versions as v using (report_id) left join dim_region as g on g.adcode = r.adcode
"""


REFERENCE_DISPOSITIONS = """
    select f.report_id, f.disposition_key,
           sum(f.count) filter (where f.applicant_type = 'total'),
           sum(f.count) filter (where f.applicant_type = 'natural_person'),
           sum(f.count) filter (where f.applicant_type not in ('total', 'natural_person')),
           r.year, r.status, g.province_code, g.prefecture_code, g.county_code
    from fct_requests as f join dim_report as r using (report_id) left join report_region as g using (report_id)
    group by all
"""
# v_review_outcomes as it grouped the facts before rollup_report_reviews
OLD_REVIEW_OUTCOMES = """
    select
        f.report_id,
        r.agency,
        r.agency_id,
        r.year,
        r.adcode,
        g.province,
        g.prefecture,
        g.county,
        f.proceeding_key,
        p.label as proceeding,
        p.kind,
        max(f.count) filter (where f.outcome_key = 'upheld') as upheld,
        max(f.count) filter (where f.outcome_key = 'corrected') as corrected,
        max(f.count) filter (where f.outcome_key = 'other') as other,
        max(f.count) filter (where f.outcome_key = 'pending') as pending,
        max(f.count) filter (where f.outcome_key = 'total') as total,
        coalesce(upheld, 0) + coalesce(corrected, 0) + coalesce(other, 0) as concluded,
        coalesce(corrected, 0) / nullif(concluded, 0) as correction_rate,
        r.status,
        r.file_name
    from fct_review as f
    join dim_report as r using (report_id)
    join dim_review_proceeding as p using (proceeding_key)
    left join v_report_region as g using (report_id)
    group by all"""
REFERENCE_REVIEWS = f"""
    select report_id, proceeding_key, upheld, corrected, other, pending, total, o.year, o.status,
           g.province_code, g.prefecture_code, g.county_code
    from ({OLD_REVIEW_OUTCOMES}) as o left join report_region as g using (report_id)
"""
# queries 01 and 13 as they read the facts before rollup_report_dispositions
REFERENCE_QUERIES = {
    "01_state_secret_refusals_by_prefecture.sql": """
        select coalesce(province, '(place not resolved)') as province,
               coalesce(prefecture, '(place not resolved)') as prefecture,
               count(distinct report_id) filter (where year = $year_a),
               sum(count) filter (where year = $year_a),
               count(distinct report_id) filter (where year = $year_b),
               sum(count) filter (where year = $year_b) as b,
               coalesce(sum(count) filter (where year = $year_b), 0) - coalesce(sum(count) filter (where year = $year_a), 0)
        from v_requests
        where disposition_key = 'denied_state_secret' and applicant_type = 'total' and year in ($year_a, $year_b)
          and (status <> 'flagged' or $include_flagged)
        group by all
        order by greatest(coalesce(sum(count) filter (where year = $year_a), 0), coalesce(b, 0)) desc,
                 province, prefecture""",
    "13_natural_persons_vs_organisations.sql": """
        select year, count(distinct report_id),
               sum(count) filter (where applicant_group = 'natural_person') as n,
               sum(count) filter (where applicant_group = 'legal_person_or_org') as o,
               round(n / nullif(n + o, 0), 3)
        from v_requests
        where disposition_key = 'new_received' and (status <> 'flagged' or $include_flagged)
        group by year order by year""",
    # 15 reads rollup_report_reviews and 17 report_region; as they read the views before
    "15_reconsideration_correction_rate.sql": """
        select
            province,
            year,
            count(*) as reports,
            count(*) filter (where status = 'flagged') as reports_flagged,
            sum(upheld) as upheld,
            sum(corrected) as corrected,
            sum(other) as other,
            sum(pending) as pending,
            sum(concluded) as concluded,
            round(sum(corrected) / nullif(sum(concluded), 0), 3) as correction_rate
        from v_review_outcomes
        where proceeding_key = 'reconsideration'
        group by all
        order by province, year;""",
    "17_agencies_that_stopped_reporting.sql": """
        select
            a.agency,
            a.province,
            a.county,
            a.year as reported_in,
            a.year + 1 as missing_in,
            a.file_name
        from v_agency_report as a
        where a.year < (select max(year) from dim_report)
          and not exists (
              select 1 from v_agency_report as n where n.agency_key = a.agency_key and n.year = a.year + 1
          )
        order by a.province, a.agency, a.year;""",
}

# the views grouped from the roll-up's own columns, as they were written over the per-report
# views (v_request_categories, v_agency_report), and the failing cells as they were joined
# from the facts before quality_cell stored them
REFERENCE_VIEWS = {
    "v_disclosure_rate": """
    with per_report as (
        select
            report_id, province_code, province, prefecture_code, prefecture, county_code, county, year, status,
            sum(requests) filter (where category = '予以公开') as granted,
            sum(requests) filter (where category = '部分公开') as partial,
            sum(requests) filter (where category = '不予公开') as denied,
            sum(requests) filter (where category not in ('new_received', 'carried_over', 'carried_forward')) as handled
        from v_request_categories
        group by all
    ),
    per_level as (
        select 'province' as level, province_code as region_code, province as region_name, year, status,
            granted, partial, denied, handled
        from per_report where province_code is not null
        union all
        select 'prefecture', prefecture_code, prefecture, year, status, granted, partial, denied, handled
        from per_report where prefecture_code is not null
        union all
        select 'county', county_code, county, year, status, granted, partial, denied, handled
        from per_report where county_code is not null
    )
    select
        level,
        region_code,
        region_name,
        year,
        status,
        count(*) as reports,
        sum(granted) as granted,
        sum(partial) as partial,
        sum(denied) as denied,
        sum(handled) as handled,
        sum(granted) / nullif(sum(handled), 0) as disclosure_rate,
        (sum(granted) + sum(partial)) / nullif(sum(handled), 0) as disclosure_rate_incl_partial,
        sum(denied) / nullif(sum(handled), 0) as denial_rate
    from per_level
    group by all""",
    "v_quality_cells": """
    with failing as (
        select q.* from quality_result as q where not q.passed
    ),
    cells as (
        select f.report_id, f.rule, f.item, 'table3' as cell_table, c.disposition_key as cell_row,
            c.applicant_type as cell_column, c.count as cell_value, c.is_blank as cell_blank, c.source_location
        from failing as f
        join fct_requests as c on c.report_id = f.report_id and (
            (f.rule = 'I1' and c.applicant_type = f.item
                and c.disposition_key in ('new_received', 'carried_over', 'total', 'carried_forward'))
            or (f.rule = 'I2' and c.disposition_key = f.item)
            or (f.rule = 'I3' and c.applicant_type = f.item and c.disposition_key in (
                select disposition_key from dim_disposition where is_leaf or is_total)))
        union all
        select f.report_id, f.rule, f.item, 'table4', c.proceeding_key, c.outcome_key, c.count, c.is_blank,
            c.source_location
        from failing as f
        join fct_review as c on c.report_id = f.report_id and f.rule = 'I4' and c.proceeding_key = f.item
    )
    select
        f.run_id,
        f.report_id,
        f.rule,
        f.item,
        f.expected,
        f.observed,
        f.severity,
        f.detail,
        c.cell_table,
        c.cell_row,
        c.cell_column,
        c.cell_value,
        c.cell_blank,
        c.source_location,
        r.agency,
        r.year,
        r.status,
        r.file_name,
        r.source_ref
    from failing as f
    left join cells as c using (report_id, rule, item)
    join dim_report as r using (report_id)
    order by r.agency, r.year, f.rule, f.item, c.cell_table, c.cell_row, c.cell_column""",
    "v_review_outcomes": OLD_REVIEW_OUTCOMES,
    "v_agency_yoy": """
    with per_year as (
        select
            a.agency_key,
            any_value(a.agency) as agency,
            c.year,
            c.category as measure,
            count(distinct c.report_id) as reports,
            sum(c.requests) as value,
            if(bool_or(c.status = 'flagged'), 'flagged', min(c.status)) as status
        from v_request_categories as c
        join v_agency_report as a using (report_id)
        group by a.agency_key, c.year, c.category
        union all
        select
            a.agency_key,
            any_value(a.agency),
            c.year,
            'handled',
            count(distinct c.report_id),
            sum(c.requests) filter (where c.category not in ('new_received', 'carried_over', 'carried_forward')),
            if(bool_or(c.status = 'flagged'), 'flagged', min(c.status))
        from v_request_categories as c
        join v_agency_report as a using (report_id)
        group by a.agency_key, c.year
    )
    select
        cur.agency_key,
        cur.agency,
        cur.year,
        cur.measure,
        cur.reports,
        cur.value,
        cur.status,
        prev.year as previous_year,
        prev.value as previous_value,
        prev.status as previous_status,
        cur.value - prev.value as change,
        (cur.value - prev.value) / nullif(prev.value, 0) as change_ratio
    from per_year as cur
    left join per_year as prev
      on prev.agency_key = cur.agency_key and prev.measure = cur.measure and prev.year = cur.year - 1""",
}


def outcomes(count: int, seed: int, *, tag: str = "") -> list[FileOutcome]:
    out = []
    for i, report in enumerate(generate_reports(count, seed=seed, years=range(2019, 2027))):
        sha = hashlib.sha256(f"{seed}-{i}-{tag}".encode()).hexdigest()
        report["id"] = sha[:16]
        report["source"] = {"ref": f"/synthetic/{seed}-{i}.txt", "format": "txt", "sha256": sha,
                            "file_name": f"{seed}-{i}.txt", "parser_version": PARSER_VERSION}
        out.append(FileOutcome(f"/synthetic/{seed}-{i}.txt", sha, 10, reports=[report]))
    return out


def assert_views_match_the_facts(con) -> None:
    """v_request_categories (the base of every regional view, read from rollup_report_categories)
    equals grouping the facts; rollup_requests / rollup_reports equal its per-place sums."""
    categories = sorted(con.execute("select report_id, category, requests from v_request_categories").fetchall(),
                        key=repr)
    reference = sorted(con.execute(f"select report_id, category, requests from ({REFERENCE_CATEGORIES})").fetchall(),
                       key=repr)
    assert categories == reference and categories
    per_place = sorted(con.execute("""
        select coalesce(r.adcode, 'unresolved'), r.year, c.category, count(*), coalesce(sum(c.requests), 0)
        from rollup_report_categories as c join dim_report as r using (report_id) group by all""").fetchall(), key=repr)
    rolled = sorted(con.execute("""
        select adcode, year, category, reports, coalesce(requests, 0)
        from rollup_requests""").fetchall(), key=repr)
    assert rolled == per_place and rolled
    reports = sorted(con.execute("""
        select coalesce(adcode, 'unresolved'), year, count(*) from dim_report group by all""").fetchall(), key=repr)
    assert sorted(con.execute("select adcode, year, reports from rollup_reports").fetchall(), key=repr) == reports
    for level in ("province", "prefecture", "county"):  # the regional views add up to the same requests
        got = con.execute(f"select sum(requests) from v_requests_by_{level}").fetchall()[0][0]
        expected = con.execute(f"select sum(requests) from v_request_categories where {level}_code is not null"
                               ).fetchall()[0][0]
        assert got == expected and got, level
        # ... and row for row: the grouped roll-up equals grouping the per-report view
        # (live joins to dim_report's status and report_region)
        got = sorted(con.execute(f"""
            select {level}_code, {level}, year, status, category, reports, requests
            from v_requests_by_{level}""").fetchall(), key=repr)
        expected = sorted(con.execute(f"""
            select {level}_code, {level}, year, status, category, count(distinct report_id), sum(requests)
            from v_request_categories where {level}_code is not null group by all""").fetchall(), key=repr)
        assert got == expected, level
    assert sorted(con.execute("select * from report_region").fetchall(), key=repr) == sorted(
        con.execute(REFERENCE_REPORT_REGION).fetchall(), key=repr)
    reviews = sorted(con.execute("select * from rollup_report_reviews").fetchall(), key=repr)
    assert reviews == sorted(con.execute(REFERENCE_REVIEWS).fetchall(), key=repr) and reviews
    dispositions = sorted(con.execute("select * from rollup_report_dispositions").fetchall(), key=repr)
    assert dispositions == sorted(con.execute(REFERENCE_DISPOSITIONS).fetchall(), key=repr) and dispositions
    # the national questions read the roll-up: the same answers as from the facts (v_requests)
    for name, reference in REFERENCE_QUERIES.items():
        params = {k: v for k, v in {"year_a": 2021, "year_b": 2024, "include_flagged": False}.items()
                  if f"${k}" in reference}
        got = con.execute(sql_text(f"queries/{name}"), params).fetchall()
        assert sorted(got, key=repr) == sorted(con.execute(reference, params).fetchall(), key=repr) and got, name
    for view, reference in REFERENCE_VIEWS.items():
        # (an agency's name is any_value of its reports' names: not compared)
        columns = "* exclude (agency)" if view == "v_agency_yoy" else "*"
        got = sorted(con.execute(f"select {columns} from {view}").fetchall(), key=repr)
        assert got == sorted(con.execute(f"select {columns} from ({reference})").fetchall(), key=repr), view
        assert got or view == "v_quality_cells", view  # (no failures before the first quality run)


def test_rollups_follow_loads_replacements_and_removals(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    try:
        load_batches(con, outcomes(300, seed=1), IngestResult(), batch_reports=70)
        assert_views_match_the_facts(con)
        # the quality run sets statuses: the roll-up's copy follows (regional views by status)
        con.close()
        run = validate_warehouse(db, docs_dir=None)
        assert run.reports_flagged > 0
        con = connect(db)
        assert con.execute("""select count(*) from rollup_report_categories as c join dim_report as r using (report_id)
                              where c.status is distinct from r.status""").fetchall() == [(0,)]
        assert con.execute("select count(distinct status) from rollup_report_categories").fetchall() == [(2,)]
        assert con.execute("select count(*) from quality_cell").fetchall()[0][0] > 0
        assert_views_match_the_facts(con)
        # the same paths with new content: every report replaced (old ones subtracted)
        load_batches(con, outcomes(120, seed=1, tag="v2"), IngestResult(), batch_reports=50)
        assert con.execute("select count(*) from dim_report").fetchall() == [(300,)]
        assert_views_match_the_facts(con)
        # files that now yield nothing: their reports leave the warehouse and the roll-ups
        gone = [FileOutcome(f"/synthetic/1-{i}.txt", "x" * 64, 1, error="not an annual report") for i in range(200, 260)]
        result = IngestResult()
        load_batches(con, gone, result)
        assert result.reports_removed == 60
        assert_views_match_the_facts(con)
        # a warehouse from before the roll-ups: they are rebuilt from the facts on connect
        con.execute("delete from rollup_requests; delete from rollup_reports; delete from rollup_report_categories")
        con.execute("delete from report_region; delete from rollup_report_dispositions; delete from rollup_report_reviews")
    finally:
        con.close()
    con = connect(db)
    try:
        assert_views_match_the_facts(con)
    finally:
        con.close()
