"""The materialization store: each `-- materialize: parquet` step's latest result under
`<project>/.sqlrun/steps/<step>/`, keyed by the step's content fingerprint.

Versions, the current.json pointer, locks, checks and cleanup are engine/versions.py's (shared
with the model store); a version here holds part-0.parquet, or `col=value/part-0.parquet`
directories. A write goes to a temp directory, is renamed to a version directory once complete,
and only then does current.json (replaced atomically) point at it: a failed or killed write
leaves the previous version current and readable.

A damaged entry (pointer, manifest, sizes, or checksums when mtimes differ) counts as absent:
the step is recomputed, with one warning line. A damaged stored value of an incremental step
that a run reads but does not compute is an error naming it.
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
from sqlrun.engine.versions import NAME, Damaged, Version, VersionedStore, inside
from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    import pyarrow as pa

STORE_DIR = ".sqlrun"
STEPS_DIR = "steps"
DAYS_DIR = "increments"  # incremental steps: .sqlrun/increments/<step>/<value>/, one entry per value
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
    value: str | None = None  # an incremental step's value (its day) this result is for
    written_at: str | None = None

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
    """Materialized steps by name; `days(step)` is an incremental step's store, one entry per value."""

    def __init__(self, project_root: Path, warn: Callable[[str], None] = _warn, root: Path | None = None,
                 label: str = "stored step ", frames: list | None = None):
        self.project_root = Path(project_root)
        self.versions = VersionedStore(root or self.project_root / STORE_DIR / STEPS_DIR, frames)
        self.root = self.versions.root
        self.warn = warn
        self.label = label
        self._warned: set[str] = set()
        self._days: dict[str, Store] = {}

    def days(self, step: str) -> Store:
        """The store of an incremental step's values: entries named by value_key(value)."""
        if step not in self._days:
            root = inside(self.project_root / STORE_DIR / DAYS_DIR, step)
            # One reading() holds both: the frames of reader locks are shared.
            self._days[step] = Store(self.project_root, self.warn, root, f"stored step {step} for ",
                                     self.versions._frames)
        return self._days[step]

    def all_days(self, step: str, hold: bool = False, own: str | None = None) -> dict[str, Stored]:
        """Every stored value of an incremental step. A damaged one is an error naming it (left
        out, the steps downstream would miss it), except `own`: the value a run recomputes."""
        days = self.days(step)
        found = {}
        for key in days.versions.names():
            if own is not None and key == value_key(own):
                stored = days.current(key, hold)  # damaged: said once, and recomputed
            else:
                try:
                    version = days.versions.current(key, hold)
                    stored = None if version is None else _stored(version)
                except Damaged as exc:
                    raise CatalogError(
                        f"step '{step}': its stored value {key} is damaged ({exc}): run that value again"
                        f" to recompute it"
                    ) from None
            if stored is not None and stored.value is not None:
                found[stored.value] = stored
        return dict(sorted(found.items()))

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
            self.warn(f"warning: {self.label}{step} was damaged ({reason}); recomputing it")

    def write(
        self, step: str, table: pa.Table, fingerprint: str, engine: str, partition_by: tuple[str, ...] = (),
        hold: bool = False, value: str | None = None,
    ) -> Stored:
        """Write a new version of the step's result and make it current, atomically."""
        record = {
            **({"value": value} if value is not None else {}),
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
        value = record.get("value")
        return Stored(version.name, str(record["fingerprint"]), version.path, int(record["rows"]),
                      str(record["engine"]), tuple(str(c) for c in record["partition_by"]),
                      None if value is None else str(value), record.get("written_at"))
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


def days_source(step: str, days: list[Stored]) -> Source:
    """All stored values of an incremental step as one parquet source, refused if their columns
    differ (values computed before the step's SQL changed its columns)."""
    import pyarrow.parquet as pq

    files = {stored.value: stored.source().files() for stored in days}
    shapes = {value: pq.read_schema(found[0]) for value, found in files.items() if found}
    latest = days[-1].value
    other = sorted(v for v, schema in shapes.items() if not _same_columns(schema, shapes[latest]))
    if other:
        raise CatalogError(
            f"step '{step}': the stored values {_few(other)} have other columns or types than {latest}"
            f" (computed before its SQL changed, or by an engine typing them otherwise): recompute them"
            f" with --refresh"
        )
    listed = tuple(f for found in files.values() for f in found)
    return Source(name=step, path=str(days[-1].path.parent), format="parquet", listed=listed)


def conform(table: pa.Table, stored: Stored | None) -> pa.Table:
    """A new value's result in the types of the values already stored (engines differ, e.g.
    string vs large_string or the integer kind of a sum), when it has their columns and every
    value converts exactly; else as it is (days_source then says which values differ)."""
    import pyarrow.parquet as pq

    if stored is None:
        return table
    schema = pq.read_schema(stored.source().files()[0]).remove_metadata()
    if schema.names != table.column_names or schema.equals(table.schema.remove_metadata()):
        return table
    try:
        return table.cast(schema, safe=True)
    except Exception:  # pyarrow raises ArrowInvalid / ArrowNotImplementedError / ValueError
        return table


def _same_columns(left: pa.Schema, right: pa.Schema) -> bool:
    return left.remove_metadata().equals(right.remove_metadata())


def _few(values: list[str]) -> str:
    return ", ".join(values[:5]) + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def value_key(value: str) -> str:
    """The entry name of an incremental step's value: the value itself when it is a safe
    name (dates, numbers), else a digest of it (the value is kept in the record)."""
    import hashlib

    if NAME.fullmatch(value):
        return value
    return "v_" + hashlib.sha256(value.encode()).hexdigest()[:24]


def _quote(text: str) -> str:
    return quote(text, safe="")


def _hive_value(value: object) -> str:
    if value is None:
        return _NULL_PARTITION
    text = _quote(str(value))
    # The string itself must not share NULL's directory (hive partitioning is off on read: the
    # values are in the files, directory names need only be distinct).
    return "%5F" + text[1:] if text == _NULL_PARTITION else text
