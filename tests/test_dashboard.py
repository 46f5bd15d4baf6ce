"""The dashboard page, opened in headless Chromium (Debian's package, installed by setup)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from gongkai.quality.dashboard import build_dashboard
from gongkai.quality.validate import validate_warehouse
from gongkai.warehouse.load import ingest

SCREENSHOT_DIR = ROOT / "data" / "dashboard"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "chromium is required for the dashboard test: run scripts/setup.sh"
    return path


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("dash")
    db = work / "warehouse.duckdb"
    ingest([str(ROOT / "data" / "raw")], db, workers=1)
    validate_warehouse(db, docs_dir=work / "data_docs")
    return build_dashboard(db, work / "dashboard")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.browser
def test_flagged_samples_appear_in_the_rendered_page(dashboard, tmp_path):
    result = run_chromium(tmp_path, "--dump-dom", dashboard.as_uri())
    dom = result.stdout
    assert "<html" in dom, result.stderr[-500:]
    flagged_rows = re.findall(r'<tr class="flagged-report" data-report="[^"]+"><td><a [^>]+>([^<]+)</a></td><td>(\d+)', dom)
    assert sorted(flagged_rows) == sorted([("五寨县人民政府", "2020"), ("乡宁县人民政府办公室", "2021"), ("泗水县人民政府", "2020")])
    assert re.search(r'id="flagged-count">3<', dom)
    # the drill-down highlights the failing cells of 五寨县's table 三
    assert dom.count('class="num fail') >= 7
    assert "cdn" not in dom.lower() and "<script src" not in dom  # works offline


@pytest.mark.browser
def test_screenshot_of_the_dashboard(dashboard, tmp_path):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOT_DIR / "dashboard.png"
    shot.unlink(missing_ok=True)
    result = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1800", dashboard.as_uri())
    assert shot.exists(), result.stderr[-500:]
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank image
