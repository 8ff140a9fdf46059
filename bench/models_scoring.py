"""Scoring speed: a trained model scored by a query vs the library's own booster.predict, at 1M rows
(DuckDB, Polars: model columns of the outermost SELECT scored by the library in one batch,
engine/models/outer_scores.py; Spark: the model function, scorer.py).

Trains three XGBoost models with sqlrun (CREATE MODEL, synthetic data, fixed seeds; 100k
training rows, 10 numeric features, some NULL): Redshift's AUTO OFF defaults (100 rounds,
depth 6), 200 trees of depth 8, and a 3-class multi:softmax model of 100 rounds. Then, on a
1M-row parquet table (row groups of 100k rows) and per engine:

- compile of the scoring query: cold (the compiled model removed from the cache) and warm
  (from the cache file, as a new process finds it);
- the scoring query `SELECT id, f_probabilities(...).probabilities[0] FROM score` (the top
  class's probability) through Session.run (warm cache), best of REPEAT, and booster.predict
  (DMatrix + predict, all cores) on the same rows right before it: rows/s and the ratio;
- answers: the probabilities within 1e-5 of booster.predict, and the class predictions
  (f(...)) identical to the library's on every row.

Bars (exit status 1 if one is missed): ratio >= 0.5 on duckdb and polars, >= 0.2 on spark,
for the defaults and the depth-8 models; every model scores; warm compile <= 0.2 s;
answers as above.

An engine written `duckdb:sql` (or `polars:sql`, `spark:sql`) is that engine with the trees as
SQL (no model function), `duckdb:udf` DuckDB with its model function per vector instead of the
batch: encodings measured in the same run; such rows have no bars.

    .venv/bin/python bench/models_scoring.py [--engines duckdb,polars,spark] [--models defaults,deep,multiclass]
                                             [--repeat 3] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sqlrun.adapters import engine_class
from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.engine.models import sql_cache
from sqlrun.engine.models.train import feature_matrix

ROOT = Path(__file__).resolve().parent / "data" / "models_scoring"
FEATURES = [f"f{i}" for i in range(10)]
TRAIN_ROWS = 100_000
XGB = "IAM_ROLE default AUTO OFF MODEL_TYPE XGBOOST"
MODELS = {  # name: (target, function, options, gated by the speed bars)
    "defaults": ("flag", "predict_defaults", "OBJECTIVE 'binary:logistic' PREPROCESSORS 'none'"
                 " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '100', MAX_DEPTH '6')", True),
    "deep": ("flag", "predict_deep", "OBJECTIVE 'binary:logistic' PREPROCESSORS 'none'"
             " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '200', MAX_DEPTH '8')", True),
    "multiclass": ("kind", "predict_kind", "OBJECTIVE 'multi:softmax' PREPROCESSORS 'none'"
                   " HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '3', NUM_ROUND '100', MAX_DEPTH '6')", False),
}
BARS = {"duckdb": 0.5, "polars": 0.5, "spark": 0.2}
WARM_COMPILE = 0.2
TOLERANCE = 1e-5


def table(rows: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    columns = {}
    for i, name in enumerate(FEATURES):
        values = rng.integers(0, 50, size=rows).astype(float) if i % 3 == 0 else rng.normal(size=rows)
        columns[name] = np.round(values, 1) if i == 2 else values  # one decimal: values on thresholds
    x = np.column_stack([columns[n] for n in FEATURES])
    score = (2 * x[:, 1] - x[:, 2] + np.sin(x[:, 0] / 5) + x[:, 4] * x[:, 5] - 0.05 * x[:, 3]
             + rng.normal(scale=0.7, size=rows))
    out = {"id": np.arange(rows, dtype=np.int64)}
    for i, name in enumerate(FEATURES):
        out[name] = pa.array(columns[name], mask=rng.random(rows) < 0.02 if i in (1, 4) else None)
    out["flag"] = (score > 0).astype(np.int32)
    out["kind"] = np.array(["low", "mid", "high"])[np.digitize(score, [-1.0, 1.0])]
    return pa.table(out)


def project(rows: int) -> Path:
    (ROOT / "data").mkdir(parents=True, exist_ok=True)
    marker = ROOT / "data" / f".generated-{rows}"
    if not marker.exists():
        pq.write_table(table(TRAIN_ROWS, 1), ROOT / "data" / "train.parquet")
        pq.write_table(table(rows, 2), ROOT / "data" / "score.parquet", row_group_size=100_000)
        for old in (ROOT / "data").glob(".generated-*"):
            old.unlink()
        marker.touch()
    (ROOT / "sqlrun.toml").write_text(
        '[project]\ndialect = "spark"\nqueries = "."\n\n[sources.train]\npath = "data/train.parquet"\n\n'
        '[sources.score]\npath = "data/score.parquet"\n')
    for name, (target, function, options, _) in MODELS.items():
        (ROOT / f"{name}.sql").write_text(
            f"-- dialect: redshift\nCREATE MODEL {name}\nFROM (SELECT {', '.join(FEATURES)}, {target} FROM train)\n"
            f"TARGET {target}\nFUNCTION {function}\n{XGB}\n{options}\nSETTINGS (S3_BUCKET 'bench')\n")
    return ROOT


def query(name: str, sql: str) -> Query:
    return Query(name, ROOT / f"{name}.sql", "spark", sql)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


class Library:
    """booster.predict on the score table's rows (read once; DMatrix + predict timed)."""

    def __init__(self, session: Session, name: str, x: np.ndarray):
        import xgboost as xgb

        self.xgb, self.x = xgb, x
        stored = session.models.store.current(name)
        self.classes = stored.model()["classes"]
        self.booster = xgb.Booster()
        self.booster.load_model(bytearray(stored.artifact()[1]))

    def predict(self) -> np.ndarray:
        return self.booster.predict(self.xgb.DMatrix(self.x, feature_names=FEATURES, missing=math.nan))


