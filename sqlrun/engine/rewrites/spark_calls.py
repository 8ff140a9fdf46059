"""Spark calls the targets lack or read otherwise: spelled out with Spark's meaning (ANSI off:
bad input is NULL), or refused when the arguments' types say the target would fail at run time."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, is_null, replace_all, typed_nodes

_TEXT = exp.DataType.TEXT_TYPES
_NUMERIC = exp.DataType.NUMERIC_TYPES
_BINARY = (exp.DType.BINARY, exp.DType.VARBINARY)


def _num(value) -> exp.Expression:
    return exp.Literal.number(value)


def _double(x: exp.Expression) -> exp.Expression:
    return exp.cast(x, "double")


def _text_double(x: exp.Expression) -> exp.Expression:
    # Spark's CAST(text AS DOUBLE), ANSI off: NULL for text that is no number
    return exp.TryCast(this=x.copy(), to=exp.DataType.build("double"))


def _is(node: exp.Expression, *types) -> bool:
    return node.type is not None and node.type.is_type(*types)


def _binary(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, (exp.Unhex, exp.HexString, exp.FromBase64, exp.ToBinary, exp.Encode)):
        return True
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return node.to.is_type(*_BINARY)
    return _is(node, *_BINARY)


def _elt(node):
    # ELT(n, s1, s2, ...): the n-th argument; NULL for n NULL or out of range (ANSI off).
    case = exp.Case(this=node.this.copy())
    for i, arg in enumerate(node.expressions, 1):
        case = case.when(_num(i), arg.copy())
    return exp.paren(case)


def _reciprocal(fn):
    # SEC(x) = 1 / COS(x), CSC(x) = 1 / SIN(x) in doubles: CSC(0) is Infinity, as in Java.
    return lambda node: exp.paren(exp.Div(this=_double(_num(1)), expression=fn(this=_double(node.this.copy()))))


def _replace(node):
    # REPLACE(s, search): every occurrence removed.
    if node.args.get("replacement") is None:
        node = node.copy()
        node.set("replacement", exp.Literal.string(""))
    return node


_SPELLED = {exp.Elt: _elt, exp.Sec: _reciprocal(exp.Cos), exp.Csc: _reciprocal(exp.Sin), exp.Replace: _replace}


def spark_missing_functions(tree, ctx):
    """ELT, SEC, CSC and two-argument REPLACE, which neither DuckDB nor Polars has."""
    return replace_all(tree, tuple(_SPELLED), lambda n: _SPELLED[type(n)](n))


def _try_add(node, ctx):
    # TRY_ADD of numbers: NULL where the sum overflows (DuckDB raises; TRY makes it NULL).
    if not (_is(node.this, *_NUMERIC) and _is(node.expression, *_NUMERIC)):
        raise Refused(node, "Spark's TRY_ADD is only translated for numbers of known types")
    add = exp.Add(this=node.this.copy(), expression=node.expression.copy())
    return exp.Anonymous(this="TRY", expressions=[add])


def _width_bucket(node, ctx):
    # Spark's WidthBucket.computeBucketNumber, on doubles, with its NULL cases.
    args = [node.this, node.args["min_value"], node.args["max_value"], node.args["num_buckets"]]
    if not all(_is(a, *_NUMERIC, *_TEXT, exp.DType.NULL) for a in args):
        raise Refused(node, "Spark's WIDTH_BUCKET is only translated for numbers of known types")
    v, lo, hi = (_text_double(a) if _is(a, *_TEXT) else _double(a.copy()) for a in args[:3])
    count = args[3]
    if _is(count, *exp.DataType.INTEGER_TYPES, exp.DType.NULL):
        n = count.copy()
    else:  # Spark casts it to BIGINT: a fraction truncated, text that is no number NULL
        as_double = _text_double(count) if _is(count, *_TEXT) else _double(count.copy())
        n = exp.cast(exp.func("TRUNC", as_double), "bigint")
    lower = exp.func("LEAST", lo.copy(), hi.copy())
    upper = exp.func("GREATEST", lo.copy(), hi.copy())

    def bucket(distance):
        share = exp.Div(this=exp.Mul(this=_double(n.copy()), expression=exp.paren(distance)),
                        expression=exp.paren(exp.Sub(this=upper.copy(), expression=lower.copy())))
        return exp.Add(this=exp.cast(exp.func("TRUNC", share), "bigint"), expression=_num(1))

    over = exp.Add(this=exp.cast(n.copy(), "bigint"), expression=_num(1))
    rising = (exp.case()
              .when(exp.LT(this=v.copy(), expression=lower.copy()), _num(0))
              .when(exp.GTE(this=v.copy(), expression=upper.copy()), over.copy())
              .else_(bucket(exp.Sub(this=v.copy(), expression=lower.copy()))))
    falling = (exp.case()
               .when(exp.GT(this=v.copy(), expression=upper.copy()), _num(0))
               .when(exp.LTE(this=v.copy(), expression=lower.copy()), over.copy())
               .else_(bucket(exp.Sub(this=upper.copy(), expression=v.copy()))))
    null = exp.or_(
        *(exp.Is(this=a.copy(), expression=exp.null()) for a in (v, lo, hi, n)),
        exp.LTE(this=n.copy(), expression=_num(0)),
        exp.EQ(this=n.copy(), expression=_num(9223372036854775807)),
        exp.func("ISNAN", v.copy()), exp.EQ(this=lo.copy(), expression=hi.copy()),
        exp.func("ISNAN", lo.copy()), exp.func("ISINF", lo.copy()),
        exp.func("ISNAN", hi.copy()), exp.func("ISINF", hi.copy()),
    )
    return exp.paren(exp.case().when(null, exp.null())
                     .when(exp.LT(this=lo.copy(), expression=hi.copy()), rising).else_(falling))


_TYPED = {exp.SafeAdd: (_try_add, ("this", "expression")), exp.WidthBucket: (_width_bucket, ("this",))}


def spark_typed_functions(tree, ctx):
    """TRY_ADD and WIDTH_BUCKET for DuckDB, from their arguments' types."""
    nodes = typed_nodes(tree, ctx, tuple(_TYPED), operands=("this",))
    for node in reversed(nodes):
        build, _ = _TYPED[type(node)]
        node.replace(build(node, ctx))
    return tree


