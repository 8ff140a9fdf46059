"""The SQL (or error) every known query compiles to on every engine equals the stored snapshot.

A refactor that must not change generated SQL keeps this passing. A change of spelling that is
meant: `python -m tests.snapshot_write` rewrites tests/snapshots/ and says how many entries
changed; review that diff like code. Compile only: no engine starts.
"""

from __future__ import annotations

import pytest

from tests.known_queries import COLLECTIONS
from tests.snapshot_write import compute, differences, entries, load, path_of

SHOWN = 5  # differences printed in full; the rest are counted


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_compiled_sql_matches_the_snapshot(tmp_path, collection):
    stored = load(collection)
    assert stored, f"{path_of(collection)} is missing: run `python -m tests.snapshot_write {collection}`"
    blocks = differences(stored, compute(collection, tmp_path))
    if blocks:
        more = f"\n... and {len(blocks) - SHOWN} more" if len(blocks) > SHOWN else ""
        pytest.fail(
            f"{len(blocks)} of {len(entries(stored))} {collection} entries differ from the snapshot"
            f" (intended? `python -m tests.snapshot_write {collection}`):\n\n" + "\n\n".join(blocks[:SHOWN]) + more,
            pytrace=False,
        )
