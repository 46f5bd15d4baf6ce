"""Extraction throughput per format, in-process (start-up excluded), on this machine.

    .venv/bin/python benchmarks/extract_throughput.py [--seconds 3]

Prints reports/second for text, HTML, DOCX and PDF inputs (the seeds, the real reports in
../shared/real and renderings of the gold reports), and for PDF the ratio of
`extract_file` time to the floor: pdfplumber opening the same file and reading the
characters of every page. Targets: PDF <= 1.3x the floor; text and HTML >= 100 reports/s
per core.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import pdfplumber

from gongkai.extract import extract_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _time_per_call(func, seconds: float) -> float:
    """Median seconds per call over repeated batches lasting about ``seconds`` in total."""
    func()  # warm-up: imports, caches
    samples = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 3:
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _pdf_floor(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            _ = page.chars
            page.close()


def _rendered_inputs(workdir: Path) -> dict[str, list[Path]]:
    from gongkai.synth import pdf_from_docx, render_docx, render_html

    inputs: dict[str, list[Path]] = {"html": [], "docx": [], "pdf": []}
    for gold_file in sorted((SHARED / "gold").glob("seed*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        html = workdir / f"{gold['id']}.html"
        html.write_bytes(render_html(gold, encoding="gbk"))
        inputs["html"].append(html)
        docx = workdir / f"{gold['id']}.docx"
        render_docx(gold, docx)
        inputs["docx"].append(docx)
    inputs["pdf"].extend(pdf_from_docx(inputs["docx"][:2], workdir))
    return inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = _rendered_inputs(Path(tmp))
        inputs["txt"] = sorted((SHARED / "seeds").glob("*.txt")) + [SHARED / "real" / "pingtan_finance_2020.txt"]
        inputs["html"].append(SHARED / "real" / "pingtan_social_2023.html")
        inputs["pdf"].insert(0, SHARED / "real" / "huaian_2024.pdf")
        print(f"{'format':6s} {'files':>5s} {'reports/s':>10s}  per-file ms")
        for fmt in ("txt", "html", "docx", "pdf"):
            times = [_time_per_call(lambda p=p: extract_file(str(p)), args.seconds) for p in inputs[fmt]]
            rate = len(times) / sum(times)
            detail = " ".join(f"{t * 1000:.1f}" for t in times)
            print(f"{fmt:6s} {len(times):5d} {rate:10.1f}  {detail}")
        print("\nPDF: extract_file time / floor (pdfplumber open + chars of every page)")
        for pdf in inputs["pdf"]:
            ours = _time_per_call(lambda p=pdf: extract_file(str(p)), args.seconds)
            floor = _time_per_call(lambda p=pdf: _pdf_floor(p), args.seconds)
            print(f"  {pdf.name:32s} extract {ours * 1000:7.1f} ms  floor {floor * 1000:7.1f} ms  "
                  f"ratio {ours / floor:.2f}x")


if __name__ == "__main__":
    main()
