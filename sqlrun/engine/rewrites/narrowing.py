"""CAST to a narrower integer: Spark (not ANSI) wraps integers and decimals (two's complement,
the low bits kept) and saturates doubles (NaN is 0; to SMALLINT/TINYINT it saturates to INT,
then wraps); DuckDB and Polars give NULL for what does not fit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes

_BITS = {exp.DType.TINYINT: 8, exp.DType.SMALLINT: 16, exp.DType.INT: 32, exp.DType.BIGINT: 64}
_FLOATS = (exp.DType.DOUBLE, exp.DType.FLOAT)


def spark_integer_narrowing(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Cast, lambda c: c.to.this in _BITS):
        arg, bits = node.this.type, _BITS[node.to.this]
        value = _literal_value(node.this, bits)
        if value is not None:  # a number written in the query: its Spark value, computed here
            node.replace(exp.cast(exp.Literal.number(value), node.to.copy()))
            continue
        if isinstance(node.this, (exp.Floor, exp.Ceil)) and node.this.this.type is not None:
            arg = node.this.this.type  # typed as Spark's BIGINT result: what it rounds is what counts
        if arg is None:
            continue
        if arg.this in _BITS and _BITS[arg.this] > bits:
            node.replace(wrap(node.this, bits, node.to))
        elif arg.is_type(*_FLOATS):
            whole = _saturate(node.this, min(bits, 64 if bits == 64 else 32))
            node.replace(whole if bits >= 32 else wrap(whole, bits, node.to))
        elif arg.is_type(exp.DType.DECIMAL) and _digits(arg) >= len(str(2 ** (bits - 1))):
            if ctx.engine != "duckdb":
                raise Refused(node, f"Spark wraps a DECIMAL that does not fit {node.to.sql()} (keeps its low"
                              f" bits); {ctx.engine} gives NULL: cast it to a wider type first")
            huge = exp.Cast(this=exp.func("TRUNC", node.this.copy()), to=exp.DataType.build("hugeint"))
            node.replace(wrap(huge, bits, node.to))
    return tree


def _literal_value(node: exp.Expression, bits: int) -> int | None:
    """A numeric literal cast to a `bits` integer as Spark does: 2.5 (a DECIMAL) truncated and
    wrapped, 2.5e0 (a DOUBLE) truncated and saturated; None for anything else."""
    sign = 1
    while isinstance(node, (exp.Neg, exp.Paren)):
        sign, node = (-sign if isinstance(node, exp.Neg) else sign), node.this
    if not isinstance(node, exp.Literal) or node.is_string:
        return None
    text = node.name.lower()
    try:
        number = Decimal(text) * sign
    except InvalidOperation:
        return None
    whole = int(number)  # toward zero
    if "e" not in text:
        return _wrapped(whole, bits)
    top = 2 ** (min(bits, 32) - 1 if bits < 64 else 63)
    return _wrapped(max(-top, min(top - 1, whole)), bits)


def _digits(decimal: exp.DataType) -> int:
    """The integer digits of DECIMAL(p, s) (38 when its precision is not written)."""
    params = [int(p.this.name) for p in decimal.expressions] if decimal.expressions else [38, 0]
    return params[0] - (params[1] if len(params) > 1 else 0)


def wrap(x: exp.Expression, bits: int, to: exp.DataType) -> exp.Expression:
    """x (an integer) modulo 2^bits, as a signed `to`: (((x & M) + H) & M) - H, with M = 2^bits - 1
    and H = 2^(bits-1); x written once, nothing overflows. Its + and - are not wrapped again (_from_wrap)."""
    mask, half = exp.Literal.number(2**bits - 1), exp.Literal.number(2 ** (bits - 1))
    low = exp.paren(exp.BitwiseAnd(this=_p(x), expression=mask))
    shifted = exp.Add(this=low, expression=half)
    signed = exp.Sub(this=exp.paren(exp.BitwiseAnd(this=exp.paren(shifted), expression=mask.copy())),
                     expression=half.copy())
    return exp.Cast(this=signed, to=to.copy())


def _from_wrap(node: exp.Expression) -> bool:
    """The + or - of a _wrap: `(x & M) + H`, `((...) & M) - H`."""
    return isinstance(node.this, exp.Paren) and isinstance(node.this.this, exp.BitwiseAnd)


# NaN is above +Infinity in DuckDB's and Polars' comparisons (Polars SQL has no ISNAN).
_INFINITY = exp.cast(exp.Literal.string("Infinity"), exp.DataType.build("double"))


def _p(x: exp.Expression) -> exp.Expression:
    """A copy of x, in parentheses when it is an operation (operands of % and *)."""
    return exp.paren(x.copy()) if isinstance(x, (exp.Binary, exp.Unary, exp.Case)) else x.copy()


def _saturate(x: exp.Expression, bits: int) -> exp.Expression:
    """A double to a `bits` integer as Scala's toInt/toLong: NaN 0, beyond the range its ends."""
    top, bottom = 2 ** (bits - 1) - 1, -(2 ** (bits - 1))
    to = exp.DataType.build("bigint" if bits == 64 else "int")
    return (
        exp.case()
        .when(exp.GT(this=x.copy(), expression=_INFINITY.copy()), exp.cast(exp.Literal.number(0), to.copy()))
        .when(exp.GTE(this=x.copy(), expression=exp.Literal.number(f"{float(top + 1)!r}")),
              exp.cast(exp.Literal.number(top), to.copy()))
        .when(exp.LTE(this=x.copy(), expression=exp.Literal.number(f"{float(bottom)!r}")),
              exp.cast(exp.Literal.number(bottom), to.copy()))
        .else_(exp.TryCast(this=x.copy(), to=to.copy()))  # Polars evaluates every branch
    )


