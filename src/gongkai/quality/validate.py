"""Validate the warehouse with Great Expectations and store every run's results in DuckDB.

    comparisons (sql/checks/*.sql, one frame per rule)
        -> GX 1.x expectation suites on pandas frames (ephemeral context)
        -> quality_run + quality_result rows, dim_report.status, Data Docs under data/quality/

GX decides: a comparison row fails when GX lists it as unexpected for "residual is not
null" or "residual is 0". Flagged reports stay in the warehouse; only their status changes.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from gongkai.quality.rules import RULES, Rule
from gongkai.warehouse.schema import DEFAULT_DB, _insert, connect
from gongkai.warehouse.sqlfiles import run_sql, sql_text

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network calls, ever

DEFAULT_DOCS_DIR = Path("data/quality/data_docs")
KEEP_RUNS = 30  # quality_result rows of older runs are pruned; quality_run rows stay
RESULT_COLUMNS = ["report_id", "rule", "item", "expected", "observed", "residual", "severity", "detail"]


@dataclass(slots=True)
class QualityRun:
    run_id: str
    gx_success: bool
    reports: int
    reports_flagged: int
    seconds: float
    data_docs: str | None
    failures: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)  # failing result rows

    def summary(self) -> str:
        return (f"quality run {self.run_id}: {self.reports} reports, {self.reports_flagged} flagged, "
                f"{len(self.failures)} failing comparisons in {self.seconds:.2f} s")


def comparison_frames(con, rules: tuple[Rule, ...] = RULES) -> dict[str, pd.DataFrame]:
    """Each rule's comparison rows as a DataFrame (the residual tables GX validates)."""
    frames = {}
    for rule in rules:
        frame = con.execute(sql_text(rule.sql)).df()
        frame = frame[RESULT_COLUMNS].reset_index(drop=True)
        frame["check_id"] = range(len(frame))
        for column in ("expected", "observed", "residual"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        frames[rule.name] = frame
    return frames


def _gx_context(docs_dir: Path | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        context.add_data_docs_site(site_name="gongkai", site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir.resolve())},
        })
    return context


def run_suites(frames: dict[str, pd.DataFrame], docs_dir: Path | None) -> tuple[bool, dict[str, set[int]]]:
    """Validate every rule's frame with its expectation suite; the check_ids GX found unexpected."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _gx_context(docs_dir)
    source = context.data_sources.add_pandas("gongkai_warehouse")
    definitions = []
    for name in frames:
        asset = source.add_dataframe_asset(name=f"comparisons_{name}")
        batch = asset.add_batch_definition_whole_dataframe(f"{name}_all_reports")
        suite = context.suites.add(gx.ExpectationSuite(name=f"gongkai_{name}"))
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="residual"))
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="residual", min_value=0, max_value=0))
        definitions.append(context.validation_definitions.add(
            gx.ValidationDefinition(name=f"validate_{name}", data=batch, suite=suite)))
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": ["check_id"],
                     "return_unexpected_index_query": False}
    failing: dict[str, set[int]] = {name: set() for name in frames}
    success = True
    actions = [gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")] if docs_dir is not None else []
    # one checkpoint per rule: each needs its own dataframe as the batch parameter
    for name, definition in zip(frames, definitions):
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"gongkai_{name}", validation_definitions=[definition], actions=actions,
            result_format=result_format))
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[name]})
        success &= bool(outcome.success)
        for validation in outcome.run_results.values():
            for expectation in validation.results:
                for index in expectation.result.get("unexpected_index_list") or []:
                    failing[name].add(int(index["check_id"]))
    return success, failing


def validate_warehouse(db_path: str | os.PathLike = DEFAULT_DB, *, docs_dir: str | os.PathLike | None = DEFAULT_DOCS_DIR,
                       keep_runs: int = KEEP_RUNS, rules: tuple[Rule, ...] = RULES) -> QualityRun:
    """Run every rule over the warehouse, store the run and its results, mark report status."""
    import great_expectations as gx

    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    run_id = f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    docs = Path(docs_dir) if docs_dir is not None else None
    con = connect(db_path)
    try:
        frames = comparison_frames(con, rules)
        success, failing = run_suites(frames, docs)
        parts = []
        for name, frame in frames.items():
            part = frame.drop(columns=["check_id"]).copy()
            part["passed"] = ~frame["check_id"].isin(failing[name])
            parts.append(part)
        results = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RESULT_COLUMNS + ["passed"])
        results.insert(0, "run_id", run_id)
        reports = con.execute("select count(*) from dim_report").fetchall()[0][0]
        failures = results[~results["passed"]]
        flagged = failures.loc[failures["severity"] == "error", "report_id"].nunique()
        index = docs / "index.html" if docs is not None and (docs / "index.html").exists() else None
        run_sql(con, "begin transaction")
        try:
            _insert(con, "quality_result", results)
            _insert(con, "quality_run", pd.DataFrame([{
                "run_id": run_id, "started_at": started_at,
                "finished_at": datetime.now(timezone.utc).replace(tzinfo=None),
                "gx_version": gx.__version__, "gx_success": success, "reports": reports,
                "reports_flagged": flagged, "results": len(results),
                "seconds": time.perf_counter() - started, "data_docs": str(index) if index else None,
            }]))
            run_sql(con, sql_text("quality/mark_report_status.sql"), {"run_id": run_id})
            run_sql(con, sql_text("quality/prune_results.sql"), {"keep_runs": keep_runs})
            run_sql(con, "commit")
        except BaseException:
            run_sql(con, "rollback")
            raise
    finally:
        con.close()
    return QualityRun(run_id, success, reports, flagged, time.perf_counter() - started,
                      str(index) if index else None, failures.reset_index(drop=True))
