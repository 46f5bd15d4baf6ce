"""Asset checks on quality_results, one per rule group, read from the current failing comparisons.

Flags are data, not failures: a report whose numbers do not add up is a finding of a run
that worked, so every rule group reports WARN with "N reports flagged" in its metadata and
the failing cells (source_location, file) as evidence. Only a pipeline failure is an ERROR:
no stored validation run to read (the quality step did not run or its tables are missing).
"""


import dagster as dg
import pandas as pd

from gongkai.quality.rules import RULE_GROUPS
from pipelines.assets import quality_results
from pipelines.resources import GongkaiPaths

EVIDENCE_ROWS = 50


def _latest_failures(db_path: str, rules: list[str]) -> pd.DataFrame | None:
    """The failing cells of the latest run for these rules (v_quality_cells); None when no
    validation run is stored."""
    import duckdb

    with duckdb.connect(db_path, read_only=True) as con:
        if not con.execute("select count(*) from quality_run").fetchall()[0][0]:
            return None
        return con.execute("""
            select agency, year, rule, item, expected, observed,
                   coalesce(cell_row || ' × ' || cell_column, '') as cell, cell_value,
                   coalesce(source_location, '') as source_location, file_name as file, severity, report_id
            from v_quality_cells
            where list_contains($rules, rule)
        """, {"rules": rules}).df()


def _group_check(group: str):
    rules = RULE_GROUPS[group]
    description = "; ".join(f"{r.name}: {r.description}" for r in rules)

    @dg.asset_check(asset=quality_results, name=f"{group}_hold", description=description)
    def check(paths: GongkaiPaths) -> dg.AssetCheckResult:
        failures = _latest_failures(paths.db_path, [r.name for r in rules])
        if failures is None:  # a pipeline failure, not a finding
            return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                       metadata={"error": "no validation run stored in the warehouse"})
        flagged = int(failures.loc[failures["severity"] == "error", "report_id"].nunique())
        failing = int(failures["report_id"].nunique())
        return dg.AssetCheckResult(
            passed=failures.empty,
            severity=dg.AssetCheckSeverity.WARN,  # flags are data: the run worked
            description=f"{flagged} reports flagged, {failing} with a finding",
            metadata={
                "reports_flagged": flagged,
                "reports_failing": failing,
                "failing_cells": len(failures),
                "evidence": dg.MetadataValue.md(
                    failures.drop(columns=["report_id", "severity"]).head(EVIDENCE_ROWS).to_markdown(index=False)
                    if not failures.empty else "_(none)_"),
            },
        )

    return check


QUALITY_CHECKS = [_group_check(group) for group in RULE_GROUPS]
