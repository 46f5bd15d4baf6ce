"""National scale: N synthetic reports through the real loader, incremental validator and publisher.

    .venv/bin/python benchmarks/national_scale.py --reports 1200000 [--db FILE] [--night 150000]
    .venv/bin/python benchmarks/national_scale.py --queries-only --db FILE   # re-time the queries
    .venv/bin/python benchmarks/national_scale.py --one-more-night --db FILE # + one night, current code

Generates N synthetic reports with `gongkai.synth` (both national formats, years 2019-2026,
about 10% with one inconsistent printed cell, the synthetic mix of government levels and
departments, agencies reporting in runs of consecutive years so I5 pairs exist). They are
fed night by night (``--night`` reports each, default 150,000: about one year of national
coverage) straight into the loader's batch function (`load_batches`: frames, one transaction
per batch, quality to-do list) -- rendering and extraction are skipped, everything after
extraction is the real code. After each night: the incremental validate (GX suites per
chunk), then the atomic publish of the read-only copy. At the end: every example query of
sql/queries/ and the analyst views on the published copy (median of 5), and a no-change night
(plan, empty load, incremental validate with nothing to check; the dashboard is timed apart).

Per stage it prints wall seconds, CPU seconds, reports/s, peak RSS of this process so far,
the warehouse file size and the quality rows stored. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from gongkai import PARSER_VERSION  # noqa: E402
from gongkai.batch import FileOutcome  # noqa: E402
from gongkai.synth.generate import generate_reports  # noqa: E402
from gongkai.warehouse.load import BATCH_REPORTS, IngestResult, load_batches, plan_files  # noqa: E402
from gongkai.warehouse.publish import publish, published_path  # noqa: E402
from gongkai.warehouse.schema import MEMORY_LIMIT, connect  # noqa: E402
from query_examples import query_params  # noqa: E402

YEARS = range(2019, 2027)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_outcomes(count: int, seed: int) -> Iterator[FileOutcome]:
    """``count`` synthetic reports, each as if extracted from its own file, as a stream."""
    for i, report in enumerate(generate_reports(count, seed=seed, years=YEARS)):
        sha = hashlib.sha256(f"{seed}-{i}".encode()).hexdigest()
        report["id"] = sha[:16]
        report["source"] = {"ref": f"synthetic/{sha[:16]}.txt", "format": "txt", "sha256": sha,
                            "file_name": f"{sha[:16]}.txt", "parser_version": PARSER_VERSION}
        yield FileOutcome(f"/synthetic/{sha[:16]}.txt", sha, 4096, reports=[report])


class Stages:
    """Prints one line per stage with the figures the issue asks for."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def quality_rows(self, con=None) -> str:
        own = con is None
        con = con or duckdb.connect(str(self.db), read_only=True)
        try:
            verdicts, results, runs = con.execute(
                "select (select count(*) from quality_verdict), (select count(*) from quality_result), "
                "(select count(*) from quality_run)").fetchall()[0]
        finally:
            if own:
                con.close()
        return f"verdicts={verdicts:,} failing_results={results:,} runs={runs}"

    def report(self, stage: str, wall: float, cpu: float, reports: int | None, extra: str = "") -> None:
        size = self.db.stat().st_size / 2**20 if self.db.exists() else 0.0
        rate = f"{reports / wall:,.0f} reports/s" if reports and wall > 0 else "-"
        print(f"{stage:34s} {wall:9.1f} s wall {cpu:9.1f} s cpu  {rate:>18s}  peak RSS {peak_rss_mb():7.0f} MB  "
              f"db {size:8.0f} MB  {extra}", flush=True)


def timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def night_load(db: Path, outcomes) -> IngestResult:
    result = IngestResult()
    con = connect(db)
    try:
        load_batches(con, outcomes, result, batch_reports=BATCH_REPORTS)
    finally:
        con.close()
    return result


