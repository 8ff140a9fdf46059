"""Spark queries an engine would answer with other rows, or fail on, refused at compile time:
AVG of a TIMESTAMP (Spark: a DOUBLE of seconds), IN (a correlated subquery with LIMIT and no
ORDER BY), IN (subquery) as a grouped value; for Spark itself, a correlated WITH inside a
subquery."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes
from sqlrun.engine.rewrites.correlated import correlated


def spark_avg_of_timestamp(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Avg):
        arg = node.this.type
        if arg is not None and arg.is_type(*exp.DataType.TEMPORAL_TYPES):
            raise Refused(node, f"AVG of a {arg.sql()}: Spark gives a DOUBLE of seconds; {ctx.engine} does not")
    return tree


def spark_correlated_limit(tree, ctx):
    if not any(s.args.get("limit") for s in tree.find_all(exp.Select) if s is not tree):
        return tree
    # IN (a correlated subquery with LIMIT and no ORDER BY): which rows it keeps is arbitrary.
    for found in correlated(tree, ctx):
        select = found.select
        if select.args.get("limit") is None or select.args.get("order") is not None:
            continue
        if select.find(exp.AggFunc) and not select.args.get("group"):
            continue  # one row: the LIMIT keeps it
        if isinstance(select.parent, exp.Subquery) and isinstance(select.parent.parent, exp.In) \
                or isinstance(select.parent, exp.In):
            raise Refused(select, "IN (a correlated subquery with LIMIT and no ORDER BY): which rows it keeps"
                          f" is arbitrary, and {ctx.engine} keeps others than Spark")
    return tree


def spark_grouped_in_subquery(tree, ctx):
    # Spark answers `x IN (subquery)` in a grouped SELECT list FALSE where x is NULL (not NULL).
    for node in tree.find_all(exp.In):
        select = node.find_ancestor(exp.Select)
        if (node.args.get("query") is None or select is None or not select.args.get("group")
                or node.find_ancestor(exp.AggFunc, exp.Where, exp.Having, exp.Select) is not select):
            continue
        if not isinstance(node.this, exp.Column) and _in_select_list(node, select):
            raise Refused(node, f"IN (subquery) as a value of a grouped SELECT: Spark gives FALSE for a NULL"
                          f" value, {ctx.engine} NULL")
    return tree


def _in_select_list(node: exp.Expression, select: exp.Select) -> bool:
    while node.parent is not select:
        node = node.parent
    return node.arg_key == "expressions"


def spark_nested_correlated_cte(tree, ctx):
    # sqlglot writes a WITH inside a subquery at the top for Spark: a CTE naming a table of the
    # query around it (`t1.c1`) then names one Spark cannot resolve there.
    for with_ in tree.find_all(exp.With):
        if with_.parent is tree:
            continue
        for cte in with_.expressions:
            own = {t.alias_or_name.lower() for t in cte.this.find_all(exp.Table)}
            for column in cte.this.find_all(exp.Column):
                if column.table and column.table.lower() not in own:
                    raise Refused(cte, f"a WITH inside a subquery names {column.sql()} of the query around it:"
                                  " sqlglot moves the WITH to the top for Spark, where that cannot be resolved")
    return tree
