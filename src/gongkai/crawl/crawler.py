"""The crawl: for each portal, walk its list pages (HTML pagination and Hanweb data
proxies), pick the report links by title, fetch each report page and the files it
attaches, store what is new, and record every document URL in the manifest.

One request at a time (see `gongkai.crawl.fetch` for the politeness rules); portals are
crawled one after the other. A URL is handled once per run even when several pages link
it. Re-crawls send the ETag / Last-Modified of the previous crawl; a 304 (or an identical
body) counts as unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Iterable
from urllib.parse import urlencode, urlsplit

from gongkai.crawl.fetch import Fetcher, normalize_url
from gongkai.crawl.manifest import Store, file_name, looks_like_html, sniff_extension
from gongkai.crawl.portal import (
    Link, attachment_extension, attachments, classify_title, dataproxy_from_url, decode_page,
    parse_datastore, parse_document, parse_list_page, page_title,
)
from gongkai.crawl.sources import Dataproxy, Portal, load_sources

log = logging.getLogger("gongkai.crawl")

STORED = ("downloaded", "unchanged", "duplicate")


@dataclass
class CrawlResult:
    """What one crawl run did. ``documents`` are this run's manifest rows of documents
    stored or confirmed (outcome downloaded, unchanged or duplicate); ``files`` are the
    local paths of every document currently known (this run and earlier), one per sha256."""

    run_id: str
    pages_fetched: int = 0  # list pages and data-proxy answers read
    documents: list[dict] = field(default_factory=list)
    downloaded: int = 0  # new or changed files written
    unchanged: int = 0  # 304, or the same sha256 as this URL's last crawl
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    duplicates: int = 0  # new URL whose content is already stored under another URL
    requests: int = 0  # HTTP requests sent (robots.txt and retries included)
    out_dir: str = ""
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted

    def summary(self) -> str:
        return (f"{self.pages_fetched} list pages, {len(self.documents)} documents "
                f"({self.downloaded} new or changed, {self.unchanged} unchanged, {self.duplicates} duplicate), "
                f"{len(self.skipped)} skipped, {len(self.errors)} errors, {self.requests} requests; "
                f"{len(self.files)} files known")


@dataclass(frozen=True)
class Progress:
    """A snapshot handed to the ``progress`` callback after every page and document."""

    portal: str
    event: str  # "list", "document", "skipped", "error"
    url: str
    pages_fetched: int
    documents: int
    downloaded: int
    unchanged: int
    duplicates: int
    skipped: int
    errors: int

    def line(self) -> str:
        return (f"pages {self.pages_fetched} · documents {self.documents} (new {self.downloaded}, "
                f"unchanged {self.unchanged}, duplicate {self.duplicates}) · skipped {self.skipped} · "
                f"errors {self.errors}")


def crawl(sources: Iterable[Portal] | str | os.PathLike, out_dir: str | os.PathLike = "data/crawl", *,
          delay: float | None = None, timeout: float = 10.0, retries: int = 3, backoff: float = 0.5,
          max_bytes: int = 50 * 2**20, progress: Callable[[Progress], None] | None = None) -> CrawlResult:
    """Crawl every portal of ``sources`` (a list of `Portal`, or a sources file path) into
    ``out_dir``. ``delay`` (seconds between two requests to one host) replaces the delays
    of the sources file when given."""
    portals = load_sources(sources) if isinstance(sources, (str, os.PathLike)) else list(sources)
    started = datetime.now(timezone.utc)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    store = Store(out_dir)
    fetcher = Fetcher(delay=delay, timeout=timeout, retries=retries, backoff=backoff, max_bytes=max_bytes)
    result = CrawlResult(run_id=run_id, out_dir=os.fspath(out_dir))
    run = _Run(store, fetcher, result, progress)
    log.info("crawl %s: %d portal(s) -> %s", run_id, len(portals), out_dir)
    try:
        for portal in portals:
            run.portal(portal)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        result.requests = fetcher.requests
        store.save()
        result.files = [os.path.join(os.fspath(out_dir), *doc["path"].split("/")) for doc in store.write_documents()]
        store.append_run({
            "run_id": run_id, "started_at": _iso(started), "finished_at": _now(),
            "portals": [p.name for p in portals], "pages_fetched": result.pages_fetched,
            "documents": len(result.documents), "downloaded": result.downloaded, "unchanged": result.unchanged,
            "duplicates": result.duplicates, "skipped": [list(s) for s in result.skipped],
            "errors": [list(e) for e in result.errors], "requests": result.requests, "files": len(result.files),
            "interrupted": result.interrupted,
            "settings": {"delay": delay, "timeout": timeout, "retries": retries, "backoff": backoff,
                         "max_bytes": max_bytes},
        })
        log.info("crawl %s: %s", run_id, result.summary())
    return result


@dataclass
class _ListTask:
    url: str  # the page, or the data proxy endpoint
    referrer: str | None
    proxy: Dataproxy | None = None
    start: int = 1  # first record asked of a data proxy

    @property
    def key(self) -> tuple:
        if self.proxy is None:
            return ("page", self.url)
        return ("proxy", self.proxy.url, tuple(sorted(self.proxy.params.items())), self.start)

    @property
    def label(self) -> str:
        if self.proxy is None:
            return self.url
        end = self.start + self.proxy.batch - 1
        return f"{self.proxy.url}?startrecord={self.start}&endrecord={end}&perpage={self.proxy.perpage}"


class _Run:
    def __init__(self, store: Store, fetcher: Fetcher, result: CrawlResult,
                 progress: Callable[[Progress], None] | None) -> None:
        self.store, self.fetcher, self.result, self.progress = store, fetcher, result, progress
        self.seen: set[str] = set()  # document URLs handled this run
        self.name = ""

    # -- list pages ----------------------------------------------------------------------------
    def portal(self, portal: Portal) -> None:
        self.name = portal.name
        log.info("portal %s: %s", portal.name, ", ".join(portal.list_urls))
        tasks: deque[_ListTask] = deque()
        queued: set[tuple] = set()

        def add(task: _ListTask) -> None:
            if task.proxy is not None:
                task.proxy = self._proxy_settings(portal, task.proxy)
            if task.key not in queued:
                queued.add(task.key)
                tasks.append(task)

        for url in portal.list_urls:
            url = normalize_url(url) or url
            proxy = dataproxy_from_url(url, url) if "dataproxy" in urlsplit(url).path.lower() else None
            add(_ListTask(proxy.url if proxy else url, None, proxy))
        if portal.dataproxy is not None and portal.dataproxy.url:
            add(_ListTask(portal.dataproxy.url, None, portal.dataproxy))

        candidates: dict[str, tuple[str, str, str]] = {}  # url -> (kind, title, referrer)
        asked = 0
        while tasks:
            task = tasks.popleft()
            if asked >= portal.max_pages:
                reason = f"max_pages {portal.max_pages} reached ({len(tasks) + 1} list page(s) not fetched)"
                log.warning("portal %s: %s", portal.name, reason)
                self._skip(task.label, reason)
                break
            asked += 1
            try:
                links, further = self._list_page(portal, task)
            except Exception as exc:  # noqa: BLE001 - one odd page must not stop the crawl
                log.exception("%s: unexpected error", task.label)
                self._error(task.label, f"unexpected error ({type(exc).__name__}: {exc})")
                continue
            for next_task in further:
                add(next_task)
            base = task.referrer if task.proxy is not None and task.referrer else task.url
            for link in links:
                self._consider(portal, link, base, candidates)
            self._tell("list", task.label)

        for url, (kind, title, referrer) in candidates.items():
            if url not in self.seen:
                self._document(portal, url, kind, title, referrer)

    def _list_page(self, portal: Portal, task: _ListTask) -> tuple[list[Link], list[_ListTask]]:
        if task.proxy is None:
            fetched = self.fetcher.fetch(task.url, portal, referrer=task.referrer)
        else:
            proxy, end = task.proxy, task.start + task.proxy.batch - 1
            control = {"startrecord": task.start, "endrecord": end, "perpage": proxy.perpage}
            if proxy.method == "GET":
                fetched = self.fetcher.fetch(f"{proxy.url}?{urlencode({**proxy.params, **control})}", portal,
                                             referrer=task.referrer)
            else:
                fetched = self.fetcher.fetch(f"{proxy.url}?{urlencode(control)}", portal, method="POST",
                                             data=urlencode(proxy.params).encode("utf-8"), referrer=task.referrer)
        if fetched.outcome == "blocked":
            self._skip(task.label, fetched.reason)
            return [], []
        if fetched.outcome != "ok":
            self._error(task.label, fetched.reason or f"HTTP {fetched.status}")
            return [], []
        self.result.pages_fetched += 1
        text, _ = decode_page(fetched.body or b"", fetched.charset)
        if task.proxy is None:
            page = parse_list_page(text, fetched.final_url)
            further = [_ListTask(url, fetched.final_url) for url in page.pages if portal.allows(url)]
            further += [_ListTask(p.url, fetched.final_url, p) for p in page.dataproxies if portal.allows(p.url)]
            log.debug("%s: %d links, %d further list pages", task.url, len(page.links), len(further))
            return page.links, further
        store = parse_datastore(text, task.referrer or task.url)
        end = task.start + task.proxy.batch - 1
        more = store.records > 0 and (end < store.total_records if store.total_records is not None
                                      else store.records >= task.proxy.batch)
        further = [_ListTask(task.url, task.referrer, task.proxy, end + 1)] if more else []
        log.debug("%s: %d records (total %s)", task.label, store.records, store.total_records)
        return store.links, further

    def _proxy_settings(self, portal: Portal, proxy: Dataproxy) -> Dataproxy:
        settings = portal.dataproxy
        if settings is None or proxy is settings:
            return proxy
        return replace(proxy, method=settings.method, perpage=settings.perpage, batch=settings.batch)

    def _consider(self, portal: Portal, link: Link, referrer: str, candidates: dict) -> None:
        if link.url in self.seen or link.url in candidates:
            return
        verdict, reason = classify_title(link.title)
        if verdict == "other":
            return
        kind = "attachment" if attachment_extension(link.url) else "report_page"
        if verdict == "skip":
            self._skip(link.url, reason, kind="companion", title=link.title, referrer=referrer)
        elif not portal.allows(link.url):
            self._skip(link.url, f"host not allowed: {urlsplit(link.url).netloc}", kind=kind, title=link.title,
                       referrer=referrer)
        else:
            candidates[link.url] = (kind, link.title, referrer)

    # -- documents -------------------------------------------------------------------------------
    def _document(self, portal: Portal, url: str, kind: str, title: str, referrer: str) -> None:
        self.seen.add(url)
        row = {"run_id": self.result.run_id, "portal": portal.name, "kind": kind, "url": url, "referrer": referrer,
               "title": title or None}
        try:
            text = self._fetch_document(portal, url, kind, row)
        except Exception as exc:  # noqa: BLE001 - one odd document must not stop the crawl
            log.exception("%s: unexpected error", url)
            self._error(url, f"unexpected error ({type(exc).__name__}: {exc})", row=row)
            return
        if text is None:
            return
        for link in attachments(text, row["final_url"]):
            if link.url in self.seen:
                continue
            name = link.title or os.path.basename(urlsplit(link.url).path)
            if not portal.allows(link.url):
                self.seen.add(link.url)
                self._skip(link.url, f"host not allowed: {urlsplit(link.url).netloc}", kind="attachment",
                           title=name, referrer=row["final_url"])
                continue
            self._document(portal, link.url, "attachment", name, row["final_url"])

    def _fetch_document(self, portal: Portal, url: str, kind: str, row: dict) -> str | None:
        """Fetch, store and record one document; the page text of a report page (to find
        its attachments), else None."""
        conditional = self.store.conditional_headers(url)
        fetched = self.fetcher.fetch(url, portal, headers=conditional, referrer=row["referrer"])
        row.update(final_url=fetched.final_url, fetched_at=_now(), http_status=fetched.status)
        if fetched.outcome == "blocked":
            self._skip(url, fetched.reason, row=row)
            return None
        if fetched.outcome not in ("ok", "not_modified"):
            self._error(url, fetched.reason or f"HTTP {fetched.status}", row=row)
            return None
        self.seen.add(fetched.final_url)
        previous = self.store.entry(url)
        if fetched.outcome == "not_modified":
            if previous is None:
                self._error(url, "HTTP 304 without a stored copy", row=row)
                return None
            body, sha = self.store.read(previous["path"]), previous["sha256"]
            content_type, path, outcome, note = previous.get("content_type"), previous["path"], "unchanged", "HTTP 304"
            declared = previous.get("encoding")
        else:
            body = fetched.body or b""
            sha, content_type, declared = hashlib.sha256(body).hexdigest(), fetched.content_type, fetched.charset
            if kind == "attachment" and looks_like_html(body) and sniff_extension(body) is None:
                self._error(url, f"attachment answered with an HTML page ({content_type}): an error page?", row=row)
                return None
            if previous is not None and previous.get("sha256") == sha:
                path, outcome, note = previous["path"], "unchanged", "same content"
            elif (existing := self.store.path_for(sha)) is not None:
                path, outcome, note = existing, "duplicate", "same content already stored"
            else:
                name = file_name(fetched.final_url, kind, body, content_type, fetched.headers.get("content-disposition"))
                path = self.store.write(fetched.final_url, body, sha, name)
                outcome, note = "downloaded", "changed" if previous is not None else "new"
        text = encoding = None
        if kind == "report_page":
            text, encoding = decode_page(body, declared)
            if not row.get("title"):
                row["title"] = page_title(parse_document(text)) or None
        etag, last_modified = fetched.headers.get("etag"), fetched.headers.get("last-modified")
        if fetched.outcome == "not_modified":  # a 304 may leave the validators out
            etag, last_modified = etag or previous.get("etag"), last_modified or previous.get("last_modified")
        row.update(content_type=content_type, encoding=encoding, sha256=sha, path=path, bytes=len(body),
                   etag=etag, last_modified=last_modified, outcome=outcome, note=note)
        replaced = self.store.remember(url, {
            "portal": portal.name, "kind": kind, "title": row["title"], "referrer": row["referrer"],
            "final_url": row["final_url"], "sha256": sha, "path": path, "bytes": len(body),
            "content_type": content_type, "encoding": encoding, "etag": row["etag"],
            "last_modified": row["last_modified"], "http_status": fetched.status, "fetched_at": row["fetched_at"],
            "first_fetched_at": (previous or {}).get("first_fetched_at") or row["fetched_at"],
        })
        if replaced:
            moved = self.store.supersede(replaced)
            if moved:
                row["note"] += f"; previous version moved to {moved}"
        if outcome == "downloaded":
            self.result.downloaded += 1
            log.info("%s %s -> %s", note, url, path)
        elif outcome == "unchanged":
            self.result.unchanged += 1
            log.debug("unchanged %s", url)
        else:
            self.result.duplicates += 1
            log.info("duplicate %s = %s", url, path)
        self.result.documents.append(row)
        self.store.append_manifest(row)
        self._tell("document", url)
        return text

    # -- bookkeeping ---------------------------------------------------------------------------------
    def _skip(self, url: str, reason: str, *, row: dict | None = None, **fields) -> None:
        self.result.skipped.append((url, reason))
        log.debug("skipped %s: %s", url, reason)
        if row is not None or fields:
            self._record(url, row, fields, "skipped", reason)
        self._tell("skipped", url)

    def _error(self, url: str, reason: str, *, row: dict | None = None) -> None:
        self.result.errors.append((url, reason))
        log.warning("error %s: %s", url, reason)
        if row is not None:
            self._record(url, row, {}, "error", reason)
        self._tell("error", url)

    def _record(self, url: str, row: dict | None, fields: dict, outcome: str, note: str) -> None:
        row = {"run_id": self.result.run_id, "portal": self.name, "url": url, **(row or {}), **fields}
        row.setdefault("fetched_at", _now())
        row.update(outcome=outcome, note=note)
        self.store.append_manifest(row)

    def _tell(self, event: str, url: str) -> None:
        if self.progress is None:
            return
        r = self.result
        self.progress(Progress(self.name, event, url, r.pages_fetched, len(r.documents), r.downloaded, r.unchanged,
                               r.duplicates, len(r.skipped), len(r.errors)))


def _now() -> str:
    return _iso(datetime.now(timezone.utc))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
