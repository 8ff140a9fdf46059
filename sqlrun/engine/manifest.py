"""A version directory's manifest: the size, mtime and sha256 of each of its files, and the
check of a directory against it (engine/versions.py's)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlrun.errors import SqlrunError

LOCK = ".lock"  # a version's reader lock: not one of its files


class Damaged(SqlrunError):
    """A stored entry whose pointer, manifest or files do not match."""


def _files(directory: Path) -> dict[str, Path]:
    """Every file of a version (its lock aside), by path relative to it."""
    found = {}
    for parent, _, names in os.walk(directory):
        for name in names:
            path = Path(parent, name)
            relative = path.relative_to(directory).as_posix()
            if relative != LOCK:
                found[relative] = path
    return found


def manifest(directory: Path) -> dict[str, list]:
    """Each file's [size, mtime_ns, sha256], by path relative to the version."""
    result = {}
    for relative, path in sorted(_files(directory).items()):
        stat = path.stat()
        result[relative] = [stat.st_size, stat.st_mtime_ns, file_sha(path)]
    return result


def check(directory: Path, files: dict, verify: bool) -> None:
    """Raises Damaged unless the directory holds exactly the manifest's `files`, with their sizes;
    checksums when `verify` or when a file's mtime changed."""
    if not directory.is_dir():
        raise Damaged("its version directory is missing")
    present = _files(directory)
    for relative in sorted(set(files) | set(present)):
        if relative not in present:
            raise Damaged(f"{relative} is missing")
        if relative not in files:
            raise Damaged(f"{relative} is not one of its files")
        size, mtime, digest = files[relative]
        stat = present[relative].stat()
        if stat.st_size != size:
            raise Damaged(f"{relative} has {stat.st_size} bytes, not {size}")
        if (verify or stat.st_mtime_ns != mtime) and file_sha(present[relative]) != digest:
            raise Damaged(f"{relative} does not match its checksum")


def file_sha(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
