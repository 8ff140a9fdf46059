"""Planning for Polars: a correlated EXISTS or IN that decorrelate.py left (inside OR, NOT, CASE,
a SELECT list or a JOIN condition) becomes a value read from LEFT JOINs on its keys, each to
one row per key, so that no row of the query is repeated or lost:

- `EXISTS (SELECT ... WHERE k = outer.k AND rest)`: the keys that have rows, marked TRUE;
  the EXISTS is `mark IS NOT NULL` (a NULL key matches nothing, as in the subquery).
- `v IN (SELECT c ... WHERE k = outer.k AND rest)`: per key, whether it has rows and how many
  of them have a NULL c; per key and c, the c that are not NULL. SQL's three values follow:
  no rows: FALSE; v among them: TRUE; v NULL or a NULL among them: NULL; else FALSE.

The joins go after the query's joins (WHERE, SELECT list) or just before the join whose
condition holds the subquery, when that is an inner or LEFT join and the subquery names only
tables before it. Anything else is left as written (correlated.py refuses it).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import ScopeType

from sqlrun.engine.rewrites.base import SPARK, Context, annotate
from sqlrun.engine.rewrites.correlated import correlated
from sqlrun.engine.rewrites.decorrelate import comma_list, joinable, keys_of, plain, star_tables

PREFIX = "_sqlrun_mk"


def marks(tree: exp.Expression, ctx: Context) -> exp.Expression:
    found = [s for s in correlated(tree, ctx) if s.kind == ScopeType.SUBQUERY and s.columns]
    if found:
        annotate(tree, ctx)
    for n, sub in enumerate(found):
        _rewrite(sub.select, sub.columns, f"{PREFIX}{n}", sub.text, ctx.source in SPARK)
    return tree


def _rewrite(inner: exp.Select, columns: dict[int, bool], alias: str, text, spark: bool) -> None:
    node = inner.parent
    holder = node if isinstance(node, exp.Exists) else node.parent
    if not (isinstance(node, exp.Exists) or isinstance(holder, exp.In) and holder.args.get("query") is node):
        return
    outer, at = placement(holder, columns, text)
    if outer is None or not plain(inner) or _aggregated(inner):
        return
    found = keys_of(inner, columns)
    if found is None:
        return
    keys, rest = found
    if isinstance(holder, exp.In):
        values = [p.unalias() for p in inner.expressions]
        if spark and not as_filter(holder):
            return  # (see replace_in)
        if isinstance(holder.this, exp.Tuple) or len(values) != 1 or values[0].find(exp.Star):
            return
        if holder.this.find(exp.Select) or not joinable([*keys, (holder.this, values[0])]):
            return
    elif not joinable(keys):
        return
    stars = star_tables(outer)
    if stars is None:
        return
    if stars:
        outer.set("expressions", [x for p in outer.expressions for x in (stars if isinstance(p, exp.Star) else [p])])
    outs = [k[1] for k in keys]
    joins = [_join(inner, rest, outs, [exp.alias_(exp.true(), f"{alias}_e")], keys, alias)]
    if isinstance(holder, exp.In):
        value, tested = values[0], holder.this
        nulls = exp.Sub(this=exp.Count(this=exp.Star()), expression=exp.Count(this=value.copy()))
        joins[0].this.this.append("expressions", exp.alias_(nulls, f"{alias}_n"))
        present = exp.Not(this=_null(value.copy()))
        seen = _join(inner, [*rest, present], [*outs, value], [exp.alias_(exp.true(), f"{alias}v_e")],
                     [*keys, (tested, value)], f"{alias}v")
        joins.append(seen)
        if not replace_in(holder, in_value(alias, tested.copy()), spark):
            return
    else:
        holder.replace(exp.Not(this=_null(exp.column(f"{alias}_e", alias))))
    existing = outer.args.get("joins") or []
    outer.set("joins", existing[:at] + joins + existing[at:])


def placement(holder: exp.Expression, columns: dict[int, bool], text):
    """The SELECT the predicate is in and where its joins go (an index into its joins), or None."""
    child, parent = holder, holder.parent
    while parent is not None and not isinstance(parent, exp.Select):
        if isinstance(parent, exp.Query | exp.Subquery | exp.AggFunc | exp.Window):
            return None, 0
        child, parent = parent, parent.parent
    if parent is None or not parent.args.get("from_") or comma_list(parent):
        return None, 0
    joins = parent.args.get("joins") or []
    if child.arg_key == "where":
        return parent, len(joins)
    if child.arg_key == "expressions":
        grouped = parent.args.get("group") or any(
            a.find_ancestor(exp.Select) is parent for p in parent.expressions for a in p.find_all(exp.AggFunc))
        return (None, 0) if grouped else (parent, len(joins))
    if child.arg_key != "joins" or child.args.get("on") is None or child.args.get("using"):
        return None, 0
    if child.args.get("kind") not in (None, "", "INNER") or child.side not in ("", "LEFT") or child.method:
        return None, 0
    at = joins.index(child)
    before = {r.alias_or_name for r in [parent.args["from_"].this, *(j.this for j in joins[:at])]}
    named = {_table(c, text) for c in holder.find_all(exp.Column) if columns.get(id(c))}
    return (parent, at) if named and named <= before else (None, 0)


def _table(column: exp.Column, text) -> str:
    placed = exp.maybe_parse(text(column))
    return placed.table if isinstance(placed, exp.Column) else ""


def _aggregated(inner: exp.Select) -> bool:
    return bool(inner.args.get("group") or inner.args.get("having")
                or any(p.find(exp.AggFunc) for p in inner.expressions))


def _join(inner: exp.Select, rest: list, group: list, extra: list, pairs: list, alias: str) -> exp.Join:
    """LEFT JOIN to the subquery's rows (WHERE `rest`) grouped by `group`, on `pairs`."""
    select = inner.copy()
    select.set("where", exp.Where(this=exp.and_(*(c.copy() for c in rest))) if rest else None)
    select.set("expressions", [*(exp.alias_(g.copy(), f"{alias}_k{i}") for i, g in enumerate(group)), *extra])
    select.set("order", None)
    select.set("distinct", None)
    select.set("group", exp.Group(expressions=[g.copy() for g in group]))
    derived = exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias)))
    on = exp.and_(*(exp.EQ(this=o.copy(), expression=exp.column(f"{alias}_k{i}", alias))
                    for i, (o, _) in enumerate(pairs)))
    return exp.Join(this=derived, side="LEFT", on=on)


