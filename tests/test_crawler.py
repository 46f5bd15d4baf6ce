"""The polite crawler against a real HTTP server on 127.0.0.1 playing two portals.

Portal 某某市 (GBK pages, plain pagination index.html → index_1 → index_2 via link and
createPageHTML) and portal 某某区 (UTF-8, a Hanweb dataproxy.jsp XML list), with report
pages, PDF/DOCX attachments, a 404, a 500-then-OK, a stalled-then-OK download, a redirect
inside the portal and one off it, a robots.txt-disallowed report, a 412 challenge, the
same report under two URLs, companion pages (解读, 图解), a notice, a file over the size
limit. Then a re-crawl that must re-download nothing, and one after a single change.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import ROOT
from mock_portal import MockSite, minimal_docx, minimal_pdf

from gongkai.crawl import CrawlResult, SourcesError, cli, crawl, load_sources, read_documents, read_manifest
from gongkai.crawl.fetch import Fetcher, normalize_url
from gongkai.crawl.manifest import disposition_filename, safe_name
from gongkai.crawl.portal import (
    attachment_extension, attachments, classify_title, create_page_html_urls, parse_datastore, parse_list_page,
)
from gongkai.crawl.sources import parse_sources

SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))
LAST_MODIFIED = 1_700_000_000.0
CITY, DISTRICT = "某某市人民政府", "某某区人民政府"
SETTINGS = dict(delay=0, timeout=1.0, retries=2, backoff=0.01, max_bytes=200_000, recheck_days=0)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sites():
    main, other = MockSite().start(), MockSite().start()
    yield main, other
    main.stop()
    other.stop()


# -- the mock portals ----------------------------------------------------------------------------------------
def report_page(title: str, seed: Path, links: str = "", charset: str | None = "gb2312") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    text = html.escape("\n".join(seed.read_text(encoding="utf-8").splitlines()[:60]))
    return (f"<html><head>{meta}<title>{title}</title></head><body><h1>{title}</h1>"
            f"<table><tr><td>发布机构</td><td>某某办公室</td></tr></table><pre>{text}</pre>"
            f'<div class="attachments">{links}</div></body></html>')


def list_page(items: list[tuple[str, str, str | None]], extra: str = "", charset: str | None = "gb2312") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    lis = "".join(f'<li><a href="{href}"{f" title={chr(34)}{title}{chr(34)}" if title else ""}>{text}</a>'
                  f"<span>2024-01-15</span></li>" for href, text, title in items)
    return (f"<html><head>{meta}<title>政府信息公开年报</title></head><body>"
            f'<a href="/">首页</a> <a href="/about.html">机构概况</a><ul class="list">{lis}</ul>{extra}</body></html>')


DATAPROXY_RECORDS = [
    '<li><a href="/art/2024/qu2023.html" title="某某区2023年度政府信息公开工作年度报告" target="_blank">某某区2023年度政府信息...</a><span>2024-01-20</span></li>',
    '<li><a href="/xxgk/qu2023.html" target="_blank">某某区2023年度政府信息公开工作年度报告</a><span>2024-01-20</span></li>',
    '<li><a href="/art/2023/tujie2022.html">图解：某某区2022年政府信息公开工作年度报告</a><span>2023-01-30</span></li>',
    '<li><a href="/uploadfiles/qu2022.pdf">某某区2022年政府信息公开工作年度报告</a><span>2023-01-29</span></li>',
]


def dataproxy(seen):
    form = parse_qs(seen.body.decode("utf-8"))
    records = DATAPROXY_RECORDS if seen.method == "POST" and form.get("columnid") == ["2"] else []
    start, end = int(seen.query["startrecord"][0]), int(seen.query["endrecord"][0])
    xml = ('<?xml version="1.0" encoding="utf-8"?><datastore>'
           f"<totalrecord>{len(records)}</totalrecord><totalpage>{len(records)}</totalpage><recordset>"
           + "".join(f"<record><![CDATA[{r}]]></record>" for r in records[start - 1:end])
           + "</recordset></datastore>")
    return 200, {"Content-Type": "text/xml;charset=UTF-8"}, xml.encode("utf-8")


def build_portals(site: MockSite, other: MockSite, *, stall: bool = True) -> None:
    gbk = "text/html"
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain", etag=False)
    # portal 某某市: GBK list pages
    site.add("/col/col1/index.html", list_page([
        ("/art/2024/report2023.html", "某某市2023年政府信息公开工作年度...", "某某市2023年政府信息公开工作年度报告"),
        ("/art/2024/jiedu2023.html", "《某某市2023年政府信息公开工作年度报告》解读", None),
        ("/art/2024/notice2023.html", "关于做好2023年政府信息公开工作年度报告编制工作的通知", None),
    ], extra='<a href="index_1.html">下一页</a><script>createPageHTML(3, 0, "index", "html");</script>')
        .encode("gb18030"), content_type=gbk)
    site.add("/col/col1/index_1.html", list_page([  # charset only in the HTTP header
        ("/art/2023/report2022.html", "某某市2022年政府信息公开工作年度报告", None),
        ("/old/report2021.html", "某某市2021年政府信息公开工作年度报告", None),
        ("/private/report2020.html", "某某市2020年政府信息公开工作年度报告", None),
    ], charset=None, extra='<script>createPageHTML(3, 1, "index", "html");</script>').encode("gb18030"),
        content_type="text/html; charset=GBK")
    site.add("/col/col1/index_2.html", list_page([  # no charset anywhere: GB18030 fallback
        ("/art/2020/report2019.html", "某某市2019年政府信息公开工作年度报告", None),
        ("/uploadfiles/report2018.pdf", "某某市2018年政府信息公开工作年度报告（PDF）", None),
    ], charset=None).encode("gb18030"), content_type=gbk)
    attachments_html = (
        '<p><a href="/uploadfiles/report2023.pdf">附件1：某某市2023年政府信息公开工作年度报告.pdf</a></p>'
        '<p><a href="/module/download/downfile.jsp?classid=0&amp;filename=report2023.docx">附件2：报告全文.docx</a></p>'
        '<p><a href="/uploadfiles/missing.pdf">附件3：统计表.pdf</a></p>'
        '<p><a href="/uploadfiles/moved.pdf">附件4：迁移.pdf</a></p>'
        f'<p><a href="{other.url("/external.xls")}">附件5：外链.xls</a></p>'
        '<p><a href="/uploadfiles/big.xlsx">附件6：明细.xlsx</a></p>')
    site.add("/art/2024/report2023.html", report_page("某某市2023年政府信息公开工作年度报告", SEEDS[0], attachments_html)
             .encode("gb18030"), content_type=gbk)
    site.add("/uploadfiles/report2023.pdf", minimal_pdf("Report 2023"), content_type="application/pdf", etag=False,
             last_modified=LAST_MODIFIED)
    site.add("/module/download/downfile.jsp",
             minimal_docx(["某某市2023年政府信息公开工作年度报告"], [["信息内容", "本年新制作数量"], ["规章", "0"]]),
             content_type="application/octet-stream", etag=False, last_modified=LAST_MODIFIED,
             headers={"Content-Disposition": "attachment; filename*=UTF-8''..%2F..%2F%E5%B9%B4%E6%8A%A5.docx"})
    site.redirect("/uploadfiles/moved.pdf", other.url("/moved.pdf"))
    site.add("/uploadfiles/big.xlsx", b"PK\x03\x04" + b"\0" * 299_996, content_type="application/octet-stream")
    site.add("/art/2023/report2022.html", report_page("某某市2022年政府信息公开工作年度报告", SEEDS[1]).encode("gb18030"),
             content_type=gbk, fail_first=1)
    site.redirect("/old/report2021.html", "/art/2022/report2021.html")
    site.add("/art/2022/report2021.html", report_page("某某市2021年政府信息公开工作年度报告", SEEDS[2]).encode("gb18030"),
             content_type=gbk)
    site.add("/private/report2020.html", report_page("某某市2020年政府信息公开工作年度报告", SEEDS[3]).encode("gb18030"))
    site.add("/art/2020/report2019.html", "<html><script>eval(challenge)</script></html>", status=412)
    site.add("/uploadfiles/report2018.pdf", minimal_pdf("Report 2018"), content_type="application/pdf", etag=False,
             last_modified=LAST_MODIFIED, stall_first=1 if stall else 0, stall=1.5)
    # portal 某某区: UTF-8, Hanweb column list fed by dataproxy.jsp
    nextgroup = ("<a href=\"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=2&path='/'&columnid=2&unitid=9"
                 "&webname='某某区人民政府'&permissiontype=0\"></a>")
    site.add("/col/col2/index.html", (
        '<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><div id="9">'
        f'<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
        "<recordset></recordset></datastore></script>"
        '<script src="/module/web/jpage/jpage.js"></script></div></body></html>'), content_type="text/html")
    site.add("/module/web/jpage/dataproxy.jsp", handler=dataproxy)
    district = report_page("某某区2023年度政府信息公开工作年度报告", SEEDS[4], charset="utf-8").encode("utf-8")
    site.add("/art/2024/qu2023.html", district, content_type="text/html; charset=utf-8")
    site.add("/xxgk/qu2023.html", district, content_type="text/html; charset=utf-8")
    site.add("/uploadfiles/qu2022.pdf", minimal_pdf("District report 2022"), content_type="application/pdf",
             etag=False, last_modified=LAST_MODIFIED)


def write_sources(path: Path, site: MockSite) -> Path:
    path.write_text(f"""
