"""Planning for Polars, whose SQL plans only simple correlated subqueries: a subquery tied to
the query around it by equalities becomes a join on those keys, with the same rows.

- `EXISTS (...)` / `x IN (...)`, a conjunct of WHERE: a SEMI JOIN on the keys (and x);
  `NOT EXISTS (...)`: an ANTI JOIN. A NULL key matches nothing, as in the subquery.
- a scalar `(SELECT MIN|MAX|SUM|AVG|COUNT(...) ...)` in WHERE (or in SELECT when the query does
  not aggregate): a LEFT JOIN to the aggregate grouped by the keys (one row per key, so no row
  is repeated); a key with no rows gives NULL, and COUNT's 0 is put back with COALESCE.
- `(a, b) IN (SELECT ...)`, correlated or not: a SEMI JOIN on each column.

Polars takes no other join after a comma list (`FROM a, b`), and plans the simple correlated
subqueries of such a query itself (TPC-H q02: 1.1 s at SF10 as written, 2.5 s as one more item
of the list grouped by its key): those are left as written.

Anything else is left as written (correlated.py then refuses what Polars cannot plan). Columns
are placed by sqlglot's qualify on a copy; a subquery is rewritten only when every column of it
and of the query around it is placed for sure (the sources' columns are known).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import ScopeType

from sqlrun.dialects.polars import comma_join
from sqlrun.engine.rewrites.base import Context, annotate
from sqlrun.engine.rewrites.correlated import Text, conjuncts, correlated

AGGREGATES = (exp.Min, exp.Max, exp.Sum, exp.Avg, exp.Count)  # NULL (COUNT: 0) over no rows
PREFIX = "_sqlrun_sq"


def decorrelate(tree: exp.Expression, ctx: Context) -> exp.Expression:
    found = correlated(tree, ctx)
    if any(sub.columns for sub in found) or any(isinstance(n.this, exp.Tuple) for n in tree.find_all(exp.In)):
        annotate(tree, ctx)  # key types: Polars joins no FLOAT key with an INT one
    for n, sub in enumerate(found):
        if sub.kind == ScopeType.SUBQUERY and sub.columns:
            _rewrite(sub.select, sub.columns, f"{PREFIX}{n}", sub.text)
    # `(a, b) IN (SELECT ...)`, which Polars SQL cannot say, correlated or not
    tied = {id(sub.select) for sub in found}
    for n, node in enumerate(list(tree.find_all(exp.In))):
        inner = node.args.get("query") and node.args["query"].this
        if isinstance(node.this, exp.Tuple) and isinstance(inner, exp.Select) and id(inner) not in tied:
            _rewrite(inner, {}, f"{PREFIX}r{n}", lambda e: e.sql())
    return tree


def _rewrite(inner: exp.Select, columns: dict[int, bool], alias: str, text: Text) -> None:
    node = inner.parent
    if not isinstance(node, exp.Subquery | exp.Exists):
        return
    holder = node.parent if isinstance(node, exp.Subquery) else node
    outer, place = _enclosing(node)
    if outer is None or not plain(inner) or comma_list(outer):
        return
    where = inner.args.get("where")
    found = keys_of(inner, columns) if columns else ([], conjuncts(where.this) if where else [])
    if found is None:
        return
    keys, rest = found
    if isinstance(holder, exp.In) and holder.args.get("query") is node or isinstance(holder, exp.Exists):
        _semi(outer, holder, inner, keys, rest, alias, place, text)
    elif isinstance(node, exp.Subquery) and not isinstance(holder, exp.In) and star_tables(outer) is not None:
        _scalar(outer, node, inner, keys, rest, alias, place, text)


def _enclosing(node: exp.Expression) -> tuple[exp.Select | None, str]:
    """The SELECT the node is in and the clause ("where" or "expressions") it sits in."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        if isinstance(parent, exp.Query | exp.Subquery):
            return None, ""
        child, parent = parent, parent.parent
    if parent is None or child.arg_key not in ("where", "expressions"):
        return None, ""
    return parent, child.arg_key


def plain(inner: exp.Select) -> bool:
    """No limit, window or nested subquery: its rows are those WHERE keeps (grouped, if it groups)."""
    if any(inner.args.get(a) for a in ("limit", "offset", "qualify", "windows", "with_")):
        return False
    return not any(n is not inner for n in inner.find_all(exp.Select)) and not inner.find(exp.Window)


