"""Calls that are NULL when an argument is NULL in the source dialects but not on Polars:
SPLIT_PART(text, delimiter, NULL) is '' there, and LIKE ... ESCAPE NULL matches as if no escape
were given. Such a call is NULL wherever one of those arguments is."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import is_null, replace_all

ARGUMENTS = {exp.SplitPart: ("delimiter", "part_index"), exp.Escape: ("expression",)}


def is_constant(node: exp.Expression) -> bool:
    """A literal number or text (or its negation): never NULL."""
    node = node.unnest()
    return isinstance(node, exp.Literal) or (isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal))


def _null_when_argument_null(node: exp.Expression) -> exp.Expression:
    args = [node.args[a] for a in ARGUMENTS[type(node)] if node.args.get(a) is not None]
    args = [a for a in args if not is_constant(a)]
    if not args:
        return node
    if isinstance(node, exp.Escape) and isinstance(node.expression, exp.Null):
        return exp.cast(exp.null(), exp.DType.BOOLEAN)
    condition = exp.or_(*(is_null(a) for a in args))
    return exp.Case(ifs=[exp.If(this=condition, true=exp.null())], default=node.copy())


def polars_null_arguments(tree, ctx):
    return replace_all(tree, tuple(ARGUMENTS), _null_when_argument_null)
