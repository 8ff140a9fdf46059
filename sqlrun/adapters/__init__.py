"""Engine registry: name -> adapter class. Importing an adapter never imports its driver."""

from __future__ import annotations

from sqlrun.adapters.base import Engine
from sqlrun.adapters.duckdb import DuckDBEngine
from sqlrun.adapters.polars import PolarsEngine
from sqlrun.adapters.redshift import RedshiftEngine
from sqlrun.adapters.spark import SparkEngine
from sqlrun.errors import EngineError

ENGINES: dict[str, type[Engine]] = {
    cls.name: cls for cls in (DuckDBEngine, PolarsEngine, SparkEngine, RedshiftEngine)
}
LOCAL_ENGINES = tuple(name for name, cls in ENGINES.items() if cls.LOCAL)


def engine_class(name: str) -> type[Engine]:
    try:
        return ENGINES[name]
    except KeyError:
        raise EngineError(f"unknown engine '{name}' (choose from {', '.join(ENGINES)})") from None


def create_engine(name: str, settings: dict | None = None) -> Engine:
    return engine_class(name)(settings)
