"""Versioned directories behind a current.json pointer: the one implementation under both the
step store (engine/store.py) and the model store (engine/models/store.py).

One entry (a step, a model) under the store's root:
    <name>/current.json        the current version: its dir, a manifest of its files (size,
                               mtime, sha256) and the caller's record
    <name>/<fp16>-<id8>/       a complete version; readers hold its .lock shared while they read
    <name>/.tmp-<pid>-<id8>/   a version being written (never read)
    <name>/.lock               held exclusively by a writer around rename, pointer swap, cleanup

A version directory is published by renaming its complete temp directory (one os.rename of a
directory); current.json and side files are replaced by sqlrun.atomic.write_atomic.

A name is checked against NAME, and every path is built by `inside`, which checks it again and
that the resolved path stays under the root. Cleanup removes only entries whose names match the
patterns made here, and an old version only if no reader holds it (it never waits for one).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.atomic import temp_pattern, write_atomic
from sqlrun.engine.manifest import LOCK, Damaged, check, manifest
from sqlrun.errors import CatalogError, SqlrunError

# Never '.' or '..' (no leading dot), never a separator; dots inside for `schema.model` names.
NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
NAME_RULE = "use letters, digits, '_', and '.' or '-' after the first character; at most 128"
VERSION = re.compile(r"[0-9a-f]{16}-[0-9a-f]{8}")
TEMP = re.compile(r"\.tmp-(\d+)-[0-9a-f]{8}")
POINTER = "current.json"
POINTER_TEMP = temp_pattern(POINTER)  # write_atomic's temp name for current.json
OLD_POINTER_TEMP = re.compile(r"\.current\.json\.[0-9a-f]{8}")  # what earlier versions made


def check_name(name: str, what: str = "name", where: str = "") -> str:
    """The one rule for every name that becomes a directory name (step, model, query)."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        prefix = f"{where}: " if where else ""
        raise CatalogError(f"{prefix}{what} {name!r} is not allowed: it names a directory ({NAME_RULE})")
    return name


def inside(root: Path, name: str, *parts: str) -> Path:
    """root/name/parts..., refused unless it resolves to a path under root."""
    check_name(name)
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\0" in part:
            raise CatalogError(f"store path component {part!r} is not allowed")
    path = root.joinpath(name, *parts)
    base = root.resolve()
    if base not in path.resolve().parents:
        raise CatalogError(f"store path {path} leaves {root}")
    return path


@dataclass
class Version:
    """The current version of one entry; `hold` is the reader's lock, if it took one."""

    name: str
    path: Path
    record: dict
    hold: int | None = field(default=None, compare=False, repr=False)


