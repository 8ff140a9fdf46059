"""Spark's table-valued functions in FROM: `range(end)`, `range(start, end[, step[, partitions]])`.

Spark's range is one BIGINT column `id`, start inclusive, end exclusive; DuckDB and Polars SQL
have a range table function of the same bounds whose column is `range`, so it is renamed.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context, Refused

# (source dialects are the rule's; these names pass the unknown-function check)
NAMES = ("range",)


def _constant(arg: exp.Expression) -> bool:
    """A foldable argument, as Spark requires: no column, no subquery, no fraction literal."""
    if arg.find(exp.Column, exp.Query, exp.Star) is not None:
        return False
    return not any(lit.is_number and not lit.is_int for lit in arg.find_all(exp.Literal))


def _value(arg: exp.Expression) -> int | None:
    """The whole number a literal (or a negated one) stands for."""
    if isinstance(arg, exp.Neg):
        inner = _value(arg.this)
        return None if inner is None else -inner
    return int(arg.name) if isinstance(arg, exp.Literal) and arg.is_int else None


# Values this near the BIGINT limits overflow in window offsets and sums: Spark wraps, the targets raise.
_NEAR_LIMIT = 2**62


def _range(node: exp.Anonymous, ctx: Context) -> exp.Expression:
    args = list(node.expressions)
    if not 1 <= len(args) <= 4:
        raise Refused(node, f"RANGE takes 1 to 4 arguments, got {len(args)}")
    if not all(_constant(a) for a in args):
        raise Refused(node, "Spark's RANGE takes constant whole numbers")
    bounds = [exp.Literal.number(0), args[0]] if len(args) == 1 else args[:3]  # partitions: ignored
    values = [_value(b) for b in bounds]
    if len(values) == 3 and values[2] == 0:
        raise Refused(node, "Spark's RANGE step cannot be 0")
    if any(v is not None and abs(v) >= _NEAR_LIMIT for v in values):
        raise Refused(node, "Spark's RANGE near the BIGINT limits: Spark wraps what overflows there, the target raises")
    ctx.per_engine(node, duckdb=None, polars=None)
    call = exp.Anonymous(this="range", expressions=[b.copy() for b in bounds])
    return exp.select(exp.alias_(exp.column("range"), "id")).from_(exp.Table(this=call))


def spark_range(tree: exp.Expression, ctx: Context) -> exp.Expression:
    """FROM range(...) as a derived table of one BIGINT column `id`; range elsewhere is refused."""
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() not in NAMES:
            continue
        table = node.parent
        if not isinstance(table, exp.Table) or table.this is not node:
            raise Refused(node, "Spark's RANGE is a table: only translated in FROM or JOIN")
        sub = exp.Subquery(this=_range(node, ctx), alias=table.args.get("alias"))
        sub.meta.update(node.meta)
        if table is tree:
            return sub
        table.replace(sub)
    return tree
