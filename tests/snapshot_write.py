"""The compile snapshot: the SQL (or error) every known query compiles to on every engine.

    python -m tests.snapshot_write            # rewrite tests/snapshots/*.json, say what changed
    python -m tests.snapshot_write corpus     # one collection only

tests/test_compile_snapshot.py compares a fresh compile with these files and never writes them.
An entry is the SQL as a list of lines (a diff shows the line whose spelling changed) or the
error as one string, "ErrorClass: message", with temp and repository paths as placeholders.
"""

from __future__ import annotations

import difflib
import json
import sys
import tempfile
from pathlib import Path

from tests.known_queries import COLLECTIONS, ENGINES, REPO

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def path_of(collection: str) -> Path:
    return SNAPSHOTS / f"{collection}.json"


def _scrub(text: str, tmp: Path) -> str:
    # Longest first: a temp dir may lie inside the repository or the other way round.
    for real, shown in sorted({(str(tmp.resolve()), "<tmp>"), (str(tmp), "<tmp>"), (str(REPO), "<repo>")},
                              key=lambda pair: -len(pair[0])):
        text = text.replace(real, shown)
    return text


def outcome(known, engine: str, tmp: Path) -> list[str] | str:
    try:
        return _scrub(known.compile(engine), tmp).split("\n")
    except Exception as exc:  # any failure is part of the snapshot, not only SqlrunError
        return _scrub(f"{type(exc).__name__}: {exc}", tmp)


def compute(collection: str, tmp: Path) -> dict:
    """{query key: {engine: outcome}} for one collection, compiled in a fresh temp dir."""
    return {k.key: {e: outcome(k, e, tmp) for e in ENGINES} for k in COLLECTIONS[collection](tmp)}


def dumps(snapshot: dict) -> str:
    return json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def load(collection: str) -> dict:
    path = path_of(collection)
    return json.loads(path.read_text()) if path.exists() else {}


def entries(snapshot: dict) -> dict[tuple[str, str], list[str] | str]:
    return {(key, engine): out for key, by_engine in snapshot.items() for engine, out in by_engine.items()}


def _lines(out: list[str] | str | None) -> list[str]:
    if out is None:
        return []
    return out if isinstance(out, list) else [f"<error> {out}"]


def differences(old: dict, new: dict) -> list[str]:
    """One readable block per (query, engine) whose outcome changed, was added or removed."""
    before, after = entries(old), entries(new)
    blocks = []
    for key, engine in sorted(before.keys() | after.keys()):
        was, now = before.get((key, engine)), after.get((key, engine))
        if was == now:
            continue
        diff = difflib.unified_diff(_lines(was), _lines(now), "snapshot", "now", lineterm="", n=2)
        blocks.append(f"{key} on {engine}:\n" + "\n".join(diff))
    return blocks


def main(argv: list[str]) -> int:
    names = argv or list(COLLECTIONS)
    unknown = [n for n in names if n not in COLLECTIONS]
    if unknown:
        print(f"unknown collection(s) {', '.join(unknown)}; known: {', '.join(COLLECTIONS)}")
        return 2
    SNAPSHOTS.mkdir(exist_ok=True)
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            new = compute(name, Path(tmp))
        changed = len(differences(load(name), new))
        path_of(name).write_text(dumps(new))
        print(f"{name}: {changed} of {len(entries(new))} entries changed -> {path_of(name).relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