def query_latencies(path: Path, repeats: int = 5, only: list[str] | None = None) -> list[tuple[str, float, int]]:
    queries = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "sql" / "queries").glob("*.sql"))}
    # aggregate views: every row; row-level views (one row per fact, verdict or report x
    # category: 200 million, 15 million, 11 million rows at national size): an analyst's
    # filtered question, fetched whole
    for view in ["v_requests_by_province", "v_requests_by_prefecture", "v_requests_by_county", "v_disclosure_rate"]:
        queries[f"{view} (all rows)"] = f"select * from {view}"
    # (the synthetic corpus has 38 counties, so one county holds ~30,000 of 1.2 million
    # reports where a real one holds ~400: one agency is the realistic row-level question)
    # the agency is given by name, as an analyst types it ($agency: bound below)
    queries["v_request_categories one agency"] = "select * from v_request_categories where agency = $agency"
    queries["v_requests one agency"] = "select * from v_requests where agency = $agency"
    queries["v_fees one agency"] = "select * from v_fees where agency = $agency"
    queries["v_review_outcomes one agency"] = "select * from v_review_outcomes where agency = $agency"
    queries["v_quality failing, one agency"] = "select * from v_quality where not passed and agency = $agency"
    queries["v_quality failing reports per rule (all)"] = (
        "select rule, count(*) from v_quality where not passed group by rule")
    queries["v_agency_yoy one agency"] = "select * from v_agency_yoy where agency_key = $agency_key"
    queries["v_coverage one year (all places)"] = "select * from v_coverage where year = 2021"
    if only:
        queries = {name: sql for name, sql in queries.items() if any(o in name for o in only)}
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set memory_limit = $limit", {"limit": MEMORY_LIMIT}).fetchall()
    out = []
    try:
        # the agency the view questions ask about: the first by name
        agency, agency_key = con.execute(
            "select r.agency, g.agency_key from dim_report as r join report_region as g using (report_id) "
            "where r.agency = (select min(agency) from dim_report) limit 1").fetchall()[0]
        for name, sql in queries.items():
            params = query_params(sql) or None
            if params is None and "$agency" in sql:  # the view questions above (queries bind their defaults)
                params = {"agency_key": agency_key} if "$agency_key" in sql else {"agency": agency}
            samples, rows = [], 0
            for _ in range(repeats):
                began = time.perf_counter()
                rows = len(con.execute(sql, params).fetchall())
                samples.append(time.perf_counter() - began)
            out.append((name, statistics.median(samples), rows))
    finally:
        con.close()
    return out


def print_latencies(path: Path) -> None:
    """Every example query and analyst view on the published copy ``path``: median of 5."""
    for name, latency, rows in query_latencies(path):
        print(f"    {name:48s} {latency * 1000:9.1f} ms median of 5  ({rows} rows)", flush=True)


def no_change_night(db: Path, docs: Path | None) -> None:
    """A night with nothing new: plan (every known file's hash is read), an empty load, an
    incremental validate with nothing to check. As `gongkai validate`: nothing checked, so
    neither the published copy nor the dashboard is rebuilt."""
    from gongkai.quality.validate import validate_warehouse

    result = IngestResult()
    con = connect(db)
    try:
        plan_files(con, [], result)
        load_batches(con, iter(()), result)
    finally:
        con.close()
    run = validate_warehouse(db, docs_dir=docs)
    assert run.reports_checked == 0, run.summary()


