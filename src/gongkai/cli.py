"""The `gongkai` command line.

    gongkai extract FILE...            one JSON object per report on stdout (JSON Lines)
    gongkai ingest PATH... [--db FILE] extract files/folders and load them into DuckDB
    gongkai validate [--db FILE] [--all]  run the quality suites on what changed (or all), rebuild the dashboard
    gongkai crawl --sources FILE       fetch reports from portals (robots.txt, conditional requests)
    gongkai run                        the whole Dagster asset graph, headless (crawl → dashboard)
    gongkai query NAME [--param k=v]   run a documented query of sql/queries/ (defaults from its header)
    gongkai export NAME --out FILE     write a view, table or query to CSV (UTF-8 BOM), Parquet or XLSX

Exit status: 0 when every file yielded a report, 1 when any failed, 2 for usage errors,
3 for operational faults (warehouse held, read-only, disk full, another run; docs/reliability.md).
Failures print one line per file on stderr: "gongkai: FILE: reason".
"""

from __future__ import annotations

import argparse
import json
import sys



class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized as ``shutil.get_terminal_size`` would, without importing
    shutil (~3 ms of start-up with its bz2/lzma imports: argparse makes a formatter for
    every argument added, so every command paid it, not only --help)."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    import os

    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # usage errors exit 2 with one line
        self.print_usage(sys.stderr)
        print(f"gongkai: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the command about to run, the crawl options (and their imports) are
    added only when that command is crawl (or unknown), and for extract only its own parser
    is built, to keep `gongkai extract` quick to start."""
    parser = _Parser(prog="gongkai", description="Extract, load and validate 政府信息公开工作年度报告.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    extract = sub.add_parser("extract", help="print the reports found in files as JSON Lines")
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--provenance", action="store_true",
                         help="add where every value was found (page/table/row/column or line)")
    extract.add_argument("--pretty", action="store_true", help="indent the JSON (not JSON Lines)")
    _add_pdf_engine_argument(extract)
    _add_limit_arguments(extract)
    if command == "extract":  # the other commands' parsers (~3.5 ms of argparse) are not needed
        return parser
    ingest = sub.add_parser("ingest", help="extract files (or folders) and load them into the DuckDB warehouse")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")
    ingest.add_argument("--workers", type=int, default=None, help="extraction processes (default: all cores)")
    ingest.add_argument("--cluster", default=None, metavar="tcp://HOST:PORT",
                        help="extract on this dask.distributed scheduler's workers (default: local processes; "
                             "or $GONGKAI_DASK_SCHEDULER); see docs/scale.md")
    _add_pdf_engine_argument(ingest)
    ingest.add_argument("--retry-quarantined", action="store_true",
                        help="extract quarantined files again even if unchanged")
    _add_limit_arguments(ingest)
    validate = sub.add_parser("validate", help="run the quality suites over the warehouse and rebuild the dashboard")
    validate.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")
    validate.add_argument("--docs", default=None,
                          help="where GX Data Docs are built (default: quality/data_docs beside the database)")
    validate.add_argument("--dashboard", default=None,
                          help="where the dashboard page is written (default: dashboard/ beside the database)")
    validate.add_argument("--all", action="store_true", dest="all_reports",
                          help="re-check every report (streamed in chunks), not only those loaded since the last run")
    crawl = sub.add_parser("crawl", help="fetch report pages and attachments from the portals of a sources file")
    if command in (None, "crawl") or command not in COMMANDS:
        _add_crawl_arguments(crawl)
    run = sub.add_parser("run", help="materialize the whole Dagster asset graph headless (the nightly job)")
    run.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")
    run.add_argument("--no-crawl", action="store_true", help="only ingest data/raw (and earlier downloads)")
    _add_analyst_commands(sub)
    return parser


def _add_pdf_engine_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf-engine", choices=("pdfium", "pdfplumber"), default=None,
                        help="force the PDF engine (default: PDFium, pdfplumber where PDFium declines; "
                             "or $GONGKAI_PDF_ENGINE)")


def _apply_pdf_engine(args: argparse.Namespace) -> None:
    """--pdf-engine goes into the environment, so pool workers read PDFs the same way."""
    if getattr(args, "pdf_engine", None):
        import os

        os.environ["GONGKAI_PDF_ENGINE"] = args.pdf_engine


def _add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """--max-* per-file limits (docs/reliability.md); defaults from GONGKAI_MAX_* or limits.py."""
    from gongkai.limits import MB, limits_from_environment

    base = limits_from_environment()
    group = parser.add_argument_group("per-file limits (a file over one is quarantined with its reason)")
    group.add_argument("--max-input-mb", type=float, default=base.max_input_bytes / MB, metavar="MB")
    group.add_argument("--max-expanded-mb", type=float, default=base.max_expanded_bytes / MB, metavar="MB",
                       help="one DOCX part or PDF stream decompressed, and all together")
    group.add_argument("--max-pages", type=int, default=base.max_pages, metavar="N")
    group.add_argument("--max-seconds", type=float, default=base.max_seconds, metavar="S",
                       help="wall and CPU time per file")
    group.add_argument("--max-memory-mb", type=int, default=base.max_memory_mb, metavar="MB",
                       help="address space a worker may add for one file (RLIMIT_AS)")


def _limits(args: argparse.Namespace):
    from gongkai.limits import MB, Limits

    return Limits(max_input_bytes=int(args.max_input_mb * MB), max_expanded_bytes=int(args.max_expanded_mb * MB),
                  max_pages=args.max_pages, max_seconds=args.max_seconds, max_memory_mb=args.max_memory_mb)


def _version() -> str:
    from gongkai import PARSER_VERSION, __version__

    return f"gongkai {__version__} (parser {PARSER_VERSION})"


def _add_analyst_commands(sub) -> None:
    """`gongkai query` and `gongkai export` (issue 13)."""
    query = sub.add_parser("query", help="run a documented query from sql/queries/ with its default parameters")
    query.add_argument("name", metavar="NAME", help="query file name (with or without its number and .sql)")
    query.add_argument("--param", action="append", metavar="KEY=VALUE", help="override a parameter (repeatable)")
    query.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")
    query.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
    export = sub.add_parser("export", help="write a view, table or query to CSV (UTF-8 with BOM), Parquet or XLSX")
    export.add_argument("name", metavar="NAME", help="a view or table (v_requests …) or a query of sql/queries/")
    export.add_argument("--out", required=True, metavar="FILE", help="output file; its extension picks the format")
    export.add_argument("--format", choices=("csv", "parquet", "xlsx"), default=None)
    export.add_argument("--param", action="append", metavar="KEY=VALUE", help="query parameter (repeatable)")
    export.add_argument("--db", default=None, help="DuckDB file (default: data/warehouse.duckdb or $GONGKAI_DB)")


def existing_db(args: argparse.Namespace, *, prefer_published: bool = False):
    """The warehouse a read command works on; a file that does not exist is an error (only
    ingest and run create one), so a mistyped --db never yields an empty warehouse. Analyst
    commands (query, export) read the published read-only copy when it exists, so they never
    wait for (or block) a nightly run."""
    from pathlib import Path

    from gongkai.warehouse.schema import DEFAULT_DB

    db = Path(args.db) if args.db else Path(DEFAULT_DB)
    if prefer_published:
        from gongkai.warehouse.publish import published_path

        copy = published_path(db)
        if copy.is_file():
            return copy
    if not db.is_file():
        print(f"gongkai: {db}: no such warehouse (create it with gongkai ingest)", file=sys.stderr)
        raise SystemExit(2)
    return db


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from gongkai.analyst import AnalystError, parse_params, run_query

    db = existing_db(args, prefer_published=True)
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            frame = run_query(con, args.name, parse_params(args.param))
    except (AnalystError, duckdb.Error) as exc:
        print(f"gongkai: {exc}".splitlines()[0], file=sys.stderr)
        return 2 if isinstance(exc, AnalystError) else 1
    if args.csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            print(frame.to_string(index=False) if not frame.empty else "(no rows)")
    print(f"gongkai query: {len(frame)} rows", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import duckdb

    from gongkai.analyst import AnalystError, export, parse_params

    db = existing_db(args, prefer_published=True)
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            rows = export(con, args.name, args.out, args.format, parse_params(args.param))
    except (AnalystError, duckdb.Error, OSError) as exc:
        print(f"gongkai: {exc}".splitlines()[0], file=sys.stderr)
        return 2 if isinstance(exc, AnalystError) else 1
    print(f"gongkai export: {rows} rows -> {args.out}", file=sys.stderr)
    return 0


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

    from gongkai.operational import run_lock

    paths = paths_from_environment()
    with run_lock(os.path.join(os.path.dirname(os.path.abspath(paths.db_path)), ".gongkai-run.lock")):
        result = run_pipeline(paths, crawl=not args.no_crawl)
    flagged_line = None
    for event in result.get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        metadata = event.step_materialization_data.materialization.metadata
        shown = {k: v.value for k, v in metadata.items()
                 if k not in ("preview", "failing_by_rule", "evidence", "dagster/column_schema")}
        print(f"gongkai run: {key}: {shown}", file=sys.stderr)
        if key == "quality_results" and "reports_flagged" in metadata:
            flagged_line = f"gongkai run: {metadata['reports_flagged'].value} reports flagged (data findings, not failures)"
    errors = 0
    for check in result.get_asset_check_evaluations():
        errors += not check.passed and check.severity.value == "ERROR"
        print(f"gongkai run: check {check.check_name}: {_check_verdict(check)}", file=sys.stderr)
    if flagged_line:
        print(flagged_line, file=sys.stderr)
    print(f"gongkai run: warehouse {paths.db_path}; dashboard {paths.dashboard_dir}/index.html", file=sys.stderr)
    return 0 if result.success and not errors else 1


def _check_verdict(check) -> str:
    """Flags are data: a warning check names what it found; only an error check FAILED."""
    if check.passed:
        return "passed"
    metadata = check.metadata or {}
    flagged = metadata.get("reports_flagged")
    if check.severity.value == "WARN" and flagged is not None:
        return f"{flagged.value} reports flagged (warning)"
    return f"FAILED ({check.severity.value})"


def cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gongkai.quality.dashboard import build_dashboard
    from gongkai.quality.validate import validate_warehouse
    from gongkai.warehouse.publish import published_path, publish

    db = existing_db(args)
    run = validate_warehouse(db, docs_dir=args.docs or db.parent / "quality" / "data_docs",
                             all_reports=args.all_reports)
    dashboard_dir = args.dashboard or db.parent / "dashboard"
    page = Path(dashboard_dir) / "index.html"
    if run.reports_checked or not published_path(db).exists() or not page.exists():
        publish(db)  # analysts read the copy; nothing checked, nothing new to publish
        page = build_dashboard(published_path(db), dashboard_dir)
    print(f"gongkai validate: {run.summary()}", file=sys.stderr)
    print(f"gongkai validate: dashboard {page}; Data Docs {run.data_docs}", file=sys.stderr)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from gongkai.batch import display_path
    from gongkai.limits import set_active
    from gongkai.warehouse.load import ingest
    from gongkai.warehouse.schema import DEFAULT_DB

    set_active(_limits(args))
    from gongkai.progress import Progress

    progress = Progress("extracted")
    import os

    if args.cluster:  # read by gongkai.batch.extract_many
        os.environ["GONGKAI_DASK_SCHEDULER"] = args.cluster
    cluster_errors: tuple = ()
    if os.environ.get("GONGKAI_DASK_SCHEDULER"):
        from gongkai.distributed import ClusterError

        cluster_errors = (ClusterError,)
    try:
        result = ingest(args.paths, args.db or DEFAULT_DB, workers=args.workers, progress=progress,
                        retry_quarantined=args.retry_quarantined)
    except cluster_errors as exc:
        print(f"gongkai: {exc}", file=sys.stderr)
        return 2
    if progress:
        progress.done()
    for path, reason in result.quarantined:
        print(f"gongkai: {display_path(path)}: {reason} (quarantined)", file=sys.stderr)
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


def cmd_extract(args: argparse.Namespace) -> int:
    from gongkai.batch import discover, display_path, extract_many

    failed = 0
    # every file is read in a worker process under the per-file limits; output keeps argument order
    for outcome in extract_many(discover(args.files), workers=1, limits=_limits(args), with_provenance=args.provenance):
        if not outcome.ok:
            print(f"gongkai: {display_path(outcome.path)}: {outcome.error}", file=sys.stderr)
            failed += 1
            continue
        for report in outcome.reports:
            if not args.provenance:
                report.pop("provenance", None)
            print(json.dumps(report, ensure_ascii=False, indent=2 if args.pretty else None))
        sys.stdout.flush()
    return 1 if failed else 0


COMMANDS = {"extract": cmd_extract, "ingest": cmd_ingest, "validate": cmd_validate, "run": cmd_run, "crawl": cmd_crawl,
            "query": cmd_query, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    import os

    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(next((a for a in given if not a.startswith("-")), None))
    args = parser.parse_args(argv)
    if args.command != "extract" or "logging" in sys.modules:  # extract logs nothing: no ~5 ms logging import
        import logging

        logging.getLogger("gongkai").addHandler(logging.NullHandler())  # one stderr line per file, printed here
    _apply_pdf_engine(args)
    if argv is None and args.command == "extract":
        _freeze_startup_heap()
    missing = [p for p in getattr(args, "files", None) or getattr(args, "paths", None) or [] if not os.path.lexists(p)]
    if missing and args.command in ("extract", "ingest"):
        parser.error(f"no such file or folder: {', '.join(missing)}")
    return _operational_guard(COMMANDS[args.command], args)


def _freeze_startup_heap() -> None:
    """`gongkai extract` as a program (``main()`` without argv; not a caller's ``main([...])``):
    its start-up objects live until the process exits, so they are frozen (``gc.freeze``).
    The interpreter's last collection then skips them (~3 ms), and, as the gc docs advise for
    fork without exec, neither a one-file extract's forked child nor the parent's exit walks
    them after the fork, which would copy or fault in every page they sit on (~3 ms more)."""
    from gongkai.batch import freeze_heap

    freeze_heap()


def _operational_guard(command, args: argparse.Namespace) -> int:
    """Operational faults end in one line and exit 3; a closed stdout (`| head`) ends quietly."""
    try:
        return command(args)
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except Exception as exc:
        # imported only on failure: gongkai.operational (with fcntl) is ~1 ms of every start-up
        from gongkai.operational import EXIT_OPERATIONAL, OperationalError, describe

        if isinstance(exc, OperationalError):
            print(f"gongkai: {exc}", file=sys.stderr)
            return EXIT_OPERATIONAL
        line = describe(exc)
        if line is None:
            raise
        print(f"gongkai: {line}", file=sys.stderr)
        return EXIT_OPERATIONAL


if __name__ == "__main__":
    sys.exit(main())
