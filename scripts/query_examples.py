"""Regenerate docs/queries.md: every example query of sql/queries/ with its result on the samples.

    .venv/bin/python scripts/query_examples.py [--db PATH] [--out docs/queries.md]

Builds a fresh warehouse from data/raw (ingest, then a quality run without Data Docs),
runs each query with the parameter defaults its header documents, and writes the SQL and
the result as a markdown table. The page says which gazetteer placed the reports: with a
stand-in that resolves nothing, every region column is empty.

The helpers ``query_files``, ``query_params`` and ``documented_columns`` are also used by
tests/test_query_examples.py, so the page, the generator and the test read the same format.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = ROOT / "sql" / "queries"
RAW_DIR = ROOT / "data" / "raw"
DEFAULT_OUT = ROOT / "docs" / "queries.md"

# "--   $year   default 2021   reporting year" in a query's header comment
_PARAM_RE = re.compile(r"^--\s+\$(\w+)\s+default\s+(\S+)\s*(.*)$", re.MULTILINE)
_SECTION_RE = re.compile(r"^## (\S+\.sql)\s*$", re.MULTILINE)


def query_files() -> list[Path]:
    """The example queries, in name order."""
    return sorted(QUERIES_DIR.glob("*.sql"))


def query_params(sql: str) -> dict[str, object]:
    """The named parameters a query's header documents, bound to their defaults (JSON literals)."""
    return {name: json.loads(default) for name, default, _ in _PARAM_RE.findall(sql)}


def query_question(sql: str) -> str:
    """The header comment up to the parameter list, as one paragraph."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        text = line[2:].strip()
        if text.lower().startswith("parameters"):
            break
        lines.append(text)
    question = " ".join(lines).removeprefix("Question:").strip()
    return question[:1].upper() + question[1:]


def documented_columns(markdown: str) -> dict[str, list[str]]:
    """For each ``## <file>.sql`` section of docs/queries.md, the header of its result table."""
    columns = {}
    sections = list(_SECTION_RE.finditer(markdown))
    for i, match in enumerate(sections):
        body = markdown[match.end():sections[i + 1].start() if i + 1 < len(sections) else len(markdown)]
        body = re.sub(r"```.*?```", "", body, flags=re.DOTALL)  # the SQL itself holds no table
        header = next((line for line in body.splitlines() if line.startswith("|")), None)
        if header is not None:
            columns[match.group(1)] = [cell.strip() for cell in header.strip().strip("|").split("|")]
    return columns


def build_samples(db_path: Path) -> Path:
    """A fresh warehouse from data/raw, validated (no Data Docs site) and published; returns
    the published read-only copy, which the examples are run on (as analysts run them)."""
    from gongkai.quality.validate import validate_warehouse
    from gongkai.warehouse.load import ingest
    from gongkai.warehouse.publish import publish

    for stale in (db_path, db_path.with_suffix(db_path.suffix + ".wal")):
        stale.unlink(missing_ok=True)
    ingest([str(RAW_DIR)], db_path, workers=1)
    validate_warehouse(db_path, docs_dir=None)
    return publish(db_path, db_path.with_name(db_path.stem + ".published.duckdb"))


def run_query(con, sql: str) -> tuple[list[str], list[tuple]]:
    params = query_params(sql)
    cursor = con.execute(sql, params) if params else con.execute(sql)
    rows = cursor.fetchall()
    return [d[0] for d in cursor.description], rows


def _cell(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def gazetteer_note(con) -> str:
    """Which gazetteer placed the reports, and how many it resolved."""
    module = importlib.import_module("gongkai.gazetteer")
    origin = getattr(module, "__file__", None)
    real = origin is not None and Path(origin).resolve().is_relative_to(ROOT / "src" / "gongkai" / "gazetteer")
    total, resolved = con.execute(
        "select count(*), count(*) filter (where region_status = 'resolved') from dim_report").fetchone()
    counts = f"{resolved} of {total} sample reports resolved to a place."
    if real:
        return f"**Gazetteer:** the project's gazetteer (`src/gongkai/gazetteer`); {counts}"
    return (f"**Gazetteer:** a stand-in `gongkai.gazetteer` ({origin or 'defined in memory'}) that resolves "
            f"no place; {counts} Every region column (province, prefecture, county) is therefore empty "
            "and the regional views return no rows: regenerate once the real gazetteer is installed.")


def render(db_path: Path) -> str:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        reports, flagged = con.execute(
            "select count(*), count(*) filter (where status = 'flagged') from dim_report").fetchone()
        parts = [
            "# Example queries",
            "",
            "<!-- generated by scripts/query_examples.py; edit the .sql files and regenerate -->",
            "",
            "Analyst questions answered from the warehouse, one query per file in `sql/queries/`. Each "
            "header comment states the question and the DuckDB named parameters (`$name`) with their "
            "defaults; bind them when running the query, e.g. from Python "
            "`con.execute(open(path).read(), {\"year\": 2021})`, or in the DuckDB CLI with "
            "`prepare q as ...; execute q(year := 2021);`. Every column is described in "
            "`docs/data_dictionary.md`.",
            "",
            f"The results below are from a warehouse built from the {reports} sample reports in `data/raw/` "
            f"(`ingest(['data/raw'], ...)` then `validate_warehouse(...)`; {flagged} of them are flagged by "
            "the quality run), run on its published read-only copy (`data/published/warehouse.duckdb` in a "
            "deployment: open it with `read_only=True`; the nightly run replaces it atomically and never "
            "waits for you), with every parameter at its default.",
            "",
            gazetteer_note(con),
            "",
            "Numbers print without trailing zeros; `null` is SQL NULL.",
            "",
        ]
        for path in query_files():
            sql = path.read_text(encoding="utf-8")
            columns, rows = run_query(con, sql)
            params = query_params(sql)
            parts += [f"## {path.name}", "", f"**Question.** {query_question(sql)}", ""]
            if params:
                parts += ["Parameters: " + ", ".join(f"`${k}` = `{json.dumps(v)}`" for k, v in params.items()), ""]
            parts += ["```sql", sql.rstrip(), "```", "",
                      f"Result on the samples ({len(rows)} row{'s' if len(rows) != 1 else ''}):", "",
                      markdown_table(columns, rows), ""]
            if not rows:
                parts += ["*(no rows)*", ""]
        return "\n".join(parts)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="warehouse file to build (default: a temporary file)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown file to write")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.db or Path(tmp) / "samples.duckdb"
        text = render(build_samples(db_path))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(query_files())} queries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
