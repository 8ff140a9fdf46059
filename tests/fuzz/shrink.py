"""Make a failing query small: drop clauses and terms, or replace a node by one of its children,
while the query still fails the same way (same outcome status on the same target)."""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp

DROPPABLE = ("where", "having", "order", "limit", "group", "distinct")


def _candidates(tree: exp.Expression):
    """Smaller trees, roughly biggest cut first."""
    nodes = list(tree.walk())
    for i, node in enumerate(nodes):
        for key in DROPPABLE:
            if node.args.get(key) is not None:
                yield _edit(tree, i, lambda n, key=key: n.set(key, None))
    if isinstance(tree, exp.SetOperation):
        yield tree.this.copy()
        yield tree.expression.copy()
    for i, node in enumerate(nodes):
        siblings = node.parent.args.get(node.arg_key) if node.parent is not None else None
        if isinstance(siblings, list) and len(siblings) > 1:
            yield _edit(tree, i, lambda n: n.pop())
    for i, node in enumerate(nodes):
        if i == 0 or not isinstance(node, exp.Expression) or isinstance(node, (exp.Column, exp.Literal)):
            continue
        for child in node.iter_expressions():
            if isinstance(child, (exp.Column, exp.Literal, exp.Func, exp.Binary, exp.Paren, exp.Cast, exp.Case)):
                j = nodes.index(child)
                yield _edit(tree, i, lambda n, j=j: n.replace(_nth(n.root(), j).copy()))


def _nth(tree: exp.Expression, i: int) -> exp.Expression:
    return next(node for k, node in enumerate(tree.walk()) if k == i)


def _edit(tree: exp.Expression, i: int, change) -> exp.Expression:
    copy = tree.copy()
    node = _nth(copy, i)
    change(node)
    return copy


def shrink(sql: str, dialect: str, fails: Callable[[str], bool], budget: int = 200) -> str:
    """The smallest query found (greedy, at most `budget` tries) for which `fails` still holds."""
    best = sqlglot.parse_one(sql, read=dialect)
    tried: set[str] = {sql}
    progress = True
    while progress and budget > 0:
        progress = False
        for candidate in _candidates(best):
            try:
                text = candidate.sql(dialect)
            except Exception:
                continue
            if text in tried or len(text) >= len(best.sql(dialect)):
                continue
            tried.add(text)
            budget -= 1
            if fails(text):
                best, progress = candidate, True
                break
            if budget <= 0:
                break
    return best.sql(dialect)
