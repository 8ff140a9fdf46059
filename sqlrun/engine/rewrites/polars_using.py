"""USING / NATURAL joins on Polars, as explicit ON joins with Spark's columns: Polars repeats
or reorders the keys in SELECT * and takes a RIGHT or FULL join's key from the left table.

Where every table of the SELECT is a source whose columns are known, each USING / NATURAL
join becomes an ON join of its keys, `*` becomes Spark's list (the keys first, then the
left's other columns, then the right's), and an unqualified key is the key Spark means: the
left table's (INNER, LEFT), the right's (RIGHT) or COALESCE of both (FULL). Anything else
(a subquery, a key of a FULL join joined again, SEMI / ANTI joins) is left to the rules after.
"""

from __future__ import annotations

from sqlglot import exp


def _columns(ctx, node: exp.Expression) -> list[str] | None:
    if not isinstance(node, exp.Table) or node.args.get("db") or not ctx.schema:
        return None
    found = {name.lower(): cols for name, cols in ctx.schema.items()}.get(node.name.lower())
    return [c.lower() for c in found] if found else None


def _ref(table: exp.Table, name: str) -> exp.Column:
    return exp.column(name, table=table.alias_or_name)


def _plan(select: exp.Select, ctx):
    """(the star's [(name, expression)], {key: expression}, [(join, ON condition)]) or None."""
    source = select.args.get("from_")
    joins = select.args.get("joins") or []
    if source is None or not joins:
        return None
    tables = [source.this, *[j.this for j in joins]]
    columns = [_columns(ctx, t) for t in tables]
    if any(c is None for c in columns) or len({t.alias_or_name.lower() for t in tables}) < len(tables):
        return None
    star = [(c, _ref(tables[0], c)) for c in columns[0]]
    keys, conditions = {}, []
    for join, table, right in zip(joins, tables[1:], columns[1:]):
        natural = join.text("method").upper() == "NATURAL"
        using = [k.name.lower() for k in join.args.get("using") or []]
        if join.text("kind").upper() in ("SEMI", "ANTI") or join.text("method").upper() not in ("", "NATURAL"):
            return None
        if not (natural or using):
            star += [(c, _ref(table, c)) for c in right]
            continue
        left = dict(star)
        names = [n for n, _ in star]
        on_keys = [n for n in names if n in right] if natural else using
        if len(set(names)) < len(names) or any(k not in left or k not in right for k in on_keys) or not on_keys:
            return None
        if any(not isinstance(left[k], exp.Column) for k in on_keys):
            return None  # a FULL join's key joined again: Polars joins on columns
        side = join.text("side").upper()
        for k in on_keys:
            mine, theirs = left[k], _ref(table, k)
            keys[k] = {"RIGHT": theirs, "FULL": exp.func("COALESCE", mine, theirs)}.get(side, mine)
        conditions.append((join, exp.and_(*[exp.EQ(this=left[k].copy(), expression=_ref(table, k)) for k in on_keys])))
        star = ([(k, keys[k]) for k in on_keys] + [(n, e) for n, e in star if n not in on_keys]
                + [(c, _ref(table, c)) for c in right if c not in on_keys])
    names = [n for n, _ in star]
    if any(isinstance(p, exp.Star) for p in select.expressions) and len(set(names)) < len(names):
        return None  # `*` repeats a name (an ON join after): Polars' own star, as written
    return (star, keys, conditions) if conditions else None


def _in_scope(node: exp.Expression, select: exp.Select) -> bool:
    return node.find_ancestor(exp.Select) is select


def polars_using_joins(tree, ctx):
    for select in list(tree.find_all(exp.Select)):
        plan = _plan(select, ctx)
        if plan is None:
            continue
        star, keys, conditions = plan
        for column in list(select.find_all(exp.Column)):
            if not column.table and column.name.lower() in keys and _in_scope(column, select):
                key = keys[column.name.lower()].copy()
                column.replace(exp.alias_(key, column.name) if column.parent is select else key)
        projections = []
        for p in select.expressions:
            if isinstance(p, exp.Star):
                projections += [exp.alias_(e.copy(), n) for n, e in star]
            else:
                projections.append(p)
        select.set("expressions", projections)
        for join, condition in conditions:
            for arg in ("method", "using", "kind"):
                join.set(arg, None)
            join.set("on", condition)
            if join.text("side").upper() in ("", "INNER"):
                join.set("side", None)
    return tree
