"""What both Redshift transports share: result types and values as Arrow, the password from the
environment, and error text scrubbed of secrets."""

from __future__ import annotations

import os
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlrun.errors import ConfigError, EngineError

if TYPE_CHECKING:
    import pyarrow as pa

# Type OIDs redshift-connector reports, by the type names the Data API uses.
OID_NAMES = {
    16: "bool", 20: "int8", 21: "int2", 23: "int4", 25: "text", 700: "float4", 701: "float8",
    1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time", 1114: "timestamp",
    1184: "timestamptz", 1700: "numeric", 4000: "super", 19: "name", 18: "char",
}


def arrow_type(type_name: str, precision: int | None = None, scale: int | None = None):
    """The Arrow type for a Redshift column type; None for unconstrained NUMERIC."""
    import pyarrow as pa

    simple = {
        "bool": pa.bool_(), "int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(),
        "float4": pa.float32(), "float8": pa.float64(), "date": pa.date32(),
        "time": pa.time64("us"), "timestamp": pa.timestamp("us"),
        "timestamptz": pa.timestamp("us", tz="UTC"),
    }
    if type_name in simple:
        return simple[type_name]
    if type_name in ("text", "varchar", "bpchar", "char", "name", "super", "character varying"):
        return pa.string()
    if type_name == "numeric":
        if not precision:
            return None
        return (pa.decimal128 if precision <= 38 else pa.decimal256)(precision, scale or 0)
    raise EngineError(f"redshift: result column type '{type_name}' is not supported")


def numeric_typmod(typmod: int) -> tuple[int | None, int | None]:
    """Precision and scale from a NUMERIC type modifier (-1: unconstrained)."""
    if typmod < 4:
        return None, None
    return (typmod - 4) >> 16, (typmod - 4) & 0xFFFF


def record_batch(names: list[str], types: list, columns: list[list]) -> pa.RecordBatch:
    """One batch from Python values; unconstrained NUMERIC gets the scale its values need."""
    import pyarrow as pa

    arrays = []
    for type_, values in zip(types, columns):
        if type_ is None:  # NUMERIC without precision: as many digits as the values carry
            scale = max((-v.as_tuple().exponent for v in values if isinstance(v, Decimal)), default=0)
            type_ = pa.decimal128(38, max(scale, 0))
        try:
            arrays.append(pa.array(values, type=type_))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise EngineError(f"redshift: cannot convert a result column to {type_}: {exc}") from None
    return pa.RecordBatch.from_arrays(arrays, names=names)


def combine(batches: list[pa.RecordBatch]) -> pa.Table:
    """Concatenate batches whose inferred NUMERIC scales may differ (the widest wins)."""
    import pyarrow as pa

    tables = [pa.Table.from_batches([b]) for b in batches]
    return pa.concat_tables(tables, promote_options="permissive").combine_chunks()


def password_from_env(settings: dict) -> str | None:
    """The password, read from the environment variable named in password_env."""
    var = settings.get("password_env")
    if not var:
        return None
    value = os.environ.get(var)
    if value is None:  # the name is not repeated: it may be the password itself, put there by mistake
        raise ConfigError(
            "[engines.redshift] password_env: the environment variable it names is not set"
            " (password_env holds the variable's name; the password goes in the variable)"
        )
    return value


def scrub(text: str, secrets: tuple[str | None, ...]) -> str:
    """Error text with any secret replaced, in case a driver echoes one back."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def python_value(value, type_name: str):
    """Data API strings to the Python value Arrow expects for the column type."""
    from datetime import date, datetime

    if value is None or not isinstance(value, str):
        return value
    if type_name == "numeric":
        return Decimal(value)
    if type_name == "date":
        return date.fromisoformat(value)
    if type_name == "time":
        return time.fromisoformat(value)
    if type_name in ("timestamp", "timestamptz"):
        return datetime.fromisoformat(value)
    return value
