"""Spark's ARRAY_INSERT(a, pos, v) on DuckDB, for a position written as a number.

Spark 3.5 and 4: a position past the end pads with NULLs before v; -1 is after the last element;
a negative position past the start puts v first, then NULLs, then the array (array_constants.py
says the same for Polars). sqlglot's DuckDB spelling slices without padding, so those answers
were other lists. Spelled here with LIST_RESIZE, which pads with NULLs; position 0 (Spark's
error) and a position that is not a number are refused.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all
from sqlrun.engine.rewrites.narrowing import integer_literal

_AFTER = "LIST_CONCAT(LIST_RESIZE(__a[1:{p1}], {p1}), [__v], __a[{p}:])"
_BEFORE = (
    "CASE WHEN LEN(__a) - {k} + 1 >= 0"
    " THEN LIST_CONCAT(__a[1:LEN(__a) - {k} + 1], [__v], __a[LEN(__a) - {k} + 2:])"
    " ELSE LIST_CONCAT([__v], LIST_RESIZE(__a[1:0], {k} - LEN(__a) - 1), __a) END"
)


def _spelled(node: exp.ArrayInsert) -> exp.Expression:
    pos = integer_literal(node.args["position"])
    if not pos:
        raise Refused(node, "ARRAY_INSERT with a position that is not a nonzero number: its padding"
                            " (Spark's) depends on the array's length")
    text = _AFTER.format(p=pos, p1=pos - 1) if pos > 0 else _BEFORE.format(k=-pos)
    tree = exp.maybe_parse(f"CASE WHEN __a IS NULL THEN NULL ELSE {text} END", dialect="duckdb")
    for column in list(tree.find_all(exp.Column)):
        value = {"__a": node.this, "__v": node.expression}.get(column.name)
        if value is not None:
            column.replace(exp.paren(value.copy(), copy=False))
    return tree


def spark_array_insert(tree: exp.Expression, ctx) -> exp.Expression:
    return replace_all(tree, exp.ArrayInsert, _spelled)
