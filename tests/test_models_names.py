"""Model functions and models by name, as Redshift resolves them, and the statements around models:
schema-qualified calls, overloads chosen by argument types, `_prob` / `_probabilities` as Redshift's
struct, EXPLAIN_MODEL from the library's own contributions, SHOW MODEL [ALL] and DROP MODEL as
catalog files. Real engines: duckdb and polars (spark: one test)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.engine.models.train import Trained, native_scores
from sqlrun.engine.parity import compare
from sqlrun.errors import CatalogError, CompileError, SqlrunError

xgb = pytest.importorskip("xgboost")
pytest.importorskip("sklearn")

ROWS = 300
HEAD = "-- dialect: redshift\n"
TAIL = "IAM_ROLE default\n{}SETTINGS (S3_BUCKET 'b')\n"
XGB_OFF = "AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' PREPROCESSORS 'none'" \
          " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '5', MAX_DEPTH '2')\n"
MODELS = {
    # file: CREATE MODEL statement
    "flagger": "CREATE MODEL S1.Flagger FROM (SELECT x1, x2, flag FROM points) TARGET flag FUNCTION predict_flag\n"
               + TAIL.format("MODEL_TYPE XGBOOST PROBLEM_TYPE BINARY_CLASSIFICATION\n"),
    "kinds": "CREATE MODEL kinds FROM (SELECT x1, x2, kind FROM points) TARGET kind FUNCTION s2.kind_of\n"
             + TAIL.format("MODEL_TYPE LINEAR_LEARNER PROBLEM_TYPE MULTICLASS_CLASSIFICATION\n"),
    "plain": "CREATE MODEL plain FROM (SELECT x1, x2, flag FROM points) TARGET flag FUNCTION plain_flag\n"
             + TAIL.format("AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic' PREPROCESSORS 'none'"
                           " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '5')\n"),
    "over_num": "CREATE MODEL over_num FROM (SELECT x1, x2, y FROM points) TARGET y FUNCTION score_of\n"
                + TAIL.format(XGB_OFF),
    "over_text": "CREATE MODEL over_text FROM (SELECT kind, x2, y FROM points) TARGET y FUNCTION score_of\n"
                 + TAIL.format("MODEL_TYPE LINEAR_LEARNER PROBLEM_TYPE REGRESSION\n"),
    "over_one": "CREATE MODEL over_one FROM (SELECT x1, y FROM points) TARGET y FUNCTION score_of\n"
                + TAIL.format(XGB_OFF),
    "net": "CREATE MODEL net FROM (SELECT x1, x2, flag FROM points) TARGET flag FUNCTION net_flag\n"
           + TAIL.format("MODEL_TYPE MLP PROBLEM_TYPE BINARY_CLASSIFICATION\n"),
}
ENGINES = ("duckdb", "polars")


def points() -> pa.Table:
    rng = np.random.default_rng(5)
    x1 = np.round(rng.normal(size=ROWS), 2)
    x2 = rng.integers(0, 10, ROWS)
    kind = np.array(["north", "south", "east"])[rng.integers(0, 3, ROWS)]
    y = 2 * x1 + x2 + (kind == "north") * 3 + rng.normal(scale=0.3, size=ROWS)
    return pa.table({"id": np.arange(ROWS, dtype=np.int64), "x1": x1, "x2": x2.astype(np.int32), "kind": kind,
                     "flag": (y > np.median(y)).astype(np.int32), "y": y})


def write(root, name: str, sql: str) -> None:
    (root / f"{name}.sql").write_text(HEAD + sql)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    (root / "data").mkdir()
    pq.write_table(points(), root / "data" / "points.parquet")
    (root / "sqlrun.toml").write_text('[project]\ndialect = "redshift"\nqueries = "."\n'
                                      '[sources.points]\npath = "data/points.parquet"\n')
    for name, statement in MODELS.items():
        write(root, name, statement)
    with Session(root) as session:
        for name in MODELS:
            session.run(name, "duckdb")
    return root


def run(root, sql: str, engine: str = "duckdb", name: str = "q") -> list[dict]:
    write(root, name, sql)
    with Session(root) as session:
        return session.run(name, engine).to_pylist()


def compiled(root, sql: str, engine: str = "duckdb") -> str:
    write(root, "q", sql)
    with Session(root) as session:
        return session.compile("q", engine)


def booster(root, model: str):
    with Session(root) as session:
        stored = session.models.store.current(model)
    name, artifact = stored.artifact()
    return Trained(stored.model(), artifact, name, {}, 0)


# -- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_schema_qualified_calls_resolve_in_the_models_schema(project, engine):
    """FUNCTION predict_flag of model S1.Flagger lives in schema s1; names fold like Redshift's."""
    rows = run(project, "SELECT id, predict_flag(x1, x2) AS bare, s1.predict_flag(x1, x2) AS qualified,"
                        " S1.PREDICT_FLAG(x1, x2) AS upper, s2.kind_of(x1, x2) AS kind FROM points ORDER BY id", engine)
    assert len(rows) == ROWS and {r["kind"] for r in rows} <= {"north", "south", "east"}
    assert all(r["bare"] == r["qualified"] == r["upper"] for r in rows)
    assert {r["bare"] for r in rows} == {0, 1}


