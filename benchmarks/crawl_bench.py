"""Crawl figures: N local portals (127.0.0.1, one port each), crawled concurrently and one
after another, with the real delay; printed.

    .venv/bin/python benchmarks/crawl_bench.py [--portals 200] [--lists 3] [--reports 10]
        [--delay 0.5] [--concurrency 32 200] [--sequential 10] [--sequential-all]

A child process (this script with ``--serve``) starts the portals, so the servers do not
share the crawler's interpreter: each is its own ThreadingHTTPServer on 127.0.0.1 with an
empty robots.txt, a report column of ``--lists`` list pages (``index.html`` →
``index_1.html`` → ...) and ``--reports`` report pages spread over them, every page with an
ETag (304 to a matching ``If-None-Match``). The server process also watches politeness:
for each port, the most requests ever in flight at once and the shortest pause between
the end of one answer and the start of the next.

Runs, each into a fresh out dir unless said otherwise:
1. ``--concurrency`` C (each value given): all portals, ``delay``, first crawl.
2. one after another (``concurrency=1``, today's design before this change): the first
   ``--sequential`` portals, extrapolated linearly to all of them (``--sequential-all``:
   all portals, measured).
3. re-check night, into run 1's out dir with ``recheck_days 0``: every known report is
   re-asked (conditional, 304).
4. scheduled night, same out dir, ``recheck_days 7``, the clock one day later: list pages
   plus the reports due that night.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


# -- the portals (child process) ------------------------------------------------------------------
def _list_page(index: int, lists: int, reports: int) -> bytes:
    mine = [r for r in range(reports) if r % lists == index]
    items = "".join(f'<li><a href="/art/r{r}.html">某某县{2016 + r % 8}年政府信息公开工作年度报告（{r}）</a>'
                    f"<span>2024-01-15</span></li>" for r in mine)
    nxt = f'<a href="index_{index + 1}.html">下一页</a>' if index + 1 < lists else ""
    return (f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<a href="/">首页</a><ul class="list">{items}</ul>{nxt}</body></html>').encode("utf-8")


def _report_page(r: int, portal: int) -> bytes:
    rows = "".join(f"<tr><td>第{i}行</td><td>{i * 7 + r + portal}</td></tr>" for i in range(40))
    return (f'<html><head><meta charset="utf-8"><title>某某县{2016 + r % 8}年政府信息公开工作年度报告</title></head>'
            f"<body><h1>第{portal}县政府信息公开工作年度报告</h1><table>{rows}</table></body></html>").encode("utf-8")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def serve(portals: int, lists: int, reports: int) -> None:
    """Start the portals, print their ports (one JSON line), serve until stdin closes, then
    print the politeness figures (one JSON line)."""
    pages = {"/robots.txt": b"User-agent: *\nDisallow: /private/\n", "/col/index.html": _list_page(0, lists, reports)}
    pages.update({f"/col/index_{i}.html": _list_page(i, lists, reports) for i in range(1, lists)})
    reports_of: dict[int, dict[str, bytes]] = {}  # port -> its report pages (each portal its own content)
    lock = threading.Lock()
    stats: dict[int, dict] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            port = self.server.server_address[1]
            started = time.monotonic()
            with lock:
                s = stats[port]
                s["requests"] += 1
                s["in_flight"] += 1
                s["max_in_flight"] = max(s["max_in_flight"], s["in_flight"])
                if s["last_end"] is not None:
                    s["min_gap"] = min(s["min_gap"], started - s["last_end"])
            try:
                path = self.path.split("?")[0]
                body = pages.get(path) or reports_of[port].get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.headers.get("If-None-Match") == _etag(body):
                    self.send_response(304)
                    self.send_header("ETag", _etag(body))
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("ETag", _etag(body))
                    self.end_headers()
                    self.wfile.write(body)
                self.wfile.flush()
            finally:
                ended = time.monotonic()
                with lock:
                    s["in_flight"] -= 1
                    s["last_end"] = ended

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 64

    servers = []
    for number in range(portals):
        server = Server(("127.0.0.1", 0), Handler)
        reports_of[server.server_address[1]] = {f"/art/r{r}.html": _report_page(r, number) for r in range(reports)}
        stats[server.server_address[1]] = {"requests": 0, "in_flight": 0, "max_in_flight": 0, "min_gap": float("inf"),
                                           "last_end": None}
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 1.0}, daemon=True).start()
        servers.append(server)
    print(json.dumps([s.server_address[1] for s in servers]), flush=True)
    for line in sys.stdin:  # "stats" prints the figures so far; EOF ends
        if line.strip() == "stats":
            with lock:
                gaps = [s["min_gap"] for s in stats.values() if s["min_gap"] != float("inf")]
                print(json.dumps({"requests": sum(s["requests"] for s in stats.values()),
                                  "max_in_flight_per_host": max(s["max_in_flight"] for s in stats.values()),
                                  "min_gap_s": min(gaps) if gaps else None}), flush=True)
                for s in stats.values():
                    s.update(requests=0, max_in_flight=0, min_gap=float("inf"), last_end=None)
    for server in servers:
        server.shutdown()


# -- the crawls ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=200)
    parser.add_argument("--lists", type=int, default=3, help="list pages per portal")
    parser.add_argument("--reports", type=int, default=10, help="report pages per portal")
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 200])
    parser.add_argument("--sequential", type=int, default=10, help="portals crawled one after another (extrapolated)")
    parser.add_argument("--sequential-all", action="store_true", help="crawl all portals one after another")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.portals, args.lists, args.reports)

    from gongkai.crawl import crawl
    from gongkai.crawl.sources import parse_sources

    logging.getLogger("gongkai.crawl").setLevel(logging.ERROR)
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--portals", str(args.portals), "--lists",
                              str(args.lists), "--reports", str(args.reports)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(child.stdout.readline())
        portals = parse_sources([{"name": f"portal{i:04d}", "list_url": f"http://127.0.0.1:{port}/col/index.html",
                                  "delay": args.delay} for i, port in enumerate(ports)])
        per_portal = 1 + args.lists + args.reports
        print(f"{args.portals} portals on 127.0.0.1 (distinct ports), {args.lists} list pages and {args.reports} "
              f"report pages each ({per_portal} requests with robots.txt), delay {args.delay} s; "
              f"{os.cpu_count()} cores, shared with other jobs")

        def politeness() -> dict:
            child.stdin.write("stats\n")
            child.stdin.flush()
            return json.loads(child.stdout.readline())

        def run(label: str, chosen, out: str, **options) -> tuple[float, object]:
            politeness()  # reset
            cpu, began = time.process_time(), time.perf_counter()
            result = crawl(chosen, out, delay=args.delay, timeout=10, retries=1, backoff=0.5, **options)
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            polite = politeness()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{label}: {len(chosen)} portals, {result.requests} requests (server saw {polite['requests']}), "
                  f"wall {wall:.1f} s, crawler CPU {cpu:.1f} s ({1000 * cpu / max(1, result.requests):.1f} ms/request), "
                  f"{len(result.documents)} documents ({result.downloaded} new, {result.unchanged} unchanged, "
                  f"{result.duplicates} duplicate), "
                  f"{result.not_due} not due, {len(result.errors)} errors; per host: at most "
                  f"{polite['max_in_flight_per_host']} in flight, shortest pause {polite['min_gap_s']:.3f} s; "
                  f"peak RSS {rss:.0f} MB", flush=True)
            return wall, result

        with tempfile.TemporaryDirectory() as tmp:
            concurrent = {}
            for c in args.concurrency:
                concurrent[c] = run(f"concurrent (concurrency {c})", portals, f"{tmp}/c{c}", concurrency=c,
                                    recheck_days=0)[0]
            subset = portals if args.sequential_all else portals[:args.sequential]
            seq_wall, _ = run("one after another", subset, f"{tmp}/seq", concurrency=1, recheck_days=0)
            seq_all = seq_wall * len(portals) / len(subset)
            how = "measured" if len(subset) == len(portals) else f"extrapolated from {len(subset)}"
            print(f"one after another, all {len(portals)} portals: {seq_all:.0f} s ({how}; "
                  f"{seq_wall / len(subset):.2f} s per portal)")
            for c, wall in concurrent.items():
                print(f"ratio, concurrency {c}: {seq_all / wall:.1f}x faster than one after another")
            c = args.concurrency[0]
            run(f"re-check night (concurrency {c}, recheck_days 0: every known report re-asked)", portals,
                f"{tmp}/c{c}", concurrency=c, recheck_days=0)
            run(f"scheduled night (concurrency {c}, recheck_days 7, one day later)", portals, f"{tmp}/c{c}",
                concurrency=c, recheck_days=7, now=datetime.now(timezone.utc) + timedelta(days=1))
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


if __name__ == "__main__":
    main()
