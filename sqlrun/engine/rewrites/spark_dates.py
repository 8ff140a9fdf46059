"""Spark's dates in calls the targets read otherwise: text read as a date, make_timestamp,
parsing patterns and interval spans (ANSI off: bad input is NULL), or refused at compile time."""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context, Refused, replace_all, spelled, typed_nodes

_TEXT = exp.DataType.TEXT_TYPES


def _num(value) -> exp.Expression:
    return exp.Literal.number(value)


def _is(node: exp.Expression, *types) -> bool:
    return node.type is not None and node.type.is_type(*types)


DATE_CALLS = (exp.NextDay, exp.DayOfWeek, exp.DayOfWeekIso, exp.DayOfMonth, exp.DayOfYear,
              exp.WeekOfYear, exp.LastDay, exp.TsOrDsAdd, exp.AddMonths, exp.Quarter, exp.DateTrunc)


def spark_date_arguments(tree, ctx):
    """next_day('2015-07-23', 'Mon'), date_add('2009-07-30', 1): Spark reads the text as a date
    (spark_text_dates.py spells the CAST; sqlglot's generators would add their own)."""
    for node in typed_nodes(tree, ctx, DATE_CALLS):
        arg = node.this  # a CAST(text AS DATE): spark_text_to_date spells it as Spark reads it
        if _is(arg, *_TEXT, exp.DType.NULL) and not isinstance(arg, exp.Cast):
            cast = exp.cast(arg.copy(), "date")
            arg.replace(cast)
            cast.this.type = arg.type
    return tree


def spark_make_timestamp(tree, ctx):
    """make_timestamp(y, m, d, h, mi, s): NULL for an invalid field (ANSI off); s = 60 is the
    next minute. make_timestamp(date) is its midnight. Other forms (a TIME, a zone) refused."""
    fields = ("year", "month", "day", "hour", "min", "sec")

    def build(node):
        args = [node.args.get(k) for k in fields]
        given = [a for a in args if a is not None]
        if any(node.args.get(k) is not None for k in node.args if k not in fields):
            raise Refused(node, "Spark's make_timestamp with a time or a time zone is not translated")
        if len(given) == 1 and args[0] is not None:
            return exp.cast(args[0].copy(), "timestamp")
        if len(given) != 6:
            raise Refused(node, "Spark's make_timestamp(date, time[, zone]) is not translated")
        sec = args[5]
        whole = exp.EQ(this=sec.copy(), expression=_num(60))
        bad = exp.or_(exp.GT(this=sec.copy(), expression=_num(60)), exp.LT(this=sec.copy(), expression=_num(0)))
        at = exp.Anonymous(this="TRY", expressions=[node.copy()])
        rolled = node.copy()
        rolled.set("sec", _num(0))
        minute = exp.Interval(this=exp.Literal.string("1"), unit=exp.var("MINUTE"))
        plus = exp.Add(this=exp.cast(exp.Anonymous(this="TRY", expressions=[rolled]), "timestamp"), expression=minute)
        return exp.paren(exp.case().when(whole, plus).when(bad, exp.null()).else_(at))

    return replace_all(tree, exp.TimestampFromParts, build)


# --- Spark datetime patterns for parsing: those strptime reads otherwise are refused ---

PARSERS = (exp.StrToTime, exp.StrToUnix, exp.StrToDate, exp.TsOrDsToDate)


def spark_parse_patterns(tree, ctx):
    """to_timestamp / to_date / unix_timestamp patterns: quoted text, optional sections [...],
    a fraction of other than 6 digits, or no year (Spark: 1970, strptime: 1900) are read
    otherwise by strptime (or not at all): refused rather than failing or differing at run time."""
    for node in tree.find_all(PARSERS):
        fmt = node.args.get("format")
        if fmt is None:
            continue
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            raise Refused(node, "a Spark datetime pattern that is not one constant text")
        text = fmt.name.replace("strict", "")  # sqlglot's mark on a Spark field of fixed width
        if re.search(r"['\[\]]|[A-Za-z]", re.sub(r"%.", "", text)):
            raise Refused(node, f"Spark datetime pattern {text!r}: strptime reads it otherwise")
        if "%Y" not in text and "%y" not in text:
            raise Refused(node, "a Spark datetime pattern without a year (Spark's default: 1970, strptime's: 1900)")
        # Text the pattern does not fit is NULL in Spark (ANSI off): DuckDB's TRY_STRPTIME.
        if isinstance(node, exp.StrToTime) and ctx.per_engine(node, duckdb=True, polars=False):
            node.set("safe", True)
    return tree


