"""The dashboard's failing-reports table with N reports: page size, and headless Chromium's
time to load it and apply a search from the URL (the same filter function as typing).

    .venv/bin/python benchmarks/dashboard_search.py [--reports 100000]

Prints bytes, build seconds (CPU) and Chromium wall seconds for the page without and with a
search. The machine may be shared: compare the two Chromium figures with each other.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from gongkai.quality.dashboard import _flagged_table, _page

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def fake_rows(n: int, seed: int = 13) -> list[tuple]:
    rng = random.Random(seed)
    provinces = ["山西省", "四川省", "山东省", "河南省", "宁夏回族自治区", "广东省"]
    rules = [("I1", "error"), ("I2", "error"), ("I3", "error"), ("completeness", "error"), ("duplicates", "warning")]
    rows = []
    for i in range(n):
        province = rng.choice(provinces)
        picked = sorted(rng.sample(rules, rng.randint(1, 3)))
        rows.append((f"{i:016x}", f"第{i}县人民政府", rng.choice([2019, 2020, 2021, 2022, 2023]),
                     f"{province}/某市/第{i}县", f"/data/raw/{i:06d}.pdf", picked,
                     " | ".join(f"{r} natural_person: expected 3, found 2" for r, _ in picked)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp())
    started = time.process_time()
    html = _page(_flagged_table(fake_rows(args.reports), out), "benchmark")
    build = time.process_time() - started
    page = out / "index.html"
    page.write_text(html, encoding="utf-8")
    print(f"reports {args.reports}: page {page.stat().st_size:,} bytes, built in {build:.2f} s CPU")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    for label, fragment in (("load", ""), ("load + search", "#q=" + quote("第4242县"))):
        started = time.perf_counter()
        result = subprocess.run([chromium, *FLAGS, f"--user-data-dir={out / 'profile'}", "--dump-dom",
                                 page.as_uri() + fragment], capture_output=True, text=True, timeout=300)
        wall = time.perf_counter() - started
        shown = result.stdout.count('data-report="')
        import re

        script_ms = re.search(r'data-ms="(\d+)"', result.stdout)
        print(f"chromium {label}: {wall:.2f} s wall (start, parse, dump), script (parse JSON + filter + render) "
              f"{script_ms.group(1) if script_ms else '?'} ms, {shown} rows in the DOM")


if __name__ == "__main__":
    main()
