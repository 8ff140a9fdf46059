"""Models trained locally and scored as SQL: predictions equal the library's own predict
within 1e-5 on duckdb, polars and spark; the store, the inliner's errors, evaluation, CLI."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.engine.models.train import Trained, feature_matrix, native_scores
from sqlrun.errors import CatalogError, CompileError

pytest.importorskip("xgboost")
pytest.importorskip("sklearn")

FEATURES = ["x1", "x2", "x3"]
HEAD = "-- dialect: redshift\n"
ROLE = "IAM_ROLE default"
TAIL = "SETTINGS (S3_BUCKET 'b')"
XGB = "AUTO OFF MODEL_TYPE XGBOOST"
MODELS = {
    # name: (CREATE MODEL body after FROM (...), function, kind of output)
    "bin_xgb": (f"TARGET flag FUNCTION predict_flag {ROLE} {XGB} OBJECTIVE 'binary:logistic' PREPROCESSORS 'none'"
                f" HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '20', MAX_DEPTH '3') {TAIL}", "flag"),
    "reg_xgb": (f"TARGET y FUNCTION predict_y {ROLE} {XGB} OBJECTIVE 'reg:squarederror' PREPROCESSORS 'none'"
                f" HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '20', MAX_DEPTH '3') {TAIL}", "y"),
    "multi_auto": (f"TARGET kind FUNCTION predict_kind {ROLE} {XGB} OBJECTIVE 'multi:softmax' PREPROCESSORS 'none'"
                   f" HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '3', NUM_ROUND '10', MAX_DEPTH '3') {TAIL}", "kind"),
    "lin_reg": (f"TARGET y FUNCTION predict_y_linear {ROLE} MODEL_TYPE LINEAR_LEARNER PROBLEM_TYPE REGRESSION {TAIL}",
                "y"),
    "lin_bin": (f"TARGET flag FUNCTION predict_flag_linear {ROLE} MODEL_TYPE LINEAR_LEARNER {TAIL}", "flag"),
    "clusters": (f"FUNCTION cluster_of {ROLE} AUTO OFF MODEL_TYPE KMEANS PREPROCESSORS 'none'"
                 f" HYPERPARAMETERS DEFAULT EXCEPT (K '3') {TAIL}", None),
}
ENGINES = ("duckdb", "polars", pytest.param("spark", marks=pytest.mark.spark))


def make_data(rows: int = 600) -> pa.Table:
    rng = np.random.default_rng(7)
    x1 = np.round(rng.normal(size=rows), 1)  # one decimal: values sit exactly on split thresholds
    x2 = rng.integers(0, 10, size=rows)
    x3 = rng.normal(size=rows)
    y = 3 * x1 + x2 - 2 * x3 + rng.normal(scale=0.5, size=rows)
    x1_values = [None if i % 37 == 0 else float(v) for i, v in enumerate(x1)]  # NULL: XGBoost's missing
    return pa.table({
        "id": np.arange(rows, dtype=np.int64), "x1": x1_values, "x2": x2.astype(np.int32), "x3": x3,
        "y": y, "flag": (y > np.median(y)).astype(np.int32),
        "kind": np.array(["low", "mid", "high"])[np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))],
    })


def write_project(root, data: pa.Table) -> None:
    (root / "data").mkdir()
    pq.write_table(data, root / "data" / "points.parquet")
    (root / "sqlrun.toml").write_text(
        '[project]\ndialect = "spark"\nengine = "duckdb"\nqueries = "."\n\n'
        '[sources.points]\npath = "data/points.parquet"\n'
    )
    (root / "training.sql").write_text("-- materialize: parquet\nSELECT * FROM points\n")
    for name, (body, target) in MODELS.items():
        columns = ", ".join([*FEATURES, target] if target else FEATURES)
        (root / f"{name}.sql").write_text(f"{HEAD}CREATE MODEL {name}\nFROM (SELECT {columns} FROM training)\n{body}\n")
    # `_probabilities` is Redshift's struct, sorted: [0] is the predicted label and its probability.
    calls = {
        "predict_flag": "predict_flag(x1, x2, x3)", "flag_p": "predict_flag_probabilities(x1, x2, x3).probabilities[0]",
        "flag_label": "predict_flag_probabilities(x1, x2, x3).labels[0]",
        "predict_y": "predict_y(x1, x2, x3)", "predict_kind": "predict_kind(x1, x2, x3)",
        "kind_p": "predict_kind_probabilities(x1, x2, x3).probabilities[0]",
        "kind_label": "predict_kind_probabilities(x1, x2, x3).labels[0]", "y_linear": "predict_y_linear(x1, x2, x3)",
        "flag_linear": "predict_flag_linear(x1, x2, x3)",
        "flag_linear_p": "predict_flag_linear_probabilities(x1, x2, x3).probabilities[0]",
        "cluster": "cluster_of(x1, x2, x3)",
    }
    select = ",\n  ".join(f"{call} AS {alias}" for alias, call in calls.items())
    (root / "scores.sql").write_text(f"SELECT id,\n  {select}\nFROM points\nORDER BY id\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    write_project(root, make_data())
    with Session(root) as session:
        for name in MODELS:
            session.run(name, "duckdb")
    return root


@pytest.fixture(scope="module")
def session(project):
    with Session(project) as session:
        yield session


def native(session: Session, name: str) -> tuple[np.ndarray, dict]:
    """booster.predict / the estimator's own output on every row of the source."""
    stored = session.models.store.current(name)
    artifact_name, artifact = stored.artifact()
    trained = Trained(stored.model(), artifact, artifact_name, {}, 0)
    x = feature_matrix(pq.read_table(session.project.root / "data" / "points.parquet"), FEATURES)
    return native_scores(trained, x), stored.model()


