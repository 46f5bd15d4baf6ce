"""Extraction throughput against its floors, per file, in CPU time; and process start-up.

    .venv/bin/python benchmarks/extract_throughput.py [SHARED] [--rounds 7] [--no-render] [--only-startup]

SHARED is the shared folder (default: ``../shared`` beside the checkout): its seeds, real
reports and gold labels. The gold reports are rendered as in tests/test_renderings.py (HTML
in GBK and in UTF-8 with blank zeros; DOCX → PDF with LibreOffice, plain and with table 三
split across pages), so the script runs from a fresh clone.

Every figure is CPU time (``time.process_time``), so other jobs on a shared machine slow
the wall clock but not the figures much; and in every round each file is run through every
method in turn (gongkai, then each floor), so load that comes and goes touches all alike.
The figure per file and method is the median over the rounds. Methods:

* PDF: ``gongkai`` (``extract_file``, PDFium engine), ``gongkai-pdfplumber`` (the same with
  ``GONGKAI_PDF_ENGINE=pdfplumber``: the old path), the **PDFium floor** (open the document,
  load each page and its text page, read every character's box) and the **pdfplumber
  floor** (open, every page's characters);
* HTML: ``gongkai`` and the **lxml floor** (decode the bytes, ``lxml.html.document_fromstring``);
* text: ``gongkai``.

Caches: gongkai caches label normalisation and value parsing across reports (the national
labels recur in every report). A real batch sees new files, so the HTML/text figures are
given twice, in separate passes: warm (the caches filled by the other reports of the
batch) and cold (``cache_clear`` before every call, as for the first report a worker reads).

Start-up: whole-process CPU of ``python -c "import gongkai.cli"`` against ``gongkai extract``
of one HTML page and one text file, alternated; measured as ``RUSAGE_CHILDREN``, which
counts the whole process tree (``gongkai extract`` reads a single file in a forked child it
waits for, and the kernel adds a waited-for child's CPU to its parent's children's usage,
so the child is counted once, through the ``gongkai`` process); and the
gazetteer's load in a fresh process (its compact index built beforehand). Bytecode is
compiled first and PYTHONDONTWRITEBYTECODE is cleared for these runs, as in an installed
package.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# --- methods --------------------------------------------------------------------------

def pdfium_floor(path: Path) -> int:
    """Open + every page + its text page + every character's box; returns the page count."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(path.read_bytes())
    box = raw.FS_RECTF()
    pbox = ctypes.byref(box)
    pages = len(doc)
    for index in range(pages):
        page = doc[index]
        textpage = page.get_textpage()
        handle = textpage.raw
        for i in range(raw.FPDFText_CountChars(handle)):
            raw.FPDFText_GetLooseCharBox(handle, i, pbox)
        textpage.close()
        page.close()
    doc.close()
    return pages


