"""Spark's INTERVAL 'text' <from> TO <to> literals as one interval of the span's last unit.

INTERVAL '2-2' YEAR TO MONTH is INTERVAL '26' MONTH; INTERVAL '12:12:12' HOUR TO SECOND is
INTERVAL '43932' SECOND (its end unit, so date + it stays a timestamp as in Spark), with a
fraction of a second in microseconds; only where it is added to a moment or bounds a window
frame (as a value of its own DuckDB's interval is another Arrow type). Text of another shape,
or a field out of Spark's range, is left to spark_interval_spans, which refuses it. Then
`interval + x` is written `x + interval` and `- INTERVAL 'n' unit` as INTERVAL '-n' unit, the
shapes the date arithmetic rules read.
(Polars: not translated; its date + interval keeps a DATE and takes no months.)
"""

from __future__ import annotations

import re
from fractions import Fraction

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context

_SECONDS = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}
_ORDER = ("DAY", "HOUR", "MINUTE", "SECOND")
_SECOND = r"\d{1,2}(?:\.\d{1,9})?"  # Spark keeps whole microseconds (truncates)
# (from, to) -> the text's fields after its sign
_SHAPES = {
    ("YEAR", "MONTH"): r"(\d+)-(\d{1,2})",
    ("DAY", "HOUR"): r"(\d+) (\d{1,2})",
    ("DAY", "MINUTE"): r"(\d+) (\d{1,2}):(\d{1,2})",
    ("DAY", "SECOND"): rf"(\d+) (\d{{1,2}}):(\d{{1,2}}):({_SECOND})",
    ("HOUR", "MINUTE"): r"(\d+):(\d{1,2})",
    ("HOUR", "SECOND"): rf"(\d+):(\d{{1,2}}):({_SECOND})",
    ("MINUTE", "SECOND"): rf"(\d+):({_SECOND})",
}
_LIMITS = {"MONTH": 12, "HOUR": 24, "MINUTE": 60, "SECOND": 60}  # of each field after the first


def _count(text: str, first: str, last: str) -> tuple[Fraction, str] | None:
    """The signed count of the span's last unit the text stands for, and that unit."""
    m = re.fullmatch(r"\s*([+-]?)" + _SHAPES[first, last] + r"\s*", text)
    if m is None:
        return None
    sign, values = -1 if m.group(1) == "-" else 1, [Fraction(v) for v in m.groups()[1:]]
    if first == "YEAR":
        years, months = values
        return (sign * (years * 12 + months), "MONTH") if months < 12 else None
    units = _ORDER[_ORDER.index(first):_ORDER.index(last) + 1]
    if any(v >= _LIMITS[u] for u, v in zip(units[1:], values[1:])):
        return None
    values[-1] = Fraction(int(values[-1] * 1_000_000), 1_000_000) if last == "SECOND" else values[-1]
    seconds = sum(v * _SECONDS[u] for u, v in zip(units, values))
    return sign * seconds / _SECONDS[last], last


def _literal(count: Fraction, unit: str) -> exp.Expression:
    if count.denominator != 1:
        count, unit = count * 1_000_000, "MICROSECOND"
    return exp.Interval(this=exp.Literal.string(str(count.numerator)), unit=exp.var(unit))


def _text(node: exp.Expression) -> str | None:
    """The literal text of INTERVAL 'text' or INTERVAL -'text'."""
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.is_string:
        inner = node.this.name.strip()
        return None if inner.startswith(("-", "+")) else "-" + inner
    return None


def _whole_count(node: exp.Expression) -> int | None:
    """n of INTERVAL 'n' unit."""
    unit, text = node.args.get("unit"), node.this
    if not isinstance(unit, exp.Var) or not (isinstance(text, exp.Literal) and text.is_string):
        return None
    return int(text.name) if re.fullmatch(r"\s*[+-]?\d+\s*", text.name) else None


def _arithmetic_shapes(tree: exp.Expression) -> None:
    for neg in list(tree.find_all(exp.Neg)):
        count = _whole_count(neg.this) if isinstance(neg.this, exp.Interval) else None
        if count is not None:
            neg.replace(exp.Interval(this=exp.Literal.string(str(-count)), unit=neg.this.args["unit"].copy()))
    for add in list(tree.find_all(exp.Add)):
        if isinstance(add.this, exp.Interval) and not isinstance(add.expression, exp.Interval):
            left, right = add.this, add.expression
            add.set("this", right)
            add.set("expression", left)


def _operand(node: exp.Interval) -> bool:
    """Added to or subtracted from a date or timestamp, or a window frame's bound: not a value
    of its own (DuckDB's interval is another Arrow type than Spark's)."""
    parent = node.parent.parent if isinstance(node.parent, exp.Neg) else node.parent
    if isinstance(parent, exp.WindowSpec):
        return True
    if isinstance(parent, (exp.Add, exp.Sub)):
        other = parent.expression if parent.this in (node, node.parent) else parent.this
        return not isinstance(other, (exp.Interval, exp.Neg))
    return False


def spark_interval_span_literals(tree: exp.Expression, ctx: Context) -> exp.Expression:
    for node in list(tree.find_all(exp.Interval)):
        span, text = node.args.get("unit"), _text(node.this)
        if not isinstance(span, exp.IntervalSpan) or text is None or not _operand(node):
            continue
        shape = (span.this.name.upper(), span.expression.name.upper())
        found = _count(text, *shape) if shape in _SHAPES else None
        if found is not None:
            new = _literal(*found)
            new.meta.update(node.meta)
            node.replace(new)
    _arithmetic_shapes(tree)
    return tree
