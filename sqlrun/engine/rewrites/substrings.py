"""SUBSTRING positions (zero / negative starts, negative lengths) and Spark's SUBSTRING_INDEX."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from sqlrun.engine.rewrites.base import POSTGRES_LIKE, SPARK, Refused, is_null, replace_all

# --- SUBSTRING: where a start <= 0 or a negative length points differs per dialect ---
# Every engine agrees on SUBSTRING(s, a, b) when a >= 1 and b >= 0, so the source meaning
# is worked out as a window [lo, hi) of 1-based positions and clamped to that form.


def int_literal(node: exp.Expression | None) -> int | None:
    """The value of an integer literal (negative ones included), else None."""
    if isinstance(node, exp.Neg):
        inner = int_literal(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Paren):
        return int_literal(node.this)
    if isinstance(node, exp.Literal) and not node.is_string and node.name.lstrip("-").isdigit():
        return int(node.name)
    return None


Num = int | exp.Expression  # a folded constant or an expression


def _sql(v: Num) -> exp.Expression:
    if isinstance(v, int):
        return exp.Literal.number(v) if v >= 0 else exp.Neg(this=exp.Literal.number(-v))
    return v


def _add(a: Num, b: Num) -> Num:
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    if b == 0:
        return a
    if isinstance(b, int) and b < 0:
        return exp.Paren(this=exp.Sub(this=_sql(a), expression=_sql(-b)))
    return exp.Paren(this=exp.Add(this=_sql(a), expression=_sql(b)))


def _sub(a: Num, b: Num) -> Num:
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    return exp.Paren(this=exp.Sub(this=_sql(a), expression=_sql(b)))


def _at_least(v: Num, floor: int) -> Num:
    if isinstance(v, int):
        return max(v, floor)
    return exp.case().when(exp.LT(this=v.copy(), expression=_sql(floor)), _sql(floor)).else_(v.copy())


def _when_sign(p: exp.Expression, negative: Num, zero: Num) -> exp.Expression:
    """CASE on the sign of p: negative / zero / p itself."""
    return (
        exp.case()
        .when(exp.LT(this=p.copy(), expression=_sql(0)), _sql(negative))
        .when(exp.EQ(this=p.copy(), expression=_sql(0)), _sql(zero))
        .else_(p.copy())
    )


def _window(source: str, s: exp.Expression, pos: exp.Expression, length) -> tuple[Num, Num | None]:
    """[lo, hi) in 1-based positions (hi None: to the end) as the source dialect means it."""
    n = exp.cast(exp.Length(this=s.copy()), "bigint")  # Polars' LENGTH is unsigned: n - 9 wraps
    p, ln = int_literal(pos), int_literal(length) if length is not None else None
    ln_v: Num | None = None if length is None else (ln if ln is not None else length.copy())
    if source in SPARK:  # 0 is 1, -k is the k-th from the end; a negative length is empty
        if p is not None:
            lo: Num = p if p > 0 else 1 if p == 0 else _add(_add(n, p), 1)
        else:
            lo = _when_sign(pos, _add(_add(n, pos.copy()), 1), 1)
        return lo, None if ln_v is None else _add(lo, ln_v)
    if source == "duckdb":  # 0 is before the first; -k from the end; a negative length looks back
        if p is not None:
            lo0: Num = p if p >= 0 else _add(_add(n, p), 1)
        else:
            lo0 = _when_sign(pos, _add(_add(n, pos.copy()), 1), 0)
        if ln_v is None:
            return lo0, None
        if isinstance(ln_v, int):
            return (_add(lo0, ln_v), lo0) if ln_v < 0 else (lo0, _add(lo0, ln_v))
        back = exp.case().when(exp.LT(this=ln_v.copy(), expression=_sql(0)), ln_v.copy()).else_(_sql(0))
        ahead = exp.case().when(exp.GT(this=ln_v.copy(), expression=_sql(0)), ln_v.copy()).else_(_sql(0))
        return _add(lo0, back), _add(lo0, ahead)
    # PostgreSQL / Redshift: positions before 1 simply do not exist
    lo = p if p is not None else pos.copy()
    return lo, None if ln_v is None else _add(lo, ln_v)


def substring_positions(tree, ctx):
    def build(node):
        pos, length = node.args.get("start"), node.args.get("length")
        if pos is None:
            return node
        p, ln = int_literal(pos), int_literal(length) if length is not None else None
        if p is not None and p >= 1 and (length is None or (ln is not None and ln >= 0)):
            return node  # the form every engine reads alike
        if ctx.source in POSTGRES_LIKE and ln is not None and ln < 0:
            raise Refused(node, "a negative SUBSTRING length is an error in Redshift")
        lo, hi = _window(ctx.source, node.this, pos, length)
        start = _at_least(lo, 1)
        args = {"this": node.this.copy(), "start": _sql(start)}
        if hi is not None:
            args["length"] = _sql(_at_least(_sub(hi, start), 0))
        new = exp.Substring(**args)
        nullable = [a for a in (pos, length) if a is not None and int_literal(a) is None]
        if nullable:  # the CASEs above would turn a NULL start/length into a number
            test = exp.or_(*[is_null(a) for a in nullable])
            new = exp.case().when(test, exp.Null()).else_(new)
        return new

    return replace_all(tree, exp.Substring, build)


# --- SUBSTRING_INDEX (Spark): DuckDB has none; split, slice and join again ---


def _template(sql: str, **parts: exp.Expression) -> exp.Expression:
    """A DuckDB expression with __name placeholders replaced by the given nodes."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return tree.transform(
        lambda n: parts[n.name[2:]].copy() if isinstance(n, exp.Column) and n.name.startswith("__") else n
    )


def substring_index(tree, ctx):
    def build(node):
        count = int_literal(node.args.get("count"))
        if count is None:
            raise Refused(node, "SUBSTRING_INDEX is only translated for a constant count")
        s, delim = node.this, node.args["delimiter"]
        if count == 0:
            return exp.If(this=is_null(s), true=exp.Null(), false=exp.Literal.string(""))
        part = f"[1:{count}]" if count > 0 else f"[{count}:]"
        joined = f"ARRAY_TO_STRING(STRING_SPLIT(__s, __d){part}, __d)"
        # Spark gives '' for an empty delimiter; DuckDB would split into characters.
        return _template(f"CASE WHEN __d = '' THEN '' ELSE {joined} END", s=s, d=delim)

    return replace_all(tree, exp.SubstringIndex, build)
