"""ORDER BY a STRUCT or LIST value on Polars: Polars puts a NULL inside the value ({'x': NULL},
[NULL]) before every other value, DuckDB after, in either direction (a NULL field is the
greatest). A table's STRUCT column of plain fields is sorted by its nullness, then field by field
with DuckDB's order; other nested keys of a known type are refused."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes


def _struct_keys(node: exp.Ordered) -> list[exp.Ordered] | None:
    """The Ordered keys sorting a table's STRUCT column as DuckDB does; None if not one."""
    key, kind = node.this, node.this.type
    fields = kind.expressions if kind.is_type(exp.DType.STRUCT) else []
    plain = fields and all(isinstance(f, exp.ColumnDef) and not f.args["kind"].is_type(
        *exp.DataType.NESTED_TYPES) for f in fields)
    if not (plain and isinstance(key, exp.Column) and key.table):  # Polars reads `s.x` as table s
        return None
    desc = bool(node.args.get("desc"))
    nulls_first = node.args.get("nulls_first")
    nulls_first = desc if nulls_first is None else bool(nulls_first)
    keys = [exp.Ordered(this=exp.Is(this=key.copy(), expression=exp.Null()), desc=nulls_first, nulls_first=False)]
    for field in fields:
        value = exp.Dot(this=key.copy(), expression=field.this.copy())
        keys.append(exp.Ordered(this=value, desc=desc, nulls_first=desc))
    return keys


def polars_nested_order_keys(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Ordered):
        key = node.this.type
        if key is not None and key.is_type(*exp.DataType.NESTED_TYPES):
            keys = _struct_keys(node)
            if keys is None or not isinstance(node.parent, exp.Order):
                raise Refused(node, "Polars sorts a NULL inside a STRUCT or LIST value otherwise than the source")
            order = node.parent
            at = order.expressions.index(node)
            order.set("expressions", [*order.expressions[:at], *keys, *order.expressions[at + 1:]])
    return tree