def test_a_call_in_another_schema_is_a_positioned_error(project):
    with pytest.raises(CompileError) as info:
        compiled(project, "SELECT public.predict_flag(x1, x2) AS p FROM points")
    message = str(info.value)
    assert "q.sql:2:15" in message and "no model function public.predict_flag (declared: s1.predict_flag)" in message
    with pytest.raises(CompileError, match=r"no model function s1.kind_of \(declared: s2.kind_of\)"):
        compiled(project, "SELECT s1.kind_of(x1, x2) AS p FROM points")


def test_overloads_are_chosen_by_argument_types(project):
    """score_of is declared by three models: (x1 float8, x2 int4), (kind varchar, x2 int4), (x1 float8)."""
    numeric = compiled(project, "SELECT score_of(x1, x2) AS s FROM points")
    text = compiled(project, "SELECT score_of(kind, x2) AS s FROM points")
    one = compiled(project, "SELECT score_of(x1) AS s FROM points")
    assert "'north'" not in numeric and "sqlrun_model_" in numeric  # the library's trees over numbers
    assert "kind = 'north'" in text  # the one-hot encoding of the varchar model
    assert "x2" not in one
    assert "= 'north'" in compiled(project, "SELECT score_of(CAST(NULL AS VARCHAR), x2) AS s FROM points")
    rows = run(project, "SELECT score_of(x1, x2) AS a, score_of(kind, x2) AS b, score_of(x1) AS c FROM points")
    assert len(rows) == ROWS and all(None not in r.values() for r in rows)
    with pytest.raises(CompileError) as info:
        compiled(project, "SELECT score_of(NULL, x2) AS s FROM points")
    message = str(info.value)
    assert "score_of(?, int4) matches more than one model function" in message
    assert "over_num.sql" in message and "over_text.sql" in message and "\n" not in message
    with pytest.raises(CompileError, match=r"no model function score_of takes \(float8, int4, int4\)"):
        compiled(project, "SELECT score_of(x1, x2, x2) AS s FROM points")


def test_overloaded_models_are_all_in_a_steps_fingerprint(project):
    write(project, "q", "SELECT score_of(x1) AS s FROM points")
    with Session(project) as session:
        used = session.models.versions(session.query("q"))
    assert sorted(used) == ["over_num", "over_one", "over_text"] and all(used.values())


# -- _probabilities ---------------------------------------------------------------------------

def test_probabilities_is_redshifts_struct_sorted_by_probability(project):
    rows = run(project, "SELECT x1, x2, predict_flag(x1, x2) AS c, predict_flag_probabilities(x1, x2) AS p,"
                        " s2.kind_of(x1, x2) AS k, s2.kind_of_probabilities(x1, x2) AS kp FROM points ORDER BY id")
    data = pq.read_table(project / "data" / "points.parquet")
    want = native_scores(booster(project, "S1.Flagger"), np.column_stack([data["x1"], data["x2"]]))
    for row, p1 in zip(rows, want):
        p = row["p"]
        assert set(p) == {"probabilities", "labels"} and sorted(p["labels"]) == ["0", "1"]
        assert p["probabilities"][0] >= p["probabilities"][1] and math.isclose(sum(p["probabilities"]), 1)
        assert p["labels"][0] == str(row["c"])  # the likelier label is the prediction
        np.testing.assert_allclose(p["probabilities"][p["labels"].index("1")], p1, rtol=1e-5, atol=1e-6)
        k = row["kp"]
        assert sorted(k["labels"]) == ["east", "north", "south"] and k["labels"][0] == row["k"]
        assert k["probabilities"] == sorted(k["probabilities"], reverse=True)
        assert math.isclose(sum(k["probabilities"]), 1)


