"""A fifth engine, added the way docs/architecture.md says: SQLite (Python's sqlite3).

Shipped, its whole diff would be this class as sqlrun/adapters/sqlite.py, one line in the
registry (sqlrun/adapters/__init__.py) and its column of gap markers in tests/corpus/markers.toml.
No dialect module: sqlglot has SQLite. The tests register it for their own run
(tests/test_fifth_engine.py).
"""

from __future__ import annotations

from sqlrun.adapters.base import Engine
from sqlrun.errors import EngineError


class SQLiteEngine(Engine):
    name = "sqlite"
    dialect = "sqlite"

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        import sqlite3

        self._sqlite = sqlite3
        self.con = sqlite3.connect(":memory:")

    def register_source(self, name, source) -> None:
        import pyarrow.dataset as ds

        table = ds.dataset(source.files(), format=source.format).to_table()
        columns = ", ".join(f'"{c}"' for c in table.column_names)
        marks = ", ".join("?" for _ in table.column_names)
        self.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.con.execute(f'CREATE TABLE "{name}" ({columns})')
        rows = zip(*(map(_stored, col.to_pylist()) for col in table.columns))
        self.con.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)

    def execute(self, sql: str) -> None:
        self.to_arrow(sql)

    def to_arrow(self, sql: str):
        import pyarrow as pa

        try:
            cursor = self.con.execute(sql)
        except self._sqlite.Error as exc:
            raise EngineError(f"sqlite: {exc}") from None
        names = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchall()
        return pa.Table.from_arrays([pa.array([r[i] for r in rows]) for i in range(len(names))], names=names)

    def close(self) -> None:
        self.con.close()


def _stored(value):
    """A value as SQLite keeps it: decimals as REAL, dates and times as ISO text, lists as JSON."""
    import datetime
    import decimal
    import json

    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    return value
