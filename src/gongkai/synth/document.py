"""A report as a published document: title, sections, prose and the official tables.

`build_document` turns a contract dict (generated or gold) into blocks: paragraphs and
tables whose cells carry the official merges (rowspan/colspan, HTML semantics). The text,
HTML and DOCX renderers all print these same blocks, so every rendering of one report has
the same words and the same numbers in the same places.

Row and column labels come from `gongkai.formats`; only the printed words that are not
labels of a row or column (the 勾稽关系 note, 申请人情况, 法人或其他组织, 行政诉讼 …) are
spelled out here.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from gongkai import formats as F

# printed words of the official tables that are not row/column labels
T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = "申请人情况"
T3_ORGANISATIONS = "法人或其他组织"
T3_RESULTS = "三、本年度办理结果"
T4_RECONSIDERATION = "行政复议"
T4_LITIGATION = "行政诉讼"
T2_CONTENT = "信息内容"

SECTION_TITLES = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

_UNIT_RE = re.compile(r"亿元|万元|元")
_CLAUSE_ORDER = ("一", "五", "六", "八", "九")


@dataclass(slots=True)
class Cell:
    """An origin cell of a table: it covers ``rowspan`` x ``colspan`` grid positions."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # label | header | value
    key: tuple | None = None  # (table, row key, column index) for value cells
    align: str = "center"  # center | left


@dataclass(slots=True)
class Table:
    name: str  # table2 | table3 | table4
    rows: list[list[Cell]]
    widths: tuple[float, ...]  # cm per grid column
    header_rows: int = 0  # rows repeated on each page when the table is split

    @property
    def ncols(self) -> int:
        return len(self.widths)

    def placed(self) -> list[list[tuple[int, Cell | None, int]]]:
        """Per row, what Word stores: (grid column, origin cell or None if covered from above, span).

        A position covered by a cell starting in an earlier row is returned as ``None``
        with the covering cell's colspan (a ``w:vMerge`` continuation cell).
        """
        covered: dict[tuple[int, int], Cell] = {}
        origin_col: dict[int, int] = {}
        out = []
        for r, row in enumerate(self.rows):
            items: list[tuple[int, Cell | None, int]] = []
            c = 0
            cells = iter(row)
            while c < self.ncols:
                above = covered.get((r, c))
                if above is not None:
                    items.append((c, None, above.colspan))
                    c += above.colspan
                    continue
                cell = next(cells, None)
                if cell is None:
                    raise ValueError(f"{self.name} row {r}: cells do not fill the grid at column {c}")
                origin_col[id(cell)] = c
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if dr:
                            covered[(r + dr, c + dc)] = cell
                items.append((c, cell, cell.colspan))
                c += cell.colspan
            if next(cells, None) is not None:
                raise ValueError(f"{self.name} row {r}: more cells than grid columns")
            out.append(items)
        return out


@dataclass(slots=True)
class Paragraph:
    text: str
    kind: str = "body"  # title | heading | subheading | body | signature
    page_break_before: bool = False


@dataclass(slots=True)
class Document:
    title: str
    agency: str
    year: int | None
    blocks: list[Paragraph | Table] = field(default_factory=list)


# --- values ---------------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """A number as a report prints it: integers plainly, decimals as written (no exponent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            text = f"{value:.10f}".rstrip("0").rstrip(".")
        return text
    return str(value)


def blankable_cells(report: dict[str, Any]) -> set[tuple]:
    """Value cells printing 0 that a reader may print blank without changing their meaning.

    A blank cell reads as 0 (REPORT_SCHEMA.md), except that a blank total on a non-zero
    row is not 0 (TEMPLATES.md: derive or flag it). So a 0 is blankable only when every
    identity it takes part in holds: then deriving it from the others gives 0 as well.
    """
    out: set[tuple] = set()
    for item, measures in (report.get("table2") or {}).items():
        for measure, value in measures.items():
            if value == 0 and not measure.endswith("_unit"):
                out.add(("table2", item, measure))
    from gongkai.synth.generate import check_identities

    broken = {(v["rule"], v["where"]) for v in check_identities(report)}
    t3 = report.get("table3") or {}
    leaves = {k for k in F.LEAF_DISPOSITIONS if k in t3}
    for key, row in t3.items():
        for c, value in enumerate(row):
            column = F.APPLICANT_KEYS[c]
            ok = value == 0 and ("I2", key) not in broken
            if key in ("new_received", "carried_over", "total", "carried_forward"):
                ok = ok and ("I1", column) not in broken
            if key in leaves or key == "total":
                ok = ok and ("I3", column) not in broken
            if ok:
                out.add(("table3", key, c))
    for group, values in (report.get("table4") or {}).items():
        if ("I4", group) not in broken:
            out.update(("table4", group, i) for i, v in enumerate(values) if v == 0)
    return out


