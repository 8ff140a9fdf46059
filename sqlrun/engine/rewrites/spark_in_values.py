"""Spark's correlated IN (subquery) as a value (in a SELECT list, a CASE, a comparison) is
refused on DuckDB and Polars.

Spark plans it as an existence join, which gives FALSE in some plans where SQL's IN gives NULL
(the tested value NULL, or a NULL among the subquery's rows), and NULL in others; DuckDB and
Polars give SQL's NULL. In a filter's ANDs and ORs (WHERE, HAVING, ON), or as NOT IN there,
FALSE and NULL keep the same rows, so those stay (marks.as_filter decides which is which).
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context, Refused
from sqlrun.engine.rewrites.correlated import correlated
from sqlrun.engine.rewrites.marks import as_filter


def spark_in_subquery_values(tree: exp.Expression, ctx: Context) -> exp.Expression:
    values = [n for n in tree.find_all(exp.In) if n.args.get("query") is not None and not as_filter(n)]
    if not values:
        return tree
    selects = {id(found.select) for found in correlated(tree, ctx)}
    for node in values:
        inner = node.args["query"]
        inner = inner.this if isinstance(inner, exp.Subquery) else inner
        if id(inner) in selects:
            raise Refused(node, "Spark's correlated IN (subquery) used as a value: Spark gives FALSE where"
                                " SQL's IN is NULL in some plans; use it in WHERE, or EXISTS")
    return tree