def test_prob_is_the_probabilities_function(project):
    """Redshift's first texts (and the book's queries) call it `<function>_prob`."""
    rows = run(project, "SELECT s1.predict_flag_prob(x1, x2).labels[0] AS a, predict_flag_probabilities(x1, x2)"
                        ".labels[0] AS b, plain_flag_prob(x1, x2).probabilities[1] AS c,"
                        " plain_flag_probabilities(x1, x2).probabilities[1] AS d FROM points")
    assert all(r["a"] == r["b"] and r["c"] == r["d"] for r in rows)


# The reference's own use (probability metrics): fields of the struct named in a subquery or CTE
# (plain: a small model, so that compiling its SQL four times takes no time).
DOCS = """SELECT id, prediction.labels[0] AS label, prediction.probabilities[0] AS probability,
  t.prediction.probabilities[1] AS other
FROM (SELECT id, plain_flag_probabilities(x1, x2) AS prediction FROM points) AS t
WHERE prediction.probabilities[0] > 0.7 AND prediction.labels[0] = '1'
ORDER BY id"""
CTE = """WITH scored AS (SELECT id, s2.kind_of_probabilities(x1, x2) AS p FROM points)
SELECT id, p.labels[0] AS first, p.labels[2] AS last, p.probabilities[1] AS second FROM scored ORDER BY id"""


def test_polars_takes_fields_of_a_named_struct_like_duckdb(project):
    for sql in (DOCS, CTE):
        duck, polars = run(project, sql, "duckdb"), run(project, sql, "polars")
        same = compare(pa.Table.from_pylist(duck), pa.Table.from_pylist(polars), ordered=True)
        assert duck and same.equal, same.reason  # as parity compares: DuckDB sums the trees in another order
    assert all(r["probability"] > 0.7 and r["label"] == "1" for r in run(project, DOCS, "polars"))


def test_polars_refuses_a_whole_struct_in_one_line(project):
    with pytest.raises(CompileError) as info:
        compiled(project, "SELECT predict_flag_probabilities(x1, x2) AS p FROM points", "polars")
    message = str(info.value)
    assert "Polars SQL builds no struct" in message and "q.sql:2:8" in message and "\n" not in message
    with pytest.raises(CompileError, match="has no field label"):
        compiled(project, "SELECT predict_flag_probabilities(x1, x2).label[0] AS p FROM points")


@pytest.mark.spark
def test_spark_builds_the_same_structs(project):
    sql = "SELECT id, plain_flag_probabilities(x1, x2) AS p, explain_model('s1.flagger') AS e FROM points ORDER BY id"
    write(project, "q", sql)
    write(project, "docs", DOCS)
    with Session(project) as session:  # one Spark session for both
        duck, spark = session.run("q", "duckdb").to_pylist(), session.run("q", "spark").to_pylist()
        docs_duck, docs_spark = session.run("docs", "duckdb").to_pylist(), session.run("docs", "spark").to_pylist()
    assert [r["p"]["labels"] for r in spark] == [r["p"]["labels"] for r in duck]
    np.testing.assert_allclose([r["p"]["probabilities"] for r in spark], [r["p"]["probabilities"] for r in duck])
    assert spark[0]["e"] == duck[0]["e"]
    spark, duck = docs_spark, docs_duck
    assert len(spark) == len(duck) > 0
    for a, b in zip(spark, duck):  # Spark's EXP may differ in the last digit
        assert a.keys() == b.keys() and all(
            math.isclose(a[k], b[k], rel_tol=1e-12) if isinstance(b[k], float) else a[k] == b[k] for k in b)


# -- EXPLAIN_MODEL ----------------------------------------------------------------------------

def test_explain_model_is_redshifts_report_from_the_librarys_contributions(project):
    rows = run(project, "SELECT explain_model('s1.flagger') AS r")
    report = rows[0]["r"]
    assert report["version"] == "1.0"
    label = report["explanations"]["kernel_shap"]["label0"]
    with Session(project) as session:
        stored = session.models.store.current("S1.Flagger").model()["explanation"][0]
    assert label == stored and set(label["global_shap_values"]) == {"x1", "x2"}
    assert label["global_shap_values"]["x1"] > 0 and label["global_shap_values"]["x2"] > 0
    text = run(project, "SELECT explain_model('S1.FLAGGER') AS r", "polars")[0]["r"]  # Polars: its JSON text
    assert text.startswith('{"version":"1.0","explanations":{"kernel_shap":{"label0":{"global_shap_values":')
    book = ("SELECT json_table.report.explanations.kernel_shap.label0.global_shap_values.x1 AS x1,"
            " json_table.report.explanations.kernel_shap.label0.expected_value AS e"
            " FROM (SELECT explain_model('flagger') AS report) AS json_table")
    for engine in ENGINES:
        assert run(project, book, engine) == [{"x1": label["global_shap_values"]["x1"], "e": label["expected_value"]}]