# --- tables ---------------------------------------------------------------------------------


def _value(report_value: Any, key: tuple, blanks: set[tuple], span: int = 1) -> Cell:
    text = "" if key in blanks else format_number(report_value)
    return Cell(text, colspan=span, kind="value", key=key)


def _unit_of(header: str) -> str | None:
    match = _UNIT_RE.search(header)
    return match.group(0) if match else None


def table2(report: dict[str, Any], blanks: set[tuple]) -> Table:
    """Section 二 in the report's format; items the report lacks are not printed."""
    template = report.get("template") or "2021"
    data = report.get("table2")
    rows: list[list[Cell]] = []
    items = F.TABLE2_ITEMS[template]
    for clause in _CLAUSE_ORDER:
        group = [item for item in items if item.clause == clause]
        if not group:
            continue
        printed = [item for item in group if data and item.key in data]
        if data and not printed:
            continue
        rows.append([Cell(f"第二十条第（{clause}）项", colspan=4, kind="header")])
        headers = [h for _, h in group[0].measures]
        spans = _spans(len(headers))
        rows.append([Cell(T2_CONTENT, kind="header")] +
                    [Cell(h, colspan=s, kind="header") for h, s in zip(headers, spans)])
        for item in printed:
            values = data[item.key]
            row = [Cell(item.label)]
            for (measure, header), span in zip(item.measures, spans):
                cell = _value(values.get(measure), ("table2", item.key, measure), blanks, span)
                unit = values.get(f"{measure}_unit") if measure == item.unit_measure else None
                if unit and unit != _unit_of(header) and cell.text:
                    cell.text += unit  # "984361元", "3.60577亿元": the unit printed in the cell
                row.append(cell)
            rows.append(row)
        if not data:
            break  # not printed: the first heading rows only (a table published as an image)
    return Table("table2", rows, (4.6, 3.8, 3.8, 3.8))


def _spans(n: int) -> list[int]:
    """Grid spans of n value columns in the 4-column table 二."""
    return {3: [1, 1, 1], 2: [1, 2], 1: [3]}[n]


def table3(report: dict[str, Any], blanks: set[tuple]) -> Table:
    """Section 三 with the official header block and merged row labels."""
    data = report.get("table3")
    rows: list[list[Cell]] = [
        [Cell(T3_CORNER, rowspan=3, colspan=3, kind="header"), Cell(T3_APPLICANTS, colspan=7, kind="header")],
        [Cell(F.APPLICANT_TYPES[0][1], rowspan=2, kind="header"),
         Cell(T3_ORGANISATIONS, colspan=5, kind="header"),
         Cell(F.APPLICANT_TYPES[6][1], rowspan=2, kind="header")],
        [Cell(label, kind="header") for _, label in F.APPLICANT_TYPES[1:6]],
    ]
    if data:
        printed = [row for row in F.TABLE3_ROWS if row.key in data]
        results = [row for row in printed if row.group == "result"]
        categories: dict[str | None, list[F.DispositionRow]] = {}
        for row in results:
            categories.setdefault(row.category, []).append(row)
        numerals = dict(F.TABLE3_CATEGORIES)
        first_result = True
        for row in printed:
            values = [_value(v, ("table3", row.key, c), blanks) for c, v in enumerate(data[row.key])]
            cells: list[Cell] = []
            if row.group != "result":
                cells.append(Cell(row.label, colspan=3, align="left"))
            else:
                if first_result:
                    cells.append(Cell(T3_RESULTS, rowspan=len(results)))
                    first_result = False
                siblings = categories.get(row.category, [])
                leaf = row.category in ("不予公开", "无法提供", "不予处理") or (
                    row.category == "其他处理" and row.key != "other")
                if leaf:
                    if row is siblings[0]:
                        label = f"（{numerals[row.category]}）{row.category}"
                        cells.append(Cell(label, rowspan=len(siblings)))
                    cells.append(Cell(row.label, align="left"))
                else:
                    cells.append(Cell(row.label, colspan=2, align="left"))
            rows.append(cells + values)
    return Table("table3", rows, (1.0, 2.1, 4.5) + (1.2,) * 7, header_rows=3)


