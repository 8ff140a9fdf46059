"""Large models: a 100-round multiclass model, depth-8 trees and a 30-round regression equal
the library's own predict within 1e-5 (classes identical, NULL features included) on duckdb and
spark (the model function: XGBoost inside the engine), polars and duckdb with the trees as SQL;
their margins are XGBoost's own bit for bit on every path (function, batch, trees as SQL on
duckdb, polars and spark);
a retrained model is never served by its old function; each engine gets its own tree encoding;
the compiled SQL is kept beside the model version and used again (the model is not compiled
again), checked before use (a damaged or edited file is rebuilt), and rebuilt when the model is
retrained."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun.adapters.duckdb import DuckDBEngine
from sqlrun.adapters.polars import PolarsEngine
from sqlrun.api import Session
from sqlrun.engine.models import scorer, sql_cache, to_sql
from sqlrun.engine.models.train import Trained, feature_matrix, native_scores
from sqlrun.engine.models.trees_sql import Layout, arg

pytest.importorskip("xgboost")

FEATURES = ["a", "b", "c", "d"]
XGB = "IAM_ROLE default AUTO OFF MODEL_TYPE XGBOOST"
MODELS = {  # name: (target, function, options)
    "multi100": ("kind", "predict_kind", "OBJECTIVE 'multi:softmax' PREPROCESSORS 'none' "
                 "HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '3', NUM_ROUND '100', MAX_DEPTH '3')"),
    "deep8": ("flag", "predict_flag", "OBJECTIVE 'binary:logistic' PREPROCESSORS 'none' "
              "HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', MAX_DEPTH '8', MIN_CHILD_WEIGHT '0')"),
    "reg30": ("y", "predict_y", "OBJECTIVE 'reg:squarederror' PREPROCESSORS 'none' "
               "HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '30', MAX_DEPTH '3')"),
}
LABELS = ["it's low", "mid __sqlrun_arg_0__", "high \\ top"]  # a quote, a placeholder's text, a backslash
ROWS = 2000


def make_data(rows: int = ROWS) -> pa.Table:
    rng = np.random.default_rng(11)
    a = np.round(rng.normal(size=rows), 1)  # one decimal: values sit on split thresholds
    b = rng.integers(0, 20, size=rows)
    c, d = rng.normal(size=rows), rng.normal(size=rows)
    y = 2 * a + 0.3 * b - c * d + rng.normal(scale=0.3, size=rows)
    return pa.table({
        "id": np.arange(rows, dtype=np.int64),
        "a": pa.array(a, mask=np.arange(rows) % 29 == 0),  # NULL: XGBoost's missing value
        "b": b.astype(np.int32), "c": c, "d": pa.array(d, mask=np.arange(rows) % 31 == 0), "y": y,
        "flag": (y > np.median(y)).astype(np.int32),
        "kind": np.array(LABELS, dtype=object)[np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))],
    })


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring")
    (root / "data").mkdir()
    pq.write_table(make_data(), root / "data" / "points.parquet")
    (root / "sqlrun.toml").write_text('[project]\ndialect = "spark"\nqueries = "."\n\n'
                                      '[sources.points]\npath = "data/points.parquet"\n')
    args = ", ".join(FEATURES)
    calls = []
    for name, (target, function, options) in MODELS.items():
        (root / f"{name}.sql").write_text(f"-- dialect: redshift\nCREATE MODEL {name}\nFROM (SELECT {args}, {target}"
                                          f" FROM points)\nTARGET {target} FUNCTION {function} {XGB} {options}"
                                          " SETTINGS (S3_BUCKET 'b')\n")
        calls.append(f"{function}({args}) AS {name}")
        if target != "y":
            calls.append(f"{function}_probabilities({args}).probabilities[0] AS {name}_p")
    (root / "scores.sql").write_text(f"SELECT id, {', '.join(calls)} FROM points")
    (root / "deep_only.sql").write_text(f"SELECT id, predict_flag_probabilities({args}).probabilities[0] AS p"
                                        " FROM points")
    with Session(root) as session:
        for name in MODELS:
            session.run(name, "duckdb")
    return root


@pytest.fixture(scope="module")
def expected(project) -> dict[str, np.ndarray]:
    x = feature_matrix(pq.read_table(project / "data" / "points.parquet"), FEATURES)
    out = {}
    with Session(project) as session:
        for name in MODELS:
            stored = session.models.store.current(name)
            artifact_name, artifact = stored.artifact()
            scores = native_scores(Trained(stored.model(), artifact, artifact_name, {}, 0), x)
            classes = stored.model()["classes"]
            if scores.ndim == 2:
                out[name], out[f"{name}_p"] = np.array(classes, dtype=object)[scores.argmax(axis=1)], scores.max(axis=1)
            elif classes:
                out[name] = np.array(classes, dtype=object)[(scores > 0.5).astype(int)]
                out[f"{name}_p"] = np.maximum(scores, 1 - scores)  # the top class's probability
            else:
                out[name] = scores
    return out


def check(result: pa.Table, expected: dict[str, np.ndarray]) -> None:
    result = result.sort_by("id")
    for column in [c for c in result.column_names if c != "id"]:
        got, want = result[column].to_pylist(), expected[column]
        if want.dtype == object:
            assert got == list(want), column  # class predictions identical on every row
        else:
            np.testing.assert_allclose(np.array(got, dtype=float), want, rtol=1e-5, atol=1e-5, err_msg=column)


def test_the_models_are_large(project):
    with Session(project) as session:
        trees = {name: session.models.store.current(name).model()["trees"] for name in MODELS}
    assert len(trees["multi100"]) == 300 and len(trees["reg30"]) == 30
    depth = max(_depth(t) for t in trees["deep8"])
    assert depth == 8


def _depth(tree: dict, node: int = 0) -> int:
    if tree["left"][node] == -1:
        return 0
    return 1 + max(_depth(tree, tree["left"][node]), _depth(tree, tree["right"][node]))


@pytest.fixture
def sql_encoding(monkeypatch):
    """DuckDB and Polars with the trees written as SQL (the encoding for engines without model functions)."""
    monkeypatch.setattr(DuckDBEngine, "MODEL_FUNCTIONS", False)
    monkeypatch.setattr(PolarsEngine, "MODEL_FUNCTIONS", False)
    sql_cache._MEMORY.clear()
    yield
    sql_cache._MEMORY.clear()


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_large_models_equal_the_library_predict(project, expected, engine):
    with Session(project) as session:
        sql = session.compile("scores", engine)
        check(session.run("scores", engine), expected)  # NULL features (a, d) included
    # The model columns of the outermost SELECT in one batch of the library between two
    # statements (outer_scores.py), each call's inputs once; no trees as SQL.
    first, second = sql.split("-- then the model's scores")
    assert first.count("AS __sqlrun_x") == 4 and "sqlrun_model_" not in first
    assert second.count("AS __sqlrun_m") == 5 and "__sqlrun_m4" in second and "CASE WHEN a" not in sql


def test_large_models_as_sql_on_duckdb_equal_the_library_predict(project, expected, sql_encoding):
    with Session(project) as session:
        sql = session.compile("scores", "duckdb")
        check(session.run("scores", "duckdb"), expected)
    assert "sqlrun_model_" not in sql and sql.count("CAST(a AS DOUBLE)") > 100


@pytest.mark.spark
def test_depth_8_model_on_spark_equals_the_library_predict(project, expected):
    with Session(project) as session:
        sql = session.compile("deep_only", "spark")
        result = session.run("deep_only", "spark")
    assert "sqlrun_model_" in sql and "element_at" not in sql  # the library, in a pandas UDF
    check(result.rename_columns(["id", "deep8_p"]), expected)  # NULL features (a, d) included


@pytest.mark.spark
def test_multiclass_model_on_spark_equals_the_library_predict(project, expected):
    (project / "multi_only.sql").write_text("SELECT id, predict_kind(a, b, c, d) AS multi100,"
                                            " predict_kind_probabilities(a, b, c, d).probabilities[0] AS multi100_p"
                                            " FROM points")
    with Session(project) as session:
        check(session.run("multi_only", "spark"), expected)


def test_spark_off_this_machine_scores_with_the_trees_as_sql(project):
    """The pandas UDF needs xgboost in Spark's Python workers: only a local master gets it."""
    toml = project / "sqlrun.toml"
    before = toml.read_text()
    try:
        for settings, function in (('master = "local[1]"', True), ('master = "spark://h:7077"', False),
                                   ('remote = "sc://h:15002"', False)):
            toml.write_text(before + f"\n[engines.spark]\n{settings}\n")
            with Session(project) as session:
                sql = session.compile("deep_only", "spark")
            assert ("sqlrun_model_" in sql) is function, settings
            assert function or sql.count(" END") > 100  # the trees as SQL
    finally:
        toml.write_text(before)


