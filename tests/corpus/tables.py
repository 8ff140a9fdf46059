"""The corpus's input tables: small, fixed, with NULLs and edge cases, written as parquet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sqlrun.config import Project, Source

D = dt.date
TS = dt.datetime


def _t() -> pa.Table:
    """The fact table: one row per id, every column type, NULLs in every column but id."""
    return pa.table(
        {
            "id": pa.array([1, 2, 3, 4, 5, 6, 7], pa.int32()),
            "grp": ["a", "a", "b", "b", "c", None, "c"],
            "x": pa.array([10, 20, -5, None, 7, 0, 3], pa.int32()),
            "y": [1.5, 2.5, -0.5, 4.0, None, 0.0, 3.25],
            "amt": pa.array(
                [Decimal(v) if v else None for v in
                 ("10.25", "20.50", "-3.75", "0.00", "99.99", None, "5.10")],
                pa.decimal128(10, 2),
            ),
            "s": ["Apple", "banana", "  Cherry ", None, "", "a,b,c", "O'Brien"],
            "d": [D(2024, 1, 15), D(2024, 2, 29), D(2023, 12, 31), D(2024, 3, 1),
                  D(2024, 7, 4), None, D(2022, 11, 6)],
            "ts": pa.array(
                [TS(2024, 1, 15, 8, 30), TS(2024, 2, 29, 23, 59, 59), TS(2023, 12, 31, 12),
                 TS(2024, 3, 1), TS(2024, 7, 4, 17, 45, 30), None, TS(2022, 11, 6, 6, 5, 4)],
                pa.timestamp("us"),
            ),
            "flag": [True, False, True, None, False, True, False],
        }
    )


def _u() -> pa.Table:
    """The dimension table for joins: key 3 has no match in t, grp 'd' none either."""
    return pa.table(
        {
            "k": pa.array([1, 2, 3, 4], pa.int32()),
            "grp": ["a", "b", "d", None],
            "name": ["alpha", "beta", "delta", "nothing"],
            "lo": pa.array([0, 10, 20, -10], pa.int32()),
            "hi": pa.array([9, 19, 29, -1], pa.int32()),
        }
    )


def _l() -> pa.Table:
    """Lists: empty, NULL, NULL inside, duplicates."""
    return pa.table(
        {
            "id": pa.array([1, 2, 3, 4], pa.int32()),
            "xs": pa.array([[1, 2, 3], [], None, [5, None, 5]], pa.list_(pa.int32())),
            "tags": pa.array([["x", "y"], ["z"], None, ["x"]], pa.list_(pa.string())),
        }
    )


def _r() -> pa.Table:
    """The semantic rules' table: NULLs, negatives, a zero divisor, a leap day, a Sunday."""
    D, TS = dt.date, dt.datetime
    return pa.table(
        {
            "k": pa.array([1, 2, 3, 4, 5], pa.int64()),
            "i": pa.array([1, 2, None, 4, -7], pa.int64()),
            "j": pa.array([2, 0, 5, None, 2], pa.int64()),
            "f": [1.5, 2.5, None, 0.1, -2.5],
            "s": ["b", "a", None, "a", "c"],
            "d": [D(2024, 1, 7), D(2024, 2, 29), None, D(2023, 12, 31), D(2024, 3, 1)],
            "ts": pa.array([TS(2024, 1, 7, 10, 30), TS(2024, 2, 29, 23, 59), None, TS(2023, 12, 31, 0, 0),
                            TS(2024, 3, 1, 12, 0)], pa.timestamp("us")),
        }
    )


TABLES = {"t": _t, "u": _u, "l": _l, "r": _r}


def make_project(root: Path) -> Project:
    """Write every table as parquet under root and return a project reading them."""
    root.mkdir(parents=True, exist_ok=True)
    sources = {}
    for name, build in TABLES.items():
        path = root / f"{name}.parquet"
        pq.write_table(build(), path)
        sources[name] = Source(name=name, path=str(path), format="parquet")
    return Project(root=root, dialect="spark", engine="duckdb", queries_dir=root, sources=sources)