def table4(report: dict[str, Any], blanks: set[tuple]) -> Table:
    """Section 四: 行政复议 (5) | 行政诉讼 (未经复议直接起诉 5, 复议后起诉 5), one value row."""
    outcomes = [label for _, label in F.TABLE4_OUTCOMES]
    rows = [
        [Cell(T4_RECONSIDERATION, colspan=5, kind="header"), Cell(T4_LITIGATION, colspan=10, kind="header")],
        [Cell(o, rowspan=2, kind="header") for o in outcomes] +
        [Cell(label, colspan=5, kind="header") for _, label in F.TABLE4_GROUPS[1:]],
        [Cell(o, kind="header") for o in outcomes * 2],
    ]
    data = report.get("table4")
    if data:
        rows.append([_value(v, ("table4", group, i), blanks)
                     for group, _ in F.TABLE4_GROUPS for i, v in enumerate(data[group])])
    return Table("table4", rows, (16.0 / 15,) * 15, header_rows=3)


# --- prose -----------------------------------------------------------------------------------


def report_title(report: dict[str, Any]) -> str:
    agency = _agency(report)
    year = report.get("year")
    return f"{agency}{year}年政府信息公开工作年度报告" if year else f"{agency}政府信息公开工作年度报告"


def _agency(report: dict[str, Any]) -> str:
    agency = report.get("agency") or report.get("region_text") or "本机关"
    return agency[0] if isinstance(agency, list) else agency


def _rng(report: dict[str, Any]) -> random.Random:
    return random.Random(zlib.crc32(f"{report.get('id')}|{_agency(report)}|{report.get('year')}".encode()))


def _t3(report: dict[str, Any], key: str) -> int:
    row = (report.get("table3") or {}).get(key)
    return (row[6] or 0) if row else 0


