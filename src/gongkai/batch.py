"""Many files in, one outcome per file out: discovery, hashing, and extraction on all cores.

Pure Python (no Dagster, no database): the loader, the CLI and the assets share it.
Each file is read once; its bytes are hashed and handed to the extractor. Extraction runs
in worker processes this module manages (not a ProcessPoolExecutor, where one dead worker
breaks the whole pool): a worker that dies or overruns costs one file, never the batch.
"""

from __future__ import annotations

import errno
import os
import signal
import stat

from gongkai.limits import LimitExceeded, Limits, active, apply_cpu_limit, apply_memory_limit, check_input_size, set_active

# multiprocessing (~13 ms), hashlib's OpenSSL (~3 ms), typing and collections.abc are imported
# where they are used: a one-file `gongkai extract` needs none of them in the parent
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any


# A plain class with __slots__, not a dataclass: `import dataclasses` and the generated methods
# cost ~15 ms of CPU in every process (see readers/base.py).
class FileOutcome:
    """What one file gave: its reports, or the one-line reason it gave none.

    ``already_loaded``: content the warehouse has from another path (not extracted).
    """

    __slots__ = ("path", "sha256", "size_bytes", "reports", "error", "already_loaded")

    def __init__(self, path: str, sha256: str, size_bytes: int, reports: list[dict[str, Any]] | None = None,
                 error: str | None = None, already_loaded: bool = False) -> None:
        self.path = path
        self.sha256 = sha256
        self.size_bytes = size_bytes
        self.reports = [] if reports is None else reports
        self.error = error
        self.already_loaded = already_loaded

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)
        return NotImplemented

    __hash__ = None  # mutable: unhashable, as before

    def __repr__(self) -> str:
        return "FileOutcome(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__) + ")"

    @property
    def ok(self) -> bool:
        return self.error is None


def display_path(path: str | os.PathLike) -> str:
    """A path as valid UTF-8 text: bytes that are not UTF-8 (a GBK name unpacked on Linux)
    are shown escaped, ``\\xb9\\xab``, so JSON, the terminal and DuckDB always get valid text."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def skip_reason(path: str | os.PathLike) -> str | None:
    """Why a path is not a file we may open (found without opening it), or None for a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "skipped: symlink loop"
        if os.path.islink(path):
            return "skipped: dangling symlink (its target does not exist)"
        if exc.errno == errno.ENOENT:
            return "skipped: no such file"
        return f"cannot read file ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "skipped: symlink to a folder (not followed)" if os.path.islink(path) else "skipped: a folder"
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"skipped: {kind}, not a regular file (never opened)"


def discover(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Files named, and every file under folders named (hidden files skipped), sorted, unique.

    Folders are walked without following symlinked folders (so no loops); every other
    entry is kept, so a symlink loop, a dangling link, a FIFO, socket or device becomes a
    skipped outcome with its reason (:func:`skip_reason`) instead of a crash or a hang.
    """
    found: dict[str, None] = {}
    for given in paths:
        path = os.fspath(given)
        if os.path.isdir(path):
            entries = []
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                linked = [d for d in dirs if os.path.islink(os.path.join(root, d))]
                dirs[:] = [d for d in dirs if d not in linked]
                entries += [os.path.join(root, n) for n in files + linked if not n.startswith(".")]
            for entry in sorted(entries):
                found[entry] = None
        else:
            found[path] = None  # not a folder: a file, or a path skipped later with its reason
    return list(found)


def file_digest(path: str) -> tuple[str, int] | None:
    """sha256 and size of a file, or None when it cannot be read (or is not a regular file)."""
    import hashlib

    if skip_reason(path):
        return None  # never open a FIFO, socket or device
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


def extract_one(path: str, *, with_provenance: bool = True) -> FileOutcome:
    """Read, hash and extract one file within the active limits; never raises for bad input.

    Reports carry their provenance unless ``with_provenance`` is False (`gongkai extract`
    without ``--provenance``, which would drop it)."""
    import hashlib

    from gongkai.extract import extract_file
    from gongkai.readers.base import ExtractionError

    reason = skip_reason(path)
    if reason:
        return FileOutcome(path, "", 0, error=reason)
    limits = active()
    try:
        check_input_size(os.stat(path).st_size, limits)
        with open(path, "rb") as handle:
            data = handle.read()
    except LimitExceeded as exc:
        sha256, size = file_digest(path) or ("", 0)
        return FileOutcome(path, sha256, size, error=str(exc))
    except OSError as exc:
        return FileOutcome(path, "", 0, error=f"cannot read file ({exc.strerror or exc})")
    except MemoryError:
        return FileOutcome(path, "", 0, error=_memory_reason(limits))
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        reports = extract_file(path, data=data, with_provenance=with_provenance)
    except ExtractionError as exc:
        return FileOutcome(path, sha256, len(data), error=_one_line(str(exc)))
    except MemoryError:
        del data
        return FileOutcome(path, sha256, os.stat(path).st_size, error=_memory_reason(limits))
    except RecursionError:
        return FileOutcome(path, sha256, len(data), error="too deeply nested to read (recursion limit)")
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        return FileOutcome(path, sha256, len(data),
                           error=_one_line(f"unexpected error ({type(exc).__name__}: {exc})"))
    shown = display_path(path)
    if shown != path:  # a name that is not UTF-8: reports carry its escaped form
        for report in reports:
            report["source"]["ref"] = shown
            report["source"]["file_name"] = os.path.basename(shown)
    return FileOutcome(path, sha256, len(data), reports=reports)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _memory_reason(limits: Limits) -> str:
    return f"needs more than {limits.max_memory_mb:,} MB of memory (memory limit)"


def death_reason(exitcode: int | None, limits: Limits) -> str:
    """The one line for a worker that died on a file, from how it died."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else f"signal {number}"
        if number == signal.SIGXCPU:
            return f"took longer than {limits.max_seconds:g} s of CPU (time limit)"
        if number == signal.SIGKILL:
            return "the worker reading it was killed (SIGKILL), most likely by the kernel for running out of memory"
        if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE):
            return f"the worker reading it crashed ({name}) in a native library"
        return f"the worker reading it was stopped by {name}"
    return f"the worker reading it exited unexpectedly (exit status {exitcode})"


