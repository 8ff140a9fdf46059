"""Result comparison rules, shared by `sqlrun parity`, the corpus and the TPC-H tests.

Two results are equal when they have the same number of columns and the same rows, where
rows are compared as multisets unless the query orders them, floats and decimals with a
relative tolerance, and NULL equals NULL. A DECIMAL of scale s also matches any number within
half a unit of its last digit when s >= 6: Spark rounds decimal division and AVG to scale 6,
while a coarser decimal (an AVG cut to scale 2) is a different answer. Column types are part of
the answer, compared as `type_name` spells them (representations of one SQL type alike).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlrun.errors import SqlrunError

if TYPE_CHECKING:
    import pyarrow as pa

REL_TOL = 1e-6
ABS_TOL = 1e-9
MIN_ROUNDED_SCALE = 6


@dataclass(frozen=True)
class Comparison:
    equal: bool
    reason: str = ""
    left_rows: tuple = ()
    right_rows: tuple = ()


def normalize_value(value):
    """One value in the form results are compared in: NaN as 'NaN' (so it equals itself), aware
    timestamps as naive UTC, lists as tuples, structs as sorted (key, value) tuples, bytes as text."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, (list, tuple)):
        return tuple(normalize_value(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, normalize_value(v)) for k, v in value.items()))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def type_name(type_: pa.DataType) -> str:
    """A column type as results compare it: string, large_string and string_view alike (and the
    binary kinds, list kinds, dictionary and plain values), timestamps and durations of any unit
    (a time zone is how a TIMESTAMP is shown, not another type), nullability and field names ignored."""
    import pyarrow.types as pt

    if pt.is_dictionary(type_):
        return type_name(type_.value_type)
    if pt.is_string(type_) or pt.is_large_string(type_) or pt.is_string_view(type_):
        return "string"
    if pt.is_binary(type_) or pt.is_large_binary(type_) or pt.is_binary_view(type_) or pt.is_fixed_size_binary(type_):
        return "binary"
    if pt.is_timestamp(type_):
        return "timestamp"
    if pt.is_duration(type_):
        return "duration"
    if pt.is_list(type_) or pt.is_large_list(type_) or pt.is_list_view(type_) or pt.is_fixed_size_list(type_):
        return f"list<{type_name(type_.value_type)}>"
    if pt.is_map(type_):
        return f"map<{type_name(type_.key_type)}, {type_name(type_.item_type)}>"
    if pt.is_struct(type_):
        return "struct<" + ", ".join(f"{f.name.lower()}: {type_name(f.type)}" for f in type_) + ">"
    return str(type_)


def type_difference(left: pa.Schema, right: pa.Schema) -> str:
    """'' when the columns have the same types (type_name), else the first that differs."""
    for i, (a, b) in enumerate(zip(left, right)):
        if type_name(a.type) != type_name(b.type):
            return f"column {i + 1} ({b.name}) type differs: {type_name(a.type)} vs {type_name(b.type)}"
    return ""


def rows_of(table: pa.Table) -> list[tuple]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [tuple(normalize_value(v) for v in row) for row in zip(*columns)]


def _sort_key(value):
    """A total order over mixed values: NULLs first, numbers rounded so near-equal floats meet."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float, Decimal)):
        return (2, float(f"{float(value):.5g}"))
    if isinstance(value, tuple):
        return (4, tuple(_sort_key(v) for v in value))
    return (3, str(value))


def _half_unit(value) -> float:
    """Half a unit in the last place of a decimal of scale >= 6; 0 otherwise."""
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent <= -MIN_ROUNDED_SCALE:
        return 0.5 * 10.0 ** value.as_tuple().exponent
    return 0.0


def values_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        tolerance = max(ABS_TOL, _half_unit(a), _half_unit(b))
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=tolerance)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    return a == b


def compare(left: pa.Table, right: pa.Table, ordered: bool = False, types: bool = False) -> Comparison:
    """Compare two results by the rules above (`types`: their column types too); on a
    difference, say where."""
    if left.num_columns != right.num_columns:
        return Comparison(False, f"column count differs: {left.num_columns} vs {right.num_columns}")
    if types and (reason := type_difference(left.schema, right.schema)):
        return Comparison(False, reason)
    if left.num_rows != right.num_rows:
        return Comparison(False, f"row count differs: {left.num_rows} vs {right.num_rows}")
    a, b = sort_rows(rows_of(left), ordered), sort_rows(rows_of(right), ordered)
    i = first_difference(a, b)
    if i is not None:
        kind = "row" if ordered else "sorted row"
        return Comparison(False, f"{kind} {i} differs", (a[i],), (b[i],))
    return Comparison(True)


def sort_rows(rows: list[tuple], ordered: bool) -> list[tuple]:
    """The rows in the order they are compared in: as they are when the query orders them,
    else sorted (multisets)."""
    return rows if ordered else sorted(rows, key=lambda r: tuple(_sort_key(v) for v in r))


def first_difference(a: list[tuple], b: list[tuple]) -> int | None:
    """The index of the first row that differs (or that only one side has); None if none does."""
    for i in range(max(len(a), len(b))):
        if i >= len(a) or i >= len(b) or len(a[i]) != len(b[i]):
            return i
        if not all(values_equal(x, y) for x, y in zip(a[i], b[i])):
            return i
    return None


def is_ordered(tree) -> bool:
    """Whether the query's outermost SELECT (or set operation) has an ORDER BY."""
    from sqlglot import exp

    node = tree
    while isinstance(node, exp.Subquery):
        node = node.this
    return isinstance(node, exp.Query) and node.args.get("order") is not None


@dataclass(frozen=True)
class ParityResult:
    query: str
    engine: str
    ok: bool
    seconds: float
    detail: str = ""
    comparison: Comparison | None = None
    rows: int = 0


def each_engine(query: str, engines: list[str], ordered: bool, run: Callable[[str], pa.Table]) -> list[ParityResult]:
    """`run(engine)` on each engine, each result compared with the first engine's (types too)."""
    results, reference = [], None
    for name in engines:
        started = time.perf_counter()
        try:
            table = run(name)
        except SqlrunError as exc:
            results.append(ParityResult(query, name, False, 0.0, str(exc)))
            continue
        seconds = time.perf_counter() - started
        if reference is None:
            reference = table
            results.append(ParityResult(query, name, True, seconds, "reference", rows=table.num_rows))
            continue
        cmp = compare(reference, table, ordered, types=True)
        results.append(ParityResult(query, name, cmp.equal, seconds, cmp.reason, cmp, table.num_rows))
    return results
