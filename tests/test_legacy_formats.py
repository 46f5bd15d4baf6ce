"""Old Word (.doc) and WPS (.wps) files go through LibreOffice; without it, a clear error."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import load_scorer, shared_path
from gongkai.extract import extract_file
from gongkai.readers import legacy
from gongkai.readers.base import ExtractionError
from gongkai.synth import render_docx

SCORER = load_scorer()


@pytest.fixture(scope="module")
def doc_file(tmp_path_factory) -> tuple[Path, dict]:
    soffice = legacy.soffice_path()
    assert soffice, "LibreOffice (soffice) is required for this test: run scripts/setup.sh"
    work = tmp_path_factory.mktemp("legacy")
    gold = json.loads((shared_path("gold") / "seed001.json").read_text(encoding="utf-8"))
    docx = render_docx(gold, work / "weiyuan.docx")
    subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(work), str(docx)],
                   check=True, capture_output=True, timeout=180)
    doc = work / "weiyuan.doc"
    assert doc.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # a real OLE Word 97 file
    return doc, gold


@pytest.mark.slow
@pytest.mark.parametrize("extension", [".doc", ".wps"])
def test_word97_and_wps_files_extract_like_their_gold(doc_file, extension, tmp_path):
    doc, gold = doc_file
    target = tmp_path / f"report{extension}"
    shutil.copy(doc, target)  # WPS Office saves the same OLE Word format under .wps
    reports = extract_file(str(target))
    assert len(reports) == 1
    ok, total, mismatches = SCORER.compare(gold, reports[0], skip=set())
    assert ok == total, "\n".join(mismatches[:20])
    assert reports[0]["source"]["format"] == extension[1:]


def test_without_libreoffice_the_error_says_so(doc_file, monkeypatch):
    doc, _ = doc_file
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    with pytest.raises(ExtractionError, match=r"needs LibreOffice to convert \.doc files"):
        extract_file(str(doc))


def test_a_corrupt_doc_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken.doc"
    bad.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600)
    with pytest.raises(ExtractionError, match="LibreOffice could not convert this .doc file"):
        extract_file(str(bad))