def _worker_main(conn, limits: Limits, parent_end=None, with_provenance: bool = True) -> None:
    """A worker process: one path in, one outcome out, until told to stop or the pipe closes.

    The forked child closes its copy of the parent's end of the pipe, so that when the
    parent dies (even by SIGKILL) the pipe reaches EOF and the worker exits instead of
    waiting forever (and holding the parent's stdout/stderr open).
    """
    import faulthandler

    if parent_end is not None:
        parent_end.close()

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # a native crash is reported as the file's one line, not a stack dump
    set_active(limits)
    apply_memory_limit(limits)
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        apply_cpu_limit(limits)
        outcome = extract_one(path, with_provenance=with_provenance)
        retire = outcome.error is not None and "memory limit" in outcome.error
        try:
            conn.send((outcome, retire))
        except MemoryError:
            conn.send((FileOutcome(path, outcome.sha256, outcome.size_bytes, error=_memory_reason(limits)), True))
        if retire:
            return  # a fresh worker after a MemoryError: the heap may be fragmented


class _Worker:
    """One managed worker process and the file it is reading."""

    def __init__(self, ctx, limits: Limits, with_provenance: bool = True) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, limits, self.conn, with_provenance), daemon=True)
        self.proc.start()
        child.close()
        self.index: int | None = None
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> int | None:
        if kill and self.proc.is_alive():
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        return self.proc.exitcode


def _warm_up() -> None:
    """Load the extractor and the gazetteer index once, in the parent (shared copy-on-write)."""
    try:
        from gongkai.extract import resolve_place

        resolve_place(None, None, None)
    except Exception:  # noqa: BLE001 - a worker then loads it itself and reports any failure per file
        pass


def _in_daemon_process() -> bool:
    """True inside a daemonic multiprocessing worker (which may not start children of its own)."""
    import sys

    mp = sys.modules.get("multiprocessing")  # never imported: not a multiprocessing worker
    return mp is not None and mp.current_process().daemon


