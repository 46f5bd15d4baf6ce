"""The table identities as the verifier of an OCR reading — never as a silent fixer.

For a report read by OCR (`gongkai.readers.ocr`):

1. every value cell gets its confidence and box in the provenance (``provenance["ocr"]``);
2. each identity I1-I4 that the reading breaks marks its cells as suspects; each suspect is
   re-read from its own crop in two or three preprocessings (as is; doubled and binarized;
   detection on the padded crop);
3. a value is changed only when (a) every identity the cell takes part in forces the same
   value for it, and (b) a re-read of the cell says exactly that value. The change is
   recorded: what was read, what is kept, why. One cell at a time, then the identities are
   checked again;
4. otherwise the value stays as read. The report is a *reading doubt* (``ocr_uncertain``)
   when a cell of a still-broken identity was not confirmed by its re-reads, or when a cell
   that no identity covers (table 二) was read with low confidence or shows a stroke left of
   its digits that the reading lacks (a lost minus sign), or when an amount whose unit the
   format prints in its header was read without a unit. A broken identity whose
   cells all re-read to what was printed is the agency's inconsistency, not ours, and is
   left to the identity rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gongkai import formats as F
from gongkai.values import parse_value

UNCERTAIN_BELOW = 0.85  # confidence under which an unverified cell is a reading doubt
_MAX_SUSPECTS = 80  # cells re-read per report (cost bound)
_MAX_FIXES = 12

Ref = tuple[str, str, int]  # (table, row key, column index)


@dataclass(slots=True)
class Identity:
    name: str  # "I2 granted" etc.
    left: list[Ref]
    right: list[Ref]


@dataclass(slots=True)
class Verdict:
    """What the verifier did to one report's tables."""

    confidence: dict[str, Any] = field(default_factory=dict)
    boxes: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    rereads: int = 0

    def provenance(self) -> dict[str, Any]:
        return {"confidence": self.confidence, "boxes": self.boxes, "pages": self.pages,
                "corrections": self.corrections, "uncertain": self.uncertain, "cells_reread": self.rereads}

    def notes(self) -> list[str]:
        notes = [f"ocr_corrected: {c['where']} read {c['read']!r}, kept {c['kept']!r} ({c['why']})"
                 for c in self.corrections]
        notes += [f"ocr_uncertain: {u['where']} read {u['read']!r} ({u['why']})" for u in self.uncertain]
        return notes


def identities(table3: dict | None, table4: dict | None) -> list[Identity]:
    """I1-I4 over the rows the report prints (a missing row takes part as 0, like the checks)."""
    result: list[Identity] = []
    t3 = table3 or {}
    if t3:
        leaves = [k for k in F.LEAF_DISPOSITIONS if k in t3]
        for c, col in enumerate(F.APPLICANT_KEYS):
            left = [("table3", k, c) for k in ("new_received", "carried_over") if k in t3]
            right = [("table3", k, c) for k in ("total", "carried_forward") if k in t3]
            if left and right:
                result.append(Identity(f"I1 {col}", left, right))
            if "total" in t3 and leaves:
                result.append(Identity(f"I3 {col}", [("table3", "total", c)], [("table3", k, c) for k in leaves]))
        for key, row in t3.items():
            if len(row) >= 7:
                result.append(Identity(f"I2 {key}", [("table3", key, 6)], [("table3", key, c) for c in range(6)]))
    for group, row in (table4 or {}).items():
        if len(row) >= 5:
            result.append(Identity(f"I4 {group}", [("table4", group, 4)], [("table4", group, c) for c in range(4)]))
    return result


def _get(tables, ref: Ref):
    table, key, c = ref
    row = getattr(tables, table)[key]
    return row[c] if c < len(row) else None


def _num(value) -> float:
    return value if isinstance(value, (int, float)) else 0


def _holds(tables, identity: Identity) -> bool:
    return sum(_num(_get(tables, r)) for r in identity.left) == sum(_num(_get(tables, r)) for r in identity.right)


def _forced(tables, identity: Identity, ref: Ref):
    """The value ``ref`` must have for ``identity`` to hold, the other cells as read."""
    left = sum(_num(_get(tables, r)) for r in identity.left if r != ref)
    right = sum(_num(_get(tables, r)) for r in identity.right if r != ref)
    return right - left if ref in identity.left else left - right


