"""A report as a crawler's flattened page text: every table cell glued to the next.

Like ``../shared/hard/pingtan_2021_flattened.txt``: a header block of ``key: value``
lines, then the whole page body on one line, prose and table cells in HTML reading order
(a merged cell once, at its top-left position) with no separator at all; zeros are
printed, so every cell leaves digits behind.
"""

from __future__ import annotations

from typing import Any

from gongkai.synth.document import Paragraph, Table, build_document


def flatten_table(table: Table) -> str:
    """The cells of a table in reading order, glued."""
    return "".join(cell.text for row in table.rows for cell in row)


def render_flattened(report: dict[str, Any], *, table_overrides: dict[str, str] | None = None) -> str:
    """The report as flattened page text. ``table_overrides`` replaces a table's glued text
    (by table name), for tests that need a crafted row."""
    document = build_document(report)
    body = []
    for block in document.blocks:
        if isinstance(block, Table):
            body.append((table_overrides or {}).get(block.name) or flatten_table(block))
        elif isinstance(block, Paragraph) and block.kind != "title":
            body.append(block.text)
    return (
        f"标题: {document.title}\n"
        f"发布机构: {document.agency}\n"
        "==================== 正文 ====================\n"
        f"当前位置： 首页政务公开政府信息公开年报 {document.title} " + "".join(body) + " 附件下载\n"
    )


__all__ = ["render_flattened", "flatten_table"]
