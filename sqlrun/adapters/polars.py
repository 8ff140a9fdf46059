"""Polars SQL, in process, over lazy scans."""

from __future__ import annotations

from sqlrun.adapters.base import Engine
from sqlrun.errors import EngineError


class PolarsEngine(Engine):
    name = "polars"
    dialect = "polars"

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        import polars as pl

        self._pl = pl
        self.ctx = pl.SQLContext()

    def register_source(self, name, source) -> None:
        pl = self._pl
        files = source.files()
        if source.format == "parquet":
            frame = pl.scan_parquet(files, **source.options)
        elif source.format == "csv":
            frame = pl.scan_csv(files, **source.options)
        else:
            import pyarrow.dataset as ds

            # Polars has no ORC reader: scan through a pyarrow dataset, so only the
            # columns and row groups the query needs are read.
            frame = pl.scan_pyarrow_dataset(ds.dataset(files, format="orc"))
        self.ctx.register(name, frame)

    def execute(self, sql: str) -> None:
        self.to_arrow(sql)

    def to_arrow(self, sql: str):
        try:
            frame = self.ctx.execute(sql, eager=False)
            engine = "streaming" if self.settings.get("streaming") else "auto"
            return frame.collect(engine=engine).to_arrow()
        except self._pl.exceptions.PolarsError as exc:
            raise EngineError(f"polars: {str(exc).strip().splitlines()[0]}") from None
