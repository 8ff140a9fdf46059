"""Pipelines: catalog queries that read other catalog queries by name, as if they were tables.

The DAG comes from the syntax tree (table references that name a catalog query, CTE names
excluded). Steps run upstream first, on one engine. A step without a `materialize` header is
a view: its SQL is inlined as CTEs into each step that reads it, so every engine run is one
SQL string. A `-- materialize: parquet` step is written to the store (.sqlrun/) keyed by a
fingerprint of its content - SQL text, bound parameters and its inputs' fingerprints (for a
source: its files' paths, sizes and mtimes; for a call of a trained model's FUNCTION: the
model's stored version) - so it is engine-independent, and an unchanged step is read back
instead of recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.engine.catalog import Catalog, Query
from sqlrun.engine.compile import compile_tree, generate
from sqlrun.engine.fingerprint import ModelVersions, fingerprints, run_value, step_params
from sqlrun.engine.parse import where
from sqlrun.engine.store import Store, Stored, value_key
from sqlrun.engine.target import Target
from sqlrun.errors import CatalogError, CompileError

if TYPE_CHECKING:
    from sqlrun.config import Source

MATERIALIZE = ("view", "parquet")


def referenced_tables(
    query: Query, tree: exp.Expression, sources: dict[str, Source] | None = None
) -> dict[str, exp.Expression]:
    """Tables the query reads (CTE names excluded), with a node to point at in errors. A name
    with a schema (`public.events`, as Redshift SQL writes it) is the source whose Redshift
    table it is, or stays qualified (and so unknown)."""
    ctes: set[str] = set()
    tables: dict[str, exp.Expression] = {}
    for node in tree.find_all(exp.CTE, exp.Table):  # one walk: this runs on every query
        if isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name.lower())
        elif node.name and not isinstance(node.this, exp.Func):
            tables.setdefault(table_name(node, sources or {}), node)
    return {name: node for name, node in tables.items() if name not in ctes}


_QUALIFIED = "; a schema-qualified name is the source whose table it is on Redshift (its `redshift` key)"


def table_name(table: exp.Table, sources: dict[str, Source]) -> str:
    """The lower-case name a table reference reads: a source's for `schema.table` when that is the
    source's table on Redshift (public.<name> by default), else the name as written."""
    if not table.args.get("db"):
        return table.name.lower()
    written = ".".join(p.name for p in table.parts).lower()
    found = [name for name, source in sources.items() if source.qualified_name() == written]
    return found[0] if len(found) == 1 else written


@dataclass(frozen=True)
class Step:
    query: Query
    inputs: tuple[str, ...]  # upstream steps, by name
    sources: tuple[str, ...]  # sources read directly
    materialize: str = "view"
    partition_by: tuple[str, ...] = ()
    incremental: str | None = None  # the parameter whose each value is stored apart (`-- incremental: ds`)

    @property
    def name(self) -> str:
        return self.query.name


@dataclass
class Plan:
    """The steps `target` needs, upstream first, with fingerprints and freshness."""

    target: str
    steps: dict[str, Step]
    fingerprints: dict[str, str] = field(default_factory=dict)
    stored: dict[str, Stored] = field(default_factory=dict)  # fresh materialized results
    # Incremental steps: the run's value, and the other stored values (read by the steps downstream).
    values: dict[str, str] = field(default_factory=dict)
    days: dict[str, dict[str, Stored]] = field(default_factory=dict)

    def status(self, name: str) -> str:
        """fresh | run | view (inlined into the steps that read it)."""
        if name in self.stored:
            return "fresh"
        return "run" if self.steps[name].materialize != "view" or name == self.target else "view"


@dataclass(frozen=True)
class StepReport:
    """One line of progress: a step ran, was fresh, or was inlined as a view."""

    step: str
    status: str
    rows: int | None = None
    seconds: float = 0.0


def step_options(query: Query) -> tuple[str, tuple[str, ...], str | None]:
    """The materialize, partition_by and incremental headers, checked."""
    mode = query.headers.get("materialize", "view").strip().lower()
    if mode not in MATERIALIZE:
        raise CatalogError(f"{query.path}: materialize must be one of {', '.join(MATERIALIZE)}, not '{mode}'")
    parts = tuple(p.strip() for p in query.headers.get("partition_by", "").split(",") if p.strip())
    if parts and mode != "parquet":
        raise CatalogError(f"{query.path}: partition_by needs '-- materialize: parquet'")
    incremental = query.headers.get("incremental", "").strip() or None
    if incremental is not None:
        if mode != "parquet":
            raise CatalogError(f"{query.path}: incremental needs '-- materialize: parquet'")
        if incremental not in {p.name for p in query.params}:
            raise CatalogError(
                f"{query.path}: incremental: '{incremental}' is not one of its parameters (declare it with"
                f" '-- param {incremental}: date')"
            )
    return mode, parts, incremental


