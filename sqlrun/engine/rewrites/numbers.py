"""Numbers: integer vs float division, FLOOR/CEIL result types."""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import SPARK, Refused, is_null, replace_all, typed_nodes
from sqlrun.engine.rewrites.duckdb_text_ints import read_int

# --- division: Redshift divides integers as integers; everyone else gives a double ---

_INTEGER = exp.DataType.INTEGER_TYPES
_FRACTIONAL = {*exp.DataType.REAL_TYPES}


def redshift_integer_division(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Div, operands=("this", "expression")):
        left, right = node.this.type, node.expression.type
        if any(t is not None and t.is_type(*_FRACTIONAL) for t in (left, right)):
            continue  # a fractional operand: the same division everywhere
        if all(t is not None and t.is_type(*_INTEGER) for t in (left, right)):
            # Spark DIV truncates toward zero; elsewhere spell it
            quotient = exp.Div(this=node.this.copy(), expression=node.expression.copy())
            spelled = exp.cast(exp.func("TRUNC", quotient), "bigint")
            div = exp.IntDiv(this=node.this.copy(), expression=node.expression.copy())
            node.replace(ctx.per_engine(node, spark=div, duckdb=spelled, polars=spelled, redshift=spelled))
            continue
        raise Refused(
            node,
            "Redshift '/' divides integers as integers, and the operand types are unknown here:"
            " CAST one operand to DECIMAL or FLOAT (or both to INT) to say which you mean",
        )
    return tree



# --- numbers ---


def spark_floor_integral(tree, ctx):
    # Spark FLOOR/CEIL(double) are BIGINT, so FLOOR(x) * 0.05 stays exact DECIMAL;
    # DuckDB and Polars keep a DOUBLE and give 0.15000000000000002.
    # Under a CAST to an integer the narrowing rule saturates it; under another CAST (DOUBLE,
    # STRING) the BIGINT is still Spark's value (found by tests/fuzz).
    def build(node):
        parent = node.parent
        if node.args.get("decimals") is not None or (isinstance(parent, exp.Cast) and parent.to.is_type(*_INTEGER)):
            return node
        return exp.cast(node.copy(), "bigint")

    return replace_all(tree, (exp.Floor, exp.Ceil), build)


# --- logarithms: one-argument LOG is base 10 in DuckDB and Redshift, e in Spark ---


def log_base_ten(tree, ctx):
    # exp.Log keeps the base first: LOG(10, x) is what every generator spells correctly.
    def build(node):
        if node.expression is not None:
            return node
        return exp.Log(this=exp.Literal.number(10), expression=node.this.copy())

    return replace_all(tree, exp.Log, build)


# --- CAST(fraction AS INT): Spark and Polars truncate; DuckDB rounds (DECIMAL half away
# from zero, DOUBLE half to even) ---

_INT_TARGETS = (exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.BIGINT)
_DECIMAL = (exp.DType.DECIMAL,)


def _int_casts(tree, ctx, null_typed=False):
    for node in typed_nodes(tree, ctx, exp.Cast, lambda c: c.to.is_type(*_INT_TARGETS)):
        if isinstance(node.this, (exp.Floor, exp.Ceil, exp.Round, exp.Trunc)) and not node.this.args.get("decimals"):
            continue  # already whole: nothing to round or truncate
        if null_typed and isinstance(node.this, exp.Null):
            continue  # CAST(NULL AS INT): a NULL of the type (on DuckDB; not checked elsewhere)
        arg = node.this.type
        if arg is None or arg.is_type(exp.DType.UNKNOWN, exp.DType.NULL):
            raise Refused(node, "CAST to an integer truncates in some engines and rounds in others,"
                          " and the argument's type is unknown here: say which with ROUND() or TRUNC()")
        if arg.is_type(*_INTEGER, exp.DType.BOOLEAN) or not arg.is_type(*_FRACTIONAL, *_DECIMAL):
            continue  # integers, strings, dates: no fraction to lose
        yield node, arg


