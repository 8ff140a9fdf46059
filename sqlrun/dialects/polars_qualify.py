"""QUALIFY on Polars: sqlglot's eliminate_qualify moves the filter's window functions into a
subquery as columns (`_w`) and filters on them outside; under `SELECT *` those columns came out
too. The outer star now leaves them out (`* EXCEPT (_w)`, which Polars runs)."""

from __future__ import annotations

from sqlglot import exp, transforms
from sqlglot.errors import UnsupportedError


def eliminate_qualify(expression: exp.Expression) -> exp.Expression:
    if not (isinstance(expression, exp.Select) and expression.args.get("qualify")):
        return expression
    star = [p for p in expression.expressions if isinstance(p, exp.Star)]
    if not star:
        return transforms.eliminate_qualify(expression)
    if len(expression.expressions) > 1 or star[0].args.get("except_"):
        raise UnsupportedError("Polars runs QUALIFY under SELECT * only with the star alone")
    out = transforms.eliminate_qualify(expression)
    inner = out.args["from_"].this.this
    added = [p.alias for p in inner.expressions if isinstance(p, exp.Alias)]
    if added:
        out.expressions[0].set("except_", [exp.column(a, quoted=True) for a in added])
    return out
