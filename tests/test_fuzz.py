"""The differential fuzzer's seeded short run (`make fuzz` runs the long one): random tables and
queries, each run on its source engine itself and through sqlrun; no difference, no run-time error."""

from __future__ import annotations

import pytest

from tests.fuzz.__main__ import fuzz, report
from tests.fuzz.runner import BUGS


def _check(pairs: dict, queries: int, seed: int) -> None:
    stats, findings, kinds = fuzz(seed, queries, pairs, round_size=50)
    for source, targets in pairs.items():
        for target in targets:
            counts = stats.counts[source, target]
            assert counts["same"] > queries // 3, (source, target, dict(counts))  # most queries really ran
            assert sum(counts[s] for s in BUGS) == 0, report(stats, findings, kinds, seed)


def test_duckdb_on_polars():
    _check({"duckdb": ("polars",)}, 300, seed=7)


@pytest.mark.spark
def test_spark_on_duckdb():
    _check({"spark": ("duckdb",)}, 50, seed=7)