@pytest.fixture(scope="module")
def expected(session) -> dict[str, np.ndarray]:
    out = {}
    flag, _ = native(session, "bin_xgb")
    out["flag_p"], out["predict_flag"] = np.maximum(flag, 1 - flag), (flag > 0.5).astype(float)
    out["flag_label"] = np.array(["1" if p > 0.5 else "0" for p in flag], dtype=object)
    out["predict_y"], _ = native(session, "reg_xgb")
    kind, model = native(session, "multi_auto")
    out["predict_kind"] = np.array(model["classes"], dtype=object)[kind.argmax(axis=1)]
    out["kind_p"] = kind.max(axis=1)
    out["kind_label"] = out["predict_kind"]
    out["y_linear"], _ = native(session, "lin_reg")
    linear, _ = native(session, "lin_bin")
    out["flag_linear_p"] = np.maximum(linear, 1 - linear)
    out["flag_linear"] = np.where(np.isnan(linear), np.nan, linear > 0.5)
    out["cluster"], _ = native(session, "clusters")
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_sql_predictions_equal_the_library_predict(session, expected, engine):
    result = session.run("scores", engine)
    assert result.num_rows == 600
    for column, want in expected.items():
        got = result[column].to_pylist()
        if want.dtype == object:
            assert got == list(want), column
            continue
        got = np.array([np.nan if v is None else float(v) for v in got])
        assert np.array_equal(np.isnan(got), np.isnan(want)), column
        ok = ~np.isnan(want)
        np.testing.assert_allclose(got[ok], want[ok], rtol=1e-5, atol=1e-5, err_msg=f"{column} on {engine}")


def test_trees_with_missing_values_take_the_default_branch(session, expected):
    result = session.run("scores", "duckdb")
    missing = [i for i in range(600) if i % 37 == 0]
    got = np.array(result["flag_p"].to_pylist())[missing]
    np.testing.assert_allclose(got, expected["flag_p"][missing], rtol=1e-5)


def test_metadata_records_spec_features_and_metrics(session):
    meta = session.models.store.current("bin_xgb").meta
    assert meta["features"] == FEATURES
    assert meta["problem_type"] == "BINARY_CLASSIFICATION"
    assert meta["spec"]["objective"] == "binary:logistic"
    assert 0.5 < meta["metrics"]["validation_accuracy"] <= 1
    assert meta["rows"] == 600 and meta["engine"] == "duckdb"
    assert session.models.store.current("multi_auto").meta["problem_type"] == "MULTICLASS_CLASSIFICATION"


@pytest.mark.parametrize("values, expected", [
    ([0, 1, 1, 0], "BINARY_CLASSIFICATION"),
    (["a", "b", "c"], "MULTICLASS_CLASSIFICATION"),
    ([1, 2, 3, 4], "MULTICLASS_CLASSIFICATION"),
    ([0.5, 1.25, 3.0], "REGRESSION"),
    (list(range(100)), "REGRESSION"),
])
def test_problem_type_is_inferred_from_the_target_like_redshift(values, expected):
    from sqlrun.engine.models.spec import ModelSpec
    from sqlrun.engine.models.train import problem_type

    spec = ModelSpec("m", "f", "default", (("S3_BUCKET", "b"),), "SELECT 1", target="y")
    assert problem_type(spec, pa.chunked_array([values])) == expected


