"""The template engine: from a cell stream to the national tables 二, 三 and 四.

Rows and columns are identified by their normalised labels (see `gongkai.formats`);
positions are used only inside a row whose label was identified. The format (2019 or
2021) is decided from the table headers, never from the prose.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from gongkai import formats as F
from gongkai.lazyre import lazy
from gongkai.readers.base import Cell
from gongkai.segments import Segment, fit_values, parsed_cells, segment
from gongkai.values import Value

Number = int | float | None

# (documents _category_numeral, which matches it without compiling it: ~0.35 ms of start-up for
# its CJK class; tests/test_startup_patterns.py checks the two agree)
_CATEGORY_NUMERAL_RE = lazy(r"^[(（]\s*([一二三四五六七])\s*[)）]")
_CATEGORY_BY_NUMERAL = {numeral: name for name, numeral in F.TABLE3_CATEGORIES}
_UNIT_IN_HEADER_RE = lazy(r"(亿元|万元|元)")
# a row label is its official text plus at most this many extra characters (annotations)
_LABEL_SLACK = 16
_HEADING_MAX = 40


# A plain class with __slots__, not a dataclass: `import dataclasses` and the generated methods
# cost ~15 ms of CPU in every process (see readers/base.py).
class Tables:
    """The tables found in one report instance, with the provenance of every value.

    ``label_repairs``: table-三 rows whose damaged label was mapped by its number and
    position (map_damaged_table3_rows).
    """

    __slots__ = ("template", "template_evidence", "table2", "table3", "table4", "provenance", "notes",
                 "label_repairs")

    def __init__(self, template: str | None = None, template_evidence: str = "",
                 table2: dict[str, dict[str, Number | str]] | None = None,
                 table3: dict[str, list[Number]] | None = None, table4: dict[str, list[Number]] | None = None,
                 provenance: dict[str, dict[str, list[str | None] | dict[str, str | None]]] | None = None,
                 notes: list[str] | None = None, label_repairs: list[dict] | None = None) -> None:
        self.template = template
        self.template_evidence = template_evidence
        self.table2 = table2
        self.table3 = table3
        self.table4 = table4
        self.provenance = {} if provenance is None else provenance
        self.notes = [] if notes is None else notes
        self.label_repairs = [] if label_repairs is None else label_repairs

    def __repr__(self) -> str:
        return "Tables(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__) + ")"

    def signature(self) -> tuple:
        """What makes two instances the same report (a file holding its text twice)."""
        return (self.template, _freeze(self.table2), _freeze(self.table3), _freeze(self.table4))


def _freeze(obj):
    if isinstance(obj, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in obj.items()))
    if isinstance(obj, list):
        return tuple(_freeze(v) if isinstance(v, (dict, list)) else v for v in obj)
    return obj


# --- sections -------------------------------------------------------------------------


_HEADING_NUMBER_RES = {number: lazy(rf"^(?:{numeral}|{number})\s*[、.,，]")
                       for number, numeral, _ in F.SECTION_HEADINGS}


# a heading begins with its numeral or its digit (_numbered): other labels stop at their first character
_HEADING_FIRST = frozenset(c for number, numeral, _ in F.SECTION_HEADINGS for c in (numeral[0], str(number)[0]))


def _numbered(raw: str, number: int, numeral: str) -> bool:
    """``_HEADING_NUMBER_RES[number].match(raw)`` without compiling six patterns (~0.2 ms each,
    for their CJK character classes) in every process: the numeral or the digit, optional
    whitespace (``\\s`` is ``str.isspace``), then 、 . , or ，."""
    digit = str(number)
    if raw.startswith(numeral):
        at = len(numeral)
    elif raw.startswith(digit):
        at = len(digit)
    else:
        return False
    while at < len(raw) and raw[at].isspace():
        at += 1
    return at < len(raw) and raw[at] in "、.,，"


@lru_cache(maxsize=1 << 16)  # called for every label cell, several times per report
def heading_section(text: str) -> int | None:
    """The section number (1-6) when the cell is a section heading such as "四、…行政诉讼情况"."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw or len(raw) > _HEADING_MAX * 2 or raw[0] not in _HEADING_FIRST:
        return None
    norm = F.normalise_label(raw)
    if len(norm) > _HEADING_MAX:
        return None
    for number, numeral, keywords in F.SECTION_HEADINGS:
        if _numbered(raw, number, numeral) and any(k in norm for k in keywords):
            return number
    return None


