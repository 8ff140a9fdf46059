"""Spark built-in functions sqlglot reads as unknown, with Spark's meaning (ANSI off), decided
from their arguments' types: the type-named casts (smallint(x) is CAST(x AS SMALLINT)), bround,
every/some, positive, bin, btrim, conv, nullifzero/zeroifnull, octet_length, get, quote, mean,
timediff, timestamp_seconds/millis/micros, try_make_timestamp, negative, the UTF-8 checks,
luhn_check, try_to_number (and to_number, which sqlglot knows but cannot render). What cannot be
exact for the arguments given is refused. Constants are evaluated by spark_constants."""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites import spark_constants as const
from sqlrun.engine.rewrites.base import Context, Refused, annotate
from sqlrun.engine.rewrites.spark_constants import BITS
from sqlrun.engine.rewrites.spark_narrowing import spark_bround, spark_integer_cast
from sqlrun.engine.spark_types import literal_type

T = exp.DType

_TEXT = exp.DataType.TEXT_TYPES


def _is(node: exp.Expression, *types) -> bool:
    return node.type is not None and node.type.is_type(*types)


def _num(value) -> exp.Expression:
    return exp.Literal.number(value)


def _cast(type_sql: str):
    # CAST(x AS type) as Spark parses it (TRY_CAST: ANSI off), so every CAST rule applies; to an
    # integer type on DuckDB and Polars with Spark's overflow where the value may not fit.
    def build(node, ctx, x):
        to = exp.DataType.build(type_sql, dialect="spark")
        if to.this in BITS and ctx.engine in ("duckdb", "polars"):
            return spark_integer_cast(node, ctx, x, to)
        return exp.TryCast(this=x.copy(), to=to)

    return build


def _positive(node, ctx, x):
    # +x: a number as it is; text is read as a DOUBLE (NULL when no number), NULL a DOUBLE NULL.
    if _is(x, *exp.DataType.NUMERIC_TYPES):
        return exp.paren(x.copy())
    if _is(x, *_TEXT):
        return exp.TryCast(this=x.copy(), to=exp.DataType.build("double"))
    if isinstance(x, exp.Null):
        return exp.cast(exp.null(), "double")
    raise Refused(node, "Spark's positive() is only translated for numbers and text")


def _btrim(node, ctx, x, chars=None):
    # both ends; without characters only spaces (as written, so Polars has its TRIM form)
    return exp.Trim(this=x.copy(), expression=(chars or exp.Literal.string(" ")).copy())


def _octet_length(node, ctx, x):
    if not _is(x, *_TEXT):
        raise Refused(node, "Spark's octet_length is only translated for text")
    count = ctx.per_engine(node, duckdb="STRLEN", polars="OCTET_LENGTH", redshift="OCTET_LENGTH")
    return exp.func(count, x.copy())  # an INT: spark_types says so


def _nullifzero(node, ctx, x):
    if _is(x, *exp.DataType.NUMERIC_TYPES):
        return exp.Nullif(this=x.copy(), expression=_num(0))
    if isinstance(x, exp.Null):
        return x.copy()
    # text is compared as a number: decided here for a constant integer or text that is no number
    text = x.name.strip() if isinstance(x, exp.Literal) and x.is_string else None
    if text is not None and re.fullmatch(r"[+-]?\d+", text):
        return exp.cast(exp.null(), "string") if int(text) == 0 else x.copy()
    try:
        float(text) if text is not None else None
    except ValueError:
        return x.copy()
    raise Refused(node, "Spark's nullifzero of text: only constants that are integers or no numbers are translated")


def _zeroifnull(node, ctx, x):
    if _is(x, *_TEXT):
        return exp.Coalesce(this=x.copy(), expressions=[exp.Literal.string("0")])
    if _is(x, *exp.DataType.NUMERIC_TYPES, T.NULL) or isinstance(x, exp.Null):
        return exp.Coalesce(this=x.copy(), expressions=[_num(0)])
    raise Refused(node, "Spark's zeroifnull is only translated for numbers and text")


