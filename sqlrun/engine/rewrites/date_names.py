"""Day and month names and numbers: ISO day of week, DAYNAME/MONTHNAME, WEEK, TO_CHAR names."""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.time import format_time
from sqlglot.tokens import TokenType

from sqlrun.engine.rewrites.base import SPARK, Refused, replace_all


def iso_dow_spark(tree, ctx):
    # Spark WEEKDAY is 0=Monday..6; ISO numbers Monday 1..Sunday 7.
    def build(node):
        if isinstance(node, exp.Extract) and node.name.upper() != "ISODOW":
            return node
        day = node.expression if isinstance(node, exp.Extract) else node.this
        weekday = exp.Anonymous(this="WEEKDAY", expressions=[day.copy()])
        return exp.Paren(this=exp.Add(this=weekday, expression=exp.Literal.number(1)))

    return replace_all(tree, (exp.DayOfWeekIso, exp.Extract), build)


def day_month_names(tree, ctx):
    # Spark's DAYNAME/MONTHNAME abbreviate ('Mon', 'Jan'); DuckDB's spell out ('Monday').
    short = ctx.source in SPARK

    def build(node):
        full = "%A" if isinstance(node, exp.Dayname) else "%B"
        fmt = full.lower() if short or node.args.get("abbreviated") else full
        return exp.TimeToStr(this=node.this.copy(), format=exp.Literal.string(fmt))

    return replace_all(tree, (exp.Dayname, exp.Monthname), build)


def duckdb_week(tree, ctx):
    return replace_all(tree, exp.Week, lambda n: exp.WeekOfYear(this=n.this.copy()))


# --- Redshift TO_CHAR: sqlglot's format mapping loses 'Dy' and 'Mon'; translate the source text ---

_PATTERNS = [  # longest first; Postgres template patterns -> strftime codes
    ("FMMonth", "%B"), ("FMDay", "%A"), ("HH24", "%H"), ("HH12", "%I"), ("YYYY", "%Y"),
    ("Mon", "%b"), ("Dy", "%a"), ("HH", "%I"), ("MI", "%M"), ("SS", "%S"), ("YY", "%y"),
    ("MM", "%m"), ("DD", "%d"), ("AM", "%p"), ("PM", "%p"),
]


def _strftime(fmt: str) -> str | None:
    """The strftime form of a Redshift TO_CHAR format, or None for anything not understood."""
    out, i = [], 0
    while i < len(fmt):
        for pattern, code in _PATTERNS:
            if fmt.startswith(pattern, i):
                out.append(code)
                i += len(pattern)
                break
        else:
            ch = fmt[i]
            if ch.isalpha() or ch in '"%\\':
                return None  # another pattern (Month pads to 9, MON upper-cases...) or quoted text
            out.append(ch)
            i += 1
    return "".join(out)


def _source_formats(ctx) -> dict[str, str]:
    """The format strings of the source text, keyed by what sqlglot turned them into."""
    dialect = Dialect.get_or_raise(ctx.source)
    found: dict[str, str] = {}
    for token in dialect.tokenize(ctx.query.sql):
        if token.token_type == TokenType.STRING:
            converted = format_time(token.text, dialect.TIME_MAPPING, dialect.TIME_TRIE)
            found.setdefault(converted, token.text)
    return found


def redshift_to_char(tree, ctx):
    nodes = [n for n in tree.find_all(exp.TimeToStr) if isinstance(n.args.get("format"), exp.Literal)]
    if not nodes:
        return tree
    originals = _source_formats(ctx)
    for node in nodes:
        original = originals.get(node.args["format"].name)
        if original is None or not re.search(r"[A-Za-z]", original):
            continue
        fmt = _strftime(original)
        if fmt is None:
            raise Refused(node, f"TO_CHAR format '{original}' is only translated for YYYY YY MM DD HH24 HH12"
                          " HH MI SS AM PM Mon Dy FMMonth FMDay")
        node.set("format", exp.Literal.string(fmt))
    return tree
