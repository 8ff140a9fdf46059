"""A test file read as YAML, hostile input in mind: a regular UTF-8 file of bounded size, each
mapping key once, anchors allowed but no recursive ones and no expansion past a bound."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlrun.errors import SqlrunError

MAX_BYTES = 16 * 2**20
MAX_NODES = 1_000_000  # after aliases are expanded: a "billion laughs" file stops here
MAX_DEPTH = 64


def read_yaml(path: Path) -> object:
    """The file's YAML document (yaml.safe_load) or a one-line SqlrunError naming the file."""
    import yaml

    text = _read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            _check(path, node)
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SqlrunError(f"{path}{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise SqlrunError(f"{path}: YAML nested too deeply") from None


def _read_text(path: Path) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
            raise SqlrunError(f"{path}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise SqlrunError(f"{path}: {info.st_size:,} bytes; a test file holds at most {MAX_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise SqlrunError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SqlrunError(f"{path}: not UTF-8 text (line {line}); save it as UTF-8") from None


def _check(path: Path, root) -> None:
    """Duplicate keys, recursive anchors, depth and expanded size, on the composed node graph
    (safe_load would silently keep the last of two equal keys)."""
    import yaml

    sizes: dict[int, int] = {}  # node id -> its size with aliases expanded
    open_nodes: set[int] = set()

    def size(node, depth: int) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        line = f"{path}:{node.start_mark.line + 1}"
        if id(node) in open_nodes:
            raise SqlrunError(f"{line}: an alias refers to a node that contains it")
        if depth > MAX_DEPTH:
            raise SqlrunError(f"{line}: nested more than {MAX_DEPTH} levels deep")
        total = 1
        open_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if (key.tag, key.value) in seen:
                        raise SqlrunError(f"{path}:{key.start_mark.line + 1}: key {key.value!r} given twice")
                    seen.add((key.tag, key.value))
                total += size(key, depth + 1) + size(value, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item, depth + 1) for item in node.value)
        open_nodes.discard(id(node))
        if total > MAX_NODES:
            raise SqlrunError(f"{line}: more than {MAX_NODES:,} values once aliases are expanded")
        sizes[id(node)] = total
        return total

    size(root, 0)
