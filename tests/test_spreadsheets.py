"""Spreadsheet attachments: every gold report as .xlsx, .xls, .et and .ods extracts back to its gold.

Renderings (gongkai.synth.spreadsheet): an .xlsx written by openpyxl with the official
merged cells (merged header blocks, merged row labels, colspan value cells), on one sheet
and with a sheet per section; LibreOffice Calc converts the one-sheet workbook to .xls
(BIFF8) and .ods in one run each; a WPS .et is the same BIFF8 file under its own name.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from conftest import gold_cases, load_scorer
from gongkai.extract import extract_file
from gongkai.readers import read_document
from gongkai.readers.base import ExtractionError
from gongkai.readers.sheet import cell_text
from gongkai.synth import soffice_binary
from gongkai.synth.spreadsheet import as_et, render_xlsx, soffice_convert

SCORER = load_scorer()
GOLD = {gold["id"]: gold for _, gold in gold_cases()}
IDS = sorted(GOLD)
KINDS = ("xlsx", "xlsx_per_sheet", "xls", "et", "ods")


@pytest.fixture(scope="module")
def sheet_files(tmp_path_factory) -> dict[tuple[str, str], object]:
    if soffice_binary() is None:
        pytest.fail("LibreOffice (soffice, with Calc) is not installed: run scripts/setup.sh")
    out = tmp_path_factory.mktemp("rendered_sheets")
    files = {}
    for gid in IDS:
        files[(gid, "xlsx")] = render_xlsx(GOLD[gid], out / f"{gid}.xlsx")
        files[(gid, "xlsx_per_sheet")] = render_xlsx(GOLD[gid], out / f"{gid}.sheets.xlsx", sheets="per_table")
    one_sheet = [files[(gid, "xlsx")] for gid in IDS]
    for fmt in ("xls", "ods"):
        for gid, path in zip(IDS, soffice_convert(one_sheet, fmt, out / fmt)):
            files[(gid, fmt)] = path
    for gid in IDS:
        files[(gid, "et")] = as_et(files[(gid, "xls")], out / "xls")
    return files


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("gid", IDS)
def test_spreadsheet_rendering_matches_gold(sheet_files, gid, kind):
    path = sheet_files[(gid, kind)]
    reports = extract_file(str(path))
    assert len(reports) == 1
    ok, total, mismatches = SCORER.compare(GOLD[gid], reports[0], skip={"region_path", "adcode"})
    assert ok == total, f"{path.name}: {ok}/{total}\n" + "\n".join(mismatches[:30])
    assert reports[0]["source"]["format"] == ("xlsx" if kind.startswith("xlsx") else kind)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ("xlsx", "xls", "ods"))
def test_merged_cells_are_read_once_with_sheet_row_col_provenance(sheet_files, kind):
    gid = IDS[0]
    document = read_document(str(sheet_files[(gid, kind)]))
    assert document.info["merged_ranges"] == "read"
    # the 3-row header block of table 三 is one cell, at its top-left position only
    block = [c for c in document.cells if c.text.startswith("（本列数据的勾稽关系")]
    assert len(block) == 1
    assert block[0].where.startswith("sheet ") and " row " in block[0].where and block[0].where.endswith(" col 1")
    row_cells = [c for c in document.cells if c.row == block[0].row]
    assert [c.col for c in row_cells][:2] == [0, 3]  # columns 2-3 are covered by the merge
    report = extract_file(str(sheet_files[(gid, kind)]), with_provenance=True)[0]
    where = report["provenance"]["values"]["table3"]["new_received"][0]
    assert where.startswith("sheet 年度报告 row ") and where.endswith(" col 4")


def test_cell_text_prints_spreadsheet_numbers_as_printed():
    assert [cell_text(v) for v in (12.0, 0.0, 24252.311082, "  3 ", None, True)] == [
        "12", "0", "24252.311082", "3", "", "TRUE"]


def test_container_sniffing_tells_word_from_spreadsheet(tmp_path, sheet_files):
    xls = sheet_files[(IDS[0], "xls")].read_bytes()
    named_doc = tmp_path / "report.doc"
    named_doc.write_bytes(xls)
    with pytest.raises(ExtractionError, match="named '.doc' but the content is a spreadsheet"):
        extract_file(str(named_doc))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    docx_named_xlsx = tmp_path / "report.xlsx"
    docx_named_xlsx.write_bytes(package.getvalue())
    with pytest.raises(ExtractionError, match="named '.xlsx' but the content is a Word/WPS document"):
        extract_file(str(docx_named_xlsx))


def test_a_corrupt_spreadsheet_is_one_clear_error(tmp_path):
    broken = tmp_path / "broken.xlsx"
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("xl/workbook.xml", "<not a workbook")
    broken.write_bytes(package.getvalue())
    with pytest.raises(ExtractionError, match="corrupt or unreadable spreadsheet") as info:
        extract_file(str(broken))
    assert "\n" not in str(info.value)


def test_xls_exports_that_are_html_or_text_and_ooxml_et_are_read(tmp_path, sheet_files):
    """Portals' ".xls" exports are often an HTML table or tab-separated text; newer WPS
    writes .et as an OOXML package. Each is read by what its bytes are."""
    from gongkai.synth import render_html, render_text

    gid = IDS[0]
    cases = {
        "page.xls": render_html(GOLD[gid]),
        "export.xls": render_text(GOLD[gid]).encode("utf-8"),
        "wps.et": sheet_files[(gid, "xlsx")].read_bytes(),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        report = extract_file(str(path))[0]
        ok, total, mismatches = SCORER.compare(GOLD[gid], report, skip={"region_path", "adcode"})
        assert ok == total, f"{name}: {mismatches[:5]}"


def test_a_sheet_is_read_up_to_the_row_bound(tmp_path, monkeypatch):
    from openpyxl import Workbook

    from gongkai.readers import sheet

    workbook = Workbook()
    for r in range(1, 31):
        workbook.active.cell(row=r, column=1, value=f"第{r}行")
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    monkeypatch.setattr(sheet, "MAX_ROWS", 10)
    document = read_document(str(path))
    assert [c.text for c in document.cells][-1] == "第10行"
    assert document.info["sheets_truncated"] == "read the first 10 rows of Sheet"
