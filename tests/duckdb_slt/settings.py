"""The session settings a file changed, and the one a catalog query can carry: NULLS FIRST.

A catalog query runs with DuckDB's defaults, so a query run after a SET that changes a result is
left out, except after `SET default_null_order = 'nulls_first'` (many window and ORDER BY files):
then each ORDER BY key without its own NULLS FIRST/LAST gets NULLS FIRST written out, which is
what the setting meant; the importer checks the rewritten query on a default connection.
"""

from __future__ import annotations

import re

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

# settings that change how a query runs, not its result
IGNORED = re.compile(
    r"threads|memory|profil|explain|temp_directory|progress_bar|object_cache|checkpoint|debug_|verif|optimizer"
    r"|perfect_ht|dynamic_or_filter|force_|storage_compatibility|log|allocator|external_threads|home_directory",
    re.I,
)
NULL_ORDER = {"default_null_order", "null_order"}
_DEFAULTS: dict = {}


def _settings(con) -> dict:
    return dict(con.execute("SELECT name, value FROM duckdb_settings()").fetchall())


def changed(con) -> dict:
    """The settings of `con` that differ from a new UTC connection's and may change a result."""
    if not _DEFAULTS:
        fresh = duckdb.connect()
        fresh.execute("SET TimeZone = 'UTC'")
        _DEFAULTS.update(_settings(fresh))
        fresh.close()
    return {k: v for k, v in _settings(con).items() if _DEFAULTS.get(k) != v and not IGNORED.search(k)}


def nulls_first_only(settings: dict) -> bool:
    return bool(settings) and set(settings) <= NULL_ORDER and all("FIRST" in v.upper() for v in settings.values())


class _SmallNulls(DuckDB):  # an ORDER BY key without NULLS ...: NULLS FIRST when ascending
    NULL_ORDERING = "nulls_are_small"


class _LargeNulls(DuckDB):  # ... and when descending
    NULL_ORDERING = "nulls_are_large"


def with_nulls_first(sql: str) -> str | None:
    """`sql` with NULLS FIRST written on every ORDER BY key that had no NULLS FIRST/LAST; None if
    sqlglot cannot carry it through."""
    try:
        asc, desc = sqlglot.parse_one(sql, read=_SmallNulls), sqlglot.parse_one(sql, read=_LargeNulls)
        for a, d in zip(asc.find_all(exp.Ordered), desc.find_all(exp.Ordered), strict=True):
            if a.args.get("desc"):
                a.set("nulls_first", d.args.get("nulls_first"))
        return asc.sql(dialect="duckdb")
    except Exception:  # sqlglot cannot parse or write it
        return None
