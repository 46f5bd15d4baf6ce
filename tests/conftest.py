"""Shared test helpers: where the shared gold/real/seed files live, and the official scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; fails the test plainly when the folder is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"../shared is missing: expected {path} (CI checks it out beside the repo)")
    return path


def load_scorer():
    """The official scorer ../shared/tools/evaluate.py, so tests compare exactly as it does."""
    spec = importlib.util.spec_from_file_location("gold_evaluate", shared_path("tools", "evaluate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold_cases() -> list[tuple[Path, dict]]:
    """(source file, gold dict) for every gold label."""
    cases = []
    for gold_file in sorted(shared_path("gold").glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        ref = gold["source"]["ref"]
        source = SHARED / "seeds" / ref
        if not source.exists():
            source = SHARED / ref
        cases.append((source, gold))
    return cases
