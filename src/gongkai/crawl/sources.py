"""The sources file: which portals to crawl, where their report column starts, which hosts
they may visit and how gently.

    defaults:                 # optional; applies to every portal
      delay: 0.5              # min seconds between two requests to one host
      max_pages: 50           # list pages (HTML or dataproxy answers) per portal
      user_agent: gongkai-crawler/0.1 (+contact)
      concurrency: 32         # portals crawled at once (run-wide; --concurrency overrides)
      recheck_days: 30        # re-ask a known document about every 30 days (0: every run)
      max_report_links: 1000  # report links taken from one list page
      max_documents: 2000     # documents fetched per portal per run
    portals:
      - name: 某某市人民政府
        list_url: http://www.example.gov.cn/col/col123/index.html   # or a list of URLs
        hosts:                # optional; default: the hosts of list_url
          - www.example.gov.cn
          - {host: file.example.gov.cn, delay: 2.0}
        delay: 1.0
        max_pages: 20
        dataproxy:            # optional; Hanweb lists are also discovered in the pages
          url: /module/web/jpage/dataproxy.jsp          # url/params: ask this list too
          params: {columnid: 123, unitid: 456, webid: 1}
          perpage: 20         # how every Hanweb list of the portal is asked
          batch: 60

A top-level list of portals (without ``defaults``/``portals``) is accepted too. Unknown
keys are errors, so a misspelt ``max_page`` does not silently fall back to the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

DEFAULT_DELAY = 0.5
DEFAULT_MAX_PAGES = 50
DEFAULT_CONCURRENCY = 32  # portals (so at most this many requests) in flight at once
DEFAULT_RECHECK_DAYS = 7.0  # re-ask a known document about once a week (0: every run)
DEFAULT_MAX_REPORT_LINKS = 1000  # report links taken from one list page (or data-proxy answer)
DEFAULT_MAX_DOCUMENTS = 2000  # documents (report pages + attachments) fetched per portal per run
DEFAULT_USER_AGENT = "gongkai-crawler/0.1 (government transparency report research; polite, honours robots.txt)"
DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"

_LIMIT_KEYS = {"recheck_days", "max_report_links", "max_documents"}
_PORTAL_KEYS = {"name", "list_url", "hosts", "delay", "max_pages", "dataproxy", "user_agent"} | _LIMIT_KEYS
_DEFAULT_KEYS = {"delay", "max_pages", "user_agent", "concurrency"} | _LIMIT_KEYS
_HOST_KEYS = {"host", "delay"}
_DATAPROXY_KEYS = {"url", "params", "method", "perpage", "batch"}


class SourcesError(ValueError):
    """The sources file cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class HostRule:
    """One host a portal may visit. ``*.example.gov.cn`` also allows every subdomain; a
    pattern with a port (``127.0.0.1:8080``) must match the port too."""

    pattern: str
    delay: float | None = None

    def matches(self, netloc: str) -> bool:
        netloc = netloc.lower()
        host, _, port = netloc.rpartition(":") if _has_port(netloc) else (netloc, "", "")
        pattern = self.pattern
        if _has_port(pattern):
            want_host, _, want_port = pattern.rpartition(":")
            if want_port != port:
                return False
        else:
            want_host = pattern
        if want_host.startswith("*."):
            suffix = want_host[1:]
            return host.endswith(suffix) or host == want_host[2:]
        return host == want_host


@dataclass(frozen=True)
class Dataproxy:
    """A Hanweb ``dataproxy.jsp`` list: POSTed form ``params`` and, in the query string,
    ``startrecord``/``endrecord``/``perpage``; ``batch`` records are asked for at a time.
    In a sources file, a ``dataproxy`` without ``url`` and ``params`` (``url == ""``) only
    sets method/perpage/batch for the Hanweb lists discovered in the portal's pages."""

    url: str
    params: dict[str, str] = field(default_factory=dict)
    method: str = "POST"
    perpage: int = 20
    batch: int = 60


