"""Synthetic annual reports in the contract of REPORT_SCHEMA.md, with their ground truth.

Reports come in agency series: one agency, consecutive years, so that 上年结转 (t) equals
结转下年度 (t-1) (I5), 现行有效件数 evolves with 制发/废止 (I6) and the 2019 format's
上一年项目数量 follows the previous year's count and change. Values are skewed the way
published reports are: most agencies receive a handful of requests or none, a few large
ones receive thousands; denials are rare, "本机关不掌握" is common.

A share of the reports is made inconsistent on purpose: one printed cell is perturbed and
the truth records the cell and every identity (I1-I5) the perturbation breaks. Everything
is drawn from one ``random.Random(seed)``: same arguments, same reports.

Rows, columns and items come from `gongkai.formats`; nothing is redeclared here.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gongkai import formats as F

# --- places and agencies ------------------------------------------------------------------

# (printed place, region path, adcode, level). Real places, the path province first; each
# resolves to exactly this path and code in gongkai.gazetteer (checked when written).
PLACES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("五寨县", ("山西省", "忻州市", "五寨县"), "140928", "county"),
    ("乡宁县", ("山西省", "临汾市", "乡宁县"), "141029", "county"),
    ("平遥县", ("山西省", "晋中市", "平遥县"), "140728", "county"),
    ("威远县", ("四川省", "内江市", "威远县"), "511024", "county"),
    ("都江堰市", ("四川省", "成都市", "都江堰市"), "510181", "county"),
    ("泗水县", ("山东省", "济宁市", "泗水县"), "370831", "county"),
    ("曲阜市", ("山东省", "济宁市", "曲阜市"), "370881", "county"),
    ("寿光市", ("山东省", "潍坊市", "寿光市"), "370783", "county"),
    ("盐池县", ("宁夏回族自治区", "吴忠市", "盐池县"), "640323", "county"),
    ("涟水县", ("江苏省", "淮安市", "涟水县"), "320826", "county"),
    ("盱眙县", ("江苏省", "淮安市", "盱眙县"), "320830", "county"),
    ("沭阳县", ("江苏省", "宿迁市", "沭阳县"), "321322", "county"),
    ("昆山市", ("江苏省", "苏州市", "昆山市"), "320583", "county"),
    ("江阴市", ("江苏省", "无锡市", "江阴市"), "320281", "county"),
    ("宜兴市", ("江苏省", "无锡市", "宜兴市"), "320282", "county"),
    ("义乌市", ("浙江省", "金华市", "义乌市"), "330782", "county"),
    ("安吉县", ("浙江省", "湖州市", "安吉县"), "330523", "county"),
    ("长兴县", ("浙江省", "湖州市", "长兴县"), "330522", "county"),
    ("桐乡市", ("浙江省", "嘉兴市", "桐乡市"), "330483", "county"),
    ("晋江市", ("福建省", "泉州市", "晋江市"), "350582", "county"),
    ("婺源县", ("江西省", "上饶市", "婺源县"), "361130", "county"),
    ("浏阳市", ("湖南省", "长沙市", "浏阳市"), "430181", "county"),
    ("宁乡市", ("湖南省", "长沙市", "宁乡市"), "430182", "county"),
    ("凤凰县", ("湖南省", "湘西土家族苗族自治州", "凤凰县"), "433123", "county"),
    ("兰考县", ("河南省", "开封市", "兰考县"), "410225", "county"),
    ("巩义市", ("河南省", "郑州市", "巩义市"), "410181", "county"),
    ("正定县", ("河北省", "石家庄市", "正定县"), "130123", "county"),
    ("海城市", ("辽宁省", "鞍山市", "海城市"), "210381", "county"),
    ("延吉市", ("吉林省", "延边朝鲜族自治州", "延吉市"), "222401", "county"),
    ("五常市", ("黑龙江省", "哈尔滨市", "五常市"), "230184", "county"),
    ("阳朔县", ("广西壮族自治区", "桂林市", "阳朔县"), "450321", "county"),
    ("仁怀市", ("贵州省", "遵义市", "仁怀市"), "520382", "county"),
    ("大理市", ("云南省", "大理白族自治州", "大理市"), "532901", "county"),
    ("景洪市", ("云南省", "西双版纳傣族自治州", "景洪市"), "532801", "county"),
    ("神木市", ("陕西省", "榆林市", "神木市"), "610881", "county"),
    ("敦煌市", ("甘肃省", "酒泉市", "敦煌市"), "620982", "county"),
    ("伊宁市", ("新疆维吾尔自治区", "伊犁哈萨克自治州", "伊宁市"), "654002", "county"),
    ("杭州市余杭区", ("浙江省", "杭州市", "余杭区"), "330110", "county"),
    ("淮安市", ("江苏省", "淮安市"), "320800", "city"),
    ("忻州市", ("山西省", "忻州市"), "140900", "city"),
    ("临汾市", ("山西省", "临汾市"), "141000", "city"),
    ("济宁市", ("山东省", "济宁市"), "370800", "city"),
    ("内江市", ("四川省", "内江市"), "511000", "city"),
    ("吴忠市", ("宁夏回族自治区", "吴忠市"), "640300", "city"),
)

# (suffix, kind, scale): kind drives which tables carry what; scale is the log of the
# typical number of requests a year (0 = about one).
_GOVERNMENT = (("人民政府", "government", 3.2), ("人民政府办公室", "office", 1.6))
_COUNTY_DEPARTMENTS: tuple[tuple[str, str, float], ...] = (
    ("发展和改革局", "department", 0.6), ("教育局", "department", 1.0), ("公安局", "department", 1.4),
    ("民政局", "department", 0.6), ("司法局", "department", 0.3), ("财政局", "department", 1.0),
    ("人力资源和社会保障局", "department", 1.4), ("自然资源局", "department", 2.4),
    ("住房和城乡建设局", "department", 2.0), ("交通运输局", "department", 0.8),
    ("水利局", "department", 0.4), ("农业农村局", "department", 0.9), ("商务局", "department", 0.2),
    ("文化和旅游局", "department", 0.1), ("卫生健康局", "department", 0.7),
    ("退役军人事务局", "department", 0.3), ("应急管理局", "department", 0.4), ("审计局", "department", 0.2),
    ("市场监督管理局", "department", 1.5), ("统计局", "department", -0.5),
    ("医疗保障局", "department", 0.3), ("行政审批服务管理局", "department", 0.8),
    ("城市管理局", "department", 0.9), ("林业局", "department", -0.2),
)
_CITY_DEPARTMENTS: tuple[tuple[str, str, float], ...] = (
    ("发展和改革委员会", "department", 1.4), ("教育局", "department", 1.5), ("公安局", "department", 2.0),
    ("财政局", "department", 1.6), ("人力资源和社会保障局", "department", 2.0),
    ("自然资源和规划局", "department", 3.0), ("住房和城乡建设局", "department", 2.6),
    ("交通运输局", "department", 1.4), ("生态环境局", "department", 1.8),
    ("卫生健康委员会", "department", 1.3), ("市场监督管理局", "department", 2.1),
    ("审计局", "department", 0.5), ("统计局", "department", 0.2), ("医疗保障局", "department", 1.0),
)
_TOWNSHIPS = ("城关镇", "城东镇", "城西镇", "新华镇", "太平镇", "长安镇", "河口镇", "东城街道", "西城街道")
_TOWNSHIP_SCALE = -1.2
# further township names, made up of the syllables real ones are made of ("永丰乡", "石桥镇"):
# once the agencies above are used up, each county gets more townships, so that an
# agency-year never repeats (the duplicates rule would flag it, I5 would mix two series)
_TOWNSHIP_FIRST = "新永太长东西南北兴安福龙凤金石白青红大高马柳杨双三万平顺富宝花桥"
_TOWNSHIP_SECOND = "安华丰兴乐山河桥庄集店坪沟湾口坝岭园泉塘寨林阳溪铺营"


@dataclass(frozen=True, slots=True)
class Agency:
    """One issuing organ: its printed name, the place as printed and the resolved place."""

    name: str
    region_text: str
    region_path: tuple[str, ...]
    adcode: str
    kind: str  # government | office | department | township
    level: str  # city | county
    scale: float


def agencies() -> list[Agency]:
    """The named agencies the generator draws from first, in a fixed order."""
    pool: list[Agency] = []
    for place, path, adcode, level in PLACES:
        departments = _CITY_DEPARTMENTS if level == "city" else _COUNTY_DEPARTMENTS
        bump = 1.2 if level == "city" else 0.0
        for suffix, kind, scale in _GOVERNMENT + departments:
            pool.append(Agency(place + suffix, place, path, adcode, kind, level, scale + bump))
        if level == "county":
            for township in _TOWNSHIPS:
                suffix = "办事处" if township.endswith("街道") else "人民政府"
                # invented townships under real counties: labelled with the county's path and
                # code (the gazetteer itself leaves them unresolved)
                pool.append(Agency(place + township + suffix, place + township, path, adcode,
                                   "township", level, _TOWNSHIP_SCALE))
    return pool


def _extra_townships() -> Iterator[list[Agency]]:
    """Batches of further townships, one per county each, in a fixed order."""
    counties = [p for p in PLACES if p[3] == "county"]
    names = [a + b for a in _TOWNSHIP_FIRST for b in _TOWNSHIP_SECOND if a != b]
    # then three-syllable names ("石桥坪"): about 930,000 agencies in all, so that a national
    # corpus (1.2 million reports) never repeats an agency-year
    names += [a + b + c for a in _TOWNSHIP_FIRST for b in _TOWNSHIP_SECOND for c in _TOWNSHIP_SECOND
              if len({a, b, c}) == 3]
    used = {t[:-1] for t in _TOWNSHIPS}
    for i, name in enumerate(names):
        if name in used:
            continue
        suffix = "乡" if i % 3 == 0 else "镇"
        yield [Agency(place + name + suffix + "人民政府", place + name + suffix, path, adcode, "township",
                      level, _TOWNSHIP_SCALE) for place, path, adcode, level in counties]


def _agency_stream(rng: random.Random) -> Iterator[Agency]:
    """Every agency once: the named ones shuffled, then the further townships; then again."""
    while True:
        first = agencies()
        rng.shuffle(first)
        yield from first
        for batch in _extra_townships():
            rng.shuffle(batch)
            yield from batch


# --- distributions -------------------------------------------------------------------------

_T3_KEYS = tuple(row.key for row in F.TABLE3_ROWS)
_APPLICANTS = F.APPLICANT_KEYS[:-1]  # the six applicant columns, without 总计
_APPLICANT_CUM = (0.885, 0.955, 0.958, 0.963, 0.99, 1.0)

# share of finished requests per leaf disposition (before per-report jitter)
_DISPOSITION_WEIGHTS: dict[str, float] = {
    "granted": 0.40, "partial": 0.08,
    "denied_state_secret": 0.002, "denied_law_forbidden": 0.01,
    "denied_three_safety_one_stability": 0.003, "denied_third_party": 0.012,
    "denied_internal_affairs": 0.015, "denied_process_info": 0.015,
    "denied_law_enforcement_file": 0.01, "denied_admin_query": 0.03,
    "unable_not_held": 0.22, "unable_need_creation": 0.03, "unable_unclear_after_correction": 0.02,
    "not_processed_petition": 0.05, "not_processed_duplicate": 0.03,
    "not_processed_publication": 0.005, "not_processed_excessive": 0.01,
    "not_processed_confirm_existing": 0.005,
    "other": 0.04, "other_overdue_correction": 0.025, "other_unpaid_fee": 0.002, "other_other": 0.015,
}
_TABLE4_OUTCOME_CUM = (0.72, 0.82, 0.92, 1.0)  # upheld, corrected, other, pending
_PROCUREMENT_UNITS = (("万元", 0.6), ("元", 0.85), ("亿元", 0.9), (None, 1.0))

SHARE_SINGLE_OTHER_ROW_2021 = 0.04  # 2021-format reports printing one （六）其他处理 row
SHARE_NO_RULES_ROW = 0.03  # table 二 printed without its 规章 row
SHARE_TABLE4_TRUNCATED = 0.01  # table 四 printed as a header only: absent from the report


_LEAVES_WITHOUT_OTHER = tuple(k for k in F.LEAF_DISPOSITIONS if k not in F.OTHER_ROWS_2019 + F.OTHER_ROWS_2021)
_NOT_HELD = _LEAVES_WITHOUT_OTHER.index("unable_not_held")


def _leaf_keys(template: str, single_other: bool) -> tuple[str, ...]:
    """The leaf disposition rows a report prints: （六） as one row or as three."""
    other = F.OTHER_ROWS_2019 if template == "2019" or single_other else F.OTHER_ROWS_2021
    return _LEAVES_WITHOUT_OTHER + other


def _cumulative(weights: Iterable[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _split(rng: random.Random, total: int, cum: list[float]) -> list[int]:
    """``total`` items over categories with cumulative weights ``cum``; sums to ``total``."""
    k = len(cum)
    counts = [0] * k
    if total <= 0:
        return counts
    if total <= 40:
        for i in rng.choices(range(k), cum_weights=cum, k=total):
            counts[i] += 1
        return counts
    # large totals: expected shares with noise, the remainder to the largest category
    whole = cum[-1]
    previous = 0.0
    biggest, biggest_w = 0, -1.0
    assigned = 0
    for i, c in enumerate(cum):
        w = c - previous
        previous = c
        if w > biggest_w:
            biggest, biggest_w = i, w
        n = int(total * w / whole * (0.6 + 0.8 * rng.random()))
        counts[i] = n
        assigned += n
    counts[biggest] += total - assigned
    i = 0
    while counts[biggest] < 0:  # noise overshot: take the excess back from the others
        if i != biggest and counts[i] > 0:
            take = min(counts[i], -counts[biggest])
            counts[i] -= take
            counts[biggest] += take
        i += 1
    return counts


def _count(rng: random.Random, scale: float, zero_share: float, sigma: float = 1.3) -> int:
    if rng.random() < zero_share:
        return 0
    return int(rng.lognormvariate(scale, sigma))


# --- one agency's series ------------------------------------------------------------------


@dataclass(slots=True)
class _SeriesState:
    """What a year's report carries over to the next one of the same agency."""

    carried_forward: list[int] | None = None
    rules_in_force: int = 0
    normative_in_force: int = 0
    items: dict[str, int] = field(default_factory=dict)  # 2019: item key -> 上一年项目数量
    fees_scale: float = 0.0
    procurement_unit: str | None = "万元"


