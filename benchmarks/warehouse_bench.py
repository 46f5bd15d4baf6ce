"""Warehouse figures on synthetic reports (gongkai.synth), printed, not asserted.

    .venv/bin/python benchmarks/warehouse_bench.py [--load 10000] [--query 100000] [--quality]

1. load time: N synthetic reports loaded by the real loader (contract dicts → frames →
   one bulk transaction), reported as reports/s and facts/s;
2. query latency: every example query in sql/queries/ (and the analyst views' roll-ups)
   on a warehouse of M synthetic reports (about 175 request facts each), median of 5;
3. with --quality: the run time of the quality suites (GX) on that warehouse.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from gongkai import PARSER_VERSION  # noqa: E402
from gongkai.batch import FileOutcome  # noqa: E402
from gongkai.synth.generate import generate_reports  # noqa: E402
from gongkai.warehouse.load import IngestResult, load_outcomes  # noqa: E402
from gongkai.warehouse.schema import connect  # noqa: E402
from query_examples import query_params  # noqa: E402  (the defaults each query documents)

BATCH = 10_000


def synthetic_outcomes(count: int, seed: int, offset: int = 0) -> list[FileOutcome]:
    """Synthetic reports as if extracted from one file each."""
    outcomes = []
    for i, report in enumerate(generate_reports(count, seed=seed)):
        sha = hashlib.sha256(f"{seed}-{offset + i}-{report['id']}".encode()).hexdigest()
        report = dict(report)
        report["id"] = sha[:16]
        report["source"] = {"ref": f"synthetic/{sha[:16]}.txt", "format": "txt", "sha256": sha,
                            "file_name": f"{sha[:16]}.txt", "parser_version": PARSER_VERSION}
        outcomes.append(FileOutcome(f"synthetic/{sha[:16]}.txt", sha, 0, reports=[report]))
    return outcomes


def load(db: Path, count: int, seed: int) -> tuple[float, int]:
    """Load ``count`` reports in batches of 10,000; seconds spent in the loader, facts written."""
    con = connect(db)
    spent = 0.0
    try:
        for start in range(0, count, BATCH):
            outcomes = synthetic_outcomes(min(BATCH, count - start), seed + start, start)
            began = time.perf_counter()
            load_outcomes(con, outcomes, IngestResult())
            spent += time.perf_counter() - began
        facts = con.execute("select count(*) from fct_requests").fetchall()[0][0]
    finally:
        con.close()
    return spent, facts


def query_latencies(db: Path) -> list[tuple[str, float, int]]:
    queries = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "sql" / "queries").glob("*.sql"))}
    queries["v_requests_by_province (all)"] = "select * from v_requests_by_province"
    queries["v_disclosure_rate (all)"] = "select * from v_disclosure_rate"
    queries["v_requests one county-year"] = ("select * from v_requests where county_code = "
                                             "(select min(g.county_code) from dim_report r join dim_region g using (adcode)) "
                                             "and year = 2021")
    results = []
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name, sql in queries.items():
            params = query_params(sql) or None
            samples, rows = [], 0
            for _ in range(5):
                began = time.perf_counter()
                rows = len(con.execute(sql, params).fetchall())
                samples.append(time.perf_counter() - began)
            results.append((name, statistics.median(samples), rows))
    finally:
        con.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=10_000, help="reports for the load benchmark")
    parser.add_argument("--query", type=int, default=100_000, help="reports in the query warehouse")
    parser.add_argument("--quality", action="store_true", help="also time the quality suites")
    parser.add_argument("--keep", type=Path, default=None, help="keep the query warehouse at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.duckdb"
        seconds, facts = load(db, args.load, seed=1)
        print(f"load: {args.load} reports, {facts} request facts in {seconds:.2f} s "
              f"({args.load / seconds:.0f} reports/s, {facts / seconds:,.0f} request facts/s)")
        big = args.keep or Path(tmp) / "query.duckdb"
        seconds, facts = load(big, args.query, seed=2)
        size_mb = big.stat().st_size / 2**20
        print(f"query warehouse: {args.query} reports, {facts:,} request facts, built in {seconds:.1f} s, "
              f"{size_mb:.0f} MB")
        for name, latency, rows in query_latencies(big):
            print(f"  {name:45s} {latency * 1000:8.1f} ms  ({rows} rows)")
        if args.quality:
            from gongkai.quality.validate import validate_warehouse

            run = validate_warehouse(big, docs_dir=Path(tmp) / "docs")
            print(f"quality suites on {run.reports} reports: {run.seconds:.1f} s "
                  f"({run.reports_flagged} flagged, {run.failing_comparisons} failing comparisons)")


if __name__ == "__main__":
    main()