def build_dag(catalog: Catalog, sources: dict[str, Source], target: Query) -> dict[str, Step]:
    """Every step `target` reads, in topological order (upstream first); refuses cycles."""
    queries = {name.lower(): q for name, q in catalog.queries.items()}
    steps: dict[str, Step] = {}

    def visit(query: Query, stack: list[str]) -> None:
        inputs, direct = [], []
        for name, node in referenced_tables(query, query.ast(), sources).items():
            upstream = queries.get(name)
            if upstream is not None and upstream.path == query.path and name in sources:
                upstream = None  # `users.sql` reading the source `users`, not itself
            if upstream is not None and name in sources:
                raise CatalogError(f"{where(query, node)}: '{name}' is both a source and a catalog query")
            if upstream is None:
                if name not in sources and catalog.problem(name) is not None:
                    raise catalog.problem(name)  # a catalog file that could not be loaded
                if name not in sources:
                    known = ", ".join(sorted(sources)) or "none"
                    raise CatalogError(
                        f"{where(query, node)}: unknown table '{name}' (sources: {known}; or a catalog query name)"
                        + (_QUALIFIED if "." in name else "")
                    )
                direct.append(name)
                continue
            if upstream.name in stack:
                cycle = " -> ".join([*stack[stack.index(upstream.name):], upstream.name])
                raise CatalogError(f"{where(query, node)}: cycle in the pipeline: {cycle}")
            if upstream.name not in steps:
                visit(upstream, [*stack, upstream.name])
            inputs.append(upstream.name)
        mode, parts, incremental = step_options(query)
        steps[query.name] = Step(query, tuple(inputs), tuple(direct), mode, parts, incremental)

    visit(target, [target.name])
    return steps


def check_params(steps: dict[str, Step], params: dict[str, str]) -> None:
    declared = {p.name for step in steps.values() for p in step.query.params}
    unknown = sorted(set(params) - declared)
    if unknown:
        target = list(steps.values())[-1].query
        raise CatalogError(f"{target.path}: unknown parameter(s): {', '.join(unknown)}")


def make_plan(
    catalog: Catalog, sources: dict[str, Source], store: Store, target: Query,
    params: dict[str, str], refresh: bool = False, models: ModelVersions | None = None, hold: bool = False,
) -> Plan:
    """The plan, its parameters checked (compile and run alike).
    `hold`: keep the fresh stored versions from removal (inside store.reading(): a run)."""
    steps = build_dag(catalog, sources, target)
    check_params(steps, params)
    plan = Plan(target.name, steps)
    if not any(s.materialize != "view" for s in steps.values()):
        return plan  # nothing stored: no need to stat the sources' files
    for name, step in steps.items():
        if step.incremental is not None:
            plan.values[name] = run_value(step, params)
            stored = store.all_days(name, hold, own=plan.values[name])
            plan.days[name] = {v: s for v, s in stored.items() if v != plan.values[name]}
    others = {name: {v: s.fingerprint for v, s in days.items()} for name, days in plan.days.items()}
    plan.fingerprints = fingerprints(steps, sources, params, models, others)
    if not refresh:
        for name, step in steps.items():
            if step.materialize == "view":
                continue
            if step.incremental is None:
                stored = store.current(name, hold, plan.fingerprints[name])
            else:
                stored = store.days(name).current(value_key(plan.values[name]), hold, plan.fingerprints[name])
            if stored is not None and stored.fingerprint == plan.fingerprints[name]:
                plan.stored[name] = stored
    return plan


def inlined_views(plan: Plan, name: str) -> list[str]:
    """The view steps `name` reads, transitively up to materialized steps, upstream first."""
    needed: set[str] = set()

    def walk(step: str) -> None:
        for upstream in plan.steps[step].inputs:
            if plan.steps[upstream].materialize == "view" and upstream not in needed:
                needed.add(upstream)
                walk(upstream)

    walk(name)
    return [s for s in plan.steps if s in needed]


def materialized_inputs(plan: Plan, name: str) -> list[str]:
    """The materialized steps read by `name` or by the views inlined into it."""
    readers = [name, *inlined_views(plan, name)]
    return sorted({i for r in readers for i in plan.steps[r].inputs if plan.steps[i].materialize != "view"})


def step_tree(
    plan: Plan, name: str, target: Target, params: dict[str, str], schema: dict | None = None
) -> exp.Expression:
    """The step's compiled tree with the view steps it reads inlined as leading CTEs."""
    query = plan.steps[name].query
    tree = compile_tree(query, target, step_params(query, params), schema)
    ctes: list[exp.CTE] = []
    for view in inlined_views(plan, name):
        view_query = plan.steps[view].query
        view_tree = compile_tree(view_query, target, step_params(view_query, params), schema)
        generate(view_query, view_tree, target)  # an untranslatable view fails naming its own file
        ctes.extend(_as_ctes(view, view_tree))
    if not ctes:
        return tree
    own = tree.args.get("with_")
    taken = {c.alias_or_name.lower() for c in ctes}
    for cte in own.expressions if own else []:
        if cte.alias_or_name.lower() in taken:
            raise CompileError(
                f"{where(query, cte)}: CTE '{cte.alias_or_name}' has the name of a pipeline step it reads"
            )
    recursive = bool(own and own.args.get("recursive"))
    tree.set("with_", exp.With(expressions=[*ctes, *(own.expressions if own else [])], recursive=recursive))
    return tree


def _as_ctes(name: str, tree: exp.Expression) -> list[exp.CTE]:
    """A view step as CTEs: its own CTEs (renamed `<step>__<cte>`, hoisted) then `<step> AS (...)`."""
    tree = tree.copy()
    own = tree.args.get("with_")
    ctes = list(own.expressions) if own else []
    if own:
        tree.set("with_", None)
    renames = {c.alias_or_name.lower(): f"{name}__{c.alias_or_name}" for c in ctes}
    for scope in [*ctes, tree]:
        for table in scope.find_all(exp.Table):
            original = table.name
            if not table.args.get("db") and original.lower() in renames:
                table.set("this", exp.to_identifier(renames[original.lower()]))
                if not table.alias:  # keep `original.col` qualifiers working
                    table.set("alias", exp.TableAlias(this=exp.to_identifier(original)))
    for cte in ctes:
        cte.set("alias", exp.TableAlias(this=exp.to_identifier(renames[cte.alias_or_name.lower()])))
    return [*ctes, exp.CTE(this=tree, alias=exp.TableAlias(this=exp.to_identifier(name)))]
