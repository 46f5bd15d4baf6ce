"""Flattened page text: table cells glued together with no separator.

A crawler that keeps only a page's text turns the row ``64 | 0 | 0 | 2 | 0 | 4 | 70`` into
``640020470``. This module finds such a line, locates every table row by its label, and
decodes each digit run with the tables' own identities — never with a guess:

* a number has no leading zero (except 0 itself); a space marks a cell boundary (a cell
  that held ``&nbsp;``);
* table 三: each row's 总计 is the sum of its six applicant columns (I2); then, across rows,
  per column （七）总计 = the sum of the leaf rows (I3) and 一 + 二 = （七）总计 + 四 (I1);
* table 四: each group's 总计 = 维持 + 纠正 + 其他 + 尚未审结 (I4);
* table 二 has no identity: a run is decoded only when exactly one split exists
  ("000" → 0|0|0, a single-value row).

A run with two or more splits that survive every identity stays unresolved (its cells are
left blank) and is listed, with its surviving splits and the reason, in the report's
``source.flattened``. The search is bounded (``MAX_NODES`` per run, ``MAX_COMBINATIONS``
for the column step); hitting a bound leaves the rows unresolved and says so.

The decoded line becomes an ordinary cell stream (labels, then value cells whose
``where`` names the line, the character span and how the split was decided), so the
template engine reads it like any other document.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from gongkai import formats as F
from gongkai.readers.base import Cell
from gongkai.values import parse_value

MAX_NODES = 50_000  # depth-first search nodes per digit run
MAX_COMBINATIONS = 100_000  # joint choices over ambiguous table-三 rows
MAX_SOLUTIONS = 64  # surviving splits kept per run (more means "too many to list")

_DETECT_RE = re.compile(r"本年新收[^0-9]{0,24}?[0-9]{7,}")
_RUN_RE = re.compile(r"[0-9][0-9 \u00a0\u3000.]*")
_SIGNED_RUN_RE = re.compile(r"[+\-]?[0-9][0-9 \u00a0\u3000.+\-]*")  # table 二 (2019): "本年增/减" is signed
_HEADING_RE = re.compile(r"[一二三四五六]、[^。，0-9\s]{1,24}?(?:情况|事项)")
_T2_MARK = "第二十条"
_SEC_RE = {
    2: re.compile(r"二、\s*主动公开"),
    3: re.compile(r"三、\s*(?:收到和处理|依申请公开)"),
    4: re.compile(r"四、\s*(?:政府信息公开)?(?:行政复议|因政府信息公开)"),
    5: re.compile(r"五、\s*(?:存在的主要问题|主要问题)"),
}


def looks_flattened(line: str) -> bool:
    """True when a text line holds table 三 with its cells glued into one digit run."""
    return "本年新收" in line and _DETECT_RE.search(line) is not None


# --- splitting one run -----------------------------------------------------------------


def _pieces(run: str) -> list[str]:
    """The digit groups of a run: a space (a cell that held &nbsp;) and a sign are forced boundaries."""
    return [p for part in re.split(r"[ \u00a0\u3000]+", run) for p in re.split(r"(?=[+\-])", part) if p]


def splits(run: str, width: int, check=None, *, decimals: bool = False, prune=None) -> tuple[list[tuple], bool]:
    """Every way to cut ``run`` into ``width`` numbers (no leading zeros) passing ``check``.

    ``check(parts)`` is called on the complete tuple of numbers; ``prune(parts)``, when
    given, on every prefix with the count of digits still unread (False cuts the branch). Returns (solutions, complete):
    ``complete`` is False when the node bound or the solution cap was hit.
    """
    groups = _pieces(run)
    if decimals and width == 1 and len(groups) == 1 and re.fullmatch(r"(0|[1-9]\d*)(\.\d+)?", groups[0]):
        text = groups[0]
        return [(float(text) if "." in text else int(text),)], True
    signs = [g[0] if g[0] in "+-" else "" for g in groups]
    groups = [g.lstrip("+-") for g in groups]
    if any(not g.isdigit() for g in groups):
        return [], True
    out: list[tuple] = []
    nodes = 0
    complete = True
    after = [sum(len(t) for t in groups[g + 1:]) for g in range(len(groups))]  # digits in later groups

    def walk(g: int, pos: int, parts: list[int]) -> None:
        nonlocal nodes, complete
        if not complete:
            return
        nodes += 1
        if nodes > MAX_NODES or len(out) >= MAX_SOLUTIONS:
            complete = False
            return
        if g == len(groups):
            if len(parts) == width and (check is None or check(tuple(parts))):
                out.append(tuple(parts))
            return
        text = groups[g]
        remaining_groups = len(groups) - g - 1
        for end in range(pos + 1, len(text) + 1):
            piece = text[pos:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            if len(parts) + 1 + remaining_groups > width:
                break
            parts.append(-int(piece) if pos == 0 and signs[g] == "-" else int(piece))
            if prune is not None and not prune(parts, len(text) - end + after[g]):
                parts.pop()
                continue
            if end == len(text):
                walk(g + 1, 0, parts)
            elif len(parts) < width:
                walk(g, end, parts)
            parts.pop()

    walk(0, 0, [])
    return out, complete


def _row_sum(parts: tuple) -> bool:
    return sum(parts[:-1]) == parts[-1]


def _groups_sum(parts) -> bool:
    """I4 on every complete group of five (also used on prefixes, to prune early)."""
    step = len(F.TABLE4_OUTCOMES)
    return all(sum(parts[i:i + step - 1]) == parts[i + step - 1] for i in range(0, len(parts) - step + 1, step))


def _row_sum_prefix(parts: list[int], remaining: int) -> bool:
    """I2 on a prefix: the 总计 is at least as long as any part, and after six parts the
    digits left are exactly the 总计's."""
    k = len(parts)
    if k >= len(F.APPLICANT_KEYS):
        return True
    if k == len(F.APPLICANT_KEYS) - 1:
        return remaining == len(str(sum(parts)))
    return remaining >= (len(F.APPLICANT_KEYS) - 1 - k) + len(str(max(parts)))


