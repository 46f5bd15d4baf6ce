"""Hostile input: bombs, dying workers, odd paths, mutated files — one bad file costs one file.

Everything here is bounded: the CLI runs in a subprocess with a timeout, extraction runs in
worker processes under RLIMIT_AS/RLIMIT_CPU and a wall-time limit, and the bombs are a few
MB on disk (the limits stop them long before they expand).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, shared_path
from misbehaving import misbehaving_extract
from gongkai import batch
from gongkai.batch import death_reason, discover, extract_many
from gongkai.limits import MB, Limits
from gongkai.synth import hostile

SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))
GONGKAI = [sys.executable, "-m", "gongkai.cli"]

EXPECTED = {
    "docx_bomb.docx": "word/document.xml expands past 200 MB",
    "docx_whitespace.docx": "word/document.xml expands past 200 MB",
    "pdf_stream_bomb.pdf": "a PDF stream (at byte",
    "pdf_200k_pages.pdf": "more than 2,000 pages",
    "text_one_line.txt": "larger than the 100 MB input limit",
}


def run_measured(args: list[str], timeout: float = 120) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run a command; return it, its wall time and the peak RSS of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, hostile.process_tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
        if process.poll() is None:
            process.kill()
    return subprocess.CompletedProcess(args, process.returncode, out, err), time.perf_counter() - started, peak


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    hostile.write_bombs(folder)
    return folder


def test_bombs_are_tiny_on_disk_and_huge_when_expanded(hostile_folder):
    import zipfile

    sizes = {name: (hostile_folder / name).stat().st_size for name in EXPECTED}
    assert sizes["docx_bomb.docx"] < 4 * MB and sizes["docx_whitespace.docx"] < 4 * MB
    assert sizes["pdf_stream_bomb.pdf"] < 2 * MB
    declared = zipfile.ZipFile(hostile_folder / "docx_bomb.docx").getinfo("word/document.xml").file_size
    assert declared > 2 * 1024 * MB - 1024
    assert b"/Count 200000" in (hostile_folder / "pdf_200k_pages.pdf").read_bytes()[-30_000_000:]


def test_a_folder_of_seeds_and_bombs_loads_the_seeds_and_quarantines_each_bomb(hostile_folder, tmp_path):
    db = tmp_path / "w.duckdb"
    result, seconds, peak = run_measured([*GONGKAI, "ingest", str(hostile_folder), "--db", str(db)])
    print(f"\nhostile folder ingest: {seconds:.1f} s wall, peak tree RSS {peak / MB:.0f} MB (shared machine)")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    # progress lines (a log line every few seconds when stderr is not a terminal) aside
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("gongkai: extracted ")]
    for name, reason in EXPECTED.items():
        mine = [line for line in lines if name in line]
        assert len(mine) == 1 and reason in mine[0] and mine[0].startswith("gongkai: "), (name, lines)
    summary = [line for line in lines if line.startswith("gongkai ingest: ") and "reports loaded" in line]
    assert len(summary) == 1 and "5 reports loaded" in summary[0]
    published = [line for line in lines if line.startswith("gongkai ingest: published read-only copy")]
    assert len(lines) == len(EXPECTED) + 1 + len(published)  # one line per bomb, the summary (and the publish line)
    con = duckdb.connect(str(db), read_only=True)
    stored = dict(con.execute("select source_ref, reason from quarantine").fetchall())
    assert {Path(ref).name for ref in stored} == set(EXPECTED)
    assert con.execute("select count(*) from dim_report").fetchone()[0] == 5
    con.close()
    assert peak < 2 * 1024 * MB
    assert seconds < 120


def test_an_unchanged_quarantined_file_is_not_retried_unless_asked_or_changed(hostile_folder, tmp_path):
    from gongkai.warehouse.load import ingest

    db = tmp_path / "w.duckdb"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"   ")
    files = [str(hostile_folder / "pdf_stream_bomb.pdf"), str(empty)]
    first = ingest(files, db, workers=2)
    assert len(first.quarantined) == 2
    again = ingest(files, db, workers=2)
    assert (again.files_unchanged, again.files_extracted, len(again.quarantined)) == (2, 0, 0)
    retry = ingest(files, db, workers=2, retry_quarantined=True)
    assert (retry.files_unchanged, len(retry.quarantined)) == (0, 2)
    empty.write_bytes(b"    \n")  # changed content: extracted again
    changed = ingest(files, db, workers=2)
    assert (changed.files_unchanged, changed.quarantined) == (1, [(str(empty), "empty file (no content)")])


def test_limits_can_be_set_from_the_command_line(hostile_folder):
    result = subprocess.run([*GONGKAI, "extract", "--max-input-mb", "0.001", str(SEEDS[0])],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"gongkai: {SEEDS[0]}: file is 13 KB, larger than the 1 KB input limit"


# ---- workers that die cost one file ------------------------------------------------------



def test_a_dying_worker_costs_only_its_file(tmp_path, monkeypatch):
    import gongkai.extract

    monkeypatch.setattr(gongkai.extract, "extract_file", misbehaving_extract)
    names = ["segv.txt", "oomkill.txt", "slow.txt", "hog.txt", "exit.txt"]
    paths = []
    for index, name in enumerate(names):
        good = tmp_path / f"good{index}.txt"
        shutil.copy(SEEDS[index], good)
        bad = tmp_path / name
        bad.write_text("x", encoding="utf-8")
        paths += [str(good), str(bad)]
    limits = Limits(max_seconds=2, max_memory_mb=200)
    started = time.perf_counter()
    outcomes = list(extract_many(paths, workers=2, limits=limits))
    assert time.perf_counter() - started < 30
    assert [o.path for o in outcomes] == paths
    by_name = {os.path.basename(o.path): o for o in outcomes}
    for index in range(5):
        assert by_name[f"good{index}.txt"].ok and len(by_name[f"good{index}.txt"].reports) == 1
    assert by_name["segv.txt"].error == "the worker reading it crashed (SIGSEGV) in a native library"
    assert "killed (SIGKILL), most likely by the kernel for running out of memory" in by_name["oomkill.txt"].error
    assert by_name["slow.txt"].error == "took longer than 2 s (time limit)"
    assert by_name["hog.txt"].error == "needs more than 200 MB of memory (memory limit)"
    assert by_name["exit.txt"].error == "the worker reading it exited unexpectedly (exit status 7)"
    assert all(o.sha256 for o in outcomes)  # dead-worker files still carry their hash (no nightly retry)


def _spin_under_cpu_limit() -> None:
    from gongkai.limits import apply_cpu_limit

    apply_cpu_limit(Limits(max_seconds=0.1))
    while True:
        pass


def test_the_cpu_limit_stops_a_runaway_worker_with_sigxcpu():
    import multiprocessing

    process = multiprocessing.get_context("fork").Process(target=_spin_under_cpu_limit)
    process.start()
    process.join(timeout=30)
    assert process.exitcode == -signal.SIGXCPU
    assert death_reason(process.exitcode, Limits(max_seconds=0.1)) == "took longer than 0.1 s of CPU (time limit)"


# ---- paths ---------------------------------------------------------------------------------

@pytest.fixture()
def odd_folder(tmp_path) -> Path:
    folder = tmp_path / "odd"
    folder.mkdir()
    shutil.copy(SEEDS[0], folder / "plain.txt")
    gbk_name = os.fsdecode("公开报告".encode("gbk") + b".txt")  # a GBK name unpacked on Linux
    shutil.copy(SEEDS[1], folder / gbk_name)
    os.symlink("loop_b", folder / "loop_a")
    os.symlink("loop_a", folder / "loop_b")
    os.symlink("missing.txt", folder / "dangling.txt")
    os.symlink(".", folder / "self_dir")
    os.mkfifo(folder / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.txt"))
    yield folder
    server.close()


def test_odd_paths_in_a_folder_are_skipped_with_a_reason(odd_folder, tmp_path):
    db = tmp_path / "w.duckdb"
    result = subprocess.run([*GONGKAI, "ingest", str(odd_folder), "--db", str(db)],
                            capture_output=True, timeout=60)
    stderr = result.stderr.decode("utf-8")  # valid UTF-8 even for the GBK name
    assert result.returncode == 1 and "Traceback" not in stderr
    reasons = {line.split(": ", 2)[1].rsplit("/", 1)[1]: line.split(": ", 2)[2]
               for line in stderr.splitlines() if line.startswith("gongkai: /")}
    assert reasons == {
        "loop_a": "skipped: symlink loop (quarantined)",
        "loop_b": "skipped: symlink loop (quarantined)",
        "dangling.txt": "skipped: dangling symlink (its target does not exist) (quarantined)",
        "self_dir": "skipped: symlink to a folder (not followed) (quarantined)",
        "pipe.txt": "skipped: a FIFO (named pipe), not a regular file (never opened) (quarantined)",
        "sock.txt": "skipped: a socket, not a regular file (never opened) (quarantined)",
    }
    con = duckdb.connect(str(db), read_only=True)
    refs = sorted(r for (r,) in con.execute("select source_ref from dim_report").fetchall())
    con.close()
    assert sorted(Path(r).name for r in refs) == sorted(["plain.txt", "\\xb9\\xab\\xbf\\xaa\\xb1\\xa8\\xb8\\xe6.txt"])


def test_odd_paths_as_arguments(odd_folder):
    gbk = [p for p in os.listdir(odd_folder) if p.endswith(".txt") and p != "plain.txt"
           and (odd_folder / p).is_file() and not (odd_folder / p).is_symlink()]
    args = [str(odd_folder / n) for n in ("loop_a", "dangling.txt", "pipe.txt", *gbk)]
    result = subprocess.run([*GONGKAI, "extract", *args], capture_output=True, timeout=60)
    assert result.returncode == 1
    report = json.loads(result.stdout.decode("utf-8"))  # valid UTF-8 JSON
    assert report["source"]["file_name"] == "\\xb9\\xab\\xbf\\xaa\\xb1\\xa8\\xb8\\xe6.txt"
    lines = result.stderr.decode("utf-8").splitlines()
    assert [line.rsplit(": ", 1)[1] for line in lines] == [
        "symlink loop", "dangling symlink (its target does not exist)",
        "a FIFO (named pipe), not a regular file (never opened)",
    ]


def test_a_path_that_does_not_exist_is_a_usage_error_before_any_work(tmp_path):
    db = tmp_path / "w.duckdb"
    result = subprocess.run([*GONGKAI, "ingest", str(SEEDS[0]), str(tmp_path / "nope.txt"), "--db", str(db)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"gongkai: no such file or folder: {tmp_path / 'nope.txt'}"
    assert not db.exists()


def test_discover_does_not_follow_a_folder_symlink_loop(odd_folder):
    found = discover([odd_folder])
    assert str(odd_folder / "self_dir") in found and len(found) == 8


# ---- mutated files under every extension ---------------------------------------------------

EXTENSIONS = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps", ".xlsx", ".ofd", "")


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, bytes]:
    from gongkai.synth.generate import generate_reports
    from gongkai.synth.render import render_docx, render_html

    report = next(iter(generate_reports(1, seed=3)))
    folder = tmp_path_factory.mktemp("bases")
    return {
        "text": SEEDS[2].read_bytes(),
        "html": render_html(report),
        "docx": render_docx(report, folder / "r.docx").read_bytes(),
        "pdf": shared_path("real", "huaian_2024.pdf").read_bytes(),
    }


def test_truncated_bit_flipped_and_random_files_give_one_typed_line_each(bases, tmp_path):
    paths = []
    for ext in EXTENSIONS:
        for kind, base in bases.items():
            for seed in range(2):
                for mutate in ("truncated", "bit_flipped"):
                    data = getattr(hostile, mutate)(base, seed=seed)
                    path = tmp_path / f"{kind}_{mutate}_{seed}{ext}"
                    path.write_bytes(data)
                    paths.append(str(path))
        path = tmp_path / f"random{ext}"
        path.write_bytes(hostile.random_bytes(8192, seed=len(ext)))
        paths.append(str(path))
    outcomes = list(extract_many(paths, workers=2, limits=Limits(max_seconds=30, max_memory_mb=1024)))
    assert len(outcomes) == len(paths) == len(EXTENSIONS) * 17
    failures = [o for o in outcomes if not o.ok]
    assert len(failures) > len(outcomes) // 2
    for outcome in failures:
        assert "\n" not in outcome.error and len(outcome.error) <= 300
        assert not outcome.error.startswith(("unexpected error", "the worker", "took longer")), \
            (outcome.path, outcome.error)
    for outcome in outcomes:
        if outcome.ok:
            json.dumps(outcome.reports, ensure_ascii=False).encode("utf-8")


def test_the_bomb_checks_run_in_bounded_memory(hostile_folder):
    """Each bomb through the readers' entry point, in a subprocess capped at 300 MB of address space over its start."""
    code = (
        "import resource, sys; from gongkai.limits import LimitExceeded, _vm_size;"
        "from gongkai.readers.dispatch import read_document;"
        "resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + 300 * 2**20, resource.RLIM_INFINITY));"
        "data = open(sys.argv[1], 'rb').read()\n"
        "try:\n  read_document(sys.argv[1], data)\nexcept LimitExceeded as exc:\n  print(exc)\n"
    )
    for name in ("docx_bomb.docx", "docx_whitespace.docx", "pdf_stream_bomb.pdf", "pdf_200k_pages.pdf"):
        result = subprocess.run([sys.executable, "-c", code, str(hostile_folder / name)],
                                capture_output=True, text=True, timeout=60)
        assert EXPECTED[name] in result.stdout, (name, result.stderr[-500:])