def test_each_engine_gets_its_tree_encoding(project, sql_encoding):
    with Session(project) as session:
        duck, polars = (session.compile("deep_only", engine) for engine in ("duckdb", "polars"))
    assert "TINYINT" not in duck and "TINYINT" in polars  # Polars: 1-byte leaf numbers, then a lookup
    assert duck.count("CAST(a AS DOUBLE)") > 100  # the call's arguments, spliced into the model's SQL


def cache_file(project, model: str, engine: str, kind: str = "margins"):
    return project / ".sqlrun" / "models" / model / f"sql-{engine}-{kind}.json"


@pytest.fixture
def compiles(monkeypatch) -> list[str]:
    """The models compiled to SQL (to_sql.compile_model's calls), counted."""
    seen: list[str] = []
    real = to_sql.compile_model

    def counted(model, kind, layout):
        seen.append(kind)
        return real(model, kind, layout)

    monkeypatch.setattr(to_sql, "compile_model", counted)
    sql_cache._MEMORY.clear()  # as a new process: nothing compiled in memory
    yield seen
    sql_cache._MEMORY.clear()


def test_compiled_model_is_kept_beside_its_version_and_used_again(project, compiles, sql_encoding):
    path = cache_file(project, "deep8", "duckdb")
    path.unlink(missing_ok=True)
    with Session(project) as session:
        first = session.compile("deep_only", "duckdb")
        version = session.models.store.current("deep8").path.name
    assert compiles == ["margins"]
    record = json.loads(path.read_text())
    assert record["version"] == version and record["trees"] == "case"
    sql_cache._MEMORY.clear()  # a new process: the compiled model comes from the file
    with Session(project) as session:
        assert session.compile("deep_only", "duckdb") == first
        assert session.compile("deep_only", "duckdb") == first  # and then from memory
    assert compiles == ["margins"]  # not compiled again


