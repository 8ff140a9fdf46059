"""A result against a sqllogictest expected block, as DuckDB's runner compares (test/sqlite/result_helper.cpp).

Each value becomes its DuckDB text (CAST AS VARCHAR; NULL, `(empty)`, booleans as 1/0), the result
is sorted as the query says (rowsort: rows by their texts; valuesort: all texts), and the expected
lines (one value a line, or one tab-separated row a line) are compared value by value: equal texts
pass; otherwise a numeric column compares both sides cast to its type (floats within 1 % + 1e-8),
a boolean column compares true/1 and false/0, any other column fails. A `N values hashing to
<md5>` block compares the md5 of the sorted texts.
"""

from __future__ import annotations

import hashlib
import math
import re

import duckdb
import pyarrow as pa

HASH = re.compile(r"^\d+ values hashing to [0-9a-z]{32}$")
NUMERIC = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL.*)$")


_CONNECTION: list = []  # values to text, texts to types: one connection, in UTC


def _con():
    if not _CONNECTION:
        _CONNECTION.append(duckdb.connect())
        _CONNECTION[0].execute("SET TimeZone = 'UTC'")
    return _CONNECTION[0]


def _renewed(exc: Exception) -> Exception:
    """After an internal error DuckDB refuses every later statement: start a new connection."""
    if isinstance(exc, (duckdb.FatalException, duckdb.InternalException)):
        _CONNECTION.clear()
    return exc


class Texts:
    """A result as the runner sees it: its values' texts row by row and its DuckDB column types."""

    def __init__(self, table: pa.Table):
        self.ncols, self.nrows = table.num_columns, table.num_rows
        table = table.rename_columns([f"c{i}" for i in range(self.ncols)])
        try:
            rel = _con().from_arrow(table)
            self.types = [str(t) for t in rel.types]
            cols = [f"CASE c{i} WHEN true THEN '1' WHEN false THEN '0' END" if t == "BOOLEAN"
                    else f"CAST(c{i} AS VARCHAR)" for i, t in enumerate(self.types)]
            rows = rel.project(", ".join(cols)).fetchall() if self.ncols else []
        except duckdb.Error as exc:
            raise _renewed(exc) from None
        self.values = [_text(v) for row in rows for v in row]


def _text(value) -> str:
    if value is None:
        return "NULL"
    return "(empty)" if value == "" else value.replace("\0", "\\0")


def sort_values(values: list[str], sort: str, ncols: int) -> list[str]:
    if sort == "valuesort":
        return sorted(values)
    if sort == "rowsort" and ncols:
        rows = sorted(values[i:i + ncols] for i in range(0, len(values), ncols))
        return [v for row in rows for v in row]
    return values


def expected_rows_sorted(expected: list[str], ncols: int) -> list[str]:
    """The expected values (one a line, or one row a line) as rowsort gives them: one value a
    line, rows sorted by their texts."""
    if ncols > 1 and expected and all("\t" in line for line in expected):
        values = [v for line in expected for v in line.split("\t")]
    else:
        values = list(expected)
    return sort_values(values, "rowsort", ncols)


def hash_of(values: list[str]) -> str:
    digest = hashlib.md5("".join(f"{v}\n" for v in values).encode()).hexdigest()
    return f"{len(values)} values hashing to {digest}"


def difference(texts: Texts, expected: list[str], ncols: int, sort: str) -> str:
    """'' when the result matches the expected lines by the runner's rules, else what differs."""
    got = sort_values(texts.values, sort, texts.ncols)
    if len(expected) == 1 and HASH.match(expected[0]):
        found = hash_of(got)
        return "" if found == expected[0] else f"hash differs: expected {expected[0]} got {found}"
    if ncols != texts.ncols:
        return f"column count differs: {ncols} vs {texts.ncols}"
    row_wise = ncols > 1 and len(expected) == texts.nrows or all("\t" in v for v in expected) and expected
    if row_wise:
        want = [v for line in expected for v in line.split("\t")]
        if any(len(line.split("\t")) != ncols for line in expected):
            return "an expected row splits into another number of columns"
        nrows = len(expected)
    else:
        want, nrows = expected, len(expected) // ncols
        if len(expected) % ncols:
            return "expected values do not divide into rows"
    if nrows != texts.nrows:
        return f"row count differs: {nrows} vs {texts.nrows}"
    for i, (g, w) in enumerate(zip(got, want)):
        if not values_equal(g, w, texts.types[i % ncols]):
            return f"row {i // ncols + 1} column {i % ncols + 1}: expected {w!r:.200} got {g!r:.200}"
    return ""


def values_equal(got: str, want: str, sql_type: str) -> bool:
    if got == want:
        return True
    if NUMERIC.match(sql_type):
        a, b = _cast(got, sql_type), _cast(want, sql_type)
        if a is _FAILED or b is _FAILED or (a is None) != (b is None):
            return False
        if a is None:
            return True
        if sql_type in ("FLOAT", "DOUBLE"):
            return _approx_equal(float(b), float(a))
        return a == b
    if sql_type == "BOOLEAN":
        return _bool(got) == _bool(want)
    return False


_FAILED = object()


def _cast(text: str, sql_type: str):
    if text == "NULL":
        return None
    try:
        value = _con().execute(f"SELECT TRY_CAST($1 AS {sql_type})", [text]).fetchall()[0][0]
    except duckdb.Error as exc:
        raise _renewed(exc) from None
    return _FAILED if value is None else value


def _approx_equal(want: float, got: float) -> bool:
    """DuckDB's ApproxEqual (src/common/types.cpp): NaN = NaN, within 1 % of the result plus 1e-8."""
    if math.isnan(want) and math.isnan(got):
        return True
    if not (math.isfinite(want) and math.isfinite(got)):
        return want == got
    return abs(want - got) <= abs(got) * 0.01 + 0.00000001


def _bool(text: str):
    low = text.lower()
    return 1 if low in ("true", "1") else 0 if low in ("false", "0") else None
