"""CREATE MODEL parsing and Redshift's validation rules, as a table: one row per clause or error."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlrun.engine.catalog import Query, is_create_model
from sqlrun.engine.models.spec import parse_model
from sqlrun.errors import CompileError

BASE = "CREATE MODEL m FROM (SELECT a, b, y FROM t) TARGET y FUNCTION f IAM_ROLE default"
TAIL = " SETTINGS (S3_BUCKET 'bucket')"


def spec(sql: str):
    return parse_model(Query("m", Path("m.sql"), "redshift", sql))


@pytest.mark.parametrize(
    "sql, field, expected",
    [
        (BASE + TAIL, "name", "m"),
        (BASE + TAIL, "target", "y"),
        (BASE + TAIL, "function", "f"),
        (BASE + TAIL, "iam_role", "default"),
        (BASE + TAIL, "auto", True),
        (BASE + TAIL, "settings", (("S3_BUCKET", "bucket"),)),
        ("CREATE MODEL s.m FROM t TARGET y FUNCTION f IAM_ROLE default" + TAIL, "name", "s.m"),
        ("CREATE MODEL m FROM t TARGET y FUNCTION f IAM_ROLE default" + TAIL, "source_table", "t"),
        (BASE.replace("FUNCTION f", "FUNCTION f(int, double precision, decimal(10, 2))") + TAIL,
         "arg_types", ("INT", "DOUBLE PRECISION", "DECIMAL(10, 2)")),
        (BASE + " RETURNS float" + TAIL, "returns", "FLOAT"),
        (BASE.replace("default", "'arn:aws:iam::123456789012:role/ml'") + TAIL,
         "iam_role", "arn:aws:iam::123456789012:role/ml"),
        (BASE + " AUTO ON" + TAIL, "auto", True),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic'" + TAIL, "auto", False),
        (BASE + " MODEL_TYPE linear_learner" + TAIL, "model_type", "LINEAR_LEARNER"),
        (BASE + " PROBLEM_TYPE ( regression )" + TAIL, "problem_type", "REGRESSION"),
        (BASE + " OBJECTIVE 'MSE'" + TAIL, "objective", "MSE"),
        (BASE + " OBJECTIVE ('AUC')" + TAIL, "objective", "AUC"),
        (BASE + " PREPROCESSORS '[{\"ColumnSet\": [\"a\"], \"Transformers\": [\"NumericPassthrough\"]}]'" + TAIL,
         "preprocessors", '[{"ColumnSet": ["a"], "Transformers": ["NumericPassthrough"]}]'),
        (BASE + " HYPERPARAMETERS DEFAULT" + TAIL, "hyperparameters", ()),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'"
         " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', max_depth '3')" + TAIL,
         "hyperparameters", (("NUM_ROUND", "10"), ("MAX_DEPTH", "3"))),
        (BASE + " SETTINGS (S3_BUCKET 'b', KMS_KEY_ID 'k', S3_GARBAGE_COLLECT OFF, MAX_CELLS 1000,"
         " MAX_RUNTIME 5400)", "settings",
         (("S3_BUCKET", "b"), ("KMS_KEY_ID", "k"), ("S3_GARBAGE_COLLECT", "OFF"), ("MAX_CELLS", "1000"),
          ("MAX_RUNTIME", "5400"))),
        ("CREATE MODEL k FROM (SELECT a, b FROM t) FUNCTION f IAM_ROLE default AUTO OFF MODEL_TYPE KMEANS"
         " HYPERPARAMETERS DEFAULT EXCEPT (K '3')" + TAIL, "hyperparameters", (("K", "3"),)),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'multi:softmax'"
         " HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '4')" + TAIL, "objective", "multi:softmax"),
        (BASE + TAIL + ";", "name", "m"),
        (BASE + " SAGEMAKER 'endpoint'" + TAIL, "sagemaker", "endpoint"),
    ],
)
def test_clause_parses(sql, field, expected):
    assert getattr(spec(sql), field) == expected


def test_training_query_keeps_its_line_and_column():
    sql = "-- dialect: redshift\nCREATE MODEL m FROM (\n  SELECT a, y\n  FROM t\n) TARGET y FUNCTION f" \
          " IAM_ROLE default" + TAIL
    text = spec(sql).training_sql
    assert text.splitlines()[2] == "  SELECT a, y"
    assert spec(sql).training_query == "SELECT a, y\n  FROM t"


@pytest.mark.parametrize(
    "sql, message",
    [
        ("CREATE MODEL m FROM (SELECT a FROM t) TARGET y FUNCTION f" + TAIL,
         "m.sql:1:1: CREATE MODEL: IAM_ROLE is required"),
        ("CREATE MODEL m FROM (SELECT a FROM t) TARGET y IAM_ROLE default" + TAIL, "FUNCTION is required"),
        (BASE, "SETTINGS is required"),
        (BASE + " SETTINGS (KMS_KEY_ID 'k')", "SETTINGS needs S3_BUCKET"),
        (BASE + " AUTO OFF" + TAIL, "AUTO OFF needs MODEL_TYPE"),
        (BASE + " AUTO MAYBE" + TAIL, "AUTO takes ON or OFF"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST" + TAIL, "AUTO OFF with MODEL_TYPE XGBOOST needs OBJECTIVE"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'multi:softmax'" + TAIL, "needs HYPERPARAMETERS"
         " DEFAULT EXCEPT (NUM_CLASS"),
        ("CREATE MODEL k FROM t FUNCTION f IAM_ROLE default AUTO OFF MODEL_TYPE KMEANS" + TAIL,
         "MODEL_TYPE KMEANS needs HYPERPARAMETERS DEFAULT EXCEPT (K"),
        ("CREATE MODEL k FROM t FUNCTION f IAM_ROLE default MODEL_TYPE KMEANS" + TAIL, "KMEANS needs AUTO OFF"),
        (BASE + " AUTO OFF MODEL_TYPE KMEANS HYPERPARAMETERS DEFAULT EXCEPT (K '3')" + TAIL, "takes no TARGET"),
        ("CREATE MODEL k FROM t FUNCTION f IAM_ROLE default AUTO OFF MODEL_TYPE KMEANS"
         " HYPERPARAMETERS DEFAULT EXCEPT (K '1')" + TAIL, "K must be an integer from 2"),
        ("CREATE MODEL m FROM t FUNCTION f IAM_ROLE default" + TAIL, "TARGET is required"),
        (BASE + " MODEL_TYPE FOREST" + TAIL, "MODEL_TYPE 'FOREST' is not one of"),
        (BASE + " PROBLEM_TYPE CLUSTERING" + TAIL, "PROBLEM_TYPE 'CLUSTERING' is not one of"),
        (BASE + " OBJECTIVE 'binary:logistic'" + TAIL, "OBJECTIVE 'binary:logistic' is not valid for this model"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' PROBLEM_TYPE BINARY_CLASSIFICATION" + TAIL,
         "does not fit PROBLEM_TYPE BINARY_CLASSIFICATION"),
        (BASE + " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10')" + TAIL, "needs AUTO OFF"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'"
         " HYPERPARAMETERS DEFAULT EXCEPT (TREES '10')" + TAIL, "unknown XGBOOST hyperparameter(s) TREES"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'"
         " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND 10)" + TAIL, "takes a quoted value"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'"
         " HYPERPARAMETERS DEFAULT EXCEPT (ETA '1', ETA '2')" + TAIL, "key ETA is given twice"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' PREPROCESSORS '[]'" + TAIL,
         "PREPROCESSORS needs AUTO ON"),
        (BASE + " SETTINGS (S3_BUCKET 'b', COLOR 'red')", "unknown setting COLOR"),
        (BASE + " SETTINGS (S3_BUCKET 'b', MAX_RUNTIME 'soon')", "MAX_RUNTIME takes a positive integer"),
        (BASE + " TARGET z" + TAIL, "TARGET is given twice"),
        (BASE + " WITH FRIENDS" + TAIL, f"m.sql:1:{len(BASE) + 2}: CREATE MODEL: unknown clause 'WITH'"),
        (BASE.replace("default", "'not-an-arn'") + TAIL, "is not an IAM role ARN"),
        ("CREATE MODEL m FROM () TARGET y FUNCTION f IAM_ROLE default" + TAIL,
         "the training query in FROM (...) is empty"),
        ("CREATE MODEL m FROM (SELECT a FROM t", "expected ')' closing the training query"),
        ("CREATE MODEL m FROM 'job' FUNCTION f IAM_ROLE default" + TAIL, "bring your own model"),
        (BASE + " SETTINGS (S3_BUCKET 'b'", "expected ',' or ')' in SETTINGS"),
        (BASE + " AUTO OFF MODEL_TYPE MLP", "SETTINGS is required"),
        (BASE + " AUTO ON MODEL_TYPE MLP" + TAIL, "MODEL_TYPE MLP needs AUTO OFF"),
    ],
)
def test_invalid_statement_is_a_positioned_error(sql, message):
    with pytest.raises(CompileError) as info:
        spec(sql)
    assert message in str(info.value)
    assert str(info.value).startswith("m.sql:")


def test_error_points_at_the_clause_line():
    sql = "-- dialect: redshift\nCREATE MODEL m\nFROM t\nTARGET y\nFUNCTION f\nIAM_ROLE default\nAUTO OFF\n" + TAIL
    with pytest.raises(CompileError, match=r"^m\.sql:7:1: CREATE MODEL: AUTO OFF needs MODEL_TYPE"):
        spec(sql)


@pytest.mark.parametrize("sql, expected", [
    ("-- dialect: redshift\n-- description: x\ncreate model m from t", True),
    ("SELECT 1 -- CREATE MODEL", False),
    ("CREATE TABLE model AS SELECT 1", False),
])
def test_create_model_files_are_recognised(sql, expected):
    assert is_create_model(sql) is expected