def test_unchanged_model_is_fresh_and_retraining_replaces_it_atomically(project):
    with Session(project) as session:
        before = session.models.store.current("reg_xgb")
        assert session.run("reg_xgb", "duckdb")["state"].to_pylist() == ["fresh"]
        session.run("reg_xgb", "polars", refresh=True)
        after = session.models.store.current("reg_xgb")
    assert after.path != before.path and not before.path.exists()
    assert after.meta["engine"] == "polars"
    versions = [p for p in after.path.parent.iterdir() if p.is_dir()]
    assert versions == [after.path]


def test_untrained_model_function_is_a_positioned_compile_error(tmp_path):
    write_project(tmp_path, make_data(50))
    with Session(tmp_path) as session, pytest.raises(CompileError) as info:
        session.compile("scores", "polars")
    assert "scores.sql:2:3: function PREDICT_FLAG(): model bin_xgb is not trained" in str(info.value)


def test_wrong_argument_count_and_changed_spec_are_errors(project, tmp_path):
    query = tmp_path / "bad.sql"
    query.write_text("SELECT predict_y(x1, x2) AS p FROM points")
    with Session(project) as session, pytest.raises(CompileError, match=r"takes 3 arguments \(x1, x2, x3\), got 2"):
        session.compile(str(query), "duckdb")
    path = project / "reg_xgb.sql"
    original = path.read_text()
    path.write_text(original.replace("NUM_ROUND '20'", "NUM_ROUND '21'"))
    try:
        with Session(project) as session, pytest.raises(CompileError, match="changed since model reg_xgb was trained"):
            session.compile("scores", "duckdb")
    finally:
        path.write_text(original)


def test_create_model_file_is_not_a_query():
    from pathlib import Path

    from sqlrun.engine.catalog import Query
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    query = Query("m", Path("m.sql"), "redshift", "CREATE MODEL m FROM t TARGET y FUNCTION f IAM_ROLE default")
    with pytest.raises(CompileError, match="CREATE MODEL is not a query"):
        compile_query(query, target("duckdb"))


def test_auto_off_training_needs_numeric_features(tmp_path):
    write_project(tmp_path, make_data(50))
    (tmp_path / "text.sql").write_text(f"{HEAD}CREATE MODEL text FROM (SELECT kind, y FROM points) TARGET y"
                                       f" FUNCTION f_text {ROLE} {XGB} OBJECTIVE 'reg:squarederror'"
                                       f" PREPROCESSORS 'none' HYPERPARAMETERS DEFAULT {TAIL}\n")
    with Session(tmp_path) as session, pytest.raises(CatalogError, match="feature 'kind' is string: For AUTO OFF"):
        session.run("text", "duckdb")


def test_evaluate_computes_metrics_and_curves_in_sql(session):
    from sklearn.metrics import roc_auc_score

    from sqlrun.evaluate import evaluate

    result = evaluate(session, "bin_xgb", "training", "duckdb")
    data = pq.read_table(session.project.root / "data" / "points.parquet")
    flag_p, _ = native(session, "bin_xgb")
    assert result.metrics["rows"] == 600
    assert result.metrics["auc"] == pytest.approx(roc_auc_score(data["flag"].to_numpy(), flag_p), abs=1e-9)
    assert result.metrics["tp"] + result.metrics["fn"] == int(np.sum(data["flag"].to_numpy()))
    assert result.curve.column_names == ["threshold", "tp", "fp", "fn", "precision", "recall", "fpr"]
    assert result.curve["recall"].to_pylist()[-1] == 1.0
    regression = evaluate(session, "reg_xgb", "training", "polars")
    want, _ = native(session, "reg_xgb")
    mse = float(np.mean((want - data["y"].to_numpy()) ** 2))
    assert regression.metrics["mse"] == pytest.approx(mse, rel=1e-5)
    assert 0.5 < regression.metrics["r2"] <= 1


def test_cli_models_list_show_evaluate(project, tmp_path):
    from typer.testing import CliRunner

    from sqlrun.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["models", "list", "--project", str(project)], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert "bin_xgb" in listed.output and "READY" in listed.output
    shown = runner.invoke(app, ["models", "show", "clusters", "--project", str(project)])
    assert json.loads(shown.output)["model_type"] == "KMEANS"
    curve = tmp_path / "pr.parquet"
    evaluated = runner.invoke(app, ["models", "evaluate", "bin_xgb", "--on", "training", "--project", str(project),
                                    "--pr-curve", str(curve)])
    assert evaluated.exit_code == 0, evaluated.output
    assert "auc" in evaluated.output and pq.read_table(curve).num_rows > 10
