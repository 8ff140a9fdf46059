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
                          f"SELECT user_id, predict_churn_probabilities({FEATURES}).probabilities[0] AS p"
                          " FROM churn_training"
                          for _ in range(COPIES)) + ") AS t")
        for engine in ("duckdb", "polars", "spark"):
            session.run("churn_model", engine, refresh=False)  # warm the engine
            meta = session.models.store.current("churn_model").meta
            started = time.perf_counter()
            session.run("churn_model", engine, refresh=True)
            meta = session.models.store.current("churn_model").meta
            train_total = time.perf_counter() - started
            session.run(score, engine)  # warm-up; registers churn_training on the engine
            started = time.perf_counter()
            table = session.run(score, engine)
            total = time.perf_counter() - started
            started = time.perf_counter()
            sql = session.compile(score, engine)
            compile_s = time.perf_counter() - started
            started = time.perf_counter()
            session.engine(engine).to_arrow(sql)
            engine_s = time.perf_counter() - started
            print(f"{engine:7} train {train_total:.2f} s (training query {meta['query_seconds']:.2f} s, fit"
                  f" {meta['train_seconds']:.2f} s); score {table.num_rows:,} rows: run {total:.2f} s"
                  f" (compile {compile_s:.2f} s, {len(sql) / 1e6:.1f} MB SQL), engine alone {engine_s:.2f} s"
                  f" = {table.num_rows / engine_s:,.0f} rows/s")
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
