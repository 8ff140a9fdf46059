"""Planning for Polars: a subquery without FROM that names a column of the query around it
(`(SELECT t1c WHERE t1c = 8)`) is one row or none, computed from that row alone, so it is
written in place as the expression it is:

- a value `(SELECT e)`: `e`; `(SELECT e WHERE c)`: `CASE WHEN c THEN e END` (NULL: no row);
- `EXISTS (SELECT ... WHERE c)`: `COALESCE(c, FALSE)` (TRUE without WHERE);
- `v IN (SELECT e WHERE c)`: `CASE WHEN c THEN v = e ELSE FALSE END` (`v = e` without WHERE).

Only a plain SELECT: one value (or EXISTS), no aggregate, window, GROUP BY, HAVING, LIMIT,
set operation or generator, and no name in it that the SELECT itself defines.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import SPARK, Context
from sqlrun.engine.rewrites.marks import replace_in

PLAIN = ("from_", "joins", "group", "having", "qualify", "windows", "limit", "offset", "with_", "laterals")
UNSAFE = (exp.AggFunc, exp.Window, exp.UDTF)  # (a generator gives other than one row)


def inline(tree: exp.Expression, ctx: Context) -> exp.Expression:
    for select in list(tree.find_all(exp.Select)):
        node = select.parent
        if isinstance(node, exp.Subquery | exp.Exists) and node.this is select and _plain(select):
            _inline(node, select, ctx.source in SPARK)
    return tree


def _plain(select: exp.Select) -> bool:
    if any(select.args.get(a) for a in PLAIN) or select.find(*UNSAFE) or not select.find(exp.Column):
        return False
    names = {p.alias.lower() for p in select.expressions if p.alias}
    return not any(c.name.lower() in names and not c.table for c in select.find_all(exp.Column))


def _inline(node: exp.Expression, select: exp.Select, spark: bool) -> None:
    where = select.args.get("where")
    condition = where.this.copy() if where else None
    if isinstance(node, exp.Exists):
        node.replace(exp.Coalesce(this=condition, expressions=[exp.false()]) if condition else exp.true())
        return
    if len(select.expressions) != 1 or isinstance(select.expressions[0].unalias(), exp.Star):
        return
    value = select.expressions[0].unalias().copy()
    holder = node.parent
    if isinstance(holder, exp.In) and holder.args.get("query") is node:
        if isinstance(holder.this, exp.Tuple):
            return
        equal = exp.Paren(this=exp.EQ(this=holder.this.copy(), expression=value))
        replace_in(holder, _when(condition, equal, exp.false()) if condition else equal, spark)
    elif _value_position(node):
        written = _when(condition, value, None) if condition else exp.Paren(this=value)
        node.replace(exp.alias_(written, node.args["alias"].this, quoted=True) if node.alias else written)


def _value_position(node: exp.Subquery) -> bool:
    """An expression's operand, not a table in FROM or a branch of a set operation."""
    tables = (exp.From, exp.Join, exp.SetOperation, exp.CTE, exp.Lateral, exp.Table, exp.Subquery)
    return node.parent is not None and not isinstance(node.parent, tables)


def _when(condition: exp.Expression, value: exp.Expression, default: exp.Expression | None) -> exp.Expression:
    return exp.Paren(this=exp.Case(ifs=[exp.If(this=condition, true=value)], default=default))