def _table3(rng: random.Random, agency: Agency, template: str, state: _SeriesState,
            single_other: bool) -> dict[str, list[int]]:
    leaves = _leaf_keys(template, single_other)
    weights = [_DISPOSITION_WEIGHTS[k] for k in leaves]
    weights[0] *= 0.5 + rng.random()  # granted
    weights[_NOT_HELD] *= 0.4 + 1.2 * rng.random()
    cum_leaves = _cumulative(weights)

    zero_share = 0.55 if agency.kind in ("township", "department") and agency.scale < 0.5 else 0.2
    new_total = _count(rng, agency.scale, zero_share)
    new = _split(rng, new_total, _APPLICANT_CUM) if new_total else [0] * 6
    if state.carried_forward is not None:
        carried_over = state.carried_forward[:6]
    elif new_total and rng.random() < 0.15:
        carried_over = [rng.randint(1, 3), 0, 0, 0, 0, 0]
    else:
        carried_over = [0] * 6

    leaf_rows = [[0] * 7 for _ in leaves]
    total = [0] * 7
    forward = [0] * 7
    for c in range(6):
        available = new[c] + carried_over[c]
        if not available:
            continue
        ahead = int(available * 0.12 * rng.random()) if rng.random() < 0.3 else 0
        done = available - ahead
        for row, n in zip(leaf_rows, _split(rng, done, cum_leaves)):
            row[c] = n
        total[c], forward[c] = done, ahead
    table = {"new_received": new + [new_total], "carried_over": carried_over + [sum(carried_over)]}
    for key, row in zip(leaves, leaf_rows):
        row[6] = sum(row)
        table[key] = row
    total[6], forward[6] = sum(total), sum(forward)
    table["total"], table["carried_forward"] = total, forward
    state.carried_forward = forward
    return table


