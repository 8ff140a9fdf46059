"""Semantic rewrites: where source and target differ in meaning, not just spelling.

Each rule is a small function over the syntax tree, registered with the source dialects
and target engines it applies to. `apply` runs them in order before generation. A rule
that meets a construct it cannot translate faithfully raises `Refused`, which compile
turns into a CompileError pointing at the node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from sqlrun.engine.catalog import Query

RuleFn = Callable[[exp.Expression, "Context"], exp.Expression]
SPARK = ("spark", "databricks", "hive")
POSTGRES_LIKE = ("redshift", "postgres")


class Refused(Exception):
    """A rule met a construct it cannot translate with the same meaning."""

    def __init__(self, node: exp.Expression, reason: str):
        super().__init__(reason)
        self.node = node
        self.reason = reason


@dataclass(frozen=True)
class Context:
    query: Query
    engine: str
    target: str

    @property
    def source(self) -> str:
        return self.query.dialect


@dataclass(frozen=True)
class Rule:
    name: str
    fn: RuleFn
    sources: tuple[str, ...] = ()  # empty: any source dialect
    engines: tuple[str, ...] = ()  # empty: any target engine

    def applies(self, ctx: Context) -> bool:
        same = ctx.source == ctx.target
        return (
            not same
            and (not self.sources or ctx.source in self.sources)
            and (not self.engines or ctx.engine in self.engines)
        )


RULES: list[Rule] = []


def rule(name: str, sources: tuple[str, ...] = (), engines: tuple[str, ...] = ()):
    """Register a rewrite rule."""

    def register(fn: RuleFn) -> RuleFn:
        RULES.append(Rule(name, fn, sources, engines))
        return fn

    return register


def apply(query: Query, tree: exp.Expression, engine: str, target: str) -> exp.Expression:
    ctx = Context(query, engine, target)
    for r in RULES:
        if r.applies(ctx):
            tree = r.fn(tree, ctx)
    return tree


def _replace_all(tree: exp.Expression, kinds, build) -> exp.Expression:
    """Replace every node of `kinds` by build(node); nodes are listed first, so no loops."""
    for node in list(tree.find_all(kinds)):
        new = build(node)
        if new is not node:
            if node is tree:
                return new
            node.replace(new)
    return tree


def _is_dow(node: exp.Expression) -> bool:
    if isinstance(node, exp.DayOfWeek):
        return True
    return isinstance(node, exp.Extract) and node.name.upper() in ("DOW", "DAYOFWEEK", "WEEKDAY")


def _shift(node: exp.Expression, by: int) -> exp.Expression:
    op = exp.Add if by > 0 else exp.Sub
    return exp.Paren(this=op(this=node.copy(), expression=exp.Literal.number(abs(by))))


# --- day of week: Spark counts 1=Sunday..7; DuckDB, Redshift and Polars 0=Sunday..6 ---


@rule("spark_day_of_week_one_based", sources=SPARK, engines=("duckdb", "polars"))
def spark_day_of_week(tree, ctx):
    return _replace_all(tree, (exp.DayOfWeek, exp.Extract), lambda n: _shift(n, 1) if _is_dow(n) else n)


@rule("day_of_week_zero_based_on_spark", sources=("duckdb", *POSTGRES_LIKE), engines=("spark",))
def zero_based_day_of_week(tree, ctx):
    return _replace_all(tree, (exp.DayOfWeek, exp.Extract), lambda n: _shift(n, -1) if _is_dow(n) else n)


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
    return _replace_all(tree, kinds, build)


# --- division: Redshift divides integers as integers; everyone else gives a double ---

_INTEGER = exp.DataType.INTEGER_TYPES
_FRACTIONAL = {*exp.DataType.REAL_TYPES}


@rule("redshift_integer_division", sources=POSTGRES_LIKE)
def redshift_integer_division(tree, ctx):
    divs = list(tree.find_all(exp.Div))
    if not divs:
        return tree
    annotate_types(tree, dialect=ctx.source)
    for node in divs:
        left, right = node.this.type, node.expression.type
        if any(t is not None and t.is_type(*_FRACTIONAL) for t in (left, right)):
            continue  # a fractional operand: the same division everywhere
        if all(t is not None and t.is_type(*_INTEGER) for t in (left, right)):
            truncated = exp.IntDiv(this=node.this.copy(), expression=node.expression.copy())
            if ctx.engine != "spark":  # Spark DIV truncates toward zero; elsewhere spell it
                quotient = exp.Div(this=node.this.copy(), expression=node.expression.copy())
                truncated = exp.cast(exp.func("TRUNC", quotient), "bigint")
            node.replace(truncated)
            continue
        raise Refused(
            node,
            "Redshift '/' divides integers as integers, and the operand types are unknown here:"
            " CAST one operand to DECIMAL or FLOAT (or both to INT) to say which you mean",
        )
    return tree


# --- dates ---


def _year(x):
    return exp.Year(this=exp.cast(x.copy(), "date"))


def _month(x):
    return exp.Month(this=exp.cast(x.copy(), "date"))


def _quarter(x):
    return exp.Quarter(this=exp.cast(x.copy(), "date"))


def _per_year(years: exp.Expression, per: int, rest: exp.Expression) -> exp.Expression:
    scaled = exp.Mul(this=exp.Paren(this=years), expression=exp.Literal.number(per))
    return exp.Paren(this=exp.Add(this=scaled, expression=rest))


def _boundaries(unit: str, start, end) -> exp.Expression | None:
    """Calendar boundaries crossed from start to end (Redshift/DuckDB DATEDIFF meaning)."""
    years = exp.Sub(this=_year(end), expression=_year(start))
    if unit == "YEAR":
        return exp.Paren(this=years)
    if unit == "MONTH":
        months = exp.Sub(this=_month(end), expression=_month(start))
        return _per_year(years, 12, months)
    if unit == "QUARTER":
        quarters = exp.Sub(this=_quarter(end), expression=_quarter(start))
        return _per_year(years, 4, quarters)
    return None


@rule("date_add_keeps_its_type", engines=("duckdb", "spark"))
def date_add_type(tree, ctx):
    # Spark DATE_ADD/ADD_MONTHS give a DATE, Redshift DATEADD a TIMESTAMP; DuckDB's
    # date + INTERVAL gives a TIMESTAMP and Spark's DATE_ADD a DATE: say which.
    def build(node):
        if isinstance(node.parent, exp.Cast):
            return node
        if isinstance(node, exp.TsOrDsAdd):
            return exp.cast(node.copy(), node.args.get("return_type") or "date")
        return exp.cast(node.copy(), "date") if ctx.source in SPARK else node

    return _replace_all(tree, (exp.TsOrDsAdd, exp.AddMonths), build)


@rule("redshift_datediff_boundaries", sources=POSTGRES_LIKE, engines=("spark", "polars"))
def redshift_datediff(tree, ctx):
    def build(node):
        unit = (node.text("unit") or "DAY").upper()
        if unit in ("DAY", "DAYS", "D"):
            return node  # whole dates: every target renders this one faithfully
        new = _boundaries(unit.rstrip("S"), node.expression, node.this)
        if new is None:
            raise Refused(node, f"DATEDIFF by {unit} is only translated for DAY, MONTH, QUARTER, YEAR")
        return new

    return _replace_all(tree, (exp.DateDiff, exp.TsOrDsDiff), build)


@rule("spark_timestampdiff_units", sources=SPARK, engines=("duckdb", "polars"))
def spark_timestampdiff(tree, ctx):
    # Spark's DATEDIFF(unit, a, b) counts *complete* units; DuckDB counts boundaries.
    for node in tree.find_all(exp.DateDiff, exp.TimestampDiff):
        unit = (node.text("unit") or "DAY").upper()
        if unit not in ("DAY", ""):
            reason = f"Spark DATEDIFF/TIMESTAMPDIFF by {unit} counts complete units, which {ctx.engine} does not"
            raise Refused(node, reason)
    return tree


@rule("date_trunc_returns_timestamp", engines=("polars",))
def date_trunc_timestamp(tree, ctx):
    # Spark, Redshift and DuckDB give a TIMESTAMP from DATE_TRUNC; Polars keeps a DATE.
    return _replace_all(
        tree,
        exp.TimestampTrunc,
        lambda n: n if isinstance(n.parent, exp.Cast) else exp.cast(n.copy(), "timestamp"),
    )


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

    return _replace_all(tree, exp.WithinGroup, build)


# --- numbers ---


@rule("spark_floor_ceil_are_integral", sources=SPARK, engines=("duckdb", "polars"))
def spark_floor_integral(tree, ctx):
    # Spark FLOOR/CEIL(double) are BIGINT, so FLOOR(x) * 0.05 stays exact DECIMAL;
    # DuckDB and Polars keep a DOUBLE and give 0.15000000000000002.
    def build(node):
        if node.args.get("decimals") is not None or isinstance(node.parent, exp.Cast):
            return node
        return exp.cast(node.copy(), "bigint")

    return _replace_all(tree, (exp.Floor, exp.Ceil), build)


@rule("avg_keeps_its_fraction_on_redshift", engines=("redshift",))
def redshift_avg_fraction(tree, ctx):
    # Redshift AVG keeps the argument's type: BIGINT for integers, scale s for DECIMAL(p, s),
    # so AVG(l_discount) gives 0.05 where the other engines give 0.0501446.
    def build(node):
        if isinstance(node.this, exp.Cast) and node.this.to.is_type(*exp.DataType.REAL_TYPES):
            return node
        return exp.Avg(this=exp.cast(node.this.copy(), "double"))

    return _replace_all(tree, exp.Avg, build)


# --- identifiers ---


@rule("redshift_folds_identifiers", sources=POSTGRES_LIKE)
def redshift_identifiers(tree, ctx):
    # Redshift folds unquoted names to lower case; Polars matches names case-sensitively.
    return normalize_identifiers(tree, dialect=ctx.source)
