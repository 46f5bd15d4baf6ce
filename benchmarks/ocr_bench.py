"""OCR accuracy and cost on scans made from every gold report.

    .venv/bin/python benchmarks/ocr_bench.py [--gold ID ...] [--out DIR]

Each gold report is rendered to PDF (DOCX by gongkai.synth, then LibreOffice, as
tests/test_renderings.py does) and scanned (gongkai.synth.scan) three ways:

* ``pdf150``: image-only PDF at 150 dpi, skew about +1.2°, blur 0.8 px, noise σ10, JPEG q50;
* ``pdf200``: image-only PDF at 200 dpi, skew about -0.7°, noise σ8, JPEG q60;
* ``png150``: the page holding table 三 as a PNG at 150 dpi, skew about -1.5°, JPEG q75
  (scored on table 三 only: the page has no title);
* with ``--harsh`` also ``pdf150harsh``: 150 dpi, skew -1.5°, blur 1.2 px, noise σ16, JPEG q35.

Prints, per scan, the cells right / cells scored (the official scorer's comparison,
region codes skipped) and whether the report is flagged ``ocr_uncertain`` or breaks an
identity; then the totals: share of cells right, wrong cells not covered by a flag (target
0), CPU seconds per OCR'd page and per report, and the per-worker memory peak.

The scans are read in one OCR worker process (spawned, long-lived like a batch worker: the
models load once), which reports per file its CPU time and its peak RSS while reading that
file (the kernel's high-water mark, VmHWM, reset before each file through
/proc/self/clear_refs); the benchmark process itself (rendering, scanning) is not counted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _scorer():
    spec = importlib.util.spec_from_file_location("gold_evaluate", SHARED / "tools" / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table3_page(pdf_path: Path) -> int:
    """0-based index of the page printing （七）总计 (table 三's total row)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for index in range(len(pdf)):
            text = pdf[index].get_textpage().get_text_range()
            if "总计" in text and "本年新收" in "".join(text.split()):
                return index
    finally:
        pdf.close()
    return 0


def _peak_mb() -> float:
    """This process's peak RSS since the last reset (VmHWM), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")  # resets VmHWM to the current RSS (Linux)
    except OSError:
        pass


def _worker(conn) -> None:
    """The OCR worker: a path in; (report, error, cpu s, wall s, pages, peak MB for the file) out."""
    from gongkai.extract import extract_file
    from gongkai.ocr import stats

    while True:
        path = conn.recv()
        if path is None:
            return
        _reset_peak()
        pages, cpu, wall = stats.PAGES_READ, time.process_time(), time.perf_counter()
        try:
            report, error = extract_file(path, with_provenance=True)[0], None
        except Exception as exc:  # a failed read scores 0 for the scan
            report, error = {"source": {}}, str(exc)
        conn.send((report, error, time.process_time() - cpu, time.perf_counter() - wall,
                   stats.PAGES_READ - pages, _peak_mb()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", nargs="*", help="gold ids (default: all)")
    parser.add_argument("--out", help="keep the scans in this folder")
    parser.add_argument("--harsh", action="store_true",
                        help="add a harsher scan: 150 dpi, skew -1.5°, blur 1.2 px, noise σ16, JPEG q35")
    args = parser.parse_args()

    from gongkai.synth import check_identities, pdf_from_docx, render_docx
    from gongkai.synth.scan import Defects, save_image_pdf, save_png, scan_pages

    scorer = _scorer()
    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((SHARED / "gold").glob("*.json"))}
    if args.gold:
        golds = {k: v for k, v in golds.items() if k in args.gold}
    work = Path(args.out or tempfile.mkdtemp(prefix="ocr_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    docx = [render_docx(gold, work / f"{gid}.docx") for gid, gold in golds.items()]
    pdfs = dict(zip(golds, pdf_from_docx(docx, work)))
    variants = {
        "pdf150": (150, Defects(skew=1.2, blur=0.8, noise=10, jpeg=50, seed=1)),
        "pdf200": (200, Defects(skew=-0.7, noise=8, jpeg=60, seed=2)),
        "png150": (150, Defects(skew=-1.5, jpeg=75, seed=3)),
    }
    if args.harsh:
        variants["pdf150harsh"] = (150, Defects(skew=-1.5, blur=1.2, noise=16, jpeg=35, seed=5))
    right = scored = uncovered = reports = pages_read = 0
    cpu_total = 0.0
    wall_total = 0.0
    peaks: list[tuple[float, str]] = []
    conn, child = multiprocessing.get_context("spawn").Pipe()
    worker = multiprocessing.get_context("spawn").Process(target=_worker, args=(child,), daemon=True)
    worker.start()
    for gid, gold in golds.items():
        for name, (dpi, defects) in variants.items():
            pages = scan_pages(pdfs[gid], dpi, defects)
            if name.startswith("png"):
                path = save_png(pages[_table3_page(pdfs[gid])], work / f"{gid}.{name}.png", dpi)
            else:
                path = save_image_pdf(pages, work / f"{gid}.{name}.pdf", dpi)
            conn.send(str(path))
            report, error, cpu, wall, pages, peak = conn.recv()
            if error:
                print(f"{gid:22} {name}: FAILED {error}")
            pages_read += pages
            peaks.append((peak, f"{gid} {name}"))
            cpu_total += cpu
            wall_total += wall
            reports += 1
            if name.startswith("png"):
                expected = {"id": gold["id"], "table3": gold["table3"]}
                got = {"id": gold["id"], "table3": report.get("table3") or {}}
                ok, total, mismatches = scorer.compare(expected, got)
                ok, total = ok - 1, total - 1  # the id field is not a cell
            else:
                ok, total, mismatches = scorer.compare(gold, report, skip={"region_path", "adcode"})
            uncertain = bool(report.get("source", {}).get("ocr_uncertain"))
            identity = bool(check_identities(report)) if report.get("table3") or report.get("table4") else False
            wrong = total - ok
            if wrong and not (uncertain or identity):
                uncovered += wrong
            right += ok
            scored += total
            corrections = len(report.get("provenance", {}).get("ocr", {}).get("corrections", []))
            print(f"{gid:22} {name}: {ok}/{total} cells, uncertain={uncertain}, identity_flag={identity}, "
                  f"corrections={corrections}, cpu {cpu:.1f} s, wall {wall:.1f} s, worker peak {peak:.0f} MB", flush=True)
            for line in mismatches[:5]:
                print("    ", line)
    conn.send(None)
    worker.join(timeout=30)
    peak, where = max(peaks)
    median = sorted(p for p, _ in peaks)[len(peaks) // 2]

    print(f"\ncells right: {right}/{scored} = {100 * right / max(scored, 1):.2f}%")
    print(f"wrong cells neither flagged ocr_uncertain nor in an identity-flagged report: {uncovered}")
    print(f"reports: {reports}, pages OCR'd: {pages_read}")
    print(f"CPU seconds per OCR'd page: {cpu_total / max(pages_read, 1):.2f}; per report: {cpu_total / reports:.2f}")
    print(f"wall seconds per report (shared machine): {wall_total / reports:.2f}")
    print(f"per-worker memory peak (peak RSS of the OCR worker while reading one file): {peak:.0f} MB ({where})")
    print(f"median of the per-file worker peaks: {median:.0f} MB (one long-lived worker read all {reports} files)")
    print(f"benchmark process (rendering, scanning; no OCR): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
