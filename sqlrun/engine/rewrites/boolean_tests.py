"""`x IS TRUE` / `x IS FALSE` on Polars, which answers NULL for a NULL x where SQL answers false
(and reads a number as a BOOLEAN only when it is cast to one): spelled as
COALESCE(CAST(x AS BOOLEAN), FALSE) and COALESCE(NOT CAST(x AS BOOLEAN), FALSE). An operand of
another type than BOOLEAN, a number or NULL is refused."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes

_OK = (exp.DType.BOOLEAN, exp.DType.NULL, exp.DType.UNKNOWN, *exp.DataType.NUMERIC_TYPES)


def _truth(node: exp.Is) -> bool | None:
    right = node.expression
    return right.this if isinstance(right, exp.Boolean) else None


def polars_is_true(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Is, keep=lambda n: _truth(n) is not None):
        operand = node.this
        known = operand.type is not None and not operand.type.is_type(exp.DType.UNKNOWN)
        if not (isinstance(operand, exp.Null) or (known and operand.type.is_type(*_OK))):
            raise Refused(node, "IS TRUE / IS FALSE of this type is not translated for Polars")
        value = exp.cast(operand.copy(), exp.DType.BOOLEAN)
        if not _truth(node):
            value = exp.Not(this=exp.Paren(this=value))
        node.replace(exp.Paren(this=exp.Coalesce(this=value, expressions=[exp.false()])))
    return tree
