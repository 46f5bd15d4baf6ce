"""The dashboard's search and filters, used in headless Chromium (the page is offline: its
script is inline; the search is set through the URL, which runs the same filter as typing)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT
from gongkai.quality.dashboard import build_dashboard
from gongkai.quality.validate import validate_warehouse
from gongkai.warehouse.load import ingest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync", "--disable-quic"]
ROW_RE = re.compile(r'<tr class="(flagged-report|warned-report)" data-report="[^"]+"><td><a [^>]+>([^<]+)</a>')


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("search")
    db = work / "w.duckdb"
    ingest([str(ROOT / "data" / "raw")], db, workers=1)
    validate_warehouse(db, docs_dir=None)
    return build_dashboard(db, work / "dashboard")


def dom(page: Path, tmp_path: Path, fragment: str = "") -> str:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    result = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                             page.as_uri() + fragment], capture_output=True, text=True, timeout=120)
    assert "<html" in result.stdout, result.stderr[-500:]
    return result.stdout


@pytest.mark.browser
def test_search_and_filters_narrow_the_failing_reports(page, tmp_path):
    every = dom(page, tmp_path)
    assert sorted(a for _, a in ROW_RE.findall(every)) == ["乡宁县人民政府办公室", "五寨县人民政府", "泗水县人民政府"]
    assert re.search(r'id="match-count" data-ms="\d+">3 reports<', every)
    searched = dom(page, tmp_path, "#q=" + quote("乡宁"))
    assert [a for _, a in ROW_RE.findall(searched)] == ["乡宁县人民政府办公室"]
    assert re.search(r'id="match-count" data-ms="\d+">1 of 3 reports match<', searched)
    by_rule = dom(page, tmp_path, "#rule=completeness")
    assert [a for _, a in ROW_RE.findall(by_rule)] == ["泗水县人民政府"]
    by_year = dom(page, tmp_path, "#year=2020&q=" + quote("I2"))
    assert [a for _, a in ROW_RE.findall(by_year)] == ["五寨县人民政府"]
    nothing = dom(page, tmp_path, "#q=" + quote("不存在的机构"))
    assert ROW_RE.findall(nothing) == [] and "0 of 3 reports match" in nothing


def test_the_page_is_self_contained(page):
    html = page.read_text(encoding="utf-8")
    assert "<script src" not in html and "cdn" not in html.lower() and "http://" not in html and "https://" not in html
