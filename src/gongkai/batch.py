"""Many files in, one outcome per file out: discovery, hashing, and extraction on all cores.

Pure Python (no Dagster, no database): the loader, the CLI and the assets share it.
Each file is read once; its bytes are hashed and handed to the extractor.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai.readers.base import ExtractionError

# below this many files a process pool costs more than it saves
_PARALLEL_MIN_FILES = 8


@dataclass(slots=True)
class FileOutcome:
    """What one file gave: its reports, or the one-line reason it gave none."""

    path: str
    sha256: str
    size_bytes: int
    reports: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    already_loaded: bool = False  # content the warehouse has from another path: not extracted

    @property
    def ok(self) -> bool:
        return self.error is None


def discover(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Files named, and every file under folders named (hidden files skipped), sorted, unique."""
    found: dict[str, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    found[str(child)] = None
        else:
            found[str(path)] = None  # a missing file becomes a failed outcome, not a crash
    return list(found)


def file_digest(path: str) -> tuple[str, int] | None:
    """sha256 and size of a file, or None when it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return None
    return digest.hexdigest(), size


def extract_one(path: str) -> FileOutcome:
    """Read, hash and extract one file; never raises for bad input."""
    from gongkai.extract import extract_file

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return FileOutcome(path, "", 0, error=f"cannot read file ({exc.strerror or exc})")
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        reports = extract_file(path, data=data, with_provenance=True)
    except ExtractionError as exc:
        return FileOutcome(path, sha256, len(data), error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        return FileOutcome(path, sha256, len(data), error=f"unexpected error ({type(exc).__name__}: {exc})")
    return FileOutcome(path, sha256, len(data), reports=reports)


def extract_many(paths: list[str], *, workers: int | None = None,
                 progress: Callable[[FileOutcome], None] | None = None,
                 cluster: str | None = None) -> Iterator[FileOutcome]:
    """Outcomes for ``paths`` in order, extracting on ``workers`` processes (default: all cores).

    With ``cluster`` (or $GONGKAI_DASK_SCHEDULER), a dask.distributed scheduler address,
    extraction runs on that cluster instead and outcomes come in completion order
    (see gongkai.distributed).
    """
    cluster = cluster or os.environ.get("GONGKAI_DASK_SCHEDULER")
    if cluster:
        from gongkai.distributed import extract_on_cluster

        yield from extract_on_cluster(paths, cluster, progress=progress)
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(paths) < _PARALLEL_MIN_FILES:
        for path in paths:
            outcome = extract_one(path)
            if progress:
                progress(outcome)
            yield outcome
        return
    chunk = max(1, min(64, len(paths) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(extract_one, paths, chunksize=chunk):
            if progress:
                progress(outcome)
            yield outcome