def _groups_prefix(parts: list[int], remaining: int = 0) -> bool:
    step = len(F.TABLE4_OUTCOMES)
    n = len(parts)
    return n % step != 0 or sum(parts[n - step:n - 1]) == parts[n - 1]


# --- locating rows in the line -----------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One table row found in the line: its label span and its digit run."""

    table: str
    key: str
    label_start: int
    run_start: int
    run_end: int  # end of the value part (a trailing "2." numbering belongs to the next label)
    run: str
    width: int
    decimals: bool = False  # an amount: one value, a decimal point allowed
    candidates: list[tuple] = field(default_factory=list)
    complete: bool = True
    values: tuple | None = None  # None entries: cells left unresolved (table 四 groups)
    how: str = ""
    reason: str = ""
    unresolved_parts: list[dict] = field(default_factory=list)  # table 四 groups still open


def _run_after(line: str, pos: int, stop: int, signed: bool = False) -> tuple[int, int, str] | None:
    """The first digit run at or after ``pos`` (before ``stop``), minus a trailing "N." numbering."""
    match = (_SIGNED_RUN_RE if signed else _RUN_RE).search(line, pos, stop)
    if not match:
        return None
    start, end = match.start(), match.end()
    text = line[start:end]
    # "00000002.其他…": the "2." starts the next label
    tail = re.search(r"(\d)[.．]$", text)
    if tail is None and end < len(line) and line[end:end + 1] == "．":
        tail = re.search(r"(\d)$", text)
    if tail is not None:
        text = text[:tail.start(1)]
    text = text.rstrip(" \u00a0\u3000.+-")
    if not text:
        return None
    return start, start + len(text), text


def _numbering_start(line: str, label: str, lo: int, keyword_at: int) -> int:
    """Where a row label's own numbering ("（一）", "一、", "1.") begins, searching back from its keyword."""
    match = re.match(r"^(（[一二三四五六七]）|[一二三四]、|\d[.．])", label)
    if match:
        found = line.rfind(match.group(1), lo, keyword_at)
        if found >= 0:
            return found
    return keyword_at


def _find(line: str, needles, lo: int, hi: int) -> tuple[int, int] | None:
    best = None
    for needle in needles:
        at = line.find(needle, lo, hi)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(needle))
    return best


def _section_bounds(line: str) -> dict[int, int]:
    found = {}
    for number, regex in _SEC_RE.items():
        match = regex.search(line)
        if match:
            found[number] = match.start()
    return found


def _template_of(line: str) -> str:
    if any(sig in line for sig in F.TABLE2_HEADER_SIGNATURES["2021"]) or "逾期不补正" in line:
        return "2021"
    return "2019"


