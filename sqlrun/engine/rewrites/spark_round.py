"""Spark's ROUND of a DOUBLE rounds the number's shortest decimal text half up (Scala's
BigDecimal(d).setScale(n, HALF_UP)): ROUND(28.65, 1) is 28.7. DuckDB rounds x * 10^n in binary
(28.6) and the Polars spelling gave 28.700000000000003. Spelled on both as that decimal: the
double's text (shortest on both engines) read as a DECIMAL wide enough for all its digits,
rounded (half away from zero there too), and read back through its text (correctly rounded).

Outside the decimal's reach the answer is known without it: NaN and infinities stay; from
10^(17-n) (and 2^52 for n >= 0) up every double is a multiple of 10^-n already; below
0.4 * 10^-n the answer is 0.0 (Spark's BigDecimal has no -0.0)."""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, spelled, typed_nodes
from sqlrun.engine.rewrites.narrowing import integer_literal
from sqlrun.engine.spark_types import rounded_decimal

_FLOATS = (exp.DType.DOUBLE, exp.DType.FLOAT)
_PLACES = {"duckdb": range(-4, 21), "polars": range(0, 21)}  # DECIMAL(38, ...) holds 17 digits either side


def _decimal_literal(node: exp.Expression) -> bool:
    """Spark reads 2.5 as a DECIMAL (sqlglot: a DOUBLE); 2.5E0 and 2.5D are doubles."""
    return isinstance(node, exp.Literal) and node.is_number and "e" not in node.name.lower()


def spark_round_of_doubles(tree: exp.Expression, ctx) -> exp.Expression:
    for node in reversed(typed_nodes(tree, ctx, exp.Round)):  # innermost first
        x = node.this
        if x.type is None or not x.type.is_type(*_FLOATS):
            continue
        if any(_decimal_literal(n) and not isinstance(n.parent, exp.Cast) for n in x.walk()):
            continue  # a DECIMAL on Spark, or of one: sqlglot's type is not Spark's
        places = node.args.get("decimals")
        n = 0 if places is None else integer_literal(places)
        if n is None or n not in _PLACES[ctx.engine]:
            span = _PLACES[ctx.engine]
            raise Refused(node, f"Spark's ROUND of a double to {places.sql('spark')} places is not translated for"
                                f" {ctx.engine} (a constant from {span.start} to {span.stop - 1})")
        node.replace(_rounded(exp.cast(x.copy(), "double"), n, x.type))
    return tree


def _rounded(x: exp.Expression, n: int, kind: exp.DataType) -> exp.Expression:
    whole = min(10 ** (17 - n), 2 ** 52) if n >= 0 else 10 ** (17 - n)
    tiny = format(Decimal(4).scaleb(-n - 1), "f")
    text = f"CAST(CAST(ROUND(CAST(CAST({{x}} AS STRING) AS DECIMAL(38, {max(n, 0) + 17})), {n}) AS STRING) AS DOUBLE)"
    value = spelled(
        f"CASE WHEN ISNAN({{x}}) OR ABS({{x}}) = CAST('Infinity' AS DOUBLE) OR ABS({{x}}) >= {whole}"
        f" THEN {{x}} WHEN ABS({{x}}) < {tiny} THEN CAST(0 AS DOUBLE) ELSE {text} END", x=x)
    decimal = value.find(exp.Round)  # the engine's own ROUND of a DECIMAL, not a spelling of Spark's
    decimal.replace(exp.Anonymous(this="ROUND", expressions=[decimal.this, decimal.args["decimals"]]))
    return exp.cast(value, kind.copy()) if not kind.is_type(exp.DType.DOUBLE) else exp.Paren(this=value)


def spark_round_of_decimals_on_polars(tree: exp.Expression, ctx) -> exp.Expression:
    """Spark's ROUND of a DECIMAL(p, s) to d >= 0 places is a DECIMAL(p - s + 1 + min(s, d), min(s, d));
    the Polars spelling's scale is wider ('-100000000.0000000000' as text, found by tests/fuzz)."""
    for node in typed_nodes(tree, ctx, exp.Round):
        kind, places = node.this.type, node.args.get("decimals")
        d = 0 if places is None else integer_literal(places)
        if kind is None or not kind.is_type(exp.DType.DECIMAL) or len(kind.expressions) != 2 or d is None or d < 0:
            continue
        if isinstance(node.parent, exp.Cast) and node.parent.to.is_type(exp.DType.DECIMAL) or not isinstance(
                node.this, (exp.Column, exp.Cast)):
            continue  # (sqlglot's sizes of decimal arithmetic are not Spark's)
        node.replace(exp.cast(node.copy(), rounded_decimal(*(int(e.this.name) for e in kind.expressions), d)))
    return tree
