"""Spark's make_timestamp(date[, time[, zone]]) and try_make_timestamp.

The date at the time of day, read in the zone: sqlrun's Spark session is UTC, so a zone other
than 'UTC' is refused. try_make_timestamp is make_timestamp (ANSI off, both give NULL for bad
fields). The six- and seven-field forms are left to spark_dates.spark_make_timestamp.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.spark import Spark

from sqlrun.engine.rewrites.base import Context, Refused

NAMES = ("try_make_timestamp",)  # pass the unknown-function check (functions.known)
_MAKE = Spark.Parser.FUNCTIONS["MAKE_TIMESTAMP"]


def _try_as_make(tree: exp.Expression) -> exp.Expression:
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() in NAMES:
            new = _MAKE([a.copy() for a in node.expressions])
            new.meta.update(node.meta)
            if node is tree:
                return new
            node.replace(new)
    return tree


def _zone_is_utc(zone: exp.Expression) -> bool:
    return isinstance(zone, exp.Literal) and zone.is_string and zone.name.upper() == "UTC"


def _at_time(node: exp.Expression, date: exp.Expression, time: exp.Expression, ctx: Context) -> exp.Expression:
    day = exp.cast(date.copy(), "date")
    clock = exp.cast(time.copy(), "time")

    def polars():
        since_midnight = exp.paren(exp.Sub(this=clock, expression=exp.cast(exp.Literal.string("00:00:00"), "time")))
        return exp.Add(this=exp.cast(day, "timestamp"), expression=since_midnight)

    build = ctx.per_engine(node, duckdb=lambda: exp.Add(this=day, expression=clock), polars=polars)
    return exp.paren(build())


def _translate(node: exp.TimestampFromParts, ctx: Context) -> exp.Expression:
    date, time, zone = (node.args.get(k) for k in ("year", "month", "day"))
    if zone is not None and not isinstance(zone, exp.Null) and not _zone_is_utc(zone):
        raise Refused(node, "Spark's make_timestamp in a zone other than the session's UTC is not translated")
    if isinstance(zone, exp.Null) or (time is not None and isinstance(time, exp.Null)) or isinstance(date, exp.Null):
        return exp.cast(exp.null(), "timestamp")
    if time is None:
        return exp.cast(exp.cast(date.copy(), "date"), "timestamp")
    return _at_time(node, date, time, ctx)


def spark_make_timestamp_date_time(tree: exp.Expression, ctx: Context) -> exp.Expression:
    tree = _try_as_make(tree)
    fields = ("hour", "min", "sec")
    for node in list(tree.find_all(exp.TimestampFromParts)):
        if any(node.args.get(k) is not None for k in fields):
            continue  # the field form
        new = _translate(node, ctx)
        new.meta.update(node.meta)
        if node is tree:
            return new
        node.replace(new)
    return tree
