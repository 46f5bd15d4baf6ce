"""Cut a reading-order cell stream into label→values segments.

A table row, whatever the file format, reads as some label cells followed by value
cells. A *segment* is one such run: the labels, then every value position (numbers and
blank cells) up to the next label. Blank cells that stand before a label on the same
source row (the footprint of a merged label column) are not value positions.
"""

from __future__ import annotations

from gongkai.readers.base import Cell
from gongkai.values import Value, parse_value


# A plain class with __slots__, not a dataclass: `import dataclasses` and the generated methods
# cost ~15 ms of CPU in every process (see readers/base.py).
class Segment:
    """A run of label cells and the value cells that follow them in the stream.

    ``start`` is the index of the first cell in the stream.
    """

    __slots__ = ("labels", "values", "start")

    def __init__(self, labels: list[Cell] | None = None, values: list[tuple[Cell, Value]] | None = None,
                 start: int = 0) -> None:
        self.labels = [] if labels is None else labels
        self.values = [] if values is None else values
        self.start = start

    def __repr__(self) -> str:
        return f"Segment(labels={self.labels!r}, values={self.values!r}, start={self.start!r})"

    def numeric_count(self) -> int:
        return sum(1 for _, v in self.values if not v.is_blank)


def parsed_cells(cells: list[Cell]) -> list[Value | None]:
    """Parse every cell once: a Value for value cells (blank included), None for labels."""
    return [parse_value(c.text) for c in cells]


def segment(cells: list[Cell], parsed: list[Value | None], start: int, stop: int) -> list[Segment]:
    """Segments of ``cells[start:stop]``, in order.

    One pass: blank cells wait in ``pending`` until their row shows what they are. A label
    on the same row, before any number, makes them the merged label column's footprint
    (dropped); a number, or the row's end, makes them value positions (kept, in order).
    """
    segments: list[Segment] = []
    current: Segment | None = None
    pending: list[tuple[Cell, Value]] = []
    pending_row = None
    for i in range(start, stop):
        cell, value = cells[i], parsed[i]
        if pending and cell.row != pending_row:
            current.values += pending
            pending = []
        if value is None:
            pending = []
            if current is None or current.values:
                current = Segment(start=i)
                segments.append(current)
            current.labels.append(cell)
        elif current is None:
            continue
        elif value.number is None:  # a blank cell
            pending.append((cell, value))
            pending_row = cell.row
        else:
            if pending:
                current.values += pending
                pending = []
            current.values.append((cell, value))
    if pending:
        current.values += pending
    return segments


def fit_values(values: list[tuple[Cell, Value]], width: int) -> list[tuple[Cell, Value] | None]:
    """Fit a segment's value positions to a row of ``width`` cells.

    Extra positions are blank padding of merged label columns (before the values) or of
    colspans (after them): drop leading blanks first, then trailing blanks, then keep the
    first ``width``. Missing positions (blank cells lost in a text export) are None.
    """
    vals = list(values)
    while len(vals) > width and vals[0][1].is_blank:
        vals.pop(0)
    while len(vals) > width and vals[-1][1].is_blank:
        vals.pop()
    fitted: list[tuple[Cell, Value] | None] = list(vals[:width])
    fitted.extend([None] * (width - len(fitted)))
    return fitted