def forget_compiled(session: Session, name: str) -> None:
    """As a new process after retraining: nothing compiled in memory, nor on disk."""
    sql_cache._MEMORY.clear()
    for file in session.models.store.versions.entry(name).glob("sql-*.json"):
        file.unlink()


def measure(session: Session, name: str, engine: str, library: Library, repeat: int) -> dict:
    """One model on one engine; `engine` "duckdb:sql" is DuckDB with the trees written as SQL
    (its adapter's model functions off: every fallback's encoding), "duckdb:udf" without the batch."""
    adapter = engine_class(engine.split(":")[0])
    functions, batch = adapter.MODEL_FUNCTIONS, adapter.MODEL_BATCH
    adapter.MODEL_FUNCTIONS = functions and not engine.endswith(":sql")
    adapter.MODEL_BATCH = (batch or engine.endswith(":batch")) and not engine.endswith(":udf")
    try:
        return _measure(session, name, engine.split(":")[0], library, repeat) | {"engine": engine}
    finally:
        adapter.MODEL_FUNCTIONS, adapter.MODEL_BATCH = functions, batch


def _measure(session: Session, name: str, engine: str, library: Library, repeat: int) -> dict:
    _, function, _, _ = MODELS[name]
    args = ", ".join(FEATURES)
    scores = query(f"score_{name}", f"SELECT id, {function}_probabilities({args}).probabilities[0] AS p FROM score")
    labels = query(f"label_{name}", f"SELECT id, {function}({args}) AS label FROM score")
    forget_compiled(session, name)
    cold = best(lambda: session.compile(scores, engine), 1)
    sql = session.compile(scores, engine)
    sql_cache._MEMORY.clear()  # a new process: the compiled model comes from its file
    warm = best(lambda: (sql_cache._MEMORY.clear(), session.compile(scores, engine)), 3)
    session.run(query(f"warm_{name}", f"SELECT id, {function}({args}) AS label FROM score LIMIT 10"), engine)
    first = session.run(labels, engine)
    seconds, lib_seconds, result = [], [], None
    for _ in range(repeat):
        lib_seconds.append(best(library.predict, 1))
        sql_cache._MEMORY.clear()
        started = time.perf_counter()
        result = session.run(scores, engine)
        seconds.append(time.perf_counter() - started)
    want = library.predict()
    got = result.sort_by("id")["p"].to_numpy(zero_copy_only=False)
    top = np.maximum(want, 1 - want) if want.ndim == 1 else want.max(axis=1)
    diff = float(np.max(np.abs(got - top)))
    predicted = (want > 0.5).astype(int) if want.ndim == 1 else want.argmax(axis=1)
    expected = np.array(library.classes, dtype=object)[predicted]
    labels_got = np.array(first.sort_by("id")["label"].to_pylist(), dtype=object)
    return {"model": name, "engine": engine, "rows": result.num_rows, "sql_mb": len(sql) / 1e6,
            "compile_cold": cold, "compile_warm": warm, "seconds": min(seconds), "lib_seconds": min(lib_seconds),
            "ratio": min(lib_seconds) / min(seconds), "max_diff": diff,
            "label_mismatches": int(np.sum(labels_got != expected))}


