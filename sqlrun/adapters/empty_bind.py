"""What the adapters share to bind a statement over EMPTY tables of the sources' own schemas
before anything runs (Engine.binds): a binder or type error is then a compile-time refusal, not
an engine error at run time. Only the files' footers are read (DuckDB: EXPLAIN over `LIMIT 0`
views; Polars: the query collected over `LIMIT 0` scans). A statement reading sources on S3 (no
network at compile time) or ORC files (read through pyarrow, which a compile does not import) is
not checked."""

from __future__ import annotations

import threading
from collections.abc import Callable

LOCK = threading.Lock()  # one check at a time: compile may run in threads
WHOLE = "__sqlrun_all"  # suffix of the name a source's full scan is registered under


def checkable(sources: dict) -> bool:
    # S3: no network at compile time; ORC is read through pyarrow, which a compile does not load.
    return all(source.s3 is None and source.format != "orc" for source in sources.values())


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def bind_over_empty(binder: Callable, sources: dict, make_empty: Callable, check: Callable) -> str | None:
    """`check(engine)`'s reason once each source is an empty table on the binder's engine
    (`make_empty(engine, name, source)`, kept per source between checks); None when nothing is
    known to fail or it cannot be checked (S3, a source that does not read: the run reports it)."""
    if not checkable(sources):
        return None
    with LOCK:
        engine, kept = binder()  # (engine, source per kept name), made once
        try:
            for name, source in sources.items():
                if kept.get(name) != source:  # one connection for every check
                    kept.pop(name, None)
                    make_empty(engine, name, source)
                    kept[name] = source
        except Exception:
            return None
        return check(engine)
