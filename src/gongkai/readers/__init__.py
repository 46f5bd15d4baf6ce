"""Readers: turn one file into a `Document`, a reading-order stream of cells.

Every reader returns the same shape, so the template engine never knows whether a
report came from a web page, a Word file, a PDF or a text export.
"""

from gongkai.readers.base import Cell, Document, ExtractionError
from gongkai.readers.dispatch import read_document

__all__ = ["Cell", "Document", "ExtractionError", "read_document"]
