"""What the crawler keeps under its out dir, all plain files:

    files/<host>/<sha256[:12]>-<name>   the documents, one file per distinct content
    superseded/<host>/...               earlier versions no URL serves any more
    manifest.jsonl                      one row per document URL per crawl run (appended)
    state.json                          per URL: ETag, Last-Modified, sha256, path ... (rewritten)
    documents.json                      the documents view: one entry per sha256 with its URLs
    runs.jsonl                          one summary line per crawl run (appended)

The same content reached through two URLs is stored once: both URLs get manifest rows and
state entries pointing at the same file, and ``documents.json`` lists one document with
both URLs. When a URL's content changes, the new version is stored and the old file is
moved to ``superseded/`` unless another URL still serves it, so ``files/`` always holds
exactly the current documents (the warehouse ingests that folder).
"""

from __future__ import annotations

import email.message
import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gongkai.readers.dispatch import sniff

STATE_VERSION = 1
MANIFEST_COLUMNS = (
    "run_id", "portal", "kind", "url", "final_url", "referrer", "title", "fetched_at", "http_status",
    "content_type", "encoding", "sha256", "path", "bytes", "etag", "last_modified", "outcome", "note",
)
HTML_EXTENSIONS = (".html", ".htm", ".shtml")
_CONTENT_TYPE_EXTENSIONS = {
    "application/pdf": ".pdf", "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/kswps": ".wps", "application/vnd.ms-works": ".wps", "application/wps-office.wps": ".wps",
}
_UNSAFE = re.compile(r"[^\w.\-]+")
_MAX_STEM = 60


