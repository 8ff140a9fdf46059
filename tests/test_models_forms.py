"""The CREATE MODEL forms beyond numeric AUTO OFF: string and date features encoded locally (AUTO
ON, as Redshift encodes them), MLP, K-means with PREPROCESSORS scalers, bring your own model (a booster
file or a SageMaker model.tar.gz) and the forms that run only on Redshift. Scores equal the
library's own predictions within 1e-5 on duckdb and polars (spark: one test)."""

from __future__ import annotations

import io
import pickle
import tarfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.engine.models import features
from sqlrun.engine.models.train import Trained, native_scores
from sqlrun.errors import CatalogError, CompileError, NotSupported

xgb = pytest.importorskip("xgboost")
pytest.importorskip("sklearn")

ROWS = 400
HEAD = "-- dialect: redshift\n"
MIXED = f"""{HEAD}CREATE MODEL mixed
FROM (SELECT region, joined, seen_at, spend, Bought FROM people)
TARGET BOUGHT
FUNCTION predict_bought
IAM_ROLE default
PROBLEM_TYPE BINARY_CLASSIFICATION
SETTINGS (S3_BUCKET 'b')
"""
NET = MIXED.replace("CREATE MODEL mixed", "CREATE MODEL net").replace("predict_bought", "net_bought").replace(
    "PROBLEM_TYPE", "MODEL_TYPE MLP PROBLEM_TYPE")
SEGMENTS = f"""{HEAD}CREATE MODEL segments
FROM (SELECT spend, visits FROM people)
FUNCTION segment_of
IAM_ROLE default
AUTO OFF
MODEL_TYPE KMEANS
PREPROCESSORS '[{{"ColumnSet": ["spend"], "Transformers": ["StandardScaler"]}},
                {{"ColumnSet": ["visits"], "Transformers": ["MinMax"]}}]'
HYPERPARAMETERS DEFAULT EXCEPT (K '3')
SETTINGS (S3_BUCKET 'b')
"""
SCORES = """SELECT id,
  predict_bought(region, joined, seen_at, spend) AS bought,
  predict_bought_probabilities(region, joined, seen_at, spend).probabilities[0] AS p,
  segment_of(spend, visits) AS segment,
  net_bought(region, joined, seen_at, spend) AS net,
  net_bought_probabilities(region, joined, seen_at, spend).probabilities[0] AS net_p
FROM people ORDER BY id
"""
ENGINES = ("duckdb", "polars", pytest.param("spark", marks=pytest.mark.spark))


def people() -> pa.Table:
    rng = np.random.default_rng(3)
    region = np.array(["north", "south", "east", "west"])[rng.integers(0, 4, ROWS)]
    joined = np.datetime64("2020-01-01") + rng.integers(0, 900, ROWS).astype("timedelta64[D]")
    seen = joined.astype("datetime64[s]") + rng.integers(0, 86400, ROWS).astype("timedelta64[s]")
    spend = np.round(rng.gamma(2.0, 30.0, ROWS), 2)
    visits = rng.integers(0, 50, ROWS)
    bought = (region == "north") ^ (spend > 60) ^ (joined > np.datetime64("2021-01-01"))
    return pa.table({
        "id": np.arange(ROWS), "region": pa.array([None if i % 23 == 0 else r for i, r in enumerate(region)]),
        "joined": joined, "seen_at": seen, "spend": spend, "visits": visits.astype(np.int32),
        "Bought": bought.astype(np.int32),
    })


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("forms")
    (root / "data").mkdir()
    pq.write_table(people(), root / "data" / "people.parquet")
    (root / "sqlrun.toml").write_text('[project]\ndialect = "redshift"\nqueries = "."\n'
                                      '[sources.people]\npath = "data/people.parquet"\n')
    (root / "mixed.sql").write_text(MIXED)
    (root / "segments.sql").write_text(SEGMENTS)
    (root / "net.sql").write_text(NET)
    (root / "scores.sql").write_text(HEAD + SCORES)
    (root / "everyone.sql").write_text("SELECT * FROM people\n")
    with Session(root) as session:
        session.run("mixed", "duckdb")
        session.run("segments", "duckdb")
        session.run("net", "duckdb")
    return root


