"""Planning for engines that join in the order they are given (Polars SQL): the tables of a
comma (cross) join list reordered so each one joins a table before it through an equality in
WHERE. Inner joins commute, so the rows are the same; only a cross product Polars would really
build is avoided. Left alone: outer or ON/USING joins, `*` projections (their column order
follows the FROM list), and any list whose columns cannot all be placed in one table.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.dialects.polars import comma_join
from sqlrun.engine.rewrites.base import Context


def connected_order(tree: exp.Expression, ctx: Context) -> exp.Expression:
    ctes = {c.alias_or_name.lower(): c.this for c in tree.find_all(exp.CTE)}
    for select in list(tree.find_all(exp.Select)):
        _reorder(select, ctx, ctes)
    return tree


def _reorder(select: exp.Select, ctx: Context, ctes: dict[str, exp.Expression]) -> None:
    joins = select.args.get("joins") or []
    source = select.args.get("from_")
    if not joins or source is None or not all(comma_join(j) for j in joins):
        return
    if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star) for p in select.expressions):
        return
    relations = [source.this, *(j.this for j in joins)]
    names = [r.alias_or_name.lower() for r in relations]
    if len(set(names)) != len(names) or not all(_plain(r) for r in relations):
        return
    columns = [_columns(r, ctx, ctes) for r in relations]
    edges = _edges(select.args.get("where"), names, columns)
    if edges is None:
        return
    order = _connected(len(relations), edges)
    if order == list(range(len(relations))):
        return
    source.set("this", relations[order[0]])
    select.set("joins", [exp.Join(this=relations[i], kind="CROSS") for i in order[1:]])


def _plain(relation: exp.Expression) -> bool:
    """A table or an aliased subquery: not a table function, UNNEST or LATERAL."""
    if isinstance(relation, exp.Table):
        return not isinstance(relation.this, exp.Func)
    return isinstance(relation, exp.Subquery) and bool(relation.alias)


def _columns(relation: exp.Expression, ctx: Context, ctes: dict[str, exp.Expression]) -> set[str] | None:
    """The lower-case column names a relation has, or None when they are not known."""
    if isinstance(relation, exp.Subquery):
        return _outputs(relation.this)
    name = relation.name.lower()
    if not relation.args.get("db") and name in ctes:
        return _outputs(ctes[name])
    schema = ctx.schema or {}
    found = schema.get(name) if not relation.args.get("db") else None
    return {c.lower() for c in found} if found else None


def _outputs(query: exp.Expression) -> set[str] | None:
    if not isinstance(query, exp.Select):
        return None
    names = [p.alias_or_name.lower() for p in query.expressions]
    if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star) or not n
           for p, n in zip(query.expressions, names)):
        return None
    return set(names)


def _edges(where: exp.Where | None, names: list[str], columns: list[set[str] | None]) -> set[tuple[int, int]] | None:
    """Pairs of relations an equality in WHERE connects; None when a column cannot be placed."""
    edges: set[tuple[int, int]] = set()
    if where is None:
        return edges
    for conjunct in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        used = set()
        for column in _own_columns(conjunct):
            place = _place(column, names, columns)
            if place is None:
                return None
            if place >= 0:
                used.add(place)
        if isinstance(conjunct, exp.EQ) and len(used) == 2:
            a, b = sorted(used)
            edges.add((a, b))
    return edges


def _own_columns(node: exp.Expression) -> list[exp.Column]:
    """Columns of this scope: not those inside a subquery (they resolve there first)."""
    return [c for c in node.find_all(exp.Column) if not _in_subquery(c, node)]


def _in_subquery(column: exp.Column, top: exp.Expression) -> bool:
    parent = column.parent
    while parent is not None and parent is not top:
        if isinstance(parent, exp.Select):
            return True
        parent = parent.parent
    return False


def _place(column: exp.Column, names: list[str], columns: list[set[str] | None]) -> int | None:
    """The relation a column belongs to; -1 for one of an enclosing query; None if unsure."""
    if column.table:
        table = column.table.lower()
        return names.index(table) if table in names else -1
    name = column.name.lower()
    holders = [i for i, cols in enumerate(columns) if cols is not None and name in cols]
    if len(holders) == 1 and all(cols is not None for cols in columns):
        return holders[0]
    if not holders and all(cols is not None for cols in columns):
        return -1  # an outer (correlated) column
    return None


def _connected(count: int, edges: set[tuple[int, int]]) -> list[int]:
    """From the first relation, each next one the earliest listed that an equality connects to
    those placed; if none is connected, the earliest left (a cross product as written)."""
    order, left = [0], list(range(1, count))
    while left:
        nxt = next((i for i in left if any((min(i, j), max(i, j)) in edges for j in order)), left[0])
        order.append(nxt)
        left.remove(nxt)
    return order
