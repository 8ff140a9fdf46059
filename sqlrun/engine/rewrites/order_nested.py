"""ORDER BY a STRUCT or LIST value on Polars: Polars puts a NULL inside the value ({'x': NULL},
[NULL]) before every other value, DuckDB after (as it sorts NULL last). Refused where the key's
type is known to be nested."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes


def polars_nested_order_keys(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Ordered):
        key = node.this.type
        if key is not None and key.is_type(*exp.DataType.NESTED_TYPES):
            raise Refused(node, "Polars sorts a NULL inside a STRUCT or LIST value otherwise than the source")
    return tree
