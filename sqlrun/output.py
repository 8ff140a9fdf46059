"""Turning a result into a printed table or csv / json lines / parquet (where: sqlrun/s3_write.py's
destinations, a local file through sqlrun/atomic.py or an S3 object).

JSON lines are strict JSON: NaN and infinities are the strings "NaN", "Infinity" and "-Infinity",
binary is base64, dates and times ISO 8601, decimals exact strings, durations ISO 8601 ("PT1.5S"),
maps objects. CSV writes list/struct/map columns as that JSON text and binary as base64, so
every result can be written. A printed table shows values as plain text (see sqlrun/console.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlrun.atomic import atomic_path, is_stdout
from sqlrun.errors import SqlrunError
from sqlrun.s3_write import check_destination, open_destination

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.s3 import S3Location

__all__ = [
    "FORMATS", "atomic_path", "cell_texts", "check_output", "format_for", "render_table", "write_result",
    "write_stdout",
]

FORMATS = ("table", "csv", "json", "parquet")
_FLOATS = {math.inf: "Infinity", -math.inf: "-Infinity"}


def format_for(path: str | Path | S3Location, requested: str | None) -> str:
    if requested and (requested != "table" or is_stdout(path)):
        return requested
    if is_stdout(path):
        raise SqlrunError("-o - writes to stdout: give --format csv, json or parquet")
    suffix = Path(str(path)).suffix.lstrip(".").lower()
    if suffix in ("csv", "json", "parquet"):
        return suffix
    if suffix == "jsonl":
        return "json"
    raise SqlrunError(f"cannot tell the output format of {path}: use .csv, .json, .parquet or --format")


def check_output(path: str | Path | S3Location, requested: str | None) -> str:
    """The format `path` is written in; a one-line error now (before the query runs) for a bad place."""
    fmt = format_for(path, requested)
    if not is_stdout(path):
        check_destination(path)
    elif fmt == "parquet" and _stdout().isatty():
        raise SqlrunError("-o - --format parquet: stdout is a terminal; redirect it or give a file")
    return fmt


# -- JSON values ------------------------------------------------------------------------------------------------


def json_float(value: float) -> float | str:
    """A float as strict JSON allows it: NaN and infinities as the strings "NaN", "Infinity", "-Infinity"."""
    return value if math.isfinite(value) else _FLOATS.get(value, "NaN")


def _duration(value: dt.timedelta) -> str:
    """ISO 8601 in seconds, exact: "PT1.5S", "-PT0.000000001S"."""
    nanos = getattr(value, "value", None)  # a pandas Timedelta (duration[ns]) counts nanoseconds
    if not isinstance(nanos, int):
        nanos = value // dt.timedelta(microseconds=1) * 1000
    seconds, fraction = divmod(abs(nanos), 10**9)
    text = f"{seconds}.{fraction:09d}".rstrip("0").rstrip(".")
    return f"{'-' if nanos < 0 else ''}PT{text}S"


def _map_key(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def json_converter(kind: pa.DataType) -> Callable | None:
    """A function turning one to_pylist() value of type `kind` into a strict-JSON value (None: as is)."""
    import pyarrow.types as pt

    if pt.is_dictionary(kind):
        return json_converter(kind.value_type)
    if pt.is_floating(kind):
        convert = json_float
    elif _is_binary(kind):
        def convert(v):
            return base64.b64encode(v).decode("ascii")
    elif pt.is_decimal(kind):
        def convert(v):
            return format(v, "f")
    elif pt.is_date(kind) or pt.is_time(kind) or pt.is_timestamp(kind):
        def convert(v):
            return v.isoformat()
    elif pt.is_duration(kind):
        convert = _duration
    elif pt.is_interval(kind):
        def convert(v):
            return {"months": v.months, "days": v.days, "nanoseconds": v.nanoseconds}
    elif pt.is_map(kind):
        key, item = json_converter(kind.key_type) or _same, json_converter(kind.item_type) or _same

        def convert(v):
            return {_map_key(key(k)): item(x) for k, x in v}
    elif pt.is_struct(kind):
        fields = [(kind.field(i).name, json_converter(kind.field(i).type) or _same) for i in range(kind.num_fields)]

        def convert(v):
            return {name: f(v.get(name)) for name, f in fields}
    elif pt.is_list(kind) or pt.is_large_list(kind) or pt.is_fixed_size_list(kind) or pt.is_list_view(kind) \
            or pt.is_large_list_view(kind):
        inner = json_converter(kind.value_type)
        if inner is None:
            return None

        def convert(v):
            return [inner(x) for x in v]
    elif pt.is_union(kind):
        convert = _untyped
    else:
        return None  # ints, strings, booleans, null: JSON as they are
    return lambda v: None if v is None else convert(v)


def _same(v):
    return v


def _is_binary(kind: pa.DataType) -> bool:
    import pyarrow.types as pt

    return pt.is_binary(kind) or pt.is_large_binary(kind) or pt.is_fixed_size_binary(kind) or pt.is_binary_view(kind)


def _untyped(value):
    """A union's value, converted by its Python type."""
    if isinstance(value, float):
        return json_float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [_untyped(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _untyped(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _columns(batch, converters: list) -> list[list]:
    return [col.to_pylist() if conv is None else [conv(v) for v in col.to_pylist()]
            for col, conv in zip(batch.columns, converters)]


# -- writing ----------------------------------------------------------------------------------------------------


def _csv_ready(table: pa.Table) -> pa.Table:
    """Columns the CSV writer cannot write (nested, binary, intervals) or would write without their
    unit (durations) as text: base64, ISO 8601 durations, JSON for the rest."""
    import pyarrow as pa
    import pyarrow.types as pt

    for i, field in enumerate(table.schema):
        kind = field.type.value_type if pt.is_dictionary(field.type) else field.type
        plain = pt.is_boolean(kind) or pt.is_integer(kind) or pt.is_floating(kind) or pt.is_decimal(kind)
        plain = plain or pt.is_string(kind) or pt.is_large_string(kind) or pt.is_temporal(kind) or pt.is_null(kind)
        if plain and not (pt.is_interval(kind) or pt.is_duration(kind)):
            continue
        convert = json_converter(kind) or _same
        values = [v if v is None or isinstance(v, str) else json.dumps(v, allow_nan=False)
                  for v in map(convert, table.column(i).to_pylist())]
        table = table.set_column(i, field.name, pa.array(values, pa.string()))
    return table


def _stdout() -> BinaryIO:
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise SqlrunError("stdout is closed: give --output FILE")
    return sys.stdout.buffer


def _check_names(table: pa.Table, fmt: str) -> None:
    """JSON objects hold each key once: a second column of the same name would silently drop the first."""
    if fmt != "json":
        return
    seen: set[str] = set()
    for name in table.column_names:
        if name in seen:
            raise SqlrunError(f"the result has two columns named '{name}'; JSON needs distinct names: alias them")
        seen.add(name)


def _write(table: pa.Table, fmt: str, handle: BinaryIO) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, handle)
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(_csv_ready(table), handle)
    else:
        # One strict JSON object per line, written batch by batch.
        names = table.column_names
        converters = [json_converter(field.type) for field in table.schema]
        for batch in table.to_batches(max_chunksize=10_000):
            lines = (json.dumps(dict(zip(names, row)), allow_nan=False) for row in zip(*_columns(batch, converters)))
            handle.write("".join(line + "\n" for line in lines).encode())


def write_result(table: pa.Table, path: str | Path | S3Location, fmt: str | None = None) -> str | Path | S3Location:
    """Write a result as csv, json lines or parquet: to stdout for `-`, else through open_destination."""
    fmt = format_for(path, fmt)
    _check_names(table, fmt)
    with open_destination(path) as handle:
        _write(table, fmt, handle)
    return path


def write_stdout(table: pa.Table, fmt: str, handle: BinaryIO | None = None) -> None:
    _check_names(table, fmt)
    handle = handle or _stdout()
    _write(table, fmt, handle)
    handle.flush()


# -- the terminal -----------------------------------------------------------------------------------------------


def render_table(table: pa.Table, title: str, max_rows: int = 20):
    """A rich Table of the first rows, with the total in the caption; every cell is plain text."""
    from rich.table import Table

    from sqlrun.console import text

    max_rows = min(max_rows, table.num_rows)  # Arrow's slice takes a C long, --max-rows any int
    shown = table.slice(0, max_rows)
    caption = f"{table.num_rows} row{'s' if table.num_rows != 1 else ''}"
    if table.num_rows > max_rows:
        caption += f" (first {max_rows} shown)"
    out = Table(title=text(title), caption=caption)
    for name in table.column_names:
        out.add_column(text(name), overflow="fold")
    cells = [_cells(shown.column(i)) for i in range(shown.num_columns)]
    for row in zip(*cells):
        out.add_row(*row)
    return out


def _cells(column) -> list:
    from sqlrun.console import text

    return [text("NULL", "dim") if v is None else text(v) for v in cell_texts(column)]


def cell_texts(column) -> list[str | None]:
    """Each value of a column as a table shows it (None for NULL): floats to 6 significant digits,
    binary as hex, nested values and durations as JSON, the rest as str()."""
    import pyarrow.types as pt

    kind = column.type.value_type if pt.is_dictionary(column.type) else column.type
    as_json = pt.is_nested(kind) or pt.is_duration(kind) or pt.is_interval(kind)
    convert = (json_converter(kind) or _same) if as_json else None
    values: list[str | None] = []
    for v in column.to_pylist():
        if v is None:
            values.append(None)
        elif isinstance(v, float):
            values.append(f"{v:.6g}")
        elif isinstance(v, bytes):
            values.append("0x" + v.hex())
        elif convert:
            v = convert(v)
            values.append(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str))
        else:
            values.append(str(v))
    return values
