"""Bad input gets a one-line error naming the file and the reason, and the batch goes on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT

SEED = ROOT / "data" / "raw" / "000_a0b312813d1ea27c.txt"


def run_extract(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "extract", *map(str, paths)],
        capture_output=True, text=True, timeout=120,
    )


def image_pdf(path: Path) -> Path:
    """A scanned-looking PDF: one page that is only an image, no text layer."""
    Image.new("RGB", (400, 560), "white").save(path, "PDF")
    return path


def encrypted_pdf(path: Path, tmp: Path) -> Path:
    """A password-protected PDF, encrypted with qpdf (Debian package, installed by setup)."""
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is required for this test: run scripts/setup.sh"
    plain = image_pdf(tmp / "plain.pdf")
    subprocess.run([qpdf, "--encrypt", "user-pw", "owner-pw", "256", "--", str(plain), str(path)], check=True)
    return path


@pytest.fixture()
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": tmp_path / "empty.txt",
        "corrupt": tmp_path / "corrupt.pdf",
        "scanned": image_pdf(tmp_path / "scanned.pdf"),
        "encrypted": encrypted_pdf(tmp_path / "encrypted.pdf", tmp_path),
        "not_report": tmp_path / "notice.txt",
        "wrong_ext": tmp_path / "actually_pdf.docx",
    }
    files["empty"].write_bytes(b"")
    files["corrupt"].write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf body\n")
    files["not_report"].write_text("关于举办2024年政务公开培训班的通知\n各单位：\n定于3月5日举办培训，请准时参加。\n", encoding="utf-8")
    files["wrong_ext"].write_bytes(files["scanned"].read_bytes())
    return files


EXPECTED_REASONS = {
    "empty": "empty file",
    "corrupt": "corrupt PDF",
    "scanned": "no text layer",
    "encrypted": "encrypted PDF",
    "not_report": "not an annual report",
    "wrong_ext": "wrong extension",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED_REASONS))
def test_bad_file_gets_one_clear_line_and_exit_1(bad_files, kind):
    result = run_extract(bad_files[kind])
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(bad_files[kind]) in lines[0]
    assert EXPECTED_REASONS[kind] in lines[0]
    assert "Traceback" not in result.stderr


def test_batch_goes_on_after_bad_files(bad_files):
    result = run_extract(bad_files["corrupt"], SEED, bad_files["empty"])
    assert result.returncode == 1
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["agency"] for r in reports] == ["五寨县人民政府"]
    assert len(result.stderr.strip().splitlines()) == 2


def test_all_good_files_exit_0_with_one_json_line_each():
    samples = sorted((ROOT / "data" / "raw").glob("*.txt"))
    result = run_extract(*samples)
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["year"] for r in reports] == [2020, 2021, 2021, 2020, 2020]


def test_usage_errors_exit_2(tmp_path):
    no_files = subprocess.run([sys.executable, "-m", "gongkai.cli", "extract"], capture_output=True, text=True)
    assert no_files.returncode == 2
    unknown = subprocess.run([sys.executable, "-m", "gongkai.cli", "frobnicate"], capture_output=True, text=True)
    assert unknown.returncode == 2


def test_missing_file_is_a_usage_error_not_a_crash(tmp_path):
    # issue 10: a mistyped path is a usage error (exit 2) before any work, not a quarantined file
    result = run_extract(tmp_path / "nope.pdf")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"gongkai: no such file or folder: {tmp_path / 'nope.pdf'}"


def test_provenance_points_at_source_lines():
    result = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "extract", "--provenance", str(SEED)],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(result.stdout)
    where = report["provenance"]["values"]["table3"]["new_received"]
    assert where[0].startswith("line ")
    line_no = int(where[0].split()[1])
    assert SEED.read_text(encoding="utf-8").splitlines()[line_no - 1].strip() == "1"
    assert report["provenance"]["values"]["table2"]["procurement"]["amount"].startswith("line ")