@pytest.mark.parametrize("damage", [
    lambda r: {**r, "sqls": ["0.5e0 + (SELECT 1)"]},  # a word to_sql never writes
    lambda r: {**r, "sqls": ["read_csv(__sqlrun_arg_0__)"]},
    lambda r: {**r, "sqls": ["0.5e0 -- comment"]},
    lambda r: {**r, "sqls": ["'text'"]},
    lambda r: {**r, "sqls": ["0.25e0 + __sqlrun_arg_0__"]},  # plausible SQL, but not what was kept: the digest
    lambda r: {**r, "info": {**r["info"], "features": ["a"]}},
    lambda r: json.dumps(r)[:1000],  # cut short
])
def test_a_damaged_or_edited_cache_file_is_rebuilt_from_the_model(project, expected, compiles, damage, sql_encoding):
    with Session(project) as session:
        session.compile("deep_only", "polars")
    path = cache_file(project, "deep8", "polars")
    record = json.loads(path.read_text())
    sql_cache._MEMORY.clear()
    compiles.clear()
    damaged = damage(record)
    path.write_text(damaged if isinstance(damaged, str) else json.dumps(damaged))
    with Session(project) as session:
        result = session.run("deep_only", "polars")
    assert compiles == ["margins"]  # rebuilt, and the scores are the model's
    check(result.rename_columns(["id", "deep8_p"]), expected)
    assert json.loads(path.read_text()) == record  # written again


def test_retrained_model_compiles_again(tmp_path, compiles):
    (tmp_path / "data").mkdir()
    pq.write_table(make_data(300), tmp_path / "data" / "points.parquet")
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "spark"\nqueries = "."\n\n'
                                          '[sources.points]\npath = "data/points.parquet"\n')
    model = tmp_path / "m.sql"
    model.write_text(f"-- dialect: redshift\nCREATE MODEL m FROM (SELECT a, b, y FROM points) TARGET y FUNCTION f_m "
                     f"{XGB} OBJECTIVE 'reg:squarederror' PREPROCESSORS 'none'"
                     " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '3') SETTINGS (S3_BUCKET 'b')\n")
    (tmp_path / "s.sql").write_text("SELECT id, f_m(a, b) AS p FROM points")
    with Session(tmp_path) as session:
        session.run("m", "duckdb")
        first = session.compile("s", "duckdb")
        old = json.loads(cache_file(tmp_path, "m", "duckdb", "predict").read_text())
        (tmp_path / "data" / "points.parquet").unlink()
        pq.write_table(make_data(400), tmp_path / "data" / "points.parquet")  # new training data
        session.run("m", "duckdb")
        second = session.compile("s", "duckdb")
        new = json.loads(cache_file(tmp_path, "m", "duckdb", "predict").read_text())
        version = session.models.store.current("m").path.name
    assert new["version"] == version != old["version"]
    assert first != second and new["sqls"] != old["sqls"]
    assert compiles == ["predict", "predict"]


