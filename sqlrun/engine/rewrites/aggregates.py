"""Aggregates: exact vs approximate percentiles, AVG's type on Redshift."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import POSTGRES_LIKE, SPARK, Context, Refused, replace_all, typed_nodes

# --- percentiles: exact stays exact; an approximation is never swapped for another ---


def _percentile(ctx: Context, kind: str, value: exp.Expression, p: exp.Expression, node) -> exp.Expression:
    def quantile():
        return exp.Anonymous(this=f"QUANTILE_{kind.upper()}", expressions=[value, p])

    def polars():
        if isinstance(p, exp.Array):
            raise Refused(node, "Polars has no percentile over an array of fractions")
        return quantile()

    def spark():
        if kind == "cont":
            return exp.Quantile(this=value, quantile=p)  # Spark PERCENTILE: exact, linear
        return _spark_within_group("PERCENTILE_DISC", value, p)

    return ctx.per_engine(node, duckdb=quantile, polars=polars, spark=spark)()


def _spark_within_group(name: str, value: exp.Expression, p: exp.Expression) -> exp.Expression:
    # sqlglot's Spark generator turns PERCENTILE_CONT/DISC WITHIN GROUP into the approximate
    # PERCENTILE_APPROX; an opaque function name keeps Spark's own exact form.
    order = exp.Order(expressions=[exp.Ordered(this=value, nulls_first=False)])
    return exp.WithinGroup(this=exp.Anonymous(this=name, expressions=[p]), expression=order)


def _ordered_key(node: exp.WithinGroup) -> tuple[exp.Expression, bool] | None:
    order = node.expression
    keys = order.expressions if isinstance(order, exp.Order) else []
    if len(keys) != 1:
        return None
    return keys[0].this, bool(keys[0].args.get("desc"))


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
            kind = "cont" if isinstance(node.this, exp.PercentileCont) else "disc"
            if ctx.engine == "spark" or (ctx.engine == "duckdb" and not (desc and isinstance(node.parent, exp.Window))):
                return node  # the standard form, DESC included (DuckDB ignores it only over a window)
            p = node.this.this.copy()
            if desc and kind == "disc":
                # The discrete percentile of the reversed order is not QUANTILE_DISC(x, 1 - p): they
                # differ whenever p * count is whole (0.25 of 4 values: 30 vs 20 over 0, 10, 20, 30).
                raise Refused(node, "percentile_disc(p) WITHIN GROUP (ORDER BY ... DESC) has no exact equivalent here")
            if desc:
                p = exp.Paren(this=exp.Sub(this=exp.Literal.number(1), expression=p))
            return _percentile(ctx, kind, value.copy(), p, node)
        return node

    kinds = (exp.Quantile, exp.ApproxQuantile, exp.WithinGroup, exp.PercentileCont, exp.PercentileDisc)
    return replace_all(tree, kinds, build)



def redshift_avg_fraction(tree, ctx):
    # Redshift AVG keeps the argument's type: BIGINT for integers, scale s for DECIMAL(p, s),
    # so AVG(l_discount) gives 0.05 where the other engines give 0.0501446.
    def build(node):
        if isinstance(node.this, exp.Cast) and node.this.to.is_type(*exp.DataType.REAL_TYPES):
            return node
        return exp.Avg(this=exp.cast(node.this.copy(), "double"))

    return replace_all(tree, exp.Avg, build)


def spark_exact_within_group(tree, ctx):
    # Even Spark SQL run on Spark: the generator would make it PERCENTILE_APPROX.
    def build(node):
        func = node.this
        if not isinstance(func, (exp.PercentileCont, exp.PercentileDisc)) or func.expression:
            return node
        key = _ordered_key(node)
        if key is None:
            raise Refused(node, "a percentile needs exactly one ORDER BY key")
        name = "PERCENTILE_CONT" if isinstance(func, exp.PercentileCont) else "PERCENTILE_DISC"
        new = exp.WithinGroup(this=exp.Anonymous(this=name, expressions=[func.this.copy()]),
                              expression=node.expression.copy())
        return new

    return replace_all(tree, exp.WithinGroup, build)


_INTEGRAL = exp.DataType.INTEGER_TYPES


def redshift_avg_integer(tree, ctx):
    # Redshift AVG(INT/BIGINT/SMALLINT) is a BIGINT, the fraction truncated: AVG(10, 20, 7) = 12.
    for node in typed_nodes(tree, ctx, exp.Avg):
        arg = node.this.type
        if arg is not None and arg.is_type(*_INTEGRAL):
            # Wrap the whole window when AVG has an OVER clause: CAST(AVG(x) OVER (...) AS BIGINT).
            whole = node.parent if isinstance(node.parent, exp.Window) else node
            value = whole.copy()
            # CAST(double AS BIGINT) truncates on Spark and Polars; DuckDB's rounds.
            spelled = ctx.per_engine(node, duckdb=exp.func("TRUNC", value.copy()), polars=value, spark=value)
            whole.replace(exp.cast(spelled, "bigint"))
        elif arg is None or arg.is_type(exp.DType.UNKNOWN, exp.DType.NULL):
            raise Refused(node, "Redshift AVG of an integer column truncates to an integer, and this"
                          " argument's type is unknown here: CAST it to DOUBLE or DECIMAL to say which")
    return tree


def array_agg_on_spark(tree, ctx):
    # DuckDB/PostgreSQL ARRAY_AGG keeps NULLs and honours ORDER BY; Spark's COLLECT_LIST drops
    # NULLs (wrapping each value in a struct keeps them) and has no ORDER BY.
    def build(node):
        if isinstance(node.parent, exp.Filter):
            raise Refused(node, "ARRAY_AGG(...) FILTER (...) is not translated for Spark")
        value = node.this
        if isinstance(value, exp.Order) or node.find(exp.Order):
            raise Refused(node, "Spark's COLLECT_LIST has no ORDER BY: the order of the array would be lost")
        if isinstance(value, exp.Distinct):
            raise Refused(node, "Spark's COLLECT_SET drops NULLs and has no order: not the same array")
        wrapped = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier("v"), expression=value.copy())])
        item = exp.to_identifier("_item")
        lam = exp.Lambda(this=exp.Dot(this=item.copy(), expression=exp.to_identifier("v")), expressions=[item])
        return exp.Transform(this=exp.ArrayAgg(this=wrapped), expression=lam)

    return replace_all(tree, exp.ArrayAgg, build)


def spark_population_moments(tree, ctx):
    # Spark SKEWNESS/KURTOSIS are population moments (NULL when every value is equal); DuckDB's
    # are sample moments, NULL below 3 values: SKEWNESS over 1, 2, 3, 10 is 1.018 vs 1.764.
    def minus(n, k):
        return exp.paren(exp.Sub(this=n.copy(), expression=exp.Literal.number(k)))

    def build(node):
        if isinstance(node.parent, (exp.Window, exp.Filter)) or isinstance(node.this, exp.Distinct):
            raise Refused(node, "Spark's SKEWNESS/KURTOSIS (population moments) are spelled only as plain aggregates")
        x = node.this
        if isinstance(node, exp.Kurtosis):
            return exp.Anonymous(this="KURTOSIS_POP", expressions=[x.copy()])
        n = exp.Count(this=x.copy())
        # population = sample * (n - 2) / sqrt(n (n - 1)); two distinct values: 0, where DuckDB has NULL
        sample = exp.Mul(this=exp.Skewness(this=x.copy()), expression=minus(n, 2))
        scaled = exp.Div(this=sample, expression=exp.Sqrt(this=exp.Mul(this=n.copy(), expression=minus(n, 1))))
        distinct = exp.NEQ(this=exp.Min(this=x.copy()), expression=exp.Max(this=x.copy()))
        two = exp.case().when(distinct, exp.cast(exp.Literal.number(0), "double"))
        return exp.paren(exp.case().when(exp.EQ(this=n, expression=exp.Literal.number(2)), two).else_(scaled))

    return replace_all(tree, (exp.Skewness, exp.Kurtosis), build)


# --- count_if over no non-NULL value (found by tests/fuzz) ---


def _plain_aggregate(node: exp.Expression) -> bool:
    """Not inside OVER (...) or FILTER (...): the aggregate can be wrapped as it stands."""
    return not isinstance(node.parent, (exp.Window, exp.Filter))


def duckdb_count_if_of_nothing(tree, ctx):
    # DuckDB's count_if is NULL when no value is non-NULL (an empty group too); elsewhere 0.
    def build(node):
        if not _plain_aggregate(node):
            raise Refused(node, "DuckDB's count_if over a window or with FILTER (NULL without values)")
        none = exp.EQ(this=exp.Count(this=node.this.copy()), expression=exp.Literal.number(0))
        return exp.Case(ifs=[exp.If(this=none, true=exp.null())], default=node.copy())

    return replace_all(tree, exp.CountIf, build)


def spark_count_if_of_nothing(tree, ctx):
    # Spark's count_if is 0 when no value is non-NULL; DuckDB's is NULL.
    def build(node):
        if not _plain_aggregate(node):
            raise Refused(node, "Spark's count_if over a window or with FILTER (0 without values)")
        return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])

    return replace_all(tree, exp.CountIf, build)
