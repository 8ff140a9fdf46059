"""`a IS NOT DISTINCT FROM b` beside other conditions of a join's ON on Polars: Polars joins on
the first such key only (measured: ON a.p IS NOT DISTINCT FROM b.p AND a.q = b.q gave three
times the rows). Spelled out as `(a = b OR (a IS NULL AND b IS NULL))`; alone it is kept (right)."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import is_null


def _conjuncts(node: exp.Expression) -> list[exp.Expression]:
    node = node.unnest()
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


def polars_join_null_safe(tree, ctx):
    for join in tree.find_all(exp.Join):
        on = join.args.get("on")
        if on is None:
            continue
        parts = _conjuncts(on)
        if len(parts) < 2:
            continue
        for part in parts:
            if isinstance(part, exp.NullSafeEQ):
                left, right = part.this, part.expression
                both_null = exp.and_(is_null(left), is_null(right))
                equal = exp.EQ(this=left.copy(), expression=right.copy())
                part.replace(exp.Paren(this=exp.or_(equal, exp.Paren(this=both_null))))
    return tree
