"""The regional views read roll-up tables the loader keeps up to date; they must give exactly
what summing the facts gives (the views' former definitions, kept here as the reference),
after loads, a replaced report, a removed one, and for a warehouse built before roll-ups."""

from __future__ import annotations

import hashlib

import duckdb

from gongkai import PARSER_VERSION
from gongkai.batch import FileOutcome
from gongkai.synth.generate import generate_reports
from gongkai.warehouse.load import IngestResult, load_batches
from gongkai.warehouse.schema import connect

REFERENCE_CATEGORIES = """
    select r.report_id, r.adcode, g.province_code, g.province, g.prefecture_code, g.prefecture,
           g.county_code, g.county, r.year, coalesce(d.category, d.disposition_key) as category,
           sum(f.count) as requests
    from fct_requests as f join dim_report as r using (report_id)
    join dim_disposition as d using (disposition_key) left join dim_region as g on g.adcode = r.adcode
    where f.applicant_type = 'total' and (d.is_leaf or d.disposition_group in ('received', 'carried_forward'))
    group by all
"""
REFERENCE = {
    level: f"""select {level}_code, {level}, year, category, count(distinct report_id) as reports,
                      sum(requests) as requests
               from ({REFERENCE_CATEGORIES}) where {level}_code is not null group by all"""
    for level in ("province", "prefecture", "county")
}
REFERENCE_RATE = f"""
with per_report as (
    select report_id, province_code, province, prefecture_code, prefecture, county_code, county, year,
        sum(requests) filter (where category = '予以公开') as granted,
        sum(requests) filter (where category = '部分公开') as partial,
        sum(requests) filter (where category not in ('new_received', 'carried_over', 'carried_forward')) as handled
    from ({REFERENCE_CATEGORIES}) group by all
), per_level as (
    select 'province' as level, province_code as region_code, province as region_name, year, granted, partial, handled
    from per_report where province_code is not null
    union all select 'prefecture', prefecture_code, prefecture, year, granted, partial, handled
    from per_report where prefecture_code is not null
    union all select 'county', county_code, county, year, granted, partial, handled
    from per_report where county_code is not null
)
select level, region_code, region_name, year, count(*) as reports, sum(granted), sum(partial), sum(handled),
       sum(granted) / nullif(sum(handled), 0), (sum(granted) + sum(partial)) / nullif(sum(handled), 0)
from per_level group by all
"""


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
    categories = sorted(con.execute(f"select * exclude (template, status) from v_request_categories").fetchall(), key=repr)
    assert categories == sorted(con.execute(REFERENCE_CATEGORIES).fetchall(), key=repr) and categories
    for level, sql in REFERENCE.items():
        expected = sorted(con.execute(sql).fetchall(), key=repr)
        got = sorted(con.execute(f"select * from v_requests_by_{level}").fetchall(), key=repr)
        assert got == expected, level
        assert expected, f"no {level} rows: the test would prove nothing"
    expected = sorted(con.execute(REFERENCE_RATE).fetchall(), key=repr)
    got = sorted(con.execute("select * from v_disclosure_rate").fetchall(), key=repr)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a[:5] == b[:5]
        for x, y in zip(a[5:], b[5:]):
            assert (x is None and y is None) or abs(x - y) < 1e-9


def test_rollups_follow_loads_replacements_and_removals(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    try:
        load_batches(con, outcomes(300, seed=1), IngestResult(), batch_reports=70)
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
    finally:
        con.close()
    con = connect(db)
    try:
        assert_views_match_the_facts(con)
    finally:
        con.close()
