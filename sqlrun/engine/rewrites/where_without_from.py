"""A SELECT with a WHERE but no FROM on Polars: Polars ignores the WHERE (`SELECT 42 WHERE false`
gives a row). It reads from a one-row derived table instead, where the WHERE filters."""

from __future__ import annotations

from sqlglot import exp


def polars_where_without_from(tree, ctx):
    for select in list(tree.find_all(exp.Select)):
        if select.args.get("where") is not None and select.args.get("from_") is None:
            one = exp.select("1").subquery("_one")
            select.set("from_", exp.From(this=one))
    return tree