def one_more_night(db: Path, count: int, seed: int) -> None:
    """The current code on a warehouse an earlier run built: schema upgrade (roll-ups a newer
    version adds are built from the facts on connect), one more night, the queries."""
    from gongkai.quality.validate import validate_warehouse

    stages = Stages(db)
    print(f"national_scale --one-more-night: {count:,} reports into {db}", flush=True)
    _, wall, cpu = timed(lambda: connect(db).close())
    stages.report("connect (schema upgrade)", wall, cpu, None)
    result, wall, cpu = timed(night_load, db, synthetic_outcomes(count, seed))
    stages.report(f"one more night: load {count:,}", wall, cpu, result.reports_loaded, "(generation included)")
    run, wall, cpu = timed(validate_warehouse, db, docs_dir=None)
    stages.report(f"one more night: validate ({run.mode})", wall, cpu, run.reports_checked,
                  f"checked {run.reports_checked:,}, flagged {run.reports_flagged:,}; {stages.quality_rows()}")
    _, wall, cpu = timed(publish, db)
    stages.report("one more night: publish", wall, cpu, None, str(published_path(db)))
    print_latencies(published_path(db))
    print(f"peak RSS of the whole run: {peak_rss_mb():.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300_000, help="synthetic reports in all")
    parser.add_argument("--night", type=int, default=150_000, help="reports loaded per night")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: a temporary file)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--no-docs", action="store_true", help="skip GX Data Docs")
    parser.add_argument("--queries-only", action="store_true",
                        help="only time the example queries and views on the published copy of an existing --db")
    parser.add_argument("--no-change-night", action="store_true",
                        help="on an existing --db: time a night with nothing new, then a dashboard build")
    parser.add_argument("--one-more-night", action="store_true",
                        help="on an existing --db: upgrade its schema on connect, load and validate one more night "
                             "of --night new reports (seed + 1000), publish, then time the queries")
    args = parser.parse_args()
    if args.no_change_night:
        if args.db is None or not args.db.exists():
            sys.exit("--no-change-night needs an existing --db FILE")
        from gongkai.quality.dashboard import build_dashboard

        stages = Stages(args.db)
        _, wall, cpu = timed(no_change_night, args.db, None)
        stages.report("no-change night (plan, load, validate)", wall, cpu, None, stages.quality_rows())
        with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks") as tmp:
            _, wall, cpu = timed(build_dashboard, published_path(args.db), Path(tmp) / "dashboard")
        stages.report("dashboard (after a night that changed something)", wall, cpu, None)
        return
    if args.one_more_night:
        if args.db is None or not args.db.exists():
            sys.exit("--one-more-night needs an existing --db FILE")
        one_more_night(args.db, args.night, args.seed + 1000)
        return
    if args.queries_only:
        if args.db is None or not published_path(args.db).exists():
            sys.exit("--queries-only needs --db FILE whose published copy exists")
        print_latencies(published_path(args.db))
        return
    with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks") as tmp:
        tmp = Path(tmp)
        db = args.db or tmp / "warehouse.duckdb"
        if db.exists():
            sys.exit(f"{db} exists: give a new file")
        docs = None if args.no_docs else tmp / "data_docs"
        stages = Stages(db)
        print(f"national_scale: {args.reports:,} reports, {args.night:,} per night, db {db}, loader batch "
              f"{BATCH_REPORTS}, DuckDB memory_limit {MEMORY_LIMIT}, {os.cpu_count()} cores (shared machine)",
              flush=True)
        from gongkai.quality.validate import validate_warehouse

        stream = synthetic_outcomes(args.reports, args.seed)
        loaded = 0
        night = 0
        while loaded < args.reports:
            night += 1
            count = min(args.night, args.reports - loaded)
            tonight = (next(stream) for _ in range(count))
            result, wall, cpu = timed(night_load, db, tonight)
            loaded += count
            stages.report(f"night {night}: load {count:,}", wall, cpu, result.reports_loaded,
                          f"(generation included) total {loaded:,}")
            run, wall, cpu = timed(validate_warehouse, db, docs_dir=docs)
            stages.report(f"night {night}: validate ({run.mode})", wall, cpu, run.reports_checked,
                          f"checked {run.reports_checked:,}, flagged {run.reports_flagged:,}; "
                          f"{stages.quality_rows()}")
            _, wall, cpu = timed(publish, db)
            stages.report(f"night {night}: publish", wall, cpu, None, str(published_path(db)))
        con = duckdb.connect(str(published_path(db)), read_only=True)
        facts = con.execute("select count(*) from fct_requests").fetchall()[0][0]
        statuses = dict(con.execute("select status, count(*) from dim_report group by all").fetchall())
        con.close()
        print(f"warehouse: {loaded:,} reports, {facts:,} request facts, status {statuses}", flush=True)

        wall, cpu = time.perf_counter(), time.process_time()
        print_latencies(published_path(db))
        stages.report("example queries and views", time.perf_counter() - wall, time.process_time() - cpu, None)

        _, wall, cpu = timed(no_change_night, db, docs)
        stages.report("no-change night (plan, load, validate)", wall, cpu, None, stages.quality_rows())
        from gongkai.quality.dashboard import build_dashboard

        _, wall, cpu = timed(build_dashboard, published_path(db), tmp / "dashboard")
        stages.report("dashboard (after a night that changed something)", wall, cpu, None)
        print(f"peak RSS of the whole run: {peak_rss_mb():.0f} MB", flush=True)


if __name__ == "__main__":
    main()
