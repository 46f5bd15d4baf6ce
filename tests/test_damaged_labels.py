"""Damaged table-三 labels: a row whose words were lost but whose number and place survive.

The real report huaian_2024 (gold) is rendered as text and as a PDF (DOCX → LibreOffice),
with characters removed from the label of a 不予公开 sub-row ("6.属于四类过程性信息" →
"6．属于四", as a PDF font mapping that drops glyphs leaves it). The row is mapped by its
number inside the （三）不予公开 block and its position between rows 5 and 7, the report
says so in ``source.damaged_labels`` and in the provenance notes; when the position is
ambiguous too (no number left, a number that contradicts the position, two rows claiming
the same place) the row is not mapped: it stays missing.
"""

from __future__ import annotations

import zipfile

import pytest

from conftest import gold_cases, load_scorer
from gongkai.extract import extract_file
from gongkai.synth import pdf_from_docx, render_docx, render_text

SCORER = load_scorer()
GOLD = {gold["id"]: gold for _, gold in gold_cases()}["huaian_2024"]
LABEL = "6.属于四类过程性信息"
DAMAGED = "6．属于四"


def _damaged_text(tmp_path, *replacements) -> str:
    text = render_text(GOLD)
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "damaged.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _assert_mapped(report, where_prefix: str) -> None:
    ok, total, mismatches = SCORER.compare(GOLD, report, skip={"region_path", "adcode"})
    assert ok == total, "\n".join(mismatches[:10])
    assert report["table3"]["denied_process_info"] == GOLD["table3"]["denied_process_info"]
    assert report["table3"]["denied_process_info"][-1] == 12  # a real, non-zero row
    (repair,) = report["source"]["damaged_labels"]
    assert repair["row"] == "denied_process_info" and repair["printed_label"] == DAMAGED
    assert repair["number"] == "6." and repair["official_label"] == LABEL
    assert repair["where"].startswith(where_prefix)
    notes = report["provenance"]["notes"]
    assert any("denied_process_info" in n and "mapped by its number" in n for n in notes)
    assert all("label damaged" in w for w in report["provenance"]["values"]["table3"]["denied_process_info"])


def test_damaged_label_in_text_is_mapped_by_number_and_position(tmp_path):
    report = extract_file(_damaged_text(tmp_path, (LABEL, DAMAGED)), with_provenance=True)[0]
    _assert_mapped(report, "line ")


@pytest.mark.slow
def test_damaged_label_in_pdf_is_mapped_by_number_and_position(tmp_path):
    docx = render_docx(GOLD, tmp_path / "huaian.docx")
    damaged = tmp_path / "huaian_damaged.docx"
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                assert xml.count(LABEL) == 1
                data = xml.replace(LABEL, DAMAGED).encode("utf-8")
            target.writestr(item, data)
    (pdf,) = pdf_from_docx([damaged], tmp_path / "pdf")
    report = extract_file(str(pdf), with_provenance=True)[0]
    _assert_mapped(report, "page ")


@pytest.mark.parametrize("replacements, why", [
    (((LABEL, "属于四"),), "the number is lost too: nothing but position"),
    (((LABEL, "8．属于四"),), "the number contradicts the position (between rows 5 and 7)"),
    ((("5.属于三类内部事务信息", "6．属于"), (LABEL, DAMAGED)), "two damaged rows claim the same number"),
])
def test_ambiguous_damaged_labels_are_not_mapped(tmp_path, replacements, why):
    report = extract_file(_damaged_text(tmp_path, *replacements), with_provenance=True)[0]
    assert "denied_process_info" not in report["table3"], why
    assert "damaged_labels" not in report["source"]
    # everything else is still read
    assert report["table3"]["denied_law_enforcement_file"] == GOLD["table3"]["denied_law_enforcement_file"]


def test_an_intact_report_has_no_label_note(tmp_path):
    report = extract_file(_damaged_text(tmp_path), with_provenance=True)[0]
    assert "damaged_labels" not in report["source"] and report["provenance"]["notes"] == []


def test_a_damaged_block_label_is_mapped_by_its_numeral(tmp_path):
    """2019 format: （六）其他处理 is one data row; "（六）其" keeps its numeral and place."""
    gold = {g["id"]: g for _, g in gold_cases()}["seed000"]
    text = render_text(gold)
    assert text.count("（六）其他处理") == 1
    path = tmp_path / "damaged_2019.txt"
    path.write_text(text.replace("（六）其他处理", "（六）其"), encoding="utf-8")
    report = extract_file(str(path))[0]
    ok, total, mismatches = SCORER.compare(gold, report, skip={"region_path", "adcode"})
    assert ok == total, mismatches[:5]
    assert [r["row"] for r in report["source"]["damaged_labels"]] == ["other"]
    assert report["source"]["damaged_labels"][0]["number"] == "（六）"
