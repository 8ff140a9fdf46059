"""What a run of one step sends to its engine, decided before anything runs.

`compile`, `dry_run` and `run` all take their SQL from `outgoing`: what compile shows is what
run sends, by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.adapters import LOCAL_ENGINES
from sqlrun.engine.compile import generate
from sqlrun.engine.models import outer_scores, scorer
from sqlrun.engine.parse import where
from sqlrun.engine.pipeline import Plan, materialized_inputs, referenced_tables, step_tree, table_name
from sqlrun.errors import CatalogError, CompileError

if TYPE_CHECKING:
    from sqlrun.config import Source
    from sqlrun.engine.target import Target


@dataclass(frozen=True)
class Outgoing:
    sql: str
    sources: dict[str, Source]  # project sources the SQL reads, registered first
    stored: tuple[str, ...]  # materialized steps it reads, registered from the store
    split: outer_scores.Split | None = None  # run as two statements around the models' scores


def outgoing(plan: Plan, name: str, target: Target, params: dict[str, str], schema: dict | None) -> Outgoing:
    """The step's SQL for `target` (view steps inlined, stored steps by name) and its tables."""
    query = plan.steps[name].query
    tree = _bare_sources(step_tree(plan, name, target, params, schema), target.sources)
    tables = referenced_tables(query, tree)  # before generating, which changes the tree
    sql = generate(query, target.map_tables(tree), target, copy=False)
    split = None
    if target.adapter.MODEL_BATCH and scorer.used(sql):
        split = outer_scores.split(sql, target.dialect)
        if split is None and not target.adapter.MODEL_CALLS:  # (Polars) the trees as SQL then
            return outgoing(plan, name, replace(target, model_calls=False), params, schema)
    stored = tuple(materialized_inputs(plan, name))
    if stored and not target.adapter.LOCAL:
        raise CatalogError(
            f"{query.path}: reads materialized step(s) {', '.join(stored)}, which only"
            f" {', '.join(LOCAL_ENGINES)} can read back (asked for {target.name})"
        )
    sources = dict(target.sources)
    needed = {}
    for table, node in tables.items():
        if table in stored:
            continue
        if table not in sources:
            known = ", ".join(sorted(sources)) or "none"
            raise CatalogError(f"{where(query, node)}: unknown table '{table}' (sources: {known})")
        needed[table] = sources[table]
    _bind_empty(query, tree, target, split.first if split else sql, needed, {s: plan.stored.get(s) for s in stored})
    return Outgoing(split.text() if split else sql, needed, stored, split)


def _bind_empty(query, tree: exp.Expression, target: Target, sql: str, sources: dict, stored: dict) -> None:
    """The engine binds the SQL over empty tables of the inputs' schemas, or compile refuses it
    (a binder or type error known before anything runs, not an engine error at run time)."""
    if any(s is None or s.value is not None for s in stored.values()):
        return  # an input not stored yet (compile before its run), or by value: not checked
    tables = {**sources, **{name: s.source() for name, s in stored.items()}}
    reason = target.adapter.binds(sql, tables, literal_only=tree.find(exp.Table) is None, functions=scorer.used(sql))
    if reason:
        raise CompileError(f"{where(query, tree)}: {target.name} cannot run this statement: {reason}"
                           f" ({query.dialect} -> {target.name})")


def _bare_sources(tree: exp.Expression, sources: dict[str, Source]) -> exp.Expression:
    """`public.events` as the source it names (pipeline.table_name), by the name every engine
    registers it under; on Redshift, map_tables then gives its table."""
    for table in tree.find_all(exp.Table):
        if table.args.get("db") and not isinstance(table.this, exp.Func):
            name = table_name(table, sources)
            if name in sources:
                if table.args.get("alias") is None and table.name.lower() != name:  # `dim_u.k` still names it
                    table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
                table.set("this", exp.to_identifier(name))  # in place: a sample or hint on it stays
                table.set("db", None)
                table.set("catalog", None)
    return tree