def test_a_retrained_model_is_not_served_by_its_old_function(tmp_path):
    """DuckDB's model function is named after the stored version: retrained in the same session
    (same connection, the old function still registered), the scores are the new model's."""
    (tmp_path / "data").mkdir()
    pq.write_table(make_data(300), tmp_path / "data" / "points.parquet")
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "spark"\nqueries = "."\n\n'
                                          '[sources.points]\npath = "data/points.parquet"\n')
    (tmp_path / "m.sql").write_text(f"-- dialect: redshift\nCREATE MODEL m FROM (SELECT a, b, y FROM points) TARGET y"
                                    f" FUNCTION f_m {XGB} OBJECTIVE 'reg:squarederror' PREPROCESSORS 'none'"
                                    " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '3') SETTINGS (S3_BUCKET 'b')\n")
    (tmp_path / "s.sql").write_text("SELECT id, f_m(a, b) AS p FROM points")
    scores = []
    with Session(tmp_path) as session:
        for rows in (300, 400):
            (tmp_path / "data" / "points.parquet").unlink(missing_ok=True)
            pq.write_table(make_data(rows), tmp_path / "data" / "points.parquet")
            session.run("m", "duckdb")
            stored = session.models.store.current("m")
            x = feature_matrix(make_data(rows), ["a", "b"])
            want = native_scores(Trained(stored.model(), stored.artifact()[1], "booster.json", {}, 0), x)
            got = session.run("s", "duckdb").sort_by("id")["p"].to_numpy()
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
            scores.append((session.compile("s", "duckdb"), got))
    assert scores[0][0] != scores[1][0] and "sqlrun_model_" in scores[1][0]
    assert not np.allclose(scores[0][1][:300], scores[1][1][:300])  # the model did change


BATCH = ("SELECT predict_flag(a, b, c, d) AS deep8, id, b + 1 AS b1, predict_flag_probabilities(a, b, c, d)"
         ".probabilities[0] AS deep8_p FROM points ORDER BY id DESC LIMIT 1500")


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_outermost_model_columns_are_scored_in_one_batch(project, expected, engine, monkeypatch):
    (project / "batch.sql").write_text(BATCH)
    with Session(project) as session:
        sql = session.compile("batch", engine)
        result = session.run("batch", engine)
    assert "-- then the model's scores" in sql and sql.count("AS __sqlrun_m") == 1  # one batch for both columns
    assert result.column_names == ["deep8", "id", "b1", "deep8_p"] and result.num_rows == 1500
    assert result["id"].to_pylist() == list(range(ROWS - 1, ROWS - 1501, -1))  # the statement's order and limit
    assert result["b1"].to_pylist() == [b + 1 for b in make_data()["b"].to_pylist()[::-1][:1500]]
    cut = {k: v[ROWS - 1500:] for k, v in expected.items()}  # check sorts by id
    check(result.drop_columns(["b1"]), cut)  # NULL features (a, d) included
    monkeypatch.setattr(PolarsEngine, "MODEL_BATCH", False)
    monkeypatch.setattr(DuckDBEngine, "MODEL_BATCH", False)
    monkeypatch.setattr(PolarsEngine, "MODEL_FUNCTIONS", False)
    sql_cache._MEMORY.clear()
    with Session(project) as session:
        before = session.run("batch", engine)  # the engine's way before: its types are the answer's
    sql_cache._MEMORY.clear()
    assert result.schema == before.schema


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_model_calls_elsewhere_keep_the_engines_way(project, expected, engine):
    (project / "where.sql").write_text("SELECT id, predict_flag(a, b, c, d) AS deep8 FROM points"
                                       " WHERE predict_flag_probabilities(a, b, c, d).probabilities[0] > 0.9")
    with Session(project) as session:
        sql = session.compile("where", engine)
        result = session.run("where", engine).sort_by("id")
    assert "-- then" not in sql
    assert ("sqlrun_model_" in sql) == (engine == "duckdb")  # Polars: the trees as SQL
    ids = np.flatnonzero(expected["deep8_p"] > 0.9)
    assert 0 < len(ids) < ROWS and result["id"].to_pylist() == ids.tolist()
    check(result, {"deep8": expected["deep8"][ids]})


