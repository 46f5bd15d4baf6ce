"""Spreadsheet renderings of a report: .xlsx (openpyxl), then .xls / .ods / .et via LibreOffice.

The workbook holds what agencies attach as a spreadsheet: the title and prose as one
cell per row in column A, and tables 二/三/四 as grids with the official merged cells
(merged header blocks, merged row labels of 三, the colspan=3 value cells of 二). Value
cells are numeric cells when the printed value is a plain number (a spreadsheet stores
12 as a number), text otherwise ("251000元"). ``sheets="per_table"`` puts the prose on a
first sheet and each table on a sheet of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from gongkai.synth.document import Paragraph, Table, build_document
from gongkai.synth.render import soffice_binary

_PLAIN_NUMBER = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")
_SHEET_NAMES = {"table2": "主动公开", "table3": "依申请公开", "table4": "复议诉讼"}


def _cell_value(text: str):
    if _PLAIN_NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def _write_table(ws, table: Table, top: int) -> int:
    """Write ``table`` with its top-left at row ``top`` (1-based); the next free row."""
    covered: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in covered:
                c += 1
            sheet_row, sheet_col = top + r, 1 + c
            text = cell.text
            ws.cell(row=sheet_row, column=sheet_col, value=_cell_value(text) if cell.kind == "value" else text)
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=sheet_row, start_column=sheet_col,
                               end_row=sheet_row + cell.rowspan - 1, end_column=sheet_col + cell.colspan - 1)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    covered.add((r + dr, c + dc))
            c += cell.colspan
    return top + len(table.rows) + 1


def render_xlsx(report: dict[str, Any], path: str | os.PathLike, *, sheets: str = "one",
                blank_zeros: bool = False) -> Path:
    """Write the report as an .xlsx workbook; ``sheets`` is "one" or "per_table"."""
    from openpyxl import Workbook

    document = build_document(report, blank_zeros=blank_zeros)
    workbook = Workbook()
    ws = workbook.active
    ws.title = "年度报告"
    row = 1
    blocks = document.blocks
    for i, block in enumerate(blocks):
        next_is_table = i + 1 < len(blocks) and isinstance(blocks[i + 1], Table)
        if sheets == "per_table" and isinstance(block, Paragraph) and next_is_table:
            # a sheet per section: its heading on top, then its table
            ws = workbook.create_sheet(_SHEET_NAMES.get(blocks[i + 1].name, blocks[i + 1].name))
            ws.cell(row=1, column=1, value=block.text)
            row = 2
            continue
        if isinstance(block, Paragraph):
            if sheets == "per_table" and ws.title != "年度报告":
                ws = workbook["年度报告"]
                row = ws.max_row + 2
            ws.cell(row=row, column=1, value=block.text)
            row += 1
        else:
            if sheets == "per_table" and ws.max_row > 1 and row == 1:
                ws = workbook.create_sheet(_SHEET_NAMES.get(block.name, block.name))
            row = _write_table(ws, block, row)
    path = Path(path)
    workbook.save(path)
    return path


def soffice_convert(paths: list[str | os.PathLike], fmt: str, outdir: str | os.PathLike, *,
                    timeout: float = 600) -> list[Path]:
    """Convert spreadsheets to ``fmt`` ("xls" or "ods") with one LibreOffice run; outputs in order."""
    paths = [Path(p) for p in paths]
    binary = soffice_binary()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    outs = [outdir / f"{p.stem}.{fmt}" for p in paths]
    for stale in outs:
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongkai-soffice-") as profile:
        command = [binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    missing = [p.name for p in outs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not produce {missing}: exit {result.returncode}, "
                           f"{(result.stderr or result.stdout).strip()[-500:]}")
    return outs


def as_et(xls_path: str | os.PathLike, outdir: str | os.PathLike) -> Path:
    """A WPS spreadsheet (.et): WPS writes the same BIFF8 compound file as .xls."""
    target = Path(outdir) / (Path(xls_path).stem + ".et")
    shutil.copyfile(xls_path, target)
    return target


__all__ = ["render_xlsx", "soffice_convert", "as_et"]
