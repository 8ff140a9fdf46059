"""DuckDB source, Spark engine: DuckDB's TIMESTAMP has no time zone, Spark's TIMESTAMP is an
instant (TIMESTAMP_NTZ is the naive one). Functions whose DuckDB result is a TIMESTAMP but whose
Spark result is an instant are cast to TIMESTAMP_NTZ: in the UTC session sqlrun runs Spark in,
the same wall-clock value, now of the source's type."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import annotate, replace_all, typed_nodes

NAIVE = exp.DataType.build("TIMESTAMPNTZ")
_PLAIN = (exp.DType.DATE, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ, exp.DType.DATETIME,
          exp.DType.TIMESTAMP_S, exp.DType.TIMESTAMP_MS, exp.DType.TIMESTAMP_NS)
KINDS = (exp.TimestampFromParts, exp.UnixToTime, exp.TimestampTrunc, exp.GenerateSeries)


def naive(node: exp.Expression) -> exp.Expression:
    """CAST(node AS TIMESTAMP_NTZ), unless it is one already."""
    parent = node.parent
    if isinstance(parent, exp.Cast) and parent.to.is_type(exp.DType.TIMESTAMPNTZ):
        return node
    return exp.Cast(this=node.copy(), to=NAIVE.copy())


def duckdb_naive_timestamps(tree, ctx):
    # make_timestamp (parts or microseconds), epoch_ms: TIMESTAMP in DuckDB (strptime:
    # duckdb_strftime_spark.py).
    tree = replace_all(tree, exp.TimestampFromParts, naive)
    # to_timestamp(seconds) (no scale) is a TIMESTAMPTZ in DuckDB: left an instant.
    tree = replace_all(tree, exp.UnixToTime, lambda n: naive(n) if n.text("scale") in ("3", "6") else n)
    # date_trunc keeps its argument's kind: a TIMESTAMPTZ stays one (DATEs: trunc_units.py);
    # an argument of a type not known here is left as it was.
    for node in typed_nodes(tree, ctx, exp.TimestampTrunc):
        kind = node.this.type
        if kind is not None and kind.is_type(*_PLAIN):
            node.replace(naive(node))
    # generate_series / range of DATEs by an INTERVAL: TIMESTAMPs in DuckDB, DATEs in Spark
    steps = [n for n in tree.find_all(exp.GenerateSeries) if isinstance(n.args.get("step"), exp.Interval)]
    if steps:
        annotate(tree, ctx)
    for node in steps:
        for bound in (node.args.get("start"), node.args.get("end")):
            if bound is not None and bound.type is not None and bound.type.is_type(*_PLAIN):
                bound.replace(naive(bound))
    return tree


def date_interval_naive(tree, ctx):
    # date_plus_interval_is_timestamp casts the moment to sqlglot's TIMESTAMP, Spark's instant:
    # the naive one for a DATE or TIMESTAMP of known type.
    annotate(tree, ctx)
    for node in list(tree.find_all(exp.Add, exp.Sub)):
        for side in (node.this, node.expression):
            if isinstance(side, exp.Cast) and side.to.is_type(exp.DType.TIMESTAMP) and side.this.type is not None \
                    and side.this.type.is_type(*_PLAIN):
                side.set("to", NAIVE.copy())
    return tree
