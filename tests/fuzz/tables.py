"""Random typed tables (written as parquet): NULLs, NaN, -0.0, infinities, extremes, empty tables,
unicode, fractional-second timestamps, duplicates and ties."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sqlrun.config import Project, Source

# Column name -> (grammar type, Arrow type). `id` is unique (a total order for row_number, lag...);
# the others repeat values so that groups, joins and ORDER BY have ties.
COLUMNS = {
    "id": ("big", pa.int64()),
    "k": ("int", pa.int32()),
    "i": ("int", pa.int32()),
    "big": ("big", pa.int64()),
    "f": ("float", pa.float64()),
    "s": ("str", pa.string()),
    "d": ("date", pa.date32()),
    "ts": ("ts", pa.timestamp("us")),
    "b": ("bool", pa.bool_()),
    "m": ("dec", pa.decimal128(10, 2)),
}
TABLES = ("t1", "t2", "t3")
MAX_ROWS = 12

STRINGS = ["a", "b", "A", "", " a ", "abc", "ab%c", "É", "ü", "日本", "😀x", "a_b", "Zz", "null", "O'x", "a\tb",
           "1", "2.5"]
FLOATS = [0.0, -0.0, 1.5, -2.5, 0.1, 3.0, 1e10, -1e-10, 123.456, float("nan"), float("inf"), float("-inf")]
BIGS = [0, 1, -1, 2**63 - 1, -(2**63), 2**31 - 1, -(2**31), 2**31, 10**12]
DECIMALS = ["0.00", "-0.00", "1.25", "-3.75", "99999999.99", "-99999999.99", "0.01", "10.50"]


def _value(rng: random.Random, kind: str, nulls: float):
    if rng.random() < nulls:
        return None
    if kind == "int":
        return rng.choice([rng.randint(-20, 20), 0, 1, 2, 3])
    if kind == "big":
        return rng.choice(BIGS)
    if kind == "float":
        return rng.choice(FLOATS)
    if kind == "str":
        return rng.choice(STRINGS)
    if kind == "date":
        return dt.date(2024, 2, 29) + dt.timedelta(days=rng.choice([0, 1, -1, 30, -366, 1000, -20000, 400]))
    if kind == "ts":
        base = dt.datetime(2024, 2, 29, 23, 59, 59) + dt.timedelta(seconds=rng.choice([0, 1, -86400, 3600 * 5, 1e6]))
        return base + dt.timedelta(microseconds=rng.choice([0, 0, 500000, 123456, 1, 999999]))
    if kind == "bool":
        return rng.random() < 0.5
    return Decimal(rng.choice(DECIMALS))


def random_table(rng: random.Random) -> pa.Table:
    rows = 0 if rng.random() < 0.1 else rng.randint(1, MAX_ROWS)
    nulls = rng.choice([0.0, 0.15, 0.4])
    data = {}
    for name, (kind, arrow) in COLUMNS.items():
        if name == "id":
            values = list(range(1, rows + 1))
            rng.shuffle(values)
        elif name == "k":
            values = [None if rng.random() < nulls else rng.randint(0, 3) for _ in range(rows)]
        else:
            values = [_value(rng, kind, nulls) for _ in range(rows)]
        data[name] = pa.array(values, arrow)
    return pa.table(data)


def write_tables(rng: random.Random, root: Path) -> Project:
    """Every table as parquet under root, and a project (spark dialect, duckdb engine) reading them."""
    root.mkdir(parents=True, exist_ok=True)
    sources = {}
    for name in TABLES:
        path = root / f"{name}.parquet"
        pq.write_table(random_table(rng), path)
        sources[name] = Source(name=name, path=str(path), format="parquet")
    return Project(root=root, dialect="spark", engine="duckdb", queries_dir=root, sources=sources)
