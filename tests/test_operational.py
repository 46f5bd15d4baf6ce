"""Operational faults end in one line naming the cause and what to do, with exit status 3.

Real faults, not mocks: a second process holding the DuckDB lock, a tmpfs remounted
read-only, a tmpfs filled to the last byte (tmpfs needs root; without it the ENOSPC case
falls back to a file system the test cannot create and fails plainly), a second process
holding the run lock, and a reader that closes the pipe early.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT

SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))
GONGKAI = [sys.executable, "-m", "gongkai.cli"]


def gongkai(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*GONGKAI, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("gongkai: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture()
def tmpfs(tmp_path):
    """A small tmpfs of our own (root only); unmounted afterwards."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.fail("this test mounts a tmpfs: run it as root (CI does)")
    mounted = []

    def make(size: str) -> Path:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)], check=True)
        mounted.append(mount_point)
        return mount_point

    yield make
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture()
def loaded_db(tmp_path) -> Path:
    db = tmp_path / "w.duckdb"
    result = gongkai("ingest", str(SEEDS[0]), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db


def test_a_warehouse_held_by_another_process_names_its_pid(loaded_db):
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(loaded_db)!r}); "
                               "print('held', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in (["ingest", str(SEEDS[1])], ["validate"]):
            result = gongkai(*command, "--db", str(loaded_db))
            assert result.returncode == 3, result.stderr
            assert one_line(result) == (
                f"gongkai: the warehouse {loaded_db} is in use by another process (PID {holder.pid}); "
                "wait for it to finish or stop it, then run again"
            )
    finally:
        holder.kill()
        holder.wait()


def test_a_read_only_warehouse_says_so(tmpfs):
    folder = tmpfs("48m")  # the warehouse (~12 MB with its region dimension) and its published copy
    db = folder / "w.duckdb"
    assert gongkai("ingest", str(SEEDS[0]), "--db", str(db)).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    result = gongkai("ingest", str(SEEDS[1]), "--db", str(db))
    assert result.returncode == 3
    assert one_line(result) == (f"gongkai: {db} is on a read-only file system; "
                                "use a writable location (--db or GONGKAI_DB)")


def test_a_full_disk_names_the_real_cause(tmpfs):
    folder = tmpfs("48m")  # the warehouse (~12 MB with its region dimension) and its published copy
    db = folder / "w.duckdb"
    assert gongkai("ingest", str(SEEDS[0]), "--db", str(db)).returncode == 0
    subprocess.run(["dd", "if=/dev/zero", f"of={folder / 'filler'}", "bs=4k"], capture_output=True)
    assert shutil.disk_usage(folder).free == 0
    before = duckdb.connect(str(db), read_only=True).execute("select count(*) from dim_report").fetchone()
    result = gongkai("ingest", *map(str, SEEDS[1:]), "--db", str(db))
    assert result.returncode == 3
    line = one_line(result)
    assert line.startswith("gongkai: the disk is full (No space left on device")
    assert "cannot rollback" not in line
    os.remove(folder / "filler")
    after = duckdb.connect(str(db), read_only=True).execute("select count(*) from dim_report").fetchone()
    assert before == after == (1,)  # nothing half-written


def test_a_second_run_exits_with_who_holds_the_run(tmp_path):
    db = tmp_path / "w.duckdb"
    lock = tmp_path / ".gongkai-run.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from gongkai.operational import run_lock\n"
                               f"with run_lock({str(lock)!r}):\n print('held', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = gongkai("run", "--no-crawl", "--db", str(db))
        assert result.returncode == 3
        assert one_line(result) == (
            f"gongkai: another gongkai run is in progress (PID {holder.pid}, lock {lock}); "
            "wait for it to finish (the nightly schedule runs at 02:00) or stop it"
        )
        assert not db.exists()
    finally:
        holder.kill()
        holder.wait()


def test_extract_into_a_closed_pipe_ends_quietly():
    extract = subprocess.Popen([*GONGKAI, "extract", *map(str, SEEDS), *map(str, SEEDS)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-c", "10"], stdin=extract.stdout, capture_output=True, timeout=120)
    extract.stdout.close()
    stderr = extract.stderr.read().decode()
    assert extract.wait(timeout=120) == 0
    assert head.stdout == b'{"id": "b8'
    assert stderr == ""


def test_unknown_errors_are_not_disguised(monkeypatch):
    """Only operational faults are rewritten; anything else still surfaces (a bug to fix)."""
    from gongkai.operational import describe

    assert describe(ValueError("boom")) is None
    full = OSError(28, "No space left on device")
    try:
        try:
            raise full
        except OSError:
            raise duckdb.TransactionException("cannot rollback - no transaction is active")
    except duckdb.Error as exc:
        assert describe(exc).startswith("the disk is full (No space left on device)")