def bars(row: dict) -> list[str]:
    missed = []
    if ":" in row["engine"]:  # an encoding kept for comparison: no bars
        return missed
    if MODELS[row["model"]][3] and row["ratio"] < BARS[row["engine"]]:
        missed.append(f"ratio {row['ratio']:.2f} < {BARS[row['engine']]}")
    if row["compile_warm"] > WARM_COMPILE:
        missed.append(f"warm compile {row['compile_warm']:.2f} s > {WARM_COMPILE} s")
    if not row["max_diff"] <= TOLERANCE:
        missed.append(f"max |diff| {row['max_diff']:.2g} > {TOLERANCE}")
    if row["label_mismatches"]:
        missed.append(f"{row['label_mismatches']} class predictions differ")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="duckdb,polars,spark")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--models", default=",".join(MODELS))
    options = parser.parse_args()
    root = project(options.rows)
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    print(f"models_scoring: {options.rows:,} rows, {time.strftime('%Y-%m-%d %H:%M')}, load average"
          f" {' '.join(load)} on {len(__import__('os').sched_getaffinity(0))} cores")
    failed = []
    with Session(root) as session:
        x = feature_matrix(pq.read_table(root / "data" / "score.parquet"), FEATURES)
        for name in options.models.split(","):
            started = time.perf_counter()
            session.run(name, "duckdb")  # trained once; a fresh model is kept
            library = Library(session, name, x)
            trees = len(session.models.store.current(name).model()["trees"])
            print(f"\n{name}: {trees} trees (trained or found in {time.perf_counter() - started:.1f} s)")
            print(f"{'engine':11}{'SQL MB':>8}{'compile cold s':>16}{'warm s':>8}{'query s':>9}{'rows/s':>12}"
                  f"{'booster s':>11}{'rows/s':>12}{'ratio':>7}{'max|diff|':>11}{'labels':>8}  bars")
            for engine in options.engines.split(","):
                repeat = options.repeat if not engine.startswith("spark") else max(1, options.repeat - 1)
                try:
                    row = measure(session, name, engine, library, repeat)
                except Exception as exc:  # a model that cannot be scored misses its bar
                    failed.append(f"{name} on {engine}: {str(exc).splitlines()[0]}")
                    print(f"{engine:11}error: {str(exc).splitlines()[0]}")
                    continue
                missed = bars(row)
                failed += [f"{name} on {engine}: {m}" for m in missed]
                print(f"{engine:11}{row['sql_mb']:>8.2f}{row['compile_cold']:>16.2f}{row['compile_warm']:>8.3f}"
                      f"{row['seconds']:>9.2f}{row['rows'] / row['seconds']:>12,.0f}{row['lib_seconds']:>11.2f}"
                      f"{row['rows'] / row['lib_seconds']:>12,.0f}{row['ratio']:>7.2f}{row['max_diff']:>11.1e}"
                      f"{row['label_mismatches']:>8}  {'; '.join(missed) or 'ok'}", flush=True)
    print("\nbars: " + ("all met" if not failed else f"{len(failed)} missed"))
    for line in failed:
        print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
