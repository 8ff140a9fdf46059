"""DuckDB's date_trunc units on Spark, whose DATE_TRUNC gives NULL for a unit it does not know
(and whose TRUNC of a DATE knows only YEAR, QUARTER, MONTH and WEEK). Each DuckDB spelling is
sent as the Spark unit that truncates the same way (checked on DuckDB); decade, century,
millennium and isoyear, which Spark lacks, are refused. A DATE is truncated as a TIMESTAMP: DuckDB's
date_trunc of a DATE is one."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all
from sqlrun.engine.rewrites.naive_timestamps import naive

_SPELLINGS = {
    "MICROSECOND": "US USEC USECS MICROSECOND MICROSECONDS",
    "MILLISECOND": "MS MSEC MSECS MILLISECOND MILLISECONDS",
    "SECOND": "S SEC SECS SECOND SECONDS EPOCH",
    "MINUTE": "M MIN MINS MINUTE MINUTES",
    "HOUR": "H HR HRS HOUR HOURS",
    "DAY": "D DAY DAYS DAYOFMONTH DOY DAYOFYEAR DOW DAYOFWEEK WEEKDAY ISODOW JULIAN",
    "WEEK": "W WEEK WEEKS WEEKOFYEAR YEARWEEK",
    "MONTH": "MON MONS MONTH MONTHS",
    "QUARTER": "QUARTER QUARTERS",
    "YEAR": "Y YR YRS YEAR YEARS",
}
UNITS = {spelling: unit for unit, spellings in _SPELLINGS.items() for spelling in spellings.split()}


def _unit(node: exp.Expression) -> exp.Expression:
    unit = node.args.get("unit")
    if isinstance(unit.unnest(), exp.Null) or (isinstance(unit, exp.Cast) and isinstance(unit.this, exp.Null)):
        return unit.copy()  # a NULL unit: NULL on both
    name = unit.name.upper() if isinstance(unit, (exp.Var, exp.Literal)) else ""
    if name not in UNITS:
        raise Refused(node, f"DuckDB's date_trunc unit {name or unit.sql()!r} is not translated for Spark")
    return exp.var(UNITS[name])


def duckdb_trunc_units(tree, ctx):
    def build(node):
        unit = _unit(node)
        if isinstance(node, exp.DateTrunc):  # a DATE: truncated as a (naive) TIMESTAMP
            moment = exp.Cast(this=node.this.copy(), to=exp.DataType.build("TIMESTAMPNTZ"))
            return naive(exp.TimestampTrunc(this=moment, unit=unit))
        node.set("unit", unit)
        return node

    return replace_all(tree, (exp.TimestampTrunc, exp.DateTrunc), build)
