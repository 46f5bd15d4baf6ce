"""Old Word (.doc) and WPS (.wps) files: converted to .docx by LibreOffice, then read as DOCX."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from gongkai.readers.base import Document, ExtractionError

CONVERT_TIMEOUT_S = 120


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(path: str, data: bytes, fmt: str) -> Document:
    soffice = soffice_path()
    if soffice is None:
        raise ExtractionError(f"needs LibreOffice to convert .{fmt} files (soffice not found; run scripts/setup.sh)")
    from gongkai.readers.docx import read_docx

    with tempfile.TemporaryDirectory(prefix="gongkai-convert-") as work:
        source = os.path.join(work, f"input.{fmt}")
        with open(source, "wb") as handle:
            handle.write(data)
        # a private profile: concurrent conversions must not share LibreOffice's user dir
        profile = f"-env:UserInstallation=file://{work}/profile"
        try:
            completed = subprocess.run(
                [soffice, profile, "--headless", "--norestore", "--convert-to", "docx:MS Word 2007 XML",
                 "--outdir", work, source],
                capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExtractionError(f"LibreOffice conversion of .{fmt} timed out after {CONVERT_TIMEOUT_S} s") from None
        converted = os.path.join(work, "input.docx")
        if completed.returncode != 0 or not os.path.exists(converted):
            detail = (completed.stderr or completed.stdout).decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1][:120] if detail else f"exit status {completed.returncode}"
            raise ExtractionError(f"LibreOffice could not convert this .{fmt} file (corrupt or encrypted?): {reason}")
        with open(converted, "rb") as handle:
            document = read_docx(path, handle.read())
    document.format = fmt
    document.info["converter"] = "libreoffice"
    return document
