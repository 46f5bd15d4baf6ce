"""The crawl: for each portal, walk its list pages (HTML pagination and Hanweb data
proxies), pick the report links by title, fetch each report page and the files it
attaches, store what is new, and record every document URL in the manifest.

Portals are crawled concurrently, ``concurrency`` at a time (threads sharing one
`Fetcher`); each host still gets one request at a time with its delay (see
`gongkai.crawl.fetch`). Within a portal the work is sequential. A URL is handled once per
run even when several pages (or portals) link it. List pages are read on every run;
known documents are re-asked on a schedule (``recheck_days``, each URL on its own day of
the cycle so the re-checks spread over the nights), with the ETag / Last-Modified of the
previous crawl; a 304 (or an identical body) counts as unchanged and writes nothing.
Report links per list page (``max_report_links``) and documents per portal per run
(``max_documents``) are capped; what was cut is recorded (skips, ``runs.jsonl``).
A portal of which not a single list page could be read is an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait
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
from gongkai.crawl.sources import DEFAULT_CONCURRENCY, Dataproxy, Portal, load_sources

log = logging.getLogger("gongkai.crawl")

STORED = ("downloaded", "unchanged", "duplicate")
DAY = 86400.0


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
    not_due: int = 0  # known documents not re-asked this run (recheck_days)
    failed_portals: list[str] = field(default_factory=list)  # portals of which no list page was read
    cuts: list[dict] = field(default_factory=list)  # what max_report_links / max_documents left out

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted

    def summary(self) -> str:
        text = (f"{self.pages_fetched} list pages, {len(self.documents)} documents "
                f"({self.downloaded} new or changed, {self.unchanged} unchanged, {self.duplicates} duplicate), "
                f"{len(self.skipped)} skipped, {len(self.errors)} errors, {self.requests} requests; "
                f"{len(self.files)} files known")
        if self.not_due:
            text += f"; {self.not_due} known documents not due for a re-check"
        if self.failed_portals:
            text += f"; {len(self.failed_portals)} portal(s) not crawled"
        if self.cuts:
            text += f"; {sum(c['cut'] for c in self.cuts)} link(s)/document(s) cut by limits"
        return text


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


class _Stopped(Exception):
    """Raised in a worker thread when the run was interrupted."""


def crawl(sources: Iterable[Portal] | str | os.PathLike, out_dir: str | os.PathLike = "data/crawl", *,
          delay: float | None = None, timeout: float = 10.0, retries: int = 3, backoff: float = 0.5,
          max_bytes: int = 50 * 2**20, deadline: float = 300.0, concurrency: int | None = None,
          recheck_days: float | None = None, max_report_links: int | None = None,
          max_documents: int | None = None, progress: Callable[[Progress], None] | None = None,
          now: datetime | None = None) -> CrawlResult:
    """Crawl every portal of ``sources`` (a list of `Portal`, or a sources file path) into
    ``out_dir``. ``delay`` (seconds between two requests to one host) replaces the delays
    of the sources file when given; so do ``recheck_days``, ``max_report_links`` and
    ``max_documents``. ``concurrency``: portals crawled at once (default: the sources
    file's ``defaults: concurrency``, else 32). ``deadline``: seconds one response may
    take in all. ``now`` (for tests): the time the re-check schedule is computed for."""
    portals = load_sources(sources) if isinstance(sources, (str, os.PathLike)) else sources
    workers = concurrency or getattr(portals, "concurrency", None) or DEFAULT_CONCURRENCY
    portals = [replace(p, **{k: v for k, v in (("recheck_days", recheck_days), ("max_report_links", max_report_links),
                                                ("max_documents", max_documents)) if v is not None})
               for p in portals]
    started = datetime.now(timezone.utc)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    store = Store(out_dir)
    fetcher = Fetcher(delay=delay, timeout=timeout, retries=retries, backoff=backoff, max_bytes=max_bytes,
                      deadline=deadline)
    result = CrawlResult(run_id=run_id, out_dir=os.fspath(out_dir))
    run = _Run(store, fetcher, result, progress, (now or started).timestamp())
    workers = max(1, min(int(workers), len(portals) or 1))
    log.info("crawl %s: %d portal(s), %d at a time -> %s", run_id, len(portals), workers, out_dir)
    try:
        if workers == 1:
            for portal in portals:
                run.portal(portal)
        else:
            run.all_portals(portals, workers)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        result.requests = fetcher.requests
        run.order_by_portal(portals)
        store.save()
        result.files = [os.path.join(os.fspath(out_dir), *doc["path"].split("/")) for doc in store.write_documents()]
        store.append_run({
            "run_id": run_id, "started_at": _iso(started), "finished_at": _now(),
            "portals": [p.name for p in portals], "pages_fetched": result.pages_fetched,
            "documents": len(result.documents), "downloaded": result.downloaded, "unchanged": result.unchanged,
            "duplicates": result.duplicates, "not_due": result.not_due, "skipped": [list(s) for s in result.skipped],
            "errors": [list(e) for e in result.errors], "failed_portals": result.failed_portals,
            "cuts": result.cuts, "requests": result.requests, "files": len(result.files),
            "interrupted": result.interrupted,
            "settings": {"delay": delay, "timeout": timeout, "retries": retries, "backoff": backoff,
                         "max_bytes": max_bytes, "deadline": deadline, "concurrency": workers,
                         "recheck_days": recheck_days, "max_report_links": max_report_links,
                         "max_documents": max_documents},
        })
        log.info("crawl %s: %s", run_id, result.summary())
    return result


def is_due(url: str, last_checked: str | None, recheck_days: float, now: float) -> bool:
    """Whether a known document is re-asked this run. Time is cut into cycles of
    ``recheck_days``; each URL has its own phase in the cycle (from a hash of the URL) and
    is due once per cycle, so a corpus fetched in one night is re-checked spread over the
    following ``recheck_days`` nights, then every ``recheck_days`` days on average (never
    more than twice that apart). ``recheck_days`` 0, or no last check: always due."""
    if recheck_days <= 0 or not last_checked:
        return True
    try:
        last = datetime.fromisoformat(last_checked).timestamp()
    except ValueError:
        return True
    cycle = recheck_days * DAY
    phase = int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big") % max(1, int(cycle))
    return (now + phase) // cycle > (last + phase) // cycle


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
    """The shared state of one run. Portals run in worker threads; everything they share
    (the seen set, the result, the store, the manifest, the progress callback) is touched
    under ``self.lock``; the network is not."""

    def __init__(self, store: Store, fetcher: Fetcher, result: CrawlResult,
                 progress: Callable[[Progress], None] | None, now: float) -> None:
        self.store, self.fetcher, self.result, self.progress = store, fetcher, result, progress
        self.now = now
        self.seen: set[str] = set()  # document URLs handled this run
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.skip_portals: list[str] = []  # the portal of each result.skipped entry
        self.error_portals: list[str] = []  # ... of each result.errors entry

    def order_by_portal(self, portals: list[Portal]) -> None:
        """Put the result's documents, skips and errors in the order of the sources file
        (portals ran concurrently; within a portal the order is the crawl's)."""
        rank = {p.name: i for i, p in enumerate(portals)}
        r = self.result
        r.documents.sort(key=lambda row: rank.get(row.get("portal"), len(rank)))
        for items, names in ((r.skipped, self.skip_portals), (r.errors, self.error_portals)):
            ordered = sorted(zip(names, items), key=lambda pair: rank.get(pair[0], len(rank)))
            items[:] = [item for _, item in ordered]

    def all_portals(self, portals: list[Portal], workers: int) -> None:
        """Crawl the portals ``workers`` at a time; Ctrl-C stops every worker before its next request."""
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crawl")
        futures = [pool.submit(self.portal, portal) for portal in portals]
        try:
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.5)
        except KeyboardInterrupt:
            self.stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        for future in futures:
            exc = future.exception()
            if exc is not None and not isinstance(exc, _Stopped):
                raise exc

    def portal(self, portal: Portal) -> None:
        try:
            _PortalCrawl(self, portal).crawl()
        except _Stopped:
            pass

    def claim(self, url: str) -> bool:
        """True (and the URL marked) when no page of this run handled ``url`` yet."""
        with self.lock:
            if url in self.seen:
                return False
            self.seen.add(url)
            return True

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise _Stopped()

    # -- bookkeeping ---------------------------------------------------------------------------------
    def skip(self, name: str, url: str, reason: str, *, row: dict | None = None, **fields) -> None:
        with self.lock:
            self.result.skipped.append((url, reason))
            self.skip_portals.append(name)
            log.debug("skipped %s: %s", url, reason)
            if row is not None or fields:
                self.record(name, url, row, fields, "skipped", reason)
            self.tell(name, "skipped", url)

    def error(self, name: str, url: str, reason: str, *, row: dict | None = None) -> None:
        with self.lock:
            self.result.errors.append((url, reason))
            self.error_portals.append(name)
            log.warning("error %s: %s", url, reason)
            if row is not None:
                self.record(name, url, row, {}, "error", reason)
            self.tell(name, "error", url)

    def record(self, name: str, url: str, row: dict | None, fields: dict, outcome: str, note: str) -> None:
        row = {"run_id": self.result.run_id, "portal": name, "url": url, **(row or {}), **fields}
        row.setdefault("fetched_at", _now())
        row.update(outcome=outcome, note=note)
        with self.lock:
            self.store.append_manifest(row)

    def cut(self, name: str, url: str, limit: str, value: int, urls: list[str], what: str) -> None:
        """Record links or documents left out by a limit: one skip line and one ``cuts`` entry."""
        reason = f"{limit} {value} reached: {len(urls)} {what} not followed"
        with self.lock:
            self.result.cuts.append({"portal": name, "url": url, "limit": limit, "value": value, "cut": len(urls),
                                     "first": urls[:5]})
        log.warning("portal %s: %s: %s", name, url, reason)
        self.skip(name, url, reason)

    def tell(self, name: str, event: str, url: str) -> None:
        if self.progress is None:
            return
        with self.lock:
            r = self.result
            self.progress(Progress(name, event, url, r.pages_fetched, len(r.documents), r.downloaded, r.unchanged,
                                   r.duplicates, len(r.skipped), len(r.errors)))


class _PortalCrawl:
    """One portal: list pages, then its documents, one request after another."""

    def __init__(self, run: _Run, portal: Portal) -> None:
        self.run, self.portal, self.name = run, portal, portal.name
        self.store, self.fetcher, self.result = run.store, run.fetcher, run.result
        self.pages_read = 0
        self.list_failures: list[str] = []
        self.fetched_documents = 0  # documents requested this run (the max_documents cap)
        self.over_cap: list[str] = []  # documents left out by max_documents

    # -- list pages ----------------------------------------------------------------------------
    def crawl(self) -> None:
        portal = self.portal
        log.info("portal %s: %s", portal.name, ", ".join(portal.list_urls))
        tasks: deque[_ListTask] = deque()
        queued: set[tuple] = set()

        def add(task: _ListTask) -> None:
            if task.proxy is not None:
                task.proxy = self._proxy_settings(task.proxy)
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
                self.run.skip(self.name, task.label, reason)
                break
            self.run.check_stop()
            asked += 1
            try:
                links, further = self._list_page(task)
            except _Stopped:
                raise
            except Exception as exc:  # noqa: BLE001 - one odd page must not stop the crawl
                log.exception("%s: unexpected error", task.label)
                self._list_failed(task.label, f"unexpected error ({type(exc).__name__}: {exc})", error=True)
                continue
            for next_task in further:
                add(next_task)
            base = task.referrer if task.proxy is not None and task.referrer else task.url
            taken, cut = 0, []
            for link in links:
                if self._consider(link, base, candidates, taken >= portal.max_report_links):
                    taken += 1
                elif taken >= portal.max_report_links and self._is_report_link(link, candidates):
                    cut.append(link.url)
            if cut:
                self.run.cut(self.name, task.label, "max_report_links", portal.max_report_links, list(dict.fromkeys(cut)),
                             "report link(s) of this list page")
            self.run.tell(self.name, "list", task.label)

        if self.pages_read == 0:
            reason = "; ".join(dict.fromkeys(self.list_failures)) or "no list page read"
            with self.run.lock:
                self.result.failed_portals.append(self.name)
            self.run.error(self.name, portal.list_url, f"portal {self.name} not crawled: no list page could be read "
                                                       f"({reason})")
        for url, (kind, title, referrer) in candidates.items():
            self._document(url, kind, title, referrer)
        if self.over_cap:
            self.run.cut(self.name, portal.list_url, "max_documents", portal.max_documents, self.over_cap,
                         "document(s) of this portal")

    def _list_failed(self, label: str, reason: str, *, error: bool) -> None:
        self.list_failures.append(reason)
        if error:
            self.run.error(self.name, label, reason)
        else:
            self.run.skip(self.name, label, reason)

    def _list_page(self, task: _ListTask) -> tuple[list[Link], list[_ListTask]]:
        portal = self.portal
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
            self._list_failed(task.label, fetched.reason, error=False)
            return [], []
        if fetched.outcome != "ok":
            self._list_failed(task.label, fetched.reason or f"HTTP {fetched.status}", error=True)
            return [], []
        self.pages_read += 1
        with self.run.lock:
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

    def _proxy_settings(self, proxy: Dataproxy) -> Dataproxy:
        settings = self.portal.dataproxy
        if settings is None or proxy is settings:
            return proxy
        return replace(proxy, method=settings.method, perpage=settings.perpage, batch=settings.batch)

    def _is_report_link(self, link: Link, candidates: dict) -> bool:
        if link.url in candidates:
            return False
        with self.run.lock:
            if link.url in self.run.seen:
                return False
        return classify_title(link.title)[0] == "report" and self.portal.allows(link.url)

    def _consider(self, link: Link, referrer: str, candidates: dict, full: bool) -> bool:
        """Record a companion or off-host link, or take a report link (True) unless ``full``."""
        with self.run.lock:
            if link.url in self.run.seen or link.url in candidates:
                return False
        verdict, reason = classify_title(link.title)
        if verdict == "other":
            return False
        kind = "attachment" if attachment_extension(link.url) else "report_page"
        if verdict == "skip":
            self.run.skip(self.name, link.url, reason, kind="companion", title=link.title, referrer=referrer)
        elif not self.portal.allows(link.url):
            self.run.skip(self.name, link.url, f"host not allowed: {urlsplit(link.url).netloc}", kind=kind,
                          title=link.title, referrer=referrer)
        elif not full:
            candidates[link.url] = (kind, link.title, referrer)
            return True
        return False

    # -- documents -------------------------------------------------------------------------------
    def _document(self, url: str, kind: str, title: str, referrer: str) -> None:
        with self.run.lock:
            if url in self.run.seen:
                return
            previous = self.store.entry(url)
        due = previous is None or is_due(url, previous.get("fetched_at"), self.portal.recheck_days, self.run.now)
        if due and self.fetched_documents >= self.portal.max_documents:
            self.over_cap.append(url)
            return
        if not self.run.claim(url):
            return
        row = {"run_id": self.result.run_id, "portal": self.name, "kind": kind, "url": url, "referrer": referrer,
               "title": title or None}
        if not due:
            text = self._not_due(url, kind, previous)
            final = previous.get("final_url") or url
        else:
            self.run.check_stop()
            self.fetched_documents += 1
            try:
                text = self._fetch_document(url, kind, row)
            except _Stopped:
                raise
            except Exception as exc:  # noqa: BLE001 - one odd document must not stop the crawl
                log.exception("%s: unexpected error", url)
                self.run.error(self.name, url, f"unexpected error ({type(exc).__name__}: {exc})", row=row)
                return
            final = row.get("final_url") or url
        if text is None:
            return
        for link in attachments(text, final):
            with self.run.lock:
                if link.url in self.run.seen:
                    continue
            name = link.title or os.path.basename(urlsplit(link.url).path)
            if not self.portal.allows(link.url):
                if self.run.claim(link.url):
                    self.run.skip(self.name, link.url, f"host not allowed: {urlsplit(link.url).netloc}",
                                  kind="attachment", title=name, referrer=final)
                continue
            self._document(link.url, "attachment", name, final)

    def _not_due(self, url: str, kind: str, previous: dict) -> str | None:
        """A known document not re-asked this run; for a report page, its stored copy's
        text (its attachments are checked on their own schedule)."""
        with self.run.lock:
            self.result.not_due += 1
            if previous.get("final_url"):
                self.run.seen.add(previous["final_url"])
        log.debug("not due for a re-check: %s (last %s)", url, previous.get("fetched_at"))
        if kind != "report_page":
            return None
        try:
            body = self.store.read(previous["path"])
        except OSError:
            return None
        return decode_page(body, previous.get("encoding"))[0]

    def _fetch_document(self, url: str, kind: str, row: dict) -> str | None:
        """Fetch, store and record one document; the page text of a report page (to find
        its attachments), else None."""
        with self.run.lock:
            conditional = self.store.conditional_headers(url)
        fetched = self.fetcher.fetch(url, self.portal, headers=conditional, referrer=row["referrer"])
        row.update(final_url=fetched.final_url, fetched_at=_now(), http_status=fetched.status)
        if fetched.outcome == "blocked":
            self.run.skip(self.name, url, fetched.reason, row=row)
            return None
        if fetched.outcome not in ("ok", "not_modified"):
            self.run.error(self.name, url, fetched.reason or f"HTTP {fetched.status}", row=row)
            return None
        with self.run.lock:
            return self._store_document(url, kind, row, fetched)

    def _store_document(self, url: str, kind: str, row: dict, fetched) -> str | None:
        self.run.seen.add(fetched.final_url)
        previous = self.store.entry(url)
        if fetched.outcome == "not_modified":
            if previous is None:
                self.run.error(self.name, url, "HTTP 304 without a stored copy", row=row)
                return None
            body, sha = self.store.read(previous["path"]), previous["sha256"]
            content_type, path, outcome, note = previous.get("content_type"), previous["path"], "unchanged", "HTTP 304"
            declared = previous.get("encoding")
        else:
            body = fetched.body or b""
            sha, content_type, declared = hashlib.sha256(body).hexdigest(), fetched.content_type, fetched.charset
            if kind == "attachment" and looks_like_html(body) and sniff_extension(body) is None:
                self.run.error(self.name, url, f"attachment answered with an HTML page ({content_type}): an error page?",
                               row=row)
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
            "portal": self.name, "kind": kind, "title": row["title"], "referrer": row["referrer"],
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
        self.run.tell(self.name, "document", url)
        return text


def _now() -> str:
    return _iso(datetime.now(timezone.utc))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
