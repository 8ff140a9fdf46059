"""Polars answers a GROUP BY of constants only (`SELECT 'x' FROM t GROUP BY 1`) with one row
even over no rows; DuckDB, Spark and Redshift give none."""

from __future__ import annotations

from sqlglot import exp


def polars_constant_groups(tree, ctx):
    # Polars gives one row for a GROUP BY of constants over no rows (the others: none); every
    # group holds a row, so HAVING COUNT(*) > 0 keeps the rest as they are.
    for group in list(tree.find_all(exp.Group)):
        select = group.parent
        if not isinstance(select, exp.Select) or not group.expressions:
            continue
        if all(_constant(key, select) for key in group.expressions):
            some = exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(0))
            having = select.args.get("having")
            select.set("having", exp.Having(this=exp.and_(having.this, some) if having else some))
    return tree


def _constant(key: exp.Expression, select: exp.Select) -> bool:
    if isinstance(key, (exp.GroupingSets, exp.Rollup, exp.Cube)):
        return False  # (spark_grouping_sets_need_rows)
    if isinstance(key, exp.Literal) and key.is_int:  # an ordinal: the output column it names
        items = select.expressions
        i = int(key.name) - 1
        if 0 <= i < len(items):
            item = items[i].unalias() if isinstance(items[i], exp.Alias) else items[i]
            return not any(isinstance(n, exp.Column) for n in item.walk()) and not item.find(exp.AggFunc)
        return False
    return not any(isinstance(n, (exp.Column, exp.Star)) for n in key.walk())
