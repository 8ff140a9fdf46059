"""Column types of the tables a query reads, from the files' own schemas, for type-aware rules.

Types read from local files are kept in `<project>/.sqlrun/schemas.json`, keyed by file path,
size and modification time (the store's freshness rule), so a later compile opens no footer
and needs no pyarrow: about 0.1 s of every `sqlrun compile`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlrun.source_check import CHECKED, check_files

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.config import Source

_SIMPLE = {
    "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
    "uint8": "smallint", "uint16": "int", "uint32": "bigint",
    "float": "float", "halffloat": "float", "double": "double", "bool": "boolean",
    "string": "varchar", "large_string": "varchar", "string_view": "varchar", "date32[day]": "date",
}


def sql_type(arrow_type: pa.DataType) -> str | None:
    """The SQL type sqlglot should assume for an Arrow column; None where none fits."""
    import pyarrow.types as pt

    if pt.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision}, {arrow_type.scale})"
    if pt.is_timestamp(arrow_type):
        return "timestamp"
    if pt.is_list(arrow_type) or pt.is_large_list(arrow_type):
        inner = sql_type(arrow_type.value_type)
        return f"array<{inner}>" if inner else None
    if pt.is_struct(arrow_type):  # fields of plain names only (`struct<x int>` reads alike in every dialect)
        fields = [(f.name, sql_type(f.type)) for f in arrow_type]
        if all(name.isidentifier() and type_ for name, type_ in fields):
            return "struct<" + ", ".join(f"{name} {type_}" for name, type_ in fields) + ">"
    return _SIMPLE.get(str(arrow_type))


def arrow_columns(schema: pa.Schema) -> dict[str, str]:
    columns = {}
    for field in schema:
        type_ = sql_type(field.type)
        if type_ is not None:
            columns[field.name] = type_
    return columns


class SchemaCache:
    """Column types of local files, remembered per (format, options, path, size, mtime)."""

    VERSION = 2  # 2: STRUCT columns

    def __init__(self, path: Path):
        self.path = path
        self._entries: dict[str, dict[str, str]] | None = None
        self._checked: dict[str, list] = {}  # source_check verdicts: file key -> its columns
        self._changed = False

    def columns(self, source: Source) -> dict[str, str] | None:
        """Column types of a file source (footers only), or None when they cannot be read.

        Raises SourceFileError for files that are not what their format says, or that engines
        would read differently (source_check): at compile time, before any engine starts."""
        try:
            if source.s3 is not None:
                from sqlrun.s3 import arrow_dataset

                return arrow_columns(arrow_dataset(source).schema)
            files = source.files()
        except Exception:  # missing data: the run itself reports it properly
            return None
        self._check(source, files)
        try:
            stat = os.stat(files[0])
            key = json.dumps([source.format, source.options, files[0], stat.st_size, stat.st_mtime_ns], default=str)
            entries = self._load()
            if key not in entries:
                entries[key] = arrow_columns(file_schema(files, source.format))
                self._changed = True
            return dict(entries[key])
        except Exception:  # missing or unreadable data: the run itself reports it properly
            return None

    def _check(self, source: Source, files: list[str]) -> None:
        """Check the source's files once per version (the verdicts are kept with the types)."""
        self._load()
        for key in check_files(source, files):
            if key not in self._checked:
                self._checked[key] = CHECKED[key]
                self._changed = True

    def _load(self) -> dict[str, dict[str, str]]:
        if self._entries is None:
            self._entries, self._checked = {}, {}
            try:
                data = json.loads(self.path.read_text())
                if data.get("version") == self.VERSION and isinstance(data.get("entries"), dict):
                    self._entries = data["entries"]
                    checked = data.get("checked")
                    self._checked = checked if isinstance(checked, dict) else {}
            except (OSError, ValueError, AttributeError):
                pass
            # Files are keyed by path, size and modification time: a verdict on disk still holds.
            CHECKED.update({k: v for k, v in self._checked.items() if isinstance(v, list)})
        return self._entries

    def save(self) -> None:
        """Write what was read since the last save; a cache that cannot be written is skipped."""
        if not self._changed:
            return
        from sqlrun.output import atomic_path

        entries = dict(list(self._load().items())[-1000:])  # the newest: files come and go
        checked = dict(list(self._checked.items())[-5000:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(self.path) as tmp:
                Path(tmp).write_text(json.dumps({"version": self.VERSION, "entries": entries, "checked": checked}))
            self._changed = False
        except OSError:
            pass


def file_schema(files: list[str], fmt: str) -> pa.Schema:
    """The first file's schema (as pyarrow.dataset infers it), read from its footer.

    pyarrow.parquet and pyarrow.orc do not import pyarrow.dataset, which imports pandas:
    ~0.4 s of every `sqlrun compile` and `sqlrun run` (bench/startup.py)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_schema(files[0])
    if fmt == "orc":
        import pyarrow.orc as orc

        return orc.ORCFile(files[0]).schema
    import pyarrow.csv as pacsv

    # The types pyarrow infers from the first block, as the engines' CSV readers do.
    with pacsv.open_csv(files[0]) as reader:
        return reader.schema
