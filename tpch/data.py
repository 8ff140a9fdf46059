"""TPC-H data from tpchgen-cli, generated once per scale factor and cached.

tpchgen-cli writes one parquet file per table with TPC-H's own types: keys int64 (int32 for
l_linenumber, p_size, ps_availqty, o_shippriority), money and quantities decimal(15,2), dates
date32, text as Arrow string_view (plain UTF-8 strings in parquet).

    python -m tpch.data 1            # writes tpch/data/sf1/
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlrun.config import Project, Source, load_project

TPCH_DIR = Path(__file__).resolve().parent
DATA_DIR = TPCH_DIR / "data"
TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")


def scale_dir(scale: float, out_dir: str | Path = DATA_DIR) -> Path:
    """Where the data of one scale factor lives: out_dir/sf0.01, out_dir/sf1, ..."""
    return Path(out_dir) / f"sf{scale:g}"


def _tpchgen() -> str:
    beside = Path(sys.executable).with_name("tpchgen-cli")
    found = str(beside) if beside.exists() else shutil.which("tpchgen-cli")
    if not found:
        raise RuntimeError("tpchgen-cli not found: pip install tpchgen-cli (the dev extra)")
    return found


def _complete(path: Path) -> bool:
    return all((path / f"{table}.parquet").is_file() for table in TABLES)


def ensure_data(scale: float, out_dir: str | Path = DATA_DIR) -> Path:
    """Parquet for all 8 tables at `scale`, generated on first use; returns its directory."""
    target = scale_dir(scale, out_dir)
    if _complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Generate beside the target and rename, so a reader never sees half-written tables
    # and two processes generating at once both end with one complete copy.
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        subprocess.run(
            [_tpchgen(), "parquet", "-s", f"{scale:g}", "-o", str(tmp), "--quiet"],
            check=True,
        )
        if not _complete(tmp):
            raise RuntimeError(f"tpchgen-cli did not write all 8 tables into {tmp}")
        try:
            os.rename(tmp, target)
        except OSError:
            if not _complete(target):  # not someone else's finished copy: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def tpch_project(scale: float, out_dir: str | Path = DATA_DIR) -> Project:
    """The TPC-H project (tpch/sqlrun.toml) with its sources at `scale`, generated if needed."""
    data = ensure_data(scale, out_dir)
    project = load_project(TPCH_DIR)
    sources = {
        name: Source(name, str(data / f"{name}.parquet"), "parquet") for name in project.sources
    }
    return dataclasses.replace(project, sources=sources)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m tpch.data SCALE [OUT_DIR]")
    print(ensure_data(float(sys.argv[1]), *sys.argv[2:]))
