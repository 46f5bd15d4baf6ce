"""Regular expressions compiled on first use.

Compiling costs 0.1–2 ms a pattern (most of it for CJK character ranges, which ``re``
expands character by character); a one-file ``gongkai extract`` uses ~30 of the ~70
patterns its modules define. ``lazy(pattern, flags)`` stands in for ``re.compile``: the
first method call compiles, then the compiled pattern's bound methods sit in the
instance's ``__dict__``, so later calls cost what a compiled pattern's do.
"""

from __future__ import annotations

import re

_METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")


class LazyPattern:
    """A ``re.Pattern`` stand-in that compiles itself the first time it is used."""

    def __init__(self, pattern, flags: int = 0) -> None:
        self._source = (pattern, int(flags))

    def __getattr__(self, name: str):  # only reached before the first compile (or for rare attributes)
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(*self._source)
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
