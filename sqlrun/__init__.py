"""sqlrun: write the SQL once, run it on DuckDB, Polars SQL, Spark SQL or Redshift."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Session", "compile", "parity", "run"]


def __getattr__(name: str):
    # Lazy, so `sqlrun --help` does not pay for sqlglot and pyarrow.
    if name in __all__:
        from sqlrun import api

        return getattr(api, name)
    raise AttributeError(name)
