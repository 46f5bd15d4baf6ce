"""``gongkai crawl --sources FILE [--out DIR]``, also ``python -m gongkai.crawl.cli``.

On a terminal: a live progress line on stderr (pages, documents, skipped, errors) and
warnings; elsewhere (cron, CI, Dagster): INFO log lines and a progress line every 50
events. Always: one line per error and a closing summary.
Exit status: 0 all went well, 1 some URL failed or a portal could not be crawled at all,
2 bad usage or sources file.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the ``crawl`` subcommand."""
    parser.add_argument("--sources", required=True, metavar="FILE", help="YAML file listing the portals (see sources.example.yaml)")
    parser.add_argument("--out", default="data/crawl", metavar="DIR",
                        help="where files/, manifest.jsonl, state.json, documents.json go (default: data/crawl)")
    parser.add_argument("--portal", action="append", metavar="NAME", help="crawl only this portal (repeatable)")
    parser.add_argument("--delay", type=_seconds, default=None, metavar="SECONDS",
                        help="min seconds between two requests to one host, for every host (default: per sources file, 0.5)")
    parser.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS",
                        help="connect/read timeout per request (default: 10)")
    parser.add_argument("--retries", type=int, default=3, metavar="N", help="retries after a 5xx or a timeout (default: 3)")
    parser.add_argument("--backoff", type=_seconds, default=0.5, metavar="SECONDS",
                        help="first retry waits this long, then twice as long each time (default: 0.5)")
    parser.add_argument("--max-bytes", type=_size, default=50 * 2**20, metavar="SIZE",
                        help="largest body accepted, e.g. 50M (default: 50M)")
    parser.add_argument("--concurrency", type=_count, default=None, metavar="N",
                        help="portals crawled at once; each host still gets one request at a time "
                             "(default: the sources file's defaults.concurrency, else 32)")
    parser.add_argument("--deadline", type=_seconds, default=300.0, metavar="SECONDS",
                        help="longest time one response may take in all, headers and body (default: 300)")
    parser.add_argument("--recheck-days", type=_days, default=None, metavar="DAYS",
                        help="re-ask known documents about every DAYS days, 0 = every run (default: per sources file, 7)")
    parser.add_argument("--max-report-links", type=_count, default=None, metavar="N",
                        help="report links taken from one list page (default: per sources file, 1000)")
    parser.add_argument("--max-documents", type=_count, default=None, metavar="N",
                        help="documents fetched per portal per run (default: per sources file, 2000)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request and decision")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors and the summary")


def run(args: argparse.Namespace) -> int:
    from gongkai.crawl import SourcesError, crawl, load_sources

    try:
        portals = load_sources(args.sources)
    except SourcesError as exc:
        print(f"gongkai: {exc}", file=sys.stderr)
        return 2
    if args.portal:
        unknown = sorted(set(args.portal) - {p.name for p in portals})
        if unknown:
            print(f"gongkai: {args.sources}: no portal named {', '.join(map(repr, unknown))}", file=sys.stderr)
            return 2
        portals = type(portals)([p for p in portals if p.name in args.portal], portals.concurrency)
    live = sys.stderr.isatty() and not args.quiet
    printer = _ProgressPrinter(live, quiet=args.quiet)
    handler = _LogHandler(printer)
    handler.setFormatter(logging.Formatter("gongkai crawl: %(levelname)s %(message)s"))
    logger = logging.getLogger("gongkai.crawl")
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.WARNING if live else logging.INFO
    handler.setLevel(level)
    old_level = logger.level
    logger.setLevel(level)
    logger.addHandler(handler)
    try:
        result = crawl(portals, args.out, delay=args.delay, timeout=args.timeout, retries=args.retries,
                       backoff=args.backoff, max_bytes=args.max_bytes, deadline=args.deadline,
                       concurrency=args.concurrency, recheck_days=args.recheck_days,
                       max_report_links=args.max_report_links, max_documents=args.max_documents, progress=printer)
    except KeyboardInterrupt:
        printer.close()
        print("gongkai crawl: interrupted (state and manifest saved)", file=sys.stderr)
        return 130
    except (OSError, RuntimeError) as exc:
        printer.close()
        print(f"gongkai: {args.out}: {exc}", file=sys.stderr)
        return 1
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    printer.close()
    for url, reason in result.errors:
        print(f"gongkai: {url}: {reason}", file=sys.stderr)
    for cut in result.cuts:  # limits are not failures, but say what they left out
        print(f"gongkai crawl: {cut['portal']}: {cut['url']}: {cut['limit']} {cut['value']} reached, "
              f"{cut['cut']} left out (listed in runs.jsonl)", file=sys.stderr)
    print(f"gongkai crawl: {result.summary()} -> {args.out}", file=sys.stderr)
    return 1 if result.errors else 0


class _ProgressPrinter:
    """The progress callback: a line rewritten in place on a terminal, else every 50 events."""

    def __init__(self, live: bool, quiet: bool = False) -> None:
        self.live, self.quiet, self.events, self.open = live, quiet, 0, False
        self.last = None

    def __call__(self, progress) -> None:
        self.events += 1
        self.last = progress
        if self.quiet:
            return
        if self.live:
            sys.stderr.write(f"\r\x1b[Kcrawl {progress.portal}: {progress.line()}")
            sys.stderr.flush()
            self.open = True
        elif self.events % 50 == 0:
            print(f"gongkai crawl: {progress.portal}: {progress.line()}", file=sys.stderr)

    def clear(self) -> None:
        if self.open:
            sys.stderr.write("\r\x1b[K")
            self.open = False

    def close(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            self.open = False


class _LogHandler(logging.StreamHandler):
    """Log lines on stderr that do not tangle with the live progress line."""

    def __init__(self, printer: _ProgressPrinter) -> None:
        super().__init__(sys.stderr)
        self.printer = printer

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        self.printer.clear()
        super().emit(record)


def _number_argument(kind, noun: str, minimum: float):
    """An argparse type: a number of ``kind`` at least ``minimum``, else a one-line usage error."""
    def parse(value: str):
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {noun}: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum:g} or more: {value!r}")
        return number
    return parse


_seconds = _number_argument(float, "number of seconds", 0)
_days = _number_argument(float, "number of days", 0)
_count = _number_argument(int, "whole number", 1)


def _size(value: str) -> int:
    match = _SIZE.match(value)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (try 50M, 200k or a number of bytes)")
    number, unit = float(match.group(1)), (match.group(2) or "")[:1].lower()
    size = int(number * _UNITS[unit])
    if size < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 byte: {value!r}")
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongkai crawl", description="Fetch 政府信息公开工作年度报告 from portals, politely.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
