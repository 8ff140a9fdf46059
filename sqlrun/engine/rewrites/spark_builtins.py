"""Spark built-in functions sqlglot reads as unknown, with Spark's meaning (ANSI off), decided
from their arguments' types: the type-named casts (smallint(x) is CAST(x AS SMALLINT)), bround,
every/some, positive, bin, btrim, conv, nullifzero/zeroifnull, octet_length, get, quote, mean,
timediff, timestamp_seconds/millis/micros, the UTF-8 checks, luhn_check, try_to_number (and
to_number, which sqlglot knows but cannot render). What cannot be exact for the arguments
given is refused. Constants are evaluated by spark_constants."""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites import spark_constants as const
from sqlrun.engine.rewrites.base import Context, Refused, annotate
from sqlrun.engine.rewrites.spark_calls import _integer_literal
from sqlrun.engine.rewrites.spark_narrowing import BITS, number_literal, spark_bround, spark_integer_cast

T = exp.DType
_INTS = BITS
_TEXT = exp.DataType.TEXT_TYPES


def _is(node: exp.Expression, *types) -> bool:
    return node.type is not None and node.type.is_type(*types)


def _num(value) -> exp.Expression:
    return exp.Literal.number(value)


def _text(node: exp.Expression) -> str | None:
    """A constant text argument (NULL: None); ValueError for anything else."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    raise ValueError(node)


def _text_of_number(node: exp.Expression) -> str | None:
    # Spark reads an integer argument of a text function as its text: -10 -> '-10'.
    if isinstance(node, exp.Null) or (isinstance(node, exp.Literal) and node.is_string):
        return _text(node)
    return str(_integer(node))


def _integer(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Null):
        return None
    found = _integer_literal(node)
    if found is None:
        raise ValueError(node)
    return found[0]


def _typed_literal(value, type_sql: str) -> exp.Expression:
    if value is None:
        return exp.cast(exp.null(), type_sql)
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    literal = exp.Literal.string(value) if isinstance(value, str) else _num(str(value))
    return literal if type_sql == "string" else exp.cast(literal, type_sql)


def _cast(type_sql: str):
    # CAST(x AS type) as Spark parses it (TRY_CAST: ANSI off), so every CAST rule applies; to an
    # integer type with Spark's overflow where the value may not fit.
    def build(node, ctx, x):
        to = exp.DataType.build(type_sql, dialect="spark")
        if to.this in _INTS:
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
    ctx.per_engine(node, duckdb=None)
    # sqlglot moves a constant index to the target's base itself; another one is moved here
    at = index.copy() if index.is_int else exp.Add(this=exp.paren(index.copy()), expression=_num(1))
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


def _from_epoch(scale: int):
    # timestamp_seconds/millis/micros: a TIMESTAMP from a count since 1970; a fraction of a
    # microsecond truncated; NaN and infinities NULL.
    def build(node, ctx, x):
        ctx.per_engine(node, duckdb=None)
        if isinstance(x, exp.Null):
            return exp.cast(exp.null(), "timestamp")
        if _is(x, *_INTS):
            micros = exp.Mul(this=exp.cast(x.copy(), "bigint"), expression=_num(scale))
        elif _is(x, T.DECIMAL) and scale == 10**6 and x.type.expressions and int(x.type.expressions[1].this.name) <= 6:
            micros = exp.cast(exp.Mul(this=x.copy(), expression=_num(scale)), "bigint")
        elif _is(x, T.DOUBLE, T.FLOAT) and scale == 10**6:
            double = exp.cast(x.copy(), "double")
            micros = exp.cast(exp.func("TRUNC", exp.Mul(this=double, expression=_num(scale))), "bigint")
            bad = exp.or_(exp.func("ISNAN", double.copy()), exp.func("ISINF", double.copy()))
            return exp.paren(exp.case().when(bad, exp.null()).else_(exp.func("MAKE_TIMESTAMP", micros)))
        else:
            raise Refused(node, f"Spark's {node.name.lower()} of this type is not translated")
        return exp.func("MAKE_TIMESTAMP", micros)

    return build


def _utf8(kind: str):
    # Text is always valid UTF-8 in the targets; a constant binary is checked here.
    def build(node, ctx, x):
        if isinstance(x, exp.HexString):
            data = bytes.fromhex(x.name.rjust(len(x.name) + len(x.name) % 2, "0"))
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                if kind == "is_valid":
                    return exp.false()
                if kind == "try":
                    return exp.cast(exp.null(), "string")
                raise Refused(node, "invalid UTF-8: Spark's answer is not translated") from None
            return exp.true() if kind == "is_valid" else exp.Literal.string(text)
        if not (_is(x, *_TEXT) or isinstance(x, exp.Null)):
            raise Refused(node, "Spark's UTF-8 functions are only translated for text and binary constants")
        if kind == "is_valid":
            return exp.paren(exp.case().when(exp.Not(this=exp.Is(this=x.copy(), expression=exp.null())), exp.true()))
        return x.copy()

    return build


def _constant(fn, type_sql: str, reads=(_text,)):
    # A function evaluated at compile time: every argument a constant, else refused.
    def build(node, ctx, *args):
        try:
            values = [read(a) for read, a in zip(reads * len(args), args)]
            value = fn(*values)  # each takes NULL (None) as Spark does
        except (ValueError, TypeError):
            raise Refused(node, f"Spark's {node.name.lower()} is only translated for constant arguments") from None
        return _typed_literal(value, type_sql)

    return build


def _luhn(node, ctx, x):
    # luhn_check of a number reads its text (123.456 -> '123.456').
    if isinstance(x, exp.Literal) and x.is_number and "e" not in x.name.lower():
        x = exp.Literal.string(x.name)
    return _constant(const.luhn_check, "boolean")(node, ctx, x)


def _bin(node, ctx, x):
    # bin(x): the BIGINT x (a fraction truncated) in two's-complement binary.
    value = number_literal(x)
    if value is not None:
        return exp.Literal.string(const.bin_text(int(value)))
    if isinstance(x, exp.Null):
        return exp.cast(exp.null(), "string")
    if _is(x, *_INTS) and ctx.engine == "duckdb":
        return exp.func("BIN", exp.cast(x.copy(), "bigint"))
    raise Refused(node, f"Spark's bin is only translated for integers on duckdb and constants on {ctx.engine}")


def _to_number(node, ctx, text, fmt):
    # Text that is not in the layout is an error (to_number) or NULL (try_to_number): refused.
    try:
        value, precision, scale = const.to_number(_text(text), _text(fmt))
    except (ValueError, TypeError, AttributeError):
        raise Refused(node, "Spark's to_number is only translated for constant text in an exact layout") from None
    return exp.cast(_num(str(value)), f"decimal({precision}, {scale})")


# lower-case name -> builder(node, ctx, *arguments)
BUILDERS = {
    **{name: _cast(to) for name, to in {
        "tinyint": "tinyint", "smallint": "smallint", "bigint": "bigint", "integer": "int",
        "decimal": "decimal(10, 0)", "binary": "binary"}.items()},
    "bround": spark_bround,
    "every": lambda node, ctx, x: exp.LogicalAnd(this=x.copy()),
    "some": lambda node, ctx, x: exp.LogicalOr(this=x.copy()),
    "mean": lambda node, ctx, x: exp.Avg(this=x.copy()),
    "positive": _positive,
    "btrim": lambda node, ctx, x, chars=None: exp.Trim(this=x.copy(), expression=chars and chars.copy()),
    "octet_length": _octet_length,
    "nullifzero": _nullifzero,
    "zeroifnull": _zeroifnull,
    "get": _get,
    "quote": _quote,
    "timediff": _timediff,
    "timestamp_seconds": _from_epoch(10**6),
    "timestamp_millis": _from_epoch(1000),
    "timestamp_micros": _from_epoch(1),
    "is_valid_utf8": _utf8("is_valid"),
    "make_valid_utf8": _utf8("make_valid"),
    "validate_utf8": _utf8("validate"),
    "try_validate_utf8": _utf8("try"),
    "conv": _constant(const.conv, "string", (_text_of_number, _integer, _integer)),
    "bin": _bin,
    "luhn_check": _luhn,
    "try_to_number": _to_number,
}


def known(name: str) -> bool:
    return name.lower() in BUILDERS


def spark_builtins(tree: exp.Expression, ctx: Context) -> exp.Expression:
    """Replace the calls of BUILDERS (and TO_NUMBER, and the aggregate any(x)) by their
    translations, innermost first."""
    for node in list(tree.find_all(exp.Any)):
        if not isinstance(node.this, exp.Query | exp.Subquery) and not isinstance(node.parent, exp.Predicate):
            node.replace(exp.LogicalOr(this=node.this.copy()))  # any(x) = bool_or(x), not x = ANY(...)
    nodes = [n for n in tree.find_all(exp.Anonymous, exp.ToNumber)
             if isinstance(n, exp.ToNumber) or n.name.lower() in BUILDERS]
    if not nodes:
        return tree
    for node in reversed(nodes):
        if isinstance(node, exp.ToNumber):
            build, args = _to_number, [node.this, node.args.get("format") or exp.null()]
        else:
            build, args = BUILDERS[node.name.lower()], list(node.expressions)
        if any(a.type is None for a in args):  # first, or an argument a translation replaced
            annotate(tree, ctx)
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