def test_a_large_pdf_stream_under_the_limit_is_measured_once(tmp_path):
    """A content stream inflating to 3 MB (over one output block) passes the check, promptly.

    The check once looped for ever on such a stream: past the stream's end, zlib keeps
    handing back the same unconsumed tail (the "endstream" after it)."""
    path = hostile.pdf_stream_bomb(tmp_path / "big_stream.pdf", expanded=3 * MB)
    code = ("import sys, zlib; from gongkai.limits import _STREAM, _inflate_count, check_pdf;"
            "data = open(sys.argv[1], 'rb').read(); check_pdf(data);"
            "start = _STREAM.search(data).end();"
            "print(_inflate_count(memoryview(data)[start:], 10**9, wbits=15))")
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-500:]
    assert int(result.stdout) == 3 * MB


def test_a_lying_zip_header_is_caught_while_streaming(tmp_path):
    """A part that declares 1 KB but inflates to 300 MB: the streaming check stops it at the limit."""
    from gongkai.limits import LimitExceeded, check_docx

    path = hostile.docx_whitespace(tmp_path / "liar.docx", expanded=300 * MB)
    data = bytearray(path.read_bytes())
    # patch the declared size in the local and central headers of word/document.xml
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[start + size_at:start + size_at + 4] = (1024).to_bytes(4, "little")
            start += 4
    with pytest.raises(LimitExceeded, match="word/document.xml expands past 200 MB"):
        check_docx(bytes(data), Limits())


def test_batch_module_keeps_its_public_shape():
    assert set(batch.FileOutcome.__slots__) >= {"path", "sha256", "size_bytes", "reports", "error"}
    outcome = batch.FileOutcome("a.txt", "0" * 64, 3)
    assert (outcome.reports, outcome.error, outcome.already_loaded, outcome.ok) == ([], None, False, True)


def test_a_one_line_text_under_the_input_limit_is_stopped_by_the_memory_limit(tmp_path):
    """8 MB on one line passes the input limit; reading it needs hundreds of MB, so RLIMIT_AS stops it."""
    path = hostile.text_one_line(tmp_path / "line.txt", size=8 * MB)
    [outcome] = extract_many([str(path)], workers=1, limits=Limits(max_memory_mb=150, max_seconds=60))
    assert outcome.error == "needs more than 150 MB of memory (memory limit)"
    assert outcome.sha256 and outcome.size_bytes == 8 * MB
