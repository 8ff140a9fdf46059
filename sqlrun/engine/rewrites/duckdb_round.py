"""DuckDB's ROUND of a DOUBLE to n > 0 places is std::round(x * 10^n) / 10^n, except where the
rounded product is a tie (k + 0.5): there the exact product decides. So ROUND(28.65, 1) is 28.6
(28.65 is 28.6499...). Spark rounds the shortest decimal text (28.7), Polars the rounded product
(28.7); about 1 % of values with a few decimals differ. Modelled on 100,000 doubles x 8 place counts
with 0 differences, and spelled with doubles only: P = |x| * 10^n, its error E (Dekker's
TwoProduct, Veltkamp's split; evaluated at ties only), k = FLOOR(P) + 1 when P - FLOOR(P) > 0.5,
or = 0.5 with E >= 0; the answer k / 10^n with x's sign (-0.0 too). From P >= 2^52 on it is x * 10^n / 10^n; NaN
and infinities stay. A REAL is rounded as its DOUBLE, then made a REAL."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, spelled, typed_nodes
from sqlrun.engine.rewrites.narrowing import integer_literal

_SPLIT = 134217729.0  # 2^27 + 1


def _halves(c: float) -> tuple[float, float]:
    t = _SPLIT * c
    high = t - (t - c)
    return high, c - high


def _double(value: float) -> str:
    return f"{value!r}D"


def duckdb_round_of_doubles(tree: exp.Expression, ctx) -> exp.Expression:
    for node in reversed(typed_nodes(tree, ctx, exp.Round)):  # innermost first
        x = node.this
        if x.type is None or not x.type.is_type(exp.DType.DOUBLE, exp.DType.FLOAT):
            continue
        places = node.args.get("decimals")
        n = 0 if places is None else integer_literal(places)
        if n is not None and n <= 0:
            continue  # ties at whole tens are exact doubles: every engine agrees
        if n is not None and n > 308:  # DuckDB's 10^n is infinite: x itself
            node.replace(exp.cast(x.copy(), x.type.copy()))
            continue
        if n is None or n > 22:  # (DuckDB's answers beyond 10^22, inexact, were not modelled)
            raise Refused(node, f"DuckDB's ROUND of a double to {places.sql('duckdb')} places is not translated for"
                                f" {ctx.engine} (a constant up to 22, or above 308)")
        node.replace(_rounded(x, n, ctx.engine))
    return tree


def _rounded(x: exp.Expression, n: int, engine: str) -> exp.Expression:
    """One template, few parentheses: Polars' SQL parser stops at about 48 levels. Polars
    divides by a constant as a product with its reciprocal (1 ulp off: 8949 / 10 is
    894.9000000000001), so there the divisor is computed from the row (x is finite there)."""
    m, split = _double(10.0**n), _double(_SPLIT)
    d = f"({{a}} * 0.0D + {m})" if engine == "polars" else m
    high_m, low_m = _halves(10.0**n)
    mh, ml = _double(high_m), _double(low_m)
    p = f"{{a}} * {m}"
    high = f"({{a}} * {split} - ({{a}} * {split} - {{a}}))"
    low = f"({{a}} - {high})"
    error = f"{high} * {mh} - {p} + {high} * {ml} + {low} * {mh} + {low} * {ml}"
    if low_m == 0:  # 5^n fits in 26 bits: the terms with ml are zeros
        error = f"{high} * {mh} - {p} + {low} * {mh}"
    frac = f"{p} - FLOOR({p})"
    up = f"CASE WHEN {frac} > 0.5D OR {frac} = 0.5D AND {error} >= 0 THEN 1 ELSE 0 END"
    double = x.copy() if x.type.is_type(exp.DType.DOUBLE) else exp.cast(x.copy(), "double")
    value = spelled(
        f"CASE WHEN ISNAN({{x}}) OR {p} = CAST('Infinity' AS DOUBLE) THEN {{x}}"
        f" WHEN {p} >= 4503599627370496D THEN {{x}} * {m} / {d}"
        f" WHEN {{x}} = 0 THEN {{x}} ELSE CASE WHEN {{x}} < 0 THEN -1.0D ELSE 1.0D END * (FLOOR({p}) + {up}) / {d} END",
        x=double, a=exp.Abs(this=double))
    return exp.cast(value, x.type.copy()) if x.type.is_type(exp.DType.FLOAT) else exp.Paren(this=value)