def native(root, name: str, columns: list[str]) -> tuple[np.ndarray, dict]:
    with Session(root) as session:
        stored = session.models.store.current(name)
    artifact_name, artifact = stored.artifact()
    model = stored.model()
    x = features.matrix(model["inputs"], pq.read_table(root / "data" / "people.parquet").select(columns))
    return native_scores(Trained(model, artifact, artifact_name, {}, 0), x), model


def test_string_and_date_features_are_encoded_in_the_compiled_sql(project):
    _, model = native(project, "mixed", ["region", "joined", "seen_at", "spend"])
    kinds = {e["name"]: e["kind"] for e in model["inputs"]}
    assert kinds == {"region": "category", "joined": "date", "seen_at": "timestamp", "spend": "number"}
    assert model["target"] == "Bought"  # TARGET BOUGHT folds like Redshift folds it
    with Session(project) as session:
        sql = session.compile("scores", "duckdb")
    assert "region = 'north'" in sql and "EXTRACT(YEAR FROM joined)" in sql and "EXTRACT(HOUR FROM seen_at)" in sql


@pytest.mark.parametrize("engine", ENGINES)
def test_encoded_and_scaled_models_score_like_the_library(project, engine):
    p, model = native(project, "mixed", ["region", "joined", "seen_at", "spend"])
    segment, _ = native(project, "segments", ["spend", "visits"])
    net_p, net = native(project, "net", ["region", "joined", "seen_at", "spend"])
    with Session(project) as session:
        result = session.run("scores", engine)
    # probabilities[0]: the likelier label's probability (Redshift sorts them)
    np.testing.assert_allclose(np.array(result["p"].to_pylist(), dtype=float), np.maximum(p, 1 - p), rtol=1e-5,
                               atol=1e-6)
    assert result["bought"].to_pylist() == [model["classes"][int(v > 0.5)] for v in p]
    assert result["segment"].to_pylist() == segment.astype(int).tolist()
    np.testing.assert_allclose(np.array(result["net_p"].to_pylist(), dtype=float), np.maximum(net_p, 1 - net_p),
                               rtol=1e-5, atol=1e-6)
    # a NULL argument gives NULL, as for linear models (the NULL region rows)
    assert result["net"].to_pylist() == [None if np.isnan(v) else net["classes"][int(v > 0.5)] for v in net_p]
    assert 0.8 < np.mean(np.array(result["bought"].to_pylist()) == people()["Bought"].to_numpy())


def test_encoded_model_evaluates_on_its_arguments(project):
    from sqlrun.evaluate import evaluate

    with Session(project) as session:
        result = evaluate(session, "mixed", "everyone", "duckdb")
    assert result.metrics["rows"] == ROWS and 0.8 < result.metrics["auc"] <= 1


def test_scalers_follow_preprocessors(project):
    _, model = native(project, "segments", ["spend", "visits"])
    spend, visits = people()["spend"].to_numpy(), people()["visits"].to_numpy()
    scale = {e["name"]: (e["shift"], e["scale"]) for e in model["inputs"]}
    assert scale["spend"] == pytest.approx((spend.mean(), spend.std()))
    assert scale["visits"] == pytest.approx((visits.min(), visits.max() - visits.min()))


# -- bring your own model ---------------------------------------------------------------------
BYOM = HEAD + """CREATE MODEL brought
FROM '{source}'
FUNCTION predict_brought (float, float, int)
RETURNS {returns}
IAM_ROLE default
SETTINGS (S3_BUCKET 'b')
"""


def booster(objective: str, **params):
    rng = np.random.default_rng(9)
    x = np.column_stack([rng.normal(size=300), rng.normal(size=300), rng.integers(0, 5, 300)])
    y = {"reg:squarederror": x[:, 0] * 3 + x[:, 2], "binary:logistic": (x[:, 0] > x[:, 1]).astype(float),
         "multi:softmax": x[:, 2] % 3}[objective]
    return xgb.train({"objective": objective, "max_depth": 3, **params}, xgb.DMatrix(x, label=y), 8), x


def tarball(raw: bytes, name: str = "xgboost-model") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(raw)
        archive.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


