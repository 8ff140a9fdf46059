"""Spark's REGR_* aggregates and TRY_ADD for Polars, which has neither, spelled with the
aggregates it has.

REGR_xxx(y, x) reads only the rows where both are not NULL, as DOUBLEs (x', y' below; n their
count): REGR_COUNT is n; REGR_AVGX/AVGY are AVG(x'), AVG(y'); REGR_SXX/SYY/SXY are the sums of
squares and products about the means (n * VAR_POP, n * COVAR_POP; 0 for one row, NULL for
none); REGR_SLOPE = SXY / SXX and REGR_INTERCEPT = AVG(y') - SLOPE * AVG(x') are NULL where
SXX is 0; REGR_R2 is NULL where SXX is 0, 1 where SYY is 0, else SXY^2 / (SXX * SYY). Only for
numbers that are not DECIMALs (Spark keeps a DECIMAL's type there), and not in a window.

TRY_ADD of two integers narrower than BIGINT: the sum in BIGINT, NULL where it leaves the type;
of DOUBLEs, the sum.

DuckDB has the REGR_* aggregates; two differ from Spark's there (duckdb_regressions).
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import annotate, replace_all, spelled

KINDS = (exp.RegrCount, exp.RegrAvgx, exp.RegrAvgy, exp.RegrSxx, exp.RegrSyy, exp.RegrSxy, exp.RegrSlope,
         exp.RegrIntercept, exp.RegrR2, exp.SafeAdd)
_NUMBERS = (exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.BIGINT, exp.DType.FLOAT,
            exp.DType.DOUBLE)
_NARROW = {exp.DType.TINYINT: 8, exp.DType.SMALLINT: 16, exp.DType.INT: 32}


def polars_regressions(tree: exp.Expression, ctx) -> exp.Expression:
    if not any(True for _ in tree.find_all(*KINDS)):
        return tree  # nothing to spell: the tree is not annotated (types would change later rules)
    annotate(tree, ctx)
    return replace_all(tree, KINDS, _spelled)


def _typed(node: exp.Expression, *kinds) -> bool:
    return node is not None and node.type is not None and node.type.is_type(*kinds)


def _spelled(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.SafeAdd):
        return _try_add(node) or node
    y, x = node.this, node.expression
    if not (_typed(y, *_NUMBERS) and _typed(x, *_NUMBERS)) or isinstance(node.parent, exp.Window | exp.Filter):
        return node
    xs = spelled("CASE WHEN {y} IS NOT NULL THEN CAST({x} AS DOUBLE) END", x=x, y=y)
    ys = spelled("CASE WHEN {x} IS NOT NULL THEN CAST({y} AS DOUBLE) END", x=x, y=y)
    n = spelled("COUNT({x})", x=xs)
    sums = {  # the sums of squares and products: 0 for one row, NULL for none
        "xx": spelled("CASE WHEN {n} = 1 THEN 0.0D ELSE VAR_SAMP({x}) * ({n} - 1) END", n=n, x=xs),
        "yy": spelled("CASE WHEN {n} = 1 THEN 0.0D ELSE VAR_SAMP({y}) * ({n} - 1) END", n=n, y=ys),
        "xy": spelled("CASE WHEN {n} = 1 THEN 0.0D ELSE COVAR_SAMP({y}, {x}) * ({n} - 1) END", n=n, x=xs, y=ys),
    }
    if isinstance(node, exp.RegrCount):
        return n
    if isinstance(node, exp.RegrAvgx | exp.RegrAvgy):
        return exp.Avg(this=xs if isinstance(node, exp.RegrAvgx) else ys)
    if isinstance(node, exp.RegrSxx | exp.RegrSyy | exp.RegrSxy):
        key = {exp.RegrSxx: "xx", exp.RegrSyy: "yy", exp.RegrSxy: "xy"}[type(node)]
        return spelled("CASE WHEN {n} = 0 THEN CAST(NULL AS DOUBLE) ELSE {s} END", n=n, s=sums[key])
    text = {
        exp.RegrSlope: "{xy} / {xx}",
        exp.RegrIntercept: "AVG({y}) - {xy} / {xx} * AVG({x})",
        exp.RegrR2: "CASE WHEN {yy} = 0 THEN 1.0D ELSE {xy} * {xy} / {xx} / {yy} END",
    }[type(node)]
    value = spelled(text, x=xs, y=ys, **sums)
    return spelled("CASE WHEN {n} = 0 OR {xx} = 0 THEN CAST(NULL AS DOUBLE) ELSE {v} END", n=n, xx=sums["xx"], v=value)


def _try_add(node: exp.SafeAdd) -> exp.Expression | None:
    a, b = node.this, node.expression
    if _typed(a, exp.DType.DOUBLE) and _typed(b, exp.DType.DOUBLE):
        return exp.Add(this=a.copy(), expression=b.copy())
    if not (_typed(a, *_NARROW) and _typed(b, *_NARROW)):
        return None
    bits = max(_NARROW[a.type.this], _NARROW[b.type.this])
    to = a.type if _NARROW[a.type.this] == bits else b.type
    total = spelled("CAST({a} AS BIGINT) + CAST({b} AS BIGINT)", a=a, b=b)
    low, high = exp.Literal.number(-(2 ** (bits - 1))), exp.Literal.number(2 ** (bits - 1) - 1)
    inside = spelled("{t} BETWEEN {low} AND {high}", t=total, low=low, high=high)
    return exp.Case(ifs=[exp.If(this=inside, true=exp.Cast(this=total.copy(), to=to.copy()))])


def duckdb_regressions(tree: exp.Expression, ctx) -> exp.Expression:
    """DuckDB's REGR_SLOPE is NaN where the x values do not vary (Spark: NULL, a division by
    zero), and its REGR_COUNT a UINTEGER (Spark: BIGINT)."""
    return replace_all(tree, (exp.RegrSlope, exp.RegrCount, exp.Window, exp.Filter), _duckdb_spelled)


def _duckdb_spelled(node: exp.Expression) -> exp.Expression:
    call = node.this if isinstance(node, exp.Window | exp.Filter) else node
    if isinstance(node.parent, exp.Window | exp.Filter) or not isinstance(call, exp.RegrSlope | exp.RegrCount):
        return node  # the window (or FILTER) around it is spelled instead
    if isinstance(call, exp.RegrCount):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("BIGINT"))
    sxx = node.copy()
    inner = sxx.this if isinstance(sxx, exp.Window | exp.Filter) else sxx
    inner.replace(exp.RegrSxx(this=call.this.copy(), expression=call.expression.copy()))
    if sxx is inner:
        sxx = exp.RegrSxx(this=call.this.copy(), expression=call.expression.copy())
    return exp.Case(ifs=[exp.If(this=exp.NEQ(this=sxx, expression=exp.Literal.number(0)), true=node.copy())])
