"""The synthetic generator and the renderers themselves (gongkai.synth).

Generation: contract keys, formats by year, identities held unless the truth says which
cell was perturbed, I5 across an agency's consecutive years, determinism, speed.
Renderers: real merged cells in the DOCX XML, a CJK text layer in the PDF with table 三
across two pages, GBK pages that only decode as GBK, blank-zero pages, and round trips of
generated reports through the real extractor.
"""

from __future__ import annotations

import json
import re
import statistics
import zipfile

import pytest
from lxml import etree

from conftest import load_scorer, shared_path
from gongkai import formats as F
from gongkai.extract import CONTRACT_KEYS, extract_file
from gongkai.synth import (
    check_identities,
    generate_reports,
    generate_with_truth,
    pdf_from_docx,
    render_docx,
    render_html,
    render_text,
    soffice_binary,
)
from gongkai.synth.document import blankable_cells

SCORER = load_scorer()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pick(predicate, *, seed: int = 11, n: int = 3000) -> dict:
    """The first generated report satisfying ``predicate``."""
    for report in generate_reports(n, seed=seed):
        if predicate(report):
            return report
    raise AssertionError("no generated report fits")


def has_three_other_rows(report: dict) -> bool:
    return report["template"] == "2021" and "other_other" in report["table3"] and "table4" in report


def has_one_other_row(report: dict) -> bool:
    return report["template"] == "2019" and "other" in report["table3"] and "table4" in report


def round_trip_failures(cases) -> list[str]:
    """Extract each (file, report) and compare as the scorer does; one line per failing file."""
    failures = []
    for path, report in cases:
        reports = extract_file(str(path))
        if len(reports) != 1:
            failures.append(f"{path.name}: {len(reports)} reports")
            continue
        ok, total, mismatches = SCORER.compare(report, reports[0], skip={"region_path", "adcode"})
        if ok != total:
            failures.append(f"{path.name} ({report['agency']} {report['year']}): {ok}/{total}: "
                            + "; ".join(mismatches[:6]))
    return failures


def assert_round_trips(cases) -> None:
    cases = list(cases)
    failures = round_trip_failures(cases)
    assert not failures, f"{len(failures)} of {len(cases)} files:\n" + "\n".join(failures[:25])


# --- generation ---------------------------------------------------------------------------


def test_reports_have_exactly_the_contract_keys_and_shapes():
    for report in generate_reports(500, seed=1):
        # a table the document does not print is absent (here: a truncated table 四)
        assert tuple(report) in (CONTRACT_KEYS, tuple(k for k in CONTRACT_KEYS if k != "table4"))
        assert report["template"] == ("2019" if report["year"] <= 2020 else "2021")
        assert report["agency"].startswith(report["region_text"])
        assert report["region_path"][-1] in report["region_text"] or report["region_text"].startswith(
            report["region_path"][-1])
        rows = list(report["table3"])
        assert rows == [r.key for r in F.TABLE3_ROWS if r.key in rows]  # official order
        assert all(len(v) == 7 for v in report["table3"].values())
        other = [k for k in rows if k.startswith("other")]
        assert other in (["other"], ["other_overdue_correction", "other_unpaid_fee", "other_other"])
        if report["template"] == "2019":
            assert other == ["other"]
        items = {i.key: i for i in F.TABLE2_ITEMS[report["template"]]}
        for key, measures in report["table2"].items():
            expected = [m for m, _ in items[key].measures]
            if items[key].unit_measure:
                expected.append(f"{items[key].unit_measure}_unit")
            assert list(measures) == expected
        if "table4" in report:
            assert list(report["table4"]) == [g for g, _ in F.TABLE4_GROUPS]
            assert all(len(v) == 5 for v in report["table4"].values())


def test_identities_hold_unless_the_truth_says_which_cell_breaks_them():
    pairs = list(generate_with_truth(5000, seed=2, inconsistent_share=0.1))
    inconsistent = [(r, t) for r, t in pairs if t["inconsistent"]]
    assert 0.07 * len(pairs) < len(inconsistent) < 0.13 * len(pairs)
    for report, truth in pairs:
        violations = check_identities(report)
        if not truth["inconsistent"]:
            # I5 is between two reports: last year's perturbed 结转 shows in this one's truth
            assert violations == [] and all(v["rule"] == "I5" for v in truth["violations"]), report["id"]
            continue
        assert violations, report["id"]
        assert [v for v in truth["violations"] if v["rule"] != "I5"] == violations
        (cell,) = truth["perturbed"]
        row = report[cell["table"]][cell["row"]]
        assert row[cell["index"]] == cell["printed"] != cell["consistent"]
        row[cell["index"]] = cell["consistent"]  # undoing the perturbation restores every identity
        assert check_identities(report) == []
    assert not any(t["inconsistent"] for _, t in generate_with_truth(2000, seed=2, inconsistent_share=0))


