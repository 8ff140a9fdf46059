"""Spark's row values (structs) where Polars SQL has no tuple expression, written out field by
field with Spark's meaning:

- (a, b) IN ((1, 2.0), ...) with rows of number constants, each of its field's type (Spark
  refuses structs of other types): Spark compares structs, where a NULL field differs from
  any value (never NULL): OR of ANDs of COALESCE(a = 1, FALSE).
- count((a, b)): a struct is never NULL, so it counts rows: COUNT(*).
- count(DISTINCT 3, 2) of constants only: one when there is a row (zero with a NULL constant).
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import annotate, replace_all
from sqlrun.engine.spark_types import literal_type


def _number_constant(node: exp.Expression) -> bool:
    inner = node.this if isinstance(node, exp.Neg) else node
    return isinstance(node, exp.Null) or (isinstance(inner, exp.Literal) and inner.is_number)


def _constant_type(literal: exp.Literal) -> exp.DataType | None:
    if literal.is_int and -(2**31) <= int(literal.name) < 2**31:
        return exp.DataType.build("int")  # (sqlglot's own type for it)
    return literal_type(literal)


def _same(field: exp.Expression, value: exp.Expression) -> exp.Expression:
    if isinstance(value, exp.Null):
        return exp.paren(exp.Is(this=field.copy(), expression=exp.null()))
    return exp.func("COALESCE", exp.EQ(this=field.copy(), expression=value.copy()), exp.false())


def _row_in(node: exp.In) -> exp.Expression:
    fields, rows = node.this, node.expressions
    if not isinstance(fields, exp.Tuple) or not rows or node.args.get("query") or node.args.get("unnest"):
        return node
    width = len(fields.expressions)
    if not all(isinstance(r, exp.Tuple) and len(r.expressions) == width for r in rows):
        return node
    if not all(_number_constant(v) and not isinstance(v, exp.Null) for r in rows for v in r.expressions):
        return node
    for r in rows:  # Spark compares structs of one type only (it refuses the query otherwise)
        for f, v in zip(fields.expressions, r.expressions):
            kind = _constant_type(v.this if isinstance(v, exp.Neg) else v)
            if f.type is None or kind is None or f.type.sql("spark") != kind.sql("spark"):
                return node
    matches = [exp.and_(*[_same(f, v) for f, v in zip(fields.expressions, r.expressions)]) for r in rows]
    return exp.paren(exp.or_(*[exp.paren(m) for m in matches]))


def _count(node: exp.Count) -> exp.Expression:
    arg = node.this
    if isinstance(arg, exp.Tuple) and not isinstance(node.parent, exp.Window):
        return exp.Count(this=exp.Star(), big_int=node.args.get("big_int"))
    if isinstance(arg, exp.Distinct) and len(arg.expressions) > 1 and not isinstance(node.parent, exp.Window):
        values = arg.expressions
        if all(isinstance(v, exp.Literal) or isinstance(v, exp.Null) for v in values):
            if any(isinstance(v, exp.Null) for v in values):
                return exp.cast(exp.Literal.number(0), "bigint")
            any_row = exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(0))
            return exp.cast(exp.paren(exp.case().when(any_row, exp.Literal.number(1)).else_(exp.Literal.number(0))),
                            "bigint")
    return node


KINDS = (exp.In, exp.Count)
TABLE_KINDS = (exp.Tuple, exp.Distinct)  # what it acts on: a row value, or DISTINCT of several


def spark_rows_on_polars(tree: exp.Expression, ctx) -> exp.Expression:
    if not any(isinstance(n.this, (exp.Tuple, exp.Distinct)) for n in tree.find_all(*KINDS)):
        return tree
    if any(isinstance(n.this, exp.Tuple) for n in tree.find_all(exp.In)):
        annotate(tree, ctx)  # (only then: types would change the rules after)
    return replace_all(tree, KINDS, lambda n: _row_in(n) if isinstance(n, exp.In) else _count(n))
