"""Strings: LISTAGG / STRING_AGG with DISTINCT and ORDER."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import POSTGRES_LIKE, Refused, replace_all, rule

# --- strings ---


@rule("redshift_listagg_within_group", sources=POSTGRES_LIKE)
def redshift_listagg(tree, ctx):
    """LISTAGG(DISTINCT x, sep) WITHIN GROUP (ORDER BY k) -> one aggregate with its order."""

    def build(node):
        if not (isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.GroupConcat)):
            return node
        agg = node.this.copy()
        inner = agg.this
        separator = agg.args.get("separator")
        if isinstance(inner, exp.Distinct) and len(inner.expressions) == 2 and separator is None:
            # sqlglot reads Redshift's separator into the DISTINCT list.
            separator = inner.expressions[1]
            inner = exp.Distinct(expressions=[inner.expressions[0]])
        keys = node.expression.expressions if isinstance(node.expression, exp.Order) else []
        if isinstance(inner, exp.Distinct) and any(
            k.this != inner.expressions[0] for k in keys
        ):
            raise Refused(node, "LISTAGG(DISTINCT x) may only be ordered by x itself")
        if ctx.engine == "spark":
            # Spark 4 has LISTAGG ... WITHIN GROUP; make the DISTINCT/ORDER shape explicit.
            order = exp.Order(expressions=[k.copy() for k in keys])
            func = exp.Anonymous(this="LISTAGG", expressions=[inner, separator or exp.Literal.string("")])
            return exp.WithinGroup(this=func, expression=order)
        ordered = exp.Order(this=inner, expressions=[k.copy() for k in keys]) if keys else inner
        return exp.GroupConcat(this=ordered, separator=separator or exp.Literal.string(""))

    return replace_all(tree, exp.WithinGroup, build)
