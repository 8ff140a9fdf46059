"""Query shapes: window frames, ROLLUP, UNION BY NAME, ASOF/LATERAL joins, ALL/ANY
subqueries, MATERIALIZED CTEs, DISTINCT ON, Spark's grouping sets over no rows and NULL IN."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, annotate, replace_all

# --- window frames: Polars runs ROWS frames from n PRECEDING to CURRENT ROW and frames
# bounded by UNBOUNDED / CURRENT ROW; any other offset is refused here, not at run time ---


def _offset(bound) -> bool:
    return bound is not None and not (isinstance(bound, str) and bound.upper() in ("UNBOUNDED", "CURRENT ROW"))


def polars_frames(tree, ctx):
    for spec in tree.find_all(exp.WindowSpec):
        start, end = spec.args.get("start"), spec.args.get("end")
        rows = (spec.text("kind") or "").upper() == "ROWS"
        start_ok = not _offset(start) or (rows and spec.text("start_side").upper() == "PRECEDING"
                                          and isinstance(end, str) and end.upper() == "CURRENT ROW")
        if not start_ok or _offset(end):
            raise Refused(spec.parent or spec, "Polars runs no such window frame (offsets only as ROWS n PRECEDING"
                          " AND CURRENT ROW)")
    for window in tree.find_all(exp.Window):
        if window.args.get("order") and isinstance(window.this, _SPREAD):
            raise Refused(window, "Polars runs no running STDDEV or VARIANCE (a window with ORDER BY)")
    return tree


_SPREAD = (exp.Stddev, exp.StddevSamp, exp.StddevPop, exp.Variance, exp.VariancePop)


# --- GROUP BY x WITH ROLLUP (Spark/MySQL) is GROUP BY ROLLUP (x) ---


def with_rollup(tree, ctx):
    for group in tree.find_all(exp.Group):
        for kind in ("rollup", "cube"):
            marks = group.args.get(kind) or []
            if any(isinstance(m, (exp.Rollup, exp.Cube)) and not m.expressions for m in marks):
                cls = exp.Rollup if kind == "rollup" else exp.Cube
                group.set(kind, [cls(expressions=[e.copy() for e in group.expressions])])
                group.set("expressions", [])
    return tree


# --- UNION BY NAME (DuckDB): Spark lines columns up by position ---


def _names(select: exp.Expression) -> list[str] | None:
    if not isinstance(select, exp.Select):
        return None
    names = [p.alias_or_name for p in select.expressions]
    if any(isinstance(p, exp.Star) or not n for p, n in zip(select.expressions, names)):
        return None
    return names if len(set(names)) == len(names) else None


def union_by_name(tree, ctx):
    for node in list(tree.find_all(exp.SetOperation)):
        if not node.args.get("by_name"):
            continue
        left, right = _names(node.this), _names(node.expression)
        if left is None or right is None or set(left) != set(right):
            raise Refused(node, "UNION BY NAME is only translated for explicitly named, matching columns")
        by_name = {p.alias_or_name: p for p in node.expression.expressions}
        node.expression.set("expressions", [by_name[n].copy() for n in left])
        node.set("by_name", None)
    return tree


# --- joins and subqueries the target has no form for ---


def missing_joins(tree, ctx):
    for join in tree.find_all(exp.Join):
        if "ASOF" in (join.text("method") + join.text("kind") + join.text("side")).upper():
            raise Refused(join, f"{ctx.engine} has no ASOF JOIN")
    if ctx.engine == "polars":
        node = tree.find(exp.Lateral)
        if node is not None and not node.args.get("view"):
            raise Refused(node, "Polars SQL has no LATERAL subquery")
    return tree


def quantified_subquery(tree, ctx):
    for node in tree.find_all(exp.All, exp.Any):
        if isinstance(node.this, exp.Query) or isinstance(node.this, exp.Subquery):
            raise Refused(node.parent or node, "Spark has no ALL/ANY (subquery) comparison")
    return tree


# --- WITH a AS MATERIALIZED (...): a planner hint, not a meaning; dropped where unknown ---


def materialized_cte(tree, ctx):
    for cte in tree.find_all(exp.CTE):
        cte.set("materialized", None)
    return tree


# --- DISTINCT ON (DuckDB/PostgreSQL) on Spark: first row per key, and the ORDER BY kept ---


def distinct_on(tree, ctx):
    for select in list(tree.find_all(exp.Select)):
        distinct = select.args.get("distinct")
        on = distinct.args.get("on") if distinct is not None else None
        if on is None:
            continue
        order = select.args.get("order")
        keys = order.expressions if order is not None else []
        inner = select.copy()
        inner.set("distinct", None)
        inner.set("order", None)
        names, projections = [], []
        for i, p in enumerate(inner.expressions):
            if isinstance(p, exp.Star):
                raise Refused(select, "DISTINCT ON with * is not translated for Spark")
            name = p.alias_or_name or f"_sqlrun_c{i}"
            projections.append(p if p.alias_or_name else exp.alias_(p, name))
            names.append(name)
        by_text = {p.this.sql() if isinstance(p, exp.Alias) else p.sql(): n for p, n in zip(inner.expressions, names)}
        outer_keys = []
        for k in keys:
            name = by_text.get(k.this.sql()) or (k.this.name if k.this.name in names else None)
            if name is None:
                raise Refused(k, "DISTINCT ON ... ORDER BY a column that is not selected is not translated")
            outer_keys.append(k.copy().set("this", exp.column(name)) or k)
        window = exp.Window(this=exp.RowNumber(), partition_by=[e.copy() for e in (on.expressions or [on])],
                            order=exp.Order(expressions=[k.copy() for k in keys]))
        inner.set("expressions", [*projections, exp.alias_(window, "_sqlrun_rn")])
        outer = (exp.select(*[exp.column(n) for n in names]).from_(inner.subquery("_sqlrun_t"))
                 .where(exp.column("_sqlrun_rn").eq(1)))
        if outer_keys:
            outer = outer.order_by(*outer_keys)
        if select is tree:
            return outer
        select.replace(outer)
    return tree


def spark_grouping_sets_need_rows(tree, ctx):
    # Spark expands grouping sets row by row: over no rows (after WHERE) there is no group at all,
    # not even the grand total () that DuckDB gives (as the SQL standard says). Every group of
    # some rows has COUNT(*) > 0, so that HAVING keeps them and drops only the empty grand totals.
    for select in tree.find_all(exp.Select):
        group = select.args.get("group")
        if not group or not group.find(exp.GroupingSets, exp.Rollup, exp.Cube):
            continue
        rows = exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(0))
        having = select.args.get("having")
        select.set("having", exp.Having(this=exp.and_(exp.paren(having.this.copy()), rows) if having else rows))
    return tree


def spark_null_in_subquery(tree, ctx):
    # Spark folds NULL IN (subquery) to NULL even when the subquery has no rows (standard: FALSE,
    # and NOT IN TRUE); a NULL column there is FALSE on Spark too.
    def build(node):
        if isinstance(node.this, exp.Null) and node.args.get("query") is not None:
            return exp.cast(exp.Null(), "boolean")
        return node

    return replace_all(tree, exp.In, build)


# --- Polars' outer USING / NATURAL joins: SELECT * repeats the key, and the key of a RIGHT or
# FULL join is the left table's (not COALESCEd): refused where a query would see either ---


def polars_outer_using_joins(tree, ctx):
    for select in tree.find_all(exp.Select):
        for join in select.args.get("joins") or []:
            natural = join.text("method").upper() == "NATURAL"
            keys = {k.name.lower() for k in join.args.get("using") or []}
            side = join.text("side").upper()
            semi = join.text("kind").upper() in ("SEMI", "ANTI")  # only the left table's columns
            if not (natural or keys) or side not in ("LEFT", "RIGHT", "FULL") or semi:
                continue
            star = any(isinstance(e, exp.Star) for e in select.expressions)
            columns = select.find_all(exp.Column)
            mine = [c.name.lower() for c in columns if not c.table and c.find_ancestor(exp.Select) is select]
            if star and not (natural and side == "LEFT"):
                why = "repeats or reorders the key columns"
                raise Refused(join, f"Polars {why} of a {side} USING/NATURAL join in SELECT *")
            if side != "LEFT" and (star or (mine if natural else keys & set(mine))):
                raise Refused(join, f"Polars takes the key of a {side} USING/NATURAL join from the left table only")
    return tree


def using_star_keys_first(tree, ctx):
    # Spark's SELECT * over a USING/NATURAL join lists the keys first, then the other columns;
    # DuckDB and Polars keep the left table's order. Kept where the keys lead the left table
    # (the two agree), refused where they do not or the columns are unknown here.
    schema = {name.lower(): [c.lower() for c in columns] for name, columns in (ctx.schema or {}).items()}

    def columns(node):
        return schema.get(node.name.lower()) if isinstance(node, exp.Table) else None

    for select in tree.find_all(exp.Select):
        if not any(isinstance(e, exp.Star) for e in select.expressions):
            continue
        source = select.args.get("from_")
        for i, join in enumerate(select.args.get("joins") or []):
            natural = join.text("method").upper() == "NATURAL"
            if not (natural or join.args.get("using")) or join.text("kind").upper() in ("SEMI", "ANTI"):
                continue
            left = columns(source.this) if source is not None and i == 0 else None
            right = columns(join.this) if natural else []
            if left is None or right is None:
                raise Refused(join, "Spark's SELECT * lists a USING/NATURAL join's keys first; the columns are unknown")
            keys = [c for c in left if c in right] if natural else [k.name.lower() for k in join.args["using"]]
            if left[: len(keys)] != keys:
                why = f"{ctx.engine} keeps the table's order"
                raise Refused(join, f"Spark's SELECT * lists the join keys {', '.join(keys)} first; {why}")
    return tree


# --- EXCEPT / INTERSECT over columns of two types (found by tests/fuzz) ---


def _output_types(query: exp.Expression) -> list[str | None] | None:
    """The columns' types (None where sqlglot cannot tell); "DECIMAL?" for a decimal whose
    precision is unknown here: from arithmetic or CASE (Polars widens it in its own way), or a
    literal like 0.5 (a decimal in DuckDB and Spark, a double to sqlglot)."""
    if not isinstance(query, exp.Select):
        return None

    def known(e: exp.Expression) -> str | None:
        bare = e.unalias().this if isinstance(e.unalias(), exp.Neg) else e.unalias()
        if isinstance(bare, exp.Literal) and bare.is_number and not bare.is_int:
            return "DECIMAL?"
        t = e.type
        if t is None or t.is_type(exp.DType.UNKNOWN, exp.DType.NULL):
            return None
        plain = isinstance(e.unalias(), (exp.Column, exp.Cast))
        return t.sql() if plain or not t.is_type(exp.DType.DECIMAL) else "DECIMAL?"

    return [known(e) for e in query.expressions]


_INTEGERS = {"TINYINT", "SMALLINT", "INT", "BIGINT"}


def _differ(a: str | None, b: str | None) -> bool:
    """Two column types Polars cannot join on (integers of two widths join fine)."""
    if a is None or b is None or {a, b} <= _INTEGERS:
        return False
    return a != b or a == "DECIMAL?"


def polars_set_operation_types(tree, ctx):
    # Polars runs EXCEPT and INTERSECT as a join on every column, which fails when a column has one
    # type (or decimal precision) on the left and another on the right (DuckDB finds a common type).
    operations = list(tree.find_all(exp.Except, exp.Intersect))
    if not operations:
        return tree
    annotate(tree, ctx)
    for node in operations:
        left, right = _output_types(node.this), _output_types(node.expression)
        if left and right and any(_differ(a, b) for a, b in zip(left, right)):
            raise Refused(node, "Polars runs EXCEPT / INTERSECT only over columns of one type on both sides"
                          " (decimals of one precision): cast them to one type")
    return tree


def polars_rolling_min_max(tree, ctx):
    # Polars has rolling MIN / MAX (a ROWS frame with an offset) of integers and floats only:
    # decimals and text fail at run time (found by tests/fuzz).
    windows = [w for w in tree.find_all(exp.Window)
               if isinstance(w.this, (exp.Min, exp.Max)) and (w.args.get("spec") and w.args["spec"].args.get("start"))]
    if windows:
        annotate(tree, ctx)
    numbers = (*exp.DataType.INTEGER_TYPES, exp.DType.DOUBLE, exp.DType.FLOAT)
    for window in windows:
        arg, kind = window.this.this, window.this.this.type
        literal = any(n.is_number and not n.is_int and not isinstance(n.parent, exp.Cast)
                      for n in arg.find_all(exp.Literal))  # 0.5 is a decimal (sqlglot: DOUBLE), ABS(0.5) too
        if literal or kind is None or not kind.is_type(*numbers):
            raise Refused(window, "Polars has MIN / MAX over a ROWS frame of integers and floats only")
        if isinstance(window.this, exp.Min) and kind.is_type(exp.DType.DOUBLE, exp.DType.FLOAT):
            window.replace(_min_below_nan(window))
    return tree


def _min_below_nan(window: exp.Window) -> exp.Expression:
    # Polars' rolling MIN gives NaN for a frame with a NaN; NaN orders above every number (Spark,
    # DuckDB): the MIN of the others, else the MAX (NaN, or NULL), found by tests/fuzz.
    nan = exp.cast(exp.Literal.string("NaN"), "double")
    others = window.copy()
    others.this.set("this", exp.Nullif(this=window.this.this.copy(), expression=nan))
    top = window.copy()
    top.set("this", exp.Max(this=window.this.this.copy()))
    return exp.Coalesce(this=others, expressions=[top])