def _where(tables, ref: Ref) -> str | None:
    table, key, c = ref
    places = tables.provenance.get(table, {}).get(key) or []
    return places[c] if c < len(places) else None


def verify(tables, document) -> Verdict:
    """Check an OCR reading of one report against I1-I4; re-read, correct or flag (see module doc)."""
    from gongkai.ocr.page import reread_cell

    info = document.info
    cells: dict[str, dict] = info.get("ocr_cells", {})
    pages = info.get("ocr_page_images", {})
    verdict = Verdict()
    verdict.confidence = _shaped(tables, cells, lambda c: c["confidence"])
    verdict.boxes = _shaped(tables, cells, lambda c: [c["page"], *c["box"]])
    verdict.pages = {str(n): {"skew_degrees": round(p.skew, 3), "width": int(p.image.shape[1]),
                              "height": int(p.image.shape[0])} for n, p in pages.items()}
    checks = identities(tables.table3, tables.table4)
    cache: dict[Ref, list[tuple[Any, float, str]]] = {}

    def rereads(ref: Ref) -> list[tuple[Any, float, str]]:
        """Values the cell re-reads to in the preprocessing variants (cached)."""
        if ref in cache:
            return cache[ref]
        found = []
        where = _where(tables, ref)
        cell = cells.get(where or "")
        if cell is not None and cell["page"] in pages:
            for variant in (0, 1, 2):
                verdict.rereads += 1
                read = reread_cell(pages[cell["page"]], tuple(cell["box"]), variant)
                text, score = read if read is not None else ("", 1.0)
                value = parse_value(text)
                if value is None:
                    continue  # not a number: this preprocessing failed
                found.append((value.number, score, text))
                if variant == 1 and found and all(f[0] == found[0][0] for f in found):
                    break  # two preprocessings agree: enough
        cache[ref] = found
        return found

    budget = _MAX_SUSPECTS
    for _ in range(_MAX_FIXES):
        broken = [i for i in checks if not _holds(tables, i)]
        if not broken:
            break
        suspects: dict[Ref, int] = {}
        for identity in broken:
            for ref in identity.left + identity.right:
                suspects[ref] = suspects.get(ref, 0) + 1
        fixed = False
        for ref in sorted(suspects, key=lambda r: -suspects[r]):
            forced = {_forced(tables, i, ref) for i in checks if ref in i.left or ref in i.right}
            if len(forced) != 1:
                continue
            value = forced.pop()
            if value < 0 or value == _get(tables, ref):
                continue
            if ref not in cache:
                if budget <= 0:
                    continue
                budget -= 1
            agreeing = [f for f in rereads(ref) if f[0] == value]
            if agreeing:
                table, key, c = ref
                read = _get(tables, ref)
                getattr(tables, table)[key][c] = int(value) if float(value).is_integer() else value
                verdict.corrections.append({
                    "where": _where(tables, ref), "table": table, "row": key, "col": c, "read": read,
                    "kept": value, "reread": agreeing[0][2],
                    "why": "every identity of the cell (" + ", ".join(
                        i.name for i in checks if ref in i.left or ref in i.right) + ") forces it and a re-read says it",
                })
                fixed = True
                break
        if not fixed:
            break
    # what is still broken: confirmed by re-reads (the agency's numbers) or a reading doubt
    for identity in [i for i in checks if not _holds(tables, i)]:
        for ref in identity.left + identity.right:
            if any(u["where"] == _where(tables, ref) for u in verdict.uncertain):
                continue
            read = _get(tables, ref)
            confidence = _confidence_of(cells, _where(tables, ref))
            if ref not in cache and budget <= 0:
                verdict.uncertain.append(_doubt(tables, ref, read, confidence, f"{identity.name} broken, not re-read"))
                continue
            budget -= ref not in cache
            found = rereads(ref)
            confirmed = any(f[0] == read or (f[0] is None and read is None) for f in found)
            disagree = [f for f in found if f[0] != read]
            if not confirmed or (disagree and confidence < UNCERTAIN_BELOW):
                why = f"{identity.name} broken; re-read gives {sorted({str(f[2]) for f in found}) or 'nothing'}"
                verdict.uncertain.append(_doubt(tables, ref, read, confidence, why))
    # a national table-三 row the reading did not find: its label was not read (OCR only)
    if tables.table3 and tables.template in F.TEMPLATES:
        other = F.OTHER_ROWS_2019 if tables.template == "2021" else F.OTHER_ROWS_2021
        for row in F.TABLE3_ROWS:
            if row.key not in other and row.key not in tables.table3:
                verdict.uncertain.append({"where": f"table3 row {row.key}", "table": "table3", "row": row.key,
                                          "col": None, "read": None, "confidence": 0.0,
                                          "why": "row not found: its label was not read"})
    # an amount whose unit the format prints in its header (本年收费金额（单位：万元）), read without one
    for item in F.TABLE2_ITEMS.get(tables.template, ()) if tables.table2 else ():
        row = tables.table2.get(item.key) or {}
        header = dict(item.measures).get(item.unit_measure or "", "")
        if "单位" in header and row.get(item.unit_measure) is not None and not row.get(f"{item.unit_measure}_unit"):
            where = (tables.provenance.get("table2", {}).get(item.key) or {}).get(item.unit_measure)
            verdict.uncertain.append({"where": where, "table": "table2", "row": item.key,
                                      "col": f"{item.unit_measure}_unit", "read": None,
                                      "confidence": _confidence_of(cells, where),
                                      "why": f"no unit read for the amount; the format prints it in the header {header}"})
    # cells no identity covers: low confidence is a reading doubt
    covered = {r for i in checks for r in i.left + i.right}
    for table, key, c, where in _value_places(tables):
        if (table, key, c) in covered:
            continue
        confidence = _confidence_of(cells, where)
        read = _value_at(tables, table, key, c)
        why = (f"confidence {confidence:.2f}, no identity to check it" if confidence < UNCERTAIN_BELOW
               else _unchecked_doubt(pages, cells.get(where or ""), read))
        if why:
            verdict.uncertain.append({"where": where, "table": table, "row": key, "col": c,
                                      "read": read, "confidence": confidence, "why": why})
    return verdict


