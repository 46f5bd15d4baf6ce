"""Reading portal pages: which links are reports, which are companions to skip, where the
next list page is, which files a report page attaches.

Pure functions over text: no network, so each is tested on strings.

Report titles contain 政府信息公开, one of 年度报告 / 工作报告 / 年报, and a year (2023 or
二〇二三). Companion pages about the report (解读, 图解, 一图读懂 ...) and notices (通知,
公告, 通告) are skipped even when their titles name the report. Other links are ignored.

Pagination, three ways:
- links to ``index_N.html`` beside the current list page, or links titled 下一页/尾页;
- the TRS/WCM script ``createPageHTML(total, current, "index", "html")``, which writes
  ``index.html``, ``index_1.html`` ... ``index_{total-1}.html``;
- Hanweb (大汉) column lists, whose records come from ``/module/web/jpage/dataproxy.jsp``
  as ``<datastore><recordset><record><![CDATA[<li><a ...>]]></record>...``; the page embeds a
  ``<script type="text/xml">`` datastore whose ``<nextgroup>`` link carries the parameters.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from gongkai.crawl.fetch import normalize_url
from gongkai.crawl.sources import Dataproxy
from gongkai.readers.html import decode_html

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx")
REPORT_WORDS = ("年度报告", "工作报告", "年报")
COMPANION_WORDS = ("一图读懂", "一图看懂", "一图了解", "图解", "图说", "图读", "解读", "视频")
NOTICE_WORDS = ("通知", "公告", "通告")
NEXT_PAGE_WORDS = ("下一页", "下页", "后页", "尾页", "末页", "最后一页")
_YEAR = re.compile(r"(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4}")
_SPACE = re.compile(r"[\s\u3000\xa0]+")
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…+|。{2,})$")
_LIST_PAGE = re.compile(r"^index(?:_\d+)?\.(?:s?html?|jhtml)$", re.IGNORECASE)
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_XML_SCRIPT = re.compile(r"<script[^>]*type\s*=\s*[\"']?text/xml[\"']?[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_RECORD = re.compile(r"<record[^>]*>(.*?)</record>", re.IGNORECASE | re.DOTALL)
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*)\]\]>\s*$", re.DOTALL)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)
_NEXTGROUP = re.compile(r"<nextgroup>(.*?)</nextgroup>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_DATAPROXY_CONTROL = {"page", "startrecord", "endrecord", "perpage"}


@dataclass(frozen=True)
class Link:
    url: str
    title: str


@dataclass
class ListPage:
    links: list[Link] = field(default_factory=list)  # every link, in page order
    pages: list[str] = field(default_factory=list)  # further list pages
    dataproxies: list[Dataproxy] = field(default_factory=list)  # Hanweb lists it embeds


def classify_title(title: str) -> tuple[str, str]:
    """``("report", "")``, ``("skip", reason)`` for a companion or notice of a report, or
    ``("other", "")`` for anything else."""
    text = _SPACE.sub("", title or "")
    has_report_word = any(word in text for word in REPORT_WORDS)
    if "政府信息公开" not in text and not has_report_word:
        return "other", ""
    for word in COMPANION_WORDS:
        if word in text:
            return "skip", f"companion page ({word})"
    for word in NOTICE_WORDS:
        if word in text:
            return "skip", f"notice ({word})"
    if "政府信息公开" in text and has_report_word and _YEAR.search(text):
        return "report", ""
    return "other", ""


def attachment_extension(url: str) -> str | None:
    """``.pdf`` ... when the URL's path (or, for download scripts such as
    ``downfile.jsp?filename=x.pdf``, a query value) ends with an attachment extension."""
    parts = urlsplit(url)
    ext = os.path.splitext(unquote(parts.path))[1].lower()
    if ext in ATTACHMENT_EXTENSIONS:
        return ext
    for _, value in parse_qsl(parts.query):
        ext = os.path.splitext(value.strip())[1].lower()
        if ext in ATTACHMENT_EXTENSIONS:
            return ext
    return None


def decode_page(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """Text and codec: the HTTP charset, then ``<?xml encoding>`` / ``<meta charset>``,
    then strict UTF-8, then GB18030 (GBK/GB2312 are read as their superset GB18030)."""
    declared = header_charset
    if not declared:
        match = _XML_DECL.search(body[:200])
        declared = match.group(1).decode("ascii") if match else None
    return decode_html(body, declared)


def parse_document(text: str):
    """An lxml tree of a page, or None for an empty/unparsable one."""
    if not text.strip():
        return None
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses str input with an encoding declaration
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def page_links(doc, base_url: str) -> list[Link]:
    """Every ``<a href>`` as an absolute URL with its title (the longer of the ``title``
    attribute and the text, since lists cut long titles with …)."""
    if doc is None:
        return []
    base = _base_href(doc, base_url)
    links = []
    for anchor in doc.iter("a"):
        url = normalize_url(anchor.get("href") or "", base)
        if url is None:
            continue
        text = _ELLIPSIS.sub("", clean(anchor.text_content()))
        attr = clean(anchor.get("title") or "")
        links.append(Link(url, attr if len(attr) > len(text) else text))
    return links


def page_title(doc) -> str:
    if doc is None:
        return ""
    for xpath in ("//title", "//h1"):
        for element in doc.xpath(xpath):
            text = clean(element.text_content())
            if text:
                return text
    return ""


def parse_list_page(text: str, url: str) -> ListPage:
    """Links, further list pages and Hanweb data proxies of one HTML list page."""
    doc = parse_document(text)
    page = ListPage(links=page_links(doc, url))
    here = urlsplit(url)
    folder = here.path.rsplit("/", 1)[0] + "/"
    for link in page.links:
        parts = urlsplit(link.url)
        name = parts.path.rsplit("/", 1)[-1]
        same_folder = parts.netloc == here.netloc and parts.path.startswith(folder) and "/" not in parts.path[len(folder):]
        if same_folder and _LIST_PAGE.match(name) or (parts.netloc == here.netloc and link.title in NEXT_PAGE_WORDS):
            page.pages.append(link.url)
    page.pages.extend(create_page_html_urls(text, url))
    for block in _XML_SCRIPT.findall(text):
        store = parse_datastore(html.unescape(block) if "&lt;" in block else block, url)
        page.links.extend(store.links)
        page.dataproxies.extend(store.dataproxies)
    page.pages = [p for p in dict.fromkeys(page.pages) if p != url]
    return page


def create_page_html_urls(text: str, url: str) -> list[str]:
    """The pages announced by ``createPageHTML(total, current, "index", "html")`` (TRS
    WCM); the total may be a variable (``var countPage = 7``) and an element id may come
    first (``createPageHTML('page_div', 7, 1, 'index', 'html', 140)``)."""
    urls = []
    for args in _CREATE_PAGE.findall(text):
        items = [a.strip() for a in args.split(",")]
        strings = [(i, a[1:-1]) for i, a in enumerate(items) if len(a) >= 2 and a[0] == a[-1] and a[0] in "'\""]
        ext_at = next((i for i, s in strings if s.lower() in ("html", "htm", "shtml", "jhtml")), None)
        if ext_at is None:
            continue
        ext = items[ext_at][1:-1]
        name = next((s for i, s in reversed(strings) if i < ext_at), "index") or "index"
        total = None
        for item in items:
            if item.isdigit():
                total = int(item)
                break
            if re.fullmatch(r"[A-Za-z_$][\w$]*", item):
                match = re.search(rf"\b{re.escape(item)}\s*=\s*(\d+)", text)
                if match:
                    total = int(match.group(1))
                    break
        if not total or not re.fullmatch(r"[\w\-]+", name):
            continue
        for n in range(min(total, 1000)):
            page = f"{name}.{ext}" if n == 0 else f"{name}_{n}.{ext}"
            absolute = normalize_url(page, url)
            if absolute:
                urls.append(absolute)
    return urls


@dataclass
class Datastore:
    links: list[Link] = field(default_factory=list)
    dataproxies: list[Dataproxy] = field(default_factory=list)  # from <nextgroup>
    total_records: int | None = None  # <totalrecord>
    records: int = 0  # how many <record> it held


def parse_datastore(text: str, base_url: str) -> Datastore:
    """The links of a Hanweb ``<datastore>`` (an embedded script or a dataproxy answer),
    its ``<totalrecord>`` and the data proxy named by its ``<nextgroup>`` link."""
    store = Datastore()
    for record in _RECORD.findall(text):
        match = _CDATA.match(record)
        fragment = match.group(1) if match else html.unescape(record)
        store.records += 1
        store.links.extend(page_links(parse_document(f"<html><body>{fragment}</body></html>"), base_url))
    total = _TOTAL.search(text)
    store.total_records = int(total.group(1)) if total else None
    for group in _NEXTGROUP.findall(text):
        match = _CDATA.match(group)
        for href in _HREF.findall(match.group(1) if match else html.unescape(group)):
            proxy = dataproxy_from_url(html.unescape(next(h for h in href if h)), base_url)
            if proxy is not None:
                store.dataproxies.append(proxy)
    return store


def dataproxy_from_url(href: str, base_url: str, perpage: int = 20, batch: int = 60) -> Dataproxy | None:
    """A data proxy from a ``dataproxy.jsp?columnid=..&unitid=..`` link: the query (less
    page/startrecord/endrecord/perpage, and quotes Hanweb puts around values) becomes the
    POSTed form."""
    absolute = normalize_url(href, base_url)
    if absolute is None or "dataproxy" not in urlsplit(absolute).path.lower():
        return None
    parts = urlsplit(absolute)
    params = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _DATAPROXY_CONTROL:
            if key.lower() == "perpage" and value.isdigit():
                perpage = int(value)
            continue
        params[key] = value.strip().strip("'\"")
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return Dataproxy(url=url, params=params, perpage=perpage, batch=max(batch, perpage))


def attachments(text: str, base_url: str) -> list[Link]:
    """Files a report page links or embeds (pdf, doc, docx, wps, xls, xlsx), in page order."""
    doc = parse_document(text)
    if doc is None:
        return []
    base = _base_href(doc, base_url)
    found: dict[str, Link] = {}
    for element, attribute in ((e, a) for tag, a in (("a", "href"), ("iframe", "src"), ("embed", "src"),
                                                     ("object", "data")) for e in doc.iter(tag)):
        url = normalize_url(element.get(attribute) or "", base)
        if url is None or attachment_extension(url) is None or url in found:
            continue
        title = clean(element.get("title") or "") or clean(element.text_content() if element.tag == "a" else "")
        found[url] = Link(url, title)
    return list(found.values())


def clean(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _base_href(doc, url: str) -> str:
    for base in doc.iter("base"):
        href = normalize_url(base.get("href") or "", url)
        if href:
            return href
    return url
