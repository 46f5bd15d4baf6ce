"""Nightly-run figures: the whole Dagster asset graph over N report files, printed.

    .venv/bin/python benchmarks/pipeline_bench.py [--files 1000]

Writes N synthetic reports as text renderings (gongkai.synth) into a temporary raw
folder, then times (1) a full run (everything new: extract on all cores, one bulk load,
quality suites, dashboard) and (2) a second run with nothing changed (hash, skip).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from gongkai.synth import generate_reports, render_text  # noqa: E402
from pipelines.resources import GongkaiPaths  # noqa: E402
from pipelines.run import run_pipeline  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        for i, report in enumerate(generate_reports(args.files, seed=7)):
            (raw / f"report_{i:05d}.txt").write_text(render_text(report), encoding="utf-8")
        paths = GongkaiPaths(
            raw_dir=str(raw), crawl_dir=str(Path(tmp) / "crawl"), sources_file=str(Path(tmp) / "none.yaml"),
            db_path=str(Path(tmp) / "w.duckdb"), docs_dir=str(Path(tmp) / "docs"),
            dashboard_dir=str(Path(tmp) / "dash"), workers=os.cpu_count() or 2,
            staging_dir=str(Path(tmp) / "staging"),
        )
        instance = dg.DagsterInstance.ephemeral()
        for label in ("full run (all new)", "no-change run"):
            began = time.perf_counter()
            result = run_pipeline(paths, instance=instance, crawl=False)
            seconds = time.perf_counter() - began
            steps = {e.step_key: e for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
            timings = ", ".join(
                f"{key} {event.event_specific_data.duration_ms / 1000:.1f}s"
                for key, event in steps.items() if not key.startswith("quality_results_")
            )
            print(f"{label}: {args.files} files in {seconds:.1f} s (success={result.success}); {timings}")


if __name__ == "__main__":
    main()