def _get(node, ctx, array, index):
    # array[index], 0-based: NULL for an index out of range, negative or NULL.
    if ctx.engine == "polars":  # ARRAY_GET is 1-based
        inside = exp.func("ARRAY_GET", array.copy(), exp.Add(this=exp.paren(index.copy()), expression=_num(1)))
    else:  # sqlglot moves an index of an integer type to the target's base: typed INT as Spark casts it
        ctx.per_engine(node, duckdb=None)
        at = index.copy() if index.is_int or isinstance(index, exp.Null) else exp.cast(index.copy(), "int")
        inside = exp.Bracket(this=array.copy(), expressions=[at])
    return exp.paren(exp.case().when(exp.GTE(this=index.copy(), expression=_num(0)), inside))


def _quote(node, ctx, x):
    # Spark: the text in single quotes, each ' escaped as \'.
    ctx.per_engine(node, duckdb=None, polars=None)
    if isinstance(x, exp.Null):
        return exp.cast(exp.null(), "string")
    if not _is(x, *_TEXT):
        raise Refused(node, "Spark's quote() is only translated for text")
    escaped = exp.func("REPLACE", x.copy(), exp.Literal.string("'"), exp.Literal.string("\\'"))
    quote = exp.Literal.string("'")
    return exp.paren(exp.DPipe(this=exp.DPipe(this=quote, expression=escaped), expression=quote.copy()))


def _timediff(node, ctx, unit, start, end):
    if not isinstance(unit, (exp.Column, exp.Var)):
        raise Refused(node, "timediff needs a unit name")
    return exp.TimestampDiff(this=end.copy(), expression=start.copy(), unit=exp.var(unit.name.upper()))


def micros_to_timestamp(micros: exp.Expression) -> exp.Expression:
    """The TIMESTAMP `micros` microseconds after 1970 (not a CAST: Spark's CAST reads seconds)."""
    return exp.UnixToTime(this=micros, scale=exp.UnixToTime.MICROS)


def _from_epoch(scale: int):
    # timestamp_seconds/millis/micros: a TIMESTAMP from a count since 1970; a fraction of a
    # microsecond truncated; NaN and infinities NULL.
    # Polars: its TIMESTAMP is microseconds; its integers wrap, so a count past the BIGINT
    # range of microseconds is NULL (Spark raises there); NaN and infinities: x * 0 <> 0.
    def build(node, ctx, x):
        polars = ctx.per_engine(node, duckdb=False, polars=True)
        if isinstance(x, exp.Null):
            return exp.cast(exp.null(), "timestamp")
        if _is(x, *BITS):
            if polars:
                limit = 2**63 // scale
                fits = exp.Between(this=x.copy(), low=_num(-limit), high=_num(limit - 1))
                micros = exp.Mul(this=exp.cast(x.copy(), "bigint"), expression=_num(scale))
                return exp.paren(exp.case().when(fits, micros_to_timestamp(micros)))
            micros = exp.Mul(this=exp.cast(x.copy(), "bigint"), expression=_num(scale))
        elif _is(x, T.DECIMAL) and scale == 10**6 and x.type.expressions and int(x.type.expressions[1].this.name) <= 6:
            micros = exp.cast(exp.Mul(this=x.copy(), expression=_num(scale)), "bigint")
        elif _is(x, T.DOUBLE, T.FLOAT) and scale == 10**6:
            double = exp.cast(x.copy(), "double")
            if polars:
                finite = exp.EQ(this=exp.Mul(this=double.copy(), expression=_num(0)), expression=_num(0))
                safe = exp.case().when(finite.copy(), double.copy()).else_(_num(0))
                micros = exp.cast(exp.func("TRUNC", exp.Mul(this=safe, expression=_num(scale))), "bigint")
                return exp.paren(exp.case().when(finite, micros_to_timestamp(micros)))
            micros = exp.cast(exp.func("TRUNC", exp.Mul(this=double, expression=_num(scale))), "bigint")
            bad = exp.or_(exp.func("ISNAN", double.copy()), exp.func("ISINF", double.copy()))
            return exp.paren(exp.case().when(bad, exp.null()).else_(exp.func("MAKE_TIMESTAMP", micros)))
        else:
            raise Refused(node, f"Spark's {node.name.lower()} of this type is not translated")
        return micros_to_timestamp(micros) if polars else exp.func("MAKE_TIMESTAMP", micros)

    return build


