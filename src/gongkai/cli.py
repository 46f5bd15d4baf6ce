"""The `gongkai` command line.

    gongkai extract FILE...            one JSON object per report on stdout (JSON Lines)
    gongkai ingest PATH... [--db FILE] extract files/folders and load them into DuckDB

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
    return parser


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
    return 1 if result.quarantined else 0


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


COMMANDS = {"extract": cmd_extract, "ingest": cmd_ingest}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
