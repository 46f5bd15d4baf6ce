"""Validate the warehouse with Great Expectations, incrementally and in chunks.

    scope (reports loaded/removed since the last run + their year-1/year/year+1 neighbours,
           or every report with --all), numbered into chunks
    per chunk: comparisons (sql/checks/*.sql, one frame per rule, scoped to _chunk)
        -> GX 1.x expectation suites on pandas frames (ephemeral context)
        -> quality_verdict (current verdict per report x rule), quality_result (failing
           comparisons only), dim_report.status -- one transaction per chunk
    then: quality_run + quality_run_rule (run summaries), Data Docs under data/quality/

Memory is bounded by the chunk size, not by the warehouse.

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
from gongkai.warehouse.sqlfiles import run_sql, sql_files, sql_text

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network calls, ever

DEFAULT_DOCS_DIR = Path("data/quality/data_docs")
KEEP_RUNS = 30  # kept for callers; quality_result now holds only each report's current failing comparisons
CHUNK_REPORTS = 20_000  # reports per validation chunk: bounds the comparison frames in memory
RESULT_COLUMNS = ["report_id", "rule", "item", "expected", "observed", "residual", "severity", "detail"]


@dataclass(slots=True)
class QualityRun:
    run_id: str
    gx_success: bool
    reports: int
    reports_flagged: int
    seconds: float
    data_docs: str | None
    mode: str = "all"  # incremental | all
    reports_checked: int = 0
    failing_comparisons: int = 0  # of the reports checked (the rows themselves stay in quality_result)
    # rule -> reports failing it among those checked; counts only, so memory does not grow with the run
    reports_failing_by_rule: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"quality run {self.run_id} ({self.mode}): {self.reports_checked} of {self.reports} reports "
                f"checked, {self.reports_flagged} flagged, {self.failing_comparisons} failing comparisons "
                f"in {self.seconds:.2f} s")


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


class Suites:
    """One GX context with an expectation suite, validation definition and checkpoint per
    rule, built once per run and validated chunk by chunk (the dataframe is the batch
    parameter). With ``docs_dir``, the first chunk of each rule is also validated through a
    checkpoint that updates Data Docs (SUMMARY format: counts and a few examples, so the
    pages stay readable at any scale; the run's totals are in quality_run_rule)."""

    def __init__(self, names, docs_dir: Path | None) -> None:
        import great_expectations as gx
        import great_expectations.expectations as gxe

        self.context = _gx_context(docs_dir)
        source = self.context.data_sources.add_pandas("gongkai_warehouse")
        complete = {"result_format": "COMPLETE", "unexpected_index_column_names": ["check_id"],
                    "return_unexpected_index_query": False}
        self.checkpoints, self.docs_checkpoints = {}, {}
        for name in names:
            asset = source.add_dataframe_asset(name=f"comparisons_{name}")
            batch = asset.add_batch_definition_whole_dataframe(f"{name}_chunk")
            suite = self.context.suites.add(gx.ExpectationSuite(name=f"gongkai_{name}"))
            suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="residual"))
            suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="residual", min_value=0, max_value=0))
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=f"validate_{name}", data=batch, suite=suite))
            # one checkpoint per rule: each needs its own dataframe as the batch parameter
            self.checkpoints[name] = self.context.checkpoints.add(gx.Checkpoint(
                name=f"gongkai_{name}", validation_definitions=[definition], actions=[],
                result_format=complete))
            if docs_dir is not None:
                self.docs_checkpoints[name] = self.context.checkpoints.add(gx.Checkpoint(
                    name=f"gongkai_{name}_docs", validation_definitions=[definition],
                    actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
                    result_format={"result_format": "SUMMARY"}))
        self.docs_done: set[str] = set()

    def validate(self, name: str, frame: pd.DataFrame) -> tuple[bool, set[int]]:
        """GX's verdict on one rule's comparison frame: success, and the failing check_ids."""
        outcome = self.checkpoints[name].run(batch_parameters={"dataframe": frame})
        failing: set[int] = set()
        for validation in outcome.run_results.values():
            for expectation in validation.results:
                for index in expectation.result.get("unexpected_index_list") or []:
                    failing.add(int(index["check_id"]))
        if name in self.docs_checkpoints and name not in self.docs_done:
            self.docs_checkpoints[name].run(batch_parameters={"dataframe": frame})
            self.docs_done.add(name)
        return bool(outcome.success), failing


def run_suites(frames: dict[str, pd.DataFrame], docs_dir: Path | None) -> tuple[bool, dict[str, set[int]]]:
    """Validate every rule's frame with its expectation suite; the check_ids GX found unexpected."""
    suites = Suites(list(frames), docs_dir)
    success, failing = True, {}
    for name, frame in frames.items():
        ok, failing[name] = suites.validate(name, frame)
        success &= ok
    return success, failing


def _run_file(con, name: str, params: dict) -> None:
    """Run one .sql file, binding only the parameters it names."""
    text = sql_text(name)
    used = {k: v for k, v in params.items() if f"${k}" in text}
    run_sql(con, text, used or None)


