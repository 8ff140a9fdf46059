"""Spark's own reading of operators and types: || binds like +, text in arithmetic is a DOUBLE, TIME."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all, typed_nodes
from sqlrun.engine.rewrites.time_numbers import time_literal_number

_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_NUMERIC = (*exp.DataType.NUMERIC_TYPES, exp.DType.NULL)


def spark_concat_binds_like_plus(tree, ctx):
    # Spark's || has the precedence of + and - (left to right): 'four: ' || 2 + 2 is
    # ('four: ' || 2) + 2. sqlglot reads it as 'four: ' || (2 + 2), as PostgreSQL and DuckDB do.
    def build(node):
        right = node.expression
        if not isinstance(right, (exp.Add, exp.Sub)):
            return node
        new = right.copy()
        leftmost = new  # the + or - whose left operand is the text's right neighbour
        while isinstance(leftmost.this, (exp.Add, exp.Sub)):
            leftmost = leftmost.this
        pipe = exp.DPipe(this=node.this.copy(), expression=leftmost.this.copy(), safe=node.args.get("safe"))
        leftmost.set("this", exp.paren(pipe))
        return exp.paren(new)

    return replace_all(tree, exp.DPipe, build)


def _text(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal):
        return node.is_string
    return isinstance(node, (exp.DPipe, exp.Concat, exp.ConcatWs))


def spark_text_in_arithmetic(tree, ctx):
    # Spark (ANSI off) casts a text operand of + - * / % to DOUBLE: '1' + 1 is 2.0 and
    # 'a' + 1 NULL; DuckDB and Polars refuse at run time or read '1' as an integer.
    nodes = [n for n in tree.find_all(_ARITHMETIC) if _text(n.this) or _text(n.expression)]
    if not nodes:
        return tree
    typed_nodes(tree, ctx, _ARITHMETIC, lambda n: n in nodes, operands=("this", "expression"))
    for node in nodes:
        sides = (node.this, node.expression)
        if not all(_text(s) or (s.type is not None and s.type.is_type(*_NUMERIC)) for s in sides):
            continue  # a date, an interval or an unknown type: Spark reads it otherwise
        for side in sides:
            if _text(side):
                # Spark's own CAST, which sqlglot reads as TRY_CAST: NULL for text that is no number
                side.replace(exp.TryCast(this=side.copy(), to=exp.DataType.build("double")))
    return tree



_TIME = (exp.DType.TIME, exp.DType.TIMETZ)


def _time_cast(node: exp.Expression) -> bool:
    return isinstance(node, (exp.Cast, exp.TryCast)) and node.to.is_type(*_TIME)


def spark_time_type(tree, ctx):
    # Spark 4's TIME type: sqlglot's Spark generator writes it as TIMESTAMP (today's date), reads
    # TIME '00:01:52' :: INT as TIME (CAST('00:01:52' AS INT)), and DuckDB's TIME casts to no
    # number, where Spark gives the seconds since midnight. Refused where those differ; Spark
    # itself gets its TIME back.
    for node in list(tree.find_all(exp.Cast, exp.TryCast)):
        if not (_time_cast(node) or _time_cast(node.this)):
            continue
        number = _time_literal_number(node) if ctx.engine in ("duckdb", "polars") else None
        if number is not None:
            node.replace(number)
            continue
        if _time_cast(node) and isinstance(node.this, (exp.Cast, exp.TryCast)):
            raise Refused(node, "TIME '...' :: type: sqlglot casts the text first, Spark the TIME")
        if ctx.engine == "spark":
            if _time_cast(node):
                text = node.this
                if node.to != exp.DataType.build("time") or not (isinstance(text, exp.Literal) and text.is_string):
                    raise Refused(node, "Spark's TIME type: Spark takes it only as a literal, and sqlglot writes"
                                        " it back as a TIMESTAMP")
                # TIME 'hh:mm:ss', not sqlglot's TIMESTAMP (Spark refuses CAST(... AS TIME)).
                node.replace(exp.Var(this=f"TIME {text.sql(dialect='spark')}"))
            continue
        if _time_cast(node.this) and not node.to.is_type(*_TIME, *exp.DataType.TEXT_TYPES):
            raise Refused(node, f"a TIME cast to {node.to.sql()}: Spark gives the seconds since midnight")
    return tree


def _time_literal_number(node: exp.Expression) -> exp.Expression | None:
    # CAST(TIME 'hh:mm:ss' AS number), and TIME 'hh:mm:ss' :: number, which sqlglot reads as
    # CAST(TRY_CAST('hh:mm:ss' AS number) AS TIME) (an explicit CAST of a CAST reads as TRY_CAST).
    if _time_cast(node.this) and not _time_cast(node):
        text, to = node.this.this, node.to
    elif type(node) is exp.Cast and _time_cast(node) and type(node.this) is exp.TryCast:
        text, to = node.this.this, node.this.to
    else:
        return None
    if not (isinstance(text, exp.Literal) and text.is_string):
        return None
    return time_literal_number(text.this, to)


_BLANK = r"[\x00-\x20]+"  # what Spark trims before reading text as a boolean or a number
_TRUE, _FALSE = ("t", "true", "y", "yes", "1"), ("f", "false", "n", "no", "0")


def trimmed_like_spark(text: exp.Expression) -> exp.Expression:
    """The text without the blanks and control characters Spark trims before reading it."""
    for pattern in (f"^{_BLANK}", f"{_BLANK}$"):
        blank = exp.Literal.string(pattern)
        text = exp.RegexpReplace(this=text, expression=blank, replacement=exp.Literal.string(""))
    return text


def spark_text_casts(tree, ctx):
    # Spark reads text as a boolean after trimming blanks and control characters, in any case, and
    # takes yes/no too: CAST('\t true \n' AS BOOLEAN) is TRUE (DuckDB: NULL). CAST(integer AS
    # BINARY) is the number's big-endian bytes on Spark: no engine here has that cast.
    binary = (exp.DType.BINARY, exp.DType.VARBINARY)
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(exp.DType.BOOLEAN, *binary)):
        arg = node.this.type
        if arg is None:
            continue
        if node.to.is_type(*binary):
            if arg.is_type(*exp.DataType.INTEGER_TYPES):
                raise Refused(node, "Spark's CAST(integer AS BINARY) gives the number's big-endian bytes")
            continue
        if not arg.is_type(*exp.DataType.TEXT_TYPES):
            continue
        word = exp.Lower(this=trimmed_like_spark(node.this.copy()))
        true = exp.In(this=word, expressions=[exp.Literal.string(w) for w in _TRUE])
        false = exp.In(this=word.copy(), expressions=[exp.Literal.string(w) for w in _FALSE])
        node.replace(exp.paren(exp.case().when(true, exp.true()).when(false, exp.false())))
    return tree


def polars_timestamp_text(tree, ctx):
    # Polars writes a timestamp as text with all six fraction digits ('... 23:59:59.000000');
    # DuckDB and Spark drop the zeros (found by tests/fuzz).
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(*exp.DataType.TEXT_TYPES)):
        if node.this.type is not None and node.this.type.is_type(*exp.DataType.TEMPORAL_TYPES):
            if not node.this.type.is_type(exp.DType.DATE):
                raise Refused(node, "Polars writes a timestamp as text with six fraction digits, always")
    return tree


_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)


def nested_comparisons(tree, ctx):
    # `a <= b = c` is (a <= b) = c in Spark; DuckDB refuses chained comparisons and Polars reads
    # them otherwise: a comparison inside a comparison is parenthesized (found by tests/fuzz).
    # So are a LIKE, IN, BETWEEN, IS or NOT inside a comparison or an IS, which Spark cannot
    # parse bare (`s LIKE 'a%' IS NULL`, `'a' IN ('') <> b`, `b <> NOT b`), and a comparison or
    # predicate as an operand of a predicate (Spark's (b = s) LIKE 'a%', written bare, is read
    # b = (s LIKE 'a%') by DuckDB and the other way round).
    for node in list(tree.find_all(*PREDICATES)):
        for key in ("this", "expression", "low", "high"):
            operand = node.args.get(key)
            if isinstance(operand, _NESTED):  # the operand itself, not a copy: it is listed too
                paren = exp.Paren()
                node.set(key, paren)
                paren.set("this", operand)
    return tree


_LIKES = (exp.Like, exp.ILike, exp.RegexpLike, exp.RegexpILike)
_NESTED = (*_COMPARISONS, *_LIKES, exp.In, exp.Between, exp.Is, exp.Not, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Escape)
PREDICATES = (*_COMPARISONS, *_LIKES, exp.In, exp.Between, exp.Is, exp.NullSafeEQ, exp.NullSafeNEQ)


def spark_like_operands_are_text(tree, ctx):
    # Spark casts a boolean or an integer operand of LIKE, ILIKE or RLIKE to text ((b = s) LIKE
    # 't%' matches 'true'); DuckDB refuses it, Polars fails at run time. Written the same way on
    # every engine ('true', '-12'); other types stay for the engine to refuse.
    spelled = (exp.DType.BOOLEAN, *exp.DataType.INTEGER_TYPES)
    for node in typed_nodes(tree, ctx, _LIKES, operands=("this", "expression")):
        for operand in (node.this, node.expression):
            if operand.type is not None and operand.type.is_type(*spelled):
                operand.replace(exp.Cast(this=operand.copy(), to=exp.DataType.build("varchar")))
    return tree


def spark_text_against_boolean(tree, ctx):
    # Spark compares text with a boolean by reading the text as a BOOLEAN ('a' <> b is NULL);
    # the CAST made here is then spelled by spark_text_casts (found by tests/fuzz).
    nodes = typed_nodes(tree, ctx, _COMPARISONS, operands=("this", "expression"))
    for node in nodes:
        left, right = node.this, node.expression
        for text, other in ((left, right), (right, left)):
            if _is(text, *exp.DataType.TEXT_TYPES) and _is(other, exp.DType.BOOLEAN):
                text.replace(exp.Cast(this=text.copy(), to=exp.DataType.build("boolean")))
    return tree


def _is(node: exp.Expression, *types) -> bool:
    return node.type is not None and node.type.is_type(*types)
