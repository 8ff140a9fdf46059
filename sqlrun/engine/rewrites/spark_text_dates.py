"""Spark reads text as a DATE its own way (SparkDateTimeUtils.stringToDate), DuckDB and Polars
otherwise: after trimming blanks and control characters, Spark takes `[+-]yyyy[y...]`,
`yyyy-[m]m` and `yyyy-[m]m-[d]d`, the last followed by anything after a space or a 'T'
('2024' is 2024-01-01, '2024-01-05 garbage' is 2024-01-05), and nothing else ('2024/01/05' is
NULL; DuckDB reads it, and Polars gives NULL for ' 2024-01-05' or '2024-01-05 10:00'). Found
by tests/fuzz (seed 108: CAST(DATE_FORMAT(d, 'yyyy/MM/dd') AS DATE))."""

from __future__ import annotations

import datetime
import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import spelled, typed_nodes
from sqlrun.engine.rewrites.coercion import _BLANK, trimmed_like_spark

_FORM = r"(?s)^[+-]?[0-9]{4,7}(-[0-9]{1,2}(-[0-9]{1,2}([ T].*)?)?)?$"


def spark_text_to_date(tree: exp.Expression, ctx) -> exp.Expression:
    """After the rules for integer casts: the casts below are exact as they are."""
    def text_to_date(c: exp.Expression) -> bool:  # sqlglot reads Spark's date_add(text, n) etc. as TsOrDsToDate
        return c.args.get("format") is None if isinstance(c, exp.TsOrDsToDate) else c.to.is_type(exp.DType.DATE)

    spell = ctx.per_engine(tree, duckdb=_duckdb, polars=_polars)
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast, exp.TsOrDsToDate), text_to_date):
        kind = node.this.type
        if isinstance(node.this, exp.Literal) and node.this.is_string and (day := _folded(node.this.name)):
            node.replace(day)
        elif kind is not None and kind.is_type(*exp.DataType.TEXT_TYPES):
            text = trimmed_like_spark(node.this.copy())
            valid = exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(_FORM))
            node.replace(exp.Paren(this=exp.case().when(valid, spell(text))))
    return tree


def _folded(text: str) -> exp.Expression | None:
    """A constant read at compile time; None for a year not in 1..9999 (left to the spelling)."""
    text = re.sub(f"^{_BLANK}|{_BLANK}$", "", text)
    if not re.fullmatch(_FORM, text):
        return exp.cast(exp.null(), "date")
    fields = [int(f) for f in re.match(r"[+-]?([0-9]+)(?:-([0-9]+))?(?:-([0-9]+))?", text).groups("1")]
    if text.startswith("-") or not 1 <= fields[0] <= 9999:
        return None
    try:
        return exp.cast(exp.Literal.string(datetime.date(*fields).isoformat()), "date")
    except ValueError:
        return exp.cast(exp.null(), "date")


def _duckdb(text: exp.Expression) -> exp.Expression:
    """MAKE_DATE of the fields; TRY: NULL for an invalid day, as Spark's LocalDate.of."""
    def field(pattern: str) -> exp.Expression:
        digits = exp.RegexpExtract(this=text.copy(), expression=exp.Literal.string(pattern),
                                   group=exp.Literal.number(1))
        cast = exp.TryCast(this=spelled("COALESCE(NULLIF({d}, ''), '1')", d=digits), to=exp.DataType.build("bigint"))
        cast.type = cast.to
        return cast

    parts = [field(r"^([+-]?[0-9]+)"), field(r"^[+-]?[0-9]+-([0-9]+)"), field(r"^[+-]?[0-9]+-[0-9]+-([0-9]+)")]
    return exp.Anonymous(this="TRY", expressions=[exp.DateFromParts(year=parts[0], month=parts[1], day=parts[2])])


def _polars(text: exp.Expression) -> exp.Expression:
    """Polars' own reading of '+yyyy-m-d' (a signed year may have more than 4 digits; it reads
    years up to 262143, Spark up to 5881580), the missing fields written as 1."""
    day = spelled("SPLIT_PART(SPLIT_PART({t}, ' ', 1), 'T', 1)", t=text)
    signed = spelled("CASE WHEN LEFT({d}, 1) IN ('+', '-') THEN {d} ELSE '+' || {d} END", d=day)
    whole = spelled("{s} || CASE WHEN {d} RLIKE '^[+-]?[0-9]+$' THEN '-1-1'"
                    " WHEN {d} RLIKE '^[+-]?[0-9]+-[0-9]+$' THEN '-1' ELSE '' END", s=signed, d=day)
    return exp.TryCast(this=whole, to=exp.DataType.build("date"))
