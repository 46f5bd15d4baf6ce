"""``inspect`` loaded when first used, not when ``dataclasses`` imports it.

``dataclasses`` imports ``inspect`` at its top (which imports ``ast``, ``dis``, ``tokenize``,
``linecache``, ``enum``...: ~6 ms of CPU, a sixth of ``import gongkai.cli``) but reads it
only to write a docstring for a dataclass that has none (every dataclass gongkai defines has
one). :func:`defer_inspect` puts a stand-in module in ``sys.modules`` before ``dataclasses``
is imported: the first attribute read on it (PEP 562 ``__getattr__``) imports the real
``inspect``, puts it back in ``sys.modules`` and answers from it, so code that does use
``inspect`` sees no difference. (``importlib.util.LazyLoader`` cannot do this on Python 3.11:
the ``import`` statement itself reads the module's ``__spec__``, which loads it.)

Only the one-file ``gongkai extract`` start-up uses it (docs/benchmarks.md).
"""

from __future__ import annotations

import sys
import types

_NAME = "inspect"


class _Deferred(types.ModuleType):
    """Stands in for a module until an attribute of it is first read."""

    def __getattr__(self, attribute: str):
        real = _load()
        return getattr(real, attribute)


def _load() -> types.ModuleType:
    import importlib

    if isinstance(sys.modules.get(_NAME), _Deferred):
        del sys.modules[_NAME]
    return importlib.import_module(_NAME)


def defer_inspect() -> None:
    """Defer ``inspect`` (no-op when it is already imported)."""
    if _NAME in sys.modules:
        return
    import importlib.util

    spec = importlib.util.find_spec(_NAME)
    if spec is None:
        return
    stand_in = _Deferred(_NAME)
    stand_in.__spec__ = spec  # the import statement reads it: a real spec, not being initialised
    stand_in.__file__ = spec.origin
    sys.modules[_NAME] = stand_in


def deferred() -> bool:
    """True while ``inspect`` is still the stand-in (nothing has used it)."""
    return isinstance(sys.modules.get(_NAME), _Deferred)
