"""Where a dashboard page goes: DEST/index.html, written atomically (sqlrun/atomic.py).

DEST is a local directory (made if missing), or `s3://bucket/prefix/` (the object
prefix/index.html, uploaded whole or not at all by sqlrun/s3_write.py, with the [s3] settings).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlrun.atomic import check_target, open_output
from sqlrun.errors import SqlrunError
from sqlrun.s3 import S3Location, is_s3
from sqlrun.s3_write import check, location, upload

PAGE = "index.html"


def _object(dest: str, settings: Mapping | None) -> S3Location:
    """The page's object under an s3:// prefix."""
    return location(f"{dest.rstrip('/')}/{PAGE}", settings)


def _local(dest: str) -> Path:
    if not dest or dest == "-":
        raise SqlrunError("a dashboard is written to a directory: -o DIR")
    return Path(dest)


def check_dest(dest: str, settings: Mapping | None = None) -> None:
    """Before any query runs: DEST is (or can become) a directory whose index.html can be written,
    or an S3 prefix we may write to."""
    if is_s3(dest):
        check(_object(dest, settings))
        return
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


def publish(html: str, dest: str, settings: Mapping | None = None) -> str:
    """Write the page to DEST/index.html (DEST made if missing); returns where it went."""
    if is_s3(dest):
        page = _object(dest, settings)
        upload(page, html.encode(), content_type="text/html; charset=utf-8")
        return str(page)
    folder = _local(dest)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SqlrunError(f"cannot make the dashboard directory {dest}: {(exc.strerror or str(exc)).lower()}") from None
    page = folder / PAGE
    with open_output(page) as handle:
        handle.write(html.encode())
    return str(page)