def _unchecked_doubt(pages: dict, cell: dict | None, read) -> str | None:
    """Why a number no identity covers (table 二) is a reading doubt, or None.

    Its ink is the only check left: a level stroke left of the digits of a number read
    without a sign is a minus the recogniser dropped ("-44" read as "44" with confidence
    1.0 on a noisy 150 dpi scan). A re-read of the crop is not used as a check here: on such
    scans it was the less reliable reading ("19" re-read as "319", "-14" as "44").
    """
    from gongkai.ocr.page import leading_stroke

    if cell is None or cell["page"] not in pages or isinstance(read, bool) or not isinstance(read, (int, float)):
        return None
    if read >= 0 and leading_stroke(pages[cell["page"]], tuple(cell["box"])):
        return "a stroke left of the digits (a minus sign?) that the reading lacks; no identity to check it"
    return None


def _doubt(tables, ref: Ref, read, confidence: float, why: str) -> dict:
    table, key, c = ref
    return {"where": _where(tables, ref), "table": table, "row": key, "col": c, "read": read,
            "confidence": confidence, "why": why}


def _confidence_of(cells: dict, where: str | None) -> float:
    cell = cells.get(where or "")
    return float(cell["confidence"]) if cell else 1.0


def _value_places(tables):
    """(table, row key, column or measure, where) of every value of the report."""
    for table in ("table2", "table3", "table4"):
        for key, places in (tables.provenance.get(table) or {}).items():
            if isinstance(places, dict):
                for measure, where in places.items():
                    yield table, key, measure, where
            else:
                for c, where in enumerate(places):
                    yield table, key, c, where


def _value_at(tables, table: str, key: str, c):
    row = (getattr(tables, table) or {}).get(key)
    if isinstance(row, dict):
        return row.get(c)
    return row[c] if row and isinstance(c, int) and c < len(row) else None


def _shaped(tables, cells: dict, pick) -> dict[str, Any]:
    """Per value, ``pick(cell)`` of its OCR cell, shaped like the values (None: not OCR'd)."""
    out: dict[str, Any] = {}
    for table in ("table2", "table3", "table4"):
        places = tables.provenance.get(table) or {}
        shaped: dict[str, Any] = {}
        for key, where in places.items():
            if isinstance(where, dict):
                shaped[key] = {m: (pick(cells[w]) if w in cells else None) for m, w in where.items()}
            else:
                shaped[key] = [(pick(cells[w]) if w in cells else None) for w in where]
        if shaped:
            out[table] = shaped
    return out