def _table4(rng: random.Random, agency: Agency) -> dict[str, list[int]]:
    table = {}
    for g, (group, _) in enumerate(F.TABLE4_GROUPS):
        scale = agency.scale - 2.5 - g * 0.7
        total = _count(rng, scale, 0.6 + 0.1 * g, sigma=1.0)
        outcomes = _split(rng, total, list(_TABLE4_OUTCOME_CUM))
        table[group] = outcomes + [total]
    return table


def _amount(rng: random.Random, wan: float, unit: str | None) -> int | float:
    """A money amount given in 万元, printed in ``unit`` (None: printed in 元, no unit)."""
    if unit == "万元":
        return round(wan, 2)
    if unit == "亿元":
        return round(wan / 10000, 5)
    return int(round(wan * 10000))


def _table2(rng: random.Random, agency: Agency, template: str, state: _SeriesState,
            no_rules_row: bool) -> dict[str, dict[str, Any]]:
    makes_rules = agency.level == "city" and agency.kind == "government"
    makes_normative = agency.kind in ("government", "office") or rng.random() < 0.3
    enforcement = agency.kind in ("department", "government") and agency.scale > 0.5
    big = agency.scale + 4.0
    table: dict[str, dict[str, Any]] = {}

    rules_issued = _count(rng, 0.8, 0.4, 0.8) if makes_rules else 0
    normative_issued = _count(rng, 1.6 if agency.kind == "government" else 0.5, 0.3, 0.9) if makes_normative else 0

    def decisions(scale: float, zero: float) -> int:
        return _count(rng, scale, zero, 1.6)

    if template == "2019":
        for key, issued in (("rules", rules_issued), ("normative_docs", normative_issued)):
            published = issued if rng.random() < 0.8 else rng.randint(0, issued)
            in_force = "rules_in_force" if key == "rules" else "normative_in_force"
            setattr(state, in_force, getattr(state, in_force) + published)
            table[key] = {"new_made": issued, "new_published": published,
                          "total_published": getattr(state, in_force)}
        for key, scale, zero in (("admin_license", big, 0.3), ("other_services", big - 1.0, 0.5),
                                 ("admin_penalty", big - 1.5, 0.3), ("admin_coercion", big - 4.0, 0.6)):
            if key not in state.items:
                state.items[key] = _count(rng, 2.5 if enforcement else 0.0, 0.2 if enforcement else 0.7, 1.0)
            prev = state.items[key]
            change = 0 if rng.random() < 0.6 else rng.randint(-min(prev, 15), 15)
            state.items[key] = prev + change
            table[key] = {"prev_count": prev, "change": change,
                          "decisions": decisions(scale, zero) if (enforcement or prev) else 0}
        if "admin_fees" not in state.items:
            state.items["admin_fees"] = _count(rng, 1.5, 0.5, 0.8) if agency.kind != "township" else 0
        prev = state.items["admin_fees"]
        change = 0 if rng.random() < 0.8 else rng.randint(-min(prev, 3), 2)
        state.items["admin_fees"] = prev + change
        table["admin_fees"] = {"prev_count": prev, "change": change}
        count = _count(rng, agency.scale + 1.0, 0.35, 1.2)
        unit = state.procurement_unit
        if count:
            amount = _amount(rng, count * rng.lognormvariate(3.5, 1.2), unit)
        else:
            amount, unit = 0, None  # nothing bought: printed as a bare 0
        table["procurement"] = {"count": count, "amount": amount, "amount_unit": unit}
    else:
        for key, issued in (("rules", rules_issued), ("normative_docs", normative_issued)):
            in_force_attr = "rules_in_force" if key == "rules" else "normative_in_force"
            in_force = getattr(state, in_force_attr)
            repealed = rng.randint(0, min(in_force, 8)) if in_force and rng.random() < 0.35 else 0
            in_force += issued - repealed
            if rng.random() < 0.05:  # I6 is weak: cleanup campaigns re-count the stock
                in_force = max(0, in_force + rng.randint(-5, 5))
            setattr(state, in_force_attr, in_force)
            table[key] = {"issued": issued, "repealed": repealed, "in_force": in_force}
        table["admin_license"] = {"decisions": decisions(big, 0.3) if enforcement else decisions(0.5, 0.7)}
        table["admin_penalty"] = {"decisions": decisions(big - 1.5, 0.3) if enforcement else 0}
        table["admin_coercion"] = {"decisions": decisions(big - 4.0, 0.6) if enforcement else 0}
        if not state.fees_scale:
            state.fees_scale = rng.lognormvariate(agency.scale + 2.0, 1.5) if rng.random() < 0.5 else -1.0
        amount = 0 if state.fees_scale < 0 else round(state.fees_scale * (0.7 + 0.6 * rng.random()), 4)
        table["admin_fees"] = {"amount": amount, "amount_unit": "万元"}
    if no_rules_row:
        del table["rules"]
    return table


