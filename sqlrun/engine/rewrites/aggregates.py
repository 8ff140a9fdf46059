"""Aggregates: exact vs approximate percentiles, AVG's type on Redshift."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import POSTGRES_LIKE, SPARK, Context, Refused, replace_all, rule

# --- percentiles: exact stays exact; an approximation is never swapped for another ---


def _percentile(ctx: Context, kind: str, value: exp.Expression, p: exp.Expression, node) -> exp.Expression:
    if isinstance(p, exp.Array) and ctx.engine == "polars":
        raise Refused(node, "Polars has no percentile over an array of fractions")
    if ctx.engine == "spark":
        if kind == "cont":
            return exp.Quantile(this=value, quantile=p)  # Spark PERCENTILE: exact, linear
        order = exp.Order(expressions=[exp.Ordered(this=value, nulls_first=False)])
        return exp.WithinGroup(this=exp.PercentileDisc(this=p), expression=order)
    return exp.Anonymous(this=f"QUANTILE_{kind.upper()}", expressions=[value, p])


def _ordered_key(node: exp.WithinGroup) -> tuple[exp.Expression, bool] | None:
    order = node.expression
    keys = order.expressions if isinstance(order, exp.Order) else []
    if len(keys) != 1:
        return None
    return keys[0].this, bool(keys[0].args.get("desc"))


@rule("exact_percentiles")
def exact_percentiles(tree, ctx):
    # Spark PERCENTILE is continuous (linear); DuckDB QUANTILE is discrete.
    quantile_kind = "disc" if ctx.source == "duckdb" else "cont"

    def build(node):
        if isinstance(node, exp.ApproxQuantile):
            if ctx.source not in (*SPARK, *POSTGRES_LIKE):
                raise Refused(node, f"{ctx.source} approximate percentile has no exact equivalent here")
            # Spark PERCENTILE_APPROX / Redshift APPROXIMATE PERCENTILE_DISC estimate the
            # discrete percentile; give the exact value rather than another approximation.
            return _percentile(ctx, "disc", node.this.copy(), node.args["quantile"].copy(), node)
        if isinstance(node, exp.Quantile):
            return _percentile(ctx, quantile_kind, node.this.copy(), node.args["quantile"].copy(), node)
        if isinstance(node, (exp.PercentileCont, exp.PercentileDisc)) and node.expression:
            if ctx.engine == "duckdb" or isinstance(node.parent, exp.WithinGroup):
                return node  # DuckDB's own QUANTILE_CONT(x, p) form
            kind = "cont" if isinstance(node, exp.PercentileCont) else "disc"
            return _percentile(ctx, kind, node.this.copy(), node.expression.copy(), node)
        if isinstance(node, exp.WithinGroup) and isinstance(node.this, (exp.PercentileCont, exp.PercentileDisc)):
            key = _ordered_key(node)
            if key is None:
                raise Refused(node, "a percentile needs exactly one ORDER BY key")
            value, desc = key
            p = node.this.this.copy()
            if desc:
                p = exp.Paren(this=exp.Sub(this=exp.Literal.number(1), expression=p))
            kind = "cont" if isinstance(node.this, exp.PercentileCont) else "disc"
            if ctx.engine == "duckdb" and not desc:
                return node  # DuckDB runs the standard form itself
            return _percentile(ctx, kind, value.copy(), p, node)
        return node

    kinds = (exp.Quantile, exp.ApproxQuantile, exp.WithinGroup, exp.PercentileCont, exp.PercentileDisc)
    return replace_all(tree, kinds, build)



@rule("avg_keeps_its_fraction_on_redshift", engines=("redshift",))
def redshift_avg_fraction(tree, ctx):
    # Redshift AVG keeps the argument's type: BIGINT for integers, scale s for DECIMAL(p, s),
    # so AVG(l_discount) gives 0.05 where the other engines give 0.0501446.
    def build(node):
        if isinstance(node.this, exp.Cast) and node.this.to.is_type(*exp.DataType.REAL_TYPES):
            return node
        return exp.Avg(this=exp.cast(node.this.copy(), "double"))

    return replace_all(tree, exp.Avg, build)