def _has_star(select: exp.Select) -> bool:
    return any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star and not p.table)
               for p in select.expressions)


def star_tables(select: exp.Select) -> list[exp.Column] | None:
    """A `*` of the query spelled as its tables' (`t.*, u.*`), so that a joined subquery adds
    no column to it ([] without a `*`); None when it cannot be."""
    if not _has_star(select):
        return []
    joins = select.args.get("joins") or []
    relations = [select.args["from_"].this, *(j.this for j in joins)] if select.args.get("from_") else []
    hiding = any(j.args.get("using") or j.args.get("method") or j.args.get("kind") in ("SEMI", "ANTI") for j in joins)
    named = all(isinstance(r, exp.Table | exp.Subquery) and r.alias_or_name for r in relations)
    if hiding or not relations or not named:
        return None  # (USING and NATURAL joins give their key once; SEMI and ANTI hide the table)
    return [exp.Column(this=exp.Star(), table=exp.to_identifier(r.alias_or_name)) for r in relations]


def keys_of(inner: exp.Select, columns: dict[int, bool]):
    """(outer side, inner side) of each correlating equality of WHERE, and the other conjuncts;
    the rest of the subquery must not name an outer column. None when that is not the shape."""
    where = inner.args.get("where")
    keys, rest = [], []
    for c in conjuncts(where.this) if where else []:
        sides = _sides(c, columns)
        if sides == "inner":
            rest.append(c)
        elif isinstance(sides, tuple):
            keys.append(sides)
        else:
            return None
    if not keys or any(columns.get(id(c)) for c in _columns_outside(inner)):
        return None
    return keys, rest


def _sides(conjunct: exp.Expression, columns: dict[int, bool]):
    """"inner" for a conjunct of the subquery's own columns, (outer, inner) for an equality of
    one side each; None for anything else."""
    kinds = {columns.get(id(c)) for c in conjunct.find_all(exp.Column)}
    if None in kinds or conjunct.find(exp.Select, exp.AggFunc):
        return None
    if True not in kinds:
        return "inner"
    if not isinstance(conjunct, exp.EQ):
        return None
    a, b = conjunct.this, conjunct.expression
    side = {x: {columns.get(id(c)) for c in x.find_all(exp.Column)} for x in (a, b)}
    if side[a] == {True} and side[b] == {False}:
        return a, b
    if side[b] == {True} and side[a] == {False}:
        return b, a
    return None


def _columns_outside(inner: exp.Select) -> list[exp.Column]:
    where = inner.args.get("where")
    return [c for c in inner.find_all(exp.Column) if where is None or not under(c, where)]


def under(node: exp.Expression, top: exp.Expression) -> bool:
    while node is not None:
        if node is top:
            return True
        node = node.parent
    return False


def _derived(inner: exp.Select, rest: list, outputs: list, alias: str, group: list | None) -> exp.Subquery:
    """The subquery without its correlating conjuncts, giving `outputs` (alias_k0...), grouped
    by `group` (None: as written)."""
    select = inner.copy()
    select.set("where", exp.Where(this=exp.and_(*(c.copy() for c in rest))) if rest else None)
    select.set("expressions", [exp.alias_(o.copy(), f"{alias}_k{i}") for i, o in enumerate(outputs)])
    select.set("order", None)
    select.set("distinct", None)
    if group:
        select.set("group", exp.Group(expressions=[g.copy() for g in group]))
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias)))


def _union(first: list, second: list, text: Text) -> list:
    seen = {text(e) for e in first}
    return [*first, *(e for e in second if text(e) not in seen)]


def _on(pairs: list[tuple[exp.Expression, int]], alias: str) -> exp.Expression:
    return exp.and_(*(exp.EQ(this=o.copy(), expression=exp.column(f"{alias}_k{i}", alias)) for o, i in pairs))