def pdfplumber_floor(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            _ = page.chars
            page.close()


def lxml_floor(path: Path) -> None:
    import lxml.html

    from gongkai.readers.html import decode_html

    lxml.html.document_fromstring(decode_html(path.read_bytes())[0])


def gongkai(path: Path) -> None:
    from gongkai.extract import extract_file

    extract_file(str(path))


def gongkai_pdfplumber(path: Path) -> None:
    os.environ["GONGKAI_PDF_ENGINE"] = "pdfplumber"
    try:
        gongkai(path)
    finally:
        os.environ.pop("GONGKAI_PDF_ENGINE", None)


def clear_caches() -> None:
    """Empty gongkai's cross-report caches (labels, values, headings, row matches)."""
    from gongkai import formats, template, values

    for fn in (formats.normalise_label, formats.strip_numbering, values.parse_value, template.heading_section,
               template.match_table3_row, template._category_of, template._header_formats):
        fn.cache_clear()


def gongkai_cold(path: Path) -> None:
    clear_caches()
    gongkai(path)


# --- inputs ---------------------------------------------------------------------------

def rendered_inputs(shared: Path, workdir: Path, render_pdf: bool) -> dict[str, list[Path]]:
    from gongkai.synth import pdf_from_docx, render_docx, render_html

    html, docx = [], []
    for gold_file in sorted((shared / "gold").glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        gid = gold["id"]
        for name, kwargs in ((f"{gid}.gbk.html", {"encoding": "gbk"}),
                             (f"{gid}.blank.html", {"encoding": "utf-8", "blank_zeros": True})):
            (workdir / name).write_bytes(render_html(gold, **kwargs))
            html.append(workdir / name)
        if render_pdf:
            docx.append(render_docx(gold, workdir / f"{gid}.docx"))
            docx.append(render_docx(gold, workdir / f"{gid}.split.docx", split_table3=True))
    pdf = list(pdf_from_docx(docx, workdir)) if docx else []
    return {"html": html, "pdf": pdf}


# --- measuring ------------------------------------------------------------------------

def alternate(files: list[Path], methods: dict, rounds: int) -> dict[str, dict[Path, float]]:
    """Median CPU seconds per (method, file); each round runs every file through every method."""
    for path in files:  # warm-up: imports, the gazetteer, first-use caches
        for method in methods.values():
            method(path)
    samples = {name: {path: [] for path in files} for name in methods}
    for _ in range(rounds):
        for path in files:
            for name, method in methods.items():
                started = time.process_time()
                method(path)
                samples[name][path].append(time.process_time() - started)
    return {name: {path: statistics.median(v) for path, v in per.items()} for name, per in samples.items()}


def startup(html: Path, text: Path, rounds: int) -> dict[str, float]:
    """Median CPU seconds (user + system) of each command's whole process tree, alternated."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "gongkai")],
                   env=env, stdout=subprocess.DEVNULL, check=False)
    gongkai_bin = str(Path(sys.executable).with_name("gongkai"))
    gaz = ("import time; t = time.process_time(); from gongkai.gazetteer import load; load(); "
           "print(time.process_time() - t)")
    subprocess.run([sys.executable, "-c", gaz], env=env, capture_output=True, check=True)  # builds the index
    commands = {
        "import gongkai.cli": [sys.executable, "-c", "import gongkai.cli"],
        "gongkai extract (HTML)": [gongkai_bin, "extract", str(html)],
        "gongkai extract (text)": [gongkai_bin, "extract", str(text)],
    }
    cpu = {name: [] for name in commands}
    gaz_cpu = []
    for _ in range(rounds):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        out = subprocess.run([sys.executable, "-c", gaz], env=env, capture_output=True, text=True, check=True)
        gaz_cpu.append(float(out.stdout.strip()))
    result = {name: statistics.median(v) for name, v in cpu.items()}
    result["gazetteer load (import + index)"] = statistics.median(gaz_cpu)
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f}"


def pdf_section(pdfs: list[Path], rounds: int) -> None:
    pages = {p: pdfium_floor(p) for p in pdfs}
    pdf = alternate(pdfs, {"gongkai": gongkai, "gongkai-pdfplumber": gongkai_pdfplumber,
                           "pdfium floor": pdfium_floor, "pdfplumber floor": pdfplumber_floor}, rounds)
    print("PDF (ms per report; per page in brackets)")
    print(f"  {'file':34s} {'pages':>5s} {'gongkai':>16s} {'PDFium floor':>16s} {'ratio':>6s}"
          f" {'old path':>9s} {'ratio':>6s} {'pdfplumber fl.':>14s} {'old/plb':>7s}")
    ratios, old_ratios = [], []
    for p in pdfs:
        g, f = pdf["gongkai"][p], pdf["pdfium floor"][p]
        old, plb = pdf["gongkai-pdfplumber"][p], pdf["pdfplumber floor"][p]
        n = pages[p]
        ratios.append(g / f)
        old_ratios.append(old / f)
        where = "real/" if p.parent.name == "real" else "rendered/"
        print(f"  {where + p.name:34s} {n:5d} {_ms(g)} ({_ms(g / n)}) {_ms(f)} ({_ms(f / n)}) {g / f:5.2f}x"
              f" {_ms(old)} {old / f:5.2f}x {_ms(plb)} {old / plb:6.2f}x")
    per_page = [pdf["gongkai"][p] / pages[p] for p in pdfs]
    floor_page = [pdf["pdfium floor"][p] / pages[p] for p in pdfs]
    print(f"  median: gongkai {_ms(statistics.median(per_page))} ms/page, PDFium floor "
          f"{_ms(statistics.median(floor_page))} ms/page; ratio to the PDFium floor median "
          f"{statistics.median(ratios):.2f}x (max {max(ratios):.2f}x); old pdfplumber path "
          f"{statistics.median(old_ratios):.2f}x")


def html_section(htmls: list[Path], rounds: int) -> None:
    # warm and cold in separate passes: a cold run empties the caches the warm one relies on
    html = alternate(htmls, {"gongkai": gongkai, "lxml floor": lxml_floor}, rounds)
    html.update(alternate(htmls, {"gongkai cold": gongkai_cold, "lxml floor (cold pass)": lxml_floor}, rounds))
    print("HTML (ms per report)")
    html_ratios = []
    for p in htmls:
        g, c, f = html["gongkai"][p], html["gongkai cold"][p], html["lxml floor"][p]
        html_ratios.append(g / f)
        print(f"  {p.name:34s} gongkai {_ms(g)}  cold {_ms(c)}  lxml floor {_ms(f)}  ratio {g / f:5.2f}x")
    for label, key in (("warm", "gongkai"), ("cold", "gongkai cold")):
        total = sum(html[key].values())
        print(f"  {label}: {len(htmls) / total:6.1f} reports/s per core, median "
              f"{_ms(statistics.median(html[key].values()))} ms")
    print(f"  ratio to the lxml floor: median {statistics.median(html_ratios):.2f}x (max {max(html_ratios):.2f}x)")


def text_section(texts: list[Path], rounds: int) -> None:
    text = alternate(texts, {"gongkai": gongkai}, rounds)
    text.update(alternate(texts, {"gongkai cold": gongkai_cold}, rounds))
    print("Text (ms per report)")
    for p in texts:
        print(f"  {p.name:34s} gongkai {_ms(text['gongkai'][p])}  cold {_ms(text['gongkai cold'][p])}")
    for label, key in (("warm", "gongkai"), ("cold", "gongkai cold")):
        total = sum(text[key].values())
        print(f"  {label}: {len(texts) / total:6.1f} reports/s per core, median "
              f"{_ms(statistics.median(text[key].values()))} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", nargs="?", default=str(ROOT.parent / "shared"),
                        help="the shared folder with seeds/, real/ and gold/ (default: ../shared)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of alternated runs (median taken)")
    parser.add_argument("--no-render", action="store_true", help="skip the LibreOffice PDF renderings")
    parser.add_argument("--only-startup", action="store_true", help="measure only the start-up section")
    parser.add_argument("--section", choices=("pdf", "html", "text"), help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs="*", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.section:  # one format in a fresh process, as an extraction worker would see it
        files = [Path(f) for f in args.files]
        {"pdf": pdf_section, "html": html_section, "text": text_section}[args.section](files, args.rounds)
        return
    shared = Path(args.shared).resolve()
    if not (shared / "gold").is_dir():
        sys.exit(f"extract_throughput: {shared} has no gold/ folder (pass the shared folder)")

    with tempfile.TemporaryDirectory() as tmp:
        rendered = rendered_inputs(shared, Path(tmp), render_pdf=not (args.no_render or args.only_startup))
        inputs = {
            "text": sorted((shared / "seeds").glob("*.txt")) + sorted((shared / "real").glob("*.txt")),
            "html": sorted((shared / "real").glob("*.html")) + rendered["html"],
            "pdf": sorted((shared / "real").glob("*.pdf")) + rendered["pdf"],
        }
        print(f"CPU time (process_time), median of {args.rounds} alternated rounds; each format in a fresh "
              "process; machine possibly shared.\n")
        for section in () if args.only_startup else ("text", "html", "pdf"):
            subprocess.run([sys.executable, __file__, "--section", section, "--rounds", str(args.rounds),
                            "--files", *map(str, inputs[section])], check=True)
            print()

        print("Start-up (whole process, CPU s, median of alternated runs)")
        html_file = (sorted((shared / "real").glob("*.html")) or inputs["html"])[0]
        figures = startup(html_file, inputs["text"][0], max(5, args.rounds))
        base = figures["import gongkai.cli"]
        for name, seconds in figures.items():
            ratio = f"  {seconds / base:.2f}x import" if name.startswith("gongkai extract") else ""
            print(f"  {name:34s} {seconds:6.3f}{ratio}")


if __name__ == "__main__":
    main()
