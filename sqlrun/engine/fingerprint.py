"""Content fingerprints of pipeline steps: what a stored step is keyed by (engine/pipeline.py).

A step's fingerprint covers its SQL text, bound parameters, its inputs' fingerprints, the
sources' files (paths, sizes, mtimes; S3 listings) and the stored versions of the models it calls.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from sqlrun.digest import digest
from sqlrun.engine.catalog import Query
from sqlrun.engine.params import canonical
from sqlrun.engine.pruning import day_files
from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    from sqlrun.config import Source
    from sqlrun.engine.pipeline import Step

# The stored versions of the models whose FUNCTIONs a query calls (ModelCatalog.versions).
ModelVersions = Callable[[Query], dict[str, str | None]]


def step_params(query: Query, params: dict[str, str]) -> dict[str, str]:
    """The run's parameters that this step declares (a pipeline shares one set)."""
    declared = {p.name for p in query.params}
    return {k: v for k, v in params.items() if k in declared}


def source_fingerprint(source: Source, keep: Callable[[list[str]], list[str]] | None = None) -> str:
    """Paths, sizes and mtimes of the source's files (not their bytes: cheap on big data);
    for S3, keys, sizes, ETags and modification times from one listing. `keep`: the files the
    step can read (engine/pruning.py), when it reads one day's files only."""
    if source.s3 is not None:
        from sqlrun.s3 import fingerprint_entries

        entries = {"endpoint": source.s3.endpoint_url, "files": fingerprint_entries(source)}
        return digest({"format": source.format, "options": source.options, **entries})
    files = []
    listed = source.files()
    for path in keep(listed) if keep else listed:
        try:
            stat = os.stat(path)
            files.append([path, stat.st_size, stat.st_mtime_ns])
        except OSError:
            files.append([path, None, None])
    return digest({"format": source.format, "options": source.options, "files": files})


def fingerprints(
    steps: dict[str, Step], sources: dict[str, Source], params: dict[str, str], models: ModelVersions | None = None,
    days: dict[str, dict[str, str]] | None = None,
) -> dict[str, str]:
    """One content fingerprint per step; steps are in topological order, so inputs come first
    (a view's models reach the steps it is inlined into through its fingerprint).

    An incremental step's is that of the run's value; a step reading it gets the fingerprints of
    all its stored values (`days`: value -> fingerprint), the run's value's as computed here."""
    result: dict[str, str] = {}
    read_as: dict[str, str] = {}  # the fingerprint a step has as another step's input
    for name, step in steps.items():
        query = step.query
        given = step_params(query, params)
        bound = {p.name: given.get(p.name, p.default) for p in query.params}
        # One spelling per value (20250804 is 2025-08-04): an incremental step's days are its values.
        bound = {p.name: None if bound[p.name] is None else canonical(query, p, bound[p.name]) for p in query.params}
        content = {
            "sql": query.sql,
            "dialect": query.dialect,
            "params": bound,
            "partition_by": list(step.partition_by),
            "steps": {i: read_as[i] for i in step.inputs},
            "sources": {
                s: source_fingerprint(sources[s], partial(day_files, query, bound, s)) for s in step.sources
            },
        }
        called = models(query) if models else {}
        if called:  # only then: fingerprints of steps without models stay as they were
            content["models"] = called
        result[name] = read_as[name] = digest(content)
        if step.incremental is not None:
            value = run_value(step, params)
            read_as[name] = digest({"days": {**(days or {}).get(name, {}), value: result[name]}})
    return result


def run_value(step: Step, params: dict[str, str]) -> str:
    """The value of an incremental step's parameter this run computes, in its canonical form."""
    param = next(p for p in step.query.params if p.name == step.incremental)
    raw = params.get(param.name, param.default)
    if raw is None:
        raise CatalogError(
            f"{step.query.path}: {step.name} is stored by {param.name}: give --param {param.name}=VALUE"
            f" (or a range A..B to backfill)"
        )
    return canonical(step.query, param, raw)
