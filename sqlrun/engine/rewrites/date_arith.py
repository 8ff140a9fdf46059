"""Date arithmetic whose result type or calendar rule differs: DATE vs TIMESTAMP results,
Redshift ADD_MONTHS at month ends, date - date, TRUNC, epochs."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from sqlrun.engine.rewrites.base import Refused, replace_all, typed_nodes

_DAYS_OR_MORE = {"DAY", "DAYS", "WEEK", "WEEKS", "MONTH", "MONTHS", "YEAR", "YEARS", "QUARTER"}
_TEMPORAL = (exp.DType.DATE, exp.DType.TIMESTAMP, exp.DType.DATETIME, exp.DType.TIMESTAMPTZ,
             exp.DType.TIMESTAMPNTZ, exp.DType.TIMESTAMPLTZ)


def _unknown(t: exp.DataType | None) -> bool:
    return t is None or t.is_type(exp.DType.UNKNOWN, exp.DType.NULL)


def _interval_unit(node: exp.Expression) -> str | None:
    if not isinstance(node, exp.Interval):
        return None
    unit = node.text("unit").upper()
    if not unit and node.this is not None and node.this.is_string:  # INTERVAL '1 day'
        parts = node.this.name.split()
        unit = parts[1].upper() if len(parts) == 2 else ""
    return unit or None


def _timestamp(node: exp.Expression) -> exp.Expression:
    return exp.cast(node.copy(), "timestamp")


# --- date +/- INTERVAL: a DATE in Spark (for whole days or more), a TIMESTAMP in DuckDB and
# Redshift; Polars keeps a DATE ---


def spark_date_interval(tree, ctx):
    for node in typed_nodes(tree, ctx, (exp.Add, exp.Sub), lambda n: _interval_unit(n.expression)):
        left = node.this.type
        if _unknown(left):
            raise Refused(node, "date + INTERVAL is a DATE for a DATE operand and a TIMESTAMP otherwise,"
                          " and the operand's type is unknown here: CAST it to DATE or TIMESTAMP")
        if left.is_type(exp.DType.DATE) and _interval_unit(node.expression) in _DAYS_OR_MORE:
            if not isinstance(node.parent, exp.Cast):
                node.replace(exp.cast(node.copy(), "date"))
    return tree


def spark_date_add_is_date(tree, ctx):
    # Spark's date_add / date_sub (d, n) are DATEs; DuckDB's d + INTERVAL is a TIMESTAMP,
    # whose text showed '... 00:00:00' under a CAST to text (found by tests/fuzz).
    for node in list(tree.find_all(exp.TsOrDsAdd)):
        if node.text("unit").upper() not in ("", "DAY", "MONTH"):
            continue
        if not (isinstance(node.parent, exp.Cast) and node.parent.to.is_type(exp.DType.DATE)):
            node.replace(exp.cast(node.copy(), "date"))
    return tree


def date_interval_timestamp(tree, ctx):
    # CAST(x AS TIMESTAMP) is a no-op for a timestamp, so no type is needed.
    for node in list(tree.find_all(exp.Add, exp.Sub)):
        if _interval_unit(node.expression) and not _interval_unit(node.this):
            node.this.replace(_timestamp(node.this))
        elif isinstance(node, exp.Add) and _interval_unit(node.this) and not _interval_unit(node.expression):
            node.expression.replace(_timestamp(node.expression))
    for node in list(tree.find_all(exp.DateAdd, exp.DateSub)):
        if _interval_unit(node.expression) and ctx.source == "duckdb":  # date_add(d, INTERVAL ...)
            op = exp.Add if isinstance(node, exp.DateAdd) else exp.Sub
            node.replace(op(this=_timestamp(node.this), expression=node.expression.copy()))
    return tree


# --- date - date: whole days (an integer) in DuckDB and Redshift, an interval elsewhere ---


def date_minus_date(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Sub, lambda n: not _interval_unit(n.expression), ("this", "expression")):
        types = (node.this.type, node.expression.type)
        dates = [t is not None and t.is_type(exp.DType.DATE) for t in types]
        if all(dates):
            node.replace(exp.DateDiff(this=node.this.copy(), expression=node.expression.copy(),
                                      unit=exp.var("DAY")))
        elif any(dates) and any(_unknown(t) for t in types):
            raise Refused(node, "date - x is a day count, a date or an interval depending on x's type,"
                          " which is unknown here: use DATEDIFF or CAST the operand")
    return tree


# --- Redshift ADD_MONTHS: a month end stays a month end (Feb 29 + 1 month = Mar 31) ---

_ADD_NAMES = {"ADD_MONTHS", "DATEADD", "DATE_ADD"}


def _add_function_names(ctx) -> list[str]:
    # sqlglot reads ADD_MONTHS and DATEADD(month, ...) into the same node; the source text
    # tells them apart, in the order they appear.
    from sqlglot.dialects.dialect import Dialect

    tokens = Dialect.get_or_raise(ctx.source).tokenize(ctx.query.sql)
    return [t.text.upper() for t in tokens
            if t.token_type == TokenType.VAR and t.text.upper() in _ADD_NAMES]


def _last_day_kept(x: exp.Expression, n: exp.Expression) -> exp.Expression:
    def add(this, count, unit):
        return exp.TsOrDsAdd(this=this, expression=count, unit=exp.var(unit),
                             return_type=exp.DataType.build("timestamp"))

    start = _timestamp(x)
    next_day = add(start.copy(), exp.Literal.number(1), "DAY")
    month_end = exp.EQ(this=exp.Day(this=next_day.copy()), expression=exp.Literal.number(1))
    at_end = add(add(next_day, n.copy(), "MONTH"), exp.Literal.number(-1), "DAY")
    return exp.Case(ifs=[exp.If(this=month_end, true=at_end)], default=add(start, n.copy(), "MONTH"))


def redshift_add_months(tree, ctx):
    nodes = list(tree.find_all(exp.TsOrDsAdd))
    if not nodes:
        return tree
    names = _add_function_names(ctx)
    if "ADD_MONTHS" not in names:
        return tree
    if len(names) != len(nodes):
        raise Refused(nodes[0], "cannot tell ADD_MONTHS from DATEADD here (they differ at month ends)")
    for node, name in zip(nodes, names):
        if name == "ADD_MONTHS":
            node.replace(_last_day_kept(node.this, node.expression))
    return tree


# --- Redshift TRUNC(timestamp) is its DATE; TRUNC(number) truncates ---


def redshift_trunc(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Trunc, lambda n: n.args.get("decimals") is None):
        arg = node.this.type
        if _unknown(arg):
            raise Refused(node, "Redshift TRUNC(x) is a DATE for a timestamp and a number otherwise,"
                          " and x's type is unknown here: CAST x to say which")
        if arg.is_type(*_TEMPORAL):
            node.replace(exp.cast(node.this.copy(), "date"))
    return tree


# --- epochs ---


def epoch_literal(tree, ctx):
    # TIMESTAMP 'epoch' is PostgreSQL's name for 1970-01-01 00:00:00; Polars cannot parse it.
    def build(node):
        if node.this.is_string and node.this.name.strip().lower() == "epoch" and node.to.is_type(*_TEMPORAL):
            return exp.cast(exp.Literal.string("1970-01-01 00:00:00"), node.to.copy())
        return node

    return replace_all(tree, exp.Cast, build)


def extract_epoch_spark(tree, ctx):
    # Spark has no EXTRACT(EPOCH ...); UNIX_MICROS keeps the fraction of a second.
    def build(node):
        if node.name.upper() != "EPOCH":
            return node
        micros = exp.Anonymous(this="UNIX_MICROS", expressions=[_timestamp(node.expression)])
        per_second = exp.cast(exp.Literal.number(1000000), "double")
        return exp.Paren(this=exp.Div(this=micros, expression=per_second))

    return replace_all(tree, exp.Extract, build)


def spark_unix_timestamp(tree, ctx):
    # UNIX_TIMESTAMP(ts) reads a timestamp as is (whole seconds) and parses only strings.
    for node in typed_nodes(tree, ctx, exp.StrToUnix):
        arg = node.this.type
        if node.this is None or _unknown(arg):
            raise Refused(node, "UNIX_TIMESTAMP(x) parses a string and reads a timestamp as is,"
                          " and x's type is unknown here: CAST x to TIMESTAMP or STRING")
        if arg.is_type(*_TEMPORAL):
            seconds = exp.Floor(this=exp.TimeToUnix(this=_timestamp(node.this)))
            node.replace(exp.cast(seconds, "bigint"))
    return tree


def spark_day_count_text(tree, ctx):
    # Spark's date_add/date_sub read a day count given as text as an integer ('1' is 1; other
    # text is an error there). sqlglot keeps the text, and date_sub's `'1' * -1` is a DOUBLE
    # on Spark, which date_add rejects.
    for node in tree.find_all(exp.TsOrDsAdd):
        count = node.expression
        negated = isinstance(count, exp.Mul) and isinstance(count.expression, exp.Neg)
        text = count.this if negated else count
        if not (isinstance(text, exp.Literal) and text.is_string):
            continue
        if not text.name.strip().lstrip("+-").isdigit():
            raise Refused(node, "a day count given as text that is not an integer (an error on Spark)")
        text.replace(exp.Literal.number(int(text.name.strip())))
    return tree


_UNITS = {"YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"}


def _interval_terms(node: exp.Expression) -> list[str] | None:
    """`INTERVAL '23' DAYS + INTERVAL '4' HOURS` as ['23 DAYS', '4 HOURS'] (None: not that shape)."""
    if isinstance(node, exp.Add):
        left, right = _interval_terms(node.this), _interval_terms(node.expression)
        return None if left is None or right is None else left + right
    unit = _interval_unit(node)
    if unit is None or unit.rstrip("S") not in _UNITS or node.this is None:
        return None
    amount = node.this.name.strip()
    return [f"{amount} {unit}"] if amount.isdigit() else None


def spark_frame_interval(tree, ctx):
    # Spark's `RANGE ... interval 23 days 4 hours FOLLOWING`: sqlglot writes the literal back as
    # a sum of intervals, which Spark refuses as a frame bound (it must be one literal).
    for spec in tree.find_all(exp.WindowSpec):
        for side in ("start", "end"):
            bound = spec.args.get(side)
            if isinstance(bound, exp.Add):
                terms = _interval_terms(bound)
                if terms is None:
                    raise Refused(bound, "a window frame bound that is not one literal (Spark refuses it)")
                bound.replace(exp.Var(this="INTERVAL " + " ".join(terms)))
    return tree