def test_carried_over_equals_last_years_carried_forward_unless_flagged():
    pairs = list(generate_with_truth(5000, seed=3))
    by_key = {(r["agency"], r["year"]): (r, t) for r, t in pairs}
    assert len(by_key) == len(pairs), "an agency-year repeats"
    checked = 0
    for (agency, year), (report, truth) in by_key.items():
        if (agency, year - 1) not in by_key:
            continue
        previous = by_key[(agency, year - 1)][0]
        differ = [col for col, a, b in zip(F.APPLICANT_KEYS, report["table3"]["carried_over"],
                                            previous["table3"]["carried_forward"]) if a != b]
        flagged = [v["where"] for v in truth["violations"] if v["rule"] == "I5"]
        assert flagged == [f"{col} vs {year - 1}" for col in differ], (agency, year, truth)
        checked += 1
    assert checked > 2000


def test_generation_is_deterministic_with_unique_ids():
    first = list(generate_reports(300, seed=5))
    assert first == list(generate_reports(300, seed=5))
    assert first != list(generate_reports(300, seed=6))
    ids = [r["id"] for r in generate_reports(20000, seed=5)]
    assert len(set(ids)) == len(ids)
    assert {r["year"] for r in generate_reports(200, seed=5, years=[2022, 2023])} <= {2022, 2023}


def test_values_are_skewed_like_real_reports():
    reports = list(generate_reports(5000, seed=4))
    received = [r["table3"]["new_received"][6] for r in reports]
    assert statistics.median(received) <= 3
    assert max(received) > 500
    natural = sum(r["table3"]["new_received"][0] for r in reports)
    assert natural > 0.8 * sum(received)
    assert all(v >= 0 for r in reports for row in r["table3"].values() for v in row)
    units = {r["table2"]["procurement"]["amount_unit"] for r in reports if r["template"] == "2019"}
    assert units == {"元", "万元", "亿元", None}


def test_generation_streams_and_is_deterministic():
    # Generation speed is a benchmark figure (benchmarks/national_scale.py), not a test.
    first = [r["id"] for r in generate_reports(2_000, seed=9)]
    again = [r["id"] for r in generate_reports(2_000, seed=9)]
    assert len(first) == 2_000 and first == again and len(set(first)) == 2_000


# --- DOCX -----------------------------------------------------------------------------------


def word_spans(table) -> dict[str, tuple[int, int]]:
    """{cell text: (rowspan, colspan)} of a Word table, read from w:vMerge and w:gridSpan."""
    rows = []
    for tr in table.findall(f"{W}tr"):
        col, cells = 0, []
        for tc in tr.findall(f"{W}tc"):
            grid_span = tc.find(f"{W}tcPr/{W}gridSpan")
            span = int(grid_span.get(f"{W}val")) if grid_span is not None else 1
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            state = None if merge is None else merge.get(f"{W}val", "continue")
            cells.append((col, span, state, "".join(t.text or "" for t in tc.iter(f"{W}t"))))
            col += span
        rows.append(cells)
    spans: dict[str, tuple[int, int]] = {}
    for r, cells in enumerate(rows):
        for col, span, state, text in cells:
            if state == "continue":
                assert text == "", f"continuation cell with text {text!r}"
                continue
            rowspan = 1
            if state == "restart":
                for below in rows[r + 1:]:
                    if not any(c == col and s == "continue" and w == span for c, w, s, _ in below):
                        break
                    rowspan += 1
            spans.setdefault(text, (rowspan, span))
    return spans


def word_tables(path) -> list:
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return root.findall(f".//{W}tbl")