def byom_project(tmp_path, source: str, data: bytes, returns: str = "float", x=None):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / source.rsplit("/", 1)[-1]).write_bytes(data)
    rows = x if x is not None else np.zeros((3, 3))
    table = pa.table({"id": np.arange(len(rows)), "a": rows[:, 0], "b": rows[:, 1], "c": rows[:, 2].astype(np.int32)})
    (tmp_path / "data").mkdir()
    pq.write_table(table, tmp_path / "data" / "rows.parquet")
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "redshift"\nqueries = "."\n'
                                          '[sources.rows]\npath = "data/rows.parquet"\n')
    (tmp_path / "brought.sql").write_text(BYOM.format(source=source, returns=returns))
    (tmp_path / "scores.sql").write_text(HEAD + "SELECT id, predict_brought(a, b, c) AS v FROM rows ORDER BY id\n")
    return tmp_path


@pytest.mark.parametrize("objective, returns, file, params", [
    ("reg:squarederror", "float", "model.json", {}),
    ("reg:squarederror", "float", "model.ubj", {}),
    ("reg:squarederror", "float", "model.tar.gz", {}),
    ("binary:logistic", "float", "model.tar.gz", {}),
    ("multi:softmax", "int", "model.json", {"num_class": 3}),
])
def test_brought_model_scores_like_booster_predict(tmp_path, objective, returns, file, params):
    model, x = booster(objective, **params)
    raw = bytes(model.save_raw("ubj" if file.endswith(".ubj") else "json"))
    root = byom_project(tmp_path, f"models/{file}", tarball(raw) if file.endswith(".tar.gz") else raw, returns, x)
    want = model.predict(xgb.DMatrix(x))
    with Session(root) as session:
        assert session.run("brought", "duckdb").to_pylist()[0]["state"] == "trained"
        for engine in ("duckdb", "polars"):
            got = np.array(session.run("scores", engine)["v"].to_pylist(), dtype=float)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=engine)
        assert session.run("brought", "duckdb").to_pylist()[0]["state"] == "fresh"


@pytest.mark.parametrize("source, data, message", [
    ("models/model.tar.gz", tarball(pickle.dumps({"not": "a booster"})), "pickled, which sqlrun does not load"),
    ("models/model.json", b"{}", "not an XGBoost model in JSON or UBJSON"),
    ("models/model.tar.gz", tarball(b"x", "README"), "holds no xgboost-model"),
    ("models/model.tar.gz", b"\x1f\x8bnot gzip", "not a readable .tar.gz"),
    ("../model.json", b"{}", "is outside the project"),
    ("training-job-churn-v4", b"", "names a SageMaker job, which only Redshift can read"),
], ids=["pickle", "not-a-model", "no-model-file", "not-gzip", "outside", "job-name"])
def test_brought_model_errors_are_one_line(tmp_path, source, data, message):
    root = byom_project(tmp_path, source if source.startswith("models/") else "models/x.bin", data)
    (root / "brought.sql").write_text(BYOM.format(source=source, returns="float"))
    with Session(root) as session, pytest.raises(CatalogError, match=message) as info:
        session.run("brought", "duckdb")
    assert "\n" not in str(info.value)


def test_brought_model_with_other_features_than_declared(tmp_path):
    model, _ = booster("reg:squarederror")
    root = byom_project(tmp_path, "models/model.json", b"")
    (root / "models" / "model.json").write_bytes(bytes(model.save_raw("json")))
    (root / "brought.sql").write_text(BYOM.format(source="models/model.json", returns="float")
                                      .replace("(float, float, int)", "(float, float)"))
    with Session(root) as session, pytest.raises(CatalogError, match="takes 3 features; FUNCTION predict_brought"):
        session.run("brought", "duckdb")


def test_remote_model_called_locally_says_to_use_redshift(tmp_path):
    root = byom_project(tmp_path, "models/x.bin", b"")
    (root / "brought.sql").write_text(HEAD + "CREATE MODEL brought FUNCTION predict_brought(float, float, int)"
                                      " RETURNS float SAGEMAKER 'churn-endpoint' IAM_ROLE default\n")
    with Session(root) as session:
        with pytest.raises(NotSupported, match="BYOM remote inference.*run it with -e redshift"):
            session.run("brought", "duckdb")
        with pytest.raises(CompileError, match="SageMaker endpoint 'churn-endpoint'.*-e redshift"):
            session.compile("scores", "duckdb")