# --- identities ---------------------------------------------------------------------------


def check_identities(report: dict[str, Any]) -> list[dict[str, str]]:
    """The identities I1-I4 a report breaks, as {"rule", "table", "where"} dicts.

    Blank (None) cells count as 0. I5 needs two reports: see `generate_with_truth`.
    """
    violations: list[dict[str, str]] = []
    t3 = report.get("table3") or {}
    if t3:
        def cell(key: str, c: int) -> int:
            row = t3.get(key)
            return (row[c] or 0) if row else 0

        leaves = [k for k in F.LEAF_DISPOSITIONS if k in t3]
        for c, col in enumerate(F.APPLICANT_KEYS):
            if cell("new_received", c) + cell("carried_over", c) != cell("total", c) + cell("carried_forward", c):
                violations.append({"rule": "I1", "table": "table3", "where": col})
        for key, row in t3.items():
            if (row[6] or 0) != sum(v or 0 for v in row[:6]):
                violations.append({"rule": "I2", "table": "table3", "where": key})
        for c, col in enumerate(F.APPLICANT_KEYS):
            if cell("total", c) != sum(cell(k, c) for k in leaves):
                violations.append({"rule": "I3", "table": "table3", "where": col})
    for group, values in (report.get("table4") or {}).items():
        if (values[4] or 0) != sum(v or 0 for v in values[:4]):
            violations.append({"rule": "I4", "table": "table4", "where": group})
    return violations


