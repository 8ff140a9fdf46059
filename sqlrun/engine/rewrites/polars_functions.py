"""Spark functions Polars SQL lacks, spelled with the functions it has (probed on polars 2.1),
with Spark's answers: NULLs, NaN and infinities included; what cannot be said exactly is left
as written (the generator refuses it).

- VAR_POP / STDDEV_POP: VAR_SAMP scaled by (n - 1) / n; one value gives 0 (NaN for inf, NaN).
- SINH, COSH, TANH through EXP (EXP(|x| - ln 2): no overflow before the result's; a short
  series near 0, where EXP loses the digits);
  ASINH, ACOSH, ATANH as Spark computes them (LN(x + SQRT(x * x +- 1)), LOG1P).
- ROUND(integer, -d): half away from zero in integers, wrapped to its type as Spark does (a
  BIGINT column is left: its arithmetic would overflow).
- WIDTH_BUCKET(v, lo, hi, n): Spark's buckets (NULL for n <= 0, lo = hi, NaN or infinite ends).
- BOOL_OR / BOOL_AND: MAX / MIN of a boolean.
- CONTAINS(text, text): STRPOS(...) > 0.
- NEXT_DAY(date, 'Mon'): the day number plus 1 to 7 (a name Spark does not know: NULL).
- DATE_ADD(date, n) of a count that is not a constant: the day number plus n.
"""

from __future__ import annotations

import datetime
import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import annotate, replace_all, spelled
from sqlrun.engine.rewrites.spark_calls import _BITS, _integer_literal, _wrap

INTEGERS = (exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.BIGINT)
NUMBERS = (*INTEGERS, exp.DType.DOUBLE, exp.DType.FLOAT, exp.DType.DECIMAL)
TEXT = (exp.DType.VARCHAR, exp.DType.TEXT, exp.DType.CHAR, exp.DType.NULL, exp.DType.UNKNOWN)
# (Polars orders NaN above every number, infinity included: ABS(NaN) >= inf holds there)
NAN, INFINITY = exp.cast(exp.Literal.string("NaN"), "double"), exp.cast(exp.Literal.string("Infinity"), "double")
DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # Polars' DOW: 0 is Sunday
DAY_NAMES = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
KINDS = (exp.VariancePop, exp.StddevPop, exp.Sinh, exp.Cosh, exp.Tanh, exp.Asinh, exp.Acosh, exp.Atanh,
         exp.Round, exp.WidthBucket, exp.LogicalOr, exp.LogicalAnd, exp.Contains, exp.NextDay, exp.TsOrDsAdd)


def polars_spark_functions(tree: exp.Expression, ctx) -> exp.Expression:
    if not any(True for _ in tree.find_all(*KINDS)):
        return tree  # nothing to spell: the tree is not annotated (types would change later rules)
    annotate(tree, ctx)
    return replace_all(tree, KINDS, _spelled)


def _spelled(node: exp.Expression) -> exp.Expression:
    build = BUILDERS.get(type(node))
    return (build(node) or node) if build else node


def _double(node: exp.Expression) -> exp.Expression:
    return exp.cast(node.copy(), "double")


def _typed(node: exp.Expression, *kinds) -> bool:
    return node is not None and node.type is not None and node.type.is_type(*kinds)


def _variance_pop(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node.parent, exp.Window | exp.Filter) or not _typed(node.this, *NUMBERS):
        return None
    x = _double(node.this)
    var = spelled("CASE WHEN COUNT({x}) = 1 THEN MAX({x}) - MAX({x}) "
                  "ELSE VAR_SAMP({x}) * (COUNT({x}) - 1) / COUNT({x}) END", x=x)
    return spelled("SQRT({v})", v=var) if isinstance(node, exp.StddevPop) else var


def _hyperbolic(node: exp.Expression) -> exp.Expression | None:
    if not _typed(node.this, *NUMBERS):
        return None
    x = _double(node.this)
    text = {
        exp.Sinh: "CASE WHEN ABS({x}) < 1e-5 THEN {x} + {x} * {x} * {x} / 6 "
                  "ELSE SIGN({x}) * (EXP(ABS({x}) - {ln2}) - EXP(-ABS({x})) / 2) END",
        exp.Cosh: "EXP(ABS({x}) - {ln2}) + EXP(-ABS({x})) / 2",
        exp.Tanh: "CASE WHEN {x} = {nan} THEN {x} WHEN ABS({x}) < 1e-5 THEN {x} - {x} * {x} * {x} / 3 "
                  "WHEN {x} > 20 THEN 1.0D WHEN {x} < -20 THEN -1.0D ELSE 1 - 2 / (EXP(2 * {x}) + 1) END",
        exp.Asinh: "CASE WHEN {x} = CAST('-infinity' AS DOUBLE) THEN {x} ELSE LN({x} + SQRT({x} * {x} + 1)) END",
        exp.Acosh: "LN({x} + SQRT({x} * {x} - 1))",
        exp.Atanh: "0.5D * (LOG1P({x}) - LOG1P(-{x}))",
    }[type(node)]
    return spelled(text, x=x, nan=NAN, ln2=exp.cast(exp.Literal.number("0.6931471805599453"), "double"))


