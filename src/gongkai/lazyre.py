"""Regular expressions compiled on first use, from a code cache written at install.

Compiling costs 0.1–2 ms a pattern in pure Python (most of it for CJK character ranges,
which ``re`` expands character by character); a one-file ``gongkai extract`` uses ~30 of
the ~70 patterns its modules define. Two things keep that off every process's start-up:

* ``lazy(pattern, flags)`` stands in for ``re.compile``: the first method call compiles,
  then the compiled pattern's bound methods sit in the instance's ``__dict__``, so later
  calls cost what a compiled pattern's do;
* ``build_cache()`` (run by ``scripts/setup.sh``) stores, for every lazy pattern, the
  compiled program ``re`` hands to ``_sre.compile``; a first use then skips parsing and
  compiling (~10 µs instead of ~0.3 ms). The file is per Python version and ``_sre.MAGIC``
  and keyed by (pattern, flags): an edited pattern is simply not found and compiled the
  ordinary way; a missing or unreadable file likewise. The result is the same
  ``re.Pattern`` (patterns compare equal by their program; see tests/test_lazyre.py).
"""

from __future__ import annotations

import os
import re
import sys

_METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")
_REGISTRY: list[LazyPattern] = []
_CODES: list = []  # [the loaded cache dict] once read (an empty dict when there is none)


class LazyPattern:
    """A ``re.Pattern`` stand-in that compiles itself the first time it is used."""

    def __init__(self, pattern, flags: int = 0) -> None:
        self._source = (pattern, int(flags))
        _REGISTRY.append(self)

    def __getattr__(self, name: str):  # only reached before the first compile (or for rare attributes)
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = _compile(*self._source)
        self.__dict__["compiled"] = compiled
        for method in _METHODS:
            self.__dict__[method] = getattr(compiled, method)
        return getattr(compiled, name)

    @property
    def pattern(self):
        """The source pattern (without compiling)."""
        return self._source[0]

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r}, {self._source[1]!r})"


def lazy(pattern, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, deferred until the pattern is first used."""
    return LazyPattern(pattern, flags)


def cache_file() -> str:
    """Where the compiled programs live: beside the package (``$GONGKAI_CACHE_DIR`` overrides)."""
    import _sre

    folder = os.environ.get("GONGKAI_CACHE_DIR") or os.path.join(os.path.dirname(__file__), "_cache")
    return os.path.join(folder, f"regex-{sys.version_info[0]}.{sys.version_info[1]}-{_sre.MAGIC}.marshal")


def _codes() -> dict:
    if not _CODES:
        import marshal

        try:
            with open(cache_file(), "rb") as f:
                payload = marshal.load(f)
            codes = payload["codes"] if payload.get("version") == sys.version else {}
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            codes = {}
        _CODES.append(codes if isinstance(codes, dict) else {})
    return _CODES[0]


def _program(pattern, flags: int) -> tuple:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` after the pattern itself."""
    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def _compile(pattern, flags: int) -> re.Pattern:
    entry = _codes().get((pattern, flags))
    if entry is not None:
        try:
            import _sre

            return _sre.compile(pattern, *entry)
        except Exception:  # noqa: BLE001 - a bad entry costs only the ordinary compile
            pass
    return re.compile(pattern, flags)


def build_cache(modules: tuple[str, ...] = (
    "gongkai.extract", "gongkai.readers.html", "gongkai.readers.text", "gongkai.readers.pdf",
    "gongkai.readers.pdfium", "gongkai.gazetteer",
)) -> str | None:
    """Import the extraction modules and write the compiled program of each of their lazy
    patterns (atomically); the file's path, or None when it cannot be written."""
    import importlib
    import marshal

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    codes = {}
    for lazy_pattern in _REGISTRY:
        pattern, flags = lazy_pattern._source
        try:
            codes[(pattern, flags)] = _program(pattern, flags)
        except Exception:  # noqa: BLE001 - left to the ordinary compile
            continue
    path = cache_file()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            marshal.dump({"version": sys.version, "codes": codes}, f)
        os.replace(tmp, path)
    except OSError:
        return None
    _CODES.clear()
    return path
