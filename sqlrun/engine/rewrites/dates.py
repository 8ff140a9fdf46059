"""Dates and times: day-of-week numbering, date arithmetic, DATEDIFF units, DATE_TRUNC types."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import SPARK, Refused, replace_all, typed_nodes


def _is_dow(node: exp.Expression) -> bool:
    if isinstance(node, exp.DayOfWeek):
        return True
    return isinstance(node, exp.Extract) and node.name.upper() in ("DOW", "DAYOFWEEK", "WEEKDAY")


def _shift(node: exp.Expression, by: int) -> exp.Expression:
    op = exp.Add if by > 0 else exp.Sub
    return exp.Paren(this=op(this=node.copy(), expression=exp.Literal.number(abs(by))))

# --- day of week: Spark counts 1=Sunday..7; DuckDB, Redshift and Polars 0=Sunday..6 ---


def spark_day_of_week(tree, ctx):
    return replace_all(tree, (exp.DayOfWeek, exp.Extract), lambda n: _shift(n, 1) if _is_dow(n) else n)


def zero_based_day_of_week(tree, ctx):
    return replace_all(tree, (exp.DayOfWeek, exp.Extract), lambda n: _shift(n, -1) if _is_dow(n) else n)



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


def date_add_type(tree, ctx):
    # Spark DATE_ADD/ADD_MONTHS give a DATE, Redshift DATEADD a TIMESTAMP; DuckDB's
    # date + INTERVAL gives a TIMESTAMP and Spark's DATE_ADD a DATE: say which.
    def build(node):
        if isinstance(node.parent, exp.Cast):
            return node
        if isinstance(node, exp.TsOrDsAdd):
            return exp.cast(node.copy(), node.args.get("return_type") or "date")
        return exp.cast(node.copy(), "date") if ctx.source in SPARK else node

    return replace_all(tree, (exp.TsOrDsAdd, exp.AddMonths), build)


def redshift_datediff(tree, ctx):
    # Redshift DATEDIFF and DuckDB DATE_DIFF count boundaries crossed; Spark whole units.
    def build(node):
        unit = (node.text("unit") or "DAY").upper()
        if unit in ("DAY", "DAYS", "D"):  # days between the two dates, whatever the times
            start, end = exp.cast(node.expression.copy(), "date"), exp.cast(node.this.copy(), "date")
            return exp.DateDiff(this=end, expression=start, unit=exp.var("DAY"))
        new = _boundaries(unit.rstrip("S"), node.expression, node.this)
        if new is None:
            raise Refused(node, f"DATEDIFF by {unit} is only translated for DAY, MONTH, QUARTER, YEAR")
        return new

    return replace_all(tree, (exp.DateDiff, exp.TsOrDsDiff), build)


def spark_timestampdiff(tree, ctx):
    # Spark's DATEDIFF(unit, a, b) counts *complete* units; DuckDB counts boundaries.
    for node in tree.find_all(exp.DateDiff, exp.TimestampDiff):
        unit = (node.text("unit") or "DAY").upper()
        if unit not in ("DAY", ""):
            reason = f"Spark DATEDIFF/TIMESTAMPDIFF by {unit} counts complete units, which {ctx.engine} does not"
            raise Refused(node, reason)
    return tree


def date_trunc_timestamp(tree, ctx):
    # Spark, Redshift and DuckDB give a TIMESTAMP from DATE_TRUNC of a DATE; Polars keeps a DATE.
    # A timestamp keeps its own type (a Spark TIMESTAMP is a UTC datetime on Polars, not a naive one).
    stamp = exp.DataType.build("timestamp", dialect=ctx.source)
    for node in typed_nodes(tree, ctx, exp.TimestampTrunc):
        kind = node.this.type
        timestamp = kind is not None and kind.is_type(*exp.DataType.TEMPORAL_TYPES) and not kind.is_type(exp.DType.DATE)
        if not isinstance(node.parent, exp.Cast) and not timestamp:
            node.replace(exp.cast(node.copy(), stamp))
    return tree


# --- Spark TRUNC(date, unit): a DATE, with Spark's own unit spellings ---

_SPARK_TRUNC_UNITS = {
    "YEAR": "YEAR", "YYYY": "YEAR", "YY": "YEAR", "QUARTER": "QUARTER",
    "MONTH": "MONTH", "MON": "MONTH", "MM": "MONTH", "WEEK": "WEEK",
}


def spark_trunc_date(tree, ctx):
    def build(node):
        unit = node.args.get("unit")
        name = unit.name.upper() if isinstance(unit, (exp.Literal, exp.Var)) else None
        if name not in _SPARK_TRUNC_UNITS:
            raise Refused(node, f"Spark TRUNC(date, unit) is translated for units {', '.join(_SPARK_TRUNC_UNITS)}")
        day = exp.cast(node.this.copy(), "date")
        trunc = exp.TimestampTrunc(this=day, unit=exp.var(_SPARK_TRUNC_UNITS[name]))
        return exp.cast(trunc, "date")  # DuckDB and Polars give a TIMESTAMP

    return replace_all(tree, exp.DateTrunc, build)


# --- MAKE_DATE (Spark): an invalid date is NULL (ANSI off); DuckDB's raises ---


def spark_make_date(tree, ctx):
    return replace_all(tree, exp.DateFromParts, lambda n: exp.Anonymous(this="TRY", expressions=[n.copy()]))


# --- EXTRACT(SECOND ...) in Spark keeps the fraction (DECIMAL(8, 6)); DuckDB and Polars give
# whole seconds. Their MICROSECOND part counts the seconds too ---

_SECOND = {"SECOND", "SECONDS", "SEC", "SECS", "S"}


def spark_extract_second(tree, ctx):
    def build(node):
        if node.name.upper() not in _SECOND:
            return node
        micros = exp.Extract(this=exp.var("MICROSECOND"), expression=node.expression.copy())
        seconds = exp.Div(this=exp.cast(micros, "double"), expression=exp.Literal.number(1000000))
        return exp.cast(seconds, exp.DataType.build("DECIMAL(8, 6)"))

    return replace_all(tree, exp.Extract, build)


def duckdb_extract_second(tree, ctx):
    # DuckDB's SECOND part is whole seconds; Spark's SECOND() function is too.
    def build(node):
        return exp.Second(this=node.expression.copy()) if node.name.upper() in _SECOND else node

    return replace_all(tree, exp.Extract, build)
