"""Polars' string lengths and positions are unsigned (UInt32): LENGTH(s) - 10 and
LOCATE('a', s) - 10 wrap around to 4294967286 where Spark and DuckDB give -10 (found by
tests/fuzz). Each is read as a BIGINT first; the result's type is then the source's."""

from __future__ import annotations

from sqlglot import exp

UNSIGNED = (exp.Length, exp.StrPosition, exp.BitLength)


def polars_signed_lengths(tree, ctx):
    for node in list(tree.find_all(*UNSIGNED)):
        if isinstance(node.parent, exp.Cast):
            continue
        cast = exp.Cast(to=exp.DataType.build("bigint"))
        node.replace(cast)
        cast.set("this", node)  # the node itself: those inside it are listed too
    return tree
