"""DuckDB result types and casts on Polars (found by tests/fuzz, duckdb -> polars, seed 13).

- DuckDB's SIGN is a TINYINT (Polars': the argument's type, so CAST(SIGN(f) AS VARCHAR) was
  '-0.0' for '0'); its date parts are BIGINT (Polars': i8/i32, so second(ts) * 10 wrapped).
- DuckDB's ROUND(DECIMAL(p, s), n) is a DECIMAL(p, n) rounded half away from zero, as Polars'
  own ROUND of a decimal (the dialect's spelling for doubles went through a DOUBLE).
- DuckDB has no cast from a number to a DATE or TIMESTAMP: TRY_CAST is NULL (Polars counted days
  from 1970), CAST an error (refused).
- DuckDB's // of a DECIMAL or DOUBLE divides as DOUBLE without flooring: refused (where typed).
- any_value(x) (its first non-NULL value) as FIRST(x) FILTER (WHERE x IS NOT NULL): Polars has no
  IGNORE NULLS. As a window function it stays refused.
- bool_or / bool_and (Polars has neither) as MAX / MIN of the booleans (NULL over no value).
- trim/ltrim/rtrim strip spaces only in DuckDB (Polars' LTRIM/RTRIM of one argument: any
  whitespace; it has no TRIM): spelled LTRIM/RTRIM with the characters, ' ' by default.
- TRUNC(x, -k) (Polars: no negative places): TRUNC(x / 10^k) * 10^k in DOUBLE (x itself past
  308 places, as DuckDB gives x back for a non-finite result), DIV for integers, of x's type.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all, typed_nodes
from sqlrun.engine.rewrites.polars_date_parts import PARTS

NUMBERS = (*exp.DataType.NUMERIC_TYPES,)
FLOATS = (exp.DType.DOUBLE, exp.DType.FLOAT)
FRACTIONS = (*exp.DataType.REAL_TYPES,)  # DECIMAL, FLOAT, DOUBLE...
MOMENTS = (exp.DType.DATE, *exp.DataType.TEMPORAL_TYPES)
WHOLE_PARTS = tuple(k for k in PARTS if k not in (exp.Dayname, exp.Monthname, exp.LastDay))
KINDS = (exp.Trim, exp.LogicalOr, exp.LogicalAnd, exp.IgnoreNulls, exp.Trunc, exp.Sign, exp.Round,
         exp.Cast, exp.TryCast, exp.IntDiv, *WHOLE_PARTS)


def _is(node, *kinds) -> bool:
    return isinstance(node, exp.Expression) and node.type is not None and node.type.is_type(*kinds)


def _bigint(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Extract) and node.name.upper() in ("EPOCH", "JULIAN"):
        return node  # a DOUBLE in DuckDB
    return exp.cast(node.copy(), exp.DType.BIGINT)


def _decimal_round(node: exp.Round) -> exp.Expression | None:
    x, places = node.this, node.args.get("decimals")
    params = x.type.expressions if _is(x, exp.DType.DECIMAL) else []
    if len(params) != 2:
        return None
    n = 0 if places is None else int(places.name) if isinstance(places, exp.Literal) and places.is_int else -1
    precision, scale = (int(p.name) for p in params)
    if n < 0:
        return None  # the dialect's spelling refuses it
    if n >= scale:
        return x.copy()
    rounded = exp.Anonymous(this="ROUND", expressions=[x.copy(), exp.Literal.number(n)])
    return exp.cast(rounded, exp.DataType.build(f"DECIMAL({precision}, {n})"))


def _negative_places(node: exp.Trunc) -> int | None:
    places = node.args.get("decimals")
    if isinstance(places, exp.Neg) and isinstance(places.this, exp.Literal) and places.this.is_int:
        return int(places.this.name)
    if isinstance(places, exp.Literal) and places.is_int and int(places.name) < 0:
        return -int(places.name)
    return None


def _truncated(node: exp.Trunc, k: int) -> exp.Expression:
    x, kind = node.this, node.this.type
    if _is(x, *exp.DataType.INTEGER_TYPES):
        scale = exp.Literal.number(10**k)
        cut = exp.Mul(this=exp.Anonymous(this="DIV", expressions=[x.copy(), scale]), expression=scale.copy())
        return exp.cast(cut, kind.copy())
    if not _is(x, *FLOATS):
        raise Refused(node, "TRUNC to negative places is translated for Polars only for integers and floats")
    if k > 308:
        return x.copy()
    scale = exp.Literal.number(f"1e{k}")
    double = exp.cast(x.copy(), exp.DType.DOUBLE)
    cut = exp.Mul(this=exp.Anonymous(this="TRUNC", expressions=[exp.Div(this=double, expression=scale)]),
                  expression=scale.copy())
    return exp.cast(cut, kind.copy())


def _any_value(node: exp.IgnoreNulls) -> exp.Expression:
    value = node.this
    if not isinstance(value, exp.AnyValue) or isinstance(node.parent, exp.Window):
        return node
    known = exp.Where(this=exp.Not(this=exp.Is(this=value.this.copy(), expression=exp.Null())))
    return exp.Filter(this=exp.First(this=value.this.copy()), expression=known)


def _logical(node: exp.Expression) -> exp.Expression:
    return (exp.Max if isinstance(node, exp.LogicalOr) else exp.Min)(this=node.this.copy())


def _trim(node: exp.Trim) -> exp.Expression:
    chars = node.expression if node.expression is not None else exp.Literal.string(" ")
    position = (node.text("position") or "BOTH").upper()
    value = node.this.copy()
    if position in ("TRAILING", "BOTH"):
        value = exp.Anonymous(this="RTRIM", expressions=[value, chars.copy()])
    if position in ("LEADING", "BOTH"):
        value = exp.Anonymous(this="LTRIM", expressions=[value, chars.copy()])
    if isinstance(chars, exp.Literal):
        return value
    return exp.Case(ifs=[exp.If(this=exp.Is(this=chars.copy(), expression=exp.Null()), true=exp.null())], default=value)


def duckdb_types_on_polars(tree, ctx):
    tree = replace_all(tree, exp.IgnoreNulls, _any_value)
    tree = replace_all(tree, exp.Trim, _trim)
    tree = replace_all(tree, (exp.LogicalOr, exp.LogicalAnd), _logical)
    nodes = typed_nodes(tree, ctx, KINDS, operands=("this", "expression"))
    for node in nodes:
        if isinstance(node, exp.IntDiv) and any(_is(a, *FRACTIONS) for a in (node.this, node.expression)):
            raise Refused(node, "DuckDB's // of a DECIMAL or DOUBLE does not floor: not translated for Polars")
        if isinstance(node, exp.Cast | exp.TryCast) and node.to.is_type(*MOMENTS) and _is(node.this, *NUMBERS):
            if not isinstance(node, exp.TryCast):
                raise Refused(node, "DuckDB has no cast from a number to a date or time")
            node.replace(exp.cast(exp.null(), node.to.copy()))
        elif isinstance(node, exp.Round):
            rounded = _decimal_round(node)
            if rounded is not None:
                node.replace(rounded)
        elif isinstance(node, exp.Trunc) and _negative_places(node) is not None:
            node.replace(_truncated(node, _negative_places(node)))
        elif isinstance(node, exp.Sign):
            node.replace(exp.cast(node.copy(), exp.DType.TINYINT))
        elif isinstance(node, WHOLE_PARTS):
            node.replace(_bigint(node))
    return tree