def test_docx_has_the_official_merged_cells(tmp_path):
    report = pick(has_three_other_rows)
    path = render_docx(report, tmp_path / "r2021.docx")
    table2, table3, table4 = word_tables(path)
    assert word_spans(table2)["第二十条第（五）项"] == (1, 4)
    assert word_spans(table2)["本年处理决定数量"] == (1, 3)
    t3 = word_spans(table3)
    assert t3["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] == (3, 3)
    assert t3["申请人情况"] == (1, 7)
    assert t3["自然人"] == (2, 1)
    assert t3["法人或其他组织"] == (1, 5)
    assert t3["总计"] == (2, 1)
    assert t3["一、本年新收政府信息公开申请数量"] == (1, 3)
    assert t3["三、本年度办理结果"] == (22, 1)
    assert t3["（一）予以公开"] == (1, 2)
    assert t3["（三）不予公开"] == (8, 1)
    assert t3["（四）无法提供"] == (3, 1)
    assert t3["（五）不予处理"] == (5, 1)
    assert t3["（六）其他处理"] == (3, 1)
    assert t3["（七）总计"] == (1, 2)
    assert t3["四、结转下年度继续办理"] == (1, 3)
    t4 = word_spans(table4)
    assert t4["行政复议"] == (1, 5) and t4["行政诉讼"] == (1, 10)
    assert t4["未经复议直接起诉"] == (1, 5) and t4["复议后起诉"] == (1, 5)
    assert t4["结果维持"] == (2, 1)
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert 'w:eastAsia="Noto' in zipfile.ZipFile(path).read("word/styles.xml").decode()
    assert "w:tblHeader" not in xml

    old = render_docx(pick(has_one_other_row), tmp_path / "r2019.docx", split_table3=True)
    t3 = word_spans(word_tables(old)[1])
    assert t3["三、本年度办理结果"] == (20, 1)
    assert t3["（六）其他处理"] == (1, 2)
    assert zipfile.ZipFile(old).read("word/document.xml").decode().count("<w:tblHeader/>") == 3


# --- HTML -----------------------------------------------------------------------------------


def test_gbk_page_declares_gb2312_and_decodes_only_as_gbk():
    report = pick(has_three_other_rows)
    data = render_html(report, encoding="gbk")
    assert b"<meta charset=gb2312>" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gbk")
    assert report["agency"] in text and "三、收到和处理政府信息公开申请情况" in text
    utf8 = render_html(report)
    assert b'<meta charset="utf-8">' in utf8 and utf8.decode("utf-8") == text.replace(
        "<meta charset=gb2312>", '<meta charset="utf-8">')


def test_blank_zero_page_blanks_only_zeros_that_read_as_zero():
    gold = json.loads((shared_path("gold") / "seed000.json").read_text(encoding="utf-8"))
    blanks = blankable_cells(gold)
    # new_received prints 1 | 0 ... | 总计 0: that 0 is a broken total, not a blank
    assert ("table3", "new_received", 6) not in blanks
    assert ("table3", "new_received", 1) not in blanks  # in the broken row I2
    assert ("table3", "granted", 1) in blanks
    page = render_html(gold, blank_zeros=True).decode("utf-8")
    assert len(re.findall(r"<td[^>]*></td>", page)) == len(blanks)
    plain = render_html(gold).decode("utf-8")
    assert not re.findall(r"<td[^>]*></td>", plain)


# --- round trips through the real extractor -------------------------------------------------


def test_gold_reports_round_trip_through_text(tmp_path):
    cases = []
    for gold_file in sorted(shared_path("gold").glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        path = tmp_path / f"{gold['id']}.txt"
        path.write_text(render_text(gold), encoding="utf-8")
        cases.append((path, gold))
    assert_round_trips(cases)


def test_generated_reports_round_trip_through_text(tmp_path):
    cases = []
    for report in generate_reports(300, seed=21, inconsistent_share=0.2):
        path = tmp_path / f"{report['id']}.txt"
        path.write_text(render_text(report), encoding="utf-8")
        cases.append((path, report))
    assert_round_trips(cases)


def test_generated_reports_round_trip_through_html_and_docx(tmp_path):
    cases = []
    for i, report in enumerate(generate_reports(90, seed=22, inconsistent_share=0.2)):
        if i % 3 == 0:
            path = tmp_path / f"{report['id']}.gbk.html"
            path.write_bytes(render_html(report, encoding="gbk"))
        elif i % 3 == 1:
            path = tmp_path / f"{report['id']}.blank.html"
            path.write_bytes(render_html(report, blank_zeros=True))
        else:
            path = render_docx(report, tmp_path / f"{report['id']}.docx", split_table3=i % 2 == 0)
        cases.append((path, report))
    assert_round_trips(cases)


# --- PDF (LibreOffice) ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated_pdfs(tmp_path_factory):
    """A few generated reports of every shape, as DOCX then PDF in one LibreOffice run."""
    if soffice_binary() is None:
        pytest.fail("LibreOffice (soffice) is not installed: the PDF renderings need it")
    out = tmp_path_factory.mktemp("synth_pdf")
    chosen = [
        pick(has_three_other_rows),
        pick(has_one_other_row),
        pick(lambda r: r["template"] == "2021" and "other" in r["table3"]),
        pick(lambda r: "table4" not in r),
        pick(lambda r: "rules" not in r["table2"]),
        pick(lambda r: r["table3"]["new_received"][6] > 200),
    ]
    docx = [render_docx(r, out / f"{r['id']}.docx") for r in chosen]
    docx.append(render_docx(chosen[0], out / "split.docx", split_table3=True))
    pdfs = pdf_from_docx(docx, out)
    return chosen, pdfs


@pytest.mark.slow
def test_pdf_has_a_cjk_text_layer_and_the_split_table_spans_two_pages(generated_pdfs):
    import pdfplumber

    chosen, pdfs = generated_pdfs
    labels = [row.label for row in F.TABLE3_ROWS if row.key in chosen[0]["table3"]]
    with pdfplumber.open(pdfs[0]) as pdf:
        text = "".join("".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert chosen[0]["agency"] in text
    missing = [label for label in labels if label[:8] not in text]
    assert not missing, missing

    pages = []
    with pdfplumber.open(pdfs[-1]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            text = "".join((page.extract_text() or "").split())
            found = [label for label in labels if label[:8] in text]
            if found:
                pages.append((number, found))
    assert len(pages) == 2 and pages[1][0] == pages[0][0] + 1, pages
    assert "一、本年新收政府信息公开申请数量" in pages[0][1]
    assert "四、结转下年度继续办理" in pages[1][1]


@pytest.mark.slow
def test_generated_reports_round_trip_through_pdf(generated_pdfs):
    chosen, pdfs = generated_pdfs
    assert_round_trips(zip(pdfs, chosen + [chosen[0]]))
