"""Crawl a mock portal of real renderings, ingest what was fetched, check the warehouse.

The portal (a real HTTP server on 127.0.0.1) serves a GBK list page and a UTF-8 second
page; a report published as a GBK web page (and again under a second URL), a report
page whose body only links a DOCX attachment, one linking a PDF attachment (answered 500
once) and a dead link, a moved report (302), a 412 JavaScript challenge, a robots-disallowed report,
a 解读 companion page and a notice.
After crawl + ingest exactly the three expected reports are in the warehouse with their
gold numbers; a second crawl downloads nothing and the second ingest changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import shared_path
from mock_portal import MockSite

from gongkai import formats as F
from gongkai.crawl import crawl, read_documents
from gongkai.synth import pdf_from_docx, render_docx, render_html
from gongkai.warehouse.load import ingest

SETTINGS = dict(delay=0, timeout=5.0, retries=2, backoff=0.01, recheck_days=0)


def gold(name: str) -> dict:
    return json.loads((shared_path("gold") / f"{name}.json").read_text(encoding="utf-8"))


def list_page(items: list[tuple[str, str]], extra: str = "", charset: str = "gb2312") -> bytes:
    lis = "".join(f'<li><a href="{href}">{text}</a><span>2022-01-20</span></li>' for href, text in items)
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>政府信息公开年报</title></head><body><ul>{lis}</ul>{extra}</body></html>")
    return page.encode("gb18030" if charset == "gb2312" else "utf-8")


def attachment_page(title: str, links: str) -> bytes:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
            f"<p>详见附件。</p>{links}</body></html>").encode("utf-8")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    work = tmp_path_factory.mktemp("portal")
    xiangning, dashuikeng, wuzhai, sishui = gold("seed002"), gold("seed004"), gold("seed000"), gold("seed003")
    docx = render_docx(dashuikeng, work / "dashuikeng.docx")
    pdf = pdf_from_docx([render_docx(wuzhai, work / "wuzhai.docx")], work)[0]
    site = MockSite().start()
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain", etag=False)
    site.add("/col/index.html", list_page([
        ("/art/xiangning2021.html", "乡宁县人民政府办公室2021年政府信息公开工作年度报告"),
        ("/xxgk/xiangning2021.html", "乡宁县2021年政府信息公开工作年度报告"),
        ("/private/sishui2020.html", "泗水县人民政府2020年政府信息公开工作年度报告"),
        ("/art/jiedu2021.html", "图文解读：乡宁县2021年政府信息公开工作年度报告"),
        ("/art/notice.html", "关于报送2021年政府信息公开工作年度报告的通知"),
    ], extra='<a href="index_1.html">下一页</a>'), content_type="text/html")
    site.add("/col/index_1.html", list_page([
        ("/art/dashuikeng2020.html", "盐池县大水坑镇人民政府2020年政府信息公开工作年度报告"),
        ("/old/wuzhai2020.html", "五寨县人民政府2020年度政府信息公开工作年度报告"),  # moved: 302
        ("/art/huaian2024.html", "淮安市人民政府2024年政府信息公开工作年度报告"),  # 412 JS challenge
    ], charset="utf-8"), content_type="text/html; charset=utf-8")
    site.redirect("/old/wuzhai2020.html", "/art/wuzhai2020.html")
    site.add("/art/huaian2024.html", "<html><script>eval(challenge)</script></html>", status=412)
    page = render_html(xiangning, encoding="gbk")
    site.add("/art/xiangning2021.html", page, content_type="text/html")
    site.add("/xxgk/xiangning2021.html", page, content_type="text/html")
    site.add("/private/sishui2020.html", render_html(sishui), content_type="text/html")
    site.add("/art/dashuikeng2020.html", attachment_page(
        "盐池县大水坑镇人民政府2020年政府信息公开工作年度报告",
        '<a href="/files/dashuikeng2020.docx">附件：年度报告.docx</a>'), content_type="text/html")
    site.add("/files/dashuikeng2020.docx", docx.read_bytes(),
             content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    site.add("/art/wuzhai2020.html", attachment_page(
        "五寨县人民政府2020年度政府信息公开工作年度报告",
        '<a href="/files/wuzhai2020.pdf">附件1：年度报告.pdf</a><a href="/files/gone.pdf">附件2：统计表.pdf</a>'),
        content_type="text/html")
    site.add("/files/wuzhai2020.pdf", pdf.read_bytes(), content_type="application/pdf", fail_first=1)
    sources = work / "sources.yaml"
    sources.write_text(f"portals:\n  - name: 测试门户\n    list_url: {site.url('/col/index.html')}\n"
                       f"    hosts: [{site.netloc}]\n", encoding="utf-8")
    yield site, sources, work
    site.stop()


def test_crawl_then_ingest_gives_exactly_the_expected_reports(portal):
    site, sources, work = portal
    out, db = work / "crawl", work / "warehouse.duckdb"
    first = crawl(sources, out_dir=str(out), **SETTINGS)
    assert site.hits("/private/sishui2020.html") == []  # robots.txt: never requested
    assert len(site.hits("/files/wuzhai2020.pdf")) == 2  # 500, then retried
    assert sorted(url for url, _ in first.errors) == [site.url("/art/huaian2024.html"), site.url("/files/gone.pdf")]
    assert len(site.hits("/art/huaian2024.html")) == 1  # a challenge is recorded, never retried or solved
    documents = read_documents(str(out))
    xiangning_urls = [sorted(d["urls"]) for d in documents if any("xiangning" in u for u in d["urls"])]
    assert xiangning_urls == [[site.url("/art/xiangning2021.html"), site.url("/xxgk/xiangning2021.html")]]

    result = ingest([str(out / "files")], db, workers=1)
    with duckdb.connect(str(db), read_only=True) as con:
        reports = con.execute("select agency, year, adcode, source_format from dim_report order by adcode").fetchall()
        assert reports == [
            ("五寨县人民政府", 2020, "140928", "pdf"),
            ("乡宁县人民政府办公室", 2021, "141029", "html"),
            ("盐池县大水坑镇人民政府", 2020, "640323101", "docx"),
        ]
        for name, adcode in (("seed000", "140928"), ("seed002", "141029"), ("seed004", "640323101")):
            stored = {(d, a): c for d, a, c in con.execute(
                "select disposition_key, applicant_type, count from v_requests where adcode = ?", [adcode]).fetchall()}
            expected = {(row, F.APPLICANT_KEYS[i]): v for row, values in gold(name)["table3"].items()
                        for i, v in enumerate(values)}
            assert {k: stored.get(k) for k in expected} == expected, name
        # the two attachment-only pages are quarantined with their reason, not loaded as empty reports
        quarantined = con.execute("select reason from quarantine").fetchall()
    assert len(quarantined) == 2 and all(r[0].startswith("no report body") for r in quarantined)
    assert result.reports_loaded == 3

    site.clear()
    second = crawl(sources, out_dir=str(out), **SETTINGS)
    assert second.downloaded == 0
    again = ingest([str(out / "files")], db, workers=1)
    assert (again.files_extracted, again.reports_loaded) == (0, 0)
    assert again.files_unchanged == again.files_seen
