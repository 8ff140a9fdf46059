"""The statement bound by the engine itself over EMPTY tables of the sources' own schemas,
before anything runs (Engine.binds): a binder or type error is then a compile-time refusal,
not an engine error at run time.

Only the files' footers are read (DuckDB: EXPLAIN over `LIMIT 0` views; Polars: the plan
collected over `head(0)` scans). Sources on S3 are not checked (no network at compile time).
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()
_SUFFIX = "__sqlrun_all"


def checkable(sources: dict) -> bool:
    return all(source.s3 is None for source in sources.values())


def duckdb_binds(sql: str, sources: dict) -> str | None:
    """DuckDB's error binding and optimizing `sql` over empty tables, or None."""
    from sqlrun.adapters.duckdb import DuckDBEngine
    from sqlrun.errors import SqlrunError

    with _LOCK, DuckDBEngine({"threads": 1}) as engine:
        try:
            for name, source in sources.items():
                engine.register_source(name + _SUFFIX, source)
                whole, empty = _quoted(name + _SUFFIX), _quoted(name)
                engine.execute(f"CREATE VIEW {empty} AS SELECT * FROM {whole} LIMIT 0")
        except Exception:  # a source that does not read: the run reports it
            return None
        try:
            engine.execute(f"EXPLAIN {sql}")
        except SqlrunError as exc:
            return str(exc).removeprefix("duckdb: ")
    return None


def polars_binds(sql: str, sources: dict) -> str | None:
    """Polars' error planning `sql` and collecting it over empty frames, or None."""
    from sqlrun.adapters.polars import PolarsEngine
    from sqlrun.errors import SqlrunError

    engine = PolarsEngine()
    try:
        for name, source in sources.items():
            engine.register_source(name, source)
            engine.ctx.register(name, engine.ctx.execute(f"SELECT * FROM {_quoted(name)} LIMIT 0", eager=False))
    except Exception:  # a source that does not read: the run reports it
        return None
    try:
        engine.to_arrow(sql)
    except SqlrunError as exc:
        return str(exc).removeprefix("polars: ")
    return None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
