"""The hostile-folder figures of docs/reliability.md: each bomb alone, then seeds + bombs.

    .venv/bin/python benchmarks/hostile_ingest.py

Builds the five bombs of issue 10 (src/gongkai/synth/hostile.py) beside the five seeds in a
temporary folder, runs `gongkai extract` on each bomb and `gongkai ingest` on the folder, and
prints wall time, CPU time of the process tree and the peak resident memory of the process
tree (summed over the CLI and its workers, sampled every 50 ms from /proc).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from gongkai.synth import hostile

ROOT = Path(__file__).resolve().parents[1]
GONGKAI = [sys.executable, "-m", "gongkai.cli"]
MB = 1 << 20


def measured(args: list[str]) -> tuple[subprocess.CompletedProcess, float, float, int]:
    before = os.times()
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, hostile.process_tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate(timeout=600)
    done.set()
    sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return subprocess.CompletedProcess(args, process.returncode, "", err), time.perf_counter() - started, cpu, peak


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hostile"
        started = time.perf_counter()
        bombs = hostile.write_bombs(folder)
        print(f"bombs written in {time.perf_counter() - started:.1f} s")
        for name, path in bombs.items():
            result, wall, cpu, peak = measured([*GONGKAI, "extract", str(path)])
            print(f"{name:24} {path.stat().st_size / MB:7.1f} MB on disk  {wall:5.1f} s wall  {cpu:5.1f} s CPU  "
                  f"peak tree RSS {peak / MB:5.0f} MB  | {result.stderr.strip().split(': ', 2)[-1]}")
        for seed in sorted((ROOT / "data" / "raw").glob("*.txt")):
            shutil.copy(seed, folder / seed.name)
        result, wall, cpu, peak = measured([*GONGKAI, "ingest", str(folder), "--db", str(Path(tmp) / "w.duckdb")])
        print(f"seeds + bombs ingest: exit {result.returncode}, {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"peak tree RSS {peak / MB:.0f} MB, traceback: {'Traceback' in result.stderr}")
        print(result.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