@dataclass(frozen=True)
class Portal:
    name: str
    list_urls: tuple[str, ...]
    hosts: tuple[HostRule, ...]
    delay: float = DEFAULT_DELAY
    max_pages: int = DEFAULT_MAX_PAGES
    dataproxy: Dataproxy | None = None
    user_agent: str = DEFAULT_USER_AGENT
    recheck_days: float = DEFAULT_RECHECK_DAYS
    max_report_links: int = DEFAULT_MAX_REPORT_LINKS
    max_documents: int = DEFAULT_MAX_DOCUMENTS

    @property
    def list_url(self) -> str:
        return self.list_urls[0]

    def allows(self, url: str) -> bool:
        """True when ``url`` is http(s) on one of the portal's hosts."""
        return self.rule_for(url) is not None

    def rule_for(self, url: str) -> HostRule | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return next((rule for rule in self.hosts if rule.matches(parts.netloc)), None)

    def delay_for(self, url: str) -> float:
        rule = self.rule_for(url)
        return rule.delay if rule is not None and rule.delay is not None else self.delay


class Sources(list):
    """The portals of a sources file (a list of `Portal`) and the run-wide settings of its
    ``defaults`` (``concurrency``)."""

    def __init__(self, portals=(), concurrency: int | None = None) -> None:
        super().__init__(portals)
        self.concurrency = concurrency


