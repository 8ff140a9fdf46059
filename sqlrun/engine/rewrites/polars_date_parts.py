"""DuckDB's date parts on Polars (found by DuckDB's sqllogictests, function/date and timestamp).

- DuckDB stores an infinite DATE or TIMESTAMP as the extreme value of its integer (a DATE's day
  number +-2^31-1, a TIMESTAMP's count +-2^63-1, in any unit): a parquet file carries them so, and
  DuckDB reading it gives every part of one NULL. Polars reads plain extreme moments (it panics
  casting such a DATE to a TIMESTAMP). A date or timestamp column under a part is NULL there.
- DuckDB's millennium and century of a year <= 0 count down from -1 (year -1000: millennium -2),
  its decade truncates (year -1005: decade -100); Polars counts otherwise. Spelled from the year.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import typed_nodes

PARTS = (
    exp.Extract, exp.Year, exp.Month, exp.Day, exp.DayOfMonth, exp.DayOfWeek, exp.DayOfWeekIso,
    exp.DayOfYear, exp.WeekOfYear, exp.Week, exp.Quarter, exp.Hour, exp.Minute, exp.Second, exp.Dayname,
    exp.Monthname, exp.LastDay,
)
KINDS = (*PARTS, exp.Column)
TIMESTAMPS = (exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ,
              exp.DType.TIMESTAMP_S, exp.DType.TIMESTAMP_MS, exp.DType.TIMESTAMP_NS)
INFINITY = {exp.DType.DATE: 2**31 - 1, **dict.fromkeys(TIMESTAMPS, 2**63 - 1)}


def _moment(node: exp.Expression) -> exp.Expression:
    return node.expression if isinstance(node, exp.Extract) else node.this


def _finite(column: exp.Column, bound: int) -> exp.Expression:
    raw = exp.cast(column.copy(), exp.DType.BIGINT)
    infinite = exp.In(this=raw, expressions=[exp.Literal.number(bound), exp.Literal.number(-bound)])
    return exp.Case(ifs=[exp.If(this=infinite, true=exp.null())], default=column.copy())


def _year_count(year: exp.Expression, size: int) -> exp.Expression:
    """DuckDB's century (size 100) or millennium (1000) of a year."""

    def div(a, b):
        return exp.Anonymous(this="DIV", expressions=[a, exp.Literal.number(b)])

    one = exp.Literal.number(1)
    after = exp.Add(this=div(exp.Sub(this=year.copy(), expression=one.copy()), size), expression=one.copy())
    before = exp.Sub(this=div(year.copy(), size), expression=one.copy())
    positive = exp.GT(this=year.copy(), expression=exp.Literal.number(0))
    return exp.Case(ifs=[exp.If(this=positive, true=after)], default=before)


def _spelled_part(node: exp.Extract) -> exp.Expression | None:
    part = node.name.upper()
    if part not in ("MILLENNIUM", "CENTURY", "DECADE"):
        return None
    year = exp.Extract(this=exp.var("YEAR"), expression=node.expression.copy())
    if part == "DECADE":  # DIV truncates, as DuckDB's year / 10
        return exp.Anonymous(this="DIV", expressions=[year, exp.Literal.number(10)])
    return exp.Paren(this=_year_count(year, 1000 if part == "MILLENNIUM" else 100))


def _kind(column: exp.Column, ctx):
    """The column's type; where sqlglot could not type the tree, the one type the sources give its name."""
    if column.type is not None and column.type.this != exp.DType.UNKNOWN:
        return column.type.this
    types = {t.get(column.name) for t in (ctx.schema or {}).values()} - {None}
    return exp.DataType.build(types.pop(), dialect=ctx.source).this if len(types) == 1 else None


def duckdb_date_parts_on_polars(tree, ctx):
    nodes = typed_nodes(tree, ctx, PARTS)
    for node in nodes:
        for column in list(_moment(node).find_all(exp.Column)):
            kind = _kind(column, ctx)
            if kind in INFINITY:
                column.replace(_finite(column, INFINITY[kind]))
    for node in nodes:
        if isinstance(node, exp.Extract):
            spelled = _spelled_part(node)
            if spelled is not None:
                node.replace(spelled)
    return tree
