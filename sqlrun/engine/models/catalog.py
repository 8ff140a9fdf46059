"""The project's models: CREATE MODEL files in the catalog, trained ones in the store.

A Session owns one ModelCatalog. The Session runs a model's training query (pipeline steps
included) and hands the table to `store_trained`; `inline` (the Target's functions, run by
compile_tree before its checks) puts a trained model's FUNCTION into every query that calls it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from functools import partial
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.digest import digest
from sqlrun.engine.catalog import Query, is_create_model
from sqlrun.engine.fingerprint import fingerprints
from sqlrun.engine.models import explain, features, mlp, names, probabilities, scorer, sql_cache, structs, to_sql
from sqlrun.engine.models.listing import summary
from sqlrun.engine.models.spec import ModelSpec, parse_model
from sqlrun.engine.models.store import ModelStore, StoredModel
from sqlrun.engine.models.trees_sql import Layout
from sqlrun.engine.parse import fail
from sqlrun.engine.pipeline import build_dag
from sqlrun.engine.versions import Damaged, check_name
from sqlrun.errors import CatalogError, CompileError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.config import Project
    from sqlrun.engine.catalog import Catalog
    from sqlrun.engine.target import Target

class ModelCatalog:
    def __init__(self, catalog: Catalog, project: Project):
        self.catalog = catalog
        self.project = project
        self.store = ModelStore(project.root)
        self._specs: dict[str, ModelSpec] = {}
        self._redshift = None  # a cursor-less Redshift engine for CREATE/SHOW/DROP MODEL
        self.poll_seconds = 30.0  # SHOW MODEL polling while Redshift trains
        self.progress = lambda message: None  # the CLI prints these

    def close(self) -> None:
        if self._redshift is not None:
            self._redshift.close()
            self._redshift = None

    # -- the catalog side ------------------------------------------------------------
    def spec(self, query: Query) -> ModelSpec:
        if query.name not in self._specs:
            spec = parse_model(query)
            check_name(spec.name, "model name", str(query.path))  # it names the model's store directory
            self._specs[query.name] = spec
        return self._specs[query.name]

    def model_queries(self) -> dict[str, Query]:
        return {q.name: q for q in self.catalog.queries.values() if is_create_model(q.sql)}

    def declarations(self) -> list[names.Function]:
        """Every model FUNCTION the catalog declares (names.py resolves calls among them)."""
        found = []
        for query in self.model_queries().values():
            try:
                function = names.declared(query, self.spec(query))
            except (CompileError, CatalogError):
                continue  # a broken model file fails when it is run, not in unrelated queries
            if function is not None:
                found.append(function)
        return found

    def query_for(self, name: str) -> Query:
        """A model by its catalog query name or its model name."""
        models = self.model_queries()
        if name in models:
            return models[name]
        for query in models.values():
            if self.spec(query).name.lower() == name.lower():
                return query
        raise CatalogError(f"unknown model '{name}' (models: {', '.join(sorted(models)) or 'none'})")

    def training_query(self, query: Query) -> Query:
        """The training query as a catalog query of its own (same file, same positions)."""
        return replace(query, sql=self.spec(query).training_sql)

    def fingerprint(self, query: Query, params: dict[str, str]) -> str:
        """The statement, its parameters, and every pipeline step and source it trains on."""
        training = self.training_query(query)
        steps = build_dag(self.catalog, self.project.sources, training)
        prints = fingerprints(steps, self.project.sources, params, self.versions)
        return digest({"sql": query.sql, "dialect": query.dialect, "params": params, "inputs": prints})

    # -- training --------------------------------------------------------------------
    def fresh(self, query: Query, params: dict[str, str]) -> tuple[str, pa.Table | None]:
        """The training fingerprint, and the summary row when the stored model has it already."""
        import pyarrow as pa

        fingerprint = self.fingerprint(query, params)
        try:
            current = self.store.current(self.spec(query).name)
        except Damaged:
            current = None  # retraining replaces it
        if current is not None and current.meta["fingerprint"] == fingerprint:
            return fingerprint, pa.Table.from_pylist([summary(current.meta, "fresh")])
        return fingerprint, None

    def store_byom(self, query: Query, engine: str) -> pa.Table:
        """Bring your own model: load the model FROM names and store it like a trained one."""
        import pyarrow as pa

        from sqlrun.engine.models import byom

        spec = self.spec(query)
        started = time.perf_counter()
        data = byom.read_source(spec, self.project.root, self.project.s3)
        fingerprint = digest({"sql": query.sql, "model": digest(data.hex())})
        try:
            current = self.store.current(spec.name)
        except Damaged:
            current = None  # loading it again replaces it
        if current is not None and current.meta["fingerprint"] == fingerprint:
            return pa.Table.from_pylist([summary(current.meta, "fresh")])
        return self.store_trained(query, engine, fingerprint, None, time.perf_counter() - started,
                                  byom.load(spec, data))

    def store_trained(self, query: Query, engine: str, fingerprint: str, table: pa.Table | None, queried: float,
                      trained=None) -> pa.Table:
        """Train on the training query's result (`queried`: seconds it took) and store the model
        (`trained`: a model loaded rather than trained here)."""
        import pyarrow as pa

        from sqlrun.engine.models.train import train

        spec = self.spec(query)
        started = time.perf_counter()
        trained = trained or train(spec, table)
        seconds = queried + time.perf_counter() - started
        model_type = spec.model_type or ("BYOM" if spec.byom_source else "XGBOOST")
        meta = {
            "name": spec.name, "query": query.name, "function": spec.function, "engine": engine, "state": "READY",
            "model_type": model_type, "problem_type": trained.model["problem_type"],
            "target": trained.model.get("target") or spec.target,
            "features": [e["name"] for e in trained.model.get("inputs") or []] or trained.model["features"],
            "arg_types": names.arg_types(spec, table, trained.model),
            "metrics": trained.metrics,
            "rows": trained.rows, "query_seconds": round(queried, 3), "train_seconds": round(seconds - queried, 3),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "fingerprint": fingerprint,
            "statement": digest(query.sql), "spec": {k: v for k, v in asdict(spec).items() if k != "training_sql"},
            "training_query": spec.training_query,
        }
        stored = self.store.write(spec.name, trained.model, trained.artifact_name, trained.artifact, meta)
        return pa.Table.from_pylist([summary(stored.meta, "trained")])

    def trained(self, query: Query) -> StoredModel | None:
        """The stored model (None: not trained); a damaged one is an error saying to retrain."""
        name = self.spec(query).name
        try:
            return self.store.current(name)
        except Damaged as exc:
            raise CatalogError(
                f"model {name} is damaged in the store ({exc}): retrain it with `sqlrun run {query.name}`"
            ) from None

    def versions(self, query: Query) -> dict[str, str | None]:
        """The stored version of each model `query` calls (its FUNCTION, an overload of it, or
        EXPLAIN_MODEL; None: not trained), so a step's fingerprint changes when one is retrained."""
        tree = query.ast()
        called = {f.query.name: f.query for c in names.calls(tree, self.declarations()) for f in c.candidates}
        for node in explain.calls(tree):
            try:
                found = explain.named(self, node)
            except names.Ambiguous:
                continue  # compiling says so
            if found is not None:
                called[found.name] = found
        used: dict[str, str | None] = {}
        for declared in sorted(called.values(), key=lambda q: q.name):
            name = self.spec(declared).name
            try:
                stored = self.store.current(name)
            except Damaged:
                stored = None  # scoring fails, saying to retrain
            used[name] = stored.path.name if stored else None
        return used

    # -- scoring ---------------------------------------------------------------------
    def inline(self, query: Query, tree: exp.Expression, target: Target, schema: dict | None = None
               ) -> exp.Expression:
        """Replace each call of a model FUNCTION by the trained model as SQL (kept as a call on an
        engine that trains models itself); `_probabilities` and EXPLAIN_MODEL by their structs."""
        for call in names.calls(tree, self.declarations()):
            if not call.candidates and target.adapter.TRAINS_MODELS:
                continue  # a function of that name in another schema: Redshift's to find
            try:
                declared = names.choose(call, self._types, schema).query
            except names.Ambiguous as exc:
                raise fail(query, call.call, target.name, str(exc)) from None
            if target.adapter.TRAINS_MODELS:
                refusal = probabilities.redshift_refusal(self.spec(declared)) if call.probabilities else None
                if refusal:
                    raise fail(query, call.call, target.name, refusal)
                call.call.meta["sqlrun_model"] = declared.name  # the engine runs its own function
            elif call.probabilities:
                structs.placed(query, call.call, call.node,
                               partial(self._probabilities, query, call.call, declared, target), target)
            else:
                call.node.replace(self._expression(query, call.call, declared, target))
        for node in explain.calls(tree):
            explain.place(self, query, node, target)
        return tree

    def _types(self, function: names.Function) -> tuple[str, ...] | None:
        """A FUNCTION's parameter types: declared (bring your own model) or the training columns'."""
        spec = self.spec(function.query)
        if spec.arg_types:
            return tuple(t.lower() for t in spec.arg_types)
        try:
            stored = self.store.current(spec.name)
        except Damaged:
            return None
        return tuple(stored.meta["arg_types"]) if stored is not None and stored.meta.get("arg_types") else None

    def current(self, query: Query, node: exp.Expression, declared: Query, engine: str) -> StoredModel:
        """The trained model a call uses; an error saying what to do when there is none to use."""
        from sqlrun.engine.models.train import local_refusal

        refusal = local_refusal(self.spec(declared))
        if refusal:
            raise fail(query, node, engine, refusal)
        stored = self.trained(declared)
        if stored is None:
            raise fail(query, node, engine,
                       f"model {self.spec(declared).name} is not trained: run `sqlrun run {declared.name}` first")
        if stored.meta["statement"] != digest(declared.sql):
            raise fail(query, node, engine,
                       f"{declared.path} changed since model {stored.name} was trained:"
                       f" retrain it with `sqlrun run {declared.name}`")
        return stored

    def _compiled(self, query: Query, node: exp.Anonymous, declared: Query, target: Target, kind: str
                  ) -> to_sql.Template:
        """The model compiled for the target's engine (sql_cache.py: built once per stored version)."""
        stored = self.current(query, node, declared, target.name)
        function = scorer.function_name(stored) if target.model_functions and scorer.scorable(stored) else ""
        layout = Layout(target.adapter.MODEL_TREES, target.adapter.MODEL_SUMS, target.dialect, function)
        try:
            return sql_cache.template(self.store, stored, target.name, layout, kind)
        except ValueError as exc:
            raise fail(query, node, target.name, str(exc)) from None

    def _arguments(self, query: Query, node: exp.Anonymous, info: dict, engine: str) -> list[exp.Expression]:
        """The call's arguments as the features the compiled model reads (`info`: to_sql.summary)."""
        args = list(node.expressions)
        inputs = info.get("inputs")  # encoded arguments (features.py); older models take numbers
        arg_names = [e["name"] for e in inputs] if inputs else info["features"]
        if len(args) != len(arg_names):
            raise fail(query, node, engine,
                       f"takes {len(arg_names)} arguments ({', '.join(arg_names)}), got {len(args)}")
        if inputs:
            args = features.sql(inputs, args)
        if info.get("hidden"):  # an MLP: its output layer is linear over the hidden units
            args = mlp.hidden_sql(info, args)
        return args

    def _probabilities(self, query: Query, node: exp.Anonymous, declared: Query, target: Target) -> dict:
        compiled = self._compiled(query, node, declared, target, "margins")
        args = self._arguments(query, node, compiled.info, target.name)
        return probabilities.value(compiled.info, to_sql.compiled_margins(compiled, args))

    def _expression(self, query: Query, node: exp.Anonymous, declared: Query, target: Target) -> exp.Expression:
        compiled = self._compiled(query, node, declared, target, "predict")
        args = self._arguments(query, node, compiled.info, target.name)
        sql = to_sql.compiled_call(compiled, args, target.dialect)
        returns = self.spec(declared).returns
        if returns:
            to = exp.DataType.build(returns, dialect="redshift")
            if to.is_type(*exp.DataType.INTEGER_TYPES):  # Redshift rounds to an integer; engines' casts differ
                sql = exp.Round(this=sql)
            sql = exp.Cast(this=sql, to=to)
        return exp.Paren(this=sql)