def section_starts(cells: list[Cell], parsed: list[Value | None], start: int, stop: int) -> dict[int, int]:
    """First index of each section heading in ``cells[start:stop]``."""
    found: dict[int, int] = {}
    for i in range(start, stop):
        if parsed[i] is None:
            section = heading_section(cells[i].text)
            if section is not None and section not in found:
                found[section] = i
    return found


def _section_span(sections: dict[int, int], number: int, start: int, stop: int) -> tuple[int, int] | None:
    """The cell range of section ``number``: from its heading to the next later heading."""
    begin = sections.get(number)
    if begin is None:
        return None
    later = [idx for sec, idx in sections.items() if sec > number and idx > begin]
    return begin, min(later) if later else stop


# --- table 三 ---------------------------------------------------------------------------


@lru_cache(maxsize=None)  # one entry per table-三 row
def _row_limit(row: F.DispositionRow) -> int:
    return len(F.normalise_label(row.label)) + _LABEL_SLACK


@lru_cache(maxsize=1 << 14)
def match_table3_row(label: str, category: str | None, seen_results: bool) -> F.DispositionRow | None:
    """The table-三 row a label names, given the category block it sits in."""
    norm = F.strip_numbering(F.normalise_label(label))
    if not norm:
        return None
    best: tuple[int, F.DispositionRow] | None = None
    for row in F.TABLE3_ROWS:
        if row.requires_category and row.requires_category != category:
            continue
        if row.key == "total" and not seen_results:
            continue  # the "总计" column header, not the （七）总计 row
        if norm in row.exact:
            return row
        if len(norm) > _row_limit(row):
            continue
        for keyword in row.keywords:
            if keyword in norm and (best is None or len(keyword) > best[0]):
                best = (len(keyword), row)
    return best[1] if best else None


def _segment_table3_row(seg: Segment, category: str | None, seen_results: bool):
    """The table-三 row a segment's labels name (the last label that matches, else all of them
    joined), and the disposition category in force after its labels."""
    for cell in seg.labels:
        category = _category_of(cell.text) or category
    for cell in reversed(seg.labels):
        row_def = match_table3_row(cell.text, category, seen_results)
        if row_def is not None:
            return row_def, category
    if len(seg.labels) > 1:
        return match_table3_row("".join(c.text for c in seg.labels), category, seen_results), category
    return None, category


def _category_numeral(raw: str) -> str | None:
    """``_CATEGORY_NUMERAL_RE.match(raw).group(1)`` (None without a match): an opening bracket,
    optional whitespace (``\\s`` is ``str.isspace``), one of 一…七, optional whitespace, a closing one."""
    if not raw or raw[0] not in "(（":
        return None
    at, end = 1, len(raw)
    while at < end and raw[at].isspace():
        at += 1
    if at >= end or raw[at] not in "一二三四五六七":
        return None
    numeral = raw[at]
    at += 1
    while at < end and raw[at].isspace():
        at += 1
    return numeral if at < end and raw[at] in ")）" else None


@lru_cache(maxsize=1 << 14)
def _category_of(label: str) -> str | None:
    raw = unicodedata.normalize("NFKC", label).strip()
    numeral = _category_numeral(raw)
    if numeral in _CATEGORY_BY_NUMERAL:
        return _CATEGORY_BY_NUMERAL[numeral]
    norm = F.normalise_label(raw)
    for name, _ in F.TABLE3_CATEGORIES:
        if F.strip_numbering(norm) == name:
            return name
    return None


def parse_table3(segments: list[Segment]) -> tuple[dict[str, list[Number]], dict[str, list[str | None]]]:
    """Rows of table 三 found in the segments: {row_key: 7 values}, with provenance."""
    rows: dict[str, list[Number]] = {}
    where: dict[str, list[str | None]] = {}
    category: str | None = None
    seen_results = False
    width = len(F.APPLICANT_KEYS)
    for seg in segments:
        row_def, category = _segment_table3_row(seg, category, seen_results)
        if row_def is None or not seg.values or row_def.key in rows:
            continue
        if row_def.group == "result":
            seen_results = True
        fitted = fit_values(seg.values, width)
        rows[row_def.key] = [v[1].number if v else None for v in fitted]
        where[row_def.key] = [v[0].where if v else None for v in fitted]
    return rows, where