# --- Spark's implicit casts of arguments, decided from their types ---

STRING_CALLS = (exp.Pad, exp.StartsWith, exp.EndsWith, exp.Contains, exp.Left, exp.Right)


def spark_binary_string_calls(tree, ctx):
    """LPAD/RPAD, STARTSWITH, ENDSWITH, CONTAINS of bytes: Spark has binary forms DuckDB lacks;
    of numbers or booleans Spark casts them to text first."""
    nodes = typed_nodes(tree, ctx, STRING_CALLS, operands=("this", "expression"))
    for node in nodes:
        args = [node.args.get(k) for k in ("this", "expression", "fill_pattern")]
        args = [a for a in args if isinstance(a, exp.Expression)]
        if any(_binary(a) for a in args):
            raise Refused(node, "Spark's binary form of this function: the target has none")
        if isinstance(node, (exp.StartsWith, exp.EndsWith, exp.Contains)) and any(
                _is(a, exp.DType.BOOLEAN, *_NUMERIC) for a in args):
            raise Refused(node, "Spark casts a number or boolean argument to text here; not translated")
    return tree


def _text_integer(literal: exp.Literal) -> exp.Expression:
    # Spark's CAST(text AS INT), ANSI off, decided now: trimmed, a fraction truncated, else NULL.
    try:
        return _num(int(float(literal.name.strip())))
    except ValueError:
        return exp.null()


def spark_text_arguments(tree, ctx):
    """abs('-2.19') and -'2' are DOUBLEs; length(42) reads '42'; a text length or count
    (left('abcd', 'a'), lpad('hi', 'x')) is an INT, NULL when it is no number."""
    kinds = (exp.Abs, exp.Neg, exp.Length, exp.Left, exp.Right, exp.Pad)
    for node in typed_nodes(tree, ctx, kinds):
        arg = node.this
        if isinstance(node, (exp.Abs, exp.Neg)) and _is(arg, *_TEXT) and not isinstance(node.parent, exp.Interval):
            arg.replace(_text_double(arg))
        elif isinstance(node, exp.Length) and _is(arg, *exp.DataType.INTEGER_TYPES):
            arg.replace(exp.cast(arg.copy(), "varchar"))
        elif isinstance(node, (exp.Left, exp.Right, exp.Pad)):
            count = node.expression
            if isinstance(count, exp.Literal) and count.is_string:
                count.replace(_text_integer(count))
    return replace_all(tree, (exp.Left, exp.Right), _left_right)


