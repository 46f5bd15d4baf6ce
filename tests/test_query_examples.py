"""The example queries (sql/queries/) run on a warehouse built from the samples, and
docs/queries.md shows each of them as it is, with the columns it returns."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT

DOC = ROOT / "docs" / "queries.md"


def _load_generator():
    spec = importlib.util.spec_from_file_location("query_examples", ROOT / "scripts" / "query_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


QX = _load_generator()
QUERY_FILES = QX.query_files()


@pytest.fixture(scope="module")
def samples_con(tmp_path_factory):
    """A read-only connection to the published copy of a validated warehouse built from data/raw."""
    db = tmp_path_factory.mktemp("queries") / "samples.duckdb"
    con = duckdb.connect(str(QX.build_samples(db)), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def doc_text() -> str:
    assert DOC.exists(), f"{DOC} is missing: run scripts/query_examples.py"
    return DOC.read_text(encoding="utf-8")


def test_there_are_example_queries():
    assert len(QUERY_FILES) >= 5, [p.name for p in QUERY_FILES]


def test_every_query_and_only_those_are_documented(doc_text):
    documented = set(QX.documented_columns(doc_text))
    files = {p.name for p in QUERY_FILES}
    assert (sorted(files - documented), sorted(documented - files)) == ([], []), \
        "(queries without a result table in docs/queries.md, sections without a query file)"


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.name for p in QUERY_FILES])
def test_query_runs_and_returns_the_documented_columns(samples_con, doc_text, path: Path):
    sql = path.read_text(encoding="utf-8")
    columns, _rows = QX.run_query(samples_con, sql)
    shown = QX.documented_columns(doc_text).get(path.name)
    assert shown is not None, f"docs/queries.md has no result table for {path.name}"
    assert columns == shown, f"{path.name} returns {columns}, docs/queries.md shows {shown}: regenerate it"


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.name for p in QUERY_FILES])
def test_docs_show_the_query_as_it_is(doc_text, path: Path):
    sql = path.read_text(encoding="utf-8").rstrip()
    assert f"```sql\n{sql}\n```" in doc_text, f"docs/queries.md shows an old {path.name}: regenerate it"


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.name for p in QUERY_FILES])
def test_query_states_its_question_and_parameters(path: Path):
    sql = path.read_text(encoding="utf-8")
    assert sql.startswith("-- Question:"), f"{path.name} must open with a '-- Question:' comment"
    used = set(re.findall(r"\$(\w+)", re.sub(r"^--.*$", "", sql, flags=re.MULTILINE)))
    assert used == set(QX.query_params(sql)), f"{path.name}: parameters used {sorted(used)} vs documented"
    code = re.sub(r"'[^']*'", "''", re.sub(r"--.*$", "", sql, flags=re.MULTILINE))
    upper = re.findall(r"\b(SELECT|FROM|WHERE|JOIN|GROUP|ORDER|WITH|AND|OR|AS|BY)\b", code)
    assert upper == [], f"{path.name}: keywords are written in lower case"
