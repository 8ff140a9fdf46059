"""Casts on Polars. Refused at compile time (they failed at run time): to HUGEINT / UHUGEINT
where the value may be returned (Polars' Int128 does not come back through Arrow), and from a
text to a LIST (Polars does not parse '[1, 2]'). A fraction cast to an unsigned integer is
rounded first, as DuckDB does (-0.6 is -1, out of range; Polars truncated it to 0), as
numbers.duckdb_cast_rounds does for the signed ones. TRY_CAST to TINYINT (sent to Polars as
SMALLINT: Polars' own TINYINT arithmetic wraps at 8 bits) is NULL outside -128..127."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes

WIDE = (exp.DType.INT128, exp.DType.UINT128)
UNSIGNED = (exp.DType.UTINYINT, exp.DType.USMALLINT, exp.DType.UINT, exp.DType.UBIGINT)
FRACTIONS = (*exp.DataType.REAL_TYPES,)
SAME_TYPE = (exp.Min, exp.Max, exp.Sum, exp.AnyValue, exp.First, exp.Last, exp.ArrayAgg)  # aggregates of its type


def polars_cast_targets(tree, ctx):
    for node in tree.find_all(exp.Cast):
        parent = node.parent
        kept = (isinstance(parent, exp.Predicate) or (isinstance(parent, exp.Cast) and not parent.to.is_type(*WIDE))
                or (isinstance(parent, exp.AggFunc) and not isinstance(parent, SAME_TYPE)))
        if node.to.is_type(*WIDE) and not kept:  # cast on or compared, it never comes back
            raise Refused(node, f"Polars cannot return a {node.to.sql(ctx.source)} (a 128-bit integer) through Arrow")
    for node in typed_nodes(tree, ctx, exp.Cast, keep=lambda n: n.to.is_type(exp.DType.ARRAY, exp.DType.LIST)):
        if node.this.type is not None and node.this.type.is_type(*exp.DataType.TEXT_TYPES):
            raise Refused(node, "Polars does not read a text as a list")
    for node in typed_nodes(tree, ctx, exp.Cast, keep=lambda n: n.to.is_type(*UNSIGNED)):
        if ctx.source == "duckdb" and node.this.type is not None and node.this.type.is_type(*FRACTIONS):
            decimal = node.this.type.is_type(exp.DType.DECIMAL)  # half away from zero, else half to even
            value = node.this.copy()
            node.this.replace(exp.Round(this=value) if decimal else exp.Anonymous(this="ROUND", expressions=[value]))
    for node in list(tree.find_all(exp.TryCast)):
        if node.to.is_type(exp.DType.TINYINT):
            inside = exp.Between(this=node.copy(), low=exp.Literal.number(-128), high=exp.Literal.number(127))
            node.replace(exp.Case(ifs=[exp.If(this=inside, true=node.copy())]))
    return tree
