"""The materialization store: each `-- materialize: parquet` step's latest result under
`<project>/.sqlrun/<step>/`, keyed by the step's content fingerprint.

Layout of one step:
    .sqlrun/<step>/current.json       which version is current: fingerprint, dir, rows, ...
    .sqlrun/<step>/<fp16>-<id>/       a complete result: part-0.parquet, or ds=.../part-0.parquet
    .sqlrun/<step>/.tmp-<pid>-<id>/   a result being written (never read)

A write goes to a temp directory, is renamed to a version directory once complete, and only
then does current.json (replaced atomically) point at it. A failed or killed write therefore
leaves the previous version current and readable; old versions are removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlrun.config import Source
from sqlrun.errors import CatalogError

if TYPE_CHECKING:
    import pyarrow as pa

STORE_DIR = ".sqlrun"
_POINTER = "current.json"
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


class Store:
    def __init__(self, project_root: Path):
        self.root = Path(project_root) / STORE_DIR

    def current(self, step: str) -> Stored | None:
        """The step's current result, or None if there is none (or it is damaged)."""
        pointer = self.root / step / _POINTER
        try:
            data = json.loads(pointer.read_text())
        except (OSError, ValueError):
            return None
        path = self.root / step / data.get("dir", "")
        if not data.get("dir") or not path.is_dir():
            return None
        return Stored(step, data["fingerprint"], path, data["rows"], data["engine"], tuple(data["partition_by"]))

    def write(
        self, step: str, table: pa.Table, fingerprint: str, engine: str, partition_by: tuple[str, ...] = ()
    ) -> Stored:
        """Write a new version of the step's result and make it current, atomically."""
        step_dir = self.root / step
        step_dir.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:8]
        tmp = step_dir / f".tmp-{os.getpid()}-{token}"
        try:
            write_parquet(table, tmp, partition_by, step)
            version = step_dir / f"{fingerprint[:16]}-{token}"
            os.rename(tmp, version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        record = {
            "fingerprint": fingerprint,
            "dir": version.name,
            "rows": table.num_rows,
            "engine": engine,
            "partition_by": list(partition_by),
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        pointer_tmp = step_dir / f".{_POINTER}.{token}"
        with open(pointer_tmp, "w") as handle:
            json.dump(record, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer_tmp, step_dir / _POINTER)
        _remove_stale(step_dir, keep=version.name)
        return Stored(step, fingerprint, version, table.num_rows, engine, tuple(partition_by))


def write_parquet(table: pa.Table, directory: Path, partition_by: tuple[str, ...], step: str) -> None:
    """One file, or Hive-style `col=value/` directories.

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
    keys = table.select(list(partition_by)).group_by(list(partition_by)).aggregate([]).to_pylist()
    for key in keys:
        mask = None
        for column, value in key.items():
            match = pc.is_null(table[column]) if value is None else pc.equal(table[column], value)
            mask = match if mask is None else pc.and_(mask, match)
        part = directory.joinpath(*(f"{c}={_hive_value(v)}" for c, v in key.items()))
        part.mkdir(parents=True)
        pq.write_table(table.filter(mask), part / "part-0.parquet")


def _hive_value(value: object) -> str:
    return _NULL_PARTITION if value is None else quote(str(value), safe="")


def _remove_stale(step_dir: Path, keep: str) -> None:
    """Drop old versions, and temp dirs of writers that are no longer running."""
    for entry in step_dir.iterdir():
        if entry.name == keep or not entry.is_dir():
            continue
        if entry.name.startswith(".tmp-"):
            pid = entry.name.split("-")[1]
            if pid.isdigit() and _alive(int(pid)):
                continue  # another process is writing this step right now
        shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