class VersionedStore:
    def __init__(self, root: Path, frames: list[list[int]] | None = None):
        self.root = Path(root)
        # Reader locks, released when their `reading()` ends (shared with another store's, if given).
        self._frames: list[list[int]] = [] if frames is None else frames

    def entry(self, name: str, *parts: str) -> Path:
        return inside(self.root, name, *parts)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if NAME.fullmatch(p.name) and p.is_dir())

    # -- reading -----------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[None]:
        """Versions held by current(hold=True) inside the block stay until it ends."""
        self._frames.append([])
        try:
            yield
        finally:
            for fd in self._frames.pop():
                os.close(fd)

    def _keep(self, fd: int) -> None:
        if self._frames:
            self._frames[-1].append(fd)
        # Outside reading(): held until the process ends (the descriptor is never closed).

    def current(self, name: str, hold: bool = False, verify: bool = False, fingerprint: str | None = None
                ) -> Version | None:
        """The current version, or None if there is none; raises Damaged if it does not check out.

        Sizes (and mtimes) are compared on every call; checksums when `verify`, or when a
        file's mtime changed (a copy keeps its bytes, a damaged file does not). With
        `fingerprint`, a version of another fingerprint is returned as is: not held, not checked."""
        pointer = self.entry(name, POINTER)
        for _ in range(20):  # a writer may swap the pointer and remove the old version meanwhile
            try:
                raw = pointer.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise Damaged(f"cannot read {POINTER}: {exc.strerror}") from None
            record = _parse_pointer(raw)
            path = self.entry(name, record["dir"])
            if fingerprint is not None and record.get("fingerprint") != fingerprint:
                return Version(name, path, record)
            fd = _flock(path / LOCK, fcntl.LOCK_SH | fcntl.LOCK_NB) if hold else None
            if hold and fd is None:
                if _read(pointer) != raw:
                    continue  # replaced meanwhile: read the new pointer
                raise Damaged("its version directory is missing" if not path.is_dir() else "its lock file is missing")
            try:
                check(path, record["files"], verify)
            except Damaged:
                if fd is not None:
                    os.close(fd)
                if _read(pointer) != raw:
                    continue  # not held: a writer replaced it and removed the old version
                raise
            if fd is not None:
                self._keep(fd)
            return Version(name, path, record, fd)
        raise Damaged("its pointer kept changing while being read")

    def verify(self, version: Version) -> None:
        """Full check, checksums included; raises Damaged."""
        check(version.path, version.record["files"], verify=True)

    # -- writing -----------------------------------------------------------------------
    def write(self, name: str, fingerprint: str, fill: Callable[[Path], None], record: dict,
              hold: bool = False) -> Version:
        """`fill(dir)` creates dir and writes the version into it; then it becomes current."""
        entry = self.entry(name)
        entry.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(4)
        tmp = self.entry(name, f".tmp-{os.getpid()}-{token}")
        prefix = fingerprint[:16] if re.fullmatch(r"[0-9a-f]{16}", fingerprint[:16]) else _sha(fingerprint)[:16]
        path = self.entry(name, f"{prefix}-{token}")
        fd = None
        try:
            fill(tmp)
            files = manifest(tmp)
            # Held before the version exists, so no other writer's cleanup can take it.
            fd = _flock(tmp / LOCK, fcntl.LOCK_SH, create=True)
            os.rename(tmp, path)
        except BaseException:
            if fd is not None:
                os.close(fd)
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        full = {**record, "dir": path.name, "files": files}
        with self.locked(name):
            _write_json(entry / POINTER, full)
            self._cleanup(entry, keep=path.name)
        if not hold:
            os.close(fd)
            fd = None
        else:
            self._keep(fd)
        return Version(name, path, full, fd)

    @contextmanager
    def locked(self, name: str) -> Iterator[Path]:
        """The entry's writer lock (exclusive, waits for another writer)."""
        entry = self.entry(name)
        entry.mkdir(parents=True, exist_ok=True)
        fd = _flock(entry / LOCK, fcntl.LOCK_EX, create=True)
        try:
            yield entry
        finally:
            os.close(fd)

    def remove(self, name: str) -> None:
        """No current version any more; versions no reader holds are removed (side files stay)."""
        with self.locked(name) as entry:
            self.entry(name, POINTER).unlink(missing_ok=True)
            self._cleanup(entry, keep="")

    def write_json(self, name: str, file: str, data: dict) -> None:
        """A side file of the entry (e.g. redshift.json), replaced atomically."""
        with self.locked(name):
            _write_json(self.entry(name, file), data)

    def read_json(self, name: str, file: str) -> dict | None:
        try:
            data = json.loads(self.entry(name, file).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _cleanup(self, entry: Path, keep: str) -> None:
        """Remove what this module made and nobody uses: old versions no reader holds, temp
        dirs of dead writers, pointer temp files. Anything else is left alone."""
        for item in os.scandir(entry):
            path = Path(item.path)
            if item.name == keep or item.is_symlink():
                continue
            if VERSION.fullmatch(item.name) and item.is_dir():
                fd = _flock(path / LOCK, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if fd is None and (path / LOCK).exists():
                    continue  # a reader holds it
                try:
                    shutil.rmtree(path, ignore_errors=True)
                finally:
                    if fd is not None:
                        os.close(fd)
            elif (match := TEMP.fullmatch(item.name)) and item.is_dir() and not _alive(int(match.group(1))):
                shutil.rmtree(path, ignore_errors=True)
            elif (POINTER_TEMP.fullmatch(item.name) or OLD_POINTER_TEMP.fullmatch(item.name)) and item.is_file():
                path.unlink(missing_ok=True)  # writers hold the lock while theirs exists


def _flock(path: Path, mode: int, create: bool = False) -> int | None:
    """An open descriptor holding `mode` on path, or None if it is absent or (LOCK_NB) taken.
    With `create`, the file is made if needed and failing to is an error."""
    flags = (os.O_RDWR | os.O_CREAT if create else os.O_RDONLY) | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if create:
            raise SqlrunError(f"cannot lock {path}: {exc.strerror}") from None
        return None
    try:
        fcntl.flock(fd, mode)
        # A cleanup may have removed the file between our open and our lock.
        if not create and os.stat(path, follow_symlinks=False).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError
    except OSError:
        os.close(fd)
        return None
    return fd


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _parse_pointer(raw: bytes) -> dict:
    try:
        record = json.loads(raw)
    except ValueError:
        raise Damaged(f"{POINTER} is not valid JSON") from None
    if not isinstance(record, dict):
        raise Damaged(f"{POINTER} holds {type(record).__name__}, not an object")
    if not isinstance(record.get("dir"), str) or not VERSION.fullmatch(record["dir"]):
        raise Damaged(f"{POINTER} names no version directory")
    files = record.get("files")
    if not isinstance(files, dict) or not files or not all(
        isinstance(k, str) and isinstance(v, list) and len(v) == 3 for k, v in files.items()
    ):
        raise Damaged(f"{POINTER} has no file manifest")
    return record


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _write_json(path: Path, data: dict) -> None:
    # follow_links=False: a link put in the store is replaced, never written through
    write_atomic(path, json.dumps(data, indent=2, default=str), follow_links=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