def validate_warehouse(db_path: str | os.PathLike = DEFAULT_DB, *, docs_dir: str | os.PathLike | None = DEFAULT_DOCS_DIR,
                       keep_runs: int = KEEP_RUNS, rules: tuple[Rule, ...] = RULES, all_reports: bool = False,
                       chunk_reports: int = CHUNK_REPORTS) -> QualityRun:
    """Check the reports loaded or removed since the last run (and their cross-year and
    same-year neighbours), or every report with ``all_reports`` (also the first run of a
    warehouse), in chunks of ``chunk_reports`` reports. Each chunk: comparisons (SQL) →
    GX suites → current verdicts, failing comparisons and dim_report.status, committed
    together. Then one run summary (quality_run, quality_run_rule). ``keep_runs`` is kept
    for callers; superseded comparisons are now replaced when their report is re-checked.
    Great Expectations is imported only when there is something to check (its import alone
    takes seconds: a night with nothing new stays fast)."""
    from importlib.metadata import version

    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    run_id = f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    docs = Path(docs_dir) if docs_dir is not None else None
    con = connect(db_path)
    try:
        snapshot = con.execute("select max(marked_at) from quality_pending").fetchall()[0][0]
        if not all_reports and not con.execute("select count(*) from quality_verdict").fetchall()[0][0]:
            all_reports = True  # nothing validated yet: the first run checks everything
        mode = "all" if all_reports else "incremental"
        _run_file(con, f"quality/scope_{mode}.sql", {"chunk_reports": chunk_reports})
        checked, chunks = con.execute("select count(*), coalesce(max(chunk_no) + 1, 0) from _scope").fetchall()[0]
        totals = {r.name: [r.severity, 0, 0, 0, 0] for r in rules}  # reports, failing, comparisons, failing
        success = True
        suites = Suites([r.name for r in rules], docs) if checked else None
        if all_reports:
            for name in ("quality/drop_stale_results.sql", "quality/drop_stale_verdicts.sql"):
                run_sql(con, sql_text(name))
        for chunk_no in range(chunks):
            _run_file(con, "quality/chunk/01_chunk.sql", {"chunk_no": chunk_no})
            frames = comparison_frames(con, rules)
            for name, frame in frames.items():
                ok, failing = suites.validate(name, frame)
                success &= ok
                frame["passed"] = ~frame["check_id"].isin(failing)
                total = totals[name]
                total[1] += frame["report_id"].nunique()
                total[2] += frame.loc[~frame["passed"], "report_id"].nunique()
                total[3] += len(frame)
                total[4] += int((~frame["passed"]).sum())
            params = {"run_id": run_id, "checked_at": datetime.now(timezone.utc).replace(tzinfo=None)}
            # the rules' frames are scanned in place (no concatenated copy): one view over them
            names = [f"_rule_{i}" for i in range(len(frames))]
            for view, frame in zip(names, frames.values()):
                con.register(view, frame)
            columns = ", ".join(RESULT_COLUMNS + ["passed"])
            run_sql(con, "create or replace temp view _chunk_results as "
                    + " union all ".join(f"select {columns} from {view}" for view in names))
            run_sql(con, "begin transaction")
            try:
                for name in sql_files("quality/chunk")[1:]:
                    _run_file(con, name, params)
                run_sql(con, "commit")
            except BaseException:
                run_sql(con, "rollback")
                raise
            finally:
                run_sql(con, "drop view if exists _chunk_results")
                for view in names:
                    con.unregister(view)
            del frames
        failing_comparisons = sum(t[4] for t in totals.values())
        reports, flagged = con.execute(
            "select count(*), count(*) filter (where status = 'flagged') from dim_report").fetchall()[0]
        index = docs / "index.html" if docs is not None and (docs / "index.html").exists() else None
        run_sql(con, "begin transaction")
        try:
            _insert(con, "quality_run", pd.DataFrame([{
                "run_id": run_id, "started_at": started_at,
                "finished_at": datetime.now(timezone.utc).replace(tzinfo=None),
                "gx_version": version("great_expectations"), "gx_success": success, "reports": reports,
                "reports_flagged": flagged, "results": failing_comparisons,
                "seconds": time.perf_counter() - started, "data_docs": str(index) if index else None,
                "mode": mode, "reports_checked": checked,
            }]))
            _insert(con, "quality_run_rule", pd.DataFrame(
                [{"run_id": run_id, "rule": name, "severity": t[0], "reports_checked": t[1],
                  "reports_failing": t[2], "comparisons": t[3], "comparisons_failing": t[4]}
                 for name, t in totals.items()]))
            if snapshot is not None:
                run_sql(con, sql_text("quality/clear_pending.sql"), {"snapshot": snapshot})
            run_sql(con, "commit")
        except BaseException:
            run_sql(con, "rollback")
            raise
    finally:
        con.close()
    return QualityRun(run_id, success, reports, flagged, time.perf_counter() - started,
                      str(index) if index else None, mode, checked, failing_comparisons,
                      {name: t[2] for name, t in totals.items() if t[2]})
