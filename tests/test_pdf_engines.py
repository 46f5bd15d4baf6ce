"""The two PDF engines: PDFium by default, pdfplumber as fallback, reference and option.

The cell-for-cell comparison on every rendered PDF (plain and page-split) is in
test_renderings.py; here the real published PDF, the fallback and the engine switch."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import shared_path
from gongkai.readers.base import ExtractionError
from gongkai.readers.dispatch import read_document
from gongkai.readers.pdf import read_pdf as read_with_pdfplumber
from gongkai.readers.pdfium import (
    FastPathDeclined, pdf_engine, read_pdf, read_pdf_pdfium, text_layer_missing,
)

REAL_PDF = shared_path("real", "huaian_2024.pdf")


def test_real_pdf_engines_agree_cell_for_cell():
    data = REAL_PDF.read_bytes()
    reference = read_with_pdfplumber(str(REAL_PDF), data).cells
    fast = read_pdf_pdfium(str(REAL_PDF), data).cells
    assert len(reference) == 359
    assert sum(c.table > 0 for c in reference) > 200
    assert fast == reference


def test_pdfium_is_the_default_engine(monkeypatch):
    monkeypatch.delenv("GONGKAI_PDF_ENGINE", raising=False)
    doc = read_document(str(REAL_PDF))
    assert doc.info["engine"] == "pdfium" and doc.info["pages"] == 6
    monkeypatch.setenv("GONGKAI_PDF_ENGINE", "pdfplumber")
    forced = read_document(str(REAL_PDF))
    assert forced.info["engine"] == "pdfplumber"
    assert forced.cells == doc.cells


def test_unknown_engine_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("GONGKAI_PDF_ENGINE", "mupdf")
    with pytest.raises(ExtractionError, match="unknown PDF engine 'mupdf'"):
        pdf_engine()


def test_rotated_page_falls_back_to_pdfplumber(tmp_path):
    """A rotated page is beyond the fast path's checks: pdfplumber reads the file."""
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is required for this test: run scripts/setup.sh"
    rotated = tmp_path / "rotated.pdf"
    subprocess.run([qpdf, "--rotate=+90:6", str(REAL_PDF), str(rotated)], check=True)
    data = rotated.read_bytes()
    with pytest.raises(FastPathDeclined, match="rotated page"):
        read_pdf_pdfium(str(rotated), data)
    doc = read_pdf(str(rotated), data, engine="pdfium")
    assert doc.info["engine"] == "pdfplumber"
    assert doc.info["engine_fallback"] == "a rotated page"
    assert doc.cells == read_with_pdfplumber(str(rotated), data).cells


def test_no_text_layer_is_its_own_decision():
    assert text_layer_missing([0, 0, 0])
    assert not text_layer_missing([0, 12])
    assert text_layer_missing([])


def test_cli_pdf_engine_option_gives_the_same_reports():
    gongkai = [sys.executable, "-m", "gongkai.cli", "extract", "--provenance"]
    outputs = [subprocess.run(gongkai + extra + [str(REAL_PDF)], capture_output=True, text=True, timeout=120)
               for extra in ([], ["--pdf-engine", "pdfplumber"], ["--pdf-engine", "pdfium"])]
    assert all(o.returncode == 0 for o in outputs), [o.stderr for o in outputs]
    assert outputs[0].stdout == outputs[1].stdout == outputs[2].stdout
    assert '"page 4 table 2 row 4 col 4"' in outputs[0].stdout


def test_threads_share_pdfium_safely():
    """PDFium is not thread-safe: concurrent reads in one process are serialised, not crashed."""
    from concurrent.futures import ThreadPoolExecutor

    data = REAL_PDF.read_bytes()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: read_pdf_pdfium(str(REAL_PDF), data).cells, range(8)))
    assert all(cells == results[0] for cells in results) and len(results[0]) == 359