# --- table 三: damaged labels --------------------------------------------------------------

_T3_COUNT = {t: sum(1 for r in F.TABLE3_ROWS if t in r.templates and not (t == "2021" and r.key == "other"))
             for t in F.TEMPLATES}


def _t3_expected(rows3: dict) -> int:
    """How many table-三 rows the report's format prints (2021 when a （六） sub-row is found)."""
    return _T3_COUNT["2021" if any(k in rows3 for k in F.OTHER_ROWS_2021) else "2019"]
_T3_ORDER = {row.key: i for i, row in enumerate(F.TABLE3_ROWS)}
# compiled on first use (only a segment whose label names no row needs them): ~0.8 ms of start-up
_SUB_NUMBER_RE = lazy(r"^\s*(\d{1,2})\s*[.．、,，]")
_BLOCK_NUMBER_RE = lazy(r"^\s*([(（]\s*[一二三四五六七]\s*[)）]|[一二三四]\s*、)")


def _numbered_row(label: str, category: str | None) -> tuple[str, F.DispositionRow | None]:
    """The numbering a label still prints ("6．", "（三）", "四、") and the row it names there."""
    raw = unicodedata.normalize("NFKC", label).strip()
    sub = _SUB_NUMBER_RE.match(raw)
    if sub:
        if category is None:
            return sub.group(0).strip(), None
        prefix = f"{int(sub.group(1))}."
        found = [r for r in F.TABLE3_ROWS if r.category == category and r.label.startswith(prefix)]
        return sub.group(0).strip(), found[0] if len(found) == 1 else None
    block = _BLOCK_NUMBER_RE.match(raw)
    if block:
        number = re.sub(r"\s", "", block.group(1)).replace("(", "（").replace(")", "）")
        found = [r for r in F.TABLE3_ROWS if unicodedata.normalize("NFKC", r.label).replace("(", "（")
                 .replace(")", "）").startswith(number)]
        # "（三）" "（四）" "（五）" head category blocks: not data rows; "三、" heads the results
        return number, found[0] if len(found) == 1 else None
    return "", None


def map_damaged_table3_rows(segments: list[Segment], rows: dict[str, list[Number]],
                            where: dict[str, list[str | None]]) -> list[dict]:
    """Map table-三 rows whose label lost characters, by the number it still prints and its position.

    A segment with values whose label names no row is mapped to row R when (1) its label
    still starts with R's numbering inside R's category block ("5." under （三）不予公开,
    "（二）", "四、"), (2) R was not found by its label, and (3) R's place in the official
    order lies strictly between the rows found just before and just after it (its
    position is intact). A segment that fails any of these, or two segments claiming the
    same row, are left unmapped (the row stays missing). Adds the rows to ``rows``/``where``
    and returns one record per mapped row, each with a ``note``.
    """
    width = len(F.APPLICANT_KEYS)
    category: str | None = None
    seen_results = False
    found_at: list[tuple[int, str]] = []  # (segment index, key) of rows found by their labels
    orphans: list[tuple[int, Segment, str | None]] = []
    for index, seg in enumerate(segments):
        row_def, category = _segment_table3_row(seg, category, seen_results)
        if row_def is not None and row_def.group == "result":
            seen_results = True
        if row_def is not None and rows.get(row_def.key) is not None and row_def.key not in (k for _, k in found_at):
            found_at.append((index, row_def.key))
        elif row_def is None and seg.values and seg.numeric_count() > 0:
            orphans.append((index, seg, category))
    claims: dict[str, list[tuple[int, Segment, str]]] = {}
    for index, seg, cat in orphans:
        label = seg.labels[-1].text if seg.labels else ""
        number, row_def = _numbered_row(label, cat)
        if row_def is None or row_def.key in rows:
            continue
        before = [k for i, k in found_at if i < index]
        after = [k for i, k in found_at if i > index]
        if not before and not after:
            continue
        if before and _T3_ORDER[before[-1]] >= _T3_ORDER[row_def.key]:
            continue
        if after and _T3_ORDER[after[0]] <= _T3_ORDER[row_def.key]:
            continue
        claims.setdefault(row_def.key, []).append((index, seg, number))
    repairs = []
    for key, claimants in claims.items():
        if len(claimants) != 1:
            continue  # two damaged rows claim the same place: ambiguous
        _, seg, number = claimants[0]
        fitted = fit_values(seg.values, width)
        rows[key] = [v[1].number if v else None for v in fitted]
        label = seg.labels[-1].text
        where[key] = [f"{v[0].where} (label damaged: mapped by number and position)" if v else None for v in fitted]
        repairs.append({
            "row": key, "printed_label": label, "number": number,
            "official_label": F.TABLE3_ROW_BY_KEY[key].label,
            "where": seg.labels[-1].where,
            "note": f"table3 row {key}: label printed as '{label}' names no row; mapped by its number "
                    f"'{number}' and its position between the rows around it",
        })
    return repairs


