"""Types and values of a test file: type names (in the project's dialect) as one canonical
spelling, YAML rows as Arrow tables, result types as sqlrun maps them (engine/schema.py), rows shown."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sqlrun.engine.schema import sql_type

if TYPE_CHECKING:
    import pyarrow as pa

_SAME = ("TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "BOOLEAN", "DATE")
_STRING = ("TEXT", "VARCHAR", "CHAR", "NCHAR", "NVARCHAR", "BPCHAR", "NAME")
_TIMESTAMP = ("TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMPNTZ", "TIMESTAMPLTZ", "DATETIME")
_BINARY = ("BINARY", "VARBINARY", "BLOB")
TYPE_NAMES = "BIGINT, INT, SMALLINT, TINYINT, DOUBLE, FLOAT, DECIMAL(p, s), STRING, BOOLEAN, DATE, TIMESTAMP, ARRAY<..>"


def canonical(name: str, dialect: str) -> str:
    """A type name as the dialect reads it, in one spelling: BIGINT, STRING (any text type),
    TIMESTAMP (any timestamp), DECIMAL(p, s) or DECIMAL (any precision), ARRAY<...>.
    Raises ValueError for a name that is not a type, or one tests do not handle."""
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        built = exp.DataType.build(name, dialect=dialect)
    except (SqlglotError, ValueError):
        raise ValueError(f"{name!r} is not a {dialect} type") from None
    return _canonical(built, name)


def _canonical(built, name: str) -> str:
    kind = built.this.name
    if kind in _SAME:
        return kind
    if kind in _STRING:
        return "STRING"
    if kind in _TIMESTAMP:
        return "TIMESTAMP"
    if kind in _BINARY:
        return "BINARY"
    if kind == "DECIMAL":
        args = [e.sql() for e in built.expressions]
        return f"DECIMAL({', '.join(args)})" if args else "DECIMAL"
    if kind == "ARRAY" and built.expressions:
        return f"ARRAY<{_canonical(built.expressions[0], name)}>"
    raise ValueError(f"type {name!r} is not one tests handle ({TYPE_NAMES})")


def result_type(arrow_type: pa.DataType) -> str:
    """A result column's type in the canonical spelling, as sqlrun maps Arrow types to SQL
    (engine/schema.py sql_type); the Arrow name where no SQL type fits."""
    name = sql_type(arrow_type)
    try:
        return canonical(name, "spark") if name else str(arrow_type)
    except ValueError:
        return str(arrow_type)


def types_match(expected: str, got: str) -> bool:
    return expected == got or (expected == "DECIMAL" and got.startswith("DECIMAL("))


def arrow_type(canon: str) -> pa.DataType:
    """The Arrow type given rows of a canonical type are written with."""
    import pyarrow as pa

    simple = {
        "TINYINT": pa.int8(), "SMALLINT": pa.int16(), "INT": pa.int32(), "BIGINT": pa.int64(),
        "FLOAT": pa.float32(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "DATE": pa.date32(),
        "STRING": pa.string(), "TIMESTAMP": pa.timestamp("us"), "BINARY": pa.binary(),
    }
    if canon in simple:
        return simple[canon]
    if canon.startswith("ARRAY<"):
        return pa.list_(arrow_type(canon[len("ARRAY<"):-1]))
    if canon.startswith("DECIMAL("):
        precision, scale = (int(p) for p in canon[len("DECIMAL("):-1].split(","))
        if not 1 <= precision <= 38 or not 0 <= scale <= precision:
            raise ValueError(f"{canon}: precision 1 to 38, scale 0 to the precision")
        return pa.decimal128(precision, scale)
    raise ValueError(f"{canon} needs its precision and scale, e.g. DECIMAL(10, 2)")


def array(column: str, values: list, kind: pa.DataType | None) -> pa.Array:
    """One column of given rows: values of its type (`kind`), or inferred from the values
    (int BIGINT, float DOUBLE, str STRING, date DATE, datetime TIMESTAMP, bool BOOLEAN).
    Raises ValueError naming the column and the value."""
    import pyarrow as pa

    if kind is None:
        present = [v for v in values if v is not None]
        if not present:
            raise ValueError(f"column {column}: only nulls; give its type under types:")
        bools = sum(isinstance(v, bool) for v in present)
        if 0 < bools < len(present):
            raise ValueError(f"column {column}: mixes true/false with other values")
    try:
        converted = [_coerce(v, kind) for v in values] if kind is not None else [_naive(v) for v in values]
        return pa.array(converted, type=kind)
    except (ValueError, TypeError, OverflowError, InvalidOperation, pa.ArrowException) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"column {column}: {detail}") from None


def _naive(value):
    """An aware timestamp as the UTC wall time (every engine runs in UTC)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, list):
        return [_naive(v) for v in value]
    return value


def _coerce(value, kind: pa.DataType):
    """A YAML value as a value of `kind`; ValueError when it is not one (a bare NO is false in
    YAML, never the text 'NO')."""
    import pyarrow.types as pt

    if value is None:
        return None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if pt.is_integer(kind) and isinstance(value, int) and not isinstance(value, bool):
        return value
    if pt.is_floating(kind) and number:
        return float(value)
    if pt.is_decimal(kind) and (number or isinstance(value, str)):
        return Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    if (pt.is_string(kind) or pt.is_large_string(kind)) and isinstance(value, str):
        return value
    if pt.is_boolean(kind) and isinstance(value, bool):
        return value
    if pt.is_date(kind) and isinstance(value, (dt.date, str)) and not isinstance(value, dt.datetime):
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value.strip())
    if pt.is_timestamp(kind) and isinstance(value, (dt.date, str)):
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.strip())
        elif not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        return _naive(value)
    if pt.is_binary(kind) and isinstance(value, str):
        return value.encode()
    if (pt.is_list(kind) or pt.is_large_list(kind)) and isinstance(value, list):
        return [_coerce(v, kind.value_type) for v in value]
    hint = " (YAML reads yes/no/on/off as true/false: quote it)" if isinstance(value, bool) else ""
    raise ValueError(f"{show_value(value)} is not of type {result_type(kind)}{hint}")


def show_value(value) -> str:
    """A value as a test file would write it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def show_row(names: list[str], row: tuple | None) -> str:
    if row is None:
        return "(no row)"
    return "{" + ", ".join(f"{n}: {show_value(v)}" for n, v in zip(names, row)) + "}"
