"""DuckDB's SUM of a BIGINT is a HUGEINT (exact past the BIGINT range); Polars sums in 64 bits
and wraps silently, as Spark does (ANSI off). On Polars a DuckDB BIGINT is summed as DECIMAL(38,
0), the type DuckDB's HUGEINT comes back as through Arrow; on DuckDB Spark's SUM of integers is
the exact sum wrapped to 64 bits (wrapping addition is the exact sum modulo 2^64, in any order)."""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from sqlrun.engine.rewrites.base import spelled, typed_nodes
from sqlrun.engine.rewrites.narrowing import wrap

WIDE = (exp.DType.BIGINT, exp.DType.UBIGINT)


def duckdb_sum_of_bigint(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Sum):
        args = node.this.expressions if isinstance(node.this, exp.Distinct) else [node.this]
        for arg in args:
            if arg.type is not None and arg.type.is_type(*WIDE):
                arg.replace(exp.cast(arg.copy(), exp.DataType.build("DECIMAL(38, 0)")))
    return tree


_INTEGERS = (exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.BIGINT)


def spark_sum_of_integers_wraps(tree, ctx):
    """Spark's SUM of integers is a BIGINT that wraps. DuckDB sums exactly (a HUGEINT): its sum is
    wrapped to 64 bits; Polars sums an INT in 32 bits: the argument as a BIGINT. Other engines keep
    their own SUM (SQLite fails on an overflow; Redshift's SUM of a BIGINT is an exact NUMERIC)."""
    if ctx.engine not in ("duckdb", "polars"):
        return tree  # (typing the tree here would change how the rules after it write it)
    for node in typed_nodes(tree, ctx, exp.Sum):
        arg = node.this.expressions[0] if isinstance(node.this, exp.Distinct) else node.this
        if arg.type is None or not arg.type.is_type(*_INTEGERS):
            continue
        if ctx.engine == "duckdb":
            whole = _with_window(node)
            whole.replace(wrap(whole, 64, exp.DataType.build("bigint")))
        elif not arg.type.is_type(exp.DType.BIGINT):
            arg.replace(exp.cast(arg.copy(), "bigint"))
    return tree


def spark_avg_of_decimals(tree, ctx):
    """Spark's AVG of a DECIMAL(p, s) is a DECIMAL(p + 4, s + 4), the exact mean rounded half up;
    DuckDB's a DOUBLE. Up to p = 18 it is computed exactly from SUM and COUNT in HUGEINT units
    ((2 * 10^4 * S + sign * n) // 2n truncates: half away from zero); wider, DuckDB's double
    mean is cast to Spark's type (a tie within 1e-16 of the mean may round the other way)."""
    for node in typed_nodes(tree, ctx, exp.Avg):
        kind = node.this.type
        if isinstance(node.this, exp.Distinct) or kind is None or not kind.is_type(exp.DType.DECIMAL):
            continue
        sized = isinstance(node.this, (exp.Column, exp.Cast)) or isinstance(node.this, exp.Round) and isinstance(
            node.this.this, (exp.Column, exp.Cast))
        if len(kind.expressions) != 2 or not sized:
            continue  # sqlglot's sizes of decimal arithmetic are not Spark's: left to the engine (a DOUBLE)
        p, s = (int(e.this.name) for e in kind.expressions)
        to = exp.DataType.build(f"DECIMAL({min(p + 4, 38)}, {min(s + 4, 38)})")
        whole = _with_window(node)
        if p > 18:
            whole.replace(exp.cast(whole.copy(), to))
            continue
        total = _over(whole, exp.Sum(this=node.this.copy()))
        units = exp.cast(exp.Mul(this=total, expression=exp.Literal.number(10**s)), "hugeint")
        count = exp.cast(_over(whole, exp.Count(this=node.this.copy())), "hugeint")
        mean = spelled("({u} * 20000 + SIGN({u}) * {n}) DIV NULLIF(2 * {n}, 0)", u=units, n=count)
        step = exp.Literal.number(format(Decimal(1).scaleb(-(s + 4)), "f"))
        whole.replace(exp.cast(exp.Mul(this=exp.cast(mean, "decimal(38, 0)"), expression=step), to))
    return tree


def _with_window(call: exp.Expression) -> exp.Expression:
    """The aggregate call with its FILTER and OVER, if any."""
    while isinstance(call.parent, (exp.Window, exp.Filter)) and call.parent.this is call:
        call = call.parent
    return call


def _over(whole: exp.Expression, call: exp.Expression) -> exp.Expression:
    """`call` with the FILTER and OVER of the aggregate `whole`."""
    if not isinstance(whole, (exp.Window, exp.Filter)):
        return call
    copy = whole.copy()
    copy.find(exp.AggFunc).replace(call)
    return copy


def duckdb_avg_of_decimals_on_spark(tree, ctx):
    """DuckDB's AVG of a DECIMAL is a DOUBLE, the exact sum divided by the count; Spark's a
    DECIMAL(p + 4, s + 4) rounded there (0.96364 for 0.963636...): Spark's exact SUM as a DOUBLE
    divided by the count (NULL over no rows, as the SUM is)."""
    for node in typed_nodes(tree, ctx, exp.Avg):
        kind = node.this.type
        if kind is None or not kind.is_type(exp.DType.DECIMAL):
            continue
        whole = _with_window(node)
        total = exp.cast(_over(whole, exp.Sum(this=node.this.copy())), "double")
        whole.replace(exp.Paren(this=exp.Div(this=total, expression=_over(whole, exp.Count(this=node.this.copy())))))
    return tree
