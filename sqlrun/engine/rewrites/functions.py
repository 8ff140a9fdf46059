"""Source functions sqlglot reads as unknown (exp.Anonymous), spelled out as expressions it
knows, with the source engine's meaning. The unknown-function check lets only names listed here
through; this is the first rule, so the others run on what it built.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from sqlrun.engine.rewrites import spark_builtins, table_functions, timestamp_parts
from sqlrun.engine.rewrites.base import SPARK, Context, Refused, is_null, replace_all


def _pmod(a: exp.Expression, n: exp.Expression) -> exp.Expression:
    # Spark: r = a % n; r < 0 gives (r + n) % n. x % 0 is NULL (ANSI off): the modulo rules
    # make it so where the engine would raise.
    def mod(x, y):
        return exp.Mod(this=exp.Paren(this=x), expression=exp.Paren(this=y))

    r = mod(a, n)
    negative = exp.LT(this=r.copy(), expression=exp.Literal.number(0))
    wrapped = mod(exp.Add(this=r.copy(), expression=n.copy()), n.copy())
    return exp.Paren(this=exp.case().when(negative, wrapped).else_(r))


def _is_null(x: exp.Expression) -> exp.Expression:
    return exp.Paren(this=is_null(x))


def _is_not_null(x: exp.Expression) -> exp.Expression:
    return exp.Paren(this=exp.Not(this=is_null(x)))


def _weekday(x: exp.Expression) -> exp.Expression:
    # Spark WEEKDAY: 0 = Monday .. 6 = Sunday, of a date, timestamp or date string.
    day = exp.DayOfWeekIso(this=exp.TryCast(this=x, to=exp.DataType.build("date")))
    return exp.Paren(this=exp.Sub(this=day, expression=exp.Literal.number(1)))


def _make_date(y: exp.Expression, m: exp.Expression, d: exp.Expression) -> exp.Expression:
    # An invalid date is NULL in Spark (ANSI off): rules/dates.py says so where it would raise.
    return exp.DateFromParts(year=y, month=m, day=d)


def _date_part(field: exp.Expression, x: exp.Expression) -> exp.Expression:
    # DATE_PART(field, x) is EXTRACT(field FROM x) in Spark and DuckDB; EXTRACT's rules apply.
    if not field.is_string:
        raise Refused(field, "DATE_PART is only translated for a constant field name")
    return exp.Extract(this=exp.var(field.name.upper()), expression=x)


# (source dialects, lower-case name) -> builder taking the call's arguments
FUNCTIONS: dict[tuple[tuple[str, ...], str], Callable[..., exp.Expression]] = {
    (SPARK, "pmod"): _pmod,
    (SPARK, "isnull"): _is_null,
    (SPARK, "isnotnull"): _is_not_null,
    (SPARK, "weekday"): _weekday,
    (SPARK, "make_date"): _make_date,
    (SPARK, "date_part"): _date_part,
    (("duckdb",), "date_part"): _date_part,
    (("duckdb",), "prefix"): lambda s, p: exp.StartsWith(this=s, expression=p),
    (("duckdb",), "suffix"): lambda s, p: exp.EndsWith(this=s, expression=p),
}
# Spark names other modules translate (tables, calls of several arities)
_SPARK_ELSEWHERE = (*table_functions.NAMES, *timestamp_parts.NAMES)
_BY_NAME = {(source, name): build for (sources, name), build in FUNCTIONS.items() for source in sources}


def known(source: str, name: str) -> bool:
    """Whether spell_out (or spark_builtins, table_functions, timestamp_parts) translates this
    source function (so it is not an unknown one)."""
    name = name.lower()
    return (source, name) in _BY_NAME or (source in SPARK and (spark_builtins.known(name) or name in _SPARK_ELSEWHERE))


def spell_out(tree: exp.Expression, ctx: Context) -> exp.Expression:
    """Replace the calls of listed source functions by their expressions; others are left.

    Innermost calls first, so a call inside another's arguments is spelled out before those
    arguments are copied."""
    for node in reversed(list(tree.find_all(exp.Anonymous))):
        build = _BY_NAME.get((ctx.source, node.name.lower()))
        if build is None:
            continue
        args = list(node.expressions)
        arity = build.__code__.co_argcount
        if len(args) != arity:
            raise Refused(node, f"{node.name.upper()} takes {arity} argument(s), got {len(args)}")
        new = build(*[a.copy() for a in args])
        new.meta.update(node.meta)  # errors point at the call as written
        if node is tree:
            return new
        node.replace(new)
    return tree


def spark_to_char_as_written(tree: exp.Expression, ctx: Context) -> exp.Expression:
    # Spark's to_char(x, format) back to Spark as written: sqlglot's Spark generator has no format.
    def build(node: exp.ToChar) -> exp.Expression:
        if set(node.args) - {"this", "format"} or node.args.get("format") is None:
            return node
        return exp.Anonymous(this="TO_CHAR", expressions=[node.this, node.args["format"]])

    return replace_all(tree, exp.ToChar, build)