def xgboost_margins(project, name: str) -> np.ndarray:
    """booster.inplace_predict's margins (float32: XGBoost's own sums), one column per output."""
    with Session(project) as session:
        booster = scorer.Scorer(session.models.store.current(name)).booster()
    x = feature_matrix(make_data(), FEATURES)
    return booster.inplace_predict(x, predict_type="margin", missing=np.nan).reshape(ROWS, -1).astype(np.float64)


def _filled(sql: str) -> str:
    for i, name in enumerate(FEATURES):
        sql = sql.replace(arg(i), f"CAST({name} AS DOUBLE)")
    return sql


@pytest.mark.parametrize("name", list(MODELS))
def test_trees_as_sql_and_the_function_give_xgboosts_own_margins(project, name):
    """The SQL adds the float32 leaves to XGBoost's float32 base margin in tree order, as its
    predictor does: DuckDB's and Polars' margins equal inplace_predict's bit for bit (NULL features
    included), as do the model function's."""
    want = xgboost_margins(project, name)
    with Session(project) as session:
        stored = session.models.store.current(name)
        model = sql_cache._model(stored, Layout())
        function = scorer.Scorer(stored)
    kind = "predict" if name == "reg30" else "margins"  # a regression's prediction is its margin
    duck = to_sql.compile_model(model, kind, Layout("case", dialect="duckdb")).sqls
    polar = to_sql.compile_model(model, kind, Layout("index", dialect="polars")).sqls
    assert "AS REAL" in duck[0] and duck[0].endswith(" AS DOUBLE)")
    data = make_data()
    connection = duckdb.connect()
    connection.register("points", data)
    got = connection.sql(f"SELECT {', '.join(_filled(s) for s in duck)} FROM points").fetchnumpy()
    assert np.array_equal(np.column_stack(list(got.values())), want)
    context = pl.SQLContext(points=pl.from_arrow(data))
    got = context.execute(f"SELECT {', '.join(f'{_filled(s)} AS m{k}' for k, s in enumerate(polar))} FROM points",
                          eager=True)
    assert np.array_equal(got.to_numpy(), want)
    assert np.array_equal(function.margins(feature_matrix(data, FEATURES)), want)


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_every_path_gives_the_same_regression_scores(project, engine, monkeypatch):
    """A regression's scores are its margins: the function, the batch and the trees as SQL give
    XGBoost's own, so a residual computed anywhere agrees on every engine."""
    want = xgboost_margins(project, "reg30")[:, 0]
    (project / "reg_out.sql").write_text("SELECT id, predict_y(a, b, c, d) AS y FROM points")
    (project / "reg_sub.sql").write_text("SELECT id, y FROM (SELECT id, predict_y(a, b, c, d) AS y FROM points) s"
                                         " WHERE y > -1e9")
    with Session(project) as session:
        for query in ("reg_out", "reg_sub"):
            got = session.run(query, engine).sort_by("id")["y"].to_numpy()
            assert np.array_equal(got, want), query
    monkeypatch.setattr(DuckDBEngine, "MODEL_FUNCTIONS", False)
    monkeypatch.setattr(PolarsEngine, "MODEL_FUNCTIONS", False)
    sql_cache._MEMORY.clear()
    with Session(project) as session:
        assert "AS REAL" in session.compile("reg_out", engine)
        assert np.array_equal(session.run("reg_out", engine).sort_by("id")["y"].to_numpy(), want)
    sql_cache._MEMORY.clear()


@pytest.mark.spark
def test_spark_trees_as_sql_give_xgboosts_own_margins(project, monkeypatch):
    from sqlrun.adapters.spark import SparkEngine

    want = xgboost_margins(project, "reg30")[:, 0]
    (project / "reg_out.sql").write_text("SELECT id, predict_y(a, b, c, d) AS y FROM points")
    monkeypatch.setattr(SparkEngine, "MODEL_FUNCTIONS", False)
    sql_cache._MEMORY.clear()
    with Session(project) as session:
        assert "AS REAL" in session.compile("reg_out", "spark")
        assert np.array_equal(session.run("reg_out", "spark").sort_by("id")["y"].to_numpy(), want)
    sql_cache._MEMORY.clear()