# --- table 四 ---------------------------------------------------------------------------

_T4_WIDTH = len(F.TABLE4_GROUPS) * len(F.TABLE4_OUTCOMES)


def parse_table4(segments: list[Segment]) -> tuple[dict[str, list[Number]] | None, dict[str, list[str | None]], str]:
    """The 15 values of table 四 after its header; None when the value row is not printed."""
    header_seen = False
    for seg in segments:
        norms = [F.normalise_label(c.text) for c in seg.labels]
        if any(k in n for n in norms for k in F.TABLE4_HEADER_KEYWORDS):
            header_seen = True
        if not header_seen or len(seg.values) < _T4_WIDTH:
            continue
        fitted = fit_values(seg.values, _T4_WIDTH)
        table: dict[str, list[Number]] = {}
        where: dict[str, list[str | None]] = {}
        step = len(F.TABLE4_OUTCOMES)
        for g, (group, _) in enumerate(F.TABLE4_GROUPS):
            chunk = fitted[g * step:(g + 1) * step]
            table[group] = [v[1].number if v else None for v in chunk]
            where[group] = [v[0].where if v else None for v in chunk]
        return table, where, ""
    if header_seen:
        return None, {}, "table4 header printed without its 15 values (truncated)"
    return None, {}, ""


# --- table 二 ---------------------------------------------------------------------------


def detect_template_from_headers(segments: list[Segment]) -> str | None:
    """"2019" or "2021" from the column headers of table 二, None when they are not printed."""
    votes = {fmt: 0 for fmt in F.TEMPLATES}
    for seg in segments:
        for cell in seg.labels:
            for fmt in _header_formats(cell.text):
                votes[fmt] += 1
    if votes["2019"] == votes["2021"]:
        return None
    return max(votes, key=votes.get)


@lru_cache(maxsize=1 << 14)
def _header_formats(label: str) -> tuple[str, ...]:
    """The formats whose table-二 column headers the label holds (usually none)."""
    norm = F.normalise_label(label)
    return tuple(fmt for fmt, signatures in F.TABLE2_HEADER_SIGNATURES.items()
                 if any(sig in norm for sig in signatures))


def _match_item(label: str, items: tuple[F.DisclosureItem, ...]) -> F.DisclosureItem | None:
    norm = F.strip_numbering(F.normalise_label(label))
    best: tuple[int, F.DisclosureItem] | None = None
    for item in items:
        if len(norm) > len(F.normalise_label(item.label)) + _LABEL_SLACK:
            continue
        for keyword in item.keywords:
            # "行政规范性文件" is normative_docs; "规章" must not be found inside it
            if keyword in norm and (best is None or len(keyword) > best[0]):
                best = (len(keyword), item)
    return best[1] if best else None


def _header_unit(segments: list[Segment], header_keyword: str | None) -> str | None:
    """The unit printed in a column header, e.g. "本年收费金额（单位：万元）" -> "万元"."""
    if header_keyword is None:
        return None
    for seg in segments:
        for cell in seg.labels:
            norm = F.normalise_label(cell.text)
            if header_keyword in norm:
                match = _UNIT_IN_HEADER_RE.search(norm.replace(header_keyword, "", 1))
                if match:
                    return match.group(1)
    return None