def locate_rows(line: str) -> tuple[list[Row], str]:
    """Every table row found in a flattened line, in reading order, and the format."""
    template = _template_of(line)
    bounds = _section_bounds(line)
    end_all = bounds.get(5, len(line))
    start3 = bounds.get(3, 0)
    start4 = bounds.get(4, end_all)
    rows: list[Row] = []
    # table 二: each item by its printed label, after the 第二十条 header
    if 2 in bounds:
        pos = bounds[2]
        for item in F.TABLE2_ITEMS[template]:
            needles = sorted({item.label, *item.keywords}, key=len, reverse=True)
            hit = _find(line, needles, pos, start3)
            if item.key == "rules":  # "规章" must not be found inside another label
                hit = _find(line, (item.label,), pos, start3)
            if hit is None:
                continue
            run = _run_after(line, hit[1], start3, signed=True)
            if run is None or line[hit[1]:run[0]].strip(" \u00a0\u3000"):
                continue  # the label is not directly followed by its values
            rows.append(Row("table2", item.key, hit[0], run[0], run[1], run[2], len(item.measures),
                            decimals=item.unit_measure is not None))
            pos = run[1]
    # table 三: the rows of the format, in order
    pos = start3
    width = len(F.APPLICANT_KEYS)
    for row_def in F.TABLE3_ROWS:
        if template not in row_def.templates:
            continue
        needles = row_def.keywords or row_def.exact
        if row_def.key == "other_other":
            needles = ("其他",)
        hit = _find(line, needles, pos, start4)
        if hit is None:
            continue
        run = _run_after(line, hit[1], start4)
        if run is None:
            continue
        label_start = _numbering_start(line, row_def.label, pos, hit[0])
        rows.append(Row("table3", row_def.key, label_start, run[0], run[1], run[2], width))
        pos = run[1]
    # table 四: one run of 15 numbers after its header
    if 4 in bounds:
        header_end = line.rfind("总计", start4, end_all)
        if header_end >= 0:
            run = _run_after(line, header_end + 2, end_all)
            if run is not None:
                rows.append(Row("table4", "table4", header_end + 2, run[0], run[1], run[2],
                                len(F.TABLE4_GROUPS) * len(F.TABLE4_OUTCOMES)))
    return rows, template


# --- deciding the splits ------------------------------------------------------------------


def _identity_pairs(rows3: dict[str, Row]) -> list[tuple[list[str], list[str]]]:
    """Column identities over table-三 rows as (left keys, right keys): sum(left) == sum(right)."""
    leaves = [k for k in F.LEAF_DISPOSITIONS if k in rows3]
    pairs = []
    if "total" in rows3 and leaves:
        pairs.append((leaves, ["total"]))
    if all(k in rows3 for k in ("new_received", "carried_over", "total", "carried_forward")):
        pairs.append((["new_received", "carried_over"], ["total", "carried_forward"]))
    return pairs


def _consistent(choice: dict[str, tuple], pairs) -> bool:
    for left, right in pairs:
        width = len(next(iter(choice.values())))
        for col in range(width):
            if sum(choice[k][col] for k in left) != sum(choice[k][col] for k in right):
                return False
    return True


def decide(rows: list[Row]) -> None:
    """Fill ``values``/``how``/``reason`` of every row: row identities, then column identities."""
    for row in rows:
        check = {"table3": _row_sum, "table4": _groups_sum}.get(row.table)
        prune = {"table3": _row_sum_prefix, "table4": _groups_prefix}.get(row.table)
        row.candidates, row.complete = splits(row.run, row.width, check, decimals=row.decimals, prune=prune)
    for row in rows:
        if not row.complete:
            row.reason = "search bound reached: too many possible splits"
        elif not row.candidates:
            row.reason = "no split satisfies the " + ("row sum" if row.table != "table2" else "column count")
        elif len(row.candidates) == 1:
            row.values = row.candidates[0]
            row.how = {"table3": "the only split with the row sum", "table4": "the only split with the group sums"}.get(
                row.table, "the only possible split")
    for row in rows:
        if row.table == "table4" and row.values is None and row.complete and len(row.candidates) > 1:
            _resolve_table4_groups(row)
    rows3 = {r.key: r for r in rows if r.table == "table3" and r.candidates and r.complete}
    ambiguous = [k for k, r in rows3.items() if len(r.candidates) > 1]
    if ambiguous:
        pairs = [p for p in _identity_pairs(rows3) if any(k in p[0] + p[1] for k in ambiguous)]
        total = 1
        for k in ambiguous:
            total *= len(rows3[k].candidates)
        if not pairs:
            for k in ambiguous:
                rows3[k].reason = "several splits satisfy the row sum and no column identity involves this row"
        elif total > MAX_COMBINATIONS:
            for k in ambiguous:
                rows3[k].reason = f"search bound reached: {total} combinations of ambiguous rows"
        else:
            fixed = {k: r.candidates[0] for k, r in rows3.items() if len(r.candidates) == 1}
            survivors: dict[str, set] = {k: set() for k in ambiguous}
            n_ok = 0
            for combo in itertools.product(*(rows3[k].candidates for k in ambiguous)):
                choice = {**fixed, **dict(zip(ambiguous, combo))}
                if _consistent(choice, pairs):
                    n_ok += 1
                    for k, v in zip(ambiguous, combo):
                        survivors[k].add(v)
            for k in ambiguous:
                row = rows3[k]
                if n_ok == 0:
                    row.reason = ("several splits satisfy the row sum and no combination satisfies the "
                                  "column identities (the printed totals do not add up)")
                elif len(survivors[k]) == 1:
                    row.values = next(iter(survivors[k]))
                    row.how = "row sum, then column totals (I1/I3)"
                else:
                    row.candidates = sorted(survivors[k])
                    row.reason = f"{len(survivors[k])} splits satisfy the row sum and every column identity"
    for row in rows:
        if row.values is None and not row.reason:
            row.reason = f"{len(row.candidates)} splits and no identity decides between them"