def load_sources(path: str | os.PathLike) -> Sources:
    """The portals of a YAML sources file; raises `SourcesError` with a readable message."""
    import yaml

    where = os.fspath(path)
    try:
        with open(where, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise SourcesError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{where}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise SourcesError(f"{where}: not valid YAML: {detail}") from None
    return parse_sources(data, where)


def parse_sources(data: object, where: str = "sources") -> Sources:
    """Portals from already-parsed YAML (a mapping with ``portals`` or a list)."""
    defaults: dict = {}
    if isinstance(data, dict):
        unknown = set(data) - {"defaults", "portals"}
        if unknown:
            raise SourcesError(f"{where}: unknown top-level key(s) {_names(unknown)}; expected 'defaults' and 'portals'")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise SourcesError(f"{where}: 'defaults' must be a mapping")
        _check_keys(defaults, _DEFAULT_KEYS, f"{where}: defaults")
        data = data.get("portals")
    if not isinstance(data, list) or not data:
        raise SourcesError(f"{where}: expected a non-empty list of portals (under 'portals:')")
    portals, names = [], set()
    for index, entry in enumerate(data, start=1):
        portal = _portal(entry, defaults, f"{where}: portal {index}")
        if portal.name in names:
            raise SourcesError(f"{where}: portal {index}: duplicate name {portal.name!r}")
        names.add(portal.name)
        portals.append(portal)
    concurrency = defaults.get("concurrency")
    if concurrency is not None and (not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1):
        raise SourcesError(f"{where}: defaults: 'concurrency' must be a whole number of at least 1")
    return Sources(portals, concurrency)


def _portal(entry: object, defaults: dict, where: str) -> Portal:
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: expected a mapping with 'name' and 'list_url'")
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{where} ({name.strip()})"
    _check_keys(entry, _PORTAL_KEYS, where)
    for key in ("name", "list_url"):
        if key not in entry or entry[key] in (None, "", []):
            raise SourcesError(f"{where}: missing key {key!r}")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: 'name' must be a non-empty string")
    raw_urls = entry["list_url"]
    raw_urls = [raw_urls] if isinstance(raw_urls, str) else raw_urls
    if not isinstance(raw_urls, list) or not all(isinstance(u, str) for u in raw_urls):
        raise SourcesError(f"{where}: 'list_url' must be a URL or a list of URLs")
    list_urls = []
    for url in raw_urls:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SourcesError(f"{where}: list_url {url!r} is not an http(s) URL")
        list_urls.append(url.strip())
    hosts = _hosts(entry.get("hosts"), list_urls, where)
    delay = _number(entry.get("delay", defaults.get("delay", DEFAULT_DELAY)), "delay", where)
    max_pages = entry.get("max_pages", defaults.get("max_pages", DEFAULT_MAX_PAGES))
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
        raise SourcesError(f"{where}: 'max_pages' must be a whole number of at least 1")
    user_agent = entry.get("user_agent", defaults.get("user_agent", DEFAULT_USER_AGENT))
    if not isinstance(user_agent, str) or not user_agent.strip():
        raise SourcesError(f"{where}: 'user_agent' must be a non-empty string")
    recheck_days = _number(entry.get("recheck_days", defaults.get("recheck_days", DEFAULT_RECHECK_DAYS)),
                           "recheck_days", where, unit="days")
    limits = {}
    for key, default in (("max_report_links", DEFAULT_MAX_REPORT_LINKS), ("max_documents", DEFAULT_MAX_DOCUMENTS)):
        value = entry.get(key, defaults.get(key, default))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SourcesError(f"{where}: {key!r} must be a whole number of at least 1")
        limits[key] = value
    portal = Portal(name=name.strip(), list_urls=tuple(list_urls), hosts=hosts, delay=delay,
                    max_pages=max_pages, dataproxy=None, user_agent=user_agent.strip(),
                    recheck_days=recheck_days, **limits)
    for url in list_urls:
        if not portal.allows(url):
            raise SourcesError(f"{where}: list_url {url!r} is not on one of the portal's hosts")
    if entry.get("dataproxy") is not None:
        proxy = _dataproxy(entry["dataproxy"], list_urls[0], where)
        if proxy.url and not portal.allows(proxy.url):
            raise SourcesError(f"{where}: dataproxy url {proxy.url!r} is not on one of the portal's hosts")
        portal = replace(portal, dataproxy=proxy)
    return portal


def _hosts(raw: object, list_urls: list[str], where: str) -> tuple[HostRule, ...]:
    if raw is None:
        return tuple(dict.fromkeys(HostRule(urlsplit(u).netloc.lower()) for u in list_urls))
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise SourcesError(f"{where}: 'hosts' must be a non-empty list of host names")
    rules = []
    for item in raw:
        delay = None
        if isinstance(item, dict):
            _check_keys(item, _HOST_KEYS, f"{where}: hosts")
            if "delay" in item:
                delay = _number(item["delay"], "delay", f"{where}: host {item.get('host')!r}")
            item = item.get("host")
        if not isinstance(item, str) or not item.strip():
            raise SourcesError(f"{where}: every entry of 'hosts' needs a host name")
        pattern = item.strip().lower()
        if "://" in pattern:  # tolerate a pasted URL: keep its host[:port]
            pattern = urlsplit(pattern).netloc
        if "/" in pattern or not pattern:
            raise SourcesError(f"{where}: host {item!r} must be a host name such as www.example.gov.cn")
        rules.append(HostRule(pattern, delay))
    return tuple(rules)


def _dataproxy(raw: object, base: str, where: str) -> Dataproxy:
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        raise SourcesError(f"{where}: 'dataproxy' must be a mapping (url, params, method, perpage, batch)")
    _check_keys(raw, _DATAPROXY_KEYS, f"{where}: dataproxy")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise SourcesError(f"{where}: dataproxy 'params' must be a mapping")
    method = str(raw.get("method", "POST")).upper()
    if method not in ("GET", "POST"):
        raise SourcesError(f"{where}: dataproxy 'method' must be GET or POST")
    numbers = {}
    for key, default in (("perpage", 20), ("batch", 60)):
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SourcesError(f"{where}: dataproxy {key!r} must be a whole number of at least 1")
        numbers[key] = value
    explicit = bool(raw.get("url") or params)
    return Dataproxy(url=urljoin(base, str(raw.get("url") or DATAPROXY_PATH)) if explicit else "",
                     params={str(k): "" if v is None else str(v) for k, v in params.items()},
                     method=method, **numbers)


def _number(value: object, key: str, where: str, unit: str = "seconds") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SourcesError(f"{where}: {key!r} must be a number of {unit}, 0 or more")
    return float(value)


def _check_keys(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = set(map(str, mapping)) - allowed
    if unknown:
        raise SourcesError(f"{where}: unknown key(s) {_names(unknown)}; allowed: {_names(allowed)}")


def _names(keys: set[str]) -> str:
    return ", ".join(repr(k) for k in sorted(keys))


def _has_port(netloc: str) -> bool:
    if netloc.startswith("["):  # IPv6 literal
        return "]:" in netloc
    return netloc.count(":") == 1