_NAMES = {8: "tinyint", 16: "smallint", 32: "int", 64: "bigint"}


def spark_integer_arithmetic_wraps(tree, ctx):
    # Spark (not ANSI) wraps INT + INT, BIGINT * BIGINT...; DuckDB fails on overflow. Computed one
    # size wider (HUGEINT for BIGINT), kept when it fits, else wrapped to the low bits; a chain of
    # one width is wrapped once, at its top (a wider value that overflows still fails, loudly).
    ops = (exp.Add, exp.Sub, exp.Mul)
    found = []
    before = [(n, n._type) for n in tree.walk()]  # typing here must not change how the rest is written
    for node in typed_nodes(tree, ctx, ops, operands=("this", "expression")):
        sides = [node.this.type, node.expression.type]
        if isinstance(node.parent, exp.Anonymous) and node.parent.name.upper() == "TRY" or _from_wrap(node):
            continue  # Spark's TRY_ADD (NULL on overflow), or a wrap written here
        if _group_key(node):
            continue  # as written: the SELECT list must still name the GROUP BY expression
        small = _small(node.this) and _small(node.expression)
        if all(t is not None and t.this in _BITS for t in sides) and not small:
            found.append((node, max(_BITS[t.this] for t in sides)))
    for n, kind in before:
        n._type = kind
    members = {}
    for node, bits in reversed(found):  # innermost first: literals folded as Spark does
        values = [integer_literal(node.this), integer_literal(node.expression)]
        if None in values:
            members[id(node)] = bits
            continue
        value = _wrapped(_OPS[type(node)](*values), bits)
        to = exp.DataType.build(_NAMES[bits])
        node.replace(exp.Literal.number(value) if bits == 32 else exp.cast(exp.Literal.number(value), to))
    for node, bits in reversed(found):
        if id(node) not in members or members.get(id(_up(node))) == bits:
            continue  # folded, or inside a chain wrapped once at its top (the low bits are the same)
        node.replace(_wrapped_chain(node, bits, members))
    return tree


def _group_key(node: exp.Expression) -> bool:
    """Whether node is (in its SELECT) one of the GROUP BY expressions, or inside one."""
    select = node.find_ancestor(exp.Select)
    group = select.args.get("group") if select else None
    if group is None:
        return False
    keys = {k.sql() for k in group.walk() if isinstance(k, (exp.Add, exp.Sub, exp.Mul))}
    return node.sql() in keys or node.find_ancestor(exp.Group) is not None


def _up(node: exp.Expression) -> exp.Expression | None:
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    return parent


def _wrapped_chain(top: exp.Expression, bits: int, members: dict) -> exp.Expression:
    """A chain of + - * of one width computed one size wider, wrapped once when out of range."""
    wide = exp.DataType.build("bigint" if bits <= 32 else "hugeint")

    def widen(node):
        for key in ("this", "expression"):
            child = inner = node.args[key]
            while isinstance(inner, exp.Paren):
                inner = inner.this
            if members.get(id(inner)) == bits:
                widen(inner)
            else:
                child.replace(exp.Cast(this=child.copy(), to=wide.copy()))

    widen(top)
    result, to = exp.paren(top.copy()), exp.DataType.build(_NAMES[bits])
    if top.find(exp.BitwiseAnd, exp.Case) is not None:
        return wrap(result, bits, to)  # holds another wrap: written once, not repeated per level
    # DuckDB runs this ~2x faster than the bit form alone (10M rows: 68 vs 118 ms; a - b 21 ms)
    fits = exp.Between(this=result.copy(), low=exp.Literal.number(-(2 ** (bits - 1))),
                       high=exp.Literal.number(2 ** (bits - 1) - 1))
    return exp.paren(exp.case().when(fits, exp.Cast(this=result.copy(), to=to.copy())).else_(wrap(result, bits, to)))


_SMALL_PARTS = {"MONTH", "DAY", "DOW", "DAYOFWEEK", "DOY", "DAYOFYEAR", "QUARTER", "HOUR", "MINUTE", "WEEK"}


_SMALL_CALLS = tuple(getattr(exp, name) for name in (
    "DayOfWeek", "DayOfWeekIso", "DayOfMonth", "DayOfYear", "Month", "Quarter", "Hour", "Minute",
    "Second", "Week", "WeekOfYear", "Day") if hasattr(exp, name))


def _small(node: exp.Expression) -> bool:
    """Below 2^15 in size whatever the row: two of them add and multiply without overflow."""
    value = integer_literal(node)
    if value is not None:
        return abs(value) < 2**15
    if isinstance(node, exp.Paren):
        return _small(node.this)
    return isinstance(node, exp.Extract) and node.name.upper() in _SMALL_PARTS or isinstance(node, _SMALL_CALLS)


_OPS = {exp.Add: lambda a, b: a + b, exp.Sub: lambda a, b: a - b, exp.Mul: lambda a, b: a * b}


def integer_literal(node: exp.Expression) -> int | None:
    """The value of an integer literal (or its negation), else None."""
    if isinstance(node, exp.Neg):
        value = integer_literal(node.this)
        return None if value is None else -value
    if isinstance(node, exp.Paren):
        return integer_literal(node.this)
    return int(node.name) if isinstance(node, exp.Literal) and node.is_int else None


def _wrapped(value: int, bits: int) -> int:
    low = value % 2**bits
    return low - 2**bits if low >= 2 ** (bits - 1) else low
