"""Spark's integers where a value may not fit, ANSI off. CAST to an integer type: a double or
float saturates at the INT/BIGINT bounds (NaN is 0), then TINYINT/SMALLINT keep its low bits;
a wider integer or a decimal keeps its low bits (wraps); the targets' TRY_CAST gives NULL
there instead (used by the type-named casts, smallint(x)...). And bround (HALF_EVEN)."""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from sqlrun.engine.rewrites import spark_constants as const
from sqlrun.engine.rewrites.base import Context, Refused
from sqlrun.engine.rewrites.spark_calls import _integer_literal
from sqlrun.engine.rewrites.spark_constants import BITS, number_literal

T = exp.DType
_FLOATS = (T.FLOAT, T.DOUBLE)


def _num(value) -> exp.Expression:
    return exp.Literal.number(value)


def _low_bits(x: exp.Expression, bits: int) -> exp.Expression:
    # x (an integer of any width the engine holds) to its low `bits` bits, signed; the same
    # whether the engine's % is truncated or floored.
    span, half = _num(2**bits), _num(2 ** (bits - 1))
    shifted = exp.Add(this=exp.Add(this=exp.Mod(this=x, expression=span), expression=span.copy()), expression=half)
    return exp.paren(exp.Sub(this=exp.Mod(this=exp.paren(shifted), expression=span.copy()), expression=half.copy()))


def _saturated(x: exp.Expression, bits: int) -> exp.Expression:
    # Java's (int)/(long) of a double: NaN is 0, beyond the range the nearest bound.
    top, bottom = _num(2 ** (bits - 1) - 1), _num(-(2 ** (bits - 1)))
    to = exp.DataType.build("int" if bits == 32 else "bigint")
    return exp.paren(exp.case()
                     .when(exp.EQ(this=x.copy(), expression=exp.cast(exp.Literal.string("NaN"), "double")),
                           exp.cast(_num(0), to))  # NaN = NaN in DuckDB and Polars
                     .when(exp.GTE(this=x.copy(), expression=top.copy()), exp.cast(top, to))
                     .when(exp.LTE(this=x.copy(), expression=bottom.copy()), exp.cast(bottom, to))
                     .else_(exp.TryCast(this=x.copy(), to=to)))


def spark_integer_cast(node: exp.Expression, ctx: Context, x: exp.Expression, to: exp.DataType) -> exp.Expression:
    """CAST(x AS to) for an integer `to`, with Spark's overflow (ANSI off)."""
    bits, plain = BITS[to.this], exp.TryCast(this=x.copy(), to=to.copy())
    kind = x.type.this if x.type is not None else T.UNKNOWN
    if kind in BITS:
        if BITS[kind] <= bits:
            return plain
        return exp.cast(_low_bits(exp.cast(x.copy(), "bigint"), bits), to.copy())
    if kind in _FLOATS:
        whole = _saturated(x, 64 if bits == 64 else 32)
        return whole if bits >= 32 else exp.cast(_low_bits(exp.cast(whole, "bigint"), bits), to.copy())
    if kind == T.DECIMAL and len(x.type.expressions) == 2:
        p, s = (int(e.this.name) for e in x.type.expressions)
        if p - s < len(str(2 ** (bits - 1))):  # every value fits
            return plain
        if ctx.engine != "duckdb":
            raise Refused(node, f"Spark keeps the low bits of a decimal too big for {to.sql('spark')};"
                          f" not translated for {ctx.engine}")
        whole = exp.cast(exp.func("TRUNC", x.copy()), "hugeint")
        return exp.cast(_low_bits(whole, bits), to.copy())
    return plain  # text (NULL when it does not fit, as in Spark), booleans, NULL, unknown: the CAST rules decide


def spark_bround(node: exp.Expression, ctx: Context, x: exp.Expression, places=None) -> exp.Expression:
    """bround(x, d), HALF_EVEN: an integer keeps its type (wrapped), a decimal rounds exactly to
    Spark's DECIMAL type, a double constant is rounded in its shortest decimal form."""
    found = (0, None) if places is None else None if isinstance(places, exp.Null) else _integer_literal(places)
    if found is None:
        if isinstance(places, exp.Null):
            return exp.cast(exp.null(), x.type.copy() if x.type else "double")
        raise Refused(node, "Spark's bround is only translated for a constant number of places")
    d, kind, value = found[0], x.type.this if x.type is not None else T.UNKNOWN, number_literal(x)
    if kind in BITS:
        if d >= 0:
            return x.copy()
        if value is not None:
            return exp.cast(_num(const.wrap(int(const.half_even(value, d)), BITS[kind])), x.type.copy())
        if ctx.engine != "duckdb":
            raise Refused(node, f"Spark's bround of an integer column: not translated for {ctx.engine}")
        whole = exp.cast(exp.func("ROUND_EVEN", exp.cast(x.copy(), "decimal(38, 0)"), _num(d)), "hugeint")
        return exp.cast(_low_bits(whole, BITS[kind]), x.type.copy())
    if kind == T.DECIMAL and len(x.type.expressions) == 2 and (value is not None or ctx.engine == "duckdb"):
        p, s = (int(e.this.name) for e in x.type.expressions)
        to = f"decimal({min(max(p - s + 1, 1 - d), 38)}, 0)" if d < 0 else \
            f"decimal({min(p - s + 1 + min(s, d), 38)}, {min(s, d)})"
        if value is not None:
            return exp.cast(_num(format(const.half_even(value, min(d, s)), "f")), to)
        return exp.cast(exp.func("ROUND_EVEN", x.copy(), _num(d)), to)
    if kind == T.DOUBLE and value is not None and value.is_finite():
        return exp.cast(_num(repr(float(const.half_even(Decimal(repr(float(value))), d)))), "double")
    raise Refused(node, f"Spark's bround of {x.type.sql('spark') if x.type else 'this type'}"
                  f" is not translated for {ctx.engine}")
