"""Where a result or chart is written, and writing it so that nobody sees half a file.

- `-` is stdout.
- A regular file is written to `.NAME.<pid>.<random>.tmp` beside it and renamed over it, with the
  old file's permissions (readers see the old file or the new one, never half of one).
- A symlink is followed: the temp file goes beside the link's target and replaces the target;
  the link stays a link.
- A character device or FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is opened and written
  through, never replaced. Directories, sockets and block devices are refused.
- A temp file of a writer that is no longer alive (kill -9, power cut) is removed by the next
  write to the same target; only names of that exact pattern are touched.

Every file sqlrun replaces is written here: results and charts (open_output), the schema cache,
the stores' pointers (write_atomic, not following links) and the demo data (atomic_path).
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from sqlrun.errors import SqlrunError

STDOUT = "-"
_NAME_CHARS = 100  # of the target's name in a temp name: a 255-byte name plus the suffix would not fit


def is_stdout(path: str | Path | None) -> bool:
    return path is not None and str(path) == STDOUT


def _error(path: str | Path, exc: OSError) -> SqlrunError:
    return SqlrunError(f"cannot write {path}: {(exc.strerror or str(exc)).lower()}")


def resolve_target(path: str | Path) -> Path:
    """The file a write to `path` lands in: every symlink followed."""
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops where it finds a loop
        raise SqlrunError(f"cannot write {path}: a loop of symbolic links")
    return target


def check_target(path: str | Path) -> tuple[Path, bool]:
    """Where a write to `path` goes, and whether it is written through (a device or FIFO) rather
    than replaced; a one-line error now, before a query runs, if it cannot be written."""
    try:
        mode = os.stat(path).st_mode  # follows links, /dev/stdout's /proc/self/fd/1 included
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a file used as a directory, a loop of links, a directory we may not search
        raise _error(path, exc) from None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise SqlrunError(f"cannot write {path}: it is a directory")
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise SqlrunError(f"cannot write {path}: not a regular file, character device or FIFO")
        if not os.access(path, os.W_OK):
            raise SqlrunError(f"cannot write {path}: permission denied")
        return Path(path), True
    target = resolve_target(path)
    if mode is not None and target.parts[:2] == ("/", "proc"):
        return Path(path), True  # /dev/stdout, /dev/fd/N onto a file: this process's open file
    if not target.parent.is_dir():
        if target.parent.exists():
            raise SqlrunError(f"cannot write {path}: {target.parent} is not a directory")
        raise SqlrunError(f"output directory does not exist: {target.parent}")
    try:  # the temp file the write will make: a read-only place fails here, not after the query
        fd, probe = tempfile.mkstemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _error(path, exc) from None
    return target, False


def _prefix(target: Path) -> str:
    return f".{target.name[:_NAME_CHARS]}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or not a pid we can ask about: keep its file
    return True


def temp_pattern(name: str) -> re.Pattern:
    """The temp names a write to a file called `name` makes: `.NAME.<pid>.<random>.tmp`."""
    return re.compile(rf"\.{re.escape(name[:_NAME_CHARS])}\.(\d+)\.[a-z0-9_]{{8}}\.tmp")


def remove_stale_temps(target: Path) -> None:
    """Remove `.NAME.<pid>.<random>.tmp` files beside `target` whose writer process is gone."""
    pattern = temp_pattern(target.name)
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and entry.is_file(follow_symlinks=False) and not _alive(int(match.group(1))):
            with suppress(OSError):
                os.unlink(entry.path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path, follow_links: bool = True) -> Iterator[str]:
    """A temporary file beside the (resolved) target to write into; renamed over it only if the
    block succeeds. Keeps an existing file's permissions (a private result stays private).
    With follow_links=False a symlink at `path` is itself replaced (a store's own files)."""
    target = resolve_target(path) if follow_links else Path(path)
    if not target.parent.is_dir():
        raise SqlrunError(f"output directory does not exist: {target.parent}")
    try:
        st = os.stat(target, follow_symlinks=False)
        mode = stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None
    except OSError:
        mode = None
    if mode is None:
        mode = 0o666 & ~_umask()  # mkstemp makes 0600; a new result is an ordinary file
    remove_stale_temps(target)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | Path, data: bytes | str, follow_links: bool = True) -> None:
    """`data` (str as UTF-8) into `path` through atomic_path, synced to disk before the rename."""
    with atomic_path(path, follow_links) as tmp, open(tmp, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def open_output(path: str | Path) -> Iterator[BinaryIO]:
    """A binary handle for a result or chart at `path` (see the module's docstring); every
    output file goes through here. An OS error while writing is one line."""
    if is_stdout(path):
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target, through = check_target(path)
    try:
        if through:
            with open(target, "wb") as handle:
                yield handle
            return
        with atomic_path(target) as tmp, open(tmp, "wb") as handle:
            yield handle
    except OSError as exc:
        raise _error(path, exc) from None