def extract_single(path: str, limits: Limits | None = None, *, with_provenance: bool = True) -> FileOutcome:
    """One file read in one forked child under the per-file limits, as a pool worker would.

    For a one-file call the pool's costs are pure overhead (~100 ms of CPU for a file read
    in ~20 ms): the surviving pool, the parent's warm-up for copy-on-write sharing, the
    multiprocessing machinery. Here the parent forks once, cold; the child applies the
    limits (``RLIMIT_AS``, ``RLIMIT_CPU``), reads the file and sends its outcome back over
    a pipe; the parent waits at most ``max_seconds`` of wall time. A child that crashes
    in a native library, is killed by the kernel, runs out of CPU time or overruns the
    wall time costs that file only, with the same one-line reasons as in the pool
    (:func:`death_reason`).
    """
    limits = limits or active()
    reason = skip_reason(path)
    if reason:
        return FileOutcome(path, "", 0, error=reason)
    read_end, write_end = os.pipe()
    pid = _fork_frozen()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _single_child(path, limits, write_end, with_provenance)
    os.close(write_end)
    status = None
    try:
        payload, overdue = _read_until_eof(read_end, limits.max_seconds)
        if overdue:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(read_end)
        if status is None:  # interrupted (Ctrl-C): the child goes too
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    if overdue:
        reason = f"took longer than {limits.max_seconds:g} s (time limit)"
    else:
        outcome = _decode_outcome(payload) if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else None
        if outcome is not None:
            return outcome
        reason = death_reason(os.waitstatus_to_exitcode(status), limits)
    sha256, size = file_digest(path) or ("", 0)
    return FileOutcome(path, sha256, size, error=reason)


_heap_frozen = False  # freeze_heap() was called: this process keeps its objects frozen until it exits


def freeze_heap() -> None:
    """Freeze (``gc.freeze``) every object alive now and at each later one-file fork, for the
    rest of the process: for a program that exits when its work is done (`gongkai extract`).
    Its collections, the last one at exit included, then skip them (see cli.py)."""
    global _heap_frozen
    import gc

    gc.freeze()
    _heap_frozen = True


def _fork_frozen() -> int:
    """``os.fork()`` with the parent's objects frozen (``gc.freeze``) while it forks, as the gc
    documentation advises for fork without exec: the child's collections then never visit them,
    so their memory pages are not copied on write into the child (~8 ms of CPU of a one-file
    `gongkai extract`, about a tenth of it). The parent unfreezes at once, unless the process
    froze its heap for good (:func:`freeze_heap`); a caller's own freeze is left alone."""
    import gc

    if _heap_frozen:
        gc.freeze()  # what the program made since is frozen too, for good
        return os.fork()
    if gc.get_freeze_count():
        return os.fork()
    gc.freeze()
    try:
        pid = os.fork()
    except BaseException:
        gc.unfreeze()
        raise
    if pid:
        gc.unfreeze()
    return pid


def _single_child(path: str, limits: Limits, write_end: int, with_provenance: bool) -> None:
    """The forked child of :func:`extract_single`: limits, extraction, outcome down the pipe, ``_exit``."""
    code = 0
    try:
        import faulthandler

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        faulthandler.disable()  # a native crash is reported as the file's one line, not a stack dump
        set_active(limits)
        import gongkai.extract  # noqa: F401 - code, not the file: loaded before the memory limit, as in a worker

        apply_memory_limit(limits)
        apply_cpu_limit(limits)
        outcome = extract_one(path, with_provenance=with_provenance)
        try:
            payload = _encode_outcome(outcome)
        except MemoryError:
            payload = _encode_outcome(FileOutcome(path, outcome.sha256, outcome.size_bytes,
                                                  error=_memory_reason(limits)))
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view):]
    except BaseException:  # noqa: BLE001 - no traceback: the parent reports how the child ended
        code = 70
    finally:
        os._exit(code)


def _read_until_eof(fd: int, max_seconds: float) -> tuple[bytes, bool]:
    """Everything written to ``fd`` until its writer closes it, and whether ``max_seconds``
    of wall time (0: no limit) ran out first."""
    import select
    import time

    deadline = time.monotonic() + max_seconds if max_seconds > 0 else None
    chunks = []
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return b"".join(chunks), True
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def _encode_outcome(outcome: FileOutcome) -> bytes:
    """An outcome as bytes: marshal (built in, no import) for the plain JSON-like reports, pickle otherwise."""
    import marshal

    fields = (outcome.path, outcome.sha256, outcome.size_bytes, outcome.reports, outcome.error, outcome.already_loaded)
    try:
        return b"M" + marshal.dumps(fields)
    except ValueError:  # a type marshal does not know
        import pickle

        return b"P" + pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL)


def _decode_outcome(payload: bytes) -> FileOutcome | None:
    """The outcome :func:`_encode_outcome` wrote, or None for a missing or half-written one."""
    try:
        if payload[:1] == b"M":
            import marshal

            fields = marshal.loads(payload[1:])
        elif payload[:1] == b"P":
            import pickle

            fields = pickle.loads(payload[1:])
        else:
            return None
        path, sha256, size, reports, error, already_loaded = fields
    except Exception:  # noqa: BLE001 - a child that died mid-write
        return None
    return FileOutcome(path, sha256, size, reports=reports, error=error, already_loaded=already_loaded)


