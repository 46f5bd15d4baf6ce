"""How published reports deviate (TEMPLATES.md), one test per variant, on edited seeds.

Each test edits a real seed the way real reports deviate, extracts it, and checks the
exact values that must (or must not) change.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, shared_path
from gongkai.extract import extract_file
from gongkai.values import parse_value

RAW = ROOT / "data" / "raw"
WUZHAI = RAW / "000_a0b312813d1ea27c.txt"  # 2019 format, one cell per tab-indented line
WEIYUAN = RAW / "001_e734d4ff9f7ecc9d.txt"  # 2021 format, "value |" cells, report printed twice
SISHUI = RAW / "003_4069a6ea5ccfdf01.txt"  # 2019 format, 表四 printed without numbers


def gold(name: str) -> dict:
    return json.loads((shared_path("gold") / f"{name}.json").read_text(encoding="utf-8"))


def extract_text(tmp_path: Path, text: str, name: str = "variant.txt") -> list[dict]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract_file(str(path))


def only(reports: list[dict]) -> dict:
    assert len(reports) == 1, [r["id"] for r in reports]
    return reports[0]


def tables(report: dict) -> dict:
    return {k: report.get(k) for k in ("template", "table2", "table3", "table4")}


def first_report_text(path: Path) -> str:
    """Weiyuan's file holds its report twice; the first copy alone."""
    text = path.read_text(encoding="utf-8")
    title = text.splitlines()[0]
    second = text.find(title, len(title))
    return text[:second] if second > 0 else text


def test_label_variants_read_as_the_standard_rows(tmp_path):
    text = WUZHAI.read_text(encoding="utf-8")
    variant = (text.replace("商业企业", "商业机构").replace("法律服务机构", "法律服务")
               .replace("（七）总计", "（七）合计").replace("结转下年度继续办理", "结转下一年度继续办理")
               .replace("三安全一稳定", "三安全 一稳定"))
    assert variant != text
    assert tables(only(extract_text(tmp_path, variant))) == tables(only(extract_file(str(WUZHAI))))


def test_ascii_parentheses_read_like_full_width_ones(tmp_path):
    text = WUZHAI.read_text(encoding="utf-8")
    variant = text.replace("（", "(").replace("）", ")")
    assert variant.count("(") > 20
    assert tables(only(extract_text(tmp_path, variant))) == tables(only(extract_file(str(WUZHAI))))


def test_full_width_digits_and_padding_are_numbers(tmp_path):
    text = WUZHAI.read_text(encoding="utf-8")
    assert "\t4525\n" in text  # 行政许可 处理决定数量
    variant = text.replace("\t4525\n", "\t ４５２５ \n").replace("\t137\n", "\t１３７\n")
    report = only(extract_text(tmp_path, variant))
    assert report["table2"]["admin_license"]["decisions"] == 4525
    assert report["table2"]["procurement"]["count"] == 137


def test_dash_and_slash_placeholders_are_blank_not_zero(tmp_path):
    text = first_report_text(WEIYUAN)
    lines = text.split("\n")
    start = lines.index("(一)予以公开 |")
    # the 予以公开 row prints 10 0 0 0 0 0 10 in gold; blank out its zeros with — and /
    row = lines[start + 1:start + 8]
    assert [cell.rstrip(" |") for cell in row] == [str(v) for v in gold("seed001")["table3"]["granted"]]
    for offset, placeholder in ((2, "—"), (3, "/"), (4, "-"), (5, "无")):
        lines[start + offset] = f"{placeholder} |"
    report = only(extract_text(tmp_path, "\n".join(lines)))
    granted = gold("seed001")["table3"]["granted"]
    assert report["table3"]["granted"] == [granted[0], None, None, None, None, granted[5], granted[6]]


def test_amounts_keep_their_printed_units(tmp_path):
    # 2019 procurement amount "3.60577亿元" stays 3.60577 亿元 (never converted)
    report = only(extract_file(str(WUZHAI)))
    assert report["table2"]["procurement"] == {"count": 137, "amount": 3.60577, "amount_unit": "亿元"}
    # 2021 fees printed in 元 inside the cell
    text = first_report_text(WEIYUAN)
    assert "4221.6528" in text
    report = only(extract_text(tmp_path, text.replace("4221.6528", "251000元")))
    assert report["table2"]["admin_fees"] == {"amount": 251000, "amount_unit": "元"}


def test_a_2021_report_with_a_single_other_row(tmp_path):
    lines = first_report_text(WEIYUAN).split("\n")
    start, stop = lines.index("(六)其他处理 |"), lines.index("(七)总计 |")
    single = ["(六)其他处理 |", "2 |", "0 |", "0 |", "0 |", "0 |", "0 |", "2 |", "||"]
    report = only(extract_text(tmp_path, "\n".join(lines[:start] + single + lines[stop:])))
    assert report["template"] == "2021"
    assert report["table3"]["other"] == [2, 0, 0, 0, 0, 0, 2]
    assert not {"other_overdue_correction", "other_unpaid_fee", "other_other"} & set(report["table3"])


def test_tables_printed_without_numbers_are_absent_not_zeros(tmp_path):
    report = only(extract_file(str(SISHUI)))
    assert "table4" not in report  # 表四 heading and labels, no numbers (published as an image)
    assert report["table3"] == gold("seed003")["table3"]
    # and a report whose every table lost its numbers has no tables at all
    text = WUZHAI.read_text(encoding="utf-8")
    numberless = "\n".join(line for line in text.split("\n")
                           if not line.strip() or parse_value(line) is None or parse_value(line).is_blank)
    report = only(extract_text(tmp_path, numberless))
    assert not {"table2", "table3", "table4"} & set(report)
    assert report["agency"] == "五寨县人民政府" and report["year"] == 2020


def test_a_report_printed_twice_in_one_file_is_one_report(tmp_path):
    single = first_report_text(WEIYUAN)
    doubled = extract_file(str(WEIYUAN))
    assert single != WEIYUAN.read_text(encoding="utf-8")  # the file really holds two copies
    assert tables(only(doubled)) == tables(only(extract_text(tmp_path, single)))
    # the same for a report we double ourselves
    text = WUZHAI.read_text(encoding="utf-8")
    assert tables(only(extract_text(tmp_path, text + "\n\n" + text, "twice.txt"))) == tables(only(extract_file(str(WUZHAI))))
