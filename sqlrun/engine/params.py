"""Parameters: `:name` placeholders bound as typed literals built in the syntax tree."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.engine.parse import where
from sqlrun.engine.rewrites.base import replace_all
from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    from sqlrun.engine.catalog import Param, Query


def _literal(query: Query, param: Param, raw: str) -> exp.Expression:
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    bad = CatalogError(f"{query.path}: parameter {param.name}={shown!r} is not a valid {param.type}")
    try:
        if param.type == "date":
            return exp.cast(exp.Literal.string(date.fromisoformat(raw).isoformat()), "date")
        if param.type == "timestamp":
            return exp.cast(exp.Literal.string(_timestamp(raw)), "timestamp")
        if param.type == "int":
            value = int(raw)
            if not -(2**63) <= value < 2**63:
                raise CatalogError(f"{query.path}: parameter {param.name}={shown!r} is out of the 64-bit int range")
            return exp.convert(value)
        if param.type == "float":
            value = float(raw)
            if not math.isfinite(value):
                raise bad
            # A bare 0.5 is a DECIMAL literal in Spark and DuckDB; a float parameter is a DOUBLE.
            return exp.cast(exp.Literal.number(repr(abs(value))), "double") if value >= 0 else exp.Neg(
                this=exp.cast(exp.Literal.number(repr(-value)), "double")
            )
        if param.type == "decimal":
            return _decimal(query, param, shown, Decimal(raw.strip()))
        if param.type == "bool":
            flags = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
            return exp.Boolean(this=flags[raw.strip().lower()])
    except (ValueError, KeyError, InvalidOperation):
        raise bad from None
    return exp.Literal.string(raw)


def canonical(query: Query, param: Param, raw: str) -> str:
    """One spelling per value (20250803 and 2025-08-03 are one day), checked like a bound value."""
    _literal(query, param, raw)
    if param.type == "date":
        return date.fromisoformat(raw).isoformat()
    if param.type == "timestamp":
        return _timestamp(raw)
    if param.type == "int":
        return str(int(raw))
    return raw


def _timestamp(raw: str) -> str:
    """A timestamp parameter as UTC wall time: every engine runs in UTC, and a TIMESTAMP literal
    with an offset means 10:00 to DuckDB and Polars but 05:00 to Spark; so the offset is applied here."""
    value = datetime.fromisoformat(raw)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def _decimal(query: Query, param: Param, shown: str, value: Decimal) -> exp.Expression:
    """A decimal parameter keeps every digit: CAST('<digits>' AS DECIMAL(p, s)) with the precision and
    scale of its digits (a bare literal over 38 digits is a DOUBLE to Spark), or an error past 38."""
    if not value.is_finite():
        raise InvalidOperation
    _, digits, exponent = value.as_tuple()
    scale = max(0, -exponent)
    precision = max(len(digits) + max(exponent, 0), scale, 1)
    if precision > 38:
        raise CatalogError(
            f"{query.path}: parameter {param.name}={shown!r} needs {precision} digits; decimals hold at most 38"
        )
    text = format(value, "f")
    return exp.cast(exp.Literal.string(text), exp.DataType.build(f"DECIMAL({precision}, {scale})"))


def _placeholder_at(query: Query, name: str) -> str:
    """sqlglot keeps no position for placeholders: find the first `:name` in the text."""
    match = re.search(rf"(?<![:\w]):{re.escape(name)}\b", query.sql)
    if not match:
        return str(query.path)
    line = query.sql.count("\n", 0, match.start()) + 1
    col = match.start() - (query.sql.rfind("\n", 0, match.start()) + 1) + 1
    return f"{query.path}:{line}:{col}"


def bind_params(query: Query, tree: exp.Expression, values: dict[str, str]) -> exp.Expression:
    """Replace :name placeholders by typed literals built in the syntax tree."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise CatalogError(f"{query.path}: unknown parameter(s): {', '.join(unknown)}")
    used = set()
    for node in list(tree.find_all(exp.Placeholder)):
        name = node.name
        if not name:
            raise CatalogError(f"{where(query, node)}: positional '?' parameters are not supported")
        if name not in declared:
            raise CatalogError(f"{_placeholder_at(query, name)}: :{name} has no '-- param {name}: TYPE' header")
        used.add(name)
    missing = [n for n in used if n not in values and declared[n].default is None]
    if missing:
        raise CatalogError(f"{query.path}: missing parameter(s): {', '.join(sorted(missing))}")
    literals = {
        name: _literal(query, declared[name], values.get(name, declared[name].default))
        for name in used
    }
    return replace_all(tree, exp.Placeholder, lambda n: literals[n.name].copy())


RANGE = re.compile(r"(?P<first>[^.].*?)\.\.(?P<last>[^./][^/]*?)(?:/(?P<step>\d+))?")
MAX_RANGE = 10_000


def value_range(query: Query, param: Param, text: str) -> list[str] | None:
    """`A..B` or `A..B/STEP` as the canonical values from A to B (dates by days, ints by units);
    None when the text is not a range."""
    match = RANGE.fullmatch(text.strip())
    if match is None:
        return None
    if param.type not in ("date", "int"):
        raise CatalogError(f"{query.path}: parameter {param.name} is a {param.type}: a range A..B needs a date or int")
    first, last = (canonical(query, param, match.group(g).strip()) for g in ("first", "last"))
    step = int(match.group("step") or 1)
    if step < 1:
        raise CatalogError(f"{query.path}: parameter {param.name}: the step of a range must be 1 or more")
    if param.type == "date":
        start, end = date.fromisoformat(first).toordinal(), date.fromisoformat(last).toordinal()
    else:
        start, end = int(first), int(last)
    if end < start:
        raise CatalogError(f"{query.path}: parameter {param.name}: the range {first}..{last} is empty")
    count = (end - start) // step + 1
    if count > MAX_RANGE:
        raise CatalogError(f"{query.path}: parameter {param.name}: {count:,} values (at most {MAX_RANGE:,})")
    points = range(start, end + 1, step)
    return [date.fromordinal(n).isoformat() for n in points] if param.type == "date" else [str(n) for n in points]
