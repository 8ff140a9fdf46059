"""A sqlglot dialect for Polars SQL 2.1 (a subclass; upstream classes are never patched).

Polars SQL reads like PostgreSQL, so the dialect starts from sqlglot's Postgres and says,
as data, where Polars differs: which functions exist (anything else fails at compile
time, not at run time), how a few expressions are spelled, and what Polars cannot do.
Every fact here was probed with `pl.SQLContext` on polars 2.1 (see tests/test_dialect_polars.py).
"""

from __future__ import annotations

from sqlglot import exp, transforms
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import UnsupportedError
from sqlglot.generators.postgres import PostgresGenerator
from sqlglot.optimizer.simplify import simplify

from sqlrun.dialects import polars_qualify

# Functions Polars SQL 2.1 resolves (probed: anything else is "unsupported function").
SUPPORTED_FUNCTIONS = frozenset(
    """
    abs acos acosd array_agg array_contains array_get array_length array_lower array_mean
    array_reverse array_sum array_to_string array_unique array_upper asin asind atan atan2
    atan2d atand avg bit_length cbrt ceil ceiling char_length character_length coalesce
    concat concat_ws corr cos cosd cot cotd count covar_pop covar_samp cume_dist date
    date_part date_trunc dense_rank degrees div ends_with exp first first_value floor
    generate_series greatest grouping grouping_id if ifnull initcap lag last last_value
    lead least left length listagg ln log log10 log1p log2 lower lpad ltrim max median min
    mod normalize nth_value ntile nullif octet_length percent_rank pi pow power
    quantile_cont quantile_disc radians range rank regexp_like regexp_replace replace reverse
    right round row_number rpad rtrim sign sin sind split_part sqrt starts_with stddev
    stddev_samp strftime string_agg string_to_array strpos strptime substr substring sum
    tan tand timestamp trunc unnest upper var_samp variance
    year quarter month week day dayofmonth dayofyear hour minute second
    cast try_cast
    """.split()
)

# Units Polars accepts inside an INTERVAL string.
_INTERVAL_UNITS = {"YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND"}


def _date_part(part: str):
    return lambda self, e: self.func("DATE_PART", exp.Literal.string(part), e.this)


def _interval_literal(self: PolarsGenerator, count: exp.Expr, unit: str) -> tuple[str, str] | None:
    """('+'|'-', "INTERVAL 'n unit'") for a literal count; Polars takes no signs or columns."""
    count = simplify(count.copy())  # DATE_SUB(d, -1) arrives as -1 * -1
    negative = isinstance(count, exp.Neg)
    value = count.this if negative else count
    if isinstance(value, exp.Paren):
        value = value.this
    if isinstance(value, exp.Neg):
        negative, value = not negative, value.this
    if not (isinstance(value, exp.Literal) and not value.is_string and value.name.isdigit()):
        self.unsupported(f"Polars INTERVAL needs a constant whole count, got {count.sql()}")
        return None
    if unit not in _INTERVAL_UNITS:
        self.unsupported(f"Polars INTERVAL has no unit {unit}")
        return None
    return ("-" if negative else "+"), f"INTERVAL '{value.name} {unit.lower()}s'"


def _unit(e: exp.Expr, default: str = "DAY") -> str:
    unit = e.args.get("unit")
    return (unit.name if unit is not None else default).upper() or default


def _date_add_sql(self: PolarsGenerator, e: exp.Expr) -> str:
    unit = "MONTH" if isinstance(e, exp.AddMonths) else _unit(e)
    this = e.this
    if isinstance(e, exp.TsOrDsAdd):
        # Spark's DATE_ADD gives a DATE, Redshift's DATEADD a TIMESTAMP (its return_type).
        this = exp.cast(this, e.args.get("return_type") or "date")
    parts = _interval_literal(self, e.expression, unit)
    if parts is None:
        return ""
    return f"{self.sql(this)} {parts[0]} {parts[1]}"


def _interval_arith_sql(op: str):
    """x +/- INTERVAL '-n' unit: Polars rejects signs inside interval strings."""

    def render(self: PolarsGenerator, e: exp.Binary) -> str:
        interval = e.expression
        if not isinstance(interval, exp.Interval):
            return self.binary(e, op)
        unit = interval.text("unit").upper() or "DAY"
        count = interval.this
        if count is not None and count.is_string:
            text = count.name.strip().split()
            if len(text) == 2:
                unit = text[1].upper().rstrip("S")
            count = exp.Literal.number(text[0]) if text[0].lstrip("-").isdigit() else count
            if isinstance(count, exp.Literal) and count.name.startswith("-"):
                count = exp.Neg(this=exp.Literal.number(count.name[1:]))
        parts = _interval_literal(self, count, unit.rstrip("S"))
        if parts is None:
            return ""
        sign = parts[0] if op == "+" else ("+" if parts[0] == "-" else "-")
        return f"{self.sql(e, 'this')} {sign} {parts[1]}"

    return render


