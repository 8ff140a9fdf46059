"""Planning for Polars, whose SQL plans no subquery in a JOIN condition: a conjunct of ON with a
subquery (`... JOIN y ON x1 = y1 AND EXISTS (SELECT ... WHERE z2 = y2)`) that names the columns
of one joined table only is a filter of that table, moved into it:
`JOIN (SELECT * FROM y WHERE EXISTS (...)) AS y ON x1 = y1`, the same rows.

That holds for the table whose unmatched rows the join drops: the joined table of an inner,
LEFT, LEFT SEMI or LEFT ANTI join; the first table of an inner, RIGHT or LEFT SEMI join when
no join before it NULL-extends that table (only inner, LEFT, SEMI and ANTI joins before it).
decorrelate.py then turns the moved subquery into a join where it can; anything else is left as
written (correlated.py refuses it).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from sqlrun.engine.rewrites.base import Context
from sqlrun.engine.rewrites.correlated import conjuncts


def polars_join_subqueries(tree: exp.Expression, ctx: Context) -> exp.Expression:
    joins = [j for j in tree.find_all(exp.Join) if (j.args.get("on") and j.args["on"].find(exp.Select))]
    known = {str(k).lower() for k in ctx.schema or {}}
    if not joins or any(t.name.lower() not in known for t in tree.find_all(exp.Table)):
        return tree  # (a column is placed for sure only when every table's columns are known)
    copy = tree.copy()
    forward = {id(o): c for o, c in zip(tree.walk(), copy.walk())}
    try:
        qualify(copy, schema=ctx.schema or {}, dialect=ctx.source, validate_qualify_columns=False,
                quote_identifiers=False, identify=False, expand_stars=False)
    except RecursionError:
        raise
    except Exception:
        return tree
    for join in joins:
        _move(join, forward, ctx.schema or {})
    return tree


def _move(join: exp.Join, forward: dict, schema: dict) -> None:
    select = join.parent
    if not isinstance(select, exp.Select) or not select.args.get("from_"):
        return
    joins = select.args.get("joins") or []
    first = select.args["from_"].this
    relations = {r.alias_or_name: r for r in (first, *(j.this for j in joins))}
    named = all(isinstance(r, exp.Table | exp.Subquery) and r.alias_or_name for r in relations.values())
    if len(relations) != 1 + len(joins) or not named:
        return
    written = conjuncts(join.args["on"].unnest())
    kept, filtered = [], {}
    for c in written:
        target = _one_table(c, forward, relations, schema) if c.find(exp.Select) else None
        if target is not None and _filters(join, joins, target is join.this, target is first):
            filtered.setdefault(target.alias_or_name, (target, []))[1].append(c.copy())
        else:
            kept.append(c)
    if not filtered or not kept:
        return  # (an ON of the subquery alone: left as written)
    join.set("on", exp.and_(*kept))
    for table, conditions in filtered.values():
        _filter(table, exp.and_(*conditions))


def _one_table(c: exp.Expression, forward: dict, relations: dict, schema: dict) -> exp.Table | None:
    """The one joined table whose columns the conjunct names (its subqueries' own tables aside).
    (qualify leaves the table of a SEMI or ANTI join unplaced: its column is then placed by the
    schema, when only one joined table has it.)"""
    names = set()
    for col in c.find_all(exp.Column):
        qualified = forward.get(id(col))
        table = qualified.table if isinstance(qualified, exp.Column) else ""
        if not table:
            having = [n for n, r in relations.items() if col.name.lower() in _columns(schema, r.name)]
            if col.table or len(having) != 1:
                return None
            table = having[0]
        names.add(table)
    inner = {t.alias_or_name for s in c.find_all(exp.Select) for t in s.find_all(exp.Table)}
    outer = names & set(relations)
    if len(outer) != 1 or inner & set(relations) or names - outer - inner:
        return None
    return relations[outer.pop()]


def _filters(join: exp.Join, joins: list, joined: bool, first: bool) -> bool:
    """Whether a filter of the join's ON on that table keeps the join's rows."""
    side, kind = join.args.get("side") or "", join.args.get("kind") or ""
    if kind not in ("", "INNER", "SEMI", "ANTI") or join.args.get("using") or join.args.get("method"):
        return False
    if joined:
        return side in ("", "LEFT")
    inner = side == "" and kind in ("", "INNER")
    # (the first table, its rows not NULL-extended by a join before this one)
    kept = all((j.args.get("side") or "") in ("", "LEFT") for j in joins[:joins.index(join)])
    return first and kept and (inner or side == "RIGHT" and not kind or side == "LEFT" and kind == "SEMI")


def _filter(table: exp.Table, condition: exp.Expression) -> None:
    name = table.alias_or_name
    inner = exp.select("*").from_(table.copy()).where(condition)
    table.replace(exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(name))))


def _columns(schema: dict, table: str) -> set[str]:
    for name, columns in schema.items():
        if name.lower() == table.lower() and isinstance(columns, dict):
            return {str(k).lower() for k in columns}
    return set()
