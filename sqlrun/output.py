"""Turning a result into a printed table or a file, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlrun.errors import SqlrunError

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("table", "csv", "json", "parquet")


def format_for(path: Path, requested: str | None) -> str:
    if requested and requested != "table":
        return requested
    suffix = path.suffix.lstrip(".").lower()
    if suffix in ("csv", "json", "parquet"):
        return suffix
    if suffix == "jsonl":
        return "json"
    raise SqlrunError(f"cannot tell the output format of {path}: use .csv, .json, .parquet or --format")


def _json_default(value):
    return str(value)


def _write(table: pa.Table, fmt: str, handle) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, handle)
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, handle)
    else:
        # One JSON object per line, written batch by batch.
        for batch in table.to_batches(max_chunksize=10_000):
            for row in batch.to_pylist():
                handle.write((json.dumps(row, default=_json_default) + "\n").encode())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path, suffix: str = ".tmp") -> Iterator[str]:
    """A temporary file beside `path` to write into; renamed over `path` only if the block succeeds,
    so readers never see half a file."""
    if not path.parent.exists():
        raise SqlrunError(f"output directory does not exist: {path.parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a result is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_result(table: pa.Table, path: str | Path, fmt: str | None = None) -> Path:
    """Write a result as csv, json lines or parquet, atomically."""
    path = Path(path)
    fmt = format_for(path, fmt)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        _write(table, fmt, handle)
    return path


def write_stdout(table: pa.Table, fmt: str) -> None:
    import sys

    _write(table, fmt, sys.stdout.buffer)
    sys.stdout.flush()


def render_table(table: pa.Table, title: str, max_rows: int = 20):
    """A rich Table of the first rows, with the total in the caption."""
    from rich.table import Table

    shown = table.slice(0, max_rows)
    caption = f"{table.num_rows} row{'s' if table.num_rows != 1 else ''}"
    if table.num_rows > max_rows:
        caption += f" (first {max_rows} shown)"
    out = Table(title=title, caption=caption)
    for name in table.column_names:
        out.add_column(name, overflow="fold")
    columns = [shown.column(i).to_pylist() for i in range(shown.num_columns)]
    for row in zip(*columns):
        out.add_row(*("NULL" if v is None else _cell(v) for v in row))
    return out


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
