"""Print a report (a contract dict) the way agencies publish it.

* `render_text`: the plain-text export of a Word file, like the seeds: paragraphs as
  lines, one table cell per tab-indented line, a blank line after each table row, merged
  cells printed once (a vertically merged cell leaves an empty cell below it).
* `render_html`: a portal article page (breadcrumb, 索引号 metadata table, TRS-style
  article body) with the tables as HTML tables with rowspan/colspan; UTF-8 or GBK
  (declared ``<meta charset=gb2312>`` as older portals do); optionally zeros left blank.
* `render_docx`: a Word document with real Word tables, the official merged cells
  (``w:gridSpan``, ``w:vMerge``), CJK fonts, and optionally table 三 across a page break.
* `pdf_from_docx`: PDFs of DOCX files by LibreOffice headless, all in one invocation.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Any

from gongkai.synth.document import Cell, Document, Paragraph, Table, build_document, report_title

CJK_SERIF = "Noto Serif CJK SC"  # body text (仿宋-like)
CJK_SANS = "Noto Sans CJK SC"  # headings (黑体-like)
_TEXT_PLACEHOLDER = "—"  # a blank value in a text export (an empty line would be lost)


# --- text ------------------------------------------------------------------------------------


def render_text(report: dict[str, Any]) -> str:
    """The report as a Word file exported to plain text (the layout of the seeds)."""
    document = build_document(report)
    lines: list[str] = ["", ""]
    for block in document.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
            continue
        lines.append("")
        for row in block.placed():
            for _, cell, _ in row:
                if cell is None:
                    lines.append("\t")
                    continue
                text = " ".join(cell.text.split())
                if cell.kind == "value":
                    text = _text_value(cell)
                lines.append("\t" + text)
            lines.append("")
        lines.append("")
    return "\n".join(lines) + "\n"


def _text_value(cell: Cell) -> str:
    if not cell.text:
        return _TEXT_PLACEHOLDER
    # Word users type signed changes: "+2" (本年增/减), as seed 000 prints them
    if cell.key and cell.key[0] == "table2" and cell.key[2] == "change" and not cell.text.startswith("-") \
            and cell.text != "0":
        return "+" + cell.text
    return cell.text


# --- HTML -----------------------------------------------------------------------------------

_HTML_STYLE = """
body{font-family:"仿宋_GB2312","FangSong",serif;font-size:16px;margin:0}
.top{background:#b40000;color:#fff;padding:12px 24px;font-size:22px}
.crumb{padding:8px 24px;font-size:13px;color:#555}
.meta{margin:8px 24px;border-collapse:collapse;font-size:13px}
.meta td{border:1px solid #ccc;padding:4px 8px}
.article{width:900px;margin:0 auto}
.article h1{text-align:center;font-size:24px}
.TRS_Editor p{text-indent:2em;line-height:1.8}
.TRS_Editor table{border-collapse:collapse;margin:0 auto}
.TRS_Editor td{border:1px solid #000;text-align:center;padding:2px 4px;font-size:13px}
.foot{border-top:2px solid #b40000;margin-top:24px;padding:12px;text-align:center;font-size:12px}
"""


def render_html(report: dict[str, Any], *, encoding: str = "utf-8", blank_zeros: bool = False) -> bytes:
    """An article page of a government portal holding the report, encoded as asked.

    ``encoding`` "utf-8" declares ``<meta charset="utf-8">``; "gbk" (or "gb2312",
    "gb18030") encodes in GBK and declares ``<meta charset=gb2312>`` like older portals.
    ``blank_zeros`` prints blank cells for the zeros a reader may read as blank (see
    `gongkai.synth.document.blankable_cells`): the expected extraction is unchanged.
    """
    codec = encoding.lower().replace("_", "-")
    if codec in ("utf-8", "utf8"):
        codec, declared = "utf-8", '<meta charset="utf-8">'
    elif codec in ("gbk", "gb2312", "gb18030", "cp936"):
        codec, declared = "gbk", "<meta charset=gb2312>"
    else:
        raise ValueError(f"unsupported encoding {encoding!r}: utf-8 or gbk")
    document = build_document(report, blank_zeros=blank_zeros)
    agency = html.escape(document.agency)
    year = document.year or 2000
    index_no = f"{report.get('adcode') or '000000'}-{year + 1}-{zlib.crc32(document.title.encode()) % 100000:05d}"
    body: list[str] = []
    for block in document.blocks:
        if isinstance(block, Table):
            body.append(_html_table(block))
        elif block.kind == "title":
            continue  # printed as the article's <h1>
        elif block.kind == "heading":
            body.append(f'<p style="text-indent:2em"><strong>{html.escape(block.text)}</strong></p>')
        elif block.kind == "subheading":
            body.append(f'<p style="text-indent:2em"><span style="font-family:楷体_GB2312">'
                        f"{html.escape(block.text)}</span></p>")
        elif block.kind == "signature":
            body.append(f'<p style="text-align:right">{html.escape(block.text)}</p>')
        else:
            body.append(f"<p>{html.escape(block.text)}</p>")
    title = html.escape(document.title)
    page = f"""<!DOCTYPE html>
<html>
<head>
{declared}
<title>{title}</title>
<style>{_HTML_STYLE}</style>
</head>
<body>
<div class="top">{agency}</div>
<div class="crumb">您当前的位置：首页 &gt; 政府信息公开 &gt; 法定主动公开内容 &gt; 政府信息公开年报</div>
<table class="meta">
<tr><td>索引号：</td><td>{index_no}</td><td>发布机构：</td><td>{agency}</td></tr>
<tr><td>发布日期：</td><td>{year + 1}-01-20</td><td>公开方式：</td><td>主动公开</td></tr>
</table>
<div class="article">
<h1>{title}</h1>
<div class="TRS_Editor">
{chr(10).join(body)}
</div>
</div>
<div class="foot">主办单位：{agency}　　网站标识码：{zlib.crc32(agency.encode()):010d}</div>
</body>
</html>
"""
    return page.encode(codec, errors="xmlcharrefreplace")


def _html_table(table: Table) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%">', "<tbody>"]
    for row in table.rows:
        out.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.kind == "value" and not cell.text:
                out.append(f"<td{attrs}></td>")
            elif cell.kind == "value":
                out.append(f"<td{attrs}>{html.escape(cell.text)}</td>")
            else:
                text = html.escape(cell.text)
                out.append(f'<td{attrs}><p style="text-align:{cell.align}"><span>{text}</span></p></td>')
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


# --- DOCX -----------------------------------------------------------------------------------


def render_docx(report: dict[str, Any], path: str | os.PathLike, *, split_table3: bool = False) -> Path:
    """A Word document of the report with real tables and the official merged cells."""
    document = build_document(report, split_table3=split_table3)
    word = _new_word_document(document)
    for block in document.blocks:
        if isinstance(block, Table):
            _docx_table(word, block, repeat_header=split_table3 and block.name == "table3")
        else:
            _docx_paragraph(word, block)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(path))
    return path


def _set_fonts(rpr_parent, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _set_chinese(style_element) -> None:
    """Language zh-CN for East Asian text, so LibreOffice picks the SC faces and CJK line breaking."""
    from docx.oxml.ns import qn

    rpr = style_element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _new_word_document(document: Document):
    import docx
    from docx.shared import Cm, Pt

    word = docx.Document()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    normal = word.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element, CJK_SERIF)
    _set_chinese(normal.element)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.25
    properties = word.core_properties
    properties.title = ""  # as most published files: the title is only in the body
    properties.author = document.agency
    properties.comments = ""
    return word


def _docx_paragraph(word, block: Paragraph) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = word.add_paragraph()
    run = paragraph.add_run(block.text)
    fmt = paragraph.paragraph_format
    fmt.page_break_before = block.page_break_before
    if block.kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.font.size, run.bold = Pt(18), True
        fmt.space_after = Pt(12)
    elif block.kind == "heading":
        _set_fonts(run._r, CJK_SANS)
        run.font.size = Pt(14)
        fmt.space_before, fmt.space_after = Pt(6), Pt(6)
        fmt.keep_with_next = True
    elif block.kind == "subheading":
        run.bold = True
        fmt.first_line_indent = Pt(24)
        fmt.keep_with_next = True
    elif block.kind == "signature":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        fmt.first_line_indent = Pt(24)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
_TABLE_FONT_HALF_POINTS = 18  # 9 pt (小五)


def _docx_table(word, table: Table, *, repeat_header: bool) -> None:
    """Append a Word table: ``w:gridSpan`` for column spans, ``w:vMerge`` restart/continue for row spans.

    Written as WordprocessingML directly (python-docx's cell merging re-reads the whole
    table for every cell), in the shape Word itself saves a merged table.
    """
    from docx.oxml import parse_xml
    from docx.shared import Cm

    twips = [int(Cm(w).twips) for w in table.widths]
    style_id = word.styles["Table Grid"].style_id
    out = [f'<w:tbl xmlns:w="{_W_NS}"><w:tblPr><w:tblStyle w:val="{style_id}"/>'
           f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
           f"<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
           'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in twips]
    out.append("</w:tblGrid>")
    for r, items in enumerate(table.placed()):
        header = repeat_header and r < table.header_rows
        out.append("<w:tr>" + ("<w:trPr><w:tblHeader/></w:trPr>" if header else ""))
        for c, cell, span in items:
            width = sum(twips[c:c + span])
            props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
            if span > 1:
                props += f'<w:gridSpan w:val="{span}"/>'
            if cell is None:
                out.append(f'<w:tc><w:tcPr>{props}<w:vMerge/><w:vAlign w:val="center"/></w:tcPr><w:p/></w:tc>')
                continue
            if cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>'
            props += '<w:vAlign w:val="center"/>'
            align = "left" if cell.align == "left" else "center"
            run = ""
            if cell.text:
                bold = "<w:b/>" if cell.kind == "header" else ""
                run = (f'<w:r><w:rPr>{bold}<w:sz w:val="{_TABLE_FONT_HALF_POINTS}"/>'
                       f'<w:szCs w:val="{_TABLE_FONT_HALF_POINTS}"/></w:rPr>'
                       f'<w:t xml:space="preserve">{html.escape(cell.text, quote=False)}</w:t></w:r>')
            out.append(f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:spacing w:line="240" w:lineRule="auto"/>'
                       f'<w:ind w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>')
        out.append("</w:tr>")
    out.append("</w:tbl>")
    word.element.body.sectPr.addprevious(parse_xml("".join(out)))
    word.add_paragraph()  # Word keeps a paragraph between a table and what follows


# --- PDF ------------------------------------------------------------------------------------


def soffice_binary() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_from_docx(paths: list[str | os.PathLike], outdir: str | os.PathLike, *, timeout: float = 600) -> list[Path]:
    """Convert DOCX files to PDF with one LibreOffice headless run; the PDFs in input order.

    A private LibreOffice profile is used, so a LibreOffice already running elsewhere
    (or another conversion in parallel) does not swallow the request.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise ValueError("DOCX file names must be unique: each PDF is named after its DOCX")
    binary = soffice_binary()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    pdfs = [outdir / f"{stem}.pdf" for stem in stems]
    for stale in pdfs:  # a PDF left by an earlier run must not pass for this run's output
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongkai-soffice-") as profile:
        command = [binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not produce {missing}: exit {result.returncode}, "
                           f"{(result.stderr or result.stdout).strip()[-500:]}")
    return pdfs


__all__ = ["render_text", "render_html", "render_docx", "pdf_from_docx", "soffice_binary", "report_title"]