def in_value(alias: str, tested: exp.Expression) -> exp.Expression:
    """IN's three values from the two joins: FALSE, TRUE, NULL (v NULL or a NULL among them)."""
    unknown = exp.or_(_null(tested), exp.GT(this=exp.column(f"{alias}_n", alias), expression=exp.Literal.number(0)))
    return exp.Paren(this=exp.Case(
        ifs=[
            exp.If(this=_null(exp.column(f"{alias}_e", alias)), true=exp.false()),
            exp.If(this=exp.Not(this=_null(exp.column(f"{alias}v_e", f"{alias}v"))), true=exp.true()),
            exp.If(this=unknown, true=exp.null()),
        ],
        default=exp.false(),
    ))


def replace_in(holder: exp.In, value: exp.Expression, spark: bool) -> bool:
    """Put IN's SQL value (three-valued) in place of `holder`; False when not done. Spark's IN
    over a subquery is FALSE in places where SQL's is NULL (an existence join), so from Spark
    it is done only where the two keep the same rows: in a filter's ANDs and ORs, or as a NOT
    IN conjunct (Spark's null-aware anti join)."""
    if spark and not as_filter(holder):
        return False
    holder.replace(value)
    return True


def as_filter(node: exp.Expression) -> bool:
    negated = node
    while isinstance(negated.parent, exp.Paren):
        negated = negated.parent
    if isinstance(negated.parent, exp.Not):
        node, ops = negated.parent, (exp.And, exp.Paren)
    else:
        ops = (exp.And, exp.Or, exp.Paren)
    parent = node.parent
    while isinstance(parent, ops):
        node, parent = parent, parent.parent
    return isinstance(parent, exp.Where | exp.Having) or isinstance(parent, exp.Join) and node.arg_key == "on"


def _null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=e, expression=exp.null())
