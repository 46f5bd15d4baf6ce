"""A stand-in for the extractor that misbehaves as each file's name asks, for the tests of
dying workers (tests/test_hostile.py: the pool; tests/test_single_file.py: one forked child).
Monkeypatched over ``gongkai.extract.extract_file`` before the workers fork."""

from __future__ import annotations

import os
import signal
import time

from gongkai.extract import extract_file as _real_extract
from gongkai.limits import MB


def misbehaving_extract(path, data=None, with_provenance=False):
    """segv*: SIGSEGV; oomkill*: SIGKILL; slow*: sleeps 30 s; hog*: asks for 600 MB; exit*:
    exits with status 7; spin*: burns CPU until RLIMIT_CPU stops it; anything else: read."""
    name = os.path.basename(path)
    if name.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("oomkill"):
        os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith("slow"):
        time.sleep(30)
    if name.startswith("hog"):
        hoard = bytearray(600 * MB)  # over the 200 MB test limit: RLIMIT_AS refuses it
        return [hoard]
    if name.startswith("exit"):
        os._exit(7)
    if name.startswith("spin"):
        while True:  # RLIMIT_CPU: SIGXCPU from the kernel
            pass
    return _real_extract(path, data=data, with_provenance=with_provenance)