def _try_make_timestamp(node, ctx, *args):
    # (year, month, day, hour, min, sec): make_timestamp, NULL when invalid (its rules apply);
    # (date): that date at midnight; the forms with a time or a time zone only for NULLs.
    if len(args) == 6:
        keys = ("year", "month", "day", "hour", "min", "sec")
        return exp.TimestampFromParts(**{k: a.copy() for k, a in zip(keys, args)})
    if len(args) == 1 and (_is(args[0], T.DATE) or isinstance(args[0], exp.Null)):
        return exp.cast(args[0].copy(), "timestamp")
    if all(isinstance(a, exp.Null) for a in args):
        return exp.cast(exp.null(), "timestamp")
    raise Refused(node, "Spark's try_make_timestamp is only translated for (year..sec) and (date)")


# lower-case name -> builder(node, ctx, *arguments)
BUILDERS = {
    **{name: _cast(to) for name, to in {
        "tinyint": "tinyint", "smallint": "smallint", "bigint": "bigint",
        "decimal": "decimal(10, 0)", "binary": "binary"}.items()},
    "bround": spark_bround,
    "every": lambda node, ctx, x: exp.LogicalAnd(this=x.copy()),
    "some": lambda node, ctx, x: exp.LogicalOr(this=x.copy()),
    "mean": lambda node, ctx, x: exp.Avg(this=x.copy()),
    "positive": _positive,
    "btrim": _btrim,
    "octet_length": _octet_length,
    "nullifzero": _nullifzero,
    "zeroifnull": _zeroifnull,
    "get": _get,
    "quote": _quote,
    "timediff": _timediff,
    "try_make_timestamp": _try_make_timestamp,
    "timestamp_seconds": _from_epoch(10**6),
    "timestamp_millis": _from_epoch(1000),
    "timestamp_micros": _from_epoch(1),
    "is_valid_utf8": const.utf8_call("is_valid"),
    "make_valid_utf8": const.utf8_call("make_valid"),
    "validate_utf8": const.utf8_call("validate"),
    "try_validate_utf8": const.utf8_call("try"),
    "conv": const.evaluated(const.conv, "string", (const.text_of_number, const.integer_arg, const.integer_arg)),
    "bin": const.bin_call,
    "luhn_check": const.luhn_call,
    "try_to_number": const.to_number_call,
}


def _annotate(tree: exp.Expression, ctx: Context) -> None:
    # sqlglot's types, with Spark's for number literals (1.5 is a DECIMAL, not a DOUBLE)
    annotate(tree, ctx)
    for literal in tree.find_all(exp.Literal):
        kind = literal_type(literal)
        if kind is not None:
            literal.type = kind
            if isinstance(literal.parent, exp.Neg):
                literal.parent.type = kind


def known(name: str) -> bool:
    return name.lower() in BUILDERS


def spark_builtins(tree: exp.Expression, ctx: Context) -> exp.Expression:
    """Replace the calls of BUILDERS (and TO_NUMBER, negative(x) and the aggregate any(x)) by
    their translations, innermost first."""
    for node in list(tree.find_all(exp.Any, exp.Negative)):
        if isinstance(node, exp.Negative):
            node.replace(exp.Neg(this=node.this.copy()))  # negative(x) is -x (its rules apply)
        elif not isinstance(node.this, exp.Query | exp.Subquery) and not isinstance(node.parent, exp.Predicate):
            node.replace(exp.LogicalOr(this=node.this.copy()))  # any(x) = bool_or(x), not x = ANY(...)
    nodes = [n for n in tree.find_all(exp.Anonymous, exp.ToNumber)
             if isinstance(n, exp.ToNumber) or n.name.lower() in BUILDERS]
    if not nodes:
        return tree
    for node in reversed(nodes):
        if isinstance(node, exp.ToNumber):
            build, args = const.to_number_call, [node.this, node.args.get("format") or exp.null()]
        else:
            build, args = BUILDERS[node.name.lower()], list(node.expressions)
        if any(a.type is None for a in args):  # first, or an argument a translation replaced
            _annotate(tree, ctx)
        code = build.__code__
        defaults = len(build.__defaults__ or ())
        if not code.co_argcount - 2 - defaults <= len(args) <= code.co_argcount - 2 and not code.co_flags & 4:
            raise Refused(node, f"{node.name.upper()} takes {code.co_argcount - 2} argument(s), got {len(args)}")
        new = build(node, ctx, *args)
        new.meta.update(node.meta)
        if node is tree:
            return new
        node.replace(new)
    return tree
