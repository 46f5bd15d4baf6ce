"""The roll-up tables the loader keeps up to date must give exactly what summing the facts
gives, after loads, a replaced report, a removed one, and for a warehouse built before
roll-ups; the regional views, which read them, add up to the same requests."""

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
