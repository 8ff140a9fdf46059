"""Arrays: EXPLODE/UNNEST of NULL and empty arrays, size(NULL), array_contains with NULLs,
array_distinct's order, sequences of dates, SPLIT_TO_ARRAY, and what Polars cannot do."""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

from sqlrun.engine.rewrites.base import SPARK, Refused, is_null, replace_all, typed_nodes


def _nonempty(arr: exp.Expression) -> exp.Expression:
    return exp.GT(this=exp.ArraySize(this=arr.copy()), expression=exp.Literal.number(0))


# --- EXPLODE / UNNEST: a NULL or empty array gives no rows (Polars gives a NULL row) ---


def polars_unnest(tree, ctx):
    for select in list(tree.find_all(exp.Select)):
        explodes = [e for p in select.expressions for e in p.find_all(exp.Explode)
                    if not isinstance(e, exp.ExplodeOuter) and e.parent_select is select]
        if not explodes:
            continue
        if len(explodes) > 1 or select.args.get("group") or select.find(exp.Window, exp.AggFunc):
            raise Refused(explodes[0], "Polars UNNEST is only translated alone in a plain SELECT")
        # Polars UNNEST keeps a NULL row for a NULL or empty array; EXPLODE/UNNEST give none.
        select.where(_nonempty(explodes[0].this), copy=False)
    for node in tree.find_all(exp.ExplodeOuter):
        node.replace(exp.Explode(this=node.this.copy()))  # Polars' own UNNEST keeps those rows
    return tree


def _outer(arr: exp.Expression) -> exp.Expression:
    # explode_outer / LATERAL VIEW OUTER: one NULL row for a NULL or empty array.
    return exp.case().when(_nonempty(arr), arr.copy()).else_(exp.Array(expressions=[exp.Null()]))


def explode_outer(tree, ctx):
    tree = replace_all(tree, exp.ExplodeOuter, lambda n: exp.Explode(this=_outer(n.this)))
    for lateral in tree.find_all(exp.Lateral):
        if lateral.args.get("view") and lateral.args.get("outer"):
            gen = lateral.this
            if isinstance(gen, exp.Explode) and not isinstance(gen, exp.Posexplode):
                gen.set("this", _outer(gen.this))
                lateral.set("outer", None)
            else:
                raise Refused(lateral, "LATERAL VIEW OUTER is only translated for explode()")
    return tree


def polars_lateral(tree, ctx):
    node = tree.find(exp.Lateral)
    if node is not None:
        raise Refused(node, "Polars SQL has no LATERAL (or LATERAL VIEW)")
    return tree


# --- size(NULL): -1 in Spark (legacy sizeOfNull, on without ANSI), NULL elsewhere ---


def _spelled(ctx, node: exp.Expression) -> str | None:
    """The function name as written in the file (sqlglot reads size and array_size alike)."""
    meta = node.meta if node._meta else {}
    if "start" not in meta or "end" not in meta:
        return None
    return ctx.query.sql[meta["start"]: meta["end"] + 1].lower()


def duckdb_len_of_list(tree, ctx):
    # DuckDB's LEN/LENGTH count a list's elements as well as a string's characters.
    for node in typed_nodes(tree, ctx, exp.Length):
        if node.this.type is not None and node.this.type.is_type(exp.DType.ARRAY):
            node.replace(exp.ArraySize(this=node.this.copy()))
    return tree


def spark_size_of_null(tree, ctx):
    def build(node):
        name = _spelled(ctx, node)
        if name is None or name == "array_size":  # built by a rule, or array_size(NULL) is NULL
            return node
        if name != "size":
            raise Refused(node, "cannot tell Spark size() (-1 for NULL) from array_size() (NULL) here")
        return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(-1)])

    return replace_all(tree, exp.ArraySize, build)


