"""Import Spark's sql-tests input files as frozen cases (heavy: runs every statement on Spark once).

    .venv/bin/python -m tests.spark_sqltests.importer --spark-git /path/to/spark/.git [--commit SHA]

Reads each input file at the pinned commit (`git show`), splits it into statements and runs
them in order on Spark under sqlrun's own Spark settings (sqlrun's spark adapter, one session
per file, as Spark's suite does): setup statements (CREATE VIEW/TABLE, INSERT, DROP) build the
file's tables, each query's rows and Arrow types are frozen, and every table a query reads is
written as parquet (content-addressed, under data/sources/) as it was when the query ran, so
each engine reads the same typed data. SET/RESET, DESCRIBE and the like are skipped and counted;
queries Spark rejects, that read the clock or a random source, or whose result Arrow cannot
hold are recorded with that status and leave the pass-rate denominator.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from sqlrun.adapters.spark import SparkEngine
from sqlrun.errors import EngineError
from tests.spark_sqltests import COMMIT, DATA, FILES, INPUTS, REPOSITORY, SUBQUERY_DIRS
from tests.spark_sqltests.builtin_tables import BUILTIN, create_builtin_tables
from tests.spark_sqltests.statements import created_name, mentions, split
from tests.spark_sqltests.values import encode

LICENSE = [
    "Licensed to the Apache Software Foundation (ASF) under one or more contributor license",
    "agreements; see the NOTICE file of apache/spark. The ASF licenses this file to You under the",
    "Apache License, Version 2.0 (the \"License\"); you may not use this file except in compliance",
    "with the License. You may obtain a copy of the License at http://www.apache.org/licenses/LICENSE-2.0",
    "Unless required by applicable law or agreed to in writing, software distributed under the License",
    "is distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express",
    "or implied. See the License for the specific language governing permissions and limitations.",
    "Statements from apache/spark's sql-tests inputs (the postgreSQL/ files are ports of PostgreSQL's",
    "regression tests: Portions Copyright (c) 1996-2019, PostgreSQL Global Development Group);",
    "rows and types as Spark returned them under sqlrun's Spark settings.",
]
# What gives another answer on every run (or every day): not comparable with frozen rows.
NONDETERMINISTIC = re.compile(
    r"\b(rand|randn|random|uuid|shuffle|now|curdate|current_timezone|monotonically_increasing_id"
    r"|spark_partition_id|input_file_name|try_reflect|reflect|java_method)\s*\("
    r"|\b(current_date|current_timestamp|current_time|localtimestamp)\b|\bunix_timestamp\s*\(\s*\)",
    re.I,
)
# Answers that depend on the order of rows tied in an ORDER BY: first/last over window peers that
# came from a UNION ALL; rows ordered by an aggregate two groups share (having.sql:41, not an
# output column). SQL leaves that order to the engine, so no engine must match Spark's.
PEER_ORDER = {"postgreSQL/window_part2.sql": {161, 171, 181, 191}, "having.sql": {41}}
UNCONVERTIBLE = re.compile(r"\barrow\b", re.I)  # Spark ran it; its result has no Arrow type


def input_files(git: str, commit: str) -> list[str]:
    """The pinned files, relative to INPUTS: FILES and every file of the subquery directories."""
    listed = subprocess.run(
        ["git", "--git-dir", git, "ls-tree", "-r", "--name-only", commit, *(f"{INPUTS}/{d}" for d in SUBQUERY_DIRS)],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return [f"{f}.sql" for f in FILES] + [p[len(INPUTS) + 1:] for p in sorted(listed) if p.endswith(".sql")]


def git_show(git: str, commit: str, path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", git, "show", f"{commit}:{path}"], capture_output=True, check=True).stdout


class Freezer:
    """One Spark process; a session per input file; tables written once per content."""

    def __init__(self, warehouse: str):
        self.settings = {"conf": {"spark.sql.warehouse.dir": warehouse}}
        self.sources_dir = DATA / "sources"
        self.sources_dir.mkdir(parents=True, exist_ok=True)

    def session(self) -> SparkEngine:
        return SparkEngine(dict(self.settings))

    def write_table(self, table) -> str:
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        data = sink.getvalue()
        name = f"sources/{hashlib.sha256(data).hexdigest()[:16]}.parquet"
        path = DATA / name
        if not path.exists():
            path.write_bytes(data)
        return name

    def import_file(self, rel: str, text: str) -> dict:
        statements, directives = split(text)
        engine = self.session()
        relations = set(BUILTIN)  # every relation a query may read, lower case
        tables: set[str] = set()  # persistent tables this file creates: dropped at its end
        written: dict[str, tuple[int, str | None]] = {}  # relation -> (setups run then, parquet)
        setups, setup_errors, skipped, out = 0, [], Counter(), []
        for st in statements:
            if st.kind == "setup":
                name = created_name(st.sql)
                try:
                    engine.execute(st.sql)
                except EngineError as exc:
                    setup_errors.append({"line": st.line, "error": str(exc)[:300]})
                setups += 1
                if name:
                    relations.add(name)
                    if re.match(r"\s*CREATE\s+(OR\s+REPLACE\s+)?TABLE", st.sql, re.I):
                        tables.add(name)
                continue
            if st.kind != "query":
                skipped[st.kind.split(":", 1)[1]] += 1
                continue
            if st.line in PEER_ORDER.get(rel, ()):
                out.append({"line": st.line, "sql": st.sql, "status": "nondeterministic"})
                continue
            out.append(self.freeze_query(engine, st, relations, written, setups))
        for name in tables:
            engine.execute(f"DROP TABLE IF EXISTS {name}")
        engine.close()
        return {"directives": directives, "skipped": dict(skipped), "setup_errors": setup_errors, "statements": out}

    def freeze_query(self, engine, st, relations, written, setups) -> dict:
        case = {"line": st.line, "sql": st.sql}
        if NONDETERMINISTIC.search(st.sql):
            return {**case, "status": "nondeterministic"}
        try:
            table = engine.to_arrow(st.sql)
        except EngineError as exc:
            status = "unconvertible" if UNCONVERTIBLE.search(str(exc)) else "spark-rejects"
            return {**case, "status": status, "error": str(exc)[:300]}
        sources = {}
        for name in sorted(n for n in relations if mentions(st.sql, n)):
            if not engine.spark.catalog.tableExists(name):
                continue  # a CTE or alias of that name, or a table dropped by then
            if name not in written or written[name][0] != setups:
                try:
                    written[name] = (setups, self.write_table(engine.to_arrow(f"SELECT * FROM {name}")))
                except EngineError:
                    written[name] = (setups, None)
            if written[name][1] is None:
                return {**case, "status": "source-unavailable", "error": f"table {name}: Arrow cannot hold its types"}
            void = void_columns(st.sql, DATA / written[name][1])
            if void:
                return {**case, "status": "source-unavailable", "error": f"table {name}: {VOID} ({', '.join(void)})"}
            sources[name] = written[name][1]
        columns = [[f.name, str(f.type)] for f in table.schema]
        try:
            rows = [[encode(v) for v in row] for row in zip(*(c.to_pylist() for c in table.columns))]
        except TypeError as exc:
            return {**case, "status": "unconvertible", "error": str(exc)[:300]}
        return {**case, "status": "ok", "sources": sources, "columns": columns, "rows": rows}


VOID = "a column of Spark's void type, which parquet cannot hold (engines read it back as INT)"


def void_columns(sql: str, path: Path) -> list[str]:
    """The columns of NULL type (Spark's void: a VALUES column of NULLs only) that a query names."""
    return [f.name for f in pq.read_schema(path) if str(f.type) == "null" and mentions(sql, f.name)]


def write_json(path: Path, doc: dict) -> None:
    """One statement per line: diffs stay readable."""
    head = {k: v for k, v in doc.items() if k != "statements"}
    lines = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    body = ",\n".join(json.dumps(s, ensure_ascii=False) for s in doc["statements"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{lines},\n "statements": [\n{body}\n]}}\n')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spark-git", required=True, help="a git directory of apache/spark holding the commit")
    parser.add_argument("--commit", default=COMMIT)
    parser.add_argument("--only", nargs="*", help="input files to import (default: all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sqlrun-sqltests-") as warehouse:
        freezer = Freezer(warehouse)
        create_builtin_tables(freezer.session(), lambda p: git_show(args.spark_git, args.commit, p), warehouse)
        for rel in args.only or input_files(args.spark_git, args.commit):
            text = git_show(args.spark_git, args.commit, f"{INPUTS}/{rel}").decode()
            doc = {
                "license": LICENSE,
                "source": {"repository": REPOSITORY, "commit": args.commit, "path": f"{INPUTS}/{rel}", "file": rel},
                **freezer.import_file(rel, text),
            }
            write_json(DATA / "cases" / rel.replace(".sql", ".json"), doc)
            counts = Counter(s["status"] for s in doc["statements"])
            print(rel, dict(counts), "skipped", doc["skipped"], file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