def _resolve_table4_groups(row: Row) -> None:
    """Table 四 prints three rows of the contract in one run: keep every group all surviving splits agree on."""
    step = len(F.TABLE4_OUTCOMES)
    values: list[int | None] = []
    for g, (group, _) in enumerate(F.TABLE4_GROUPS):
        options = sorted({c[g * step:(g + 1) * step] for c in row.candidates})
        if len(options) == 1:
            values.extend(options[0])
        else:
            values.extend([None] * step)
            row.unresolved_parts.append({
                "table": "table4", "row": group, "printed": row.run,
                "surviving_splits": [list(o) for o in options],
                "reason": f"{len(options)} splits of this group satisfy its 总计 identity (I4)",
            })
    row.values = tuple(values)
    row.how = "the group sums (I4); groups with several surviving splits left blank"


# --- the cell stream --------------------------------------------------------------------


def _label_cells(text: str, row: int, where: str) -> list[Cell]:
    """Label text between runs, cut at section headings so they read as headings."""
    cells = []
    pos = 0
    for match in _HEADING_RE.finditer(text):
        before = text[pos:match.start()].strip()
        if before:
            cells.append(Cell(before, row, where))
        cells.append(Cell(match.group(0), row, where))
        pos = match.end()
    rest = text[pos:].strip()
    if rest:
        cells.append(Cell(rest, row, where))
    return cells


def _without_stray_values(texts: list[str]) -> list[str]:
    """Label text never becomes a value: digits left between two decoded rows (a run that
    was not decoded) are glued to the neighbouring label text, as the line prints them."""
    out: list[str] = []
    carry = ""
    for text in texts:
        text = carry + text
        carry = ""
        if parse_value(text) is not None:
            carry = text
            continue
        out.append(text)
    if carry:
        if out:
            out[-1] += carry
        # a lone stray run with no label beside it is dropped from the cells (it stays in the text)
    return out


def _fmt(values) -> str:
    return "|".join("?" if v is None else str(v) for v in values)


def flattened_cells(line: str, row: int, where: str) -> tuple[list[Cell], int, dict]:
    """The cells of one flattened line, the next free row number, and the decoding report."""
    rows, template = locate_rows(line)
    decide(rows)
    cells: list[Cell] = []
    pos = 0
    for r in rows:
        pre = [c.text for c in _label_cells(line[pos:r.label_start], row, where)] if r.label_start > pos else []
        label = line[max(pos, r.label_start):r.run_start].strip()
        texts = _without_stray_values(pre + ([label] if label else []))
        if label and texts:
            pre, label = texts[:-1], texts[-1]
        else:
            pre, label = texts, ""
        if pre:
            cells.extend(Cell(t, row, where) for t in pre)
            row += 1
        if label:
            cells.append(Cell(label, row, where))
        span = f"{where} chars {r.run_start + 1}-{r.run_end}"
        if r.values is not None:
            cells.extend(
                Cell("" if v is None else str(v), row,
                     f"{span} cell {i} (flattened '{r.run}' split {_fmt(r.values)}: {r.how})")
                for i, v in enumerate(r.values, start=1)
            )
        else:
            cells.extend(Cell("", row, f"{span} cell {i} (flattened '{r.run}' unresolved)")
                         for i in range(1, r.width + 1))
        row += 1
        pos = r.run_end
    if pos < len(line):
        cells.extend(Cell(t, row, where) for t in _without_stray_values(
            [c.text for c in _label_cells(line[pos:], row, where)]))
        row += 1
    report = {
        "line": where,
        "template": template,
        "rows_found": len(rows),
        "rows_decoded": sum(1 for r in rows if r.values is not None and not r.unresolved_parts),
        "decided_by_column_identities": [
            {"table": r.table, "row": r.key, "printed": r.run, "split": list(r.values)}
            for r in rows if r.values is not None and "column" in r.how
        ],
        "unresolved": [
            {"table": r.table, "row": r.key, "printed": r.run, "where": f"{where} chars {r.run_start + 1}-{r.run_end}",
             "surviving_splits": [list(c) for c in r.candidates], "reason": r.reason}
            for r in rows if r.values is None
        ] + [{**part, "where": f"{where} chars {r.run_start + 1}-{r.run_end}"} for r in rows for part in r.unresolved_parts],
    }
    return cells, row, report
