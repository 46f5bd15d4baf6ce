"""One file, one forked child (batch.extract_single): the start-up path of `gongkai extract FILE`.

A single file is read without the worker pool and without warming the parent, in one
forked child under the same per-file limits; a file that kills or hangs the reader still
costs one outcome with the pool's one-line reason, and on the command line one stderr line
and exit status 1, no traceback. Every test bounds its own time and memory (the limits).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from misbehaving import misbehaving_extract
from gongkai import batch
from gongkai.batch import extract_many, extract_single
from gongkai.limits import Limits

SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))

REASONS = {
    "segv.txt": "the worker reading it crashed (SIGSEGV) in a native library",
    "oomkill.txt": "the worker reading it was killed (SIGKILL), most likely by the kernel for running out of memory",
    "slow.txt": "took longer than 2 s (time limit)",
    "hog.txt": "needs more than 200 MB of memory (memory limit)",
    "exit.txt": "the worker reading it exited unexpectedly (exit status 7)",
    "spin.txt": "took longer than 1 s of CPU (time limit)",
}




@pytest.mark.parametrize("name", sorted(REASONS))
def test_a_single_file_that_kills_or_hangs_the_reader_gets_the_pools_reason(name, tmp_path, monkeypatch):
    import gongkai.extract

    monkeypatch.setattr(gongkai.extract, "extract_file", misbehaving_extract)
    path = tmp_path / name
    path.write_text("x", encoding="utf-8")
    limits = Limits(max_seconds=2, max_memory_mb=200)
    if name == "spin.txt":  # no wall limit: the kernel's CPU limit (ceil(used + 1) + 1 s) must stop it
        limits = Limits(max_seconds=1, max_memory_mb=200)
        monkeypatch.setattr(batch, "_read_until_eof", _no_wall_limit(batch._read_until_eof))
    started = time.perf_counter()
    [outcome] = extract_many([str(path)], workers=1, limits=limits)
    assert time.perf_counter() - started < 20
    assert outcome.path == str(path) and not outcome.reports
    assert outcome.error == REASONS[name]
    assert outcome.sha256 and outcome.size_bytes == 1  # hashed, so the nightly run does not retry it


def _no_wall_limit(read):
    return lambda fd, max_seconds: read(fd, 0)


def test_a_single_good_file_gives_the_same_reports_as_the_pool(tmp_path):
    copies = [tmp_path / f"{i}_{seed.name}" for i, seed in enumerate(SEEDS[:2])]
    for seed, copy in zip(SEEDS, copies):
        shutil.copy(seed, copy)
    pooled = list(extract_many([str(p) for p in copies], workers=1))
    alone = [extract_single(str(p)) for p in copies]
    for a, b in zip(pooled, alone):
        assert a.ok and b.ok
        assert (a.path, a.sha256, a.size_bytes, a.reports) == (b.path, b.sha256, b.size_bytes, b.reports)
        assert b.reports[0]["provenance"]  # extract_one asks for provenance; the pipe carries it


def test_a_single_file_skipped_by_kind_is_never_forked_for(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    assert extract_single(str(folder)).error == "skipped: a folder"


def test_the_command_line_gives_one_line_and_exit_1_when_the_reader_crashes(tmp_path):
    path = tmp_path / "crash.txt"
    shutil.copy(SEEDS[0], path)
    code = ("import os, signal, sys\n"
            "import gongkai.extract\n"
            "gongkai.extract.extract_file = lambda *a, **k: os.kill(os.getpid(), signal.SIGSEGV)\n"
            "from gongkai.cli import main\n"
            "sys.exit(main(['extract', sys.argv[1]]))\n")
    result = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code, str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"gongkai: {path}: the worker reading it crashed (SIGSEGV) in a native library\n"


def test_the_command_line_reads_one_file_in_one_child(tmp_path):
    path = tmp_path / SEEDS[0].name
    shutil.copy(SEEDS[0], path)
    result = subprocess.run([sys.executable, "-m", "gongkai.cli", "extract", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    report = json.loads(line)
    assert report["source"]["file_name"] == SEEDS[0].name and "provenance" not in report


def test_reports_leave_provenance_out_only_when_asked(tmp_path):
    copies = [tmp_path / f"{i}_{seed.name}" for i, seed in enumerate(SEEDS[:2])]
    for seed, copy in zip(SEEDS, copies):
        shutil.copy(seed, copy)
    for paths in ([str(copies[0])], [str(p) for p in copies]):  # one forked child; the pool
        with_it = list(extract_many(paths, workers=2))
        without = list(extract_many(paths, workers=2, with_provenance=False))
        for a, b in zip(with_it, without):
            assert "provenance" in a.reports[0] and "provenance" not in b.reports[0]
            a.reports[0].pop("provenance")
            assert a.reports == b.reports


# --- start-up: the records of the extraction path are not dataclasses -----------------------

def test_a_one_file_extraction_never_imports_dataclasses():
    """`import dataclasses` (inspect, ast, dis, tokenize …) and its generated methods cost ~15 ms
    of CPU per process: a text file is extracted, with provenance, without it."""
    code = ("import sys, gongkai.cli, gongkai.batch as b\n"
            "o = b.extract_one(sys.argv[1], with_provenance=True)\n"
            "print(len(o.reports), o.error, o.reports[0]['adcode'] is not None, 'dataclasses' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code, str(SEEDS[0])], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "None", "True", "False"]


def test_cells_and_documents_compare_hash_and_copy_by_their_fields():
    from gongkai.readers.base import Cell, Document

    cell = Cell("12", 3, "line 4", col=2)
    assert cell == Cell("12", 3, "line 4", -1, 2) and hash(cell) == hash(Cell("12", 3, "line 4", -1, 2))
    assert cell != Cell("12", 3, "line 4") and len({cell, Cell("12", 3, "line 4", col=2)}) == 1
    changed = cell.replace(text="13")
    assert (changed.text, changed.row, changed.where, changed.table, changed.col) == ("13", 3, "line 4", -1, 2)
    assert cell.text == "12"
    document = Document("a.txt", "txt", [cell], "12")
    assert document.info == {} and Document("b.txt", "txt").cells == [] and Document("b.txt", "txt").info is not \
        Document("c.txt", "txt").info
    copy = document.replace(cells=[changed])
    assert (copy.path, copy.cells, copy.text, copy.info is document.info) == ("a.txt", [changed], "12", True)
    assert document == Document("a.txt", "txt", [Cell("12", 3, "line 4", col=2)], "12") and document != copy


def test_the_fork_freezes_the_heap_only_while_forking_unless_the_program_keeps_it_frozen():
    """extract_single freezes the parent's objects for the fork (the gc docs' advice for fork
    without exec) and unfreezes them in a library caller; `gongkai extract` (batch.freeze_heap)
    keeps them frozen until it exits."""
    code = ("import gc, sys\nfrom gongkai import batch\n"
            "[a] = batch.extract_many([sys.argv[1]], workers=1)\n"
            "print(a.error, len(a.reports), gc.get_freeze_count())\n"
            "batch.freeze_heap()\n"
            "[b] = batch.extract_many([sys.argv[1]], workers=1)\n"
            "print(b.reports == a.reports, gc.get_freeze_count() > 1000)\n")
    result = subprocess.run([sys.executable, "-c", code, str(SEEDS[0])], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "1", "0", "True", "True"]
