"""A real HTTP server on 127.0.0.1 that plays a government portal for the crawler tests,
and the small real files (PDF, DOCX) it serves.

Every request is recorded (method, path, query, headers, body), so tests can assert what
the crawler asked for, and what it never asked for. Routes answer with fixed bodies and
validators (ETag and/or Last-Modified, honoured for conditional requests), a status, a
redirect, or a function; a route can fail with 500 or stall for its first N requests, or
trickle its answer one byte at a time (a hostile server). Each request's start and end
times (``time.monotonic``) are kept in ``timings``, to check the crawler's politeness.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import zipfile
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html"
    status: int = 200
    etag: bool = True
    last_modified: float | None = None  # epoch seconds; None: no Last-Modified header
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer 500 to the first N requests
    stall_first: int = 0  # sleep `stall` seconds before answering the first N requests
    stall: float = 0.0
    handler: object = None  # callable(Seen) -> (status, headers, body)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    trickle: float = 0.0  # > 0: send the body one byte every `trickle` seconds
    trickle_head: bool = False  # with trickle: the status line and headers too
    served: int = 0

    def set_body(self, body: bytes) -> None:
        self.body = body
        if self.last_modified is not None:
            self.last_modified += 3600


class MockSite:
    """Routes by path (query ignored unless a handler looks at it)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.timings: list[tuple[float, float, str]] = []  # (start, end, path) per answered request
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- building -------------------------------------------------------------------------
    def add(self, path: str, body: bytes | str = b"", **options) -> Route:
        if isinstance(body, str):
            body = body.encode("utf-8")
        route = Route(body=body, **options)
        self.routes[path] = route
        return route

    def redirect(self, path: str, location: str, status: int = 302) -> Route:
        return self.add(path, status=status, etag=False, headers={"Location": location})

    # -- asking -------------------------------------------------------------------------------
    def hits(self, path: str, method: str | None = None) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.timings.clear()

    # -- serving --------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.netloc}{path}"

    def start(self) -> "MockSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                site._answer(self)

            def do_POST(self) -> None:
                site._answer(self)

            def do_HEAD(self) -> None:
                site._answer(self, head=True)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:  # a client that gave up
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        started = time.monotonic()
        try:
            self._route(handler, head)
        finally:
            try:
                handler.wfile.flush()
            except OSError:
                pass
            ended = time.monotonic()
            with self._lock:
                self.timings.append((started, ended, urlsplit(handler.path).path))

    def _route(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        seen = Seen(handler.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in handler.headers.items()},
                    body)
        with self._lock:
            self.requests.append(seen)
            route = self.routes.get(parts.path)
            if route is not None:
                route.served += 1
                count = route.served
        if route is None:
            return self._send(handler, 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>", head)
        if count <= route.stall_first:
            time.sleep(route.stall)
        if count <= route.fail_first:
            return self._send(handler, 500, {"Content-Type": "text/html"}, b"<html><body>busy</body></html>", head)
        if route.handler is not None:
            status, headers, payload = route.handler(seen)
            return self._send(handler, status, headers, payload, head)
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.trickle > 0:
            return self._trickle(handler, route)
        if not route.send_length:
            headers["Content-Length"] = None
        if route.status != 200:
            return self._send(handler, route.status, headers, route.body, head)
        etag = f'"{hashlib.sha256(route.body).hexdigest()[:16]}"' if route.etag else None
        if etag:
            headers["ETag"] = etag
        if route.last_modified is not None:
            headers["Last-Modified"] = formatdate(route.last_modified, usegmt=True)
        if _not_modified(seen.headers, etag, route.last_modified):
            return self._send(handler, 304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"", head=True)
        return self._send(handler, 200, headers, route.body, head)

    @staticmethod
    def _trickle(handler: BaseHTTPRequestHandler, route: Route) -> None:
        """Answer 200 with ``route.body``, one byte every ``route.trickle`` seconds (the
        head too when ``trickle_head``); stops when the client hangs up."""
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {route.content_type}\r\n"
                f"Content-Length: {len(route.body)}\r\nConnection: close\r\n\r\n").encode("ascii")
        handler.close_connection = True
        try:
            if route.trickle_head:
                data = head + route.body
            else:
                handler.wfile.write(head)
                handler.wfile.flush()
                data = route.body
            for index in range(len(data)):
                handler.wfile.write(data[index:index + 1])
                handler.wfile.flush()
                time.sleep(route.trickle)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes, head: bool) -> None:
        try:
            handler.send_response(status)
            for name, value in headers.items():
                if value is not None:
                    handler.send_header(name, value)
            if "Content-Length" not in headers and status not in (204, 304):
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if not head and status not in (204, 304):
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _not_modified(headers: dict[str, str], etag: str | None, last_modified: float | None) -> bool:
    if "if-none-match" in headers:  # RFC 9110: If-None-Match wins over If-Modified-Since
        return etag is not None and etag in [t.strip() for t in headers["if-none-match"].split(",")]
    if "if-modified-since" in headers and last_modified is not None:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"]).timestamp()
        except (TypeError, ValueError):
            return False
        return int(last_modified) <= since
    return False


# -- small real documents --------------------------------------------------------------------------------
def minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` (ASCII) in Helvetica, with a correct xref."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text.replace('(', '[').replace(')', ']')}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def minimal_docx(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    """A valid .docx (WordprocessingML) with paragraphs and one table."""
    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    body = "".join(f"<w:p><w:r><w:t>{esc(p)}</w:t></w:r></w:p>" for p in paragraphs)
    body += "<w:tbl>" + "".join(
        "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{esc(c)}</w:t></w:r></w:p></w:tc>" for c in row) + "</w:tr>"
        for row in rows) + "</w:tbl>"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:body>{body}</w:body></w:document>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))  # fixed: same bytes every build
            archive.writestr(info, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return out.getvalue()
