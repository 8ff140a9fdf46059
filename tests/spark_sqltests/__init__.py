"""Apache Spark's own SQL query tests (sql-tests/inputs) as frozen conformance cases.

`python -m tests.spark_sqltests.importer --spark-git DIR` reads the input files at the pinned
commit, runs every statement on Spark under sqlrun's Spark settings and writes data/: one JSON
file per input file (each query with Spark's rows and column types, or why it has none) and the
tables its queries read, as parquet. `python -m tests.spark_sqltests.conformance` runs them
through sqlrun on every engine (docs/spark-sqltests.md); tests/test_spark_sqltests.py runs a
seeded sample in `make test`.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / "data"
MARKERS_FILE = HERE / "markers.toml"
REPOSITORY = "apache/spark"
# apache/spark master of 2025-10-18 ("[SPARK-53944][K8S] Support spark.kubernetes.executor.useDriverPodIP").
COMMIT = "dd8d13b69e8ee268d0061de8949785fe9e03d17b"
INPUTS = "sql/core/src/test/resources/sql-tests/inputs"
SUBQUERY_DIRS = ("subquery/in-subquery", "subquery/exists-subquery", "subquery/scalar-subquery")
# The analytical input files (without .sql); the subquery directories are taken whole.
FILES = (
    "string-functions", "cast", "math", "operators", "group-by", "group-analytics", "having", "window",
    "date", "timestamp", "array", "null-handling", "conditional-functions", "percentiles", "count",
    "using-join", "natural-join", "outer-join", "except-all", "intersect-all",
    "postgreSQL/int4", "postgreSQL/int8", "postgreSQL/float8", "postgreSQL/text", "postgreSQL/case",
    "postgreSQL/aggregates_part1", "postgreSQL/aggregates_part2", "postgreSQL/aggregates_part3",
    "postgreSQL/aggregates_part4", "postgreSQL/window_part1", "postgreSQL/window_part2",
    "postgreSQL/window_part3", "postgreSQL/window_part4", "postgreSQL/groupingsets",
    "postgreSQL/select_having", "postgreSQL/select_implicit",
)
ENGINES = ("duckdb", "polars", "spark")
PLAIN = "sqlglot+duckdb"  # plain sqlglot.transpile(read="spark", write="duckdb") run on DuckDB
GAP_KINDS = ("notimpl", "notyet", "never")


@dataclass(frozen=True)
class Case:
    file: str  # the input file, relative to INPUTS
    line: int
    sql: str
    status: str  # ok | spark-rejects | nondeterministic | unconvertible | source-unavailable
    sources: dict = field(default_factory=dict)  # name -> parquet file under DATA
    columns: list = field(default_factory=list)  # [name, Arrow type] per column
    rows: list = field(default_factory=list)  # encoded values (values.py)
    error: str = ""
    nth: int = 1  # the statement's place among those starting on its line

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}" + (f".{self.nth}" if self.nth > 1 else "")


def data_files() -> list[Path]:
    return sorted((DATA / "cases").rglob("*.json"))


def load_cases() -> list[Case]:
    return read_cases(data_files(), Case)


def read_cases(files: list[Path], case_type: type) -> list:
    """The cases of frozen case files; `nth` counts the statements that start on one line."""
    cases = []
    for path in files:
        doc = json.loads(path.read_text())
        seen: dict[int, int] = {}
        for c in doc["statements"]:
            seen[c["line"]] = seen.get(c["line"], 0) + 1
            cases.append(case_type(file=doc["source"]["file"], nth=seen[c["line"]], **c))
    return cases


def load_markers() -> dict:
    """case id -> engine -> marker (the format of markers.py)."""
    return read_markers(MARKERS_FILE)


def read_markers(path: Path) -> dict:
    return tomllib.loads(path.read_text()) if path.exists() else {}