def spark_cast_truncates(tree, ctx):
    for node, _ in list(_int_casts(tree, ctx, null_typed=True)):
        node.this.replace(exp.func("TRUNC", node.this.copy()))
    return tree


def _decimal_literal(node: exp.Expression) -> bool:
    # DuckDB reads 2.5 as DECIMAL(2, 1) (sqlglot types it DOUBLE): it rounds half away from zero.
    # So are ABS, NULLIF (its first argument's type), CASE, COALESCE, GREATEST and LEAST of such
    # literals, decimals and integers (found by tests/fuzz: TRY_CAST(ABS(-0.5) AS BIGINT) is -1).
    while isinstance(node, (exp.Neg, exp.Paren, exp.Abs, exp.Nullif)):
        node = node.this
    if isinstance(node, (exp.Case, exp.Coalesce, exp.Greatest, exp.Least)):
        if isinstance(node, exp.Case):
            values = [i.args["true"] for i in node.args.get("ifs", [])] + [node.args.get("default")]
        else:
            values = [node.this, *node.expressions]
        values = [v for v in values if v is not None and not isinstance(v, exp.Null)]
        whole = [v for v in values if v.type is not None and v.type.is_type(*exp.DataType.INTEGER_TYPES)]
        return bool(values) and len(whole) < len(values) and all(
            v in whole or _decimal_literal(v) or v.type is not None and v.type.is_type(*_DECIMAL) for v in values)
    return isinstance(node, exp.Literal) and not node.is_string and "e" not in node.name.lower()


def duckdb_cast_rounds(tree, ctx):
    for node, arg in list(_int_casts(tree, ctx)):
        if arg.is_type(*_DECIMAL) or _decimal_literal(node.this):
            rounded = exp.Round(this=node.this.copy())  # half away from zero everywhere we render it
        else:  # half to even, like DuckDB's cast: Spark's BROUND, Polars' own ROUND(double)
            name = ctx.per_engine(node, spark="BROUND", polars="ROUND")
            rounded = exp.Anonymous(this=name, expressions=[node.this.copy()])
        node.this.replace(rounded)
        if isinstance(node, exp.TryCast) and ctx.engine == "spark" and node.to.is_type(exp.DType.BIGINT):
            # 2^63 as a double: NULL on DuckDB, Spark's TRY_CAST gives 2^63 - 1 (checked on Spark 4)
            top = exp.cast(exp.Literal.number("9.223372036854775807E18"), "double")
            fits = exp.LT(this=rounded.copy(), expression=top)
            node.replace(exp.Case(ifs=[exp.If(this=fits, true=node.copy())]))
    return tree


# --- CAST(string AS INT): Spark trims and truncates '4.5' to 4 ('1e3' is NULL); DuckDB rounds
# '4.5' to 5 and reads '1e3'; Polars gives NULL for ' 42 ' and '4.5'; Redshift accepts ' 42 ' ---

_POLARS_CAST = "Polars casts only bare digit strings to integers (' 42 ' and '4.5' become NULL)"
# Spark (UTF8String.toLong): control characters and blanks (up to ' ', and DEL) trimmed, a sign,
# digits, then a fraction it drops; the digits may be missing: '.', '-.' and '.5' are 0.
_TRIM = r"[\x00-\x20\x7f]"
_SPARK_INT_TEXT = rf"^{_TRIM}*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]*){_TRIM}*$"


_INT_BITS = {exp.DType.TINYINT: 8, exp.DType.SMALLINT: 16, exp.DType.INT: 32, exp.DType.BIGINT: 64}


def _text_to_int(source: str, text: str, to: exp.DataType) -> int | None | str:
    """A text literal cast to an integer, as the source engine reads it; "keep" if unsure."""
    if source in SPARK:
        match = re.match(_SPARK_INT_TEXT, text)
        value = int(re.sub(rf"^{_TRIM}*\+?|\..*$|{_TRIM}*$", "", text).rstrip("-") or 0) if match else None
    elif source == "duckdb":
        value = read_int(text)
    else:  # Redshift: whole numbers only; anything else is an error there, left to the engine
        match = re.match(r"^\s*([+-]?[0-9]+)\s*$", text)
        if not match:
            return "keep"
        value = int(match.group(1))
    bits = _INT_BITS[to.this]
    return value if value is None or -(2 ** (bits - 1)) <= value < 2 ** (bits - 1) else None


