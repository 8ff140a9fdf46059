"""CREATE MODEL parsing and Redshift's validation rules, as a table: one row per clause or error."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlrun.engine.catalog import Query, is_create_model
from sqlrun.engine.models.spec import parse_model
from sqlrun.errors import CompileError

BASE = "CREATE MODEL m FROM (SELECT a, b, y FROM t) TARGET y FUNCTION f IAM_ROLE default"
TAIL = " SETTINGS (S3_BUCKET 'bucket')"
XGB = " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' PREPROCESSORS 'none'"
KMEANS = "CREATE MODEL k FROM t FUNCTION f IAM_ROLE default AUTO OFF MODEL_TYPE KMEANS PREPROCESSORS 'none'"
BYOM = "CREATE MODEL b FROM 's3://bucket/model.tar.gz' FUNCTION f(int, float) RETURNS float IAM_ROLE default"
REMOTE = "CREATE MODEL r FUNCTION f(int) RETURNS decimal(10, 6) SAGEMAKER 'endpoint' IAM_ROLE default"
FORECAST = ("CREATE MODEL fc FROM (SELECT item_id, ts, quantity FROM sales) TARGET quantity IAM_ROLE default"
            " AUTO ON MODEL_TYPE FORECAST SETTINGS (S3_BUCKET 'b', HORIZON 5, FREQUENCY 'D')")


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
        (BASE + TAIL, "form", "AUTO_ON"),
        (BASE + TAIL, "settings", (("S3_BUCKET", "bucket"),)),
        ("CREATE MODEL s.m FROM t TARGET y FUNCTION f IAM_ROLE default" + TAIL, "name", "s.m"),
        ("CREATE MODEL m FROM t TARGET y FUNCTION f IAM_ROLE default" + TAIL, "source_table", "t"),
        ("CREATE MODEL m FROM t TARGET y FUNCTION s.f IAM_ROLE default" + TAIL, "function", "s.f"),
        (BASE.replace("FUNCTION f", "FUNCTION f(int, double precision, decimal(10, 2))") + TAIL,
         "arg_types", ("INT", "DOUBLE PRECISION", "DECIMAL(10, 2)")),
        (BASE.replace("default", "'arn:aws:iam::123456789012:role/ml'") + TAIL,
         "iam_role", "arn:aws:iam::123456789012:role/ml"),
        (BASE + " AUTO ON" + TAIL, "auto", True),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT" + TAIL, "auto", False),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT" + TAIL, "form", "AUTO_OFF"),
        (BASE + " MODEL_TYPE linear_learner" + TAIL, "model_type", "LINEAR_LEARNER"),
        (BASE + " MODEL_TYPE MLP" + TAIL, "model_type", "MLP"),
        (BASE + " PROBLEM_TYPE ( regression )" + TAIL, "problem_type", "REGRESSION"),
        (BASE + " OBJECTIVE 'MSE'" + TAIL, "objective", "MSE"),
        (BASE + " OBJECTIVE ('AUC')" + TAIL, "objective", "AUC"),
        (BASE + " OBJECTIVE 'F1_Macro'" + TAIL, "objective", "F1_Macro"),
        (BASE + " PREPROCESSORS '[{\"ColumnSet\": [\"a\"], \"Transformers\": [\"NumericPassthrough\"]}]'" + TAIL,
         "preprocessors", '[{"ColumnSet": ["a"], "Transformers": ["NumericPassthrough"]}]'),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT" + TAIL, "has_hyperparameters", True),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', max_depth '3')" + TAIL,
         "hyperparameters", (("NUM_ROUND", "10"), ("MAX_DEPTH", "3"))),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10')".replace("PREPROCESSORS 'none'", "") + TAIL,
         "form", "AUTO_OFF"),
        (BASE + " SETTINGS (S3_BUCKET 'b', KMS_KEY_ID 'k', S3_GARBAGE_COLLECT OFF, MAX_CELLS 1000,"
         " MAX_RUNTIME 5400)", "settings",
         (("S3_BUCKET", "b"), ("KMS_KEY_ID", "k"), ("S3_GARBAGE_COLLECT", "OFF"), ("MAX_CELLS", "1000"),
          ("MAX_RUNTIME", "5400"))),
        (KMEANS + " HYPERPARAMETERS DEFAULT EXCEPT (K '3')" + TAIL, "hyperparameters", (("K", "3"),)),
        (KMEANS + " HYPERPARAMETERS DEFAULT EXCEPT (K '3')" + TAIL, "form", "KMEANS"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'multi:softmax' PREPROCESSORS 'none'"
         " HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '4')" + TAIL, "objective", "multi:softmax"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic' HYPERPARAMETERS DEFAULT"
         " PREPROCESSORS 'none'" + TAIL, "preprocessors", "none"),  # the AUTO OFF use case's own order
        (BASE + TAIL + ";", "name", "m"),
        # TARGET as Redshift resolves it: an unquoted name folds to lower case, a quoted one does not
        (BASE.replace("TARGET y", "TARGET Species") + TAIL, "target", "species"),
        (BASE.replace("TARGET y", "TARGET 'Churn'") + TAIL, "target", "churn"),
        (BASE.replace("TARGET y", 'TARGET "Churn"') + TAIL, "target", "Churn"),
        (BYOM + TAIL, "form", "BYOM_LOCAL"),
        (BYOM + TAIL, "byom_source", "s3://bucket/model.tar.gz"),
        (BYOM + TAIL, "returns", "FLOAT"),
        (REMOTE, "form", "BYOM_REMOTE"),
        (REMOTE, "sagemaker", "'endpoint'"),
        (REMOTE.replace("'endpoint'", "'endpoint':'model'"), "sagemaker", "'endpoint':'model'"),
        (REMOTE + " SETTINGS (MAX_BATCH_ROWS 10)", "settings", (("MAX_BATCH_ROWS", "10"),)),
        (REMOTE, "has_from", False),
        (FORECAST, "form", "FORECAST"),
        (FORECAST, "function", None),
        (FORECAST.replace("'D'", "'D', PERCENTILES '0.25,0.50,0.75,0.90,mean'"), "setting",
         None),
    ],
)
def test_clause_parses(sql, field, expected):
    if field == "setting":  # a method: the PERCENTILES forecast types
        assert spec(sql).setting("PERCENTILES") == "0.25,0.50,0.75,0.90,mean"
        return
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
        (BASE, "SETTINGS needs S3_BUCKET"),
        (BASE + " SETTINGS (KMS_KEY_ID 'k')", "SETTINGS needs S3_BUCKET"),
        (BASE + " AUTO OFF" + TAIL, "AUTO OFF needs MODEL_TYPE"),
        (BASE + " AUTO MAYBE" + TAIL, "AUTO takes ON or OFF"),
        # AUTO OFF XGBoost: OBJECTIVE, PREPROCESSORS 'none' and HYPERPARAMETERS are required
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST PREPROCESSORS 'none' HYPERPARAMETERS DEFAULT" + TAIL,
         "AUTO OFF with MODEL_TYPE XGBOOST needs OBJECTIVE"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT" + TAIL,
         "AUTO OFF needs PREPROCESSORS ('none' for XGBoost)"),
        (BASE + XGB.replace("'none'", "'[{\"ColumnSet\": [\"a\"], \"Transformers\": [\"Imputer\"]}]'")
         + " HYPERPARAMETERS DEFAULT" + TAIL, "AUTO OFF with MODEL_TYPE XGBOOST takes PREPROCESSORS 'none'"),
        (BASE + XGB + TAIL, "AUTO OFF needs HYPERPARAMETERS DEFAULT [EXCEPT (...)]"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'multi:softmax' PREPROCESSORS 'none'"
         " HYPERPARAMETERS DEFAULT" + TAIL, "needs HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST PROBLEM_TYPE REGRESSION OBJECTIVE 'reg:squarederror'"
         " PREPROCESSORS 'none' HYPERPARAMETERS DEFAULT" + TAIL, "PROBLEM_TYPE is not supported with AUTO OFF"),
        (BASE + " AUTO OFF MODEL_TYPE MLP PREPROCESSORS 'none' HYPERPARAMETERS DEFAULT" + TAIL,
         "AUTO OFF takes MODEL_TYPE XGBOOST or KMEANS"),
        (BASE + " AUTO OFF MODEL_TYPE LINEAR_LEARNER PREPROCESSORS 'none' HYPERPARAMETERS DEFAULT" + TAIL,
         "AUTO OFF takes MODEL_TYPE XGBOOST or KMEANS"),
        (BASE + " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10')" + TAIL,
         "HYPERPARAMETERS is only allowed with AUTO OFF"),
        (BASE + " HYPERPARAMETERS DEFAULT" + TAIL, "HYPERPARAMETERS is only allowed with AUTO OFF"),
        # K-means
        (KMEANS + TAIL, "AUTO OFF needs HYPERPARAMETERS DEFAULT [EXCEPT (...)]"),
        (KMEANS + " HYPERPARAMETERS DEFAULT" + TAIL, "MODEL_TYPE KMEANS needs HYPERPARAMETERS DEFAULT EXCEPT (K"),
        ("CREATE MODEL k FROM t FUNCTION f IAM_ROLE default MODEL_TYPE KMEANS HYPERPARAMETERS DEFAULT EXCEPT (K '3')"
         + TAIL, "MODEL_TYPE KMEANS needs AUTO OFF"),
        ("CREATE MODEL k FROM t FUNCTION f IAM_ROLE default AUTO OFF MODEL_TYPE KMEANS HYPERPARAMETERS DEFAULT"
         " EXCEPT (K '3')" + TAIL, "AUTO OFF needs PREPROCESSORS"),
        (KMEANS.replace("'none'", "'[{\"ColumnSet\": [\"*\"], \"Transformers\": [\"OneHotEncoder\"]}]'")
         + " HYPERPARAMETERS DEFAULT EXCEPT (K '3')" + TAIL,
         "transformer 'OneHotEncoder' is not one of StandardScaler"),
        (KMEANS.replace("'none'", "'[{\"ColumnSet\": \"*\"}]'") + " HYPERPARAMETERS DEFAULT EXCEPT (K '3')" + TAIL,
         "PREPROCESSORS is 'none' or a JSON list of column sets"),
        (BASE + " AUTO OFF MODEL_TYPE KMEANS PREPROCESSORS 'none' HYPERPARAMETERS DEFAULT EXCEPT (K '3')" + TAIL,
         "takes no TARGET"),
        (KMEANS + " HYPERPARAMETERS DEFAULT EXCEPT (K '1')" + TAIL, "K '1' must be an integer in [2, 1000]"),
        ("CREATE MODEL m FROM t FUNCTION f IAM_ROLE default" + TAIL, "TARGET is required"),
        (BASE + " MODEL_TYPE FOREST" + TAIL, "MODEL_TYPE 'FOREST' is not one of"),
        (BASE + " PROBLEM_TYPE CLUSTERING" + TAIL, "PROBLEM_TYPE 'CLUSTERING' is not one of"),
        (BASE + " OBJECTIVE 'binary:logistic'" + TAIL, "OBJECTIVE 'binary:logistic' is not valid with AUTO ON"),
        (BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'AUC' PREPROCESSORS 'none' HYPERPARAMETERS DEFAULT" + TAIL,
         "OBJECTIVE 'AUC' is not valid with AUTO OFF"),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT EXCEPT (TREES '10')" + TAIL, "unknown XGBOOST hyperparameter(s) TREES"),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND 10)" + TAIL, "takes a quoted value"),
        (BASE + XGB + " HYPERPARAMETERS DEFAULT EXCEPT (ETA '1', ETA '2')" + TAIL, "key ETA is given twice"),
        (BASE + " PREPROCESSORS '[{\"ColumnSet\": [\"a\"], \"Transformers\": [\"Magic\"]}]'" + TAIL,
         "transformer 'Magic' is not one of OneHotEncoder"),
        (BASE + " SETTINGS (S3_BUCKET 'b', COLOR 'red')", "unknown setting COLOR"),
        (BASE + " SETTINGS (S3_BUCKET 'b', MAX_RUNTIME 'soon')", "MAX_RUNTIME takes a positive integer"),
        (BASE + " TARGET z" + TAIL, "TARGET is given twice"),
        (BASE + " WITH FRIENDS" + TAIL, f"m.sql:1:{len(BASE) + 2}: CREATE MODEL: unknown clause 'WITH'"),
        (BASE.replace("default", "'not-an-arn'") + TAIL, "is not an IAM role ARN"),
        ("CREATE MODEL m FROM () TARGET y FUNCTION f IAM_ROLE default" + TAIL,
         "the training query in FROM (...) is empty"),
        ("CREATE MODEL m FROM (SELECT a FROM t", "expected ')' closing the training query"),
        (BASE + " SETTINGS (S3_BUCKET 'b'", "expected ',' or ')' in SETTINGS"),
        # the order of the keywords
        ("CREATE MODEL m FROM t FUNCTION f TARGET y IAM_ROLE default" + TAIL,
         "m.sql:1:34: CREATE MODEL: TARGET comes after FUNCTION; the keywords go in the order of the syntax"),
        (BASE + TAIL + " AUTO OFF", "AUTO comes after SETTINGS"),
        # bring your own model
        (BYOM.replace(" RETURNS float", "") + TAIL, "bring your own model needs RETURNS data_type"),
        (BYOM.replace("f(int, float)", "f") + TAIL, "bring your own model needs the argument types"),
        (BYOM.replace("FUNCTION", "TARGET y FUNCTION") + TAIL, "bring your own model takes no TARGET"),
        (BYOM, "SETTINGS needs S3_BUCKET"),
        (BASE.replace(" IAM_ROLE", " RETURNS float IAM_ROLE") + TAIL, "RETURNS is only for bring your own model"),
        (BYOM.replace("RETURNS float", "RETURNS super") + TAIL, "RETURNS SUPER is only for BYOM remote inference"),
        (REMOTE.replace("CREATE MODEL r", "CREATE MODEL r FROM t"), "BYOM remote inference (SAGEMAKER) takes no FROM"),
        (REMOTE.replace("SAGEMAKER", "FROM t SAGEMAKER"), "unknown clause 'FROM'"),
        ("CREATE MODEL r FUNCTION f(int) RETURNS int IAM_ROLE default" + TAIL, "FROM is required"),
        (BYOM.replace("IAM_ROLE", "SAGEMAKER 'e' IAM_ROLE") + TAIL, "BYOM remote inference (SAGEMAKER) takes no FROM"),
        (BASE + " SETTINGS (S3_BUCKET 'b', MAX_BATCH_ROWS 10)", "MAX_BATCH_ROWS is only for BYOM remote inference"),
        (REMOTE + " SETTINGS (MAX_BATCH_ROWS 0)", "MAX_BATCH_ROWS is at least 1"),
        # forecast
        (FORECAST.replace(", HORIZON 5", ""), "MODEL_TYPE FORECAST needs SETTINGS HORIZON"),
        (FORECAST.replace(", FREQUENCY 'D'", ""), "MODEL_TYPE FORECAST needs SETTINGS FREQUENCY"),
        (FORECAST.replace("'D'", "'fortnightly'"), "FREQUENCY is one of Y, M, W, D, H"),
        (FORECAST.replace("'D'", "'D', PERCENTILES '0.1,0.2,0.3,0.4,0.5,mean'"), "at most five"),
        (FORECAST.replace("'D'", "'D', PERCENTILES '1.5'"), "neither a quantile from 0.01 to 0.99 nor mean"),
        (FORECAST.replace("MODEL_TYPE FORECAST", "MODEL_TYPE FORECAST OBJECTIVE 'MSE'"),
         "OBJECTIVE 'MSE' is not valid with MODEL_TYPE FORECAST"),
        (FORECAST.replace("TARGET quantity ", ""), "TARGET is required"),
    ],
)
def test_invalid_statement_is_a_positioned_error(sql, message):
    with pytest.raises(CompileError) as info:
        spec(sql)
    assert message in str(info.value)
    assert str(info.value).startswith("m.sql:")
    assert "\n" not in str(info.value)


def test_a_broken_rule_quotes_the_reference():
    with pytest.raises(CompileError) as info:
        spec(BASE + " AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT" + TAIL)
    assert str(info.value).endswith(
        "(reference, CREATE MODEL, Full CREATE MODEL syntax: \"[ PREPROCESSORS 'string' ] -- required for AUTO OFF,"
        " when it has to be 'none' -- optional for AUTO ON\")")


def test_every_rule_cites_a_reference_section():
    from sqlrun.engine.models.rules import RULES

    assert len(RULES) >= 25
    for rule in RULES:
        assert rule.where.startswith(("CREATE MODEL, ", "Use cases, ")) and len(rule.says) > 20


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
