"""Import DuckDB's sqllogictest files as frozen cases (runs each file's statements on DuckDB once).

    .venv/bin/python -m tests.duckdb_slt.importer --duckdb-git /path/to/duckdb/.git [--commit SHA]

Reads each file of FILES at the pinned commit (`git show`) and runs its records in order on one
DuckDB connection (UTC): `statement ok` setups (CREATE TABLE/VIEW, INSERT, UPDATE...) build the
file's tables; each `query` is kept with the file's expected lines, and the tables it reads are
written as parquet (content-addressed, under data/sources/) as they were when it ran. A query is
kept only when the installed DuckDB gives the file's answer both on the live tables and on the
frozen parquet (compare.py: the runner's rules); otherwise, or when it depends on what a catalog
query cannot carry (a SET, a macro, a file, the clock), it is recorded with why and left out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import duckdb

from tests.duckdb_slt import COMMIT, DATA, REPOSITORY, TESTS, data_files, file_list, settings
from tests.duckdb_slt.compare import Texts, difference
from tests.duckdb_slt.slt import parse
from tests.spark_sqltests.importer import git_show, write_json
from tests.spark_sqltests.statements import mentions

LICENSE = [
    "Copyright 2018-2026 Stichting DuckDB Foundation",
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and",
    "associated documentation files (the \"Software\"), to deal in the Software without restriction,",
    "including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,",
    "and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,",
    "subject to the following conditions: The above copyright notice and this permission notice shall be",
    "included in all copies or substantial portions of the Software.",
    "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT",
    "LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN",
    "NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,",
    "WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE",
    "SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE. (MIT License, duckdb/duckdb LICENSE)",
    "Statements and expected results from duckdb/duckdb's sqllogictest files; tables as DuckDB built them.",
]
NONDETERMINISTIC = re.compile(
    r"\b(random|uuid|gen_random_uuid|uuidv[47]|setseed|nextval|currval|now|today|get_current_\w+"
    r"|current_localtime\w*|txid_current)\s*\("
    r"|\b(current_date|current_time|current_timestamp|localtimestamp|localtime)\b|\bUSING\s+SAMPLE\b|\bTABLESAMPLE\b",
    re.I,
)
# an estimate: another engine's differs
APPROXIMATE = re.compile(r"\b(approx_\w+|reservoir_quantile)\s*\(", re.I)
READS_FILES = re.compile(
    r"__TEST_DIR__|\{DATA_DIR\}|\{TEMP_DIR\}|\bread_\w+\s*\(|'[^']*\.(csv|parquet|json|gz|db)'|\bglob\s*\(", re.I
)
SETUP = re.compile(
    r"\s*(CREATE|INSERT|UPDATE|DELETE|DROP|ALTER|TRUNCATE|BEGIN|COMMIT|ROLLBACK|CHECKPOINT|ANALYZE|VACUUM)\b", re.I
)
OBJECT = re.compile(r"\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(MACRO|FUNCTION|TYPE|SEQUENCE|SCHEMA)\s+"
                    r"(IF\s+NOT\s+EXISTS\s+)?([\w\"]+)", re.I)
MAX_SOURCE = 256 * 1024  # a larger table is left out (the corpus stays a few MB)


class Importer:
    """One DuckDB connection per file; tables written once per content."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        (DATA / "sources").mkdir(parents=True, exist_ok=True)

    def write_table(self, con, name: str) -> str:
        out = self.tmp / "t.parquet"
        con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
        data = out.read_bytes()
        if len(data) > MAX_SOURCE:
            raise ValueError(f"table {name} is {len(data)} bytes as parquet")
        path = f"sources/{hashlib.sha256(data).hexdigest()[:16]}.parquet"
        if not (DATA / path).exists():
            (DATA / path).write_bytes(data)
        return path

    def import_file(self, text: str) -> dict:
        records, why = parse(text)
        if why:
            return {"skipped_file": why, "skipped": {}, "setup_errors": [], "statements": []}
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        skipped, setup_errors, out = Counter(), [], []
        state = {"setups": 0, "settings": {}, "objects": set(), "written": {}}
        for record in records:
            if record.command.startswith(("skipped:", "stop:")):
                skipped[record.command.split(":", 1)[1]] += 1
            elif record.command == "statement":
                self.statement(con, record, state, skipped, setup_errors)
            else:
                out.append(self.freeze(con, record, state))
        con.close()
        return {"skipped": dict(skipped), "setup_errors": setup_errors, "statements": out}

    def statement(self, con, record, state, skipped, setup_errors) -> None:
        sql = record.sql
        if record.expect == "error":
            skipped["statement error"] += 1
            return
        session = re.match(r"\s*(SET|RESET|PRAGMA|USE|ATTACH|LOAD|INSTALL|CALL)\b", sql, re.I)
        if not (SETUP.match(sql) or session):
            skipped["statement ok without a result"] += 1
            return
        found = OBJECT.match(sql)
        if found:
            state["objects"].add(found.group(5).strip('"').lower())
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            if record.expect == "ok":
                setup_errors.append({"line": record.line, "error": str(exc)[:300]})
        if session:
            state["settings"] = settings.changed(con)
        state["setups"] += 1

    def freeze(self, con, record, state) -> dict:
        case = {"line": record.line, "sql": record.sql, "columns": len(record.expect), "sort": record.sort,
                "expected": record.values}
        if settings.nulls_first_only(state["settings"]):
            sql = settings.with_nulls_first(record.sql)
            if sql is None:
                return {**case, "status": "session-settings", "error": "default_null_order: sqlglot cannot rewrite it"}
            record, case = replace(record, sql=sql), {**case, "sql": sql, "file_sql": record.sql}
        elif state["settings"]:
            return {**case, "status": "session-settings", "error": json.dumps(state["settings"])[:300]}
        if NONDETERMINISTIC.search(record.sql):
            return {**case, "status": "nondeterministic"}
        if APPROXIMATE.search(record.sql):
            return {**case, "status": "approximate"}
        if READS_FILES.search(record.sql):
            return {**case, "status": "reads-files"}
        if not record.values or any(v.startswith(("<FILE>:", "<REGEX>:", "<!REGEX>:")) for v in record.values):
            return {**case, "status": "no-expected-values"}
        if any(mentions(record.sql, name) for name in state["objects"]):
            return {**case, "status": "needs-object"}
        if re.search(r";\s*\S", record.sql):
            return {**case, "status": "several-statements"}
        diff = _check(con, record)
        if diff:
            status = "duckdb-disagrees" if _check(con, record, direct=True) else "arrow-cannot-hold"
            return {**case, "status": status, "error": diff[:300]}
        sources = {}
        relations = [r[0] for r in con.execute(
            "SELECT DISTINCT lower(table_name) FROM information_schema.tables WHERE table_schema IN ('main', 'temp')"
        ).fetchall()]
        for name in sorted(n for n in relations if mentions(record.sql, n)):
            key = (name, state["setups"])
            if key not in state["written"]:
                try:
                    state["written"][key] = self.write_table(con, name)
                except (duckdb.Error, ValueError) as exc:
                    state["written"][key] = str(exc)
            if not state["written"][key].endswith(".parquet"):
                return {**case, "status": "source-unavailable", "error": state["written"][key][:300]}
            sources[name] = state["written"][key]
        frozen = duckdb.connect()
        try:
            frozen.execute("SET TimeZone = 'UTC'")
            for name, path in sources.items():
                frozen.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{DATA / path}')")
            diff = _check(frozen, record)
        finally:
            frozen.close()
        if diff:
            return {**case, "status": "frozen-tables-differ", "error": diff[:300]}
        return {**case, "status": "ok", "sources": sources}


