"""A sqlglot dialect for Polars SQL (a subclass; upstream classes are never patched)."""

from __future__ import annotations

from sqlglot.dialects.postgres import Postgres


class Polars(Postgres):
    """Polars SQL: PostgreSQL-flavoured, run by polars.SQLContext."""
