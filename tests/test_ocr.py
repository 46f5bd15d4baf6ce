"""OCR of scans (gongkai.ocr): image-only PDFs and PNG pages made from gold reports.

The scans are real pixels: a gold report rendered to DOCX and PDF (LibreOffice, as in
test_renderings.py), rasterised by pypdfium2 with skew, blur, noise and JPEG artefacts
(gongkai.synth.scan). Kept to four OCR'd pages in all (the full set is
benchmarks/ocr_bench.py): one 150 dpi image-only PDF of a whole report (three pages read),
and one 200 dpi PNG of the table-三 page, read once and reused by the verifier tests.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys

import pytest

from conftest import ROOT, gold_cases, load_scorer
from gongkai.extract import extract_document, extract_file
from gongkai.readers import ExtractionError, read_document
from gongkai.synth import pdf_from_docx, render_docx, soffice_binary
from gongkai.synth.scan import Defects, save_image_pdf, save_png, scan_pages

SCORER = load_scorer()
GOLD = {gold["id"]: gold for _, gold in gold_cases()}
BROKEN_GOLD = "seed002"  # its printed totals break I1/I2: a source inconsistency
TABLE_GOLD = "seed001"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    if soffice_binary() is None:
        pytest.fail("LibreOffice (soffice) is not installed: the scans are made from its PDFs")
    out = tmp_path_factory.mktemp("ocr_pdf")
    docx = [render_docx(GOLD[g], out / f"{g}.docx") for g in (BROKEN_GOLD, TABLE_GOLD)]
    return dict(zip((BROKEN_GOLD, TABLE_GOLD), pdf_from_docx(docx, out)))


@pytest.fixture(scope="module")
def scanned_document(rendered, tmp_path_factory):
    """seed002 as an image-only PDF at 150 dpi, 1.2° skew, blur, noise, JPEG q50; read once."""
    pages = scan_pages(rendered[BROKEN_GOLD], 150, Defects(skew=1.2, blur=0.8, noise=10, jpeg=50, seed=1))
    path = save_image_pdf(pages, tmp_path_factory.mktemp("ocr_scan") / "scan.pdf", 150)
    return path, read_document(str(path))


@pytest.fixture(scope="module")
def scanned_report(scanned_document):
    path, document = scanned_document
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return path, extract_document(document, sha256, with_provenance=True)


@pytest.fixture(scope="module")
def table_page(rendered, tmp_path_factory):
    """seed001's table page (三 and 四) as a PNG at 200 dpi, -0.8° skew, noise; read once."""
    pages = scan_pages(rendered[TABLE_GOLD], 200, Defects(skew=-0.8, noise=6, jpeg=70, seed=4))
    index = next(i for i, p in enumerate(_page_texts(rendered[TABLE_GOLD])) if "本年新收" in p and "复议后起诉" in p)
    path = save_png(pages[index], tmp_path_factory.mktemp("ocr_png") / "page.png", 200)
    return path, read_document(str(path))