def test_explanations_are_mean_absolute_shap_per_argument():
    """Trees: XGBoost's own pred_contribs; an argument encoded as several features sums them."""
    from sqlrun.engine.models.explain import global_shap

    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    features = ["a", "b#0", "b#1"]  # argument b one-hot encoded as two features
    data = xgb.DMatrix(x, label=x[:, 0] + 2 * x[:, 1], feature_names=features)
    trees = xgb.train({"max_depth": 2}, data, num_boost_round=5)
    trained = Trained({"kind": "trees", "features": features}, bytes(trees.save_raw("json")), "booster.json", {}, 0)
    contributions = trees.predict(data, pred_contribs=True)
    [explained] = global_shap(trained, x)
    assert explained["global_shap_values"] == pytest.approx(
        {"a": np.mean(np.abs(contributions[:, 0])), "b": np.mean(np.abs(contributions[:, 1] + contributions[:, 2]))})
    assert explained["expected_value"] == pytest.approx(contributions[0, -1])
    linear = {"kind": "linear", "features": ["a", "b"], "coef": [[2.0, -1.0]], "intercept": [0.5]}
    [explained] = global_shap(Trained(linear, b"", "model.pkl", {}, 0), x[:, :2])
    mean = x[:, :2].mean(axis=0)
    assert explained["global_shap_values"] == pytest.approx(
        {"a": np.mean(np.abs(2 * (x[:, 0] - mean[0]))), "b": np.mean(np.abs(-(x[:, 1] - mean[1])))})
    assert explained["expected_value"] == pytest.approx(2 * mean[0] - mean[1] + 0.5)


def test_explain_model_errors_are_one_line(project):
    with pytest.raises(CompileError, match=r"no model public.flagger in the catalog"):
        compiled(project, "SELECT explain_model('public.flagger') AS r")
    with pytest.raises(CompileError) as info:
        compiled(project, "SELECT explain_model('net') AS r")
    assert "model net (MLP) has no explanation locally" in str(info.value)
    assert "supports only the AUTO ON or AUTO OFF XGBoost models" in str(info.value)
    with pytest.raises(CompileError, match="takes the model's name as a string"):
        compiled(project, "SELECT explain_model(x1) AS r FROM points")


# -- SHOW MODEL, DROP MODEL -------------------------------------------------------------------

def test_show_model_is_the_stored_models_record_as_key_value_rows(project):
    write(project, "show", "SHOW MODEL s1.flagger;")
    write(project, "show_all", "-- every model\nshow model all")
    with Session(project) as session:
        table = session.run("show", "polars")
        listed = session.run("show_all", "duckdb").to_pylist()
        assert session.compile("show", "redshift") == "SHOW MODEL s1.flagger"
        assert session.dry_run("show", "redshift") == ["SHOW MODEL s1.flagger"]
        assert session.compile("show", "duckdb").startswith("-- SHOW MODEL reads the local model store")
    assert table.column_names == ["Key", "Value"]
    shown = dict(zip(table["Key"].to_pylist(), table["Value"].to_pylist()))
    assert {k: shown[k] for k in ("Model Name", "Schema Name", "Model State", "Target Column", "Model Type",
                                  "Problem Type", "Function Name", "Function Parameters", "Function Parameter Types",
                                  "IAM Role", "S3 Bucket", "Max Runtime")} == {
        "Model Name": "flagger", "Schema Name": "s1", "Model State": "READY", "Target Column": "FLAG",
        "Model Type": "xgboost", "Problem Type": "binary_classification", "Function Name": "predict_flag",
        "Function Parameters": "x1 x2", "Function Parameter Types": "float8 int4", "IAM Role": "default",
        "S3 Bucket": "b", "Max Runtime": "5400"}
    assert 0 < float(shown["validation:accuracy"]) <= 1
    assert {"Schema Name": "s1", "Model Name": "flagger"} in listed  # S1.Flagger, folded as Redshift folds it
    assert {"Schema Name": "public", "Model Name": "over_num"} in listed and len(listed) == len(MODELS)


