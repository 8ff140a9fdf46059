"""The Python API (for notebooks and the CLI): run, compile, parity."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlrun.adapters import LOCAL_ENGINES
from sqlrun.config import Project, load_project
from sqlrun.engine.catalog import Catalog, Query, is_create_model
from sqlrun.engine.models import outer_scores, scorer
from sqlrun.engine.models import redshift as redshift_models
from sqlrun.engine.models import statements as model_statements
from sqlrun.engine.models.catalog import ModelCatalog
from sqlrun.engine.models.training import refuse_without_local_model, train_model
from sqlrun.engine.outgoing import Outgoing, outgoing
from sqlrun.engine.parity import ParityResult, each_engine, is_ordered
from sqlrun.engine.pipeline import Plan, StepReport, make_plan
from sqlrun.engine.result_types import apply_types, step_types
from sqlrun.engine.schema import SchemaCache
from sqlrun.engine.store import STORE_DIR, Store, conform, days_source, value_key
from sqlrun.engine.target import Target, target
from sqlrun.errors import CatalogError, EngineError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.adapters.base import Engine
    from sqlrun.config import Source


class Session:
    """A project with its open engines; one engine instance per name for the session."""

    def __init__(self, project: Project | str | Path | None = None):
        self.project = project if isinstance(project, Project) else load_project(project)
        self.catalog = Catalog(self.project)
        self._engines: dict[str, Engine] = {}
        self._registered: dict[str, set[str]] = {}
        self.store = Store(self.project.root)
        self._columns: dict[str, dict | None] = {}
        self.schemas = SchemaCache(self.project.root / STORE_DIR / "schemas.json")
        self.models = ModelCatalog(self.catalog, self.project)
        self._targets: dict[str, Target] = {}

    def target(self, name: str | None = None) -> Target:
        """The engine as compile sees it, resolved once per name: its facts, the project's sources
        and the project's functions (trained models)."""
        name = name or self.project.engine
        if name not in self._targets:
            self._targets[name] = target(name, self.project.sources, self.models.inline,
                                         self.project.engine_settings(name))
        return self._targets[name]

    def engine(self, name: str | None = None) -> Engine:
        adapter = self.target(name).adapter
        if adapter.name not in self._engines:
            settings = self.project.engine_settings(adapter.name)
            if adapter.LOG_DIR:  # the engine's own output goes to a log in the project, not to stderr
                settings["log_dir"] = str(self.project.root / STORE_DIR / "logs")
            self._engines[adapter.name] = adapter(settings)
            self._registered[adapter.name] = set()
        return self._engines[adapter.name]

    def query(self, ref: str | Query) -> Query:
        return ref if isinstance(ref, Query) else self.catalog.get(ref)

    def compile(self, ref: str | Query, engine: str | None = None, params: dict | None = None) -> str:
        """The SQL a run of the query sends (`outgoing`, as `run` takes it): view steps it reads
        inlined, stored steps by name; for a CREATE MODEL file, what training sends."""
        query, to, values = self.query(ref), self.target(engine), _strings(params)
        if model_statements.is_model_statement(query.sql):
            statement = model_statements.parse(query)
            return statement.text if to.adapter.TRAINS_MODELS else model_statements.local_note(statement)
        if is_create_model(query.sql):
            spec = self.models.spec(query)
            training = self.compile(self.models.training_query(query), to.name, values) if spec.training_sql else None
            if to.adapter.TRAINS_MODELS:
                return redshift_models.create_statement(query, spec, training)
            if training is None:
                refuse_without_local_model(spec)
                return f"-- bring your own model: {spec.name} is read from '{spec.byom_source}'; nothing is sent"
            return training
        return self._outgoing(self.plan(query, values), query.name, to, values).sql

    def dry_run(self, ref: str | Query, engine: str | None = None, params: dict | None = None) -> list[str]:
        """Exactly the statements a run of the query would send to the engine; nothing runs."""
        query, to = self.query(ref), self.target(engine)
        sql = self.compile(query, to.name, params)
        if is_create_model(query.sql) and to.adapter.TRAINS_MODELS:
            return redshift_models.dry_run(self.models.spec(query), sql)
        if model_statements.is_model_statement(query.sql):
            return [sql]  # sent without a cursor (Redshift), or nothing sent (the comment says so)
        return self.engine(to.name).statements(sql) if to.adapter.WRAPS_QUERIES else [sql]

    def _outgoing(self, plan: Plan, name: str, to: Target, params: dict[str, str]) -> Outgoing:
        return outgoing(plan, name, to, params, self._schema(plan))

    def _schema(self, plan: Plan) -> dict:
        """Column types of the sources and stored steps the plan reads (file footers only)."""
        schema = {}
        for step in plan.steps.values():
            for name in step.sources:
                if name not in self._columns:
                    self._columns[name] = self.schemas.columns(self.project.sources[name])
                if self._columns[name]:
                    schema[name] = self._columns[name]
        for name, stored in plan.stored.items():
            columns = self.schemas.columns(stored.source())
            if columns:
                schema[name] = columns
        self.schemas.save()
        return schema

    def plan(self, ref: str | Query, params: dict | None = None, refresh: bool = False) -> Plan:
        """The pipeline steps the query needs, upstream first, and which are fresh in the store."""
        query = self.query(ref)
        return make_plan(
            self.catalog, self.project.sources, self.store, query, _strings(params), refresh, self.models.versions
        )

    def run(
        self,
        ref: str | Query,
        engine: str | None = None,
        params: dict | None = None,
        refresh: bool = False,
        on_step: Callable[[StepReport], None] | None = None,
        replace: bool = False,
    ) -> pa.Table:
        """Run a catalog query (or .sql path) on an engine, upstream pipeline steps first.

        Materialized steps that are fresh in the store are read back, not recomputed
        (`refresh` recomputes them); `on_step` gets one report per step. A CREATE MODEL
        file trains the model (`replace`: drop and recreate a changed model on Redshift).
        """
        engine_name = self.target(engine).name
        params = _strings(params)
        if model_statements.is_model_statement(self.query(ref).sql):
            statement = model_statements.parse(self.query(ref))
            if self.target(engine_name).adapter.TRAINS_MODELS:
                return model_statements.on_redshift(self.models, statement)
            return model_statements.run_locally(self.models, statement)
        if is_create_model(self.query(ref).sql):
            return train_model(self, self.query(ref), self.target(engine_name), params, refresh, replace, on_step)
        # The stored versions this run reads or writes are held: no other run's cleanup removes them.
        with self.store.reading():
            query = self.query(ref)
            plan = make_plan(self.catalog, self.project.sources, self.store, query, params, refresh,
                             self.models.versions, hold=True)
            report = on_step or (lambda _: None)
            result = None
            for name in plan.steps:
                status = plan.status(name)
                if status != "run":
                    stored = plan.stored.get(name)
                    if name == plan.target and stored:
                        result = self._read_stored(stored)
                    if name == plan.target and stored and result is None:
                        del plan.stored[name]  # damaged after all: recomputed below
                    else:
                        report(StepReport(name, status, stored.rows if stored else None))
                        continue
                started = time.perf_counter()
                result = self._compute(plan, name, engine_name, params)
                report(StepReport(name, "ran", result.num_rows, time.perf_counter() - started))
            return result

    def _read_stored(self, stored) -> pa.Table | None:
        """A stored result, or None if reading it shows it is damaged (then said once)."""
        try:
            return stored.read()
        except Exception:
            if self.store.verify(stored):
                raise
            return None

    def _compute(self, plan: Plan, name: str, engine_name: str, params: dict[str, str]) -> pa.Table:
        """Run one step (and store it if it is materialized). A failure that turns out to be a
        damaged stored input (checksums) recomputes that input and tries once more."""
        try:
            result = self._run_step(plan, name, engine_name, params)
        except Exception:
            damaged = [s for s in list(plan.stored) if not self._verify(plan, s)]
            if not damaged:
                raise
            order = list(plan.steps)
            for step_name in damaged:
                del plan.stored[step_name]  # later steps: recomputed when the loop reaches them
            for step_name in damaged:
                if order.index(step_name) < order.index(name):
                    self._compute(plan, step_name, engine_name, params)
            result = self._run_step(plan, name, engine_name, params)
        step = plan.steps[name]
        if step.incremental is not None:
            value = plan.values[name]
            others = list(plan.days[name].values())
            result = conform(result, others[-1] if others else None)
            plan.stored[name] = self.store.days(name).write(
                value_key(value), result, plan.fingerprints[name], engine_name, step.partition_by, True, value
            )
        elif step.materialize == "parquet":
            plan.stored[name] = self.store.write(
                name, result, plan.fingerprints[name], engine_name, step.partition_by, hold=True
            )
        return result

    def _verify(self, plan: Plan, name: str) -> bool:
        """Checksums of a stored step the plan reads (for an incremental step: every value read)."""
        step = plan.steps[name]
        if step.incremental is None:
            return self.store.verify(plan.stored[name])
        days = self.store.days(name)
        bad = sorted(v for v, stored in plan.days[name].items() if not days.verify(stored))
        if bad:
            raise CatalogError(
                f"step '{name}': stored value(s) {', '.join(bad)} are damaged: recompute them with"
                f" --param {step.incremental}=VALUE --refresh"
            )
        return days.verify(plan.stored[name])

    def _run_step(self, plan: Plan, name: str, engine_name: str, params: dict[str, str]) -> pa.Table:
        query, to = plan.steps[name].query, self.target(engine_name)
        schema = self._schema(plan)
        sent = outgoing(plan, name, to, params, schema)
        engine = self.engine(engine_name)
        for table, source in sent.sources.items():
            if table not in self._registered[engine_name]:
                engine.register_source(table, source)
                self._registered[engine_name].add(table)
        if sent.split is None:
            for function, model in scorer.used(sent.sql).items():  # trained models the SQL scores in the engine
                engine.add_model_function(function, model)
        for upstream in sent.stored:
            # Registered on every run: a recomputed step lives in a new directory.
            engine.register_source(upstream, self._stored_source(plan, upstream))
        try:
            if sent.split is not None:  # the models' scores in one batch between two statements
                table = outer_scores.run(engine, sent.split, scorer.used(sent.sql))
            else:
                table = engine.to_arrow(sent.sql)
        except EngineError as exc:  # the engine's own words, with the file whose SQL it ran
            raise EngineError(f"{query.path}: {exc}") from None
        if query.dialect == to.dialect:  # the source's own engine: its types are the answer's
            return table
        return apply_types(table, step_types(plan, name, params, schema), str(query.path), query.dialect)

    def _stored_source(self, plan: Plan, name: str) -> Source:
        """A stored step as a source: for an incremental step, all its stored values."""
        if plan.steps[name].incremental is None:
            return plan.stored[name].source()
        others = [plan.days[name][v] for v in sorted(plan.days[name])]
        return days_source(name, [*others, plan.stored[name]])  # the run's value last: the reference

    def parity(
        self, refs: list[str], engines: list[str] | None = None, params: dict | None = None
    ) -> list[ParityResult]:
        """Run each query on each engine and compare every result with the first engine's."""
        engines = engines or list(LOCAL_ENGINES)
        for name in engines:
            self.target(name)  # an unknown name fails before anything runs
        results = []
        for ref in refs:
            query = self.query(ref)
            # refresh: every engine computes every pipeline step itself.
            results += each_engine(query.name, engines, is_ordered(query.ast()),
                                   lambda name, query=query: self.run(query, name, params, refresh=True))
        return results

    def close(self) -> None:
        self.models.close()
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _strings(params: dict | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (params or {}).items()}


def run(query: str, engine: str | None = None, params: dict | None = None, project=None) -> pa.Table:
    with Session(project) as session:
        return session.run(query, engine, params)


def compile(query: str, engine: str | None = None, params: dict | None = None, project=None) -> str:
    return Session(project).compile(query, engine, params)


def parity(queries: list[str], engines: list[str] | None = None, params: dict | None = None, project=None):
    with Session(project) as session:
        return session.parity(list(queries), engines, params)
