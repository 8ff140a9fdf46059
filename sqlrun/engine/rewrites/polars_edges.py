"""Small differences of Polars found by DuckDB's sqllogictests (tests/duckdb_slt).

- Polars folds `-CAST(0 AS DOUBLE)` to +0.0 (a column's -0.0 stays): a negated float constant
  that may be 0 is x * -1.
- CORR and COVAR_POP/SAMP fail on a DECIMAL in Polars; every source computes them in DOUBLE.
- DuckDB casts a DOUBLE to DECIMAL(p, s) rounding x * 10^s half away from zero, Polars half to
  even: a tie (x * 10^s ending in exactly .5) is spelled as the next unit away from zero.
- DuckDB's MEDIAN of a DECIMAL is a DECIMAL, Polars' a DOUBLE: refused.
- Polars cannot compare STRUCT values (a run-time error): refused.
- DuckDB's INTERVAL (a timestamp minus a timestamp, an aggregate of intervals) comes back from
  Polars as a duration (other Arrow type, other text: '132:00:00' for '5 days 12:00:00'): such an
  output column, or its CAST to text, is refused.
- DuckDB's range() table names its column `range` (Polars' generate_series: `generate_series`):
  its alias gets that column name.
- LIMIT without ORDER BY over UNION ALL: DuckDB keeps the branches' order, Polars runs them in
  any order, so other rows are kept: refused, as an aggregate of the row order (STRING_AGG,
  ARRAY_AGG, FIRST, any_value without ORDER BY) over a UNION ALL in FROM.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, annotate, replace_all, typed_nodes

FLOATS = (exp.DType.DOUBLE, exp.DType.FLOAT)
STATISTICS = (exp.Corr, exp.CovarPop, exp.CovarSamp)
COMPARISONS = (exp.GT, exp.GTE, exp.LT, exp.LTE)
KINDS = (exp.Neg, exp.Cast, exp.TryCast, exp.Median, *STATISTICS, *COMPARISONS, exp.Limit)


def _is(node: exp.Expression, *kinds) -> bool:
    return node.type is not None and node.type.is_type(*kinds)


def _float_negation(node):
    x = node.this
    nonzero = isinstance(x, exp.Literal) and x.is_number and float(x.name) != 0
    if _is(x, *FLOATS) and not nonzero and not x.find(exp.Column):  # a constant that may be 0
        return exp.Paren(this=exp.Mul(this=node.this.copy(), expression=exp.Literal.number(-1)))
    return node


def _decimal_cast(node):
    """CAST(double AS DECIMAL(p, s)) with DuckDB's ties away from zero."""
    to, x = node.to, node.this
    if not (to.is_type(exp.DType.DECIMAL) and _is(x, *FLOATS)):
        return node
    params = to.expressions
    scale = int(params[1].name) if len(params) > 1 else 0
    x = exp.cast(x.copy(), exp.DType.DOUBLE)
    shifted = exp.Mul(this=exp.Abs(this=x.copy()), expression=exp.Literal.number(10**scale))
    floor = exp.Floor(this=shifted.copy())
    tie = exp.EQ(this=exp.Sub(this=shifted, expression=floor.copy()), expression=exp.Literal.number("0.5"))
    next_unit = exp.Paren(this=exp.Add(this=floor, expression=exp.Literal.number(1)))
    away = exp.Mul(this=exp.Sign(this=x.copy()), expression=next_unit)
    unit = exp.Div(this=away, expression=exp.Literal.number(10**scale))
    return exp.Case(ifs=[exp.If(this=tie, true=node.__class__(this=unit, to=to.copy()))], default=node.copy())


def polars_float_negation(tree, ctx):
    typed_nodes(tree, ctx, exp.Neg)
    return replace_all(tree, exp.Neg, _float_negation)


def duckdb_numbers_on_polars(tree, ctx):
    nodes = typed_nodes(tree, ctx, (exp.Cast, exp.TryCast, exp.Median, *STATISTICS, *COMPARISONS),
                        operands=("this", "expression"))
    for node in nodes:
        if isinstance(node, exp.Median) and _is(node.this, exp.DType.DECIMAL):
            raise Refused(node, "Polars' MEDIAN of a DECIMAL is a DOUBLE (DuckDB's a DECIMAL)")
        if isinstance(node, STATISTICS):
            for arg in (node.this, node.expression):
                if _is(arg, exp.DType.DECIMAL):
                    arg.replace(exp.cast(arg.copy(), exp.DType.DOUBLE))
        if isinstance(node, COMPARISONS) and any(_is(a, exp.DType.STRUCT) for a in (node.this, node.expression)):
            raise Refused(node, "Polars cannot compare STRUCT values")
    return replace_all(tree, (exp.Cast, exp.TryCast), _decimal_cast)


TIMESTAMPS = (exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ,
              exp.DType.TIMESTAMP_S, exp.DType.TIMESTAMP_MS, exp.DType.TIMESTAMP_NS)
TEXTS = (exp.DType.VARCHAR, exp.DType.TEXT, exp.DType.CHAR)


def _interval(node: exp.Expression) -> bool:
    node = node.unalias()
    while isinstance(node, exp.Paren):
        node = node.this
    if _is(node, exp.DType.INTERVAL):
        return True
    if isinstance(node, exp.Sub):
        return _is(node.this, *TIMESTAMPS) and _is(node.expression, *TIMESTAMPS)
    if isinstance(node, exp.Window | exp.AggFunc | exp.Coalesce):
        return isinstance(node.this, exp.Expression) and _interval(node.this)
    return False


def duckdb_intervals_on_polars(tree, ctx):
    annotate(tree, ctx)
    outputs = [e for select in tree.find_all(exp.Select) if select.parent_select is None
               for e in select.expressions]
    casts = [c.this for c in tree.find_all(exp.Cast, exp.TryCast) if c.to.is_type(*TEXTS)]
    for node in [*outputs, *casts]:
        if _interval(node):
            raise Refused(node, "Polars gives a DuckDB INTERVAL as a duration (another type and text)")
    return tree


ORDER_SENSITIVE = (exp.GroupConcat, exp.ArrayAgg, exp.First, exp.Last, exp.AnyValue)


def _union_all(node) -> bool:
    return isinstance(node, exp.Union) and not node.args.get("distinct")


def duckdb_union_limit_on_polars(tree, ctx):
    for limit in tree.find_all(exp.Limit):
        query = limit.parent
        if _union_all(query) and not query.args.get("order"):
            raise Refused(limit, "LIMIT without ORDER BY over UNION ALL: Polars runs the branches in any order")
    for select in tree.find_all(exp.Select):
        source = select.args.get("from_") or select.args.get("from")
        inner = source.this if source is not None else None
        if not (isinstance(inner, exp.Subquery) and _union_all(inner.this)):
            continue
        for agg in select.find_all(*ORDER_SENSITIVE):
            if agg.parent_select is select and not agg.find(exp.Order) and not isinstance(agg.parent, exp.Window):
                raise Refused(agg, "an aggregate of the row order (no ORDER BY) over UNION ALL: Polars runs the"
                              " branches in any order")
    return tree


def duckdb_range_column_on_polars(tree, ctx):
    for table in tree.find_all(exp.Table):
        series = table.this
        if not (isinstance(series, exp.GenerateSeries) and series.args.get("is_end_exclusive")):
            continue
        alias = table.args.get("alias")
        if alias is None:
            table.set("alias", exp.TableAlias(this=exp.to_identifier("range"), columns=[exp.to_identifier("range")]))
        elif not alias.columns:
            alias.set("columns", [exp.to_identifier("range")])
    return tree
