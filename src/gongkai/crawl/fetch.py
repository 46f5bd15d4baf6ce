"""Polite HTTP: one request at a time per host through a single gate that checks, for every
hop of every request, that the URL is on an allowed host and allowed by robots.txt, waits
for the host's delay, bounds the time and the size, retries what is worth retrying and
nothing else. One `Fetcher` is shared by the crawl's threads: each host (host:port) has a
lock held from the delay's wait to the end of the response, so a host never has two
requests in flight, whichever portal asks.

- Redirects are followed by hand (at most 5 hops), each hop checked like a new URL: a
  redirect to a host the portal may not visit is not followed.
- Retried with exponential backoff (``backoff * 2**n`` seconds, or ``Retry-After`` when
  the server says so, at most 60 s): 5xx answers, timeouts and dropped connections.
  Never retried: 4xx, and the JavaScript-challenge answers 412 and 521 (WAFs such as
  Ruishu answer these until a browser runs their script; we record them, we do not try).
- ``timeout`` bounds the connection and every single read; ``deadline`` bounds the whole
  response (connection, headers and body): a watchdog shuts the socket when it passes, so
  a server trickling one byte a second is cut off. Not retried; recorded as an error.
- ``max_bytes`` bounds every body: a larger ``Content-Length`` is refused before reading,
  a body that grows past the limit is dropped when it does (gzip counted decompressed).
- robots.txt (urllib.robotparser) per scheme+host, fetched once per crawl. A missing
  robots.txt (404, other 4xx) allows everything; 401/403 disallow everything (as the
  standard library does); an unreachable one (5xx, timeout, challenge) disallows
  everything for this crawl. A ``Crawl-delay`` for our agent is a floor on the delay
  (capped at 60 s).
"""

from __future__ import annotations

import http.client
import logging
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from gongkai.crawl.sources import Portal

log = logging.getLogger("gongkai.crawl")

MAX_REDIRECTS = 5
CHALLENGE_STATUSES = {412: "js challenge", 521: "js challenge"}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_RETRY_AFTER = 60.0
MAX_CRAWL_DELAY = 60.0
_CHUNK = 64 * 1024
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


@dataclass
class Fetched:
    """What one fetch (all its hops and retries) came to.

    ``outcome``: ``ok`` (2xx with a body), ``not_modified`` (304), ``blocked`` (a rule of
    ours stopped it: host, robots.txt; nothing was requested for the blocked URL) or
    ``error`` (4xx, 5xx after retries, challenge, timeout, too large). One hop of a
    redirect chain is ``redirect``, which `Fetcher.fetch` never returns.
    """

    url: str
    final_url: str
    outcome: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    reason: str = ""
    attempts: int = 0

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";")[0].strip().lower() or None if value else None

    @property
    def charset(self) -> str | None:
        match = _CHARSET.search(self.headers.get("content-type", ""))
        return match.group(1) if match else None


class _Oversize(Exception):
    pass


class _DeadlinePassed(Exception):
    pass


