"""Extraction of the seeds and the real published reports matches their gold, cell by cell."""

from __future__ import annotations

import pytest

from conftest import gold_cases, load_scorer
from gongkai.extract import extract_file

SCORER = load_scorer()
CASES = gold_cases()


@pytest.mark.parametrize("source,gold", CASES, ids=[g["id"] for _, g in CASES])
def test_extraction_matches_gold(source, gold):
    reports = extract_file(str(source))
    assert len(reports) == 1, f"{source.name}: {len(reports)} reports"
    ok, total, mismatches = SCORER.compare(gold, reports[0], skip=set())
    assert ok == total, f"{source.name}: {ok}/{total}\n" + "\n".join(mismatches[:20])


def test_shipped_samples_are_the_seeds():
    from conftest import ROOT, shared_path

    seeds = sorted(p.name for p in shared_path("seeds").glob("*.txt"))
    assert sorted(p.name for p in (ROOT / "data" / "raw").glob("*.txt")) == seeds
