"""SELECT * over an inner USING join on Polars: Polars keeps the right table's key columns too
(`c`, `c:t3`), where the source dialects list each key once. Refused (a NATURAL join and a
qualified `t.*` come out right; outer joins: queries.polars_outer_using_joins)."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused


def polars_using_star(tree, ctx):
    for select in tree.find_all(exp.Select):
        if not any(isinstance(e, exp.Star) for e in select.expressions):
            continue
        for join in select.args.get("joins") or []:
            if join.args.get("using") and not join.text("side"):
                raise Refused(join, "Polars repeats the USING key columns of each joined table in SELECT *")
    return tree
