"""Polars SQL, in process, over lazy scans."""

from __future__ import annotations

import functools
import time

from sqlrun.adapters.base import Engine
from sqlrun.errors import EngineError
from sqlrun.settings_schema import Key, boolean
from sqlrun.source_check import check_files


class PolarsEngine(Engine):
    name = "polars"
    dialect = "polars"
    SETTINGS = {"streaming": Key(boolean, "run queries on Polars' streaming engine")}
    # Its SQL parser (sqlparser-rs) stops at a recursion depth of 50: measured 47 nested
    # parentheses or 23 nested subqueries; tree_depth 50 passed and 51 failed on every shape tried.
    MAX_NESTING = 48
    MODEL_TREES = "index"  # it evaluates every branch of a CASE: 1-byte leaf numbers halve that work
    # No Python functions in its SQL: models in the outermost SELECT list are scored by the
    # library in one batch (engine/models/outer_scores.py), elsewhere as SQL.
    MODEL_FUNCTIONS, MODEL_CALLS, MODEL_BATCH = True, False, True  # 1M rows: 0.66x, SQL 0.25x (benchmarks §6)

    @classmethod
    def binds(cls, sql: str, sources: dict, literal_only: bool = False, functions: dict | None = None
              ) -> str | None:
        from sqlrun.adapters.empty_bind import bind_over_empty, quoted

        def make_empty(engine, name, source):
            engine.register_source(name, source)
            engine.ctx.register(name, engine.ctx.execute(f"SELECT * FROM {quoted(name)} LIMIT 0", eager=False))

        def check(engine):
            try:
                engine.to_arrow(sql)  # over no rows: only literals are computed
            except EngineError as exc:
                reason = str(exc).removeprefix("polars: ")
                return None if "No such file" in reason else reason  # files changed: the run tells
            return None

        return bind_over_empty(lambda: _binder(cls), sources, make_empty, check)

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        import polars as pl

        self._pl = pl
        self.ctx = pl.SQLContext()

    def register_source(self, name, source) -> None:
        pl = self._pl
        files = source.files()
        check_files(source, files)
        # One file as a path, not a list of one: Polars plans a list ~5% slower (TPC-H SF1).
        paths = files[0] if len(files) == 1 else files
        options = {"glob": False}  # the files are listed already: a [ in a name is a name
        if source.s3 is not None:
            from sqlrun.s3 import arrow_dataset, polars_storage_options

            # Polars reads s3:// natively (object_store), with the chain's credentials.
            options["storage_options"] = polars_storage_options(source.s3)
        if source.format == "parquet":
            frame = pl.scan_parquet(paths, hive_partitioning=False, **options)
        elif source.format == "csv":
            # As DuckDB and Spark read it: dates and timestamps as such, an empty field (quoted
            # or not) as NULL, a header line, RFC 4180 quotes (source_check refused the rest).
            frame = pl.scan_csv(
                paths, has_header=True, separator=source.options.get("delimiter", ","), quote_char='"',
                null_values=[""], try_parse_dates=True, **options,
            )
        else:
            import pyarrow.dataset as ds

            # Polars has no ORC reader: scan through a pyarrow dataset, so only the
            # columns and row groups the query needs are read.
            dataset = arrow_dataset(source, files) if source.s3 else ds.dataset(files, format="orc")
            frame = pl.scan_pyarrow_dataset(dataset)
        self.ctx.register(name, frame)

    def register_table(self, name: str, table) -> None:
        self.ctx.register(name, self._pl.from_arrow(table))

    def execute(self, sql: str) -> None:
        self.to_arrow(sql)

    def to_arrow(self, sql: str):
        try:
            frame = self.ctx.execute(sql, eager=False)
            engine = "streaming" if self.settings.get("streaming") else "auto"
            return _collect(frame, engine).to_arrow()
        except (self._pl.exceptions.PolarsError, OSError) as exc:  # object stores raise FileNotFoundError
            raise EngineError(f"polars: {str(exc).strip().splitlines()[0]}") from None
        except BaseException as exc:  # a Rust panic (pyo3's PanicException) is a BaseException
            if type(exc).__name__ != "PanicException":
                raise
            raise EngineError(f"polars: internal error (panic): {str(exc).strip().splitlines()[0]}") from None


@functools.lru_cache(maxsize=1)
def _binder(cls) -> tuple[PolarsEngine, dict]:
    """The engine PolarsEngine.binds uses, and the source each of its empty frames reads."""
    return cls(), {}


def _collect(frame, engine: str):
    """Polars stops a query on Ctrl-C and raises KeyboardInterrupt, but leaves Python's own
    KeyboardInterrupt for that Ctrl-C pending too: it is taken here, so one Ctrl-C is one interrupt."""
    try:
        try:
            return frame.collect(engine=engine)
        except KeyboardInterrupt:
            time.sleep(0)  # a call: the pending one, if any, is raised here
    except KeyboardInterrupt:
        pass
    raise KeyboardInterrupt