_PERTURBATIONS = (
    ("table3_leaf", 0.35), ("table3_total_column", 0.2), ("table3_total_row", 0.1),
    ("table3_carried_forward", 0.1), ("table3_carried_over", 0.1), ("table4", 0.15),
)
_PERTURBATION_CUM = _cumulative(w for _, w in _PERTURBATIONS)


def _perturb(rng: random.Random, report: dict[str, Any]) -> dict[str, Any]:
    """Change one printed cell so that at least one identity breaks; describe the change."""
    kind = rng.choices([k for k, _ in _PERTURBATIONS], cum_weights=_PERTURBATION_CUM)[0]
    if kind == "table4" and "table4" not in report:
        kind = "table3_leaf"
    if kind == "table4":
        group = rng.choice([g for g, _ in F.TABLE4_GROUPS])
        index = rng.randrange(5)
        row = report["table4"][group]
        table, key = "table4", group
    else:
        t3 = report["table3"]
        if kind == "table3_leaf":
            key = rng.choice([k for k in F.LEAF_DISPOSITIONS if k in t3])
        else:
            key = {"table3_total_column": None, "table3_total_row": "total",
                   "table3_carried_forward": "carried_forward", "table3_carried_over": "carried_over"}[kind]
            if key is None:
                key = rng.choice(list(t3))
        row = t3[key]
        index = 6 if kind == "table3_total_column" else rng.choices(range(6), cum_weights=_APPLICANT_CUM)[0]
        table = "table3"
    before = row[index]
    if before and rng.random() < 0.35:
        after = 0  # a cell left at 0 (seen in real reports: 总计 not filled in)
    else:
        after = max(0, before + rng.choice((-3, -2, -1, 1, 1, 2, 3, 5)))
        if after == before:
            after = before + 1
    row[index] = after
    column = F.APPLICANT_KEYS[index] if table == "table3" else F.TABLE4_OUTCOMES[index][0]
    return {"kind": kind, "table": table, "row": key, "column": column, "index": index,
            "printed": after, "consistent": before}