def string_to_integer(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Cast, lambda c: c.to.is_type(*_INT_TARGETS)):
        arg = node.this.type
        if arg is None or not arg.is_type(*exp.DataType.TEXT_TYPES):
            continue
        if isinstance(node.this, exp.Literal):
            value = _text_to_int(ctx.source, node.this.name, node.to)
            if value is None and ctx.source == "duckdb" and not isinstance(node, exp.TryCast):
                raise Refused(node, f"DuckDB raises an error casting '{node.this.name}' to {node.to.sql('duckdb')}")
            if value != "keep":
                node.replace(exp.cast(exp.Null() if value is None else exp.convert(value), node.to.copy()))
                continue
        if ctx.source in SPARK:
            node.replace(ctx.per_engine(node, polars=_spark_text_cast, duckdb=_spark_text_cast)(node))
        elif ctx.source == "duckdb":
            why = f"DuckDB rounds '4.5' and reads '1e3' when casting text to an integer; {ctx.engine} does not"
            raise Refused(node, ctx.per_engine(node, polars=_POLARS_CAST, spark=why, redshift=why))
        elif why := ctx.per_engine(node, polars=_POLARS_CAST, duckdb=None, spark=None, redshift=None):
            raise Refused(node, why)  # Redshift: ' 42 ' is 42 and '4.5' an error; DuckDB and Spark cast it so
    return tree


def _spark_text_cast(node: exp.Cast) -> exp.Expression:
    # The form checked, then the sign and '0' before the digits, the rest cut away (no capture
    # groups in Polars' REGEXP_REPLACE): '-.5' is '-0', ' +12.9 ' '012'.
    text = node.this
    form = exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(_SPARK_INT_TEXT))
    minus = exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(rf"^{_TRIM}*-"))
    sign = exp.case().when(minus, exp.Literal.string("-0")).else_(exp.Literal.string("0"))
    digits = text.copy()
    for rest in (rf"(\.[0-9]*)?{_TRIM}*$", rf"^{_TRIM}*[+-]?"):  # one by one: '.5' is one match
        digits = exp.RegexpReplace(this=digits, expression=exp.Literal.string(rest), replacement=exp.Literal.string(""))
    return exp.case().when(form, exp.TryCast(this=exp.DPipe(this=sign, expression=digits), to=node.to.copy()))


# --- division and modulo by zero ---


def _nonzero_literal(node: exp.Expression) -> bool:
    if isinstance(node, (exp.Neg, exp.Paren)):
        return _nonzero_literal(node.this)
    return isinstance(node, exp.Literal) and not node.is_string and float(node.name) != 0


def spark_modulo_by_zero(tree, ctx):
    # Spark (ANSI off) gives NULL for x % 0; DuckDB raises an error.
    def build(node):
        if _nonzero_literal(node.expression):
            return node
        divisor = exp.Nullif(this=node.expression.copy(), expression=exp.Literal.number(0))
        return exp.Mod(this=node.this.copy(), expression=divisor)

    return replace_all(tree, exp.Mod, build)


def spark_division_by_zero(tree, ctx):
    # Spark's x / 0 is NULL. sqlglot's generator sends a "safe" division as x / NULLIF(d, 0), but
    # not the inner one of a chain (f / f / 2.0 became f / f / NULLIF(2.0, 0): NaN for f = 0).
    for node in tree.find_all(exp.Div):
        if node.args.get("safe"):
            node.set("expression", exp.Nullif(this=node.expression.copy(), expression=exp.Literal.number(0)))
            node.set("safe", None)
    return tree


