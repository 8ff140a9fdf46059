"""Planning for Polars: a correlated subquery the other rules left (correlated inside a derived
table or a set operation, or other than by equalities) is computed once for each distinct
value of the outer columns it names (its domain), then joined to the query on those values.

The domain is `SELECT DISTINCT` of those columns from the one table of the query they come
from. Every SELECT of the subquery that names an outer column (and every branch of a set
operation on the way) is CROSS JOINed to the domain and reads the domain's columns instead;
each SELECT on the way up passes them on as extra columns (grouped by and partitioned by them
where it groups or has windows), so each domain row gets exactly the rows the subquery gives
for it. The query then takes them with a LEFT JOIN on `IS NOT DISTINCT FROM` (a NULL outer
value is a domain row too):

- a scalar `(SELECT agg(...) ...)` without GROUP BY: its value per domain row (COUNT: 0 for a
  row the subquery gives none); EXISTS: whether the domain row has rows; `v IN`: as marks.py.

Left as written (correlated.py refuses it): a LIMIT, an aggregate without GROUP BY below the
top, a nested subquery in an expression, two sources that pass on the domain in one SELECT,
outer columns of several tables, and the places marks.py does not join into.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import SPARK, Context, annotate
from sqlrun.engine.rewrites.correlated import correlated, unplannable
from sqlrun.engine.rewrites.decorrelate import AGGREGATES, joinable, star_tables, under
from sqlrun.engine.rewrites.marks import as_filter, in_value, placement, replace_in

PREFIX = "_sqlrun_dm"


class NotHere(Exception):
    """The subquery is not in a shape this rule makes exact."""


def domains(tree: exp.Expression, ctx: Context) -> exp.Expression:
    found = correlated(tree, ctx)
    if not any(unplannable(f) for f in found):
        return tree
    annotate(tree, ctx)  # IN's value and its column: Polars joins no FLOAT with an INT
    for n, node in enumerate(_candidates(tree)):
        inner = [f for f in found if under(f.select, node)]
        if not inner or any(not f.columns for f in inner) or not any(unplannable(f) for f in inner):
            continue  # (what Polars plans itself is left to it)
        outer = {i for f in inner for i in f.outer}
        try:
            _rewrite(node, outer, inner[0].text, f"{PREFIX}{n}", ctx.source in SPARK)
        except NotHere:
            continue
    return tree


def _candidates(tree: exp.Expression) -> list[exp.Expression]:
    """Subqueries used as a value, EXISTS or IN, with no such subquery inside them."""
    nodes = [n for n in tree.find_all(exp.Subquery, exp.Exists) if _expression(n)]
    return [n for n in nodes if not any(m is not n and under(m, n) for m in nodes)]


def _expression(node: exp.Expression) -> bool:
    if isinstance(node, exp.Exists):
        return True
    tables = (exp.From, exp.Join, exp.SetOperation, exp.CTE, exp.Lateral, exp.Table, exp.Subquery)
    return isinstance(node.this, exp.Query) and not isinstance(node.parent, tables) and not (
        node.alias and node.arg_key != "expressions")


def _rewrite(node: exp.Expression, outer: set[int], text, alias: str, spark: bool) -> None:
    holder = node if isinstance(node, exp.Exists) else node.parent
    is_in = isinstance(holder, exp.In) and holder.args.get("query") is node
    if is_in and spark and not as_filter(holder):
        raise NotHere  # (see marks.replace_in)
    written = node.this
    body = written.copy()  # (changed only when the whole rewrite holds)
    pairs = list(zip(written.walk(), body.walk()))
    refs = [c for o, c in pairs if isinstance(o, exp.Column) and id(o) in outer]
    query, at = placement(holder if is_in else node, dict.fromkeys(outer, True), text)
    if query is None:
        raise NotHere
    text = _via({id(c): o for o, c in pairs}, text)
    tables = {_qualified(c, text)[0] for c in refs}
    source = _source(query, tables)
    names = list(dict.fromkeys(_qualified(c, text) for c in refs))
    index = {name: i for i, name in enumerate(names)}
    domain = exp.select(*(exp.alias_(exp.column(col, table), f"{PREFIX}_{i}") for i, (table, col) in enumerate(names)))
    domain = domain.from_(source.copy()).distinct()
    width = len(names)
    slots = {id(c): index[_qualified(c, text)] for c in refs}
    if is_in and (isinstance(holder.this, exp.Tuple) or holder.this.find(exp.Select)
                  or not joinable([(holder.this, v) for v in _values(written)])):
        raise NotHere
    one_row = is_in and _one_row(body)  # `x IN (one value)` is `x = that value`
    top = not isinstance(node, exp.Exists) and (not is_in or one_row)
    value = _scalar_value(body) if top else None
    is_in = is_in and not one_row
    _carry(body, slots, domain, width, top=top, value=is_in)
    stars = star_tables(query)
    if stars is None:
        raise NotHere
    if stars:
        query.set("expressions", [x for p in query.expressions for x in (stars if isinstance(p, exp.Star) else [p])])
    keys = [exp.column(col, table) for table, col in names]

    def derived() -> exp.Subquery:
        return _aliased(body.copy(), f"{alias}r")

    ds = [exp.column(f"{PREFIX}_{i}") for i in range(width)]
    if top:
        lifted, aggregates = value
        reads = [exp.alias_(exp.column(f"{PREFIX}_s{i}"), f"{alias}_v{i}") for i in range(len(aggregates))]
        joins = [_join(exp.select(*ds, *reads).from_(derived()), keys, alias)]
        for i, a in enumerate(aggregates):  # over no rows: COUNT 0, the others NULL
            result = exp.column(f"{alias}_v{i}", alias)
            zero = [exp.Literal.number(0)]
            a.replace(exp.Coalesce(this=result, expressions=zero) if isinstance(a, exp.Count) else result)
        if one_row:
            if not replace_in(holder, exp.Paren(this=exp.EQ(this=holder.this.copy(), expression=lifted)), spark):
                raise NotHere
        else:
            node.replace(exp.alias_(lifted, node.alias, quoted=True) if node.alias else lifted)
    elif not is_in:
        marked = exp.select(*ds, exp.alias_(exp.true(), f"{alias}_e")).from_(derived()).group_by(*ds)
        joins = [_join(marked, keys, alias)]
        holder.replace(exp.Not(this=exp.Is(this=exp.column(f"{alias}_e", alias), expression=exp.null())))
    else:
        v = exp.column(f"{PREFIX}_v")
        counts = exp.Sub(this=exp.Count(this=exp.Star()), expression=exp.Count(this=v.copy()))
        groups = exp.select(*ds, exp.alias_(exp.true(), f"{alias}_e"), exp.alias_(counts, f"{alias}_n"))
        seen = exp.select(*ds, v.copy(), exp.alias_(exp.true(), f"{alias}v_e")).from_(derived())
        seen = seen.where(exp.Not(this=exp.Is(this=v.copy(), expression=exp.null()))).group_by(*ds, v.copy())
        tested = holder.this
        joins = [_join(groups.from_(derived()).group_by(*ds), keys, alias),
                 _join(seen, [*keys, tested], f"{alias}v", [*ds, v])]
        if not replace_in(holder, in_value(alias, tested.copy()), spark):
            raise NotHere
    existing = query.args.get("joins") or []
    query.set("joins", existing[:at] + joins + existing[at:])


def _values(q: exp.Expression) -> list[exp.Expression]:
    """The first column of each SELECT of a set operation (IN's values)."""
    if isinstance(q, exp.Subquery):
        return _values(q.this)
    if isinstance(q, exp.SetOperation):
        return [*_values(q.this), *_values(q.expression)]
    if not isinstance(q, exp.Select) or not q.expressions or q.expressions[0].is_star:
        raise NotHere
    return [q.expressions[0].unalias()]


def _via(back: dict[int, exp.Expression], text):
    return lambda node: text(back.get(id(node), node))


def _qualified(column: exp.Column, text) -> tuple[str, str]:
    placed = exp.maybe_parse(text(column))
    if not isinstance(placed, exp.Column) or not placed.table:
        raise NotHere
    return placed.table, placed.name


def _source(query: exp.Select, tables: set[str]) -> exp.Expression:
    """The query's table the outer columns all come from, none of whose rows a join NULL-extends
    (the domain is read from the table: it holds no NULL such a join makes)."""
    joins = query.args.get("joins") or []
    relations = [query.args["from_"].this, *(j.this for j in joins)]
    named = [r for r in relations if isinstance(r, exp.Table) and r.alias_or_name in tables]
    if len(tables) != 1 or len(named) != 1 or any(j.side in ("RIGHT", "FULL") for j in joins):
        raise NotHere
    if isinstance(named[0].parent, exp.Join) and named[0].parent.side:
        raise NotHere
    return named[0]


def _carry(q: exp.Expression, slots: dict[int, int], domain: exp.Select, width: int, top: bool, value: bool) -> None:
    """Make `q` give the domain's columns last (`_sqlrun_dm_0`...), each domain row its own rows."""
    if isinstance(q, exp.Subquery):
        return _carry(q.this, slots, domain, width, top, value)
    if isinstance(q, exp.SetOperation):
        if q.args.get("limit") or q.args.get("offset"):
            raise NotHere
        _carry(q.this, slots, domain, width, False, value)
        _carry(q.expression, slots, domain, width, False, False)
        return None
    if not isinstance(q, exp.Select) or not q.args.get("from_"):
        raise NotHere
    if any(q.args.get(a) for a in ("limit", "offset", "with_", "qualify", "laterals", "windows")):
        raise NotHere
    joins = q.args.get("joins") or []
    sources = [q.args["from_"].this, *(j.this for j in joins)]
    if any(j.args.get("using") or j.method for j in joins) or any(isinstance(s, exp.Lateral) for s in sources):
        raise NotHere
    carrying = [s for s in sources if isinstance(s, exp.Subquery) and _names(s, slots)]
    if len(carrying) > 1:
        raise NotHere
    if carrying:
        _carry(carrying[0].this, slots, domain, width, False, False)
        reads = [exp.column(f"{PREFIX}_{i}") for i in range(width)]  # (names no other source has)
    else:
        q.append("joins", exp.Join(this=_aliased(domain.copy(), PREFIX), kind="CROSS"))
        reads = [exp.column(f"{PREFIX}_{i}", PREFIX) for i in range(width)]
    for c in list(q.find_all(exp.Column)):
        if id(c) in slots and not _in_source(c, q):
            c.replace(reads[slots[id(c)]].copy())
    if any(isinstance(p, exp.Star) or p.is_star for p in q.expressions):
        if len(sources) != 1 or not isinstance(sources[0], exp.Table):
            raise NotHere
        q.set("expressions", [exp.Column(this=exp.Star(), table=exp.to_identifier(sources[0].alias_or_name))])
    if q.find(exp.Select) is not None and any(s is not q and not _in_source(s, q) for s in q.find_all(exp.Select)):
        raise NotHere  # a nested subquery in an expression
    aggregated = q.args.get("group") or q.args.get("having") or any(
        a for p in q.expressions for a in p.find_all(exp.AggFunc) if not a.find_ancestor(exp.Window))
    if aggregated and not q.args.get("group") and not top:
        raise NotHere  # one row over no rows, which no domain row would get
    if aggregated:
        group = q.args.get("group") or exp.Group(expressions=[])
        if any(v for k, v in group.args.items() if k != "expressions"):
            raise NotHere  # (GROUP BY ALL, ROLLUP, CUBE, GROUPING SETS)
        group.set("expressions", [*group.expressions, *(r.copy() for r in reads)])
        q.set("group", group)
    for w in q.find_all(exp.Window):
        if w.find_ancestor(exp.Select) is q:
            w.set("partition_by", [*(w.args.get("partition_by") or []), *(r.copy() for r in reads)])
    if value:
        first = q.expressions[0]
        q.expressions[0].replace(exp.alias_(first.unalias() if isinstance(first, exp.Alias) else first, f"{PREFIX}_v"))
    for i, r in enumerate(reads):
        q.append("expressions", exp.alias_(r.copy(), f"{PREFIX}_{i}"))
    return None


def _names(node: exp.Expression, slots: dict[int, int]) -> bool:
    return any(id(c) in slots for c in node.find_all(exp.Column))


def _in_source(node: exp.Expression, q: exp.Select) -> bool:
    """Inside one of q's derived tables (not q's own expressions)."""
    parent = node.parent
    while parent is not None and parent is not q:
        if isinstance(parent, exp.Subquery) and isinstance(parent.parent, exp.From | exp.Join):
            return True
        parent = parent.parent
    return False


def _one_row(body: exp.Expression) -> bool:
    """An aggregate without GROUP BY or HAVING: one row, over no rows too."""
    return isinstance(body, exp.Select) and not body.args.get("group") and not body.args.get("having") and any(
        not a.find_ancestor(exp.Window) for p in body.expressions for a in p.find_all(exp.AggFunc))


def _scalar_value(body: exp.Expression) -> tuple[exp.Expression, list[exp.Expression]]:
    """The value of a scalar subquery of one row per domain row (an aggregate without GROUP BY),
    lifted out of it: a copy whose aggregates, returned too, stand for the subquery's
    `_sqlrun_dm_s0`... columns. Columns outside its aggregates are not lifted."""
    if not _one_row(body) or len(body.expressions) != 1:
        raise NotHere
    value = body.expressions[0].unalias()
    aggregates = [a for a in value.find_all(exp.AggFunc)]
    if not all(isinstance(a, AGGREGATES) for a in aggregates) or value.find(exp.Window, exp.Select):
        raise NotHere
    if any(not c.find_ancestor(exp.AggFunc) for c in value.find_all(exp.Column)):
        raise NotHere
    if any(a.find_ancestor(exp.AggFunc) is not None for a in aggregates):
        raise NotHere
    lifted = exp.Paren(this=value.copy())
    body.set("expressions", [exp.alias_(a.copy(), f"{PREFIX}_s{i}") for i, a in enumerate(aggregates)])
    return lifted, list(lifted.find_all(exp.AggFunc))


def _join(select: exp.Select, keys: list, alias: str, names: list | None = None) -> exp.Join:
    names = names or [exp.column(f"{PREFIX}_{i}") for i in range(len(keys))]
    on = exp.and_(*(exp.Paren(this=exp.NullSafeEQ(this=k.copy(), expression=exp.column(n.name, alias)))
                    for k, n in zip(keys, names)))  # (Polars reads `a IS NOT DISTINCT FROM b AND c` as one)
    return exp.Join(this=_aliased(select, alias), side="LEFT", on=on)


def _aliased(select: exp.Expression, alias: str) -> exp.Subquery:
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias)))