def _round(node: exp.Round) -> exp.Expression | None:
    """Spark rounds an integer half away from zero and wraps what leaves its type."""
    places, literal = node.args.get("decimals"), _integer_literal(node.this)
    if not isinstance(places, exp.Neg) or not places.this.is_int or int(places.this.name) > 18:
        return None
    step = 10 ** int(places.this.name)
    if literal is not None:
        (value, to) = literal
        rounded = (abs(value) + step // 2) // step * step * (1 if value >= 0 else -1)
        return exp.cast(exp.Literal.number(_wrap(rounded, _BITS[to.this])), to.copy())
    if not _typed(node.this, exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT):
        return None  # (a BIGINT would overflow BIGINT arithmetic)
    half, size = 2 ** (_BITS[node.this.type.this] - 1), 2 ** _BITS[node.this.type.this]
    rounded = spelled("(SIGN({x}) * ((ABS({x}) + {h}) DIV {s}) * {s} + {half}) % {size}",
                      x=exp.cast(node.this, "bigint"), h=exp.Literal.number(step // 2), s=exp.Literal.number(step),
                      half=exp.Literal.number(half), size=exp.Literal.number(size))
    wrapped = spelled("({r} + {size}) % {size} - {half}", r=rounded, size=exp.Literal.number(size),
                      half=exp.Literal.number(half))
    return exp.Cast(this=wrapped, to=node.this.type.copy())


def _width_bucket(node: exp.WidthBucket) -> exp.Expression | None:
    v, lo, hi, n = (node.args.get(a) for a in ("this", "min_value", "max_value", "num_buckets"))
    if not all(_typed(a, *NUMBERS, exp.DType.NULL) for a in (v, lo, hi, n)):
        return None
    return spelled(
        "CASE WHEN {v} IS NULL OR {lo} IS NULL OR {hi} IS NULL OR {n} IS NULL THEN NULL "
        "WHEN {n} <= 0 OR {n} >= 9223372036854775807 OR {lo} = {hi} OR {v} = {nan} "
        "OR ABS({lo}) >= {inf} OR ABS({hi}) >= {inf} THEN NULL "
        "WHEN {lo} < {hi} THEN CASE WHEN {v} < {lo} THEN 0 WHEN {v} >= {hi} THEN {n} + 1 "
        "ELSE CAST({n} * ({v} - {lo}) / ({hi} - {lo}) AS BIGINT) + 1 END "
        "ELSE CASE WHEN {v} > {lo} THEN 0 WHEN {v} <= {hi} THEN {n} + 1 "
        "ELSE CAST({n} * ({lo} - {v}) / ({lo} - {hi}) AS BIGINT) + 1 END END",
        v=_double(v), lo=_double(lo), hi=_double(hi), n=exp.cast(n.copy(), "bigint"), nan=NAN, inf=INFINITY)


def _logical(node: exp.Expression) -> exp.Expression | None:
    if not _typed(node.this, exp.DType.BOOLEAN):
        return None
    return (exp.Max if isinstance(node, exp.LogicalOr) else exp.Min)(this=node.this.copy())


def _contains(node: exp.Contains) -> exp.Expression | None:
    if not (_typed(node.this, *TEXT) and _typed(node.expression, *TEXT)):
        return None
    text, part = (exp.cast(a.copy(), "string") for a in (node.this, node.expression))
    return exp.GT(this=exp.StrPosition(this=text, substr=part), expression=exp.Literal.number(0))


def _next_day(node: exp.NextDay) -> exp.Expression | None:
    name, start = node.expression, _date(node.this)
    if not isinstance(name, exp.Literal | exp.Null) or start is None:
        return None
    text = name.name.upper() if isinstance(name, exp.Literal) else ""
    days = [i for i, d in enumerate(DAYS) if text in (d, DAY_NAMES[i][:3], DAY_NAMES[i])]
    if not days or isinstance(start, exp.Null):
        return exp.cast(exp.Null(), "date")
    return spelled(f"CAST(CAST({{d}} AS INT) + ({days[0]} - DATE_PART('dow', {{d}}) + 6) % 7 + 1 AS DATE)", d=start)


def _date(node: exp.Expression) -> exp.Expression | None:
    """The node as a DATE: a date, a timestamp, NULL, or a text literal read as Spark reads it
    ('2015-07-23 12:12:12' is that day; a text with no digit is NULL); None: not known."""
    if isinstance(node, exp.Null) or _typed(node, exp.DType.NULL):
        return exp.Null()
    if _typed(node, exp.DType.DATE):
        return node
    if _typed(node, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPNTZ, exp.DType.DATETIME):
        return exp.cast(node.copy(), "date")
    if isinstance(node, exp.Literal) and node.is_string:
        found = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.]*)?\s*", node.name)
        if found:
            try:
                day = datetime.date(*map(int, found.groups()))
            except ValueError:
                return exp.Null()
            return exp.cast(exp.Literal.string(day.isoformat()), "date")
        if not re.search(r"\d", node.name):
            return exp.Null()
    return None


def _add_days(node: exp.TsOrDsAdd) -> exp.Expression | None:
    """DATE_ADD(d, n) of a count that is not a constant (Polars' INTERVAL takes constants only)."""
    n, unit, start = node.expression, node.text("unit").upper() or "DAY", _date(node.this)
    constant = not n.find(exp.Column, exp.Null, exp.Cast, exp.TryCast)
    if constant or unit != "DAY" or start is None or not _typed(n, *INTEGERS, exp.DType.NULL):
        return None
    if isinstance(start, exp.Null) or n.find(exp.Null):
        return exp.cast(exp.Null(), "date")
    return spelled("CAST(CAST({d} AS INT) + CAST({n} AS INT) AS DATE)", d=start, n=n)


BUILDERS = {
    exp.VariancePop: _variance_pop, exp.StddevPop: _variance_pop,
    exp.Sinh: _hyperbolic, exp.Cosh: _hyperbolic, exp.Tanh: _hyperbolic,
    exp.Asinh: _hyperbolic, exp.Acosh: _hyperbolic, exp.Atanh: _hyperbolic,
    exp.Round: _round, exp.WidthBucket: _width_bucket,
    exp.LogicalOr: _logical, exp.LogicalAnd: _logical, exp.Contains: _contains, exp.NextDay: _next_day,
    exp.TsOrDsAdd: _add_days,
}