def _semi(outer, holder, inner, keys, rest, alias, place, text) -> None:
    """EXISTS / IN as a SEMI JOIN, NOT EXISTS as an ANTI JOIN, on the keys (and IN's value).
    A grouping subquery is grouped by its keys too: per key, the groups it had per outer row."""
    negated = isinstance(holder.parent, exp.Not)
    conjunct = holder.parent if negated else holder
    if place != "where" or not _conjunct_of(conjunct, outer.args["where"]):
        return
    outputs, pairs = [k[1] for k in keys], [(k[0], i) for i, k in enumerate(keys)]
    written = (inner.args.get("group") or exp.Group()).expressions
    aggregated = bool(written) or inner.args.get("having") or any(p.find(exp.AggFunc) for p in inner.expressions)
    group = _union(outputs, written, text) if aggregated else None
    if isinstance(holder, exp.In):
        tested = holder.this.expressions if isinstance(holder.this, exp.Tuple) else [holder.this]
        values = [p.unalias() for p in inner.expressions]
        if negated or len(values) != len(tested) or holder.this.find(exp.Select):
            return
        if any(v.find(exp.Star) for v in values):
            return
        if aggregated and not written and not all(_null_over_no_rows(v, inner) for v in values):
            return  # one row even over no rows: x IN (SELECT COUNT(*) ...) can hold
        pairs += [(t, len(outputs) + i) for i, t in enumerate(tested)]
        outputs = [*outputs, *values]
    elif aggregated and not written:  # one row even over no rows: always true
        return
    if not joinable([(o, outputs[i]) for o, i in pairs]):
        return
    derived = _derived(inner, rest, outputs, alias, group)
    conjunct.replace(exp.true())
    outer.append("joins", exp.Join(this=derived, kind="ANTI" if negated else "SEMI", on=_on(pairs, alias)))
    _drop_true(outer)


def _single(inner: exp.Select) -> exp.Expression | None:
    """The one column the subquery gives, or None."""
    return inner.expressions[0].unalias() if len(inner.expressions) == 1 else None


def _null_over_no_rows(value: exp.Expression, inner: exp.Select) -> bool:
    return isinstance(value, AGGREGATES) and not isinstance(value, exp.Count) and not inner.args.get("having")


def _scalar(outer, node, inner, keys, rest, alias, place, text) -> None:
    """A scalar subquery as a LEFT JOIN to its value per key (one row per key: grouped by them)."""
    value = _single(inner)
    if value is None or value.find(exp.Select):
        return
    aggregated = any(a.find_ancestor(exp.Select) is outer for p in outer.expressions for a in p.find_all(exp.AggFunc))
    if place == "expressions" and (outer.args.get("group") or aggregated):
        return
    outputs = [k[1] for k in keys]
    written = (inner.args.get("group") or exp.Group()).expressions
    if written:  # at most one group per outer row only when it groups by keys alone
        if not {text(g) for g in written} <= {text(o) for o in outputs}:
            return
    elif not isinstance(value, AGGREGATES) or inner.args.get("having"):
        return
    count = isinstance(value, exp.Count) and not written  # COUNT over no rows is 0, not NULL
    if not joinable(keys):
        return
    stars = star_tables(outer)
    if stars:
        outer.set("expressions", [x for p in outer.expressions for x in (stars if isinstance(p, exp.Star) else [p])])
    derived = _derived(inner, rest, outputs, alias, _union(outputs, written, text))
    derived.this.append("expressions", exp.alias_(value.copy(), f"{alias}_v"))
    result = exp.column(f"{alias}_v", alias)
    node.replace(exp.Coalesce(this=result, expressions=[exp.Literal.number(0)]) if count else result)
    on = _on([(k[0], i) for i, k in enumerate(keys)], alias)
    outer.append("joins", exp.Join(this=derived, side="LEFT", on=on))


def joinable(pairs) -> bool:
    """Each pair's types join in Polars: the same, or both integers (or not known)."""
    for a, b in pairs:
        ta, tb = a.type, b.type
        if ta is None or tb is None or exp.DataType.Type.UNKNOWN in (ta.this, tb.this) or ta.this == tb.this:
            continue
        if not (ta.is_type(*exp.DataType.INTEGER_TYPES) and tb.is_type(*exp.DataType.INTEGER_TYPES)):
            return False
    return True


def comma_list(select: exp.Select) -> bool:
    """`FROM a, b`: Polars takes no other join after it."""
    joins = select.args.get("joins") or []
    return bool(joins) and all(comma_join(j) for j in joins)


def _conjunct_of(node: exp.Expression, where: exp.Where | None) -> bool:
    if where is None:
        return False
    parent = node.parent
    while isinstance(parent, exp.And | exp.Paren):
        parent = parent.parent
    return parent is where


def _drop_true(select: exp.Select) -> None:
    where = select.args["where"]
    kept = [c for c in conjuncts(where.this) if not (isinstance(c, exp.Boolean) and c.this is True)]
    select.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
