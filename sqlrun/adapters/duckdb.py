"""DuckDB, in process: the embedded default engine."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.adapters.base import Engine
from sqlrun.errors import ConfigError, EngineError

_READERS = {"parquet": "read_parquet", "csv": "read_csv_auto"}


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"
    SUPPORTS_UDF = True

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        import duckdb

        self._duckdb = duckdb
        config = {}
        for key in ("threads", "memory_limit"):
            if key in self.settings:
                config[key] = str(self.settings[key])
        try:
            self.con = duckdb.connect(":memory:", config=config)
        except duckdb.Error as exc:
            raise EngineError(f"duckdb: {exc}") from None

    def register_source(self, name, source) -> None:
        files = source.files()
        if source.format == "orc":
            import pyarrow.dataset as ds

            from sqlrun.s3 import arrow_dataset

            # DuckDB scans an Arrow dataset lazily, with projection and filter pushdown.
            dataset = arrow_dataset(source, files) if source.s3 else ds.dataset(files, format="orc")
            self.con.register(name, dataset)
            return
        if source.s3 is not None:
            self._mount_s3(source)
        reader = exp.func(
            _READERS[source.format],
            exp.Array(expressions=[exp.Literal.string(f) for f in files]),
            *(exp.EQ(this=exp.column(k), expression=exp.convert(v)) for k, v in source.options.items()),
        )
        view = exp.select("*").from_(reader)
        self.execute(f"CREATE OR REPLACE VIEW {exp.to_identifier(name).sql('duckdb')} AS {view.sql('duckdb')}")

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
        try:
            self.con.execute(sql)
        except self._duckdb.Error as exc:
            raise EngineError(f"duckdb: {str(exc).splitlines()[0]}") from None

    def to_arrow(self, sql: str):
        try:
            relation = self.con.sql(sql)
            if relation is None:
                raise EngineError("duckdb: the statement returns no rows")
            return relation.to_arrow_table()
        except self._duckdb.Error as exc:
            raise EngineError(f"duckdb: {str(exc).splitlines()[0]}") from None

    def close(self) -> None:
        self.con.close()
