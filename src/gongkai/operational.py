"""Operational faults as one line naming the cause and what to do (not a traceback).

    the warehouse is held by another process (which PID), read-only, the disk is full,
    another `gongkai run` is in progress, stdout closed early (`gongkai extract | head`).

Exit status 3 means "the environment stopped the run" (see docs/reliability.md); 0/1/2 keep
their meaning (all files read / some failed / usage error).
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from contextlib import contextmanager

EXIT_OPERATIONAL = 3

_LOCK_HELD = re.compile(r'Could not set lock on file "(?P<file>[^"]+)".*?\(PID (?P<pid>\d+)\)', re.S)
_READ_ONLY = re.compile(r'"(?P<file>[^"]+)": Read-only file system|read-only file system', re.I)
_NO_SPACE = re.compile(r"No space left on device|disk is full|out of disk space", re.I)


class OperationalError(Exception):
    """The environment, not the input, stopped the command; the message is the one line."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def describe(exc: BaseException) -> str | None:
    """The one line for an operational fault anywhere in ``exc``'s chain, or None if it is not one."""
    chain = list(_chain(exc))
    for item in chain:  # the real cause first: ENOSPC hides behind "cannot rollback"
        if isinstance(item, OSError) and item.errno == errno.ENOSPC or _NO_SPACE.search(str(item)):
            where = getattr(item, "filename", None)
            return (f"the disk is full (No space left on device{': ' + str(where) if where else ''}); "
                    "free space or point --db/GONGKAI_DB at a larger disk, then run again (nothing was committed)")
    for item in chain:
        text = str(item)
        match = _LOCK_HELD.search(text)
        if match:
            return (f"the warehouse {match['file']} is in use by another process (PID {match['pid']}); "
                    "wait for it to finish or stop it, then run again")
        if isinstance(item, OSError) and item.errno in (errno.EROFS, errno.EACCES, errno.EPERM) \
                and getattr(item, "filename", None):
            cause = "is on a read-only file system" if item.errno == errno.EROFS else "is not writable"
            return (f"{item.filename} {cause}; "
                    "use a writable location (--db or GONGKAI_DB) or fix its permissions")
        match = _READ_ONLY.search(text)
        if match:
            return (f"{match['file'] or 'the warehouse'} is on a read-only file system; "
                    "use a writable location (--db or GONGKAI_DB)")
        if "Cannot open file" in text and "Permission denied" in text:
            return f"{text.split('Error: ', 1)[-1]}; fix its permissions or use another --db"
    return None


@contextmanager
def run_lock(path: str):
    """Hold an exclusive lock for one `gongkai run`; a second run exits with who holds it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise OperationalError(
                f"another gongkai run is in progress (PID {holder}, lock {path}); "
                "wait for it to finish (the nightly schedule runs at 02:00) or stop it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
