"""DuckDB, in process: the embedded default engine."""

from __future__ import annotations

import functools
import re

from sqlglot import exp

from sqlrun.adapters.base import Engine, run_interruptibly
from sqlrun.errors import ConfigError, EngineError
from sqlrun.settings_schema import Key, integer, size
from sqlrun.source_check import check_files

_READERS = {"parquet": "read_parquet", "csv": "read_csv"}
# Read as the other engines do: the paths' k=v folders are not columns (DuckDB guesses they are);
# CSV is RFC 4180 with a header line, an empty field (quoted or not) is NULL, and a row with
# another field count is an error (skip=0: else the sniffer skips to the widest rows).
_COMMON = {"hive_partitioning": False}
_CSV_OPTIONS = {
    "header": True, "skip": 0, "quote": '"', "escape": '"', "strict_mode": True, "null_padding": False,
    "allow_quoted_nulls": True,
}


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"
    # Models: the outermost SELECT's model columns in one batch (1M rows: 1.43 s, 1.26x of booster.predict),
    # elsewhere the function per vector (2.15 s, 0.83x); trees as SQL 0.09x (benchmarks §6).
    MODEL_FUNCTIONS, MODEL_BATCH = True, True
    SETTINGS = {
        "threads": Key(integer(1), "worker threads"),
        "memory_limit": Key(size, 'memory limit, like "8GB"'),
    }

    @classmethod
    def refuses(cls, sql: str) -> tuple[str, str] | None:
        from sqlrun.adapters.duckdb_functions import refuses

        return refuses(sql)

    @classmethod
    def binds(cls, sql: str, sources: dict, literal_only: bool = False, functions: dict | None = None
              ) -> str | None:
        from sqlrun.adapters.empty_bind import WHOLE, bind_over_empty, quoted

        def make_empty(engine, name, source):
            engine.register_source(name + WHOLE, source)
            engine.execute(f"CREATE OR REPLACE VIEW {quoted(name)} AS SELECT * FROM {quoted(name + WHOLE)} LIMIT 0")

        def check(engine):
            for name, scorer in (functions or {}).items():  # the models the SQL scores in the engine
                engine.add_model_function(name, scorer)
            try:
                # bound and optimized (constants folded), not run; literals only: computed
                engine.execute(sql if literal_only else f"EXPLAIN {sql}")
                engine.con.fetchall()  # nothing left pending on the shared connection
            except EngineError as exc:
                reason = str(exc).removeprefix("duckdb: ")
                return None if reason.startswith("IO Error") else reason  # files changed: the run tells
            return None

        return bind_over_empty(lambda: _binder(cls), sources, make_empty, check)

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        import duckdb

        self._duckdb = duckdb
        # DuckDB stops at 1000 levels by default; sqlrun accepts statements up to deep.MAX_DEPTH,
        # and its rewrites may add levels.
        config = {"max_expression_depth": "100000"}
        for key in ("threads", "memory_limit"):
            if key in self.settings:
                config[key] = str(self.settings[key])
        try:
            self.con = duckdb.connect(":memory:", config=config)
            self.con.execute("SET parquet_can_have_nan = true")  # see _hide_float_statistics
        except duckdb.Error as exc:
            raise EngineError(f"duckdb: {exc}") from None
        self._functions: set[str] = set()

    def register_source(self, name, source) -> None:
        files = source.files()
        check_files(source, files)
        if source.format == "orc":
            import pyarrow.dataset as ds

            from sqlrun.s3 import arrow_dataset

            # DuckDB scans an Arrow dataset lazily, with projection and filter pushdown.
            dataset = arrow_dataset(source, files) if source.s3 else ds.dataset(files, format="orc")
            self.con.register(name, dataset)
            return
        if source.s3 is not None:
            self._mount_s3(source)
        options = _CSV_OPTIONS | {"delim": source.options.get("delimiter", ",")} if source.format == "csv" else {}
        reader = exp.func(
            _READERS[source.format],
            exp.Array(expressions=[exp.Literal.string(f) for f in files]),
            *(exp.EQ(this=exp.column(k), expression=exp.convert(v)) for k, v in {**options, **_COMMON}.items()),
        )
        view = exp.select("*").from_(reader)
        quoted_name = exp.to_identifier(name).sql("duckdb")
        self.execute(f"CREATE OR REPLACE VIEW {quoted_name} AS {view.sql('duckdb')}")
        if source.format == "parquet":
            self._hide_float_statistics(quoted_name, view)

    def _hide_float_statistics(self, quoted_name: str, view: exp.Select) -> None:
        """Parquet writers leave NaN out of a float column's min/max, and DuckDB prunes row groups
        and folds filters and MAX with them (`f > 6` missed a NaN; MAX(f) was 1.0). With
        parquet_can_have_nan set, pruning allows for NaN; the view's -(-f), the same value bit for
        bit, keeps DuckDB from answering MAX(f) NaN from the statistics of a file without NaN."""
        self.con.execute(f"DESCRIBE {quoted_name}")
        floats = [row[0] for row in self.con.fetchall() if row[1] in ("FLOAT", "DOUBLE")]
        if not floats:
            return
        names = [exp.to_identifier(c, quoted=True).sql("duckdb") for c in floats]
        replaced = ", ".join(f"-(-{c}) AS {c}" for c in names)
        self.execute(f"CREATE OR REPLACE VIEW {quoted_name} AS SELECT * REPLACE ({replaced}) "
                     f"FROM ({view.sql('duckdb')})")

    def _mount_s3(self, source) -> None:
        """Serve s3:// to DuckDB's own readers through pyarrow's S3 filesystem (httpfs cannot
        be installed offline), so S3 files read exactly as local ones do: same CSV sniffing,
        same Parquet types, lazily with range reads."""
        from fsspec.implementations.arrow import ArrowFSWrapper

        from sqlrun.s3 import arrow_filesystem

        loc = source.s3
        settings = (loc.endpoint_url, loc.region, loc.profile)
        mounted = getattr(self, "_s3_settings", None)
        if mounted == settings:
            return
        if mounted is not None:  # DuckDB routes by protocol: one s3:// filesystem per connection
            raise ConfigError(
                f"source '{source.name}': duckdb reads s3:// through one endpoint/region/profile per run;"
                f" another S3 source uses {mounted[0] or 'AWS'} (region {mounted[1]}, profile {mounted[2]})"
            )
        self.con.register_filesystem(ArrowFSWrapper(arrow_filesystem(loc)))
        self._s3_settings = settings

    def execute(self, sql: str) -> None:
        self._run(sql, lambda: self.con.execute(sql))

    def to_arrow(self, sql: str):
        def query():
            relation = self.con.sql(sql)
            if relation is None:
                raise EngineError("duckdb: the statement returns no rows")
            return relation.to_arrow_table()

        return self._run(sql, query)

    def _run(self, sql: str, call):
        """DuckDB's errors as one line. On Ctrl-C the query is interrupted at once: DuckDB looks
        at Python's signals only now and then (a grouped aggregate took 30 s to notice)."""
        try:
            return run_interruptibly(call, self.con.interrupt)
        except self._duckdb.InterruptException:  # con.interrupt() from elsewhere
            raise KeyboardInterrupt from None
        except self._duckdb.Error as exc:
            raise EngineError(f"duckdb: {_one_line(str(exc), sql)}") from None

    def register_table(self, name: str, table) -> None:
        self.con.register(name, table)

    def add_model_function(self, name: str, scorer) -> None:
        if name in self._functions:
            return
        import inspect

        from duckdb import sqltypes

        def call(*columns):
            return scorer.arrow(*columns)

        width = scorer.width
        # DuckDB counts a function's parameters from its signature.
        call.__signature__ = inspect.Signature(
            [inspect.Parameter(f"x{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(width + 1)])
        self.con.create_function(name, call, [sqltypes.INTEGER] + [sqltypes.DOUBLE] * width, sqltypes.DOUBLE,
                                 type="arrow", null_handling="special", side_effects=False)
        self._functions.add(name)

    def close(self) -> None:
        self.con.close()


@functools.lru_cache(maxsize=1)
def _binder(cls) -> tuple[DuckDBEngine, dict]:
    """The connection DuckDBEngine.binds uses, and the source each of its views reads."""
    return cls({"threads": 1}), {}


def _one_line(message: str, sql: str) -> str:
    """The first line of DuckDB's message, with the line of the generated SQL it points at
    (DuckDB's "LINE n:" counts from its own start; the text is found in what was sent)."""
    first = message.strip().splitlines()[0]
    match = re.search(r"^LINE \d+: ?(.*)$", message, re.M)
    if not match or not match.group(1).strip():
        return first
    text = match.group(1).strip()
    number = next((i for i, line in enumerate(sql.splitlines(), 1) if line.strip() == text), None)
    return f"{first} (generated SQL line {number}: {text})" if number else f"{first} (in the generated SQL: {text})"
