"""Extraction on local processes vs a dask.distributed LocalCluster, side by side, printed.

    .venv/bin/python benchmarks/distributed_bench.py [--text 300 --html 100 --pdf 12 --workers 2]

Builds a temporary corpus (synthetic reports rendered as text and GBK HTML by gongkai.synth,
and copies of the real PDF ../shared/real/huaian_2024.pdf), then for each format group:

* local: ``gongkai.batch.extract_many`` on ``--workers`` processes;
* cluster: ``gongkai.distributed.extract_on_cluster`` on a LocalCluster of ``--workers``
  worker processes (1 thread each, 127.0.0.1), outcomes streamed into the staging area
  (``gongkai.staging.stage_outcomes``) as ``warehouse_tables`` does.

Prints wall seconds, files/s, CPU seconds (children for local, the workers' own for the
cluster), the gazetteer load per worker (CPU), cluster start-up, and the driver's peak
Python allocation while streaming (tracemalloc) against the staged bytes.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from gongkai.batch import extract_many  # noqa: E402
from gongkai.distributed import extract_on_cluster, worker_state  # noqa: E402
from gongkai.staging import stage_outcomes  # noqa: E402
from gongkai.synth import generate_reports, render_html, render_text  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_corpus(folder: Path, text: int, html: int, pdf: int) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {"text": [], "html": [], "pdf": []}
    for i, report in enumerate(generate_reports(text + html, seed=11)):
        if i < text:
            path = folder / f"r{i:05d}.txt"
            path.write_text(render_text(report), encoding="utf-8")
            groups["text"].append(str(path))
        else:
            path = folder / f"r{i:05d}.html"
            path.write_bytes(render_html(report, encoding="gbk"))
            groups["html"].append(str(path))
    source = SHARED / "real" / "huaian_2024.pdf"
    if pdf and source.exists():
        for i in range(pdf):
            shutil.copy(source, folder / f"p{i:03d}.pdf")
            groups["pdf"].append(str(folder / f"p{i:03d}.pdf"))
    return {k: v for k, v in groups.items() if v}


def local_run(paths: list[str], workers: int) -> tuple[float, float, int]:
    cpu, wall = _children_cpu(), time.perf_counter()
    reports = sum(len(o.reports) for o in extract_many(paths, workers=workers))
    return time.perf_counter() - wall, _children_cpu() - cpu, reports


def cluster_run(paths: list[str], client, staging: Path) -> tuple[float, float, int, int, int]:
    cpu_before = sum(client.run(_self_cpu).values())
    tracemalloc.start()
    wall = time.perf_counter()
    staged = stage_outcomes(extract_on_cluster(paths, client), staging)
    seconds = time.perf_counter() - wall
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cpu = sum(client.run(_self_cpu).values()) - cpu_before
    size = sum(os.path.getsize(b) for b in staged.batches)
    return seconds, cpu, staged.reports, peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=300)
    parser.add_argument("--html", type=int, default=100)
    parser.add_argument("--pdf", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        groups = build_corpus(Path(tmp), args.text, args.html, args.pdf)
        started = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0", memory_limit="2GiB") as cluster, \
                Client(cluster, set_as_default=False) as client:
            up = time.perf_counter() - started
            list(extract_on_cluster(groups["text"][:2], client))  # registers the plugin: gazetteer warm
            ready = time.perf_counter() - started
            states = client.run(worker_state)
            loads = ", ".join(f"{s['gazetteer_cpu_seconds']:.2f}" for s in states.values())
            print(f"cluster: {args.workers} worker processes up in {up:.1f} s, ready (gazetteer loaded) "
                  f"in {ready:.1f} s; gazetteer load per worker, CPU s: {loads}")
            print("| format | files | local wall s | local files/s | local CPU s | cluster wall s | "
                  "cluster files/s | cluster CPU s | driver peak MiB | staged MiB |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            for name, paths in groups.items():
                l_wall, l_cpu, l_reports = local_run(paths, args.workers)
                c_wall, c_cpu, c_reports, peak, size = cluster_run(paths, client, Path(tmp) / f"staging-{name}")
                assert l_reports == c_reports, (name, l_reports, c_reports)
                print(f"| {name} | {len(paths)} | {l_wall:.2f} | {len(paths) / l_wall:.1f} | {l_cpu:.2f} | "
                      f"{c_wall:.2f} | {len(paths) / c_wall:.1f} | {c_cpu:.2f} | {peak / 2**20:.1f} | "
                      f"{size / 2**20:.1f} |")


if __name__ == "__main__":
    main()