def extract_many(paths: list[str], *, workers: int | None = None,
                 progress: Callable[[FileOutcome], None] | None = None,
                 cluster: str | None = None, limits: Limits | None = None,
                 with_provenance: bool = True) -> Iterator[FileOutcome]:
    """Outcomes for ``paths`` in order, extracting on ``workers`` processes (default: all cores).

    Every file is read in a worker process under the per-file limits (``limits``, default
    :func:`gongkai.limits.active`). A worker that dies (the kernel's OOM killer, a segfault
    in a native library, the CPU limit) or overruns the wall-time limit costs only the file
    it was reading: that file gets a failed outcome naming the cause, the worker is
    replaced and the rest of the batch goes on.

    With ``cluster`` (or $GONGKAI_DASK_SCHEDULER), a dask.distributed scheduler address,
    extraction runs on that cluster instead and outcomes come in completion order
    (see gongkai.distributed).

    ``with_provenance=False`` leaves each report's provenance out (local extraction only; a
    cluster's reports keep it).
    """
    cluster = cluster or os.environ.get("GONGKAI_DASK_SCHEDULER")
    if cluster:
        from gongkai.distributed import extract_on_cluster

        yield from extract_on_cluster(paths, cluster, progress=progress)
        return
    limits = limits or active()
    if not paths:
        return
    if _in_daemon_process():  # e.g. inside a pool worker: no children allowed
        previous = active()
        set_active(limits)
        try:
            for path in paths:
                outcome = extract_one(path, with_provenance=with_provenance)
                if progress:
                    progress(outcome)
                yield outcome
        finally:
            set_active(previous)
        return
    if len(paths) == 1:  # one file: one forked child, no pool and no warm-up (start-up of `gongkai extract`)
        outcome = extract_single(paths[0], limits, with_provenance=with_provenance)
        if progress:
            progress(outcome)
        yield outcome
        return
    import multiprocessing
    import time
    from collections import deque
    from multiprocessing.connection import wait

    count = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    _warm_up()  # workers fork from a warm parent: start-up is not charged to a file's time limit
    ctx = multiprocessing.get_context("fork")
    pool = [_Worker(ctx, limits, with_provenance) for _ in range(count)]
    todo = deque(range(len(paths)))
    done: dict[int, FileOutcome] = {}
    next_index = 0
    try:
        while next_index < len(paths):
            for slot, worker in enumerate(pool):
                if worker.index is None and todo:
                    index = todo.popleft()
                    try:
                        worker.conn.send(paths[index])
                    except (OSError, ValueError):  # died while idle: replace it, file goes back
                        worker.stop(kill=True)
                        pool[slot] = _Worker(ctx, limits, with_provenance)
                        todo.appendleft(index)
                        continue
                    worker.index = index
                    worker.deadline = time.monotonic() + limits.max_seconds
            busy = [w for w in pool if w.index is not None]
            timeout = None
            if limits.max_seconds > 0 and busy:
                timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic()) + 0.05
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout)
            for slot, worker in enumerate(pool):
                if worker.index is None:
                    continue
                index, outcome, retire = worker.index, None, False
                if worker.conn.poll():
                    try:
                        outcome, retire = worker.conn.recv()
                    except Exception:  # noqa: BLE001 - EOF or a half-sent message: the worker died
                        outcome = None
                if outcome is not None:
                    worker.index = None
                    done[index] = outcome
                    if retire:
                        worker.stop()
                        pool[slot] = _Worker(ctx, limits, with_provenance)
                    continue
                overdue = limits.max_seconds > 0 and time.monotonic() > worker.deadline
                if worker.proc.is_alive() and not overdue:
                    continue
                if worker.proc.is_alive():
                    worker.stop(kill=True)
                    reason = f"took longer than {limits.max_seconds:g} s (time limit)"
                else:
                    reason = death_reason(worker.stop(kill=True), limits)
                sha256, size = file_digest(paths[index]) or ("", 0)
                done[index] = FileOutcome(paths[index], sha256, size, error=reason)
                pool[slot] = _Worker(ctx, limits, with_provenance)
            while next_index in done:
                outcome = done.pop(next_index)
                next_index += 1
                if progress:
                    progress(outcome)
                yield outcome
    finally:
        for worker in pool:
            worker.stop(kill=worker.index is not None)
