"""Spark queries DuckDB or Polars would answer with other rows, refused at compile time:
GROUP BY a MAP (Spark ignores the order of its keys), AVG of a TIMESTAMP (Spark: a DOUBLE of
seconds), a correlated subquery with LIMIT, a Polars GROUP BY of constants only (one row over
no rows)."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes
from sqlrun.engine.rewrites.correlated import correlated


def spark_group_by_map(tree, ctx):
    builds_maps = _has_map(tree)
    for group in typed_nodes(tree, ctx, exp.Group, operands=()):
        for key in group.expressions:
            kind = key.type
            unsure = builds_maps and (kind is None or kind.is_type(exp.DType.UNKNOWN, exp.DType.STRUCT))
            if unsure or kind is not None and kind.is_type(exp.DType.MAP):
                raise Refused(key, f"GROUP BY a MAP: Spark ignores the order of its keys, {ctx.engine} does not")
    return tree


def _has_map(key: exp.Expression) -> bool:
    return any(isinstance(n, (exp.Map, exp.VarMap, exp.MapFromEntries)) for n in key.walk())


def spark_avg_of_timestamp(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Avg):
        arg = node.this.type
        if arg is not None and arg.is_type(*exp.DataType.TEMPORAL_TYPES):
            raise Refused(node, f"AVG of a {arg.sql()}: Spark gives a DOUBLE of seconds; {ctx.engine} does not")
    return tree


def spark_correlated_limit(tree, ctx):
    if not any(s.args.get("limit") for s in tree.find_all(exp.Select) if s is not tree):
        return tree
    for found in correlated(tree, ctx):
        if found.select.args.get("limit") is not None:
            raise Refused(found.select, f"a correlated subquery with LIMIT: {ctx.engine} does not limit it"
                          " per outer row as Spark does")
    return tree


def polars_constant_groups(tree, ctx):
    # Polars gives one row for a GROUP BY of constants over no rows (Spark and DuckDB: none).
    for group in tree.find_all(exp.Group):
        select = group.parent
        if not isinstance(select, exp.Select) or not group.expressions:
            continue
        if all(_constant(key, select) for key in group.expressions):
            raise Refused(group, "GROUP BY only constants: Polars gives a row even over no rows")
    return tree


def _constant(key: exp.Expression, select: exp.Select) -> bool:
    if isinstance(key, exp.Literal) and key.is_int:  # an ordinal: the output column it names
        items = select.expressions
        i = int(key.name) - 1
        if 0 <= i < len(items):
            item = items[i].unalias() if isinstance(items[i], exp.Alias) else items[i]
            return not any(isinstance(n, exp.Column) for n in item.walk()) and not item.find(exp.AggFunc)
        return False
    return not any(isinstance(n, (exp.Column, exp.Star)) for n in key.walk())
