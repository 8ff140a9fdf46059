"""DuckDB source, Spark engine: what Spark means otherwise (found by tests/fuzz, findings.md)."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, annotate, replace_all, spelled, typed_nodes


def duckdb_left_right_negative(tree, ctx):
    # DuckDB's LEFT(s, -n) drops n characters from the end (RIGHT(s, -n) from the start); Spark's
    # gives ''. A count not known to be >= 0 keeps |s| + n characters: the same text on Spark.
    def build(node):
        count = node.expression
        known = count.to_py() if count.is_int else None
        if known is not None and known >= 0:
            return node
        kept = exp.func("GREATEST", exp.Add(this=exp.Length(this=node.this.copy()), expression=count.copy()),
                        exp.Literal.number(0))
        negative = exp.LT(this=count.copy(), expression=exp.Literal.number(0))
        dropped = type(node)(this=node.this.copy(), expression=kept)
        if known is not None:
            return dropped
        return exp.Case(ifs=[exp.If(this=negative, true=dropped)], default=node.copy())

    return replace_all(tree, (exp.Left, exp.Right), build)



_NO_SPARK_PARTS = {"MILLENNIUM", "MILLENNIA", "MILLENNIUMS", "MIL", "MILS", "CENTURY", "CENTURIES", "C", "CENT",
                   "CENTS", "DECADE", "DECADES", "DEC", "DECS"}


def duckdb_calls_on_spark(tree, ctx):
    """DuckDB calls Spark means otherwise (found by the DuckDB corpus cases)."""
    for node in list(tree.find_all(exp.Extract)):
        if node.this.name.upper() in _NO_SPARK_PARTS:  # Spark's EXTRACT has no such field
            raise Refused(node, f"DuckDB's date part {node.this.name} is not translated for spark")
    for node in list(tree.find_all(exp.Escape)):
        escape = node.expression
        if not (isinstance(escape, exp.Literal) and len(escape.name) == 1):
            raise Refused(node, "LIKE ... ESCAPE with other than one character is not translated for spark")
    moments = (exp.DType.DATE, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPNTZ)
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(*moments)):
        kind = node.this.type
        if kind is not None and kind.is_type(*exp.DataType.NUMERIC_TYPES):
            if not isinstance(node, exp.TryCast):
                raise Refused(node, "DuckDB has no CAST from a number to a DATE or TIMESTAMP")
            node.replace(exp.cast(exp.null(), node.to.copy()))  # DuckDB's TRY_CAST of a number: NULL
    # DuckDB's SIGN is a TINYINT (Spark's: the argument's type, 1.0 for a double)
    tree = replace_all(tree, exp.Sign, lambda n: n if isinstance(n.parent, exp.Cast) and n.parent.to.is_type(
        exp.DType.TINYINT) else exp.cast(n.copy(), "tinyint"))
    # DuckDB's ATAN2 keeps the sign of a zero (atan2(-0.0, -1) is -pi); Spark adds 0.0 to both first
    return replace_all(tree, exp.Atan2, lambda n: exp.Paren(this=spelled(
        "CASE WHEN {y} = 0 AND NOT ISNAN({x}) THEN"
        " (CASE WHEN CAST(CAST({y} AS DOUBLE) AS STRING) LIKE '-%' THEN CAST(-1 AS DOUBLE) ELSE CAST(1 AS DOUBLE) END)"
        " * (CASE WHEN {x} < 0 OR ({x} = 0 AND CAST(CAST({x} AS DOUBLE) AS STRING) LIKE '-%') THEN PI()"
        " ELSE CAST(0 AS DOUBLE) END) ELSE ATAN2({y}, {x}) END", y=n.this, x=n.expression)))


ORDERED = (exp.In, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Between)
_QUANTIFIED = (exp.All, exp.Any, exp.Subquery)  # (sqlglot types `x >= ALL (...)`'s operand BOOLEAN)


def duckdb_booleans_among_numbers(tree, ctx):
    """DuckDB compares a boolean with a number as the number 1 or 0 (`2 IN (TRUE)` is false);
    Spark does so for = only and fails at run time on IN, <, BETWEEN (Polars refuses IN to plan):
    the boolean is CAST."""
    annotate(tree, ctx)
    for node in list(tree.find_all(ORDERED)):
        if isinstance(node, exp.In) and node.args.get("query"):
            continue
        operands = [node.this, *node.expressions] if isinstance(node, exp.In) else [
            node.args[k] for k in ("this", "expression", "low", "high") if node.args.get(k) is not None]
        kinds = [o.type for o in operands]
        if not any(k is not None and k.is_type(*exp.DataType.NUMERIC_TYPES) for k in kinds):
            continue
        for operand, kind in zip(operands, kinds):
            if kind is not None and kind.is_type(exp.DType.BOOLEAN) and not isinstance(operand, _QUANTIFIED):
                operand.replace(exp.cast(operand.copy(), "int"))
    return tree
