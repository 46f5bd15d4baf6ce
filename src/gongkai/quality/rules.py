"""The quality rules, declared once: name, the SQL that computes its comparisons, severity, group.

Every rule's SQL (``sql/checks/<name>.sql``) returns one row per report x item with
``expected``, ``observed`` and ``residual = expected - observed``; Great Expectations
then decides which rows fail (``residual`` must be present and 0).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    sql: str
    severity: str  # error | warning
    group: str  # identities | cross_year | completeness | plausibility | duplicates
    description: str


RULES: tuple[Rule, ...] = (
    Rule("I1", "checks/i1_balance.sql", "error", "identities",
         "per column, 一 本年新收 + 二 上年结转 = （七）总计 + 四 结转下年度"),
    Rule("I2", "checks/i2_row_totals.sql", "error", "identities",
         "per row of table 三, 总计 = sum of the six applicant columns"),
    Rule("I3", "checks/i3_disposition_sum.sql", "error", "identities",
         "per column, （七）总计 = sum of the disposition rows"),
    Rule("I4", "checks/i4_review_totals.sql", "error", "identities",
         "table 四, each 总计 = 维持 + 纠正 + 其他 + 尚未审结"),
    Rule("I5", "checks/i5_carried_over.sql", "error", "cross_year",
         "same agency: 上年结转 (t) = 结转下年度 (t-1)"),
    Rule("I6", "checks/i6_regulations_in_force.sql", "warning", "cross_year",
         "2021: 现行有效 (t) = 现行有效 (t-1) + 制发 (t) - 废止 (t)"),
    Rule("completeness", "checks/completeness.sql", "error", "completeness",
         "tables 二, 三, 四 printed with numbers; national format recognised"),
    Rule("ocr_uncertain", "checks/ocr_uncertain.sql", "error", "completeness",
         "a scan's cells read by OCR are verified (a reading doubt, not a source inconsistency)"),
    Rule("region_resolved", "checks/region_resolved.sql", "warning", "completeness",
         "the report's place resolved in the gazetteer"),
    Rule("plausibility_counts", "checks/plausibility_counts.sql", "error", "plausibility",
         "counts are non-negative integers"),
    Rule("plausibility_fees", "checks/plausibility_fees.sql", "warning", "plausibility",
         "fee amounts within a ceiling for the agency's level"),
    Rule("duplicates", "checks/duplicates.sql", "warning", "duplicates",
         "one report per agency and year"),
    Rule("text_in_number_cells", "checks/text_in_number_cells.sql", "error", "completeness",
         "every number cell prints a number or a blank, not text (“不详”)"),
)
RULE_GROUPS: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES:
    RULE_GROUPS[_rule.group] = RULE_GROUPS.get(_rule.group, ()) + (_rule,)
