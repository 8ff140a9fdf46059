"""Churn model: training time per engine, and SQL scoring throughput vs the library's own predict.

Run: .venv/bin/python bench/models_churn.py  (needs the demo data: make demo)
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.engine.models.train import Trained, feature_matrix, native_scores

COPIES = 10  # the 10,000 training rows scored 10 times: 100,000 rows per run
ROOT = Path(__file__).resolve().parents[1] / "queries"
FEATURES = ("age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us, country_de,"
            " country_br, plays_before, active_days_before, minutes_before, genres_before, days_since_last_play")


def main() -> None:
    with Session(ROOT) as session:
        session.run("churn_training", "duckdb")  # stored once; every engine reads it back
        score = Query("bench_scores", ROOT / "bench_scores.sql", "spark",
                      "SELECT user_id, p FROM (" + " UNION ALL ".join(
                          f"SELECT user_id, predict_churn_probabilities({FEATURES}) AS p FROM churn_training"
                          for _ in range(COPIES)) + ") AS t")
        for engine in ("duckdb", "polars", "spark"):
            session.run("churn_model", engine, refresh=False)  # warm the engine
            meta = session.models.store.current("churn_model").meta
            started = time.perf_counter()
            session.run("churn_model", engine, refresh=True)
            meta = session.models.store.current("churn_model").meta
            train_total = time.perf_counter() - started
            session.run(score, engine)  # warm-up
            started = time.perf_counter()
            table = session.run(score, engine)
            seconds = time.perf_counter() - started
            compile_started = time.perf_counter()
            session.compile(score, engine)
            compile_s = time.perf_counter() - compile_started
            print(f"{engine:7} train {train_total:.2f} s (query {meta['query_seconds']:.2f} s, fit"
                  f" {meta['train_seconds']:.2f} s)  score {table.num_rows} rows in {seconds:.2f} s"
                  f" = {table.num_rows / seconds:,.0f} rows/s (compile {compile_s:.2f} s,"
                  f" engine {table.num_rows / max(seconds - compile_s, 1e-9):,.0f} rows/s)")
        stored = session.models.store.current("churn_model")
        name, artifact = stored.artifact()
        trained = Trained(stored.model(), artifact, name, {}, 0)
        import numpy as np

        x = feature_matrix(session.store.current("churn_training").read(), stored.model()["features"])
        x = np.concatenate([x] * COPIES)
        native_scores(trained, x)
        started = time.perf_counter()
        native_scores(trained, x)
        seconds = time.perf_counter() - started
        rate = len(x) / seconds
        print(f"xgboost booster.predict (incl. load): {len(x)} rows in {seconds:.3f} s = {rate:,.0f} rows/s")


if __name__ == "__main__":
    main()
