"""The staging area between extraction and the warehouse: outcomes as JSON Lines files per batch.

Extraction (local processes or a Dask cluster) streams :class:`gongkai.batch.FileOutcome`
objects; :func:`stage_outcomes` writes them to ``<folder>/batch-00001.jsonl``, … — one line
per file: its path, sha256, size, error or reports (contract JSON with provenance) — and
finishes with ``manifest.json`` (the batch files and their counts), written last so that a
folder without it is an interrupted extraction. The single DuckDB writer then loads one
batch file at a time with :func:`load_staged` (``gongkai.warehouse.load.load_outcomes``
per batch), so neither side ever holds more than one batch. Between the two, only the
folder's path and counts travel (the Dagster graph passes exactly that).

A batch closes at ``batch_files`` files or ``batch_bytes`` of JSON, whichever comes first.
Files are written to ``*.tmp`` and renamed, so a reader never sees half a batch.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gongkai.batch import FileOutcome

MANIFEST = "manifest.json"
BATCH_FILES = 256
BATCH_BYTES = 64 << 20


@dataclass(slots=True)
class StagedRun:
    """What one extraction left in the staging area: paths and counts, never reports."""

    folder: str
    batches: list[str] = field(default_factory=list)
    files: int = 0
    reports: int = 0
    failed: int = 0
    already_loaded: int = 0
    batch_counts: list[dict[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def outcome_line(outcome: FileOutcome) -> str:
    """One outcome as one JSON line (contract reports kept as extracted, with provenance)."""
    return json.dumps({
        "path": outcome.path, "sha256": outcome.sha256, "size_bytes": outcome.size_bytes,
        "error": outcome.error, "already_loaded": outcome.already_loaded, "reports": outcome.reports,
    }, ensure_ascii=False)


def outcome_from_line(line: str) -> FileOutcome:
    row = json.loads(line)
    return FileOutcome(row["path"], row["sha256"], int(row["size_bytes"]), reports=row["reports"],
                       error=row["error"], already_loaded=bool(row["already_loaded"]))


def stage_outcomes(outcomes: Iterable[FileOutcome], folder: str | os.PathLike, *,
                   batch_files: int = BATCH_FILES, batch_bytes: int = BATCH_BYTES,
                   on_outcome: Callable[[FileOutcome], None] | None = None) -> StagedRun:
    """Write ``outcomes`` as batch files under ``folder`` (created; must not hold a run yet)."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    if (root / MANIFEST).exists():
        raise FileExistsError(f"{root} already holds a staged run")
    run = StagedRun(folder=str(root))
    handle, tmp, counts, written = None, None, {}, 0

    def close() -> None:
        nonlocal handle, tmp, written
        if handle is None:
            return
        handle.close()
        final = tmp.with_suffix("")  # batch-00001.jsonl.tmp -> batch-00001.jsonl
        os.replace(tmp, final)
        run.batches.append(str(final))
        run.batch_counts.append(dict(counts))
        handle, tmp, written = None, None, 0

    try:
        for outcome in outcomes:
            if handle is None:
                tmp = root / f"batch-{len(run.batches) + 1:05d}.jsonl.tmp"
                handle = open(tmp, "w", encoding="utf-8")
                counts = {"files": 0, "reports": 0, "failed": 0}
            line = outcome_line(outcome) + "\n"
            handle.write(line)
            written += len(line)
            counts["files"] += 1
            counts["reports"] += len(outcome.reports)
            counts["failed"] += 0 if outcome.ok else 1
            run.files += 1
            run.reports += len(outcome.reports)
            run.failed += 0 if outcome.ok else 1
            run.already_loaded += 1 if outcome.already_loaded else 0
            if on_outcome:
                on_outcome(outcome)
            if counts["files"] >= batch_files or written >= batch_bytes:
                close()
        close()
    except BaseException:
        if handle is not None:
            handle.close()
            tmp.unlink(missing_ok=True)
        raise
    manifest = run.to_dict()
    manifest["batches"] = [os.path.basename(b) for b in run.batches]
    (root / f"{MANIFEST}.tmp").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(root / f"{MANIFEST}.tmp", root / MANIFEST)
    return run


def read_staged(folder: str | os.PathLike) -> StagedRun:
    """The staged run in ``folder`` from its manifest (FileNotFoundError when incomplete)."""
    root = Path(folder)
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    manifest["batches"] = [str(root / name) for name in manifest["batches"]]
    manifest["folder"] = str(root)
    return StagedRun(**manifest)


def read_batch(path: str | os.PathLike) -> Iterator[FileOutcome]:
    """The outcomes of one batch file, in the order they were staged."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield outcome_from_line(line)


def load_staged(con, batches: Iterable[str | os.PathLike], result=None):
    """Load staged batch files into the warehouse, one ``load_outcomes`` transaction per batch.

    Returns the ``IngestResult`` summed over the batches (``result`` if given).
    """
    from gongkai.warehouse.load import IngestResult, load_outcomes

    total = result if result is not None else IngestResult()
    for path in batches:
        outcomes = list(read_batch(path))
        if not outcomes:
            continue
        part = IngestResult()
        load_outcomes(con, outcomes, part)
        total.files_seen += len(outcomes)
        total.files_extracted += part.files_extracted
        total.files_same_content += part.files_same_content
        total.reports_loaded += part.reports_loaded
        total.reports_removed += part.reports_removed
        total.quarantined.extend(part.quarantined)
    return total


def prune_loaded(parent: str | os.PathLike, mark: str, keep: int = 5) -> list[str]:
    """Remove all but the ``keep`` most recently loaded run folders under ``parent`` (those
    holding the file ``mark``); runs not loaded yet are never touched."""
    root = Path(parent)
    if not root.is_dir():
        return []
    loaded = sorted((p for p in root.iterdir() if (p / mark).exists()), key=lambda p: (p / mark).stat().st_mtime)
    removed = []
    for old in loaded[:-keep] if keep else loaded:
        shutil.rmtree(old, ignore_errors=True)
        removed.append(str(old))
    return removed
