"""The shape every reader produces."""

from __future__ import annotations

from dataclasses import dataclass, field


class ExtractionError(Exception):
    """A file that cannot yield a report; the message is the one-line reason."""


@dataclass(slots=True, unsafe_hash=True)  # not frozen: a frozen __init__ costs 0.8 µs a cell, this 0.3 µs
class Cell:
    """One unit of text in reading order: a table cell, a text line or a paragraph.

    ``row`` groups cells printed on the same source row (a table row, a text line);
    cells of different source rows never share it. ``where`` says where the cell was
    found, precisely enough for a reviewer to open the source and point at it:
    "line 12", "table 2 row 5 col 3", "page 4 table 1 row 3 col 5".
    ``table``/``col`` are -1 when the cell is not in a detected table.
    Readers make cells and nothing changes one afterwards (``dataclasses.replace`` makes a
    changed copy); equal cells hash alike.
    """

    text: str
    row: int
    where: str
    table: int = -1
    col: int = -1


@dataclass(slots=True)
class Document:
    """A file read into cells. ``text`` is the plain text in reading order (for metadata)."""

    path: str
    format: str
    cells: list[Cell] = field(default_factory=list)
    text: str = ""
    # anything a reader learnt about the source: encoding, page count, converter...
    info: dict = field(default_factory=dict)
