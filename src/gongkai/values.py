"""Cell values as printed: numbers, blanks and placeholders, amounts with units.

A value keeps what the document prints: "+2" is 2, "-14" is -14, "3.60577亿元" is 3.60577
with unit 亿元 (never converted), "—" is blank. Nothing here guesses a missing number.
"""

from __future__ import annotations

import re
import unicodedata
from collections import namedtuple
from functools import lru_cache

from gongkai.formats import AMOUNT_UNITS
from gongkai.lazyre import lazy

# placeholders printed for "nothing": all read as a blank cell (None)
PLACEHOLDERS = frozenset({"-", "--", "—", "——", "–", "/", "／", "无", "空", "\\", "—-", "－"})
_COUNT_WORDS = "件个项笔次条家人宗起"
_NUMBER_RE = lazy(
    r"^(?P<sign>[+\-]?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<unit>" + "|".join(AMOUNT_UNITS) + r"|[" + _COUNT_WORDS + r"])?$"
)
_SPACES_RE = lazy(r"\s+")


# A namedtuple, not a dataclass: `import dataclasses` and the generated methods cost ~15 ms of
# CPU in every process (see readers/base.py).
_ValueFields = namedtuple("_ValueFields", ("number", "unit", "printed"), defaults=(None, ""))


class Value(_ValueFields):
    """A parsed cell: ``number`` is None for a blank or placeholder cell.

    Fields (immutable): ``number`` (int, float or None), ``unit`` (str or None), ``printed`` ("").
    """

    __slots__ = ()

    @property
    def is_blank(self) -> bool:
        return self.number is None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2212", "-").replace("\ufe63", "-")
    return _SPACES_RE.sub("", text)


@lru_cache(maxsize=1 << 16)  # Values are immutable; "0", "1" and labels recur in every report
def parse_value(text: str) -> Value | None:
    """Parse a cell as a value; None when the cell is a label (text), not a value.

    >>> parse_value(" ０12 ").number, parse_value("+2").number, parse_value("1,234").number
    (12, 2, 1234)
    >>> parse_value("3.60577亿元")
    Value(number=3.60577, unit='亿元', printed='3.60577亿元')
    >>> parse_value("—").is_blank, parse_value("行政许可") is None
    (True, True)
    """
    cleaned = _clean(text)
    if not cleaned or cleaned in PLACEHOLDERS:
        return Value(None, None, text.strip())
    match = _NUMBER_RE.match(cleaned)
    if not match:
        return None
    digits = match["num"].replace(",", "")
    number: int | float = float(digits) if "." in digits else int(digits)
    if match["sign"] == "-":
        number = -number
    unit = match["unit"]
    return Value(number, unit if unit in AMOUNT_UNITS else None, text.strip())


def is_value_text(text: str) -> bool:
    """True when the text is a number (with optional sign, separators, unit), not a blank."""
    value = parse_value(text)
    return value is not None and not value.is_blank


_MAX_CELL_TEXT = 16  # longer text beside numbers is prose or a note, not a mistyped number cell


def text_in_number_cells(cells, parsed: list[Value | None], start: int = 0, stop: int | None = None) -> list[dict]:
    """Cells holding text where a number belongs: ``{"where", "printed"}`` for each.

    A short text cell on a table row, right after a printed number and followed on the
    same row by another value position ("5 | 不详 | 3"), is a number cell whose printed
    text is not a number. The template engine reads it as a label (its row loses the
    values from there), so it is reported here instead of silently becoming blank.
    """
    stop = len(cells) if stop is None else stop
    found = []
    for i in range(max(start, 1), min(stop, len(cells)) - 1):
        if parsed[i] is not None:
            continue
        before, after = parsed[i - 1], parsed[i + 1]  # the rare part first: a number, then a value
        if before is None or before.number is None or after is None:
            continue
        printed = cells[i].text.strip()
        if not printed or len(printed) > _MAX_CELL_TEXT:
            continue
        if " token " in cells[i].where:
            continue  # a flattened page line: row labels follow the previous row's numbers
        if cells[i - 1].row == cells[i].row == cells[i + 1].row:
            found.append({"where": cells[i].where, "printed": printed})
    return found
