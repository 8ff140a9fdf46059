"""Every example catalog query gives the same rows on duckdb, polars and spark."""

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "queries"
# CREATE MODEL files are trained (once, below), not compared: their result is a training record.
MODELS = sorted(p.stem for p in EXAMPLES.glob("*.sql") if "CREATE MODEL" in p.read_text())
QUERIES = sorted(p.stem for p in EXAMPLES.glob("*.sql") if p.stem not in MODELS)


@pytest.fixture(scope="module")
def trained_models(demo_session):
    """The example models, trained on duckdb: the scoring queries call their FUNCTIONs."""
    return {name: demo_session.run(name, "duckdb").to_pylist()[0] for name in MODELS}


@pytest.mark.spark
@pytest.mark.parametrize("name", QUERIES)
def test_example_query_has_parity_on_all_engines(demo_session, trained_models, name):
    results = demo_session.parity([name], ["duckdb", "polars", "spark"])
    assert [r.engine for r in results] == ["duckdb", "polars", "spark"]
    failed = [(r.engine, r.detail) for r in results if not r.ok]
    assert not failed
    assert results[0].rows > 0


def test_charts_by_age_is_ranked_per_age_group(demo_session):
    table = demo_session.run("charts_by_age", "duckdb", {"ds": "2025-08-02", "top_n": "3"})
    rows = table.to_pylist()
    groups = {r["age_group"] for r in rows}
    assert groups == {"10s", "20s", "30s", "40s", "50+"}
    for group in groups:
        ranks = [r["chart_rank"] for r in rows if r["age_group"] == group]
        plays = [r["plays"] for r in rows if r["age_group"] == group]
        assert ranks == [1, 2, 3]
        assert plays == sorted(plays, reverse=True)


def test_pr_curve_recall_falls_as_threshold_rises(demo_session):
    rows = demo_session.run("pr_curve", "polars").to_pylist()
    recalls = [r["recall"] for r in rows]
    assert recalls == sorted(recalls, reverse=True)
    assert rows[0]["recall"] == pytest.approx(1.0)


def test_taxi_features_drop_missing_and_standardize(demo_session):
    table = demo_session.run("taxi_features", "duckdb")
    assert table.column("trip_distance_z").null_count == 0
    z = table.column("trip_distance_z").to_pylist()
    assert abs(sum(z) / len(z)) < 1e-9
    onehot = zip(*(table.column(c).to_pylist() for c in ("payment_card", "payment_cash", "payment_mobile")))
    assert all(sum(r) == 1 for r in onehot)