def spark_array_size_as_written(tree, ctx):
    # Spark to Spark: sqlglot writes array_size (NULL for NULL) as size (-1 for NULL).
    def build(node):
        if _spelled(ctx, node) != "array_size":
            return node
        return exp.Anonymous(this="ARRAY_SIZE", expressions=[node.this.copy()])

    return replace_all(tree, exp.ArraySize, build)


def named_struct_on_spark(tree, ctx):
    # Spark drops the field names of STRUCT(x AS b) inside VALUES (a.b is then NULL): a struct
    # with named fields goes to Spark as named_struct('b', x), which keeps them everywhere.
    def build(node):
        fields = node.expressions
        if not fields or not all(isinstance(f, exp.PropertyEQ) and isinstance(f.this, exp.Identifier) for f in fields):
            return node
        args = [part for f in fields for part in (exp.Literal.string(f.this.name), f.expression.copy())]
        return exp.Anonymous(this="NAMED_STRUCT", expressions=args)

    return replace_all(tree, exp.Struct, build)


def size_of_null_on_spark(tree, ctx):
    def build(node):
        return exp.case().when(is_null(node.this), exp.Null()).else_(node.copy())

    return replace_all(tree, exp.ArraySize, build)


# --- array_contains: NULL array or value gives NULL; Spark also when a NULL element may match ---


def array_contains(tree, ctx):
    def build(node):
        arr, value = node.this, node.expression
        unknown = exp.or_(is_null(arr), is_null(value))
        def polars():
            found = exp.Anonymous(this="ARRAY_CONTAINS", expressions=[arr.copy(), value.copy()])
            return found, exp.Anonymous(this="ARRAY_CONTAINS", expressions=[arr.copy(), exp.Null()])

        def duckdb():
            position = exp.Anonymous(this="LIST_POSITION", expressions=[arr.copy(), exp.Null()])
            return exp.ArrayContains(this=arr.copy(), expression=value.copy()), exp.GT(
                this=position, expression=exp.Literal.number(0))

        def spark():
            found = exp.ArrayContains(this=arr.copy(), expression=value.copy())
            return found, exp.Anonymous(this="EXISTS", expressions=[arr.copy(), exp.Lambda(
                this=is_null(exp.column("sqlrun_e")), expressions=[exp.to_identifier("sqlrun_e")])])

        found, has_null = ctx.per_engine(node, polars=polars, duckdb=duckdb, spark=spark)()
        case = exp.case().when(unknown, exp.Null()).when(found, exp.true())
        if ctx.source in SPARK:  # not found, but a NULL element might have been it
            case = case.when(has_null, exp.Null())
        return case.else_(exp.false())

    return replace_all(tree, exp.ArrayContains, build)


# --- array_distinct: Spark keeps first occurrences in order, NULL included; DuckDB's
# list_distinct drops NULLs and keeps no order ---


def array_distinct(tree, ctx):
    def first_occurrences(node):
        arr, e, i = node.this, exp.to_identifier("sqlrun_e"), exp.to_identifier("sqlrun_i")
        first = exp.EQ(this=exp.Anonymous(this="LIST_POSITION", expressions=[arr.copy(), exp.column(e)]),
                       expression=exp.column(i))
        return exp.ArrayFilter(this=arr.copy(), expression=exp.Lambda(this=first, expressions=[e, i]))

    def without_nulls(node):
        e = exp.to_identifier("sqlrun_e")
        keep = exp.Not(this=is_null(exp.column(e)))
        return exp.ArrayDistinct(this=exp.ArrayFilter(this=node.this.copy(), expression=exp.Lambda(
            this=keep, expressions=[e])))

    def polars_keeps_nulls(node):
        raise Refused(node, "DuckDB list_distinct drops NULLs; Polars ARRAY_UNIQUE keeps them")

    def as_is(node):
        return node

    def build(node):
        if ctx.source in SPARK:
            return ctx.per_engine(node, duckdb=first_occurrences, polars=as_is, redshift=as_is)(node)
        if ctx.source == "duckdb":
            return ctx.per_engine(node, spark=without_nulls, polars=polars_keeps_nulls, redshift=as_is)(node)
        return node

    return replace_all(tree, exp.ArrayDistinct, build)


