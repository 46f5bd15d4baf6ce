"""The shape every reader produces."""

from __future__ import annotations

# Cell and Document are plain classes with __slots__, not dataclasses: `import dataclasses`
# (inspect, ast, dis, tokenize …) and the generated methods cost ~15 ms of CPU in every
# process, about a fifth of a one-file `gongkai extract` (the records of the extraction path
# avoid dataclasses for the same reason: limits, values, segments, formats, template,
# metadata, batch, gazetteer).


class ExtractionError(Exception):
    """A file that cannot yield a report; the message is the one-line reason."""


class Cell:
    """One unit of text in reading order: a table cell, a text line or a paragraph.

    ``row`` groups cells printed on the same source row (a table row, a text line);
    cells of different source rows never share it. ``where`` says where the cell was
    found, precisely enough for a reviewer to open the source and point at it:
    "line 12", "table 2 row 5 col 3", "page 4 table 1 row 3 col 5".
    ``table``/``col`` are -1 when the cell is not in a detected table.
    Readers make cells and nothing changes one afterwards (:meth:`replace` makes a
    changed copy); equal cells hash alike.
    """

    __slots__ = ("text", "row", "where", "table", "col")

    def __init__(self, text: str, row: int, where: str, table: int = -1, col: int = -1) -> None:
        self.text = text
        self.row = row
        self.where = where
        self.table = table
        self.col = col

    def _key(self) -> tuple:
        return (self.text, self.row, self.where, self.table, self.col)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Cell(text={self.text!r}, row={self.row!r}, where={self.where!r}, "
                f"table={self.table!r}, col={self.col!r})")

    def replace(self, **changes) -> Cell:
        """A copy with some fields changed: ``cell.replace(text="12")``."""
        return Cell(**{**{name: getattr(self, name) for name in Cell.__slots__}, **changes})


class Document:
    """A file read into cells. ``text`` is the plain text in reading order (for metadata).

    ``info`` holds anything a reader learnt about the source: encoding, page count, converter...
    """

    __slots__ = ("path", "format", "cells", "text", "info")

    def __init__(self, path: str, format: str, cells: list[Cell] | None = None, text: str = "",  # noqa: A002
                 info: dict | None = None) -> None:
        self.path = path
        self.format = format
        self.cells = [] if cells is None else cells
        self.text = text
        self.info = {} if info is None else info

    def _key(self) -> tuple:
        return (self.path, self.format, self.cells, self.text, self.info)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key() == other._key()
        return NotImplemented

    __hash__ = None  # mutable: unhashable, as before

    def __repr__(self) -> str:
        return (f"Document(path={self.path!r}, format={self.format!r}, cells={self.cells!r}, "
                f"text={self.text!r}, info={self.info!r})")

    def replace(self, **changes) -> Document:
        """A copy with some fields changed (the others shared, as ``dataclasses.replace`` did)."""
        return Document(**{**{name: getattr(self, name) for name in Document.__slots__}, **changes})
