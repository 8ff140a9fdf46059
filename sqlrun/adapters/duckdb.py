"""DuckDB, in process: the embedded default engine."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.adapters.base import Engine
from sqlrun.errors import EngineError

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

            # DuckDB scans an Arrow dataset lazily, with projection and filter pushdown.
            self.con.register(name, ds.dataset(files, format="orc"))
            return
        reader = exp.func(
            _READERS[source.format],
            exp.Array(expressions=[exp.Literal.string(f) for f in files]),
            *(exp.EQ(this=exp.column(k), expression=exp.convert(v)) for k, v in source.options.items()),
        )
        view = exp.select("*").from_(reader)
        self.execute(f"CREATE OR REPLACE VIEW {exp.to_identifier(name).sql('duckdb')} AS {view.sql('duckdb')}")

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