# --- sequences of dates: Spark gives DATEs; generate_series on DuckDB/Polars TIMESTAMPs ---


def date_sequence(tree, ctx):
    def build(node):
        step = node.args.get("step")
        if not isinstance(step, exp.Interval) or isinstance(node.parent, exp.Cast):
            return node
        start = annotate_types(node.args["start"].copy(), dialect=ctx.source)
        if start.type is None or start.type.is_type(exp.DataType.Type.UNKNOWN):
            raise Refused(node, "a sequence with an INTERVAL step needs a known DATE or TIMESTAMP start")
        if start.type.is_type(exp.DataType.Type.DATE):
            return exp.cast(node.copy(), exp.DataType.build("ARRAY<DATE>", dialect="spark"))
        return node

    return replace_all(tree, exp.GenerateSeries, build)


# --- Redshift SPLIT_TO_ARRAY on Spark: split() takes a regular expression ---


def split_to_array(tree, ctx):
    def build(node):
        delim = node.expression
        if delim is None or not delim.is_string:
            raise Refused(node, "SPLIT_TO_ARRAY needs a constant delimiter on Spark")
        pattern = exp.Literal.string(re.escape(delim.name))
        return exp.Split(this=node.this.copy(), expression=pattern, limit=exp.Literal.number(-1))

    return replace_all(tree, exp.StringToArray, build)


# --- DuckDB slices: s[a:b] is 1-based and inclusive; only constant string slices translate ---


def duckdb_slices(tree, ctx):
    def build(node):
        if len(node.expressions) != 1 or not isinstance(node.expressions[0], exp.Slice):
            return node
        bounds = node.expressions[0]
        lo, hi = bounds.this, bounds.expression
        ok = all(isinstance(b, exp.Literal) and not b.is_string and b.name.isdigit() and int(b.name) >= 1
                 for b in (lo, hi))
        if not (ok and isinstance(node.this, exp.Literal) and node.this.is_string):
            raise Refused(node, f"{ctx.engine} has no [a:b] slice; only constant string slices are translated")
        width = max(int(hi.name) - int(lo.name) + 1, 0)
        return exp.Substring(this=node.this.copy(), start=lo.copy(), length=exp.Literal.number(width))

    return replace_all(tree, exp.Bracket, build)


# --- what Polars SQL has no form for ---


def polars_lambdas(tree, ctx):
    node = tree.find(exp.Lambda, exp.Comprehension, exp.ArrayFilter, exp.Transform, exp.ArrayConcat)
    if node is not None:
        raise Refused(node, "Polars SQL has no lambda functions, list comprehensions or array concatenation")
    for concat in tree.find_all(exp.Concat, exp.DPipe):
        if any(isinstance(a, exp.Array) for a in concat.iter_expressions()):
            raise Refused(concat, "Polars SQL cannot concatenate arrays")
    return tree


def list_comprehension(tree, ctx):
    # [expr FOR v IN arr IF cond] -> transform(filter(arr, v -> cond), v -> expr)
    def build(node):
        if len(node.expressions) != 1 or not isinstance(node.expressions[0], exp.Comprehension):
            return node
        comp = node.expressions[0]
        var = comp.expression
        arr = comp.args["iterator"].copy()
        if comp.args.get("condition") is not None:
            keep = exp.Lambda(this=comp.args["condition"].copy(), expressions=[var.copy()])
            arr = exp.ArrayFilter(this=arr, expression=keep)
        if comp.args.get("position") is not None:
            raise Refused(node, "a list comprehension with an index variable is not translated")
        return exp.Transform(this=arr, expression=exp.Lambda(this=comp.this.copy(), expressions=[var.copy()]))

    return replace_all(tree, exp.Array, build)
