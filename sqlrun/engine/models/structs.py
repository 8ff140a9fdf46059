"""The struct values of model functions (`f_probabilities`, EXPLAIN_MODEL) placed into a query.

A value is nested dicts (a struct) and lists (an array); its leaves are SQL expressions, functions
building one (only the leaves a query takes are built), or Python constants. Where the query takes
a field of the call (`f_probabilities(x).labels[0]`), that field's expression replaces it; else the
whole value becomes a struct (DuckDB `{...}`, Spark `STRUCT(...)`), as Redshift returns a SUPER.

Polars SQL builds no struct (its dialect refuses STRUCT). There a value named in a subquery or CTE
(`SELECT p.labels[0] FROM (SELECT f_probabilities(x) AS p FROM t)`, Redshift's documented use) is
split into one column per leaf the reading query takes; a constant (EXPLAIN_MODEL) that is not
taken down to a leaf is its JSON text; anything else is a compile-time error.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.errors import ErrorLevel, UnsupportedError

from sqlrun.engine.parse import fail

if TYPE_CHECKING:
    from sqlrun.engine.catalog import Query
    from sqlrun.engine.target import Target

Leaf = exp.Expression | Callable[[], exp.Expression] | str | float | int
NO_STRUCTS = ("Polars SQL builds no struct: take a field of it where it is named"
              " (SELECT p.labels[0] FROM (SELECT f_probabilities(...) AS p FROM t)), or run it on duckdb or spark")


class Refused(ValueError):
    """The value cannot be placed here (the message says why); raised with the node to point at."""

    def __init__(self, message: str, node: exp.Expression):
        super().__init__(message)
        self.node = node


@cache
def builds_structs(dialect: str) -> bool:
    """Whether the target dialect renders a struct (its generator refuses what the engine lacks)."""
    probe = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier("a"), expression=exp.Literal.number(1))])
    try:
        probe.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError:
        return False
    return True


def place(node: exp.Expression, value, dialect: str) -> None:
    """Put `value` where `node` (a call) is, taking the fields the query takes of it."""
    keys, outer = _accessors(node)
    sub = _navigate(value, keys, outer)
    if _is_leaf(sub):
        outer.replace(_leaf(sub))
        return
    if builds_structs(dialect):
        outer.replace(build(sub))
        return
    alias = outer.parent
    named = isinstance(alias, exp.Alias) and isinstance(alias.parent, exp.Select)
    readers = _readers(alias.parent) if named else []
    if readers and not any(_star(reader) for reader, _ in readers):
        _split(alias, sub, readers)
    elif _constant(sub):
        outer.replace(exp.Literal.string(to_json(sub)))
    else:
        raise Refused(NO_STRUCTS, node)


def placed(query: Query, node: exp.Expression, where: exp.Expression, value: Callable[[], object],
           target: Target) -> None:
    """`place` in a compile: what cannot be placed is a positioned error (at `node`, the call)."""
    try:
        place(where, value(), target.dialect)
    except Refused as exc:
        raise fail(query, exc.node if exc.node is not where else node, target.name, str(exc)) from None
    except ValueError as exc:
        raise fail(query, node, target.name, str(exc)) from None


def _accessors(node: exp.Expression) -> tuple[list, exp.Expression]:
    """The field names and array indexes (0-based) taken of `node`, and the outermost access."""
    keys: list = []
    while True:
        parent = node.parent
        if isinstance(parent, exp.Dot) and parent.this is node and isinstance(parent.expression, exp.Identifier):
            keys.append(parent.expression.name)
        elif isinstance(parent, exp.Bracket) and parent.this is node and _index(parent) is not None:
            keys.append(_index(parent))
        else:
            return keys, node
        node = parent


def _index(bracket: exp.Bracket) -> int | None:
    items = bracket.expressions
    if len(items) == 1 and isinstance(items[0], exp.Literal) and not items[0].is_string and items[0].this.isdigit():
        return int(items[0].this)  # sqlglot keeps indexes 0-based in the tree, whatever the dialect
    return None


def _navigate(value, keys: list, node: exp.Expression):
    for key in keys:
        if isinstance(value, dict) and isinstance(key, str):
            found = next((k for k in value if k.lower() == key.lower()), None)
            if found is None:
                raise Refused(f"has no field {key} (fields: {', '.join(value)})", node)
            value = value[found]
        elif isinstance(value, list) and isinstance(key, int):
            if key >= len(value):
                return None  # past the end: NULL, as a SUPER array gives
            value = value[key]
        else:
            raise Refused(f"cannot take {key!r} of {'a struct' if isinstance(value, dict) else 'a value'}", node)
    return value


def _is_leaf(value) -> bool:
    return not isinstance(value, (dict, list))


def _constant(value) -> bool:
    if isinstance(value, dict):
        return all(_constant(v) for v in value.values())
    if isinstance(value, list):
        return all(_constant(v) for v in value)
    return value is None or isinstance(value, (str, int, float))


def _leaf(value: Leaf | None) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, exp.Expression):
        return value
    if callable(value):
        return value()
    if isinstance(value, str):
        return exp.Literal.string(value)
    return double(float(value))


def double(value: float) -> exp.Expression:
    """A DOUBLE literal on every engine (with an exponent Spark reads no DECIMAL)."""
    if math.isnan(value) or math.isinf(value):
        return exp.Cast(this=exp.Literal.string(str(value)), to=exp.DataType.build("DOUBLE"))
    literal = exp.Literal.number(f"{abs(value):.17e}")
    return exp.Neg(this=literal) if math.copysign(1, value) < 0 else literal


def build(value) -> exp.Expression:
    """The whole value as SQL: structs and arrays of its leaves."""
    if isinstance(value, dict):
        return exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(k), expression=build(v))
                                       for k, v in value.items()])
    if isinstance(value, list):
        return exp.Array(expressions=[build(v) for v in value])
    return _leaf(value)


def to_json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _star(select: exp.Select) -> bool:
    return any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star))
               for s in select.expressions)


def _split(alias: exp.Alias, value, readers: list[tuple[exp.Select, str]]) -> None:
    """Polars: the value named `alias` in a SELECT, as one column per leaf its readers take."""
    select, name = alias.parent, alias.alias
    columns: dict[str, object] = {}
    for reader, source in readers:
        taken = {t.alias_or_name.lower() for t in reader.find_all(exp.Table)}
        for column in list(reader.find_all(exp.Column)):
            if column.find_ancestor(exp.Select) is not reader:
                continue
            parts = [p.name for p in column.parts]
            qualified = len(parts) > 1 and parts[0].lower() == source
            if qualified:
                parts = parts[1:]
            if parts[0].lower() != name.lower() or (not qualified and len(parts) > 1 and parts[0].lower() in taken):
                continue
            keys, outer = _accessors(column)
            keys = parts[1:] + keys
            sub = _navigate(value, keys, column)
            if not _is_leaf(sub) and not _constant(sub):
                raise Refused(NO_STRUCTS, column)
            field_name = "__".join([name, *map(str, keys)])
            columns[field_name] = sub
            outer.replace(exp.column(field_name, table=source if qualified else None))
    for field_name, sub in columns.items():
        leaf = _leaf(sub) if _is_leaf(sub) else exp.Literal.string(to_json(sub))
        select.append("expressions", exp.alias_(leaf, field_name))
    alias.pop()


def _readers(select: exp.Select) -> list[tuple[exp.Select, str]]:
    """The SELECTs reading `select` (a derived table or a CTE), with the name they read it by."""
    parent = select.parent
    if isinstance(parent, exp.Subquery):
        reader = parent.find_ancestor(exp.Select)
        return [(reader, parent.alias.lower())] if reader is not None else []
    if isinstance(parent, exp.CTE):
        root = parent.find_ancestor(exp.With).parent
        found = []
        for table in root.find_all(exp.Table):
            if not table.args.get("db") and table.name.lower() == parent.alias.lower():
                reader = table.find_ancestor(exp.Select)
                if reader is not None:
                    found.append((reader, table.alias_or_name.lower()))
        return found
    return []