class _Deadline:
    """The total time one response may take. A `threading.Timer` shuts the connection's
    socket down when it passes, which ends any blocked read (headers or body)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            expired = self.expired
        if expired:
            _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sock = self._sock
        if sock is not None:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:  # the plain socket's shutdown, also under TLS: wakes any thread blocked on it
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _DeadlineConnection:
    """Attaches the request's total deadline to the socket once connected (HTTP and HTTPS)."""

    def __init__(self, *args, deadline: _Deadline | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()
        if self._deadline is not None:
            self._deadline.attach(self.sock)


class _HTTPConnection(_DeadlineConnection, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnection, http.client.HTTPSConnection):
    pass


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):  # noqa: D102
        deadline = getattr(req, "deadline", None)
        return self.do_open(lambda *a, **k: _HTTPConnection(*a, deadline=deadline, **k), req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):  # noqa: D102
        deadline = getattr(req, "deadline", None)
        return self.do_open(lambda *a, **k: _HTTPSConnection(*a, deadline=deadline, **k), req,
                            context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand every 3xx back to the caller, which checks the target before following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


def normalize_url(url: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL without fragment, non-ASCII percent-encoded (UTF-8), host
    lower-cased and default port dropped; None for mailto:, javascript: and the like."""
    url = re.sub(r"[\t\r\n]", "", url or "").strip()
    if not url or url.startswith("#"):
        return None
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    query = quote(parts.query, safe="=&%/:?@!$'()*+,;~-._[]")
    return urlunsplit((scheme, host, path, query, ""))


@dataclass
class _Robots:
    parser: RobotFileParser
    note: str = ""  # why everything is allowed or disallowed, when it is
    crawl_delay: float = 0.0


class Fetcher:
    """Polite fetching for one crawl, safe to share between threads: one request at a time
    per host. ``delay`` (when not None) replaces the portals' configured per-host delays; a
    robots.txt Crawl-delay still applies on top. ``deadline`` bounds each response's total
    time (connection, headers, body)."""

    def __init__(self, *, delay: float | None = None, timeout: float = 10.0, retries: int = 3,
                 backoff: float = 0.5, max_bytes: int = 50 * 2**20, deadline: float = 300.0,
                 sleep=time.sleep, clock=time.monotonic) -> None:
        self.delay, self.timeout, self.retries = delay, timeout, max(0, retries)
        self.backoff, self.max_bytes, self.deadline = backoff, max_bytes, deadline
        self._sleep, self._clock = sleep, clock
        self._opener = urllib.request.build_opener(_NoRedirect, _DeadlineHTTPHandler, _DeadlineHTTPSHandler)
        self._last: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        self._lock = threading.Lock()  # guards the dicts below and the counter
        self._host_locks: dict[str, threading.Lock] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self.requests = 0  # HTTP requests sent, robots.txt and retries included

    def _named_lock(self, table: dict[str, threading.Lock], name: str) -> threading.Lock:
        with self._lock:
            lock = table.get(name)
            if lock is None:
                lock = table[name] = threading.Lock()
            return lock

    # -- public -------------------------------------------------------------------------
    def fetch(self, url: str, portal: Portal, *, method: str = "GET", data: bytes | None = None,
              headers: dict[str, str] | None = None, referrer: str | None = None) -> Fetched:
        """GET/POST ``url`` for ``portal``, following allowed redirects."""
        return self._chain(url, portal, method=method, data=data, headers=headers or {},
                           referrer=referrer, check_robots=True)

    # -- the redirect chain ---------------------------------------------------------------
    def _chain(self, url: str, portal: Portal, *, method: str, data: bytes | None, headers: dict[str, str],
               referrer: str | None, check_robots: bool) -> Fetched:
        current, attempts, status = url, 0, None  # status: of the redirect that led here
        for hop in range(MAX_REDIRECTS + 1):
            netloc = urlsplit(current).netloc
            if not portal.allows(current):
                reason = f"redirect to non-allowed host {netloc}" if hop else f"host not allowed: {netloc}"
                return Fetched(url, current, "blocked", status, reason=reason, attempts=attempts)
            if check_robots:
                robots = self._robots_for(current, portal)
                if not robots.parser.can_fetch(portal.user_agent, current):
                    reason = "disallowed by robots.txt" + (f" ({robots.note})" if robots.note else "")
                    if hop:
                        reason += f" (redirect target {current})"
                    return Fetched(url, current, "blocked", status, reason=reason, attempts=attempts)
            result = self._with_retries(current, portal, method=method, data=data, headers=headers,
                                        referrer=referrer)
            attempts += result.attempts
            result.url, result.attempts = url, attempts
            location = result.headers.get("location")
            if result.status in REDIRECT_STATUSES and location:
                target = normalize_url(location, current)
                if target is None:
                    return Fetched(url, current, "error", result.status, result.headers,
                                   reason=f"HTTP {result.status} to an unusable Location {location!r}",
                                   attempts=attempts)
                log.debug("%s -> %s (%s)", current, target, result.status)
                if result.status == 303 or (result.status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                referrer, current, status = current, target, result.status
                continue
            return result
        return Fetched(url, current, "error", reason=f"more than {MAX_REDIRECTS} redirects", attempts=attempts)

    def _with_retries(self, url: str, portal: Portal, *, method: str, data: bytes | None,
                      headers: dict[str, str], referrer: str | None) -> Fetched:
        reason, last_status = "", None
        for attempt in range(self.retries + 1):
            wait = self.backoff * 2**attempt
            try:
                status, response_headers, body = self._once(url, portal, method, data, headers, referrer)
            except (_Oversize, _DeadlinePassed) as exc:
                return Fetched(url, url, "error", reason=str(exc), attempts=attempt + 1)
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                reason, last_status = _network_reason(exc), None
                log.debug("%s: %s (attempt %d)", url, reason, attempt + 1)
            else:
                if status in CHALLENGE_STATUSES:
                    return Fetched(url, url, "error", status, response_headers,
                                   reason=f"HTTP {status} {CHALLENGE_STATUSES[status]} (not attempted)",
                                   attempts=attempt + 1)
                if status >= 500:
                    reason, last_status = f"HTTP {status}", status
                    retry_after = _retry_after(response_headers.get("retry-after"))
                    if retry_after is not None:
                        wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
                    log.debug("%s: %s (attempt %d)", url, reason, attempt + 1)
                elif status == 304:
                    return Fetched(url, url, "not_modified", status, response_headers, attempts=attempt + 1)
                elif status >= 400:
                    return Fetched(url, url, "error", status, response_headers, reason=f"HTTP {status}",
                                   attempts=attempt + 1)
                elif status in REDIRECT_STATUSES and response_headers.get("location"):
                    return Fetched(url, url, "redirect", status, response_headers, attempts=attempt + 1)
                elif status >= 300:
                    return Fetched(url, url, "error", status, response_headers, reason=f"HTTP {status}",
                                   attempts=attempt + 1)
                else:
                    return Fetched(url, url, "ok", status, response_headers, body, attempts=attempt + 1)
            if attempt < self.retries:
                self._sleep(wait)
        return Fetched(url, url, "error", last_status, reason=f"{reason} after {self.retries + 1} attempts",
                       attempts=self.retries + 1)

    def _once(self, url: str, portal: Portal, method: str, data: bytes | None, headers: dict[str, str],
              referrer: str | None) -> tuple[int, dict[str, str], bytes | None]:
        netloc = urlsplit(url).netloc
        with self._named_lock(self._host_locks, netloc):  # one request at a time per host
            self._throttle(url, portal)
            try:
                return self._request(url, portal, method, data, headers, referrer)
            finally:
                with self._lock:
                    self._last[netloc] = self._clock()

    def _request(self, url: str, portal: Portal, method: str, data: bytes | None, headers: dict[str, str],
                 referrer: str | None) -> tuple[int, dict[str, str], bytes | None]:
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("User-Agent", portal.user_agent)
        request.add_header("Accept", "*/*")
        request.add_header("Accept-Encoding", "gzip")
        if referrer:
            request.add_header("Referer", referrer)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        for name, value in headers.items():
            request.add_header(name, value)
        with self._lock:
            self.requests += 1
        log.debug("%s %s", method, url)
        deadline = _Deadline(self.deadline)
        request.deadline = deadline
        try:
            with deadline:
                try:
                    response = self._opener.open(request, timeout=self.timeout)
                except urllib.error.HTTPError as exc:  # 3xx (not followed), 304, 4xx, 5xx
                    response = exc
                with response:
                    status = response.status if getattr(response, "status", None) else response.code
                    response_headers = {k.lower(): v for k, v in response.headers.items()}
                    body = self._read(response, response_headers, deadline) if 200 <= status < 300 else None
            if deadline.expired:
                raise _DeadlinePassed(f"deadline: the response took longer than {self.deadline:g} s")
            return status, response_headers, body
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if deadline.expired:
                raise _DeadlinePassed(f"deadline: the response took longer than {self.deadline:g} s") from None
            if isinstance(exc, urllib.error.URLError):  # connection refused, DNS, timeout while connecting
                if isinstance(exc.reason, OSError):
                    raise exc.reason from exc
                raise OSError(str(exc.reason)) from exc
            raise

    def _read(self, response, headers: dict[str, str], deadline: _Deadline | None = None) -> bytes:
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            raise _Oversize(f"too large: Content-Length {int(length)} > max_bytes {self.max_bytes}")
        chunks, total = [], 0
        while True:
            chunk = response.read1(_CHUNK)  # returns what one read brought: the deadline is checked often
            if deadline is not None and deadline.expired:
                raise _DeadlinePassed(f"deadline: the response took longer than {deadline.seconds:g} s")
            if not chunk:
                break
            total += len(chunk)
            if total > self.max_bytes:
                raise _Oversize(f"too large: more than max_bytes {self.max_bytes} bytes")
            chunks.append(chunk)
        body = b"".join(chunks)
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            body = self._inflate(body, encoding)
        return body

    def _inflate(self, body: bytes, encoding: str) -> bytes:
        wbits = 16 + zlib.MAX_WBITS if encoding != "deflate" else zlib.MAX_WBITS
        try:
            inflater = zlib.decompressobj(wbits)
            out = inflater.decompress(body, self.max_bytes + 1)
        except zlib.error:
            if encoding != "deflate":
                raise OSError("corrupt gzip body") from None
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            out = inflater.decompress(body, self.max_bytes + 1)
        if len(out) > self.max_bytes or inflater.unconsumed_tail:
            raise _Oversize(f"too large: more than max_bytes {self.max_bytes} bytes decompressed")
        return out

    def _throttle(self, url: str, portal: Portal) -> None:
        netloc = urlsplit(url).netloc
        delay = self.delay if self.delay is not None else portal.delay_for(url)
        with self._lock:
            robots = self._robots.get(_origin(url))
            last = self._last.get(netloc)
        if robots is not None:
            delay = max(delay, robots.crawl_delay)
        if last is not None and delay > 0:
            wait = last + delay - self._clock()
            if wait > 0:
                self._sleep(wait)

    # -- robots.txt -------------------------------------------------------------------------
    def _robots_for(self, url: str, portal: Portal) -> _Robots:
        origin = _origin(url)
        with self._named_lock(self._robots_locks, origin):  # read once, whichever thread asks first
            with self._lock:
                cached = self._robots.get(origin)
            if cached is not None:
                return cached
            robots = self._read_robots(origin, portal)
            with self._lock:
                self._robots[origin] = robots
            return robots

    def _read_robots(self, origin: str, portal: Portal) -> _Robots:
        parser = RobotFileParser(origin + "/robots.txt")
        result = self._chain(origin + "/robots.txt", portal, method="GET", data=None, headers={},
                             referrer=None, check_robots=False)
        note = ""
        if result.outcome == "ok":
            parser.parse((result.body or b"").decode("utf-8", errors="replace").splitlines())
        elif result.status in (401, 403):
            parser.disallow_all, note = True, f"robots.txt answered {result.status}: everything disallowed"
        elif result.status is not None and 400 <= result.status < 500 and result.status not in CHALLENGE_STATUSES:
            parser.allow_all = True
        elif result.outcome == "blocked":
            parser.allow_all, note = True, f"robots.txt {result.reason}: treated as absent"
        else:
            parser.disallow_all = True
            note = f"robots.txt unreachable ({result.reason}): everything disallowed this crawl"
        parser.modified()  # mark as read, so can_fetch answers from what we set
        crawl_delay = 0.0
        try:
            crawl_delay = float(parser.crawl_delay(portal.user_agent) or 0.0)
        except (TypeError, ValueError):
            pass
        if crawl_delay > MAX_CRAWL_DELAY:
            log.warning("%s: robots.txt Crawl-delay %s s, using %s s", origin, crawl_delay, MAX_CRAWL_DELAY)
            crawl_delay = MAX_CRAWL_DELAY
        robots = _Robots(parser, note, crawl_delay)
        if note:
            log.warning("%s: %s", origin, note)
        return robots


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _network_reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "timeout"
    return f"connection error ({type(exc).__name__}: {exc})" if str(exc) else f"connection error ({type(exc).__name__})"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime
        from datetime import datetime, timezone

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None

