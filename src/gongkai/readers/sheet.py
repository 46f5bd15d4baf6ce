"""Spreadsheet attachments: .xlsx, .xls, .et (WPS), .ods, read with python-calamine.

Every sheet is walked row by row; a row's cells become the same reading-order cell
stream the other readers produce, with provenance ``sheet NAME row R col C`` (1-based,
as a spreadsheet shows them; ``Cell.table`` is the sheet index, ``Cell.col`` the
0-based column).

Merged cells: a merged range is read once, at its top-left position, and the positions
it covers are not cells at all — exactly as the HTML reader treats rowspan/colspan. For
.xlsx and .ods calamine reports the merged ranges; for .xls/.et it may report none, and
then a covered position is simply an empty cell (a blank before a label or after a
value, which the segment engine already reads as the footprint of a merged cell).

Numbers are stored as floats by spreadsheets: an integral float is printed as an
integer ("12", never "12.0"); other floats in their shortest round-trip form.
"""

from __future__ import annotations

import datetime as _dt
import io

from gongkai.readers.base import Cell, Document, ExtractionError

SPREADSHEET_FORMATS = ("xlsx", "xls", "et", "ods")
# a report's tables fit in a few hundred rows; past these the rest of a sheet is not read
MAX_ROWS = 20_000
MAX_COLS = 256


def cell_text(value) -> str:
    """A spreadsheet value as the text a reader would see printed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    return str(value).strip()


def _covered(merged) -> set[tuple[int, int]]:
    """Grid positions covered by a merged range (every position but its top-left)."""
    out: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in merged or ():
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    out.add((r, c))
    return out


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_MAX_REPEAT = 1024  # a repeated row/cell run beyond this is empty padding to the sheet's end


def ods_merged_ranges(data: bytes) -> list[list[tuple[tuple[int, int], tuple[int, int]]]] | None:
    """Merged ranges per sheet of an .ods, from content.xml (calamine does not report them).

    ``table:number-columns-spanned`` / ``number-rows-spanned`` on a cell give its range;
    ``number-columns-repeated`` / ``number-rows-repeated`` advance the position. None when
    the package cannot be read this way (the reader then goes on without ranges).
    """
    import zipfile

    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            root = etree.fromstring(package.read("content.xml"))
    except Exception:  # noqa: BLE001 - the workbook itself is opened by calamine
        return None
    sheets = []
    for table in root.iter(_ODS_TABLE + "table"):
        ranges = []
        r = 0
        for row in table.iter(_ODS_TABLE + "table-row"):
            rows_repeated = int(row.get(_ODS_TABLE + "number-rows-repeated", "1"))
            c = 0
            for cell in row:
                if cell.tag not in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
                    continue
                repeated = int(cell.get(_ODS_TABLE + "number-columns-repeated", "1"))
                cols = int(cell.get(_ODS_TABLE + "number-columns-spanned", "1"))
                rows = int(cell.get(_ODS_TABLE + "number-rows-spanned", "1"))
                if cols > 1 or rows > 1:
                    ranges.append(((r, c), (r + rows - 1, c + cols - 1)))
                c += min(repeated, _ODS_MAX_REPEAT)
            r += min(rows_repeated, _ODS_MAX_REPEAT)
        sheets.append(ranges)
    return sheets


def read_sheet(path: str, data: bytes, fmt: str) -> Document:
    """Read every sheet of a workbook into cells; ExtractionError when it cannot be opened."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a pinned dependency
        raise ExtractionError("spreadsheet reader (python-calamine) is not installed") from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise ExtractionError(f"corrupt or unreadable spreadsheet ({_short(exc)})") from None
    cells: list[Cell] = []
    lines: list[str] = []
    row_id = 0
    merged_known = False
    names = list(workbook.sheet_names)
    ods_ranges = ods_merged_ranges(data) if fmt == "ods" else None
    truncated: list[str] = []
    try:
        for index, name in enumerate(names):
            sheet = workbook.get_sheet_by_index(index)
            merged = sheet.merged_cell_ranges
            if not merged and ods_ranges is not None and index < len(ods_ranges):
                merged = ods_ranges[index]
            merged_known = merged_known or bool(merged)
            covered = _covered(merged)
            first_col = sheet.start[1] if sheet.start else 0
            for r, values in enumerate(sheet.iter_rows()):
                if r >= MAX_ROWS:
                    truncated.append(name)
                    break
                # iter_rows starts at row 0 but at the sheet's first used column
                texts = [""] * min(first_col, MAX_COLS) + [cell_text(v) for v in values[:max(0, MAX_COLS - first_col)]]
                last = max((c for c, t in enumerate(texts) if t), default=-1)
                if last < 0:
                    continue
                row_id += 1
                row_texts = []
                for c in range(last + 1):
                    if (r, c) in covered:
                        continue
                    cells.append(Cell(texts[c], row_id, f"sheet {name} row {r + 1} col {c + 1}", index, c))
                    if texts[c]:
                        row_texts.append(texts[c])
                lines.append(" ".join(row_texts))
    except ExtractionError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ExtractionError(f"corrupt or unreadable spreadsheet ({_short(exc)})") from None
    finally:
        close = getattr(workbook, "close", None)
        if close is not None:
            close()
    if not cells:
        raise ExtractionError("empty spreadsheet (no cells with content)")
    info = {"sheets": len(names), "merged_ranges": "read" if merged_known else "none reported"}
    if truncated:
        info["sheets_truncated"] = f"read the first {MAX_ROWS} rows of {', '.join(truncated)}"
    return Document(path=path, format=fmt, cells=cells, text="\n".join(lines), info=info)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