def _left_right(node):
    # Spark's left/right(s, n): NULL for a NULL s, '' for n <= 0, all of s for n past its length
    # (Polars: not so). left(NULL, -1) was '' (found by tests/fuzz).
    s, n = node.this, node.expression
    if isinstance(n, exp.Null) or isinstance(s, exp.Null):
        return node
    empty = exp.LTE(this=n.copy(), expression=_num(0))
    whole = exp.GTE(this=n.copy(), expression=exp.Length(this=s.copy()))
    case = exp.case().when(is_null(s), exp.null()).when(empty, exp.Literal.string("")).when(whole, s.copy())
    return exp.paren(case.else_(node.copy()))



# --- integer overflow Spark wraps (ANSI off), decided where the operands are literals ---

_BITS = {exp.DType.TINYINT: 8, exp.DType.SMALLINT: 16, exp.DType.INT: 32, exp.DType.BIGINT: 64}


def _integer_literal(node) -> tuple[int, exp.DataType] | None:
    if isinstance(node, exp.Neg) and isinstance(node.this, (exp.Cast, exp.TryCast)):  # -128y
        inner = _integer_literal(node.this)
        return (-inner[0], inner[1]) if inner else None
    to = None
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this in _BITS:
        node, to = node.this, node.to
    negative = isinstance(node, exp.Neg)
    node = node.this if negative else node
    if not (isinstance(node, exp.Literal) and node.is_int):
        return None
    value = -int(node.name) if negative else int(node.name)
    if to is None:
        to = exp.DataType.build("int" if -(2**31) <= value < 2**31 else "bigint")
    return value, to


def _wrap(value: int, bits: int) -> int:
    return (value + 2 ** (bits - 1)) % 2**bits - 2 ** (bits - 1)


def spark_round_integer_overflow(tree, ctx):
    """round(2147483647, -1) is an INT in Spark, wrapped: -2147483646 (DuckDB raises)."""
    def build(node):
        literal, places = _integer_literal(node.this), _integer_literal(node.args.get("decimals"))
        if literal is None or places is None or places[0] >= 0:
            return node
        (value, to), step = literal, 10 ** -places[0]
        rounded = (abs(value) + step // 2) // step * step * (1 if value >= 0 else -1)
        bits = _BITS[to.this]
        if _wrap(rounded, bits) == rounded:
            return node
        return exp.cast(_num(_wrap(rounded, bits)), to.copy())

    return replace_all(tree, exp.Round, build)


# --- small differences of single calls ---

_NULL_TYPED = {exp.Contains: "varchar", exp.StartsWith: "varchar", exp.EndsWith: "varchar",
               exp.UnixSeconds: "timestamp", exp.UnixMicros: "timestamp", exp.UnixMillis: "timestamp"}
CALL_DETAILS = (*_NULL_TYPED, exp.RegexpSplit)


def spark_div_by_zero(tree, ctx):
    """x div 0 is NULL on Spark (ANSI off); DuckDB and Polars fail."""
    for node in list(tree.find_all(exp.IntDiv)):
        divisor = node.expression
        if not (isinstance(divisor, exp.Literal) and divisor.is_number and float(divisor.name) != 0):
            node.set("expression", exp.Nullif(this=divisor.copy(), expression=_num(0)))
    return tree


def spark_call_details(tree, ctx):
    """A bare NULL argument takes the type Spark gives it (DuckDB cannot choose an overload);
    split(s, re, limit): a limit <= 0 is none, another refused."""
    for node in list(tree.find_all(CALL_DETAILS)):
        if isinstance(node, exp.RegexpSplit):
            limit = node.args.get("limit")
            if limit is not None:
                value = _integer_literal(limit)
                if value is None or value[0] > 0:
                    raise Refused(node, "Spark's split with a limit above 0 is not translated")
                node.set("limit", None)
            _split_edges(node)
        elif type(node) in _NULL_TYPED:
            for key in ("this", "expression"):
                arg = node.args.get(key)
                if isinstance(arg, exp.Null):
                    arg.replace(exp.cast(arg.copy(), _NULL_TYPED[type(node)]))
    return tree


def _split_edges(node):
    # Spark: split('', '') is [''] (DuckDB: []), split(s, NULL) is NULL (DuckDB: [s]).
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string and pattern.name:
        return
    empty = exp.EQ(this=node.this.copy(), expression=exp.Literal.string(""))
    new = exp.case().when(exp.Is(this=pattern.copy(), expression=exp.null()), exp.null())
    new = new.when(empty, exp.Array(expressions=[exp.Literal.string("")])).else_(node.copy())
    node.replace(exp.paren(new))
