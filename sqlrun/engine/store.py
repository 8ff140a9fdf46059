"""The materialization store: each `-- materialize: parquet` step's latest result under
`<project>/.sqlrun/steps/<step>/`, keyed by the step's content fingerprint.

Versions, the current.json pointer, locks, checks and cleanup are engine/versions.py's (shared
with the model store); a version here holds part-0.parquet, or `col=value/part-0.parquet`
directories. A write goes to a temp directory, is renamed to a version directory once complete,
and only then does current.json (replaced atomically) point at it: a failed or killed write
leaves the previous version current and readable.

A damaged entry (pointer, manifest, sizes, or checksums when mtimes differ) counts as absent:
the step is recomputed, with one warning line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlrun.config import Source
from sqlrun.engine.versions import Damaged, Version, VersionedStore
from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    import pyarrow as pa

STORE_DIR = ".sqlrun"
STEPS_DIR = "steps"
_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


@dataclass(frozen=True)
class Stored:
    """The current stored result of one step."""

    step: str
    fingerprint: str
    path: Path
    rows: int
    engine: str
    partition_by: tuple[str, ...] = ()

    def source(self) -> Source:
        """The result as a parquet source any engine can register."""
        return Source(name=self.step, path=str(self.path), format="parquet")

    def read(self) -> pa.Table:
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables = [pq.read_table(f) for f in self.source().files()]
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def _warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Store:
    def __init__(self, project_root: Path, warn: Callable[[str], None] = _warn):
        self.versions = VersionedStore(Path(project_root) / STORE_DIR / STEPS_DIR)
        self.root = self.versions.root
        self.warn = warn
        self._warned: set[str] = set()

    def reading(self):
        """Steps read with current(hold=True) in this block are not removed until it ends."""
        return self.versions.reading()

    def current(self, step: str, hold: bool = False, fingerprint: str | None = None) -> Stored | None:
        """The step's current result, or None if there is none or it is damaged (said once).
        With `fingerprint`, a result of another fingerprint is returned unchecked and not held."""
        try:
            version = self.versions.current(step, hold, fingerprint=fingerprint)
            return None if version is None else _stored(version)
        except Damaged as exc:
            self.damaged(step, str(exc))
            return None

    def verify(self, stored: Stored) -> bool:
        """Checksums too (after a read failed): False, and a warning, if the files are damaged."""
        try:
            version = self.versions.current(stored.step)
            if version is None or version.path != stored.path:
                raise Damaged("its version was removed")
            self.versions.verify(version)
        except Damaged as exc:
            self.damaged(stored.step, str(exc))
            return False
        return True

    def damaged(self, step: str, reason: str) -> None:
        if step not in self._warned:
            self._warned.add(step)
            self.warn(f"warning: stored step {step} was damaged ({reason}); recomputing it")

    def write(
        self, step: str, table: pa.Table, fingerprint: str, engine: str, partition_by: tuple[str, ...] = (),
        hold: bool = False,
    ) -> Stored:
        """Write a new version of the step's result and make it current, atomically."""
        record = {
            "fingerprint": fingerprint,
            "rows": table.num_rows,
            "engine": engine,
            "partition_by": list(partition_by),
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        # write_parquet is looked up at call time (tests replace it to fail mid-write).
        version = self.versions.write(
            step, fingerprint, lambda directory: write_parquet(table, directory, partition_by, step), record, hold
        )
        self._warned.discard(step)
        return _stored(version)


def _stored(version: Version) -> Stored:
    record = version.record
    try:
        return Stored(version.name, str(record["fingerprint"]), version.path, int(record["rows"]),
                      str(record["engine"]), tuple(str(c) for c in record["partition_by"]))
    except (KeyError, TypeError, ValueError):
        raise Damaged("current.json misses fingerprint, rows, engine or partition_by") from None


def write_parquet(table: pa.Table, directory: Path, partition_by: tuple[str, ...], step: str) -> None:
    """One file, or Hive-style `col=value/` directories (column and value %-quoted, so each is
    one safe path component).

    The partition columns stay inside the files as well (like DuckDB's WRITE_PARTITION_COLUMNS):
    every engine then reads back the exact type, with no guessing from directory names.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    directory.mkdir(parents=True)
    missing = [c for c in partition_by if c not in table.column_names]
    if missing:
        raise CatalogError(f"step '{step}': partition_by column(s) {', '.join(missing)} not in its result")
    if not partition_by or table.num_rows == 0:
        pq.write_table(table, directory / "part-0.parquet")
        return
    # Grouped under plain names: Arrow reads a name like ".x" as a nested field path.
    plain = [f"k{i}" for i in range(len(partition_by))]
    groups = table.select(list(partition_by)).rename_columns(plain).group_by(plain).aggregate([]).to_pylist()
    for group in groups:
        key = {column: group[k] for column, k in zip(partition_by, plain)}
        mask = None
        for column, value in key.items():
            match = pc.is_null(table[column]) if value is None else pc.equal(table[column], value)
            mask = match if mask is None else pc.and_(mask, match)
        names = [f"{_quote(c)}={_hive_value(v)}" for c, v in key.items()]
        if any(len(name.encode()) > 255 for name in names):
            raise CatalogError(f"step '{step}': a partition_by value is too long for a directory name")
        part = directory.joinpath(*names)
        part.mkdir(parents=True)
        pq.write_table(table.filter(mask), part / "part-0.parquet")


def _quote(text: str) -> str:
    return quote(text, safe="")


def _hive_value(value: object) -> str:
    if value is None:
        return _NULL_PARTITION
    text = _quote(str(value))
    # The string itself must not share NULL's directory (hive partitioning is off on read: the
    # values are in the files, directory names need only be distinct).
    return "%5F" + text[1:] if text == _NULL_PARTITION else text