def _date_diff_sql(self: PolarsGenerator, e: exp.Expr) -> str:
    """Whole days between two dates: Polars casts a DATE to its day number."""
    unit = _unit(e)
    if unit != "DAY":
        self.unsupported(f"Polars has no DATEDIFF; only DAY differences are rewritten, not {unit}")
        return ""
    end = exp.cast(exp.cast(e.this, "date"), "int")
    start = exp.cast(exp.cast(e.expression, "date"), "int")
    return self.sql(exp.Paren(this=exp.Sub(this=end, expression=start)))


def _round_sql(self: PolarsGenerator, e: exp.Round) -> str:
    # Polars rounds floats half to even; every other engine rounds half away from zero.
    places = e.args.get("decimals")
    if isinstance(places, exp.Neg) or (isinstance(places, exp.Literal) and places.is_int and int(places.name) < 0):
        # POWER(10, -1) is an integer power in Polars, which fails at run time (found by tests/fuzz).
        self.unsupported("Polars ROUND to a negative number of decimals")
    elif places is not None and not (isinstance(places, exp.Literal) and places.is_int):
        # POWER(10, n) of an integer column is an integer power: a negative n fails at run time.
        self.unsupported("Polars ROUND to a number of decimals that is not a constant")
    elif places is not None and int(places.name) > 308:
        return self.sql(e.this)  # 10^n is infinite: every engine gives x back (DuckDB: a NaN result)
    scale = exp.Pow(this=exp.Literal.number(10), expression=places) if places else None
    x = e.this
    shifted = exp.Abs(this=x.copy()) if scale is None else exp.Mul(this=exp.Abs(this=x.copy()), expression=scale)
    rounded = exp.Mul(
        this=exp.Sign(this=x.copy()),
        expression=exp.Floor(this=exp.Add(this=shifted, expression=exp.Literal.number("0.5"))),
    )
    if scale is not None:
        rounded = exp.Div(this=rounded, expression=scale.copy())
    return self.sql(exp.Paren(this=rounded))


def _within_group_sql(self: PolarsGenerator, e: exp.WithinGroup) -> str:
    """PERCENTILE_CONT/DISC(p) WITHIN GROUP (ORDER BY x) -> QUANTILE_CONT/DISC(x, p)."""
    func, order = e.this, e.expression
    names = {exp.PercentileCont: "QUANTILE_CONT", exp.PercentileDisc: "QUANTILE_DISC"}
    name = names.get(type(func))
    keys = order.expressions if isinstance(order, exp.Order) else []
    if not name or len(keys) != 1:
        self.unsupported(f"Polars has no WITHIN GROUP form of {func.sql_name()}")
        return ""
    key, p = keys[0], func.this
    if key.args.get("desc"):
        p = exp.Sub(this=exp.Literal.number(1), expression=p.copy())
    return self.func(name, key.this, p)


def _log_sql(self: PolarsGenerator, e: exp.Log) -> str:
    # exp.Log holds (base, x); Polars' LOG takes (x, base). A lone argument has no agreed base.
    if e.expression is None:
        self.unsupported("LOG(x) without a base means base 10 or base e depending on the dialect")
        return ""
    return self.func("LOG", e.expression, e.this)


def _unsupported(reason: str):
    def render(self: PolarsGenerator, e: exp.Expr) -> str:
        self.unsupported(f"{reason}: {e.sql()[:60]}")
        return ""

    return render


def comma_join(join: exp.Join) -> bool:
    """A join of a comma list (a plain CROSS JOIN of a table or subquery, nothing else on it)."""
    extra = {k for k, v in join.args.items() if v and k not in ("this", "kind")}
    plain = isinstance(join.this, exp.Table | exp.Subquery)
    return plain and not extra and (join.args.get("kind") or "").upper() == "CROSS"


def _semi_joins(select: exp.Expr) -> exp.Expr:
    """SEMI and ANTI joins on equalities go as such (Polars joins them); others as EXISTS."""
    if isinstance(select, exp.Select):
        for join in list(select.args.get("joins") or []):
            on = join.args.get("on")
            if on and join.kind in ("SEMI", "ANTI") and on.find(exp.Select):
                raise UnsupportedError("Polars SQL cannot plan a subquery in a SEMI or ANTI join condition")
            if on and join.kind in ("SEMI", "ANTI") and not all(
                isinstance(c, exp.EQ) for c in (on.flatten() if isinstance(on, exp.And) else [on])
            ):
                exists: exp.Expr = exp.Exists(this=exp.select("1").from_(join.this).where(on))
                join.pop()
                select.where(exists.not_(copy=False) if join.kind == "ANTI" else exists, copy=False)
    return select


def _micros_to_timestamp_sql(self: PolarsGenerator, e: exp.UnixToTime) -> str:
    # A Polars TIMESTAMP is microseconds since 1970: a BIGINT of them casts to it as it is.
    if e.args.get("scale") != exp.UnixToTime.MICROS or e.args.get("zone") or e.args.get("format"):
        self.unsupported("Polars turns only microseconds since 1970 into a TIMESTAMP")
    return self.sql(exp.cast(e.this, "timestamp"))


