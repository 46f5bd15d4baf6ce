"""The `gongkai` command line.

    gongkai extract FILE...            one JSON object per report on stdout (JSON Lines)
    gongkai ingest PATH... [--db FILE] extract files/folders and load them into DuckDB
    gongkai validate [--db FILE] [--all]  run the quality suites on what changed (or all), rebuild the dashboard
    gongkai crawl --sources FILE       fetch reports from portals (robots.txt, conditional requests)
    gongkai run                        the whole Dagster asset graph, headless (crawl → dashboard)

Exit status: 0 when every file yielded a report, 1 when any failed, 2 for usage errors.
Failures print one line per file on stderr: "gongkai: FILE: reason".
"""

from __future__ import annotations

import argparse
import json
import sys

from gongkai.readers.base import ExtractionError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with one line
        self.print_usage(sys.stderr)
        print(f"gongkai: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gongkai", description="Extract, load and validate 政府信息公开工作年度报告.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    extract = sub.add_parser("extract", help="print the reports found in files as JSON Lines")
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--provenance", action="store_true",
                         help="add where every value was found (page/table/row/column or line)")
    extract.add_argument("--pretty", action="store_true", help="indent the JSON (not JSON Lines)")
    ingest = sub.add_parser("ingest", help="extract files (or folders) and load them into the DuckDB warehouse")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")
    ingest.add_argument("--workers", type=int, default=None, help="extraction processes (default: all cores)")
    validate = sub.add_parser("validate", help="run the quality suites over the warehouse and rebuild the dashboard")
    validate.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")
    validate.add_argument("--docs", default="data/quality/data_docs", help="where GX Data Docs are built")
    validate.add_argument("--dashboard", default="data/dashboard", help="where the dashboard page is written")
    validate.add_argument("--all", action="store_true", dest="all_reports",
                          help="re-check every report (streamed in chunks), not only those loaded since the last run")
    crawl = sub.add_parser("crawl", help="fetch report pages and attachments from the portals of a sources file")
    _add_crawl_arguments(crawl)
    run = sub.add_parser("run", help="materialize the whole Dagster asset graph headless (the nightly job)")
    run.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")
    run.add_argument("--no-crawl", action="store_true", help="only ingest data/raw (and earlier downloads)")
    return parser


def _add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    from gongkai.crawl.cli import add_arguments

    add_arguments(parser)


def cmd_crawl(args: argparse.Namespace) -> int:
    from gongkai.crawl.cli import run

    return run(args)


def cmd_run(args: argparse.Namespace) -> int:
    import os

    if args.db:
        os.environ["GONGKAI_DB"] = args.db
    from pipelines.resources import paths_from_environment
    from pipelines.run import run_pipeline

    paths = paths_from_environment()
    result = run_pipeline(paths, crawl=not args.no_crawl)
    for event in result.get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        metadata = event.step_materialization_data.materialization.metadata
        shown = {k: v.value for k, v in metadata.items() if k not in ("preview", "failing_by_rule", "evidence")}
        print(f"gongkai run: {key}: {shown}", file=sys.stderr)
    for check in result.get_asset_check_evaluations():
        verdict = "passed" if check.passed else f"FAILED ({check.severity.value})"
        print(f"gongkai run: check {check.check_name}: {verdict}", file=sys.stderr)
    print(f"gongkai run: warehouse {paths.db_path}; dashboard {paths.dashboard_dir}/index.html", file=sys.stderr)
    return 0 if result.success else 1


def cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gongkai.quality.dashboard import build_dashboard
    from gongkai.quality.validate import validate_warehouse
    from gongkai.warehouse.schema import DEFAULT_DB

    from gongkai.warehouse.publish import published_path, publish

    db = args.db or DEFAULT_DB
    run = validate_warehouse(db, docs_dir=args.docs, all_reports=args.all_reports)
    page = Path(args.dashboard) / "index.html"
    if run.reports_checked or not published_path(db).exists() or not page.exists():
        publish(db)  # analysts read the copy; nothing checked, nothing new to publish
        page = build_dashboard(published_path(db), args.dashboard)
    print(f"gongkai validate: {run.summary()}", file=sys.stderr)
    print(f"gongkai validate: dashboard {page}; Data Docs {run.data_docs}", file=sys.stderr)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from gongkai.warehouse.load import ingest
    from gongkai.warehouse.schema import DEFAULT_DB

    progress = _Progress("extracted") if sys.stderr.isatty() else None
    result = ingest(args.paths, args.db or DEFAULT_DB, workers=args.workers, progress=progress)
    if progress:
        progress.done()
    for path, reason in result.quarantined:
        print(f"gongkai: {path}: {reason} (quarantined)", file=sys.stderr)
    print(f"gongkai ingest: {result.summary()} -> {args.db or DEFAULT_DB}", file=sys.stderr)
    _publish_after_ingest(args.db or DEFAULT_DB, result)
    return 1 if result.quarantined else 0


def _publish_after_ingest(db, result) -> None:
    """Replace the analysts' read-only copy when the load changed anything (or none exists)."""
    from gongkai.warehouse.publish import published_path, publish

    changed = result.reports_loaded or result.reports_removed or result.quarantined or result.files_same_content
    if changed or not published_path(db).exists():
        target = publish(db)
        print(f"gongkai ingest: published read-only copy {target}", file=sys.stderr)


class _Progress:
    """A one-line counter on stderr for long runs: files done, failures."""

    def __init__(self, verb: str) -> None:
        self.verb, self.done_count, self.failed = verb, 0, 0

    def __call__(self, outcome) -> None:
        self.done_count += 1
        self.failed += 0 if outcome.ok else 1
        if self.done_count % 10 == 0:
            print(f"\r{self.verb} {self.done_count} files ({self.failed} failed)", end="", file=sys.stderr)

    def done(self) -> None:
        if self.done_count >= 10:
            print(file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    from gongkai.extract import extract_file

    failed = 0
    for path in args.files:
        try:
            reports = extract_file(path, with_provenance=args.provenance)
        except ExtractionError as exc:
            print(f"gongkai: {path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
            print(f"gongkai: {path}: unexpected error ({type(exc).__name__}: {exc})", file=sys.stderr)
            failed += 1
            continue
        for report in reports:
            print(json.dumps(report, ensure_ascii=False, indent=2 if args.pretty else None))
        sys.stdout.flush()
    return 1 if failed else 0


COMMANDS = {"extract": cmd_extract, "ingest": cmd_ingest, "validate": cmd_validate, "run": cmd_run, "crawl": cmd_crawl}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
