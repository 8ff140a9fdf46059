"""DuckDB source, Spark engine: what Spark means otherwise (found by tests/fuzz, findings.md)."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import replace_all


def duckdb_left_right_negative(tree, ctx):
    # DuckDB's LEFT(s, -n) drops n characters from the end (RIGHT(s, -n) from the start); Spark's
    # gives ''. A count not known to be >= 0 keeps |s| + n characters: the same text on Spark.
    def build(node):
        count = node.expression
        known = count.to_py() if count.is_int else None
        if known is not None and known >= 0:
            return node
        kept = exp.func("GREATEST", exp.Add(this=exp.Length(this=node.this.copy()), expression=count.copy()),
                        exp.Literal.number(0))
        negative = exp.LT(this=count.copy(), expression=exp.Literal.number(0))
        dropped = type(node)(this=node.this.copy(), expression=kept)
        if known is not None:
            return dropped
        return exp.Case(ifs=[exp.If(this=negative, true=dropped)], default=node.copy())

    return replace_all(tree, (exp.Left, exp.Right), build)

