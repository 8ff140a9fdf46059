"""What the adapters share to bind a statement over EMPTY tables of the sources' own schemas
before anything runs (Engine.binds): a binder or type error is then a compile-time refusal, not
an engine error at run time. Only the files' footers are read (DuckDB: EXPLAIN over `LIMIT 0`
views; Polars: the query collected over `LIMIT 0` scans). Sources on S3 are not checked (no
network at compile time)."""

from __future__ import annotations

import threading

LOCK = threading.Lock()  # one check at a time: compile may run in threads
WHOLE = "__sqlrun_all"  # suffix of the name a source's full scan is registered under


def checkable(sources: dict) -> bool:
    return all(source.s3 is None for source in sources.values())


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