def test_drop_model_removes_the_stored_model(project, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    write(root, "drop", "DROP MODEL over_one")
    write(root, "drop_again", "DROP MODEL IF EXISTS public.over_one;")
    write(root, "drop_missing", "DROP MODEL public.over_one")
    with Session(root) as session:
        assert session.compile("drop", "redshift") == "DROP MODEL over_one"
        assert session.run("drop", "duckdb").to_pylist() == [{"model": "over_one", "action": "dropped"}]
        assert session.run("drop_again", "duckdb").to_pylist() == [{"model": "public.over_one", "action": "none"}]
        with pytest.raises(CatalogError, match="model public.over_one does not exist"):
            session.run("drop_missing", "duckdb")
        assert session.models.store.current("over_one") is None
    with pytest.raises(CompileError, match="model over_one is not trained"):
        compiled(root, "SELECT score_of(x1) AS s FROM points")
    # a damaged model: SHOW MODEL says so in one line, DROP MODEL removes it
    with Session(root) as session:
        version = session.models.store.current("over_num").path
    (version / "model.json").write_text("{}")
    write(root, "show", "SHOW MODEL over_num")
    write(root, "drop", "DROP MODEL over_num")
    with Session(root) as session:
        with pytest.raises(CatalogError) as info:
            session.run("show", "duckdb")
        assert "model over_num is damaged in the store" in str(info.value) and "\n" not in str(info.value)
        assert session.run("drop", "duckdb").to_pylist() == [{"model": "over_num", "action": "dropped"}]
        assert session.compile("drop", "duckdb").startswith("-- DROP MODEL removes the model from the local store")


def test_a_malformed_model_statement_is_one_line(project):
    write(project, "bad", "SHOW MODEL a b")
    with Session(project) as session, pytest.raises(SqlrunError) as info:
        session.run("bad", "duckdb")
    assert "expected SHOW MODEL ( ALL | model_name ), one statement" in str(info.value)
    assert "\n" not in str(info.value)


# -- what is sent to Redshift -----------------------------------------------------------------

def test_redshift_gets_the_calls_as_written_and_no_undefined_probabilities(project):
    sql = compiled(project, "SELECT s1.predict_flag_prob(x1, x2) AS p, score_of(x1) AS s,"
                            " explain_model('s1.flagger') AS e FROM points", "redshift")
    assert "s1.predict_flag_prob(x1, x2) AS p" in sql and "SCORE_OF(x1) AS s" in sql
    assert "EXPLAIN_MODEL('s1.flagger') AS e" in sql
    with pytest.raises(CompileError) as info:
        compiled(project, "SELECT plain_flag_probabilities(x1, x2) AS p FROM points", "redshift")
    message = str(info.value)
    assert "Redshift has no probability function for model plain (not AUTO ON)" in message
    assert "available when creating AUTO ON models with a problem type of either binary" in message
    # locally every classifier has one (sqlrun's evaluate uses it)
    assert run(project, "SELECT plain_flag_probabilities(x1, x2).labels[0] AS l FROM points")[0]["l"] in ("0", "1")


def test_the_example_churn_queries_are_valid_on_redshift(tmp_path):
    """queries/churn_model.sql is AUTO ON (user guidance), so Redshift creates predict_churn_probabilities
    that queries/churn_scores.sql reads; sent as written."""
    from pathlib import Path

    from sqlrun.engine.models.spec import parse_model

    examples = Path(__file__).resolve().parent.parent / "queries"
    for name in ("churn_model", "churn_scores"):
        shutil.copy(examples / f"{name}.sql", tmp_path / f"{name}.sql")
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "spark"\nqueries = "."\n'
                                          '[sources.churn_training]\npath = "data/t.parquet"\n'
                                          '[sources.churn_holdout]\npath = "data/h.parquet"\n')
    with Session(tmp_path) as session:
        spec = parse_model(session.query("churn_model"))
        assert spec.form == "AUTO_ON" and spec.problem_type == "BINARY_CLASSIFICATION"
        assert session.compile("churn_model", "redshift").startswith("CREATE MODEL churn_model\nFROM (")
        sql = session.compile("churn_scores", "redshift")
    assert "PREDICT_CHURN_PROBABILITIES(" in sql and "p.labels[0] = '1'" in sql and "p.probabilities[1]" in sql
