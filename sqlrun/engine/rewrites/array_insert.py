"""Spark's ARRAY_INSERT(a, pos, v) on DuckDB, for a position written as a number.

Spark 3.5 and 4: a position past the end pads with NULLs before v; -1 is after the last element;
a negative position past the start puts v first, then NULLs, then the array (array_constants.py
says the same for Polars). sqlglot's DuckDB spelling slices without padding, so those answers
were other lists. Spelled here with LIST_RESIZE, which pads with NULLs; position 0 (Spark's
error) and a position that is not a number are refused.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all, spelled
from sqlrun.engine.rewrites.narrowing import integer_literal

_AFTER = "LIST_CONCAT(LIST_RESIZE({{a}}[1:{p1}], {p1}), [{{v}}], {{a}}[{p}:])"
_BEFORE = (
    "CASE WHEN LEN({{a}}) - {k} + 1 >= 0"
    " THEN LIST_CONCAT({{a}}[1:LEN({{a}}) - {k} + 1], [{{v}}], {{a}}[LEN({{a}}) - {k} + 2:])"
    " ELSE LIST_CONCAT([{{v}}], LIST_RESIZE({{a}}[1:0], {k} - LEN({{a}}) - 1), {{a}}) END"
)


def _spelled(node: exp.ArrayInsert) -> exp.Expression:
    pos = integer_literal(node.args["position"])
    if not pos:
        raise Refused(node, "ARRAY_INSERT with a position that is not a nonzero number: its padding"
                            " (Spark's) depends on the array's length")
    text = _AFTER.format(p=pos, p1=pos - 1) if pos > 0 else _BEFORE.format(k=-pos)
    return spelled(f"CASE WHEN {{a}} IS NULL THEN NULL ELSE {text} END", "duckdb", a=node.this, v=node.expression)


def spark_array_insert(tree: exp.Expression, ctx) -> exp.Expression:
    return replace_all(tree, exp.ArrayInsert, _spelled)
