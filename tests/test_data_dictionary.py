"""docs/data_dictionary.md describes exactly the warehouse's schema: every table and view of
schema main, every column in order with its DuckDB type, and a meaning for each.

Compared with a warehouse freshly created by ``connect`` (DDL and views from sql/), so a
column added to the DDL without a line in the dictionary fails here, naming the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from conftest import ROOT
from gongkai.warehouse.schema import connect

DICTIONARY = ROOT / "docs" / "data_dictionary.md"
_HEADING_RE = re.compile(r"^### (\S+)\s*$")
_KIND_RE = re.compile(r"^\((table|view)\)\s*$")
_CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")  # "\|" inside a meaning is an escaped pipe


@dataclass
class Documented:
    name: str
    kind: str | None = None
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # (column, type, meaning)
    has_table: bool = False


def parse_dictionary(text: str) -> dict[str, Documented]:
    """Every ``### <name>`` section: its (table)/(view) line and its column table."""
    objects: dict[str, Documented] = {}
    current: Documented | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING_RE.match(line)
        if heading:
            name = heading.group(1)
            assert name not in objects, f"line {number}: {name} is described twice"
            current = objects[name] = Documented(name)
            continue
        if line.startswith("#"):  # a higher-level heading ends the object
            current = None
            continue
        if current is None:
            continue
        kind = _KIND_RE.match(line.strip())
        if kind and current.kind is None and not current.has_table:
            current.kind = kind.group(1)
            continue
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in _CELL_SPLIT_RE.split(line.strip().strip("|"))]
        if cells == ["column", "type", "meaning"]:
            current.has_table = True
            continue
        if all(set(c) <= set("-: ") for c in cells):  # the |---|---|---| separator
            continue
        assert current.has_table, f"line {number}: a row before the | column | type | meaning | header"
        assert len(cells) == 3, f"line {number}: {current.name} row has {len(cells)} cells, not 3: {line}"
        current.columns.append((cells[0], cells[1], cells[2]))
    return objects


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """{name: (kind, [(column, type), ...])} of a freshly created warehouse, schema main."""
    con = connect(tmp_path_factory.mktemp("dictionary") / "w.duckdb")
    try:
        kinds = dict(con.execute("""
            select table_name, case table_type when 'VIEW' then 'view' else 'table' end
            from information_schema.tables where table_schema = 'main'
        """).fetchall())
        columns: dict[str, list[tuple[str, str]]] = {name: [] for name in kinds}
        for table, column, data_type in con.execute("""
            select table_name, column_name, data_type from information_schema.columns
            where table_schema = 'main' order by table_name, ordinal_position
        """).fetchall():
            columns[table].append((column, data_type))
    finally:
        con.close()
    return {name: (kinds[name], columns[name]) for name in kinds}


@pytest.fixture(scope="module")
def documented() -> dict[str, Documented]:
    assert DICTIONARY.exists(), f"{DICTIONARY} is missing"
    return parse_dictionary(DICTIONARY.read_text(encoding="utf-8"))


def column_drift(name: str, actual: list[tuple[str, str]], doc: list[tuple[str, str, str]]) -> list[str]:
    """What differs between a table's real columns and its documented ones, in words."""
    problems = []
    real = dict(actual)
    written = {column: column_type for column, column_type, _ in doc}
    for column, column_type in actual:
        if column not in written:
            problems.append(f"{name}.{column} ({column_type}) is not documented")
        elif written[column] != column_type:
            problems.append(f"{name}.{column} is {column_type}, documented as {written[column]}")
    for column, column_type, _ in doc:
        if column not in real:
            problems.append(f"{name}.{column} ({column_type}) is documented but not in the schema")
    duplicates = sorted({c for c, _, _ in doc if [d for d, _, _ in doc].count(c) > 1})
    problems += [f"{name}.{column} is documented more than once" for column in duplicates]
    common_actual = [c for c, _ in actual if c in written]
    common_doc = [c for c, _, _ in doc if c in real]
    if not problems and common_actual != common_doc:
        problems.append(f"{name}: columns are {common_actual}, documented in the order {common_doc}")
    return problems


def test_the_same_tables_and_views(schema, documented):
    missing = sorted(set(schema) - set(documented))
    extra = sorted(set(documented) - set(schema))
    assert (missing, extra) == ([], []), (
        f"tables/views not documented in docs/data_dictionary.md: {missing}; "
        f"documented but not in the warehouse: {extra}")


def test_each_section_says_table_or_view(schema, documented):
    wrong = [
        f"{name}: documented as ({doc.kind}), is a {schema[name][0]}"
        for name, doc in sorted(documented.items()) if name in schema and doc.kind != schema[name][0]
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_same_columns_in_the_same_order_with_the_same_types(schema, documented):
    problems = []
    for name in sorted(set(schema) & set(documented)):
        doc = documented[name]
        if not doc.has_table:
            problems.append(f"{name}: no | column | type | meaning | table")
            continue
        problems += column_drift(name, schema[name][1], doc.columns)
    assert problems == [], "docs/data_dictionary.md has drifted from the schema:\n" + "\n".join(problems)


def test_every_column_has_a_meaning(documented):
    blank = [f"{name}.{column}" for name, doc in sorted(documented.items())
             for column, _, meaning in doc.columns if not meaning]
    assert blank == [], f"columns without a meaning: {blank}"


def test_the_drift_report_names_what_changed():
    """The comparison itself: an undocumented column, a changed type and a reordering are named."""
    actual = [("report_id", "VARCHAR"), ("count", "DOUBLE"), ("new_col", "INTEGER")]
    doc = [("report_id", "VARCHAR", "the report"), ("count", "BIGINT", "n"), ("gone", "VARCHAR", "old")]
    assert column_drift("t", actual, doc) == [
        "t.count is DOUBLE, documented as BIGINT",
        "t.new_col (INTEGER) is not documented",
        "t.gone (VARCHAR) is documented but not in the schema",
    ]
    reordered = [("count", "DOUBLE", "n"), ("report_id", "VARCHAR", "the report")]
    assert column_drift("t", actual[:2], reordered) == [
        "t: columns are ['report_id', 'count'], documented in the order ['count', 'report_id']"]