def safe_name(name: str, default: str = "document") -> str:
    """A file name without directories, path tricks or odd characters: letters and digits
    (CJK included), ``.``, ``-``, ``_``; at most 60 characters before the extension."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", name)).strip("._-")
    stem, ext = os.path.splitext(name)
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,8}", ext or "."):
        stem, ext = name, ""
    stem = stem[:_MAX_STEM].strip("._-") or default
    return stem + ext.lower()


def safe_host(netloc: str) -> str:
    return safe_name(netloc.replace(":", "_"), default="host")


def disposition_filename(value: str | None) -> str | None:
    """The file name of a Content-Disposition header (RFC 6266 ``filename*`` too); raw
    UTF-8/GBK bytes (which reach us as Latin-1) and %-escapes are decoded."""
    if not value:
        return None
    message = email.message.Message()
    message["content-disposition"] = value
    name = message.get_filename()
    if not name:
        return None
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        raw = None
    if raw is not None and any(b > 127 for b in raw):
        for codec in ("utf-8", "gb18030"):
            try:
                name = raw.decode(codec)
                break
            except UnicodeDecodeError:
                continue
    return unquote(name) if "%" in name else name


def sniff_extension(body: bytes) -> str | None:
    """An extension from the first bytes (the readers' own sniffing): .pdf, .docx, .doc."""
    return {"pdf": ".pdf", "zip": ".docx", "ole": ".doc"}.get(sniff(body))


def looks_like_html(body: bytes) -> bool:
    return sniff(body) == "html" or body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(b"<script")


def file_name(url: str, kind: str, body: bytes, content_type: str | None, disposition: str | None) -> str:
    """The sanitised base name of a stored document, with an extension the readers know:
    HTML pages end in .html/.htm/.shtml; files get the extension of their name, or of
    their Content-Type, or of their first bytes."""
    name = disposition_filename(disposition) or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = safe_name(name, default="index" if kind == "report_page" else "document")
    ext = os.path.splitext(name)[1]
    if kind == "report_page":
        return name if ext in HTML_EXTENSIONS else name + ".html"
    from gongkai.crawl.portal import ATTACHMENT_EXTENSIONS

    if ext in ATTACHMENT_EXTENSIONS:
        return name
    guessed = _CONTENT_TYPE_EXTENSIONS.get(content_type or "") or sniff_extension(body)
    if guessed is None:
        from gongkai.crawl.portal import attachment_extension

        guessed = attachment_extension(url)
    return name + guessed if guessed else name


class Store:
    """The out dir: stored files, state per URL, the manifest and the documents view."""

    def __init__(self, out_dir: str | os.PathLike) -> None:
        self.root = Path(out_dir)
        self.files = self.root / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self.state_path = self.root / "state.json"
        self.manifest_path = self.root / "manifest.jsonl"
        self.documents_path = self.root / "documents.json"
        self.runs_path = self.root / "runs.jsonl"
        self.urls: dict[str, dict] = self._load_state()
        self._by_sha: dict[str, set[str]] = {}  # sha256 -> the URLs whose state has it
        self._files_by_prefix: dict[str, list[Path]] | None = None
        for url, entry in self.urls.items():
            if entry.get("sha256"):
                self._by_sha.setdefault(entry["sha256"], set()).add(url)

    # -- state ----------------------------------------------------------------------------------
    def _load_state(self) -> dict[str, dict]:
        if not self.state_path.exists():
            return {}
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RuntimeError(f"{self.state_path}: unreadable crawl state ({exc}); move it away to start afresh") from None
        return dict(data.get("urls", {}))

    def entry(self, url: str) -> dict | None:
        """The state of ``url`` when its stored file is still there."""
        entry = self.urls.get(url)
        if entry and entry.get("path") and (self.root / entry["path"]).is_file():
            return entry
        return None

    def conditional_headers(self, url: str) -> dict[str, str]:
        entry = self.entry(url)
        headers = {}
        if entry and entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry and entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return headers

    def path_for(self, sha256: str) -> str | None:
        """The stored file of this content, if some URL already brought it (or, with the
        state lost, if ``files/`` holds it)."""
        for url in sorted(self._by_sha.get(sha256, ())):
            entry = self.urls[url]
            if entry.get("path") and (self.root / entry["path"]).is_file():
                return entry["path"]
        for path in sorted(self._stored_files().get(sha256[:12], ())):
            if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
                return path.relative_to(self.root).as_posix()
        return None

    def _stored_files(self) -> dict[str, list[Path]]:
        """``files/*/<sha12>-*`` by sha12, read once per run (then kept up to date by `write`)."""
        if self._files_by_prefix is None:
            self._files_by_prefix = {}
            for path in self.files.glob("*/*"):
                if not path.name.startswith("."):
                    self._files_by_prefix.setdefault(path.name[:12], []).append(path)
        return self._files_by_prefix

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def write(self, url: str, body: bytes, sha256: str, name: str) -> str:
        """Store ``body`` as ``files/<host>/<sha[:12]>-<name>`` (atomically); the relative path."""
        folder = self.files / safe_host(urlsplit(url).netloc)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{sha256[:12]}-{name}"
        assert target.resolve().is_relative_to(self.files.resolve()), target
        temporary = target.with_name(f".{target.name}.part")
        temporary.write_bytes(body)
        os.replace(temporary, target)
        if self._files_by_prefix is not None:
            self._files_by_prefix.setdefault(sha256[:12], []).append(target)
        return target.relative_to(self.root).as_posix()

    def remember(self, url: str, values: dict) -> str | None:
        """Update the state of ``url``; returns the sha256 it had before when that changed."""
        before = self.urls.get(url, {}).get("sha256")
        self.urls[url] = {**self.urls.get(url, {}), **values}
        after = self.urls[url].get("sha256")
        if before and before != after:
            self._by_sha.get(before, set()).discard(url)
        if after:
            self._by_sha.setdefault(after, set()).add(url)
        return before if before and before != values.get("sha256") else None

    def supersede(self, sha256: str) -> str | None:
        """Move the file of an old version out of ``files/`` when no URL serves it any more."""
        if self._by_sha.get(sha256):
            return None
        for path in sorted(self.files.rglob(f"{sha256[:12]}-*")):
            target = self.root / "superseded" / path.relative_to(self.files)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            return target.relative_to(self.root).as_posix()
        return None

    def save(self) -> None:
        _write_json(self.state_path, {"version": STATE_VERSION, "urls": dict(sorted(self.urls.items()))})

    # -- manifest, runs, documents ------------------------------------------------------------
    def append_manifest(self, row: dict) -> None:
        with self.manifest_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({k: row.get(k) for k in MANIFEST_COLUMNS}, ensure_ascii=False) + "\n")

    def append_run(self, summary: dict) -> None:
        with self.runs_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(summary, ensure_ascii=False) + "\n")

    def documents(self) -> list[dict]:
        """The documents view: one entry per sha256 whose file is in ``files/``."""
        groups: dict[str, dict] = {}
        for url, entry in sorted(self.urls.items()):
            sha, path = entry.get("sha256"), entry.get("path")
            if not sha or not path or not (self.root / path).is_file():
                continue
            group = groups.setdefault(sha, {
                "sha256": sha, "path": path, "bytes": entry.get("bytes"), "content_type": entry.get("content_type"),
                "kind": entry.get("kind"), "title": entry.get("title"), "urls": [], "referrers": [], "portals": [],
                "first_fetched_at": None, "last_fetched_at": None, "_times": [],
            })
            group["urls"].append(url)
            group["title"] = group["title"] or entry.get("title")
            group["_times"] += [entry.get("first_fetched_at"), entry.get("fetched_at")]
            for key, value in (("referrers", entry.get("referrer")), ("portals", entry.get("portal"))):
                if value and value not in group[key]:
                    group[key].append(value)
        for group in groups.values():
            times = sorted(t for t in group.pop("_times") if t)
            group["first_fetched_at"], group["last_fetched_at"] = (times[0], times[-1]) if times else (None, None)
        return sorted(groups.values(), key=lambda g: g["path"])

    def write_documents(self) -> list[dict]:
        documents = self.documents()
        _write_json(self.documents_path, documents)
        return documents


def _write_json(path: Path, data) -> None:
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_manifest(out_dir: str | os.PathLike, run_id: str | None = None) -> list[dict]:
    """The manifest rows (of one run, when ``run_id`` is given)."""
    path = Path(out_dir) / "manifest.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if run_id is None or row.get("run_id") == run_id]


def read_documents(out_dir: str | os.PathLike) -> list[dict]:
    """The documents view written by the last crawl (one entry per sha256)."""
    path = Path(out_dir) / "documents.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
