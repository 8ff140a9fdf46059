"""DuckDB's SUM of a BIGINT is a HUGEINT (exact past the BIGINT range); Polars sums in 64 bits
and wraps silently. On Polars the BIGINT is summed as DECIMAL(38, 0), the type DuckDB's HUGEINT
comes back as through Arrow."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import typed_nodes

WIDE = (exp.DType.BIGINT, exp.DType.UBIGINT)


def duckdb_sum_of_bigint(tree, ctx):
    for node in typed_nodes(tree, ctx, exp.Sum):
        args = node.this.expressions if isinstance(node.this, exp.Distinct) else [node.this]
        for arg in args:
            if arg.type is not None and arg.type.is_type(*WIDE):
                arg.replace(exp.cast(arg.copy(), exp.DataType.build("DECIMAL(38, 0)")))
    return tree
