"""Synthetic reports and faithful renderings of them, for benchmarks and tests.

`generate_reports` / `generate_with_truth` make contract dicts (REPORT_SCHEMA.md) with
known inconsistencies; the renderers print any contract dict (generated or gold) as a
real report would be published: plain text, HTML (UTF-8 or GBK), DOCX with real Word
tables and merged cells, and PDF converted from that DOCX by LibreOffice.
"""

from gongkai.synth.generate import (
    agencies,
    check_identities,
    generate_reports,
    generate_with_truth,
    template_for,
)
from gongkai.synth.render import pdf_from_docx, render_docx, render_html, render_text, soffice_binary

__all__ = [
    "agencies", "check_identities", "generate_reports", "generate_with_truth", "template_for",
    "render_text", "render_html", "render_docx", "pdf_from_docx", "soffice_binary",
]
