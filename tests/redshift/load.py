"""Load Arrow tables into the test PostgreSQL server as Redshift-typed tables.

redshift-connector cannot COPY FROM STDIN (it has no CopyInResponse handler), so the data
goes through a CSV file in the server's own directory and a server-side COPY.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv


def column_type(type_: pa.DataType) -> str:
    if pa.types.is_int64(type_):
        return "BIGINT"
    if pa.types.is_int32(type_):
        return "INTEGER"
    if pa.types.is_int16(type_):
        return "SMALLINT"
    if pa.types.is_floating(type_):
        return "DOUBLE PRECISION"
    if pa.types.is_decimal(type_):
        return f"NUMERIC({type_.precision}, {type_.scale})"
    if pa.types.is_boolean(type_):
        return "BOOLEAN"
    if pa.types.is_date(type_):
        return "DATE"
    if pa.types.is_timestamp(type_):
        return "TIMESTAMP" if type_.tz is None else "TIMESTAMPTZ"
    if pa.types.is_string(type_) or pa.types.is_large_string(type_) or pa.types.is_string_view(type_):
        return "VARCHAR(256)"
    raise TypeError(f"no Redshift column type for {type_}")


def load_table(con, table: str, data: pa.Table, staging: Path) -> None:
    """CREATE TABLE `table` (maybe qualified) and COPY `data` into it via staging/<table>.csv."""
    data = data.cast(pa.schema([
        pa.field(f.name, pa.string() if pa.types.is_string_view(f.type) else f.type)
        for f in data.schema
    ]))
    columns = ", ".join(f'"{f.name}" {column_type(f.type)}' for f in data.schema)
    cursor = con.cursor()
    schema = table.rsplit(".", 1)[0] if "." in table else None
    if schema:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TABLE {table} ({columns})")
    csv = staging / f"{table}.csv"
    # Quote every string, so an empty string stays empty (an unquoted empty field is NULL).
    pacsv.write_csv(data, csv, pacsv.WriteOptions(include_header=False, quoting_style="all_valid"))
    os.chmod(csv, 0o644)
    cursor.execute(f"COPY {table} FROM '{csv}' WITH (FORMAT csv)")
    cursor.execute(f"ANALYZE {table}")  # planner statistics: correlated TPC-H queries need them
    con.commit()
    csv.unlink()
