"""Text with a time read as a DATE on Polars (found by tests/fuzz: duckdb -> polars seed 13).
DuckDB reads '2020-01-02 10:00' as the day when a valid time follows the date; Polars gives NULL
(TRY_CAST) or fails. On Polars the text is cut to its date where it has that form, then cast as
before. (Polars' reading of other text, such as ' 2020-01-02' or '2020-01-02 10:00+02', stays its
own.) Spark's reading: spark_text_dates.py."""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import typed_nodes

DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
# a valid time, hours 00-23, seconds to 59, a fraction of up to 9 digits
FOLLOWED = DATE + r"[ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?$"
TEXTS = (exp.DType.VARCHAR, exp.DType.TEXT, exp.DType.CHAR, exp.DType.NCHAR, exp.DType.NVARCHAR)


def text_dates_on_polars(tree, ctx):
    pattern = FOLLOWED
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(exp.DType.DATE)):
        text = node.this
        if text.type is None or not text.type.is_type(*TEXTS):
            continue
        if isinstance(text, exp.Literal):
            if re.match(pattern, text.name):
                text.replace(exp.Literal.string(text.name[:10]))
            continue
        dated = exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(pattern))
        day = exp.Left(this=text.copy(), expression=exp.Literal.number(10))
        text.replace(exp.Case(ifs=[exp.If(this=dated, true=day)], default=text.copy()))
    return tree