def spark_interval_spans(tree, ctx):
    """INTERVAL '1 2:03:04' DAY TO SECOND: neither DuckDB's parser nor Polars reads a span."""
    for node in tree.find_all(exp.Interval):
        if isinstance(node.args.get("unit"), exp.IntervalSpan):
            span = node.args["unit"].sql().upper()
            raise Refused(node, f"Spark's INTERVAL ... {span}: {ctx.engine} reads no such span")
    return tree


_DATETIME = (exp.DType.DATE, *exp.DataType.TEMPORAL_TYPES)


def _interval_type(to: exp.DataType) -> bool:
    return to.is_type(exp.DType.INTERVAL) or isinstance(to.this, exp.Interval)


def spark_interval_values(tree, ctx):
    """Spark's intervals as values: CAST to or from an interval (Spark's own formats and units)
    is refused; so is date - date or timestamp - timestamp on DuckDB (an INTERVAL DAY [TO
    SECOND] in Spark, a number of days or another interval type there)."""
    casts = (exp.Cast, exp.TryCast)
    for node in typed_nodes(tree, ctx, (*casts, exp.Sub), operands=("this",)):
        if isinstance(node, casts):
            source = node.this.type is not None and node.this.type.is_type(exp.DType.INTERVAL)
            if _interval_type(node.to) != (source or isinstance(node.this, exp.Interval)):
                raise Refused(node, "Spark's CAST to or from an interval: its own units and formats")
            continue
        sides = (node.this, node.expression)
        if all(_is(s, *_DATETIME, *_TEXT) for s in sides) and any(_is(s, *_DATETIME) for s in sides) \
                and ctx.per_engine(node, duckdb=True, polars=False):  # Polars' is a duration, as Spark's
            raise Refused(node, "Spark's date or timestamp difference is an interval; the target's is not the same")
    return tree


_MOMENTS = (exp.DType.DATE, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ)


def spark_casts_to_moments(tree, ctx):
    """CAST(number AS TIMESTAMP) is seconds since the epoch in Spark (DuckDB has no such cast);
    text cast to a date or timestamp is read after trimming blanks: TIMESTAMP '2019-01-01\\t'."""
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(*_MOMENTS)):
        arg = node.this
        if isinstance(arg, exp.Literal) and arg.is_string and arg.name != arg.name.strip("".join(map(chr, range(33)))):
            arg.replace(exp.Literal.string(arg.name.strip("".join(map(chr, range(33))))))
        elif node.to.is_type(exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ) and _is(arg, *exp.DataType.NUMERIC_TYPES):
            # out of range (or not finite) is NULL in Spark, ANSI off
            seconds = exp.Anonymous(this="TRY", expressions=[exp.UnixToTime(this=arg.copy())])
            node.replace(ctx.per_engine(node, duckdb=seconds))
    return tree


def _floor_units(node: exp.Expression) -> exp.Expression:
    per = 1000000 if isinstance(node, exp.UnixSeconds) else 1000
    us = exp.Anonymous(this="EPOCH_US", expressions=[node.this.copy()])
    return exp.paren(spelled(f"({{us}} - ({{us}} % {per} + {per}) % {per}) // {per}", "duckdb", us=us), copy=False)


def unix_units_floor_on_duckdb(tree: exp.Expression, ctx: Context) -> exp.Expression:
    """UNIX_SECONDS and UNIX_MILLIS count whole units down (1969-12-31 23:59:59.5 is -1 s);
    sqlglot's DuckDB spellings CAST(EPOCH(ts) AS BIGINT) and EPOCH_MS(ts) round (2024-01-01
    00:00:00.7 gave a second too many)."""
    return replace_all(tree, (exp.UnixSeconds, exp.UnixMillis), _floor_units)


def spark_timestamp_text(tree, ctx):
    # Spark's TIMESTAMP is sent to DuckDB as a TIMESTAMPTZ, whose text carries '+00'; Spark writes
    # the UTC wall clock without it (found by tests/fuzz).
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(*_TEXT)):
        if _is(node.this, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ):
            node.this.replace(exp.cast(node.this.copy(), "timestamp"))
    return tree
