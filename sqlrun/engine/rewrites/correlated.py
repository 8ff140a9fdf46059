"""Correlated subqueries: which subqueries name a column of a query around them (placed by
sqlglot's qualify on a copy), and the Polars refusal of those Polars SQL cannot plan.

Polars SQL plans a correlated subquery only in some shapes; the others fail inside Polars with
a message about a column it cannot find. What decorrelate.py, marks.py, fromless.py and
domains.py did not rewrite and is in a shape Polars never plans is refused here, at compile
time, naming the subquery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, ScopeType, traverse_scope

from sqlrun.engine.rewrites.base import Context, Refused

Text = Callable[[exp.Expression], str]  # a node's SQL with its columns qualified


@dataclass(frozen=True)
class Correlated:
    select: exp.Select  # the subquery's SELECT, in the tree given
    kind: ScopeType  # SUBQUERY (in an expression), DERIVED_TABLE, UNION...
    columns: dict[int, bool]  # id(column) -> names the enclosing query; {} when not all placed
    text: Text
    outer: frozenset[int]  # id(column) of those naming a query around it


def correlated(tree: exp.Expression, ctx: Context) -> list[Correlated]:
    """The SELECTs of `tree` that name a column of an enclosing query, innermost first; none
    when sqlglot cannot place the columns."""
    copy = tree.copy()
    pairs = list(zip(tree.walk(), copy.walk()))
    back = {id(c): o for o, c in pairs}
    forward = {id(o): c for o, c in pairs}
    try:
        qualify(copy, schema=ctx.schema or {}, dialect=ctx.source, validate_qualify_columns=False,
                quote_identifiers=False, identify=False, expand_stars=False)
        scopes = traverse_scope(copy)
    except RecursionError:
        raise
    except Exception:
        return []

    def text(node: exp.Expression) -> str:
        return forward.get(id(node), node).sql()

    found = []
    for scope in scopes:
        select = back.get(id(scope.expression))
        around, known = _outer_sources(scope), _known(scope, ctx)
        # (a column sqlglot could not place is the enclosing query's when the subquery's own
        # tables are all known: a LEFT SEMI JOIN's table, say, which the query's output hides)
        external = [c for c in scope.external_columns if id(c) in back and (c.table in around or not c.table and known)]
        if not external or not isinstance(select, exp.Select):
            continue
        if scope.scope_type != ScopeType.SUBQUERY and not _in_subquery(scope):
            continue  # a table in FROM can only name a query around it inside a subquery
        parent = set(scope.parent.sources) if scope.parent else set()
        outer = {id(back[id(c)]) for c in external if c.table in parent}
        others = {id(back[id(c)]) for c in external} - outer  # of a query further out
        columns = {id(back[id(c)]): id(back[id(c)]) in outer for c in scope.columns
                   if id(c) in back and id(back[id(c)]) not in others}
        found.append(Correlated(select, scope.scope_type, columns if _placed(scope, ctx) else {}, text,
                                frozenset(id(back[id(c)]) for c in external)))
    return found


def _outer_sources(scope: Scope) -> set[str]:
    names: set[str] = set()
    while scope.parent is not None:
        scope = scope.parent
        names |= set(scope.sources)
    return names


def _in_subquery(scope: Scope) -> bool:
    while scope.parent is not None:
        scope = scope.parent
        if scope.scope_type == ScopeType.SUBQUERY:
            return True
    return False


def _known(scope: Scope, ctx: Context) -> bool:
    """The scope's tables are all in the schema or derived: their columns are known."""
    known = {k.lower() for k in (ctx.schema or {})}
    return not any(isinstance(t, exp.Table) and t.name.lower() not in known for t in scope.sources.values())


def _placed(scope: Scope, ctx: Context) -> bool:
    """Every column of the subquery and its enclosing query has a known table: their tables
    are in the schema or derived (sqlglot would otherwise guess a lone table)."""
    return all(s is not None and _known(s, ctx) and all(c.table for c in s.columns) for s in (scope, scope.parent))


def polars_unplannable(tree: exp.Expression, ctx: Context) -> exp.Expression:
    for found in correlated(tree, ctx):
        reason = unplannable(found)
        if reason:
            raise Refused(found.select, f"a correlated subquery {reason}: Polars SQL cannot plan it")
    for node in tree.find_all(exp.In):
        if isinstance(node.this, exp.Tuple) and node.args.get("query"):
            raise Refused(node, "IN of several columns over a subquery: Polars SQL has no row values")
    return tree


def unplannable(found: Correlated) -> str | None:
    """Why Polars cannot plan this correlated subquery (each shape measured on Spark's tests)."""
    select = found.select
    if found.kind != ScopeType.SUBQUERY:
        return "in FROM or a set operation"
    node = select.parent
    test = isinstance(node, exp.Exists) or isinstance(node.parent, exp.In)  # EXISTS or IN, else a value
    clause = _clause(node)
    if clause in ("joins", "group", "order"):
        return {"joins": "in a JOIN condition", "group": "in GROUP BY", "order": "in ORDER BY"}[clause]
    if select.args.get("group") or select.args.get("having"):
        return "with GROUP BY or HAVING"
    if select.args.get("offset") or test and select.args.get("limit"):
        return "with LIMIT or OFFSET"
    if not select.args.get("from_") or select.args.get("with_"):
        return "without FROM or with WITH"
    if not test and (select.find(exp.Window) or any(n is not select for n in select.find_all(exp.Select))):
        return "giving a value through a window or another subquery"
    aggregates = (a for p in select.expressions for a in p.find_all(exp.AggFunc))
    if isinstance(node.parent, exp.In) and any(not a.find_ancestor(exp.Window) for a in aggregates):
        return "of IN over an aggregate"
    where = select.args.get("where")
    for c in conjuncts(where.this) if where else []:
        outer = [id(x) in found.outer for x in c.find_all(exp.Column)]
        if any(outer) and (all(outer) or not _compares_columns(c)):
            return "correlated other than by comparing a column of each"
    return None


def _compares_columns(c: exp.Expression) -> bool:
    comparison = isinstance(c, exp.EQ | exp.NEQ | exp.LT | exp.GT | exp.LTE | exp.GTE)
    return comparison and isinstance(c.this, exp.Column) and isinstance(c.expression, exp.Column)


def conjuncts(condition: exp.Expression) -> list[exp.Expression]:
    return list(condition.flatten()) if isinstance(condition, exp.And) else [condition]


def _clause(node: exp.Expression) -> str:
    """The clause of its SELECT the node is in ("where", "expressions", "joins"...)."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        child, parent = parent, parent.parent
    return child.arg_key if parent is not None else ""