def _page_texts(pdf_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return ["".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    finally:
        pdf.close()


def test_scanned_pdf_reads_back_to_gold(scanned_report):
    path, reports = scanned_report
    assert len(reports) == 1
    report = reports[0]
    ok, total, mismatches = SCORER.compare(GOLD[BROKEN_GOLD], report, skip={"region_path", "adcode"})
    assert ok == total, f"{ok}/{total}\n" + "\n".join(mismatches[:20])
    assert report["source"]["ocr"] is True and report["source"]["format"] == "pdf"


def test_source_inconsistency_is_not_a_reading_doubt(scanned_report):
    """seed002's totals do not add up as printed: re-reads confirm them; nothing is 'fixed'."""
    from gongkai.synth import check_identities

    report = scanned_report[1][0]
    assert check_identities(report) == check_identities(GOLD[BROKEN_GOLD]) != []
    ocr = report["provenance"]["ocr"]
    assert ocr["corrections"] == [] and ocr["uncertain"] == []
    assert ocr["cells_reread"] > 0  # the broken identities' cells were re-read
    assert report["source"]["ocr_uncertain"] is False


def test_every_value_has_a_cell_box_and_confidence(scanned_report):
    report = scanned_report[1][0]
    where = report["provenance"]["values"]["table3"]["granted"]
    assert all(w.startswith("page ") and " table " in w and " row " in w and " col " in w for w in where)
    confidence = report["provenance"]["ocr"]["confidence"]
    assert len(confidence["table3"]["granted"]) == 7
    assert all(0.5 < c <= 1.0 for c in confidence["table3"]["granted"])
    assert all(isinstance(c, float) for m in confidence["table2"].values() for c in m.values())
    page, x0, y0, x1, y1 = report["provenance"]["ocr"]["boxes"]["table3"]["granted"][0]
    assert where[0].startswith(f"page {page} table ") and 0 < x0 < x1 and 0 < y0 < y1
    assert abs(report["provenance"]["ocr"]["pages"][str(page)]["skew_degrees"]) > 0.5  # deskewed


def test_png_page_reads_tables_three_and_four(table_page):
    path, document = table_page
    assert document.format == "png" and document.info["ocr"] is True
    report = extract_document(document, "0" * 64, with_provenance=True)[0]
    assert report["table3"] == GOLD[TABLE_GOLD]["table3"]
    assert report["table4"] == GOLD[TABLE_GOLD]["table4"]
    assert report["source"]["ocr_uncertain"] is False
    box = document.info["ocr_cells"][report["provenance"]["values"]["table3"]["granted"][0]]
    x0, y0, x1, y1 = box["box"]
    assert 0 < x0 < x1 and 0 < y0 < y1 and box["page"] == 1


def _with_text(document, where: str, text: str):
    """The document as if OCR had read ``text`` in the cell at ``where``."""
    cells = [c.replace(text=text) if c.where == where else c for c in document.cells]
    return document.replace(cells=cells, info=dict(document.info))


def test_misread_digit_is_corrected_only_with_a_reread_and_recorded(table_page):
    _, document = table_page
    gold = GOLD[TABLE_GOLD]["table3"]
    base = extract_document(document, "0" * 64, with_provenance=True)[0]
    where = base["provenance"]["values"]["table3"]["granted"][0]
    printed = gold["granted"][0]
    misread = str(printed + 50)  # breaks I2 (its row) and I3 (its column)
    report = extract_document(_with_text(document, where, misread), "0" * 64, with_provenance=True)[0]
    assert report["table3"]["granted"][0] == printed
    [correction] = report["provenance"]["ocr"]["corrections"]
    assert correction["where"] == where and correction["read"] == int(misread) and correction["kept"] == printed
    assert "I2 granted" in correction["why"] and "I3 natural_person" in correction["why"]
    assert any(n.startswith("ocr_corrected:") for n in report["provenance"]["notes"])
    assert report["source"]["ocr_uncertain"] is False


def _with_minus_stroke(document, where: str, touching: bool):
    """The document with a minus stroke inked left of the digits of the cell at ``where``:
    a printed "-9" whose sign the reading lost (the cell's text stays as read)."""
    import numpy as np

    cell = document.info["ocr_cells"][where]
    page = document.info["ocr_page_images"][cell["page"]]
    x0, y0, x1, y1 = cell["box"]
    inner = page.image[y0 + 4:y1 - 4, x0 + 4:x1 - 4]
    ys, xs = np.nonzero(inner < 160)
    top, bottom, left = y0 + 4 + ys.min(), y0 + 4 + ys.max() + 1, x0 + 4 + xs.min()
    height = bottom - top
    width, thick = max(6, int(0.45 * height)), max(2, height // 8)
    right = left + 1 if touching else left - 3  # joined to the digit's ink, or 3 px apart
    middle = top + int(0.58 * height)
    image = page.image.copy()
    image[middle - thick // 2:middle - thick // 2 + thick, right - width:right] = 60
    pages = dict(document.info["ocr_page_images"])
    pages[cell["page"]] = dataclasses.replace(page, image=image)
    return document.replace(info={**document.info, "ocr_page_images": pages})


@pytest.mark.parametrize("touching", [False, True], ids=["apart", "joined-to-the-digit"])
def test_lost_minus_sign_in_table_two_is_a_reading_doubt(scanned_document, touching):
    """Table 二 has no identity: a sign the recogniser dropped ("-44" read as "44", confidence
    1.0, in the harsh benchmark) is caught from the ink — the value stays as read, flagged."""
    _, document = scanned_document
    base = extract_document(document, "0" * 64, with_provenance=True)[0]
    where = base["provenance"]["values"]["table2"]["normative_docs"]["issued"]
    assert base["table2"]["normative_docs"]["issued"] == GOLD[BROKEN_GOLD]["table2"]["normative_docs"]["issued"] == 9
    assert where not in {u["where"] for u in base["provenance"]["ocr"]["uncertain"]}
    report = extract_document(_with_minus_stroke(document, where, touching), "0" * 64, with_provenance=True)[0]
    assert report["table2"]["normative_docs"]["issued"] == 9  # kept as read, never "fixed"
    [doubt] = [u for u in report["provenance"]["ocr"]["uncertain"] if u["where"] == where]
    assert doubt["read"] == 9 and "minus sign" in doubt["why"]
    assert report["source"]["ocr_uncertain"] is True
    assert any(n.startswith("ocr_uncertain: " + where) for n in report["provenance"]["notes"])


def test_amount_read_without_its_printed_unit_is_a_reading_doubt(scanned_document):
    """The 2021 format prints 本年收费金额（单位：万元）: a harsh scan's misread header lost the
    unit once ("万元" gold, None read). The amount stays as read; the report is flagged."""
    _, document = scanned_document
    base = extract_document(document, "0" * 64, with_provenance=True)[0]
    assert base["table2"]["admin_fees"] == GOLD[BROKEN_GOLD]["table2"]["admin_fees"] == {"amount": 0, "amount_unit": "万元"}
    misread = next(c.where for c in document.cells if "单位：万元" in c.text)
    text = next(c.text for c in document.cells if c.where == misread)
    report = extract_document(_with_text(document, misread, text.replace("万元", "万无")), "0" * 64,
                              with_provenance=True)[0]
    assert report["table2"]["admin_fees"] == {"amount": 0, "amount_unit": None}
    [doubt] = [u for u in report["provenance"]["ocr"]["uncertain"] if u["col"] == "amount_unit"]
    assert doubt["row"] == "admin_fees" and doubt["where"] == base["provenance"]["values"]["table2"]["admin_fees"]["amount"]
    assert report["source"]["ocr_uncertain"] is True and base["source"]["ocr_uncertain"] is False


def _doubtful_report(document):
    """A reading the identities cannot verify: cell read as 77, its ink erased from the scan."""
    base = extract_document(document, "0" * 64, with_provenance=True)[0]
    where = base["provenance"]["values"]["table3"]["granted"][0]
    page = document.info["ocr_page_images"][1]
    x0, y0, x1, y1 = document.info["ocr_cells"][where]["box"]
    blotted = dataclasses.replace(page, image=page.image.copy())
    blotted.image[y0 + 4:y1 - 4, x0 + 4:x1 - 4] = 255
    changed = _with_text(document, where, "77")
    changed.info["ocr_page_images"] = {1: blotted}
    return where, extract_document(changed, "0" * 64, with_provenance=True)[0]


def test_unconfirmed_value_stays_as_read_and_flags_the_report(table_page):
    where, report = _doubtful_report(table_page[1])
    assert report["table3"]["granted"][0] == 77  # kept as read
    assert report["provenance"]["ocr"]["corrections"] == []
    assert where in {u["where"] for u in report["provenance"]["ocr"]["uncertain"]}
    assert report["source"]["ocr_uncertain"] is True
    assert any(n.startswith("ocr_uncertain: " + where) for n in report["provenance"]["notes"])


def test_reading_doubt_is_its_own_quality_rule(table_page, tmp_path):
    """Ingest the PNG (a real OCR run through the loader), give it the verifier's doubt notes:
    the report is flagged by rule ocr_uncertain, which the clean reading does not fail."""
    import duckdb

    from gongkai.quality.validate import validate_warehouse
    from gongkai.warehouse.load import ingest

    db = tmp_path / "w.duckdb"
    ingest([str(table_page[0])], db, workers=1)
    validate_warehouse(db, docs_dir=None)
    query = "select rule, observed from quality_result where not passed and rule = 'ocr_uncertain'"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(query).fetchall() == []
    _, doubtful = _doubtful_report(table_page[1])
    with duckdb.connect(str(db)) as con:
        con.execute("update dim_report set notes = ?", [json.dumps(doubtful["provenance"]["notes"], ensure_ascii=False)])
    validate_warehouse(db, docs_dir=None, all_reports=True)  # changed behind the loader's back: re-check all
    with duckdb.connect(str(db), read_only=True) as con:
        failing = con.execute(query).fetchall()
        formats = con.execute("select source_format from dim_report").fetchall()
    assert failing == [("ocr_uncertain", 1.0)]
    assert formats == [("png",)]


def test_image_files_are_sniffed_and_checked(tmp_path):
    tiff = tmp_path / "page.tiff"
    tiff.write_bytes(b"II*\x00" + b"\x00" * 64)
    with pytest.raises(ExtractionError, match="corrupt image"):
        read_document(str(tiff))
    fake = tmp_path / "page.png"
    fake.write_bytes(b"%PDF-1.7\n%%EOF\n")
    with pytest.raises(ExtractionError, match="wrong extension"):
        read_document(str(fake))
    gif = tmp_path / "page.gif"
    gif.write_bytes(b"GIF89a....")
    with pytest.raises(ExtractionError, match="GIF"):
        read_document(str(gif))


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=ROOT)


def test_text_extraction_does_not_import_the_ocr_stack():
    result = _python(
        "import sys; from gongkai.extract import extract_file;"
        "extract_file('data/raw/001_e734d4ff9f7ecc9d.txt');"
        "print(sorted(m for m in ('onnxruntime', 'cv2', 'rapidocr', 'pypdfium2') if m in sys.modules))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_ocr_engine_uses_bundled_models_and_never_opens_a_socket(table_page):
    """Any socket use fails loudly in the child; the engine loads and reads a crop."""
    path = table_page[0]
    result = _python(
        "import socket\n"
        "class NoNetwork(socket.socket):\n"
        "    def __init__(self, *a, **k): raise RuntimeError('network use')\n"
        "socket.socket = NoNetwork\n"
        "socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(RuntimeError('network use'))\n"
        "from gongkai.ocr.engine import bundled_models, new_engine, recognise\n"
        "print(sorted(m.name for m in bundled_models()))\n"
        "import cv2\n"
        f"image = cv2.imread({str(path)!r}, cv2.IMREAD_GRAYSCALE)\n"
        "new_engine()\n"
        "print(any('总计' in t for _, t, _ in recognise(image[:image.shape[0] // 2])))\n")
    assert result.returncode == 0, result.stderr
    models, found = result.stdout.strip().splitlines()
    assert "det" in models and "rec" in models
    assert found == "True"


def test_row_whose_label_was_not_read_is_a_reading_doubt(table_page):
    """A harsh scan read （六）3.其他 as "3.其能": its number and position still place the row
    (a damaged label, noted on the report); with the number lost too ("其能") the row is
    missing, and the report says so as a reading doubt."""
    _, document = table_page
    label = [c for c in document.cells if "".join(c.text.split()) == "3.其他"]
    assert len(label) == 1, [c.text for c in document.cells if "其" in c.text]

    def read_as(text):
        cells = [c.replace(text=text) if c is label[0] else c for c in document.cells]
        return extract_document(document.replace(cells=cells), "0" * 64, with_provenance=True)[0]

    mapped = read_as("3.其能")
    assert "other_other" in mapped["table3"]
    assert [r["row"] for r in mapped["source"]["damaged_labels"]] == ["other_other"]
    lost = read_as("其能")
    assert "other_other" not in lost["table3"]
    assert lost["source"]["ocr_uncertain"] is True
    assert [u["row"] for u in lost["provenance"]["ocr"]["uncertain"]] == ["other_other"]


def test_detector_input_is_capped_on_tall_narrow_crops():
    """rapidocr's detector scales an image's short side up to 736 px: an 829 x 71 cell crop
    became 8600 x 736 (about 800 MB of activations, the worker's memory peak). The upscaling
    is capped at a full page's size; full pages and ordinary crops keep the default."""
    from gongkai.ocr.engine import DET_MAX_PIXELS, DET_SHORT_SIDE, det_short_side

    for height, width in ((2339, 1655), (300, 700), (120, 480)):
        assert det_short_side(height, width) == DET_SHORT_SIDE
    for height, width in ((829, 71), (1200, 90), (600, 60)):
        short = det_short_side(height, width)
        assert 32 <= short < DET_SHORT_SIDE
        assert max(height, width) * short / min(height, width) * short <= DET_MAX_PIXELS
