"""Numbers: integer vs float division, FLOOR/CEIL result types."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

from sqlrun.engine.rewrites.base import POSTGRES_LIKE, SPARK, Refused, replace_all, rule

# --- division: Redshift divides integers as integers; everyone else gives a double ---

_INTEGER = exp.DataType.INTEGER_TYPES
_FRACTIONAL = {*exp.DataType.REAL_TYPES}


@rule("redshift_integer_division", sources=POSTGRES_LIKE)
def redshift_integer_division(tree, ctx):
    divs = list(tree.find_all(exp.Div))
    if not divs:
        return tree
    annotate_types(tree, dialect=ctx.source)
    for node in divs:
        left, right = node.this.type, node.expression.type
        if any(t is not None and t.is_type(*_FRACTIONAL) for t in (left, right)):
            continue  # a fractional operand: the same division everywhere
        if all(t is not None and t.is_type(*_INTEGER) for t in (left, right)):
            truncated = exp.IntDiv(this=node.this.copy(), expression=node.expression.copy())
            if ctx.engine != "spark":  # Spark DIV truncates toward zero; elsewhere spell it
                quotient = exp.Div(this=node.this.copy(), expression=node.expression.copy())
                truncated = exp.cast(exp.func("TRUNC", quotient), "bigint")
            node.replace(truncated)
            continue
        raise Refused(
            node,
            "Redshift '/' divides integers as integers, and the operand types are unknown here:"
            " CAST one operand to DECIMAL or FLOAT (or both to INT) to say which you mean",
        )
    return tree



# --- numbers ---


@rule("spark_floor_ceil_are_integral", sources=SPARK, engines=("duckdb", "polars"))
def spark_floor_integral(tree, ctx):
    # Spark FLOOR/CEIL(double) are BIGINT, so FLOOR(x) * 0.05 stays exact DECIMAL;
    # DuckDB and Polars keep a DOUBLE and give 0.15000000000000002.
    def build(node):
        if node.args.get("decimals") is not None or isinstance(node.parent, exp.Cast):
            return node
        return exp.cast(node.copy(), "bigint")

    return replace_all(tree, (exp.Floor, exp.Ceil), build)
