"""Printed place units ("五寨县", "淮安市经济技术开发区") matched without a regex.

The patterns ``[\\u4e00-\\u9fff]{2,12}?(?:特别行政区|…|苏木)`` (metadata._PLACE_UNIT,
gazetteer.resolve._PLACE_LIKE) cost ~1–1.5 ms each to compile, because ``re`` expands a
CJK range character by character; every process reading one report paid it (a fifth of
the regex compilation of a one-file ``gongkai extract``). These functions give what those
patterns give, position for position (tests/test_placeunit.py checks them against the
patterns): a stem of 2 to 12 CJK characters, the shortest first, followed by the first
unit, in the order listed, that the text continues with.
"""

from __future__ import annotations

_STEM_MIN, _STEM_MAX = 2, 12


def _cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def match_unit(text: str, units: tuple[str, ...], pos: int = 0, endpos: int | None = None,
               single_stem_units: tuple[str, ...] = ()) -> str | None:
    """``re.match`` of ``(?:[\\u4e00-\\u9fff]{2,12}?(?:UNITS)|[\\u4e00-\\u9fff](?:SINGLE))`` at ``pos``."""
    end = len(text) if endpos is None else min(endpos, len(text))
    stop = min(end, pos + _STEM_MAX)
    at = pos
    while at < stop and _cjk(text[at]):
        at += 1
        if at - pos >= _STEM_MIN:
            for unit in units:
                if text.startswith(unit, at, end):
                    return text[pos:at + len(unit)]
    if single_stem_units and pos + 1 < end and _cjk(text[pos]):
        for unit in single_stem_units:
            if text.startswith(unit, pos + 1, end):
                return text[pos:pos + 1 + len(unit)]
    return None


def find_units(text: str, units: tuple[str, ...], pos: int = 0, endpos: int | None = None) -> list[tuple[int, str]]:
    """``[(m.start(), m.group()) for m in re.finditer(...)]`` of the stem-and-unit pattern."""
    end = len(text) if endpos is None else min(endpos, len(text))
    found = []
    while pos < end:
        unit = match_unit(text, units, pos, end)
        if unit is None:
            pos += 1
        else:
            found.append((pos, unit))
            pos += len(unit)
    return found
