"""The project's models: CREATE MODEL files in the catalog, trained ones in the store.

A Session owns one ModelCatalog. The Session runs a model's training query (pipeline steps
included) and hands the table to `store_trained`; `inline` (the Target's functions, run by
compile_tree before its checks) puts a trained model's FUNCTION into every query that calls it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.digest import digest
from sqlrun.engine.catalog import Query, is_create_model
from sqlrun.engine.models import sql_cache, to_sql
from sqlrun.engine.models.spec import ModelSpec, parse_model
from sqlrun.engine.models.store import ModelStore, StoredModel
from sqlrun.engine.models.trees_sql import Layout
from sqlrun.engine.parse import fail
from sqlrun.engine.pipeline import build_dag, fingerprints
from sqlrun.engine.versions import Damaged, check_name
from sqlrun.errors import CatalogError, CompileError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.config import Project
    from sqlrun.engine.catalog import Catalog
    from sqlrun.engine.target import Target

PROBABILITIES = "_probabilities"


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

    def functions(self) -> dict[str, Query]:
        """FUNCTION name (lower case) -> the CREATE MODEL query that declares it."""
        found: dict[str, Query] = {}
        for query in self.model_queries().values():
            try:
                name = self.spec(query).function.lower()
            except (CompileError, CatalogError):
                continue  # a broken model file fails when it is run, not in unrelated queries
            if name in found:
                raise CatalogError(f"FUNCTION {name} is declared by {found[name].path} and {query.path}")
            found[name] = query
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
            return fingerprint, pa.Table.from_pylist([_summary(current.meta, "fresh")])
        return fingerprint, None

    def store_trained(self, query: Query, engine: str, fingerprint: str, table: pa.Table, queried: float) -> pa.Table:
        """Train on the training query's result (`queried`: seconds it took) and store the model."""
        import pyarrow as pa

        from sqlrun.engine.models.train import train

        spec = self.spec(query)
        started = time.perf_counter()
        trained = train(spec, table)
        seconds = queried + time.perf_counter() - started
        meta = {
            "name": spec.name, "query": query.name, "function": spec.function, "engine": engine, "state": "READY",
            "model_type": spec.model_type or "XGBOOST", "problem_type": trained.model["problem_type"],
            "target": spec.target, "features": trained.model["features"], "metrics": trained.metrics,
            "rows": trained.rows, "query_seconds": round(queried, 3), "train_seconds": round(seconds - queried, 3),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "fingerprint": fingerprint,
            "statement": digest(query.sql), "spec": {k: v for k, v in asdict(spec).items() if k != "training_sql"},
            "training_query": spec.training_query,
        }
        stored = self.store.write(spec.name, trained.model, trained.artifact_name, trained.artifact, meta)
        return pa.Table.from_pylist([_summary(stored.meta, "trained")])

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
        """The stored version of each model whose FUNCTION `query` calls (None: not trained),
        so a step's fingerprint changes when a model it calls is retrained."""
        calls = {n.name.lower() for n in query.ast().find_all(exp.Anonymous)}
        if not calls:
            return {}
        functions = self.functions()
        used: dict[str, str | None] = {}
        for call in sorted(calls):
            base = call[: -len(PROBABILITIES)] if call.endswith(PROBABILITIES) and call not in functions else call
            if base not in functions:
                continue
            try:
                stored = self.store.current(self.spec(functions[base]).name)
            except Damaged:
                stored = None  # scoring fails, saying to retrain
            used[base] = stored.path.name if stored else None
        return used

    # -- scoring ---------------------------------------------------------------------
    def inline(self, query: Query, tree: exp.Expression, target: Target) -> exp.Expression:
        """Replace each call of a model FUNCTION by the trained model as SQL (kept as a call on an
        engine that trains models itself)."""
        calls = [n for n in tree.find_all(exp.Anonymous) if _is_model_call(n.name, self)]
        if not calls:
            return tree
        functions = self.functions()
        for node in calls:
            name = node.name.lower()
            probabilities = name.endswith(PROBABILITIES) and name not in functions
            declared = functions[name[: -len(PROBABILITIES)] if probabilities else name]
            if target.adapter.TRAINS_MODELS:
                node.meta["sqlrun_model"] = declared.name  # the engine runs its own function
                continue
            node.replace(self._expression(query, node, declared, target, probabilities))
        return tree

    def _expression(self, query: Query, node: exp.Anonymous, declared: Query, target: Target,
                    probabilities: bool) -> exp.Expression:
        engine = target.name
        stored = self.trained(declared)
        if stored is None:
            raise fail(query, node, engine,
                       f"model {self.spec(declared).name} is not trained: run `sqlrun run {declared.name}` first")
        if stored.meta["statement"] != digest(declared.sql):
            raise fail(query, node, engine,
                       f"{declared.path} changed since model {stored.name} was trained:"
                       f" retrain it with `sqlrun run {declared.name}`")
        features = stored.meta.get("features") or stored.model()["features"]
        args = list(node.expressions)
        if len(args) != len(features):
            raise fail(query, node, engine, f"takes {len(features)} arguments ({', '.join(features)}), got {len(args)}")
        try:
            layout = Layout(target.adapter.MODEL_TREES, target.adapter.MODEL_SUMS, target.dialect)
            compiled = sql_cache.template(self.store, stored, engine, layout, probabilities)
        except ValueError as exc:
            raise fail(query, node, engine, str(exc)) from None
        sql = to_sql.compiled_call(compiled, args, target.dialect)
        returns = self.spec(declared).returns
        if returns and not probabilities:
            sql = exp.Cast(this=sql, to=exp.DataType.build(returns, dialect="redshift"))
        return exp.Paren(this=sql)

    # -- listing ---------------------------------------------------------------------
    def rows(self) -> list[dict]:
        rows = []
        for name, query in sorted(self.model_queries().items()):
            try:
                spec = self.spec(query)
            except (CompileError, CatalogError) as exc:
                rows.append({"name": name, "engine": "", "state": "INVALID", "detail": str(exc)})
                continue
            try:
                stored = self.store.current(spec.name)
            except Damaged as exc:
                rows.append({"name": spec.name, "engine": "", "state": "DAMAGED", "type": spec.model_type or "AUTO",
                             "target": spec.target, "function": spec.function,
                             "metrics": f"{exc}: retrain with `sqlrun run {name}`"})
                continue
            if stored is not None:
                state = "READY" if stored.meta["statement"] == digest(query.sql) else "STALE"
                rows.append({**_summary(stored.meta, state), "type": stored.meta["model_type"]})
            else:
                rows.append({"name": spec.name, "engine": "", "state": "NOT TRAINED",
                             "type": spec.model_type or "AUTO", "target": spec.target, "function": spec.function})
            remote = self.store.remote(spec.name)
            if remote:
                rows.append({"name": spec.name, "engine": "redshift", "state": remote.get("state", "?"),
                             "type": spec.model_type or "AUTO", "target": spec.target,
                             "function": spec.function, "trained_at": remote.get("created_at", "")})
        return rows


def _is_model_call(name: str, models: ModelCatalog) -> bool:
    name = name.lower()
    functions = models.functions()
    return name in functions or (name.endswith(PROBABILITIES) and name[: -len(PROBABILITIES)] in functions)


def _summary(meta: dict, state: str) -> dict:
    metrics = ", ".join(f"{k}={v:.4g}" for k, v in meta.get("metrics", {}).items())
    return {
        "name": meta["name"], "engine": meta["engine"], "state": state, "type": meta["model_type"],
        "problem_type": meta["problem_type"], "target": meta["target"], "function": meta["function"],
        "rows": meta["rows"], "metrics": metrics, "trained_at": meta["trained_at"],
        "train_seconds": meta["train_seconds"],
    }
