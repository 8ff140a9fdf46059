"""sqlglot dialects sqlglot lacks; importing this package registers them."""

from sqlrun.dialects.polars import Polars

__all__ = ["Polars"]