class PolarsGenerator(PostgresGenerator):
    # Polars orders NULLs like PostgreSQL by default, but we always spell the order out
    # so that a change of default in a future Polars cannot change an answer silently.
    # TIMESTAMP WITH LOCAL TIME ZONE (Spark's TIMESTAMP_LTZ, its TIMESTAMP) is an instant, as
    # Polars' UTC TIMESTAMPTZ is (sqlrun's sessions are UTC).
    TYPE_MAPPING = {**PostgresGenerator.TYPE_MAPPING, exp.DType.TIMESTAMPLTZ: "TIMESTAMPTZ"}
    TRANSFORMS = {
        **PostgresGenerator.TRANSFORMS,
        exp.Add: _interval_arith_sql("+"),
        exp.Sub: _interval_arith_sql("-"),
        exp.AddMonths: _date_add_sql,
        exp.ApproxDistinct: _unsupported("Polars has no approximate COUNT DISTINCT"),
        exp.ApproxQuantile: _unsupported("Polars has no approximate percentile"),
        exp.ArraySize: lambda self, e: self.func("ARRAY_LENGTH", e.this),
        exp.DateAdd: _date_add_sql,
        exp.DateDiff: _date_diff_sql,
        exp.DayOfMonth: _date_part("day"),
        exp.DayOfWeek: _date_part("dow"),
        exp.DayOfWeekIso: _date_part("isodow"),
        exp.DayOfYear: _date_part("doy"),
        # Polars SQL has no ISNAN; its NaN = NaN is true.
        exp.IsNan: lambda self, e: f"(CAST({self.sql(e, 'this')} AS DOUBLE) = CAST('NaN' AS DOUBLE))",
        exp.Log: _log_sql,
        exp.Median: lambda self, e: self.func("MEDIAN", e.this),
        exp.Quantile: lambda self, e: self.func("QUANTILE_CONT", e.this, e.args.get("quantile")),
        exp.Round: _round_sql,
        exp.Select: transforms.preprocess([_semi_joins, polars_qualify.eliminate_qualify]),
        exp.StrPosition: lambda self, e: self.func("STRPOS", e.this, e.args.get("substr")),
        exp.StrToDate: lambda self, e: self.func("DATE", e.this, self.format_time(e)),
        exp.StrToTime: lambda self, e: self.func("STRPTIME", e.this, self.format_time(e)),
        exp.TimeToStr: lambda self, e: self.func("STRFTIME", e.this, self.format_time(e)),
        # PostgreSQL has no TRY_CAST and renders CAST; Polars has it (NULL on a bad value).
        exp.TryCast: lambda self, e: self.cast_sql(e, safe_prefix="TRY_"),
        exp.TsOrDsAdd: _date_add_sql,
        exp.UnixToTime: _micros_to_timestamp_sql,
        exp.TsOrDsDiff: _date_diff_sql,
        exp.WeekOfYear: _date_part("isoweek"),
        exp.WithinGroup: _within_group_sql,
    }

    def join_sql(self, expression: exp.Join, join_op: str | None = None) -> str:
        # A FROM list of plain cross joins goes as a comma list: Polars plans `a, b WHERE a.k = b.k`
        # as a join, but runs `a CROSS JOIN b` as written (measured: TPC-H q17 at SF10, 3.3 s vs 1.3 s).
        select = expression.parent
        joins = select.args.get("joins") or [] if isinstance(select, exp.Select) else []
        if joins and all(comma_join(j) for j in joins):
            return f", {self.sql(expression, 'this')}"
        return super().join_sql(expression, join_op)

    def func(self, name: str, *args, prefix: str = "(", suffix: str = ")", normalize: bool = True) -> str:
        # Every function call is rendered here, so this is where unknown names are caught.
        if name.lower() not in SUPPORTED_FUNCTIONS and prefix == "(":
            self.unsupported(f"Polars SQL has no function {name.upper()}()")
        return super().func(name, *args, prefix=prefix, suffix=suffix, normalize=normalize)

    def ordered_sql(self, expression: exp.Ordered) -> str:
        this = self.sql(expression, "this")
        desc = " DESC" if expression.args.get("desc") else " ASC"
        nulls_first = expression.args.get("nulls_first")
        if nulls_first is None:  # the PostgreSQL default, which Polars shares
            nulls_first = bool(expression.args.get("desc"))
        return f"{this}{desc} NULLS {'FIRST' if nulls_first else 'LAST'}"

    def udf_sql(self, expression: exp.Expr) -> str:
        self.unsupported("Polars SQL cannot call user-defined functions")
        return ""


class Polars(Postgres):
    """Polars SQL, as run by polars.SQLContext."""

    # Polars formats and parses dates with chrono's strftime codes, Python's own.
    TIME_MAPPING: dict[str, str] = {}
    TIME_FORMAT = "'%Y-%m-%d %H:%M:%S'"
    NULL_ORDERING = "nulls_are_large"
    TYPED_DIVISION = False  # 7 / 2 is 3.5 in Polars, as in DuckDB
    SAFE_DIVISION = False  # x / 0 is inf or NULL, never an error

    Generator = PolarsGenerator