def parse_table2(segments: list[Segment], template: str) -> tuple[dict, dict]:
    """Items of table 二 in the given format: {item: {measure: value}}, with provenance."""
    items = F.TABLE2_ITEMS[template]
    table: dict[str, dict[str, Number | str]] = {}
    where: dict[str, dict[str, str | None]] = {}
    for seg in segments:
        if not seg.values:
            continue
        item = None
        for cell in reversed(seg.labels):
            item = _match_item(cell.text, items)
            if item is not None:
                break
        if item is None or item.key in table:
            continue
        fitted = fit_values(seg.values, len(item.measures))
        measures: dict[str, Number | str] = {}
        item_where: dict[str, str | None] = {}
        for (measure, header), slot in zip(item.measures, fitted):
            measures[measure] = slot[1].number if slot else None
            item_where[measure] = slot[0].where if slot else None
            if measure == item.unit_measure:
                cell_unit = slot[1].unit if slot else None
                measures[f"{measure}_unit"] = cell_unit or _header_unit(segments, item.unit_header)
        table[item.key] = measures
        where[item.key] = item_where
    return table, where


# --- one report instance ------------------------------------------------------------------


def parse_tables(cells: list[Cell], parsed: list[Value | None], start: int, stop: int,
                 year: int | None) -> Tables:
    """Find tables 二, 三, 四 in ``cells[start:stop]`` and decide the format."""
    result = Tables()
    sections = section_starts(cells, parsed, start, stop)

    span3 = _section_span(sections, 3, start, stop) or (sections.get(2, start), sections.get(4, stop))
    segments3 = segment(cells, parsed, *span3)
    rows3, where3 = parse_table3(segments3)
    if rows3 and len(rows3) < _t3_expected(rows3):
        result.label_repairs = map_damaged_table3_rows(segments3, rows3, where3)
        result.notes.extend(r["note"] for r in result.label_repairs)
    if rows3:
        result.table3, result.provenance["table3"] = rows3, where3

    span4 = _section_span(sections, 4, start, stop) or (span3[1], stop)
    table4, where4, note4 = parse_table4(segment(cells, parsed, *span4))
    if table4:
        result.table4, result.provenance["table4"] = table4, where4
    if note4:
        result.notes.append(note4)

    span2 = _section_span(sections, 2, start, stop) or (start, sections.get(3, span3[0]))
    segments2 = segment(cells, parsed, *span2)
    header_template = detect_template_from_headers(segments2)
    result.template, result.template_evidence = _decide_template(header_template, rows3, year)
    if result.template:
        table2, where2 = parse_table2(segments2, result.template)
        if table2:
            result.table2, result.provenance["table2"] = table2, where2
    return result


def _decide_template(header_template: str | None, rows3: dict, year: int | None) -> tuple[str | None, str]:
    if header_template:
        return header_template, "table 二 column headers"
    if any(key in rows3 for key in F.OTHER_ROWS_2021):
        return "2021", "table 三 prints the three （六） rows"
    if year is not None:
        return ("2021" if year >= 2021 else "2019"), "reporting year (no table headers printed)"
    return None, ""


def instance_bounds(cells: list[Cell], parsed: list[Value | None]) -> list[tuple[int, int]]:
    """Split a stream holding the same report more than once into one range per copy.

    A copy starts at the 一、总体情况 heading (or 二/三 when 一 is missing) that precedes
    each further 本年新收 row; a file holding one report is one range.
    """
    # "收" first: no other character normalises (NFKC) to one holding 收, so a cell without it
    # cannot hold 本年新收, and most cells skip the label normalisation
    starts_of_new_received = [
        i for i, (c, p) in enumerate(zip(cells, parsed))
        if p is None and "收" in c.text and "本年新收" in F.normalise_label(c.text) and len(F.normalise_label(c.text)) < 40
    ]
    bounds = [0]
    for idx in starts_of_new_received[1:]:
        previous = bounds[-1]
        boundary = None
        for section in (1, 2, 3):
            for i in range(idx - 1, previous, -1):
                if parsed[i] is None and heading_section(cells[i].text) == section:
                    boundary = i
                    break
            if boundary is not None:
                break
        if boundary is not None and boundary > previous and _has_heading_between(cells, parsed, previous, boundary, 4):
            bounds.append(boundary)
    bounds.append(len(cells))
    return list(zip(bounds[:-1], bounds[1:]))


def _has_heading_between(cells, parsed, start: int, stop: int, section: int) -> bool:
    return any(parsed[i] is None and heading_section(cells[i].text) == section for i in range(start, stop))


__all__ = ["Tables", "instance_bounds", "parse_tables", "parsed_cells", "heading_section"]
