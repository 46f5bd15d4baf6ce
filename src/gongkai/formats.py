"""The two national report formats, declared once, as data.

Read by the extractors (labels and variants), by the warehouse (dimension rows) and by
the quality rules (which rows add up to what). Adding a label variant is one line here.

Labels are matched after `normalise_label` (NFKC, no whitespace, no punctuation), so the
keywords below are written in that normalised form: no brackets, no quotes, no spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections import namedtuple
from functools import lru_cache

from gongkai.lazyre import lazy

TEMPLATES = ("2019", "2021")

# --- Section 三: applicant-type columns -------------------------------------------------

APPLICANT_TYPES: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
APPLICANT_KEYS: tuple[str, ...] = tuple(key for key, _ in APPLICANT_TYPES)

# Header keywords by column (normalised). "其他" is only a column inside the header block.
APPLICANT_HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "natural_person": ("自然人",),
    "commercial": ("商业企业", "商业机构"),
    "research": ("科研机构",),
    "social_welfare": ("社会公益组织", "公益组织"),
    "legal_service": ("法律服务机构", "法律服务"),
    "other_org": ("其他",),
    "total": ("总计", "合计"),
}


# DispositionRow and DisclosureItem are namedtuples, not dataclasses: `import dataclasses` and
# the generated methods cost ~15 ms of CPU in every process (see readers/base.py).
_DispositionFields = namedtuple(
    "_DispositionFields",
    ("key", "label", "group", "category", "keywords", "exact", "templates", "requires_category"),
    defaults=((), (), TEMPLATES, None),
)


class DispositionRow(_DispositionFields):
    """A data row of table 三.

    ``group`` is the row block it belongs to: "received" (一/二), "result" (三 (一)-(七)),
    "carried_forward" (四). ``category`` is the 三 sub-heading a leaf sits under
    (予以公开, 不予公开 ...). ``keywords`` are normalised fragments that identify the
    row's label; ``exact`` labels must equal the label once its numbering is removed.
    ``templates`` are the formats that print the row; ``requires_category``: the label only
    counts inside this category block.
    """

    __slots__ = ()


TABLE3_ROWS: tuple[DispositionRow, ...] = (
    DispositionRow("new_received", "一、本年新收政府信息公开申请数量", "received", None,
                   ("本年新收",)),
    DispositionRow("carried_over", "二、上年结转政府信息公开申请数量", "received", None,
                   ("上年结转",)),
    DispositionRow("granted", "（一）予以公开", "result", "予以公开", ("予以公开",)),
    DispositionRow("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result",
                   "部分公开", ("部分公开",)),
    DispositionRow("denied_state_secret", "1.属于国家秘密", "result", "不予公开", ("国家秘密",)),
    DispositionRow("denied_law_forbidden", "2.其他法律行政法规禁止公开", "result", "不予公开",
                   ("法律行政法规禁止公开", "法规禁止公开")),
    DispositionRow("denied_three_safety_one_stability", "3.危及“三安全一稳定”", "result", "不予公开",
                   ("三安全一稳定",)),
    DispositionRow("denied_third_party", "4.保护第三方合法权益", "result", "不予公开",
                   ("保护第三方合法权益", "第三方合法权益")),
    DispositionRow("denied_internal_affairs", "5.属于三类内部事务信息", "result", "不予公开",
                   ("三类内部事务", "内部事务信息")),
    DispositionRow("denied_process_info", "6.属于四类过程性信息", "result", "不予公开",
                   ("四类过程性", "过程性信息")),
    DispositionRow("denied_law_enforcement_file", "7.属于行政执法案卷", "result", "不予公开",
                   ("行政执法案卷",)),
    DispositionRow("denied_admin_query", "8.属于行政查询事项", "result", "不予公开",
                   ("行政查询事项",)),
    DispositionRow("unable_not_held", "1.本机关不掌握相关政府信息", "result", "无法提供",
                   ("不掌握相关政府信息", "本机关不掌握")),
    DispositionRow("unable_need_creation", "2.没有现成信息需要另行制作", "result", "无法提供",
                   ("没有现成信息", "需要另行制作")),
    DispositionRow("unable_unclear_after_correction", "3.补正后申请内容仍不明确", "result", "无法提供",
                   ("补正后申请内容仍不明确", "仍不明确")),
    DispositionRow("not_processed_petition", "1.信访举报投诉类申请", "result", "不予处理",
                   ("信访举报投诉",)),
    DispositionRow("not_processed_duplicate", "2.重复申请", "result", "不予处理", ("重复申请",)),
    DispositionRow("not_processed_publication", "3.要求提供公开出版物", "result", "不予处理",
                   ("公开出版物",)),
    DispositionRow("not_processed_excessive", "4.无正当理由大量反复申请", "result", "不予处理",
                   ("大量反复申请",)),
    DispositionRow("not_processed_confirm_existing", "5.要求行政机关确认或重新出具已获取信息", "result",
                   "不予处理", ("重新出具已获取信息", "确认或重新出具")),
    # （六）其他处理: one row in the 2019 format, three in the 2021 format. The keys follow
    # what the document prints (REPORT_SCHEMA.md), whatever its format.
    DispositionRow("other", "（六）其他处理", "result", "其他处理", (), ("其他处理",)),
    DispositionRow("other_overdue_correction",
                   "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "result",
                   "其他处理", ("逾期不补正",), templates=("2021",)),
    DispositionRow("other_unpaid_fee",
                   "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "result",
                   "其他处理", ("收费通知要求缴纳费用", "缴纳费用"), templates=("2021",)),
    DispositionRow("other_other", "3.其他", "result", "其他处理", (), ("其他",), templates=("2021",),
                   requires_category="其他处理"),
    DispositionRow("total", "（七）总计", "result", None, (), ("总计", "合计")),
    DispositionRow("carried_forward", "四、结转下年度继续办理", "carried_forward", None,
                   ("结转下年度", "结转下一年度", "结转至下年度")),
)
TABLE3_ROW_BY_KEY: dict[str, DispositionRow] = {row.key: row for row in TABLE3_ROWS}

# The sub-headings of 三、本年度办理结果 ((三)(四)(五)(六) head blocks of leaf rows).
TABLE3_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("予以公开", "一"),
    ("部分公开", "二"),
    ("不予公开", "三"),
    ("无法提供", "四"),
    ("不予处理", "五"),
    ("其他处理", "六"),
)
OTHER_ROWS_2019: tuple[str, ...] = ("other",)
OTHER_ROWS_2021: tuple[str, ...] = ("other_overdue_correction", "other_unpaid_fee", "other_other")
LEAF_DISPOSITIONS: tuple[str, ...] = tuple(
    row.key for row in TABLE3_ROWS if row.group == "result" and row.key != "total"
)

# --- Section 四: reconsideration and litigation ------------------------------------------

TABLE4_GROUPS: tuple[tuple[str, str], ...] = (
    ("reconsideration", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_reconsideration", "复议后起诉"),
)
TABLE4_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
TABLE4_HEADER_KEYWORDS: tuple[str, ...] = ("行政复议", "行政诉讼", "结果维持", "尚未审结", "复议后起诉")

# --- Section 二: proactive disclosure ----------------------------------------------------


_DisclosureFields = namedtuple(
    "_DisclosureFields", ("key", "label", "clause", "keywords", "measures", "unit_measure", "unit_header"),
    defaults=(None, None),
)


class DisclosureItem(_DisclosureFields):
    """A row of table 二 in one format: its key, printed label, label keywords and measures.

    ``clause`` is the N of 第二十条第（N）项; ``measures`` are (measure_key, printed column
    header) pairs; ``unit_measure`` is the measure whose unit is reported as
    "<measure>_unit", ``unit_header`` the normalised header of that measure, where a unit
    may be printed.
    """

    __slots__ = ()


_RULE_MEASURES_2019 = (("new_made", "本年新制作数量"), ("new_published", "本年新公开数量"),
                       ("total_published", "对外公开总数量"))
_SERVICE_MEASURES_2019 = (("prev_count", "上一年项目数量"), ("change", "本年增/减"),
                          ("decisions", "处理决定数量"))
_RULE_MEASURES_2021 = (("issued", "本年制发件数"), ("repealed", "本年废止件数"),
                       ("in_force", "现行有效件数"))
_DECISIONS_2021 = (("decisions", "本年处理决定数量"),)

TABLE2_ITEMS: dict[str, tuple[DisclosureItem, ...]] = {
    "2019": (
        DisclosureItem("rules", "规章", "一", ("规章",), _RULE_MEASURES_2019),
        DisclosureItem("normative_docs", "规范性文件", "一", ("规范性文件",), _RULE_MEASURES_2019),
        DisclosureItem("admin_license", "行政许可", "五", ("行政许可",), _SERVICE_MEASURES_2019),
        DisclosureItem("other_services", "其他对外管理服务事项", "五",
                       ("其他对外管理服务事项", "对外管理服务"), _SERVICE_MEASURES_2019),
        DisclosureItem("admin_penalty", "行政处罚", "六", ("行政处罚",), _SERVICE_MEASURES_2019),
        DisclosureItem("admin_coercion", "行政强制", "六", ("行政强制",), _SERVICE_MEASURES_2019),
        DisclosureItem("admin_fees", "行政事业性收费", "八", ("行政事业性收费",),
                       (("prev_count", "上一年项目数量"), ("change", "本年增/减"))),
        DisclosureItem("procurement", "政府集中采购", "九", ("政府集中采购", "集中采购"),
                       (("count", "采购项目数量"), ("amount", "采购总金额")), unit_measure="amount",
                       unit_header="采购总金额"),
    ),
    "2021": (
        DisclosureItem("rules", "规章", "一", ("规章",), _RULE_MEASURES_2021),
        DisclosureItem("normative_docs", "行政规范性文件", "一", ("规范性文件",), _RULE_MEASURES_2021),
        DisclosureItem("admin_license", "行政许可", "五", ("行政许可",), _DECISIONS_2021),
        DisclosureItem("admin_penalty", "行政处罚", "六", ("行政处罚",), _DECISIONS_2021),
        DisclosureItem("admin_coercion", "行政强制", "六", ("行政强制",), _DECISIONS_2021),
        DisclosureItem("admin_fees", "行政事业性收费", "八", ("行政事业性收费",),
                       (("amount", "本年收费金额（单位：万元）"),), unit_measure="amount",
                       unit_header="本年收费金额"),
    ),
}

# Table-二 column headers that identify the format (normalised keywords).
TABLE2_HEADER_SIGNATURES: dict[str, tuple[str, ...]] = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量",
             "采购总金额"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额"),
}

AMOUNT_UNITS: tuple[str, ...] = ("亿元", "万元", "元")

# --- Section headings ------------------------------------------------------------------

# (section, numeral, keyword alternatives); matched on the normalised start of a cell.
SECTION_HEADINGS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "一", ("总体情况",)),
    (2, "二", ("主动公开",)),
    (3, "三", ("收到和处理", "依申请公开", "申请情况")),
    (4, "四", ("行政复议", "行政诉讼")),
    (5, "五", ("存在的主要问题", "主要问题", "改进情况")),
    (6, "六", ("其他需要报告",)),
)

# --- Normalisation ---------------------------------------------------------------------

_PUNCT_RE = lazy(r"[\s\"'“”‘’「」『』《》()（）\[\]【】<>,，、.．。:：;；!！?？·•\-—_/／|]+")
# (documents strip_numbering, which matches it without compiling it: ~0.3 ms of start-up for its
# CJK class; tests/test_startup_patterns.py checks the two agree)
_NUMBERING_RE = lazy(r"^(?:[一二三四五六七八九十]+|\d{1,2})(?=\D)")
_NUMERALS = frozenset("一二三四五六七八九十")


@lru_cache(maxsize=1 << 16)  # the same labels recur in every row scan and every report
def normalise_label(text: str) -> str:
    """NFKC, then drop whitespace and punctuation: "（二） 部分 公开" -> "二部分公开"."""
    return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1 << 16)
def strip_numbering(norm_label: str) -> str:
    """Drop a leading list number from a normalised label: "3其他" -> "其他", "七总计" -> "总计".

    ``_NUMBERING_RE.sub("", norm_label, count=1)``: Chinese numerals, or one or two digits
    (``str.isdecimal``, as ``\\d``), followed by a character that is not a digit; a run of
    numerals the end of the text or a digit follows gives up its last numeral, as the
    pattern backtracks.
    """
    text, end = norm_label, len(norm_label)
    run = 0
    while run < end and text[run] in _NUMERALS:
        run += 1
    if run:
        if run < end and not text[run].isdecimal():
            return text[run:]
        return text[run - 1:] if run >= 2 else text
    digits = 0
    while digits < end and digits < 2 and text[digits].isdecimal():
        digits += 1
    if digits == 0 or digits >= end or text[digits].isdecimal():
        return text
    return text[digits:]