def _check(con, record, direct: bool = False) -> str:
    """'' when DuckDB on `con` gives the record's expected values (its result read through Arrow,
    as sqlrun returns it; direct: as DuckDB's own text, without Arrow)."""
    try:
        table = con.sql(record.sql)
        if direct:
            table = table.query("r", "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM r").to_arrow_table()
        else:
            table = table.to_arrow_table()
    except (duckdb.Error, AttributeError) as exc:  # AttributeError: not a query (no relation)
        return f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    try:
        return difference(Texts(table), record.values, len(record.expect), record.sort)
    except duckdb.Error as exc:
        return f"result not readable: {exc}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb-git", required=True, help="a git directory of duckdb/duckdb holding the commit")
    parser.add_argument("--commit", default=COMMIT)
    parser.add_argument("--only", nargs="*", help="files to import, relative to test/sql (default: FILES)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sqlrun-slt-") as tmp:
        importer = Importer(Path(tmp))
        for rel in args.only or file_list():
            text = git_show(args.duckdb_git, args.commit, f"{TESTS}/{rel}").decode()
            doc = {
                "license": LICENSE,
                "source": {"repository": REPOSITORY, "commit": args.commit, "path": f"{TESTS}/{rel}", "file": rel},
                **importer.import_file(text),
            }
            write_json(DATA / "cases" / rel.replace(".test", ".json"), doc)
            counts = Counter(s["status"] for s in doc["statements"])
            print(rel, dict(counts), doc.get("skipped_file", ""), doc["skipped"], file=sys.stderr, flush=True)
    if not args.only:  # tables no case reads any more
        docs = [json.loads(path.read_text()) for path in data_files()]
        used = {p for doc in docs for s in doc["statements"] for p in s.get("sources", {}).values()}
        for path in (DATA / "sources").glob("*.parquet"):
            if f"sources/{path.name}" not in used:
                path.unlink()


if __name__ == "__main__":
    main()