def _double(node: exp.Expression) -> exp.Expression:
    return exp.cast(node.copy(), "double")


def duckdb_division(tree, ctx):
    # DuckDB's '/' always divides as DOUBLE: 1.0 / 0 is inf, 0 / 0 NaN. Polars divides
    # DECIMALs exactly (and fails on zero); Spark gives NULL for any division by zero.
    def build(node):
        quotient = exp.Div(this=_double(node.this), expression=_double(node.expression))
        # The CASE (inf, -inf or NaN on a zero divisor) is written for Spark, which would give NULL.
        if ctx.per_engine(node, polars=True, spark=False) or _nonzero_literal(node.expression):
            return exp.Paren(this=quotient)
        infinity = exp.cast(exp.Literal.string("Infinity"), "double")
        # x / -0.0 is -inf for x > 0: the zero's sign from Spark's text ('-0.0'); Spark's ATAN2
        # reads -0.0 as 0.0 (checked).
        text = exp.cast(_double(node.expression), "string")
        below = exp.Like(this=text, expression=exp.Literal.string("-%"))
        signed = exp.case().when(below, exp.Neg(this=infinity.copy())).else_(infinity)
        by_zero = exp.Mul(this=_double(node.this), expression=signed)  # inf, -inf or NaN
        zero = exp.EQ(this=node.expression.copy(), expression=exp.Literal.number(0))
        return exp.Case(ifs=[exp.If(this=zero, true=by_zero)], default=quotient)

    return replace_all(tree, exp.Div, build)


# --- NANVL (Spark): NaN equals NaN in DuckDB and Polars, as in Spark ---


def spark_nanvl(tree, ctx):
    def build(node):
        nan = exp.cast(exp.Literal.string("NaN"), "double")
        is_nan = exp.EQ(this=node.this.copy(), expression=nan)
        return exp.Case(ifs=[exp.If(this=is_nan, true=node.expression.copy())], default=node.this.copy())

    return replace_all(tree, exp.Nanvl, build)


# --- isnan(NULL) and logarithms of zero and below (found by tests/fuzz) ---


def spark_isnan_of_null(tree, ctx):
    # Spark's isnan(NULL) is false; DuckDB's and Polars' are NULL.
    return replace_all(tree, exp.IsNan, lambda node: exp.Coalesce(this=node.copy(), expressions=[exp.false()]))


def duckdb_isnan_of_null(tree, ctx):
    # DuckDB's isnan(NULL) is NULL; Spark's is false.
    def build(node):
        return exp.Case(ifs=[exp.If(this=is_null(node.this), true=exp.null())], default=node.copy())

    return replace_all(tree, exp.IsNan, build)


def _nan() -> exp.Expression:
    return exp.cast(exp.Literal.string("NaN"), "double")


def duckdb_sign_of_nan(tree, ctx):
    # DuckDB's sign(NaN) is 0; Spark's and Polars' are NaN (NaN = NaN is true in all three).
    def build(node):
        nan = exp.EQ(this=node.this.copy(), expression=_nan())
        return exp.Case(ifs=[exp.If(this=nan, true=exp.Literal.number(0))], default=node.copy())

    return replace_all(tree, exp.Sign, build)


def polars_greatest_of_nan(tree, ctx):
    # Polars' GREATEST skips NaN; DuckDB and Spark order NaN above every number, so it wins.
    floats = (exp.DType.DOUBLE, exp.DType.FLOAT)
    for node in reversed(typed_nodes(tree, ctx, exp.Greatest)):  # innermost first: an outer copy keeps it
        args = [node.this, *node.expressions]
        if not any(a.type is not None and a.type.is_type(*floats) for a in args):
            continue
        nan = exp.or_(*(exp.EQ(this=a.copy(), expression=_nan()) for a in args))
        case = exp.Case(ifs=[exp.If(this=nan, true=_nan())], default=node.copy())
        case.type = node.type  # an outer GREATEST sees a float argument still
        node.replace(case)
    return tree
