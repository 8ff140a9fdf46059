"""Where a dashboard page goes: DEST/index.html, written atomically (sqlrun/atomic.py).

DEST is a local directory (made if missing); `s3://bucket/prefix/` is not supported yet.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlrun.atomic import check_target, open_output
from sqlrun.errors import SqlrunError

PAGE = "index.html"


def _local(dest: str) -> Path:
    if dest.lower().startswith("s3://"):
        raise SqlrunError(f"publishing a dashboard to {dest}: s3:// destinations are not supported yet")
    if not dest or dest == "-":
        raise SqlrunError("a dashboard is written to a directory: -o DIR")
    return Path(dest)


def check_dest(dest: str) -> None:
    """Before any query runs: DEST is (or can become) a directory whose index.html can be written."""
    folder = _local(dest)
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir():
            raise SqlrunError(f"cannot write the dashboard to {dest}: not a directory")
        check_target(folder / PAGE)
        return
    parent = folder.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise SqlrunError(f"cannot make the dashboard directory {dest}: {parent} is not a writable directory")


def publish(html: str, dest: str) -> str:
    """Write the page to DEST/index.html (DEST made if missing); returns where it went."""
    folder = _local(dest)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SqlrunError(f"cannot make the dashboard directory {dest}: {(exc.strerror or str(exc)).lower()}") from None
    page = folder / PAGE
    with open_output(page) as handle:
        handle.write(html.encode())
    return str(page)
