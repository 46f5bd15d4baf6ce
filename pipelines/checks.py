"""Asset checks on quality_results, one per rule group, read from the current failing comparisons.

ERROR for groups of identity / completeness rules (a broken report), WARN for groups made
of warnings only. The failing reports and cells go into the check's metadata.
"""


import dagster as dg
import pandas as pd

from gongkai.quality.rules import RULE_GROUPS
from pipelines.assets import quality_results
from pipelines.resources import GongkaiPaths

EVIDENCE_ROWS = 50


def _latest_failures(db_path: str, rules: list[str]) -> pd.DataFrame:
    import duckdb

    with duckdb.connect(db_path, read_only=True) as con:
        return con.execute("""
            select r.agency, r.year, q.rule, q.item, q.expected, q.observed, r.source_ref, q.report_id
            from quality_result q join dim_report r using (report_id)
            where not q.passed and list_contains($rules, q.rule)  -- the current failures
            order by r.agency, r.year, q.rule, q.item
        """, {"rules": rules}).df()


def _group_check(group: str):
    rules = RULE_GROUPS[group]
    severity = (dg.AssetCheckSeverity.ERROR if any(r.severity == "error" for r in rules)
                else dg.AssetCheckSeverity.WARN)
    description = "; ".join(f"{r.name}: {r.description}" for r in rules)

    @dg.asset_check(asset=quality_results, name=f"{group}_hold", description=description)
    def check(paths: GongkaiPaths) -> dg.AssetCheckResult:
        failures = _latest_failures(paths.db_path, [r.name for r in rules])
        return dg.AssetCheckResult(
            passed=failures.empty,
            severity=severity,
            metadata={
                "reports_failing": int(failures["report_id"].nunique()) if not failures.empty else 0,
                "failing_cells": len(failures),
                "evidence": dg.MetadataValue.md(
                    failures.drop(columns=["report_id"]).head(EVIDENCE_ROWS).to_markdown(index=False)
                    if not failures.empty else "_(none)_"),
            },
        )

    return check


QUALITY_CHECKS = [_group_check(group) for group in RULE_GROUPS]