defaults:
  delay: 0
portals:
  - name: {CITY}
    list_url: {site.url("/col/col1/index.html")}
    hosts: [{site.netloc}]
    max_pages: 10
  - name: {DISTRICT}
    list_url: {site.url("/col/col2/index.html")}
    hosts: [{site.netloc}]
    dataproxy: {{perpage: 1, batch: 2}}
""", encoding="utf-8")
    return path


def listing(folder: Path) -> dict[str, float]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the crawl, three times ------------------------------------------------------------------------------------
def test_crawl_then_recrawl_then_one_change(sites, tmp_path):
    site, other = sites
    build_portals(site, other)
    u = site.url
    portals = load_sources(write_sources(tmp_path / "sources.yaml", site))
    out = tmp_path / "crawl"
    files_dir = out / "files" / f"127.0.0.1_{site.port}"

    first = crawl(portals, out, **SETTINGS)

    assert isinstance(first, CrawlResult)
    assert first.pages_fetched == 6  # index, index_1, index_2, col2 index, 2 dataproxy answers
    assert [(d["url"], d["outcome"], d["http_status"]) for d in first.documents] == [
        (u("/art/2024/report2023.html"), "downloaded", 200),
        (u("/uploadfiles/report2023.pdf"), "downloaded", 200),
        (u("/module/download/downfile.jsp?classid=0&filename=report2023.docx"), "downloaded", 200),
        (u("/art/2023/report2022.html"), "downloaded", 200),  # after one 500
        (u("/old/report2021.html"), "downloaded", 200),  # via 302
        (u("/uploadfiles/report2018.pdf"), "downloaded", 200),  # after one timeout
        (u("/art/2024/qu2023.html"), "downloaded", 200),
        (u("/xxgk/qu2023.html"), "duplicate", 200),
        (u("/uploadfiles/qu2022.pdf"), "downloaded", 200),
    ]
    assert (first.downloaded, first.unchanged, first.duplicates) == (8, 0, 1)
    assert first.errors == [
        (u("/uploadfiles/missing.pdf"), "HTTP 404"),
        (u("/uploadfiles/big.xlsx"), "too large: Content-Length 300000 > max_bytes 200000"),
        (u("/art/2020/report2019.html"), "HTTP 412 js challenge (not attempted)"),
    ]
    assert first.skipped == [
        (u("/art/2024/jiedu2023.html"), "companion page (解读)"),
        (u("/art/2024/notice2023.html"), "notice (通知)"),
        (u("/uploadfiles/moved.pdf"), f"redirect to non-allowed host {other.netloc}"),
        (other.url("/external.xls"), f"host not allowed: {other.netloc}"),
        (u("/private/report2020.html"), "disallowed by robots.txt"),
        (u("/art/2023/tujie2022.html"), "companion page (图解)"),
    ]

    rows = {d["url"]: d for d in first.documents}
    city = rows[u("/art/2024/report2023.html")]
    assert city["title"] == "某某市2023年政府信息公开工作年度报告"  # the title attribute, decoded from GBK
    assert (city["encoding"], city["content_type"], city["referrer"]) == ("gb18030", "text/html", u("/col/col1/index.html"))
    assert rows[u("/art/2023/report2022.html")]["title"] == "某某市2022年政府信息公开工作年度报告"  # header charset=GBK
    assert rows[u("/uploadfiles/report2018.pdf")]["title"] == "某某市2018年政府信息公开工作年度报告（PDF）"  # undeclared
    assert rows[u("/uploadfiles/report2023.pdf")]["referrer"] == u("/art/2024/report2023.html")
    assert rows[u("/old/report2021.html")]["final_url"] == u("/art/2022/report2021.html")
    district, copy = rows[u("/art/2024/qu2023.html")], rows[u("/xxgk/qu2023.html")]
    assert district["encoding"] == "utf-8" and district["referrer"] == u("/col/col2/index.html")
    assert (copy["sha256"], copy["path"]) == (district["sha256"], district["path"])
    docx = rows[u("/module/download/downfile.jsp?classid=0&filename=report2023.docx")]
    assert docx["path"] == f"files/127.0.0.1_{site.port}/{docx['sha256'][:12]}-年报.docx"  # no ../ from the header
    for row in first.documents:
        stored = out / row["path"]
        assert stored.is_file() and stored.stat().st_size == row["bytes"]
        assert stored.resolve().is_relative_to((out / "files").resolve())

    # one file per distinct content; the documents view groups both URLs of the district report
    assert len(listing(files_dir)) == 8 and len(first.files) == 8
    assert sorted(first.files) == sorted(str(p) for p in files_dir.iterdir())
    documents = read_documents(out)
    assert len(documents) == 8
    assert [d["urls"] for d in documents if d["sha256"] == district["sha256"]] == [
        [u("/art/2024/qu2023.html"), u("/xxgk/qu2023.html")]]

    # the manifest: one row per document URL, with the skipped and failed ones
    manifest = read_manifest(out, first.run_id)
    assert len(manifest) == 9 + 6 + 3
    by_url = {row["url"]: row for row in manifest}
    assert (by_url[u("/art/2020/report2019.html")]["http_status"], by_url[u("/art/2020/report2019.html")]["outcome"]) == (412, "error")
    assert "js challenge" in by_url[u("/art/2020/report2019.html")]["note"]
    assert (by_url[u("/uploadfiles/missing.pdf")]["http_status"], by_url[u("/uploadfiles/missing.pdf")]["outcome"]) == (404, "error")
    assert by_url[u("/uploadfiles/moved.pdf")]["http_status"] == 302
    assert by_url[u("/private/report2020.html")]["outcome"] == "skipped"

    # what the server saw
    assert site.hits("/private/report2020.html") == []  # robots.txt: never requested
    assert other.requests == []  # never left the allowed host
    for never in ("/art/2024/jiedu2023.html", "/art/2024/notice2023.html", "/art/2023/tujie2022.html"):
        assert site.hits(never) == []
    assert len(site.hits("/robots.txt")) == 1
    assert len(site.hits("/art/2023/report2022.html")) == 2  # 500, then 200
    assert len(site.hits("/uploadfiles/report2018.pdf")) == 2  # timeout, then 200
    assert len(site.hits("/art/2020/report2019.html")) == 1  # a challenge is not retried
    assert len(site.hits("/uploadfiles/missing.pdf")) == 1  # nor is a 404
    posts = site.hits("/module/web/jpage/dataproxy.jsp", "POST")
    assert [(q.query["startrecord"], q.query["endrecord"], q.query["perpage"]) for q in posts] == [
        (["1"], ["2"], ["1"]), (["3"], ["4"], ["1"])]
    form = parse_qs(posts[0].body.decode("utf-8"))
    assert (form["columnid"], form["unitid"], form["webname"], form["path"]) == (["2"], ["9"], [DISTRICT], ["/"])
    assert all(r.headers["user-agent"].startswith("gongkai-crawler/") for r in site.requests)
    before = listing(out / "files")

    # -- a second crawl: nothing changed, nothing re-downloaded ----------------------------------------------
    site.clear()
    second = crawl(portals, out, **SETTINGS)
    assert second.pages_fetched == 6
    assert (second.downloaded, second.unchanged, second.duplicates) == (0, 9, 0)
    assert {(d["outcome"], d["http_status"]) for d in second.documents} == {("unchanged", 304)}
    assert [d["url"] for d in second.documents] == [d["url"] for d in first.documents]
    assert listing(out / "files") == before  # no new file, none rewritten
    assert second.errors == first.errors and second.skipped == first.skipped
    etag = site.hits("/art/2024/report2023.html")[0].headers["if-none-match"]
    assert etag == city["etag"] and etag.startswith('"')
    assert site.hits("/art/2022/report2021.html")[0].headers["if-none-match"] == rows[u("/old/report2021.html")]["etag"]
    assert site.hits("/uploadfiles/report2023.pdf")[0].headers["if-modified-since"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert len(site.hits("/art/2020/report2019.html")) == 1
    assert sorted(second.files) == sorted(first.files)

    # -- one document changes on the server: exactly that one is fetched again ---------------------------------
    site.routes["/uploadfiles/qu2022.pdf"].set_body(minimal_pdf("District report 2022, corrected"))
    site.clear()
    third = crawl(portals, out, **SETTINGS)
    assert (third.downloaded, third.unchanged, third.duplicates) == (1, 8, 0)
    [changed] = [d for d in third.documents if d["outcome"] == "downloaded"]
    old = rows[u("/uploadfiles/qu2022.pdf")]
    assert (changed["url"], changed["http_status"]) == (u("/uploadfiles/qu2022.pdf"), 200)
    assert changed["sha256"] != old["sha256"]
    assert changed["note"] == f"changed; previous version moved to superseded/{old['path'][len('files/'):]}"
    assert not (out / old["path"]).exists() and (out / "superseded" / old["path"][len("files/"):]).is_file()
    after = listing(out / "files")
    assert set(after) - set(before) == {changed["path"][len("files/"):]}
    assert set(before) - set(after) == {old["path"][len("files/"):]}
    assert len(third.files) == 8

    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["run_id"] for r in runs] == [first.run_id, second.run_id, third.run_id]
    assert [r["downloaded"] for r in runs] == [8, 0, 1]
    state = json.loads((out / "state.json").read_text(encoding="utf-8"))["urls"]
    assert state[u("/uploadfiles/qu2022.pdf")]["sha256"] == changed["sha256"]


# -- the command line ------------------------------------------------------------------------------------------
def test_cli_exit_codes_and_summary(sites, tmp_path, capsys):
    site, other = sites
    build_portals(site, other, stall=False)
    sources = write_sources(tmp_path / "sources.yaml", site)
    out = tmp_path / "crawl"
    options = ["--sources", str(sources), "--out", str(out), "--delay", "0", "--backoff", "0.01", "--timeout", "2",
               "--max-bytes", "200k", "--concurrency", "2", "--deadline", "30"]

    assert cli.main([*options, "--portal", DISTRICT]) == 0
    err = capsys.readouterr().err
    assert "gongkai crawl: 3 list pages, 3 documents (2 new or changed, 0 unchanged, 1 duplicate), 1 skipped, 0 errors" in err

    assert cli.main(options) == 1  # the 404, the oversize file and the challenge
    err = capsys.readouterr().err
    assert f"gongkai: {site.url('/art/2020/report2019.html')}: HTTP 412 js challenge (not attempted)" in err
    # the district's three documents were fetched minutes ago: not due for a re-check (recheck_days 7)
    assert "6 list pages, 6 documents (6 new or changed, 0 unchanged, 0 duplicate), 6 skipped, 3 errors" in err
    assert "3 known documents not due for a re-check" in err

    assert cli.main(["--sources", str(sources), "--out", str(out), "--portal", "nowhere"]) == 2
    assert "no portal named 'nowhere'" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("portals:\n  - name: x\n    list_url: [unclosed\n", encoding="utf-8")
    assert cli.main(["--sources", str(bad)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


# -- politeness edge cases -------------------------------------------------------------------------------------
def test_unreachable_robots_txt_disallows_everything(sites, tmp_path):
    site, _ = sites
    site.add("/robots.txt", "down", status=503)
    site.add("/col/index.html", list_page([("/a.html", "某某县2023年政府信息公开工作年度报告", None)]))
    portals = parse_sources([{"name": "县", "list_url": site.url("/col/index.html")}])
    result = crawl(portals, tmp_path / "crawl", **SETTINGS)
    assert result.pages_fetched == 0 and result.documents == []
    reason = "disallowed by robots.txt (robots.txt unreachable (HTTP 503 after 3 attempts): everything disallowed this crawl)"
    assert result.skipped == [(site.url("/col/index.html"), reason)]
    # not a single list page: the portal was not crawled at all, which is an error
    assert result.errors == [(site.url("/col/index.html"), f"portal 县 not crawled: no list page could be read ({reason})")]
    assert result.failed_portals == ["县"] and not result.ok
    assert [r.path for r in site.requests] == ["/robots.txt"] * 3  # retried, then nothing else


def test_fetcher_gzip_and_streamed_oversize(sites):
    site, _ = sites
    page = "<html><body>年度报告</body></html>".encode("utf-8") * 50
    site.add("/z.html", gzip.compress(page), headers={"Content-Encoding": "gzip"})
    site.add("/stream.pdf", b"%PDF-1.4\n" + b"x" * 5000, content_type="application/pdf", send_length=False)
    portal = parse_sources([{"name": "p", "list_url": site.url("/z.html")}])[0]
    fetcher = Fetcher(delay=0, timeout=2, retries=0, backoff=0, max_bytes=len(page))
    assert fetcher.fetch(site.url("/z.html"), portal).body == page  # inflated, exactly at the limit
    small = Fetcher(delay=0, timeout=2, retries=0, backoff=0, max_bytes=1000)
    zipped = small.fetch(site.url("/z.html"), portal)
    assert (zipped.outcome, zipped.reason) == ("error", "too large: more than max_bytes 1000 bytes decompressed")
    streamed = small.fetch(site.url("/stream.pdf"), portal)
    assert (streamed.outcome, streamed.reason) == ("error", "too large: more than max_bytes 1000 bytes")


def test_delay_spaces_requests_to_one_host(sites):
    site, _ = sites
    site.add("/robots.txt", "", content_type="text/plain")
    site.add("/a.html", "<html>a</html>")
    portal = parse_sources([{"name": "p", "list_url": site.url("/a.html"), "delay": 0.15}])[0]
    fetcher = Fetcher(timeout=2, retries=0)
    started = time.monotonic()
    for _ in range(3):
        assert fetcher.fetch(site.url("/a.html"), portal).outcome == "ok"
    # robots.txt + 3 pages: three gaps of at least 0.15 s between the end of one and the next
    assert time.monotonic() - started >= 0.45
    assert fetcher.requests == 4
    assert len(site.hits("/a.html")) == 3


# -- pure parsing ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("title, verdict", [
    ("某某市2023年政府信息公开工作年度报告", ("report", "")),
    ("某某县人民政府2022年度政府信息公开工作年度报告", ("report", "")),
    ("政府信息公开工作年度报告（二〇二一年）", ("report", "")),
    ("某某局 2020 年政府信息公开工作报告", ("report", "")),
    ("《2023年政府信息公开工作年度报告》解读", ("skip", "companion page (解读)")),
    ("一图读懂2023年政府信息公开工作年度报告", ("skip", "companion page (一图读懂)")),
    ("图解：2022年政府信息公开年报", ("skip", "companion page (图解)")),
    ("关于报送2023年政府信息公开工作年度报告的通知", ("skip", "notice (通知)")),
    ("2023年政府信息公开工作年度报告发布公告", ("skip", "notice (公告)")),
    ("政府信息公开工作年度报告", ("other", "")),  # no year: the column link, not a report
    ("政府信息公开指南", ("other", "")),
    ("2023年国民经济和社会发展统计公报", ("other", "")),
    ("关于国庆节放假的通知", ("other", "")),
])
def test_classify_title(title, verdict):
    assert classify_title(title) == verdict


def test_pagination_from_links_and_create_page_html():
    base = "http://a.gov.cn/col/col1/index.html"
    page = parse_list_page(
        '<a href="index_1.html">2</a><a href="/col/col9/index_1.html">other column</a>'
        '<a href="list.jsp?p=5">尾页</a><a href="index.html">首页</a>'
        '<script>var countPage = 4; createPageHTML(countPage, 0, "index", "shtml");</script>', base)
    assert page.pages == [
        "http://a.gov.cn/col/col1/index_1.html", "http://a.gov.cn/col/col1/list.jsp?p=5",
        "http://a.gov.cn/col/col1/index.shtml", "http://a.gov.cn/col/col1/index_1.shtml",
        "http://a.gov.cn/col/col1/index_2.shtml", "http://a.gov.cn/col/col1/index_3.shtml",
    ]
    assert create_page_html_urls("createPageHTML('page_div', 3, 1, 'index', 'html', 45);", base) == [
        "http://a.gov.cn/col/col1/index.html", "http://a.gov.cn/col/col1/index_1.html",
        "http://a.gov.cn/col/col1/index_2.html"]


def test_hanweb_datastore():
    xml = ("<datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=3&path='/'"
           "&columnid=77&unitid=88&webname='某区'&permissiontype=0\"></a>]]></nextgroup>"
           "<totalrecord>21</totalrecord><recordset>"
           "<record><![CDATA[<li><a href='/art/2024/1/2/art_77_1.html' title='某区2023年政府信息公开工作年度报告'>某区…</a></li>]]></record>"
           "<record><![CDATA[<li><a href=\"../x.html\">图解</a></li>]]></record></recordset></datastore>")
    store = parse_datastore(xml, "http://q.gov.cn/col/col77/index.html")
    assert [(link.url, link.title) for link in store.links] == [
        ("http://q.gov.cn/art/2024/1/2/art_77_1.html", "某区2023年政府信息公开工作年度报告"),
        ("http://q.gov.cn/col/x.html", "图解")]
    assert (store.records, store.total_records) == (2, 21)
    [proxy] = store.dataproxies
    assert proxy.url == "http://q.gov.cn/module/web/jpage/dataproxy.jsp"
    assert proxy.params == {"webid": "3", "path": "/", "columnid": "77", "unitid": "88", "webname": "某区",
                            "permissiontype": "0"}


def test_attachments_and_urls():
    page = ('<base href="http://b.gov.cn/art/2024/">'
            '<a href="files/报告.PDF">报告</a><a href="/module/download/downfile.jsp?filename=x.wps">x</a>'
            '<iframe src="/view/a.docx"></iframe><a href="page.html">page</a><a href="mailto:a@b">m</a>'
            '<a href="files/报告.PDF#page=2">again</a>')
    assert [(a.url, a.title) for a in attachments(page, "http://b.gov.cn/art/2024/1.html")] == [
        ("http://b.gov.cn/art/2024/files/%E6%8A%A5%E5%91%8A.PDF", "报告"),
        ("http://b.gov.cn/module/download/downfile.jsp?filename=x.wps", "x"),
        ("http://b.gov.cn/view/a.docx", ""),
    ]
    assert attachment_extension("http://x/a.xlsx?v=1") == ".xlsx" and attachment_extension("http://x/a.html") is None
    assert normalize_url("HTTP://Example.GOV.cn:80/a b/年报.html#top") == "http://example.gov.cn/a%20b/%E5%B9%B4%E6%8A%A5.html"
    assert normalize_url("javascript:void(0)") is None and normalize_url("#top") is None


@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("2023年 报告(终稿)?.PDF", "2023年_报告_终稿.pdf"),
    ("....", "document"),
    ("a" * 200 + ".docx", "a" * 60 + ".docx"),
    ("\x00evil\nname.doc", "evil_name.doc"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


def test_disposition_filename():
    assert disposition_filename("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert disposition_filename('attachment; filename="' + "年报.pdf".encode("gbk").decode("latin-1") + '"') == "年报.pdf"
    assert disposition_filename('attachment; filename="%E5%B9%B4.doc"') == "年.doc"
    assert disposition_filename(None) is None


# -- the sources file ----------------------------------------------------------------------------------------------
def test_example_sources_file_loads():
    portals = load_sources(ROOT / "sources.example.yaml")
    assert len(portals) >= 2
    assert all(p.hosts and p.list_urls and p.max_pages >= 1 for p in portals)
    assert portals.concurrency == 32
    assert {(p.recheck_days, p.max_report_links, p.max_documents) for p in portals} == {(7, 1000, 2000)}


def test_crawl_settings_from_the_sources_file():
    portals = parse_sources({"defaults": {"concurrency": 5, "recheck_days": 30, "max_documents": 9},
                             "portals": [{"name": "a", "list_url": "http://a.gov.cn/"},
                                         {"name": "b", "list_url": "http://b.gov.cn/", "recheck_days": 0,
                                          "max_report_links": 3}]})
    assert portals.concurrency == 5
    assert [(p.recheck_days, p.max_report_links, p.max_documents) for p in portals] == [(30, 1000, 9), (0, 3, 9)]
    assert parse_sources([{"name": "a", "list_url": "http://a.gov.cn/"}]).concurrency is None  # crawl() uses 32


@pytest.mark.parametrize("text, message", [
    ("portals:\n  - name: a\n", "portal 1 (a): missing key 'list_url'"),
    ("portals:\n  - list_url: http://a.gov.cn/\n", "portal 1: missing key 'name'"),
    ("portals:\n  - name: a\n    list_url: http://a.gov.cn/\n    max_page: 3\n", "unknown key(s) 'max_page'"),
    ("portals:\n  - name: a\n    list_url: ftp://a.gov.cn/\n", "is not an http(s) URL"),
    ("portals:\n  - name: a\n    list_url: http://a.gov.cn/\n    hosts: [b.gov.cn]\n", "is not on one of the portal's hosts"),
    ("portals:\n  - name: a\n    list_url: http://a.gov.cn/\n    delay: -1\n", "'delay' must be a number"),
    ("portals:\n  - name: a\n    list_url: http://a.gov.cn/\n  - name: a\n    list_url: http://a.gov.cn/\n",
     "duplicate name 'a'"),
    ("portals: [\n", "not valid YAML"),
    ("portals: []\n", "expected a non-empty list of portals"),
    ("defaults: {concurrency: 0}\nportals:\n  - name: a\n    list_url: http://a.gov.cn/\n",
     "defaults: 'concurrency' must be a whole number of at least 1"),
    ("portals:\n  - name: a\n    list_url: http://a.gov.cn/\n    concurrency: 4\n", "unknown key(s) 'concurrency'"),
    ("portals:\n  - name: a\n    list_url: http://a.gov.cn/\n    recheck_days: -1\n",
     "'recheck_days' must be a number of days"),
    ("portals:\n  - name: a\n    list_url: http://a.gov.cn/\n    max_documents: 0\n",
     "'max_documents' must be a whole number of at least 1"),
])
def test_bad_sources_files(tmp_path, text, message):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_host_rules():
    [portal] = parse_sources({"portals": [{"name": "p", "list_url": "http://www.a.gov.cn/col/index.html",
                                           "hosts": ["www.a.gov.cn", {"host": "*.files.a.gov.cn", "delay": 2}]}]})
    assert portal.allows("http://www.a.gov.cn/x") and portal.allows("https://www.a.gov.cn:8443/x")
    assert portal.allows("http://s1.files.a.gov.cn/x.pdf") and portal.allows("http://files.a.gov.cn/x.pdf")
    assert not portal.allows("http://evil.gov.cn/x") and not portal.allows("http://www.a.gov.cn.evil.com/x")
    assert not portal.allows("file:///etc/passwd")
    assert portal.delay_for("http://s1.files.a.gov.cn/x.pdf") == 2 and portal.delay_for("http://www.a.gov.cn/") == 0.5
    assert not os.path.isabs(safe_name("/etc/passwd"))


def test_max_pages_and_lost_state(sites, tmp_path):
    site, other = sites
    build_portals(site, other, stall=False)
    district = {"name": DISTRICT, "list_url": site.url("/col/col2/index.html"), "dataproxy": {"perpage": 1, "batch": 2}}
    out = tmp_path / "crawl"

    capped = crawl(parse_sources([{**district, "max_pages": 2}]), out, **SETTINGS)
    assert capped.pages_fetched == 2  # the column page and the first dataproxy batch
    assert [d["url"] for d in capped.documents] == [site.url("/art/2024/qu2023.html"), site.url("/xxgk/qu2023.html")]
    assert capped.skipped[-1] == (
        site.url("/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=1"),
        "max_pages 2 reached (1 list page(s) not fetched)")

    full = crawl(parse_sources([district]), out, **SETTINGS)
    assert (full.downloaded, full.unchanged) == (1, 2)  # only qu2022.pdf is new
    before = listing(out / "files")
    (out / "state.json").unlink()  # lost validators: unconditional requests, but no file written twice
    again = crawl(parse_sources([district]), out, **SETTINGS)
    assert "if-none-match" not in site.hits("/art/2024/qu2023.html")[-1].headers
    assert (again.downloaded, again.unchanged, again.duplicates) == (0, 0, 3)
    assert listing(out / "files") == before


def test_an_attachment_answered_with_an_html_page_is_an_error(sites, tmp_path):
    site, _ = sites
    site.add("/robots.txt", "", content_type="text/plain")
    site.add("/col/index.html", list_page([("/a.html", "某某县2023年政府信息公开工作年度报告", None)], charset="utf-8"))
    site.add("/a.html", report_page("某某县2023年政府信息公开工作年度报告", SEEDS[0], '<a href="/f/gone.pdf">附件</a>', "utf-8"))
    site.add("/f/gone.pdf", "<html><body>文件不存在</body></html>")  # a soft 404
    result = crawl(parse_sources([{"name": "县", "list_url": site.url("/col/index.html")}]), tmp_path / "c", **SETTINGS)
    assert [d["url"] for d in result.documents] == [site.url("/a.html")]
    assert result.errors == [(site.url("/f/gone.pdf"), "attachment answered with an HTML page (text/html): an error page?")]
    assert sorted(p.name.split("-", 1)[1] for p in (tmp_path / "c" / "files").rglob("*") if p.is_file()) == ["a.html"]


# -- concurrency, schedule and limits ------------------------------------------------------------------------------
def small_portal(site: MockSite, column: str, reports: int, stall: float = 0.0) -> None:
    """A column at /<column>/index.html listing ``reports`` report pages (each answered after ``stall`` s)."""
    items = [(f"/{column}/r{i}.html", f"某某{column}20{10 + i}年政府信息公开工作年度报告", None) for i in range(reports)]
    site.add(f"/{column}/index.html", list_page(items, charset="utf-8"))
    for href, title, _ in items:
        site.add(href, report_page(title, SEEDS[0], charset="utf-8"), stall_first=1, stall=stall)


def test_hosts_are_crawled_concurrently_and_each_host_stays_polite(sites, tmp_path):
    one, two = sites
    for site in sites:
        site.add("/robots.txt", "", content_type="text/plain")
    small_portal(one, "a", 4, stall=0.05)
    small_portal(one, "b", 4, stall=0.05)  # a second portal on the same host: still one request at a time
    small_portal(two, "c", 4)
    two.routes["/c/r0.html"].stall = 0.6  # one slow answer on the second host
    delay = 0.1
    portals = parse_sources([{"name": name, "list_url": site.url(f"/{name}/index.html"), "delay": delay}
                             for name, site in (("a", one), ("b", one), ("c", two))])
    result = crawl(portals, tmp_path / "crawl", timeout=5, retries=0, recheck_days=0, concurrency=3)
    assert result.ok and len(result.documents) == 12 and result.requests == 1 + 5 + 5 + 1 + 5

    for site in sites:  # never two requests in flight on one host, and at least `delay` between them
        spans = sorted(site.timings)
        for (_, end, path), (start, _, following) in zip(spans, spans[1:]):
            # the server notes an answer's end after the client may already have read it (thread
            # scheduling on a busy machine), so its view of the pause can be a little short
            assert start - end >= delay - 0.02, (path, following, start - end)
    assert len(one.timings) == 11 and len(two.timings) == 6
    # ... while the two hosts were served at the same time: the first host went on during the slow answer
    slow = next((start, end) for start, end, path in two.timings if path == "/c/r0.html")
    assert slow[1] - slow[0] >= 0.6
    assert len([1 for start, end, _ in one.timings if slow[0] < start and end < slow[1]]) >= 2
    # the documents are listed in the order of the sources file, whatever the finishing order
    assert [d["portal"] for d in result.documents] == ["a"] * 4 + ["b"] * 4 + ["c"] * 4


def test_a_portal_that_is_down_is_an_error(tmp_path, capsys):
    dead = MockSite().start()
    url = dead.url("/col/index.html")
    dead.stop()  # nothing listens there any more
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"portals:\n  - name: 停机县\n    list_url: {url}\n", encoding="utf-8")
    started = time.monotonic()
    status = cli.main(["--sources", str(sources), "--out", str(tmp_path / "crawl"), "--delay", "0", "--retries", "0",
                       "--timeout", "2"])
    err = capsys.readouterr().err
    assert status == 1 and time.monotonic() - started < 10
    assert f"gongkai: {url}: portal 停机县 not crawled: no list page could be read (disallowed by robots.txt" in err
    assert "connection error" in err and ", 1 errors," in err and "1 portal(s) not crawled" in err
    run = json.loads((tmp_path / "crawl" / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert run["failed_portals"] == ["停机县"] and len(run["errors"]) == 1


@pytest.mark.parametrize("head", [False, True])
def test_a_trickling_response_is_cut_off_at_the_deadline(sites, head):
    site, _ = sites
    # 40 bytes, one every 0.25 s: 10 s in all, so the test ends even if the deadline did not work
    site.add("/slow.pdf", b"%PDF-1.4\n" + b"x" * 31, content_type="application/pdf", trickle=0.25, trickle_head=head)
    portal = parse_sources([{"name": "p", "list_url": site.url("/slow.pdf")}])[0]
    fetcher = Fetcher(delay=0, timeout=2, retries=2, backoff=0, deadline=1.0)
    fetcher._robots[f"http://{site.netloc}"] = _allow_all()  # no robots.txt request: one request in all
    started = time.monotonic()
    fetched = fetcher.fetch(site.url("/slow.pdf"), portal)
    elapsed = time.monotonic() - started
    # every single read came within the 2 s timeout; the 1 s deadline for the whole response stopped it
    assert (fetched.outcome, fetched.reason) == ("error", "deadline: the response took longer than 1 s")
    assert 0.9 < elapsed < 3.0 and fetcher.requests == 1  # not retried


def _allow_all():
    from urllib.robotparser import RobotFileParser

    from gongkai.crawl.fetch import _Robots

    parser = RobotFileParser()
    parser.allow_all = True
    parser.modified()
    return _Robots(parser)


def test_report_links_and_documents_are_capped_and_the_cut_recorded(sites, tmp_path):
    site, _ = sites
    site.add("/robots.txt", "", content_type="text/plain")
    items = [(f"/art/r{i}.html", f"某某县{2000 + i % 25}年政府信息公开工作年度报告", None) for i in range(20_000)]
    site.add("/col/index.html", list_page(items, charset="utf-8"))
    for href, title, _ in items[:10]:
        site.add(href, report_page(title, SEEDS[0], charset="utf-8"))
    portals = parse_sources([{"name": "县", "list_url": site.url("/col/index.html"), "max_report_links": 6,
                              "max_documents": 4}])
    out = tmp_path / "crawl"
    result = crawl(portals, out, **{**SETTINGS, "max_bytes": 2**23})  # the list page is 2.3 MB
    assert len(site.requests) == 1 + 1 + 4  # robots.txt, the list page, four documents: not 20,000
    assert [d["url"] for d in result.documents] == [site.url(f"/art/r{i}.html") for i in range(4)]
    assert result.skipped == [
        (site.url("/col/index.html"), "max_report_links 6 reached: 19994 report link(s) of this list page not followed"),
        (site.url("/col/index.html"), "max_documents 4 reached: 2 document(s) of this portal not followed"),
    ]
    run = json.loads((out / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert [(c["limit"], c["value"], c["cut"], c["first"][0]) for c in run["cuts"]] == [
        ("max_report_links", 6, 19994, site.url("/art/r6.html")),
        ("max_documents", 4, 2, site.url("/art/r4.html")),
    ]
    assert result.ok  # a cut is recorded, not a failure


def test_cli_limits_print_what_they_cut(sites, tmp_path, capsys):
    site, _ = sites
    site.add("/robots.txt", "", content_type="text/plain")
    items = [(f"/art/r{i}.html", f"某某县{2000 + i}年政府信息公开工作年度报告", None) for i in range(12)]
    site.add("/col/index.html", list_page(items, charset="utf-8"))
    for href, title, _ in items:
        site.add(href, report_page(title, SEEDS[0], charset="utf-8"))
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"portals:\n  - name: 县\n    list_url: {site.url('/col/index.html')}\n", encoding="utf-8")
    status = cli.main(["--sources", str(sources), "--out", str(tmp_path / "crawl"), "--delay", "0",
                       "--max-report-links", "5", "--max-documents", "3"])
    err = capsys.readouterr().err
    assert status == 0 and len(site.hits("/col/index.html")) == 1 and len(site.requests) == 1 + 1 + 3
    assert (f"gongkai crawl: 县: {site.url('/col/index.html')}: max_report_links 5 reached, 7 left out "
            "(listed in runs.jsonl)") in err
    assert f"gongkai crawl: 县: {site.url('/col/index.html')}: max_documents 3 reached, 2 left out" in err
    assert "9 link(s)/document(s) cut by limits" in err


def test_recheck_schedule_spreads_known_documents_over_the_cycle():
    from gongkai.crawl.crawler import DAY, is_due

    fetched = datetime(2026, 1, 1, 2, 0, tzinfo=timezone.utc)
    urls = [f"http://www.x{i}.gov.cn/art/{i}.html" for i in range(700)]
    last = dict.fromkeys(urls, fetched)
    due = []
    for n in range(1, 22):  # three weeks of nightly runs, each re-check updating the URL's last check
        night = fetched + timedelta(days=n)
        due.append([u for u in urls if is_due(u, last[u].isoformat(), 7, night.timestamp())])
        last.update(dict.fromkeys(due[-1], night))
    # each URL exactly once a week, about a seventh of them per night
    for week in range(3):
        assert sorted(u for night in due[7 * week:7 * week + 7] for u in night) == sorted(urls)
    assert all(60 <= len(night) <= 140 for night in due), [len(n) for n in due]
    assert not any(is_due(u, fetched.isoformat(), 7, fetched.timestamp() + 3600) for u in urls[:50])
    assert is_due(urls[0], fetched.isoformat(), 0, fetched.timestamp())  # 0: every run
    assert is_due(urls[0], None, 7, fetched.timestamp())  # never checked


def test_known_documents_are_rechecked_on_schedule(sites, tmp_path):
    site, _ = sites
    site.add("/robots.txt", "", content_type="text/plain")
    title = "某某县2023年政府信息公开工作年度报告"
    site.add("/col/index.html", list_page([("/a.html", title, None)], charset="utf-8"))
    site.add("/a.html", report_page(title, SEEDS[0], '<a href="/f/a.pdf">附件</a> <a href="/f/b.pdf">附件二</a>', "utf-8"))
    site.add("/f/a.pdf", minimal_pdf("report a"), content_type="application/pdf")
    site.add("/f/b.pdf", "busy", status=503)  # fails on the first crawl
    portals = parse_sources([{"name": "县", "list_url": site.url("/col/index.html"), "recheck_days": 30}])
    out, settings = tmp_path / "crawl", {k: v for k, v in SETTINGS.items() if k != "recheck_days"}
    first = crawl(portals, out, **{**settings, "retries": 0})
    assert (first.downloaded, len(first.errors)) == (2, 1)

    site.clear()
    site.add("/f/b.pdf", minimal_pdf("report b"), content_type="application/pdf")
    second = crawl(portals, out, **settings)  # the next night
    # the list page is read again; the report page and a.pdf are not due; b.pdf (never stored) is
    # found in the stored copy of the report page and fetched
    assert [r.path for r in site.requests] == ["/robots.txt", "/col/index.html", "/f/b.pdf"]
    assert (second.not_due, second.downloaded, second.ok) == (2, 1, True)

    site.clear()
    later = datetime.now(timezone.utc) + timedelta(days=61)  # two cycles later: everything is due
    third = crawl(portals, out, **settings, now=later)
    assert sorted(r.path for r in site.requests) == ["/a.html", "/col/index.html", "/f/a.pdf", "/f/b.pdf", "/robots.txt"]
    assert all("if-none-match" in site.hits(p)[0].headers for p in ("/a.html", "/f/a.pdf", "/f/b.pdf"))
    assert (third.unchanged, third.not_due) == (3, 0)
