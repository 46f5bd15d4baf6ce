"""Extraction on an existing dask.distributed cluster: ``gongkai ingest --cluster tcp://HOST:PORT``.

The driver (the CLI or a Dagster run) submits one task per file to the scheduler and gets
back one :class:`gongkai.batch.FileOutcome` per file, exactly what
:func:`gongkai.batch.extract_many` yields locally, so the loader and the staging area do
not care where extraction ran.

* **Where files come from.** A task receives the file's path, not its bytes. A plain path
  must be readable by the workers at the same path (a shared file system: NFS, CephFS,
  a bind-mounted volume). A URL (``s3://…``, ``gs://…``, ``http(s)://…``, ``file://…``) is
  opened on the worker with fsspec; the worker needs the fsspec backend for its scheme
  (s3fs, gcsfs, aiohttp for http) and credentials of its own.
* **The gazetteer loads once per worker**: :class:`GazetteerPlugin` is registered on the
  cluster and builds the place index in every worker process when it starts (and in
  workers that join later), so no task pays the load.
* **Bounded memory on the driver**: at most ``max_in_flight`` files are submitted at a
  time; each outcome is yielded as soon as its task finishes (``as_completed``) and the
  next task is submitted. The driver never holds more than ``max_in_flight`` outcomes.
  Outcomes arrive in completion order, not in the order of ``paths``.
* **Failures never stop the run**: a file whose task kills its worker (``KilledWorker``:
  a crash, the OOM killer, ``os._exit`` in a native library) or raises becomes a failed
  outcome with a one-line reason, which the loader puts in quarantine. Files sharing the
  task or the dying worker are retried alone first (see :func:`extract_on_cluster`), so
  only the culprit is quarantined.
* **Small tasks are batched**: a task extracts ``files_per_task`` files (default 4), which
  amortizes the scheduler's per-task cost over small text and HTML files.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import count, islice
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from gongkai.batch import FileOutcome, extract_one, file_digest

PLUGIN_NAME = "gongkai-gazetteer"
ENV_SCHEDULER = "GONGKAI_DASK_SCHEDULER"
# local schemes read with open(); anything else with "://" goes through fsspec
_URL_MARK = "://"

# set in each worker process by GazetteerPlugin.setup
_WORKER_STATE: dict[str, Any] = {}


class ClusterError(RuntimeError):
    """The scheduler cannot be reached or refuses the work (one line, for the CLI)."""


def is_url(path: str) -> bool:
    return _URL_MARK in path


def extract_path(path: str) -> FileOutcome:
    """The worker's task: read ``path`` (local path or fsspec URL), hash and extract it.

    Never raises for bad input: like :func:`gongkai.batch.extract_one`, a bad file gives a
    failed outcome with its reason.
    """
    if not is_url(path):
        return extract_one(path)
    import hashlib

    import fsspec

    from gongkai.extract import extract_file
    from gongkai.readers.base import ExtractionError

    try:
        with fsspec.open(path, "rb") as handle:
            data = handle.read()
    except Exception as exc:  # noqa: BLE001 - missing backend, no such key, network: one line
        return FileOutcome(path, "", 0, error=f"cannot read file ({type(exc).__name__}: {exc})")
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        reports = extract_file(path, data=data, with_provenance=True)
    except ExtractionError as exc:
        return FileOutcome(path, sha256, len(data), error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        return FileOutcome(path, sha256, len(data), error=f"unexpected error ({type(exc).__name__}: {exc})")
    return FileOutcome(path, sha256, len(data), reports=reports)


class GazetteerPlugin(WorkerPlugin):
    """Loads the gazetteer index once in every worker process (and in workers that join later)."""

    name = PLUGIN_NAME

    def setup(self, worker) -> None:  # noqa: D401 - dask's hook
        warm_worker()


def warm_worker() -> dict[str, Any]:
    """Build the gazetteer index in this process (a no-op after the first call); its cost."""
    if "gazetteer_cpu_seconds" not in _WORKER_STATE:
        from gongkai.gazetteer.index import load

        cpu, wall = time.process_time(), time.perf_counter()
        load()
        _WORKER_STATE.update(gazetteer_cpu_seconds=time.process_time() - cpu,
                             gazetteer_wall_seconds=time.perf_counter() - wall, pid=os.getpid())
    return dict(_WORKER_STATE)


def worker_state() -> dict[str, Any]:
    """What :func:`warm_worker` recorded in this worker (for ``client.run``)."""
    return dict(_WORKER_STATE)


def connect(scheduler, *, timeout: float = 5.0):
    """A ``distributed.Client`` for ``scheduler`` (an address, a Client, or a cluster object)
    with :class:`GazetteerPlugin` registered; ClusterError when it cannot be reached."""
    from distributed import Client

    if isinstance(scheduler, Client):
        client, owned = scheduler, False
    else:
        try:
            client, owned = Client(scheduler, timeout=timeout, set_as_default=False), True
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc})") from None
    try:
        client.register_plugin(GazetteerPlugin(), name=PLUGIN_NAME)
    except Exception as exc:  # noqa: BLE001 - e.g. workers without gongkai installed
        if owned:
            client.close()
        raise ClusterError(f"the Dask workers at {scheduler} cannot run gongkai ({type(exc).__name__}: {exc})") from None
    return client, owned


def _failed(path: str, reason: str) -> FileOutcome:
    """A failed outcome for a file whose task never returned (hash taken here when readable)."""
    digest = None if is_url(path) else file_digest(path)
    sha256, size = digest if digest else ("", 0)
    return FileOutcome(path, sha256, size, error=reason)


def _reason(exc: BaseException) -> str:
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return "the worker extracting this file died (KilledWorker: crash, out of memory or killed)"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"extraction task failed on the cluster ({type(exc).__name__}: {text})"


def run_chunk(task: Callable[[str], FileOutcome], paths: list[str]) -> list[FileOutcome]:
    """One cluster task: ``task`` over a few files (amortizes the per-task cost of small files)."""
    return [task(path) for path in paths]


def extract_on_cluster(paths: Iterable[str], scheduler, *, progress: Callable[[FileOutcome], None] | None = None,
                       max_in_flight: int | None = None, files_per_task: int = 4,
                       task: Callable[[str], FileOutcome] = extract_path) -> Iterator[FileOutcome]:
    """Outcomes for ``paths`` extracted on the cluster at ``scheduler``, in completion order.

    Files go out in tasks of ``files_per_task``; ``max_in_flight`` bounds the files
    submitted and not yet yielded (default: eight per worker thread, at least 16).

    When a task fails (its worker died, or it raised), its files become suspects: no new
    work is submitted until the tasks in flight finish, then each suspect runs alone on
    the cluster. A suspect that fails alone is the culprit and goes to quarantine with the
    reason; the others (tasks that merely shared the dying worker) give their reports.
    ``task`` is the function run per file (tests swap in one that kills its worker).
    """
    from distributed import as_completed

    client, owned = connect(scheduler)
    try:
        if max_in_flight is None:
            threads = sum(client.nthreads().values()) or 1
            max_in_flight = max(16, 8 * threads)
        files_per_task = max(1, min(files_per_task, max_in_flight))
        pending = iter(paths)
        futures: dict[Any, list[str]] = {}
        suspects: deque[str] = deque()
        alone: set = set()  # the future of a suspect running alone
        run_token, numbers = os.urandom(4).hex(), count()

        def submit(chunk: list[str]):
            future = client.submit(run_chunk, task, chunk, pure=False, key=f"gongkai-extract-{run_token}-{next(numbers)}")
            futures[future] = chunk
            return future

        def refill() -> list:
            """The next suspect alone once nothing else runs; else new tasks up to max_in_flight files."""
            if suspects:
                if futures:
                    return []
                future = submit([suspects.popleft()])
                alone.add(future)
                return [future]
            new = []
            while sum(len(c) for c in futures.values()) < max_in_flight:
                chunk = list(islice(pending, files_per_task))
                if not chunk:
                    break
                new.append(submit(chunk))
            return new

        running = as_completed(refill(), with_results=False, loop=client.loop)
        for future in running:
            chunk = futures.pop(future)
            try:
                outcomes = future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a task exception, a lost connection
                if future in alone:
                    outcomes = [_failed(chunk[0], _reason(exc))]
                else:
                    outcomes = []
                    suspects.extend(chunk)
            alone.discard(future)
            future.release()
            for new in refill():
                running.add(new)
            for outcome in outcomes:
                if progress:
                    progress(outcome)
                yield outcome
    finally:
        if owned:
            client.close()
