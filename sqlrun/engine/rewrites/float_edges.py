"""Doubles at their edges (NaN, infinities, text), found by tests/fuzz (findings.md)."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all, spelled, typed_nodes

_FLOATS = (exp.DType.DOUBLE, exp.DType.FLOAT)


def _may_be_float(node: exp.Expression) -> bool:
    return node.type is None or node.type.is_type(*_FLOATS, exp.DType.UNKNOWN)


def spark_sign_of_nan(tree, ctx):
    # Spark's signum(NaN) is NaN; DuckDB's sign(NaN) is 0.
    for node in reversed(typed_nodes(tree, ctx, exp.Sign)):  # innermost first
        if _may_be_float(node.this):
            nan = exp.If(this=exp.IsNan(this=node.this.copy()), true=node.this.copy())
            node.replace(exp.Case(ifs=[nan], default=node.copy()))
    return tree


def spark_ln(tree, ctx):
    # Spark's ln(x) is NULL for x <= 0 (-Infinity too) and NaN for NaN (above 0 everywhere);
    # DuckDB's is -inf for 0 and NaN below; Polars' -inf or NaN.
    for node in reversed(typed_nodes(tree, ctx, exp.Ln)):  # innermost first
        positive = exp.If(this=exp.GT(this=node.this.copy(), expression=exp.Literal.number(0)), true=node.copy())
        node.replace(exp.Case(ifs=[positive]))
    return tree


def duckdb_ln_on_spark(tree, ctx):
    # DuckDB's ln(0) is -inf and ln of a negative number (-inf too) NaN; Spark's are NULL.
    def build(node):
        x = node.this
        zero = exp.If(this=exp.EQ(this=x.copy(), expression=exp.Literal.number(0)), true=_double("-Infinity"))
        negative = exp.If(this=exp.LT(this=x.copy(), expression=exp.Literal.number(0)), true=_double("NaN"))
        return exp.Case(ifs=[zero, negative], default=node.copy())

    return replace_all(tree, exp.Ln, build)


def duckdb_floor_ceil_on_spark(tree, ctx):
    # DuckDB's FLOOR/CEIL of a DOUBLE are DOUBLEs (inf, NaN and 1e300 stay); Spark's are BIGINTs,
    # saturated. Every double from 2^52 up is whole, and Spark orders NaN above it.
    for node in typed_nodes(tree, ctx, (exp.Floor, exp.Ceil)):
        if node.args.get("decimals") is not None or node.this.type is None or not node.this.type.is_type(*_FLOATS):
            continue
        if not node.this.find(exp.Column, exp.Cast):
            continue  # literals only: -1.5 is a DECIMAL on DuckDB (sqlglot types it DOUBLE)
        small = exp.LT(this=exp.Abs(this=node.this.copy()), expression=exp.Literal.number(2**52))
        # a zero keeps the argument's sign (CEIL(-0.5) is -0.0 on DuckDB; 1 / it is -inf)
        signed = spelled("CASE WHEN {r} = 0 THEN {x} * CAST(0 AS DOUBLE) ELSE {r} END",
                         r=exp.cast(node.copy(), "double"), x=node.this)
        node.replace(exp.Case(ifs=[exp.If(this=small, true=signed)], default=node.this.copy()))
    return tree


def float_text(tree, ctx):
    # Each engine writes a double its own way: Spark 'NaN', 'Infinity', '1.0E10' (and Java 17's
    # '0.0020' for 2.0E-3), DuckDB 'nan', 'inf', '10000000000.0', '1e-10', Polars 'NaN', '1e10'.
    # Exact only for some values, not known at compile time but for a literal: refused.
    texts = exp.DataType.TEXT_TYPES
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(*texts)):
        if node.this.type is not None and node.this.type.is_type(*_FLOATS) and not _plain(_literal(node.this)):
            raise Refused(node, f"a double written as text differs between {ctx.source} and {ctx.engine}"
                                " (NaN, infinities, exponents): CAST it to DECIMAL first, or ROUND it")
    return tree


def _literal(node: exp.Expression) -> float | None:
    """The value of a number literal (negated, parenthesized or cast), else None."""
    sign = 1.0
    while isinstance(node, (exp.Paren, exp.Neg, exp.Cast, exp.TryCast)):
        sign = -sign if isinstance(node, exp.Neg) else sign
        node = node.this
    return sign * float(node.name) if isinstance(node, exp.Literal) and node.is_number else None


def _plain(value: float | None) -> bool:
    """Written alike everywhere: 0, or a short binary fraction (x * 1024 whole) from 0.001 up to
    1e7 ('2.0', '0.5', '-128.5'); Java 17 writes some other decimals with an extra digit."""
    if value is None or value != value or abs(value) == float("inf"):
        return False
    return value == 0 or (1e-3 <= abs(value) < 1e7 and (value * 1024).is_integer())


def _double(text: str) -> exp.Expression:
    return exp.cast(exp.Literal.string(text), "double")


def _results(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Case):
        return [i.args["true"] for i in node.args["ifs"]] + [node.args.get("default")]
    if isinstance(node, exp.If):
        return [node.args.get("true"), node.args.get("false")]
    if isinstance(node, exp.Nvl2):
        return [node.args.get("true"), node.args.get("false")]
    return [node.this, *node.expressions]  # COALESCE, NVL, IFNULL


CHOICES = (exp.Case, exp.If, exp.Coalesce, exp.Nvl2)


def spark_float_choice_as_text(tree, ctx):
    # Spark's CASE, IF or COALESCE of a double and a text is text, the double written Spark's way
    # ('1.0E10', 'NaN'): the implicit form of float_text's CAST, refused alike (found by tests/fuzz).
    typed = typed_nodes(tree, ctx, CHOICES)
    for node in typed:
        results = [r for r in _results(node) if r is not None and r.type is not None]
        if not any(r.type.is_type(*exp.DataType.TEXT_TYPES) for r in results):
            continue
        for r in results:
            if r.type.is_type(*_FLOATS) and not _plain(_literal(r)):
                raise Refused(node, f"a double mixed with text is written as text, and {ctx.source} writes it"
                                    f" otherwise than {ctx.engine} (NaN, infinities, exponents): CAST it to DECIMAL"
                                    " or to text yourself")
    return tree