# --- the generators -----------------------------------------------------------------------


def template_for(year: int) -> str:
    """The national format a year's report follows: 2019 (试行) for 2019-2020, then 2021."""
    return "2019" if year <= 2020 else "2021"


def generate_with_truth(n: int, *, seed: int = 0, inconsistent_share: float = 0.1,
                        years: Iterable[int] = range(2019, 2025)) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``n`` (report, truth) pairs.

    ``truth`` is {"inconsistent": bool, "perturbed": [cell descriptions], "violations":
    [{"rule", "table", "where"}]}. ``inconsistent`` says this report had one printed cell
    perturbed (``perturbed`` describes it: table, row, column, printed and consistent
    value); ``violations`` lists the I1-I4 breaches of the report itself, plus the I5
    breaches between its 上年结转 and the 结转下年度 of the same agency's report for the
    previous year, when that report precedes it in the output (``where``: "natural_person
    vs 2020"). A consistent report can carry an I5 breach: last year's 结转 was perturbed.
    """
    years = sorted(set(years))
    if not years:
        raise ValueError("years is empty")
    rng = random.Random(seed)
    stream = _agency_stream(rng)
    produced = 0
    while produced < n:
        agency = next(stream)
        # a series of consecutive years (published reports come in runs)
        length = min(len(years), max(1, int(rng.triangular(1, len(years) + 1, len(years)))))
        first = rng.randrange(len(years) - length + 1)
        span = years[first:first + 1]
        for year in years[first + 1:first + length]:
            if year != span[-1] + 1:
                break  # a gap in ``years``: the series (and its carried-over state) ends
            span.append(year)
        state = _SeriesState(procurement_unit=_choose_unit(rng))
        previous: dict[str, Any] | None = None
        for year in span:
            if produced >= n:
                break
            report, truth = _one(rng, seed, produced, agency, year, state, inconsistent_share)
            if previous is not None:
                truth["violations"] += _i5(previous, report)
            previous = report
            produced += 1
            yield report, truth


def _choose_unit(rng: random.Random) -> str | None:
    draw = rng.random()
    for unit, cum in _PROCUREMENT_UNITS:
        if draw < cum:
            return unit
    return None


def _i5(previous: dict[str, Any], report: dict[str, Any]) -> list[dict[str, str]]:
    """I5 breaches between last year's printed 结转下年度 and this year's 上年结转."""
    before = previous["table3"]["carried_forward"]
    now = report["table3"]["carried_over"]
    return [{"rule": "I5", "table": "table3", "where": f"{column} vs {previous['year']}"}
            for column, a, b in zip(F.APPLICANT_KEYS, before, now) if a != b]


def _one(rng: random.Random, seed: int, index: int, agency: Agency, year: int, state: _SeriesState,
         inconsistent_share: float) -> tuple[dict, dict]:
    template = template_for(year)
    single_other = template == "2021" and rng.random() < SHARE_SINGLE_OTHER_ROW_2021
    report: dict[str, Any] = {
        "id": f"synth-{seed}-{index:06d}",
        "source": {"ref": f"synth://{seed}/{index}", "format": "synthetic", "generator": "gongkai.synth",
                   "seed": seed, "index": index},
        "region_text": agency.region_text,
        "region_path": list(agency.region_path),
        "adcode": agency.adcode,
        "agency": agency.name,
        "year": year,
        "template": template,
        "table2": _table2(rng, agency, template, state, rng.random() < SHARE_NO_RULES_ROW),
        "table3": _table3(rng, agency, template, state, single_other),
    }
    if rng.random() >= SHARE_TABLE4_TRUNCATED:
        report["table4"] = _table4(rng, agency)
    truth: dict[str, Any] = {"inconsistent": False, "perturbed": [], "violations": []}
    if rng.random() < inconsistent_share:
        perturbed = _perturb(rng, report)
        if perturbed["row"] == "carried_forward":
            # the next report copies the consistent number: keep the state on it
            state.carried_forward = list(state.carried_forward)
            state.carried_forward[perturbed["index"]] = perturbed["consistent"]
            state.carried_forward[6] = sum(state.carried_forward[:6])
        truth["inconsistent"] = True
        truth["perturbed"].append(perturbed)
        truth["violations"] = check_identities(report)
    return report, truth


def generate_reports(n: int, *, seed: int = 0, inconsistent_share: float = 0.1,
                     years: Iterable[int] = range(2019, 2025)) -> Iterator[dict[str, Any]]:
    """``n`` synthetic reports (contract dicts); the reports of `generate_with_truth`."""
    for report, _ in generate_with_truth(n, seed=seed, inconsistent_share=inconsistent_share, years=years):
        yield report
