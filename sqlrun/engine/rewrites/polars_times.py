"""Spark's date and time calls Polars SQL has no function for, spelled in integer arithmetic
on day numbers and microseconds since 1970 (sqlrun's Spark session is UTC, so local time is
UTC), with Spark's answers (ANSI off: an invalid field is NULL):

- make_date(y, m, d): the day number of the proleptic Gregorian date (days_from_civil), NULL
  unless 1 <= m <= 12 and d is a day of that month.
- make_timestamp(y, m, d, h, mi, s): that day's microseconds plus the time's; s a whole number
  or a DECIMAL of at most 6 places; s = 60 is the next minute (60.5 is NULL); other forms are
  left to the rules before (date[, time]) or refused by the generator (a zone).
- unix_seconds/millis/micros(ts): the microseconds since 1970, floor-divided.
- timestampadd(MICROSECOND | MILLISECOND, n, ts): the microseconds plus n (n an integer);
  by QUARTER n (a constant): by MONTH 3n (Polars' INTERVAL has neither unit).
- (weekday('2009-07-30 12:00:00') and the other calls of a day: spark_text_dates.py.)
- timestampdiff(unit, a, b) and datediff(unit, a, b): Java's ChronoUnit.between on UTC
  LocalDateTimes, as Spark computes them: time units and DAY/WEEK truncate the difference in
  microseconds; MONTH/QUARTER/YEAR count whole months the way LocalDate.until does (the end
  day moved one day towards the start when its time of day is not reached yet).
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all, spelled
from sqlrun.engine.rewrites.polars_functions import INTEGERS
from sqlrun.engine.rewrites.spark_builtins import _annotate, micros_to_timestamp

DAY = 86_400_000_000  # microseconds
_MICROS = {"MICROSECOND": 1, "MILLISECOND": 1000, "SECOND": 10**6, "MINUTE": 60 * 10**6,
           "HOUR": 3600 * 10**6, "DAY": DAY, "WEEK": 7 * DAY}
_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
_MOMENTS = (exp.DType.DATE, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ,
            exp.DType.TIMESTAMPNTZ, exp.DType.NULL)


def _typed(node: exp.Expression, *types) -> bool:
    return node.type is not None and node.type.is_type(*types)


def _micros(x: exp.Expression) -> exp.Expression:
    """Microseconds since 1970 of a DATE or TIMESTAMP (a Polars TIMESTAMP is in microseconds)."""
    return spelled("CAST(CAST({x} AS TIMESTAMP) AS BIGINT)", x=x)


def _floor_div(x: exp.Expression, k: int) -> exp.Expression:
    # Polars' DIV truncates and its % keeps the dividend's sign: Java's Math.floorDiv spelled out
    return spelled(f"({{x}} - ({{x}} % {k} + {k}) % {k}) div {k}", x=x)


def _days(y: exp.Expression, m: exp.Expression, d: exp.Expression) -> exp.Expression:
    """Days since 1970-01-01 of the proleptic Gregorian y-m-d (valid fields), in BIGINTs."""
    yp = "({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)"
    era = f"(({yp} - CASE WHEN {yp} < 0 THEN 399 ELSE 0 END) div 400)"
    yoe = f"({yp} - {era} * 400)"
    doy = "((153 * (({m} + 9) % 12) + 2) div 5 + {d} - 1)"
    doe = f"({yoe} * 365 + {yoe} div 4 - {yoe} div 100 + {doy})"
    return spelled(f"{era} * 146097 + {doe} - 719468", y=y, m=m, d=d)


def _valid_date(y: exp.Expression, m: exp.Expression, d: exp.Expression) -> exp.Expression:
    leap = "(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
    last = (f"CASE WHEN {{m}} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END"
            " WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END")
    return spelled(f"{{m}} BETWEEN 1 AND 12 AND {{d}} BETWEEN 1 AND {last}", y=y, m=m, d=d)


def _bigints(node: exp.Expression, args: list[exp.Expression]) -> list[exp.Expression]:
    for a in args:
        if not _typed(a, *INTEGERS):
            raise Refused(node, "Spark's make_date/make_timestamp of a field that is not an integer"
                          " is not translated for polars")
    return [exp.cast(a.copy(), "bigint") for a in args]


def _null(node: exp.Expression, args, to: str) -> exp.Expression | None:
    return exp.cast(exp.null(), to) if any(isinstance(a, exp.Null) for a in args) else None


def make_date(node: exp.DateFromParts) -> exp.Expression:
    args = [node.args.get(k) for k in ("year", "month", "day")]
    if _null(node, args, "date") is not None:
        return _null(node, args, "date")
    y, m, d = _bigints(node, args)
    return spelled("CASE WHEN {ok} THEN CAST({days} AS DATE) END", ok=_valid_date(y, m, d), days=_days(y, m, d))


def _make_timestamp(node: exp.TimestampFromParts) -> exp.Expression:
    fields = ("year", "month", "day", "hour", "min", "sec")
    args = [node.args.get(k) for k in fields]
    if any(a is None for a in args) or set(node.args) - set(fields):
        return node  # (date[, time[, zone]]): spark_make_timestamp_date_time; a zone: refused
    if _null(node, args, "timestamp") is not None:
        return _null(node, args, "timestamp")
    y, m, d, h, mi = _bigints(node, args[:5])
    sec = args[5]
    scale = sec.type.expressions[1].this.name if _typed(sec, exp.DType.DECIMAL) and sec.type.expressions else None
    if not (_typed(sec, *INTEGERS) or (scale is not None and int(scale) <= 6)):
        raise Refused(node, "Spark's make_timestamp with seconds that are not an integer or a DECIMAL"
                      " of at most 6 places is not translated for polars")
    micros_of_sec = exp.Mul(this=sec.copy(), expression=exp.Literal.number(10**6))
    s = exp.TryCast(this=micros_of_sec, to=exp.DataType.build("bigint"))  # NULL past DECIMAL(16, 6), as Spark
    ok = spelled("{date} AND {h} BETWEEN 0 AND 23 AND {mi} BETWEEN 0 AND 59 AND {s} BETWEEN 0 AND 60000000",
              date=_valid_date(y, m, d), h=h, mi=mi, s=s)
    micros = spelled(f"{{days}} * {DAY} + {{h}} * 3600000000 + {{mi}} * 60000000 + {{s}}",
                  days=_days(y, m, d), h=h, mi=mi, s=s)
    return spelled("CASE WHEN {ok} THEN {ts} END", ok=ok, ts=micros_to_timestamp(micros))


def _unix(node: exp.Expression) -> exp.Expression:
    per = {exp.UnixSeconds: 10**6, exp.UnixMillis: 1000, exp.UnixMicros: 1}[type(node)]
    if isinstance(node.this, exp.Null):
        return exp.cast(exp.null(), "bigint")
    micros = _micros(node.this)
    return micros if per == 1 else _floor_div(micros, per)


def _moment(node: exp.Expression, x: exp.Expression) -> exp.Expression:
    if isinstance(x, exp.TsOrDsToDate) and not x.args.get("format"):
        x = x.this  # sqlglot reads datediff(unit, a, b) as of dates; Spark's are timestamps
    if not _typed(x, *_MOMENTS):
        raise Refused(node, "Spark's TIMESTAMPDIFF of text is not translated for polars")
    return x


def _diff(node: exp.Expression) -> exp.Expression:
    unit = node.text("unit").upper()
    if not unit or (isinstance(node, exp.DateDiff) and unit == "DAY"):
        return node  # datediff(end, start) and by DAY: days between the dates, as written
    if unit not in _MICROS and unit not in _MONTHS:
        raise Refused(node, f"Spark's TIMESTAMPDIFF by {unit} is not translated for polars")
    start, end = _moment(node, node.expression), _moment(node, node.this)
    if any(isinstance(x, exp.Null) for x in (start, end)):
        return exp.cast(exp.null(), "bigint")
    a, b = _micros(start), _micros(end)
    if unit in _MICROS:
        return spelled(f"({{b}} - {{a}}) div {_MICROS[unit]}", a=a, b=b)
    da, db = _floor_div(a, DAY), _floor_div(b, DAY)
    ta, tb = spelled("{x} - {d} * 86400000000", x=a, d=da), spelled("{x} - {d} * 86400000000", x=b, d=db)
    moved = spelled("{db} + CASE WHEN {db} > {da} AND {tb} < {ta} THEN -1 WHEN {db} < {da} AND {tb} > {ta} THEN 1"
                 " ELSE 0 END", da=da, db=db, ta=ta, tb=tb)
    packed = "((YEAR({x}) * 12 + MONTH({x})) * 32 + DAYOFMONTH({x}))"

    def pack(day):
        return spelled(packed, x=exp.cast(exp.cast(day, "bigint"), "date"))

    months = spelled("({pb} - {pa}) div 32", pa=pack(da), pb=pack(moved))
    per = _MONTHS[unit]
    return months if per == 1 else spelled(f"{{m}} div {per}", m=months)


def _add(node: exp.TimestampAdd) -> exp.Expression:
    unit, n = node.text("unit").upper(), node.expression
    if unit == "QUARTER":
        whole = n.this if isinstance(n, exp.Neg) else n
        if isinstance(whole, exp.Literal) and whole.is_int:
            months = int(whole.name) * (-3 if isinstance(n, exp.Neg) else 3)
            node.set("unit", exp.var("MONTH"))
            node.set("expression", exp.Literal.number(abs(months)) if months >= 0
                     else exp.Neg(this=exp.Literal.number(-months)))
        return node
    if unit not in ("MICROSECOND", "MILLISECOND") or not _typed(n, *INTEGERS):
        return node
    if not _typed(node.this, *_MOMENTS):
        raise Refused(node, "Spark's TIMESTAMPADD of text is not translated for polars")
    micros = spelled(f"{{ts}} + CAST({{n}} AS BIGINT) * {_MICROS[unit]}", ts=_micros(node.this), n=n)
    return micros_to_timestamp(micros)


KINDS = (exp.TimestampAdd, exp.DateFromParts, exp.TimestampFromParts, exp.UnixSeconds,
         exp.UnixMillis, exp.UnixMicros, exp.DateDiff, exp.TimestampDiff)
_BUILD = {exp.DateFromParts: make_date, exp.TimestampFromParts: _make_timestamp, exp.UnixSeconds: _unix,
          exp.UnixMillis: _unix, exp.UnixMicros: _unix, exp.DateDiff: _diff, exp.TimestampDiff: _diff,
          exp.TimestampAdd: _add}


def spark_times_on_polars(tree: exp.Expression, ctx) -> exp.Expression:
    if not any(True for _ in tree.find_all(*KINDS)):
        return tree  # not annotated: types would change the rules after
    _annotate(tree, ctx)  # Spark's literal types: 45.678 is a DECIMAL(5, 3)
    return replace_all(tree, KINDS, lambda n: _BUILD[type(n)](n))