def _overview(report: dict[str, Any], rng: random.Random) -> list[Paragraph]:
    agency, year = _agency(report), report.get("year")
    place = report.get("region_text") or "本地"
    published = rng.randint(80, 4000)
    policies = rng.randint(3, max(4, published // 8))
    readings = rng.randint(1, policies)
    paragraphs = [
        Paragraph(f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国"
                  f"政府信息公开条例》（以下简称《条例》）和上级关于政务公开工作的部署要求，坚持“以公开为常态、"
                  f"不公开为例外”，持续深化政务公开，切实保障人民群众的知情权、参与权、表达权和监督权。"),
        Paragraph("（一）主动公开", "subheading"),
        Paragraph(f"全年通过政府门户网站、政务新媒体等渠道主动公开政府信息{published}条，其中政策文件{policies}条，"
                  f"政策解读{readings}条，做到政策文件与解读材料同步组织、同步审签、同步发布。围绕{place}经济社会发展"
                  f"重点工作，及时公开财政预决算、重大建设项目、公共资源配置、社会公益事业建设等重点领域信息。"),
        Paragraph("（二）依申请公开", "subheading"),
    ]
    if report.get("table3"):
        paragraphs.append(Paragraph(
            f"严格按照《条例》规定的程序和时限办理政府信息公开申请。全年共新收政府信息公开申请"
            f"{_t3(report, 'new_received')}件，上年结转{_t3(report, 'carried_over')}件；办结"
            f"{_t3(report, 'total')}件，结转下年度继续办理{_t3(report, 'carried_forward')}件。"
            f"所有申请均在法定期限内予以答复，未收取信息处理费。"))
    else:
        paragraphs.append(Paragraph("严格按照《条例》规定的程序和时限办理政府信息公开申请，做到依法受理、按时答复。"))
    paragraphs += [
        Paragraph("（三）政府信息管理", "subheading"),
        Paragraph("健全政府信息公开属性源头认定机制，落实“先审查、后公开”和“一事一审”制度，对拟公开的政府信息"
                  "进行保密审查和合法性审查，全年未发生失泄密事件。"),
        Paragraph("（四）平台建设", "subheading"),
        Paragraph(f"加强政府网站和政务新媒体管理，规范设置法定主动公开内容栏目，网站全年访问量{rng.randint(2, 900)}万余人次；"
                  f"在政务服务大厅设置政府信息公开查阅点，方便群众查阅。"),
        Paragraph("（五）监督保障", "subheading"),
        Paragraph(f"调整充实政务公开工作领导小组，明确专人负责政府信息公开工作，将政务公开纳入年度绩效考核，"
                  f"全年组织业务培训{rng.randint(1, 6)}次。"),
    ]
    return paragraphs


def _filler(report: dict[str, Any], rng: random.Random) -> list[Paragraph]:
    """Notes after table 二 (long enough to push table 三 over a page break)."""
    year = report.get("year")
    return [
        Paragraph(f"说明：本表统计时限为{year}年1月1日至{year}年12月31日。表中所列规章、规范性文件等数量，"
                  f"以本机关政府信息公开平台公开的文件为准；行政许可、行政处罚、行政强制等处理决定数量，以本机关"
                  f"业务系统的统计数据为准，部分事项由上级机关统一实施的未计入本表。"),
        Paragraph(f"在主动公开工作中，本机关围绕优化营商环境、乡村振兴、社会保障、公共卫生、生态环境保护等群众"
                  f"关注的重点领域，加大信息公开力度，全年累计更新政府信息公开目录{rng.randint(30, 600)}项，"
                  f"及时回应社会关切，开展政府开放日活动{rng.randint(1, 5)}次，组织政策解读、在线访谈等活动，"
                  f"不断提升政务公开的针对性和实效性。"),
        Paragraph("同时，进一步规范政府信息公开指南和公开目录，及时更新机构职能、领导信息、办公地址、联系电话等"
                  "基础信息；严格执行政府信息发布审核制度，落实“谁公开、谁审查，谁审查、谁负责”的原则，确保公开"
                  "内容准确、及时、规范。对涉及群众切身利益的重大决策事项，通过公开征求意见、召开听证会等方式"
                  "广泛听取社会各方面意见，并及时公开意见采纳情况。"),
        Paragraph("下一步，本机关将继续对照国家、省、市关于政务公开工作的部署要求，完善主动公开基本目录，细化"
                  "公开标准，推进决策、执行、管理、服务、结果公开，做好政策文件的集中统一公开和动态更新工作，"
                  "切实提升政务公开质量，让政务公开工作更好地服务群众、服务发展。"),
    ]


def _closing(report: dict[str, Any], rng: random.Random) -> list[Paragraph]:
    agency, year = _agency(report), report.get("year")
    other = ("依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。"
             if report.get("template") == "2021" else "本年度无其他需要报告的事项。")
    return [
        Paragraph(SECTION_TITLES[4], "heading"),
        Paragraph("（一）存在的主要问题。一是政务公开工作人员业务水平有待进一步提高；二是政策解读形式还不够丰富，"
                  "解读质量有待提升；三是基层政务公开标准化规范化建设仍需加强。"),
        Paragraph("（二）改进情况。针对上述问题，一是加强业务培训，提升工作人员业务能力；二是丰富政策解读形式，"
                  "更多采用图表图解、视频解读等方式；三是对照标准目录，持续推进基层政务公开标准化规范化建设。"),
        Paragraph(SECTION_TITLES[5], "heading"),
        Paragraph(other),
        Paragraph(agency, "signature"),
        Paragraph(f"{(year or 2000) + 1}年1月{rng.randint(10, 31)}日", "signature"),
    ]


def build_document(report: dict[str, Any], *, split_table3: bool = False, blank_zeros: bool = False) -> Document:
    """The report as a document: title, preface, sections 一 to 六, the three tables.

    ``split_table3`` starts a page before a long note so that table 三 begins halfway
    down a page and continues on the next one (with its header rows repeated).
    ``blank_zeros`` prints the zeros of `blankable_cells` as empty cells.
    """
    blanks = blankable_cells(report) if blank_zeros else set()
    rng = _rng(report)
    agency, year = _agency(report), report.get("year")
    reference = ("《中华人民共和国政府信息公开工作年度报告格式》" if report.get("template") == "2021"
                 else "《中华人民共和国政府信息公开工作年度报告格式（试行）》")
    blocks: list[Paragraph | Table] = [
        Paragraph(report_title(report), "title"),
        Paragraph(f"本报告由{agency}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{reference}要求编制。"
                  f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和"
                  f"行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限自{year}年"
                  f"1月1日起至{year}年12月31日止。如对本报告有疑问，请与{agency}联系（电话："
                  f"0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}）。"),
        Paragraph(SECTION_TITLES[0], "heading"),
        *_overview(report, rng),
        Paragraph(SECTION_TITLES[1], "heading"),
        table2(report, blanks),
    ]
    if split_table3:
        notes = _filler(report, rng)
        notes[0].page_break_before = True
        blocks += notes
        blocks.append(Paragraph(SECTION_TITLES[2], "heading"))
    else:
        blocks.append(Paragraph(SECTION_TITLES[2], "heading", page_break_before=True))
    blocks.append(table3(report, blanks))
    blocks += [Paragraph(SECTION_TITLES[3], "heading"), table4(report, blanks)]
    blocks += _closing(report, rng)
    return Document(report_title(report), agency, year, blocks)
