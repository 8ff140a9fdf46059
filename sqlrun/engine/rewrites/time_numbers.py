"""Spark's CAST of a TIME literal to a number: the seconds since midnight, computed here."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from sqlglot import exp

_LITERAL = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?")
_RANGES = {
    exp.DType.TINYINT: 2**7, exp.DType.SMALLINT: 2**15, exp.DType.INT: 2**31, exp.DType.BIGINT: 2**63,
}


def _seconds(text: str) -> Decimal | None:
    match = _LITERAL.fullmatch(text)
    if match is None:
        return None
    hour, minute, second = (int(part) for part in match.groups()[:3])
    if hour > 23 or minute > 59 or second > 59:
        return None
    return Decimal(hour * 3600 + minute * 60 + second) + Decimal(f"0.{match.group(4) or 0}")


def time_literal_number(text: str, to: exp.DataType) -> exp.Expression | None:
    """CAST(TIME 'text' AS to) as Spark answers it (integers truncate, decimals round half up, NULL
    past the type's range), or None where that is not known exactly."""
    seconds = _seconds(text)
    if seconds is None:
        return None
    if to.this in _RANGES:
        value: Decimal | None = seconds.to_integral_value(rounding="ROUND_DOWN")
        if value >= _RANGES[to.this]:
            value = None
    elif to.is_type(exp.DType.DECIMAL) and len(to.expressions) == 2:
        precision, scale = (int(part.this.this) for part in to.expressions)
        value = seconds.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if len(value.as_tuple().digits) > precision:
            value = None
    else:
        return None
    number = exp.null() if value is None else exp.Literal.number(str(value))
    return exp.Cast(this=number, to=to.copy())
