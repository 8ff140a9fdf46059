# ruff: noqa: E501  (table rows read best on one line)
"""Shared helpers for the dialect/rewrite/compile tests: a tiny project and table-style checks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sqlrun.engine.catalog import Query
from sqlrun.engine.compile import compile_query
from sqlrun.engine.target import target

# One small table every execution test reads: NULLs, negatives, a leap day, a Sunday.
T_ROWS = {
    "k": [1, 2, 3, 4, 5],
    "i": [1, 2, None, 4, -7],
    "j": [2, 0, 5, None, 2],
    "f": [1.5, 2.5, None, 0.1, -2.5],
    "s": ["b", "a", None, "a", "c"],
    "d": [date(2024, 1, 7), date(2024, 2, 29), None, date(2023, 12, 31), date(2024, 3, 1)],
    "ts": [datetime(2024, 1, 7, 10, 30), datetime(2024, 2, 29, 23, 59), None, datetime(2023, 12, 31, 0, 0), datetime(2024, 3, 1, 12, 0)],
}


def make_project(root: Path) -> Path:
    pq.write_table(pa.table(T_ROWS), root / "t.parquet")
    (root / "sqlrun.toml").write_text(
        '[project]\ndialect = "spark"\nengine = "duckdb"\n\n[sources.t]\npath = "t.parquet"\n'
    )
    return root


def query(sql: str, dialect: str, name: str = "q") -> Query:
    return Query(name=name, path=Path(f"{name}.sql"), dialect=dialect, sql=sql)


def transpile(sql: str, read: str, engine: str) -> str:
    """One statement compiled for one engine, on one line (for table-style asserts)."""
    text = " ".join(compile_query(query(sql, read), target(engine)).split())
    return text.replace("( ", "(").replace(" )", ")")  # undo pretty-printing


def validate_all(sql: str, read: str, write: dict[str, str]) -> None:
    """sqlglot-style: `sql` in dialect `read` compiles to each engine's expected text."""
    for engine, expected in write.items():
        assert transpile(sql, read, engine) == expected, engine
