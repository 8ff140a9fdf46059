"""Redshift's CREATE MODEL rules as a table: one row per rule, each quoting the sentence of the
CREATE MODEL reference (r_CREATE_MODEL and its use cases, docs.aws.amazon.com/redshift/latest/dg/)
that it implements. `validate` applies them in order; the first broken one is the error.

Forms (ModelSpec.form): AUTO_ON (simple and user guidance), AUTO_OFF (XGBoost), KMEANS,
FORECAST, BYOM_LOCAL (FROM 'job' | 's3_path'), BYOM_REMOTE (SAGEMAKER 'endpoint').
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlrun.engine.models.spec import ModelSpec

FULL = "CREATE MODEL, Full CREATE MODEL syntax"
PARAMETERS = "CREATE MODEL, Parameters"
AUTO_OFF_USE = "Use cases, CREATE XGBoost models with AUTO OFF"
KMEANS_USE = "Use cases, CREATE MODEL with K-MEANS"
GUIDANCE_USE = "Use cases, CREATE MODEL with user guidance"
LOCAL_USE = "Use cases, Bring your own model (BYOM) - local inference"
REMOTE_USE = "Use cases, Bring your own model (BYOM) - remote inference"

# The keywords in the order of the full syntax ("follow the order of the keywords"). The AUTO OFF
# use case writes HYPERPARAMETERS before PREPROCESSORS, the full syntax after: both are taken.
ORDER = {"FROM": 0, "TARGET": 1, "FUNCTION": 2, "RETURNS": 3, "SAGEMAKER": 4, "IAM_ROLE": 5, "AUTO": 6,
         "MODEL_TYPE": 7, "PROBLEM_TYPE": 8, "OBJECTIVE": 9, "PREPROCESSORS": 10, "HYPERPARAMETERS": 10,
         "SETTINGS": 11}
AUTO_ON_OBJECTIVES = ("mse", "accuracy", "f1", "f1_macro", "f1macro", "auc")
AUTO_OFF_OBJECTIVES = ("reg:squarederror", "reg:squaredlogerror", "reg:logistic", "reg:pseudohubererror",
                       "reg:tweedie", "binary:logistic", "binary:hinge", "multi:softmax")
FORECAST_OBJECTIVES = ("rmse", "wape", "mape", "mase", "averageweightedquantileloss")
TRANSFORMERS = ("OneHotEncoder", "OrdinalEncoder", "NumericPassthrough", "Imputer", "ImputerWithIndicator",
                "Normalizer", "DateTimeVectorizer", "PCA", "StandardScaler", "MinMax")
KMEANS_TRANSFORMERS = ("StandardScaler", "MinMax", "NumericPassthrough")
FREQUENCIES = ("Y", "M", "W", "D", "H", "30min", "15min", "10min", "5min", "1min")


@dataclass(frozen=True)
class Rule:
    clause: str  # the clause an error points at ("" = the statement)
    where: str  # the reference section
    says: str  # the reference's own words
    broken: Callable[[ModelSpec], str | None]  # what is wrong, or None


def _order(spec: ModelSpec) -> str | None:
    last = ""
    for clause in spec.clauses:
        if last and ORDER[clause] < ORDER[last]:
            return f"{clause} comes after {last}; the keywords go in the order of the syntax"
        last = clause
    return None


def preprocessors(spec: ModelSpec) -> list[dict] | None:
    """PREPROCESSORS as a list of {ColumnSet, Transformers}; None when absent or 'none';
    ValueError if malformed."""
    text = (spec.preprocessors or "").strip()
    if spec.preprocessors is None or text.lower() == "none":
        return None
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(data, list) or not all(
        isinstance(d, dict) and isinstance(d.get("ColumnSet"), list) and isinstance(d.get("Transformers"), list)
        for d in data
    ):
        raise ValueError("not a list of {\"ColumnSet\": [...], \"Transformers\": [...]}")
    return data


def _bad_preprocessors(spec: ModelSpec) -> str | None:
    if spec.preprocessors is None:
        return None
    try:
        sets = preprocessors(spec)
    except ValueError as exc:
        return f"PREPROCESSORS is 'none' or a JSON list of column sets ({exc})"
    allowed = KMEANS_TRANSFORMERS if spec.form == "KMEANS" else TRANSFORMERS
    for entry in sets or []:
        unknown = [t for t in entry["Transformers"] if t not in allowed]
        if unknown:
            return f"transformer {unknown[0]!r} is not one of {', '.join(allowed)}"
    return None


def _objective(spec: ModelSpec) -> str | None:
    objective = (spec.objective or "").lower()
    if not objective:
        return None
    if spec.form == "FORECAST":
        allowed = FORECAST_OBJECTIVES
    else:
        allowed = AUTO_ON_OBJECTIVES if spec.auto else AUTO_OFF_OBJECTIVES
    if objective not in allowed:
        mode = "MODEL_TYPE FORECAST" if spec.form == "FORECAST" else f"AUTO {'ON' if spec.auto else 'OFF'}"
        return f"OBJECTIVE '{spec.objective}' is not valid with {mode} (valid: {', '.join(allowed)})"
    return None


def _percentiles(spec: ModelSpec) -> str | None:
    value = spec.setting("PERCENTILES")
    if value is None:
        return None
    kinds = [v.strip() for v in value.split(",")]
    if len(kinds) > 5:
        return f"PERCENTILES names {len(kinds)} forecast types; at most five"
    for kind in kinds:
        if kind != "mean" and not (kind.replace(".", "", 1).isdigit() and 0.01 <= float(kind) <= 0.99):
            return f"PERCENTILES '{kind}' is neither a quantile from 0.01 to 0.99 nor mean"
    return None


def _hyperparameters(spec: ModelSpec) -> str | None:
    from sqlrun.engine.models.hyperparameters import HYPERPARAMETERS, problems

    if not spec.hyperparameters:
        return None
    known = HYPERPARAMETERS.get(spec.model_type or "", set())
    unknown = sorted(k for k, _ in spec.hyperparameters if k not in known)
    if unknown:
        return (f"unknown {spec.model_type} hyperparameter(s) {', '.join(unknown)}"
                f" (known: {', '.join(sorted(known))})")
    return "; ".join(problems(spec.model_type or "", spec.hyperparameters)) or None


def _when(test: Callable[[ModelSpec], bool], message: str) -> Callable[[ModelSpec], str | None]:
    return lambda spec: message if test(spec) else None


BYOM = ("BYOM_LOCAL", "BYOM_REMOTE")
RULES: tuple[Rule, ...] = (
    Rule("", FULL, "When creating a model using the CREATE MODEL statement, follow the order of the keywords"
         " in the syntax following.", _order),
    Rule("", REMOTE_USE, "CREATE MODEL model_name FUNCTION function_name ( data_type [, ...] ) RETURNS data_type"
         " SAGEMAKER 'endpoint_name'[:'model_name'] IAM_ROLE { default | 'arn:aws:iam::<account-id>:role/"
         "<role-name>' };",
         lambda s: ("FROM is required (only BYOM remote inference, with SAGEMAKER, has none)" if not s.has_from
                    and not s.sagemaker else "BYOM remote inference (SAGEMAKER) takes no FROM"
                    if s.has_from and s.sagemaker else None)),
    Rule("FUNCTION", FULL, "FUNCTION function_name [ ( data_type [, ...] ) ]",
         _when(lambda s: not s.function and s.form != "FORECAST",
               "FUNCTION is required (only MODEL_TYPE FORECAST, read with SELECT FORECAST(model), has none)")),
    Rule("FUNCTION", LOCAL_USE, "FUNCTION function_name ( data_type [, ...] ) RETURNS data_type",
         _when(lambda s: s.form in BYOM and not s.arg_types,
               "bring your own model needs the argument types: FUNCTION f(data_type, ...)")),
    Rule("RETURNS", FULL, "[ RETURNS data_type ] -- supported only for BYOM",
         lambda s: ("RETURNS is only for bring your own model (FROM 'job_name' | 's3_path', or SAGEMAKER)"
                    if s.returns and s.form not in BYOM else
                    "bring your own model needs RETURNS data_type" if not s.returns and s.form in BYOM else None)),
    Rule("RETURNS", PARAMETERS, "The returned SUPER data type is applicable only to BYOM with remote inference.",
         _when(lambda s: (s.returns or "").upper() == "SUPER" and s.form != "BYOM_REMOTE",
               "RETURNS SUPER is only for BYOM remote inference")),
    Rule("IAM_ROLE", FULL, "IAM_ROLE { default | 'arn:aws:iam::<account-id>:role/<role-name>' }",
         _when(lambda s: s.iam_role is None, "IAM_ROLE is required")),
    Rule("TARGET", LOCAL_USE, "CREATE MODEL model_name FROM ('job_name' | 's3_path' ) FUNCTION function_name"
         " ( data_type [, ...] ) RETURNS data_type IAM_ROLE ... [ SETTINGS ( S3_BUCKET 'bucket', ...) ]",
         _when(lambda s: s.target is not None and s.form in BYOM,
               "bring your own model takes no TARGET (the model is trained already)")),
    Rule("AUTO", FULL, "[ AUTO ON / OFF ] -- default is AUTO ON; [ MODEL_TYPE ... ] -- required for AUTO OFF",
         _when(lambda s: not s.auto and s.model_type is None, "AUTO OFF needs MODEL_TYPE")),
    Rule("MODEL_TYPE", AUTO_OFF_USE, "XGBoost is currently the only model type supported when AUTO is set to OFF."
         " (K-MEANS: AUTO OFF MODEL_TYPE KMEANS)",
         _when(lambda s: not s.auto and s.model_type in ("MLP", "LINEAR_LEARNER"),
               "AUTO OFF takes MODEL_TYPE XGBOOST or KMEANS; MLP and LINEAR_LEARNER are AUTO ON"
               " (user guidance: leave AUTO out)")),
    Rule("MODEL_TYPE", KMEANS_USE, "CREATE MODEL model_name FROM ... FUNCTION function_name IAM_ROLE ... AUTO OFF"
         " MODEL_TYPE KMEANS PREPROCESSORS 'string' HYPERPARAMETERS DEFAULT EXCEPT ( K 'val' [, ...] )",
         _when(lambda s: s.model_type == "KMEANS" and s.auto, "MODEL_TYPE KMEANS needs AUTO OFF")),
    Rule("TARGET", KMEANS_USE, "K-Means ... groups data that isn't labeled. (its syntax has no TARGET)",
         _when(lambda s: s.model_type == "KMEANS" and s.target is not None,
               "MODEL_TYPE KMEANS is unsupervised: it takes no TARGET")),
    Rule("", PARAMETERS, "TARGET column_name: The name of the column that becomes the prediction target.",
         _when(lambda s: s.target is None and s.form in ("AUTO_ON", "AUTO_OFF", "FORECAST"),
               "TARGET is required (only MODEL_TYPE KMEANS and bring your own model take none)")),
    Rule("PROBLEM_TYPE", FULL, "[ PROBLEM_TYPE ( REGRESSION | BINARY_CLASSIFICATION | MULTICLASS_CLASSIFICATION ) ]"
         " -- not supported when AUTO OFF",
         _when(lambda s: s.problem_type is not None and not s.auto, "PROBLEM_TYPE is not supported with AUTO OFF")),
    Rule("OBJECTIVE", AUTO_OFF_USE, "AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE { 'reg:squarederror' | ... }",
         _when(lambda s: s.form == "AUTO_OFF" and not s.objective, "AUTO OFF with MODEL_TYPE XGBOOST needs OBJECTIVE")),
    Rule("OBJECTIVE", FULL, "-- for AUTO ON: first 5 are valid -- for AUTO OFF: 6-13 are valid"
         " -- for FORECAST: 14-18 are valid", _objective),
    Rule("PREPROCESSORS", FULL, "[ PREPROCESSORS 'string' ] -- required for AUTO OFF, when it has to be 'none'"
         " -- optional for AUTO ON",
         lambda s: ("AUTO OFF needs PREPROCESSORS ('none' for XGBoost)" if not s.auto and s.preprocessors is None
                    else "AUTO OFF with MODEL_TYPE XGBOOST takes PREPROCESSORS 'none'" if s.form == "AUTO_OFF"
                    and (s.preprocessors or "").strip().lower() != "none" else None)),
    Rule("PREPROCESSORS", KMEANS_USE, "Amazon Redshift supports 3 K-Means preprocessors, namely StandardScaler,"
         " MinMax, and NumericPassthrough.", _bad_preprocessors),
    Rule("HYPERPARAMETERS", FULL, "[ HYPERPARAMETERS { DEFAULT | DEFAULT EXCEPT ( Key 'value' (,...) ) } ]"
         " -- required and only allowed for AUTO OFF",
         lambda s: ("HYPERPARAMETERS is only allowed with AUTO OFF" if s.has_hyperparameters and s.auto else
                    "AUTO OFF needs HYPERPARAMETERS DEFAULT [EXCEPT (...)]" if not s.auto
                    and not s.has_hyperparameters else None)),
    Rule("HYPERPARAMETERS", KMEANS_USE, "You must specify the K parameter when using the K-Means algorithm.",
         _when(lambda s: s.model_type == "KMEANS" and s.hyperparameter("K") is None,
               "MODEL_TYPE KMEANS needs HYPERPARAMETERS DEFAULT EXCEPT (K '<clusters>')")),
    Rule("OBJECTIVE", FULL, "-- NUM_CLASS is required if objective is multi:softmax (only possible for AUTO OFF)",
         _when(lambda s: (s.objective or "").lower() == "multi:softmax" and s.hyperparameter("NUM_CLASS") is None,
               "OBJECTIVE 'multi:softmax' needs HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '<n>')")),
    Rule("HYPERPARAMETERS", FULL, "-- support XGBoost hyperparameters, except OBJECTIVE (K-Means: its SageMaker"
         " hyperparameters)", _hyperparameters),
    Rule("SETTINGS", FULL, "S3_BUCKET 'amzn-s3-demo-bucket', | -- required",
         _when(lambda s: s.setting("S3_BUCKET") is None and s.form != "BYOM_REMOTE",
               "SETTINGS needs S3_BUCKET")),
    Rule("SETTINGS", PARAMETERS, "MAX_BATCH_ROWS ... It is supported only for BYOM with remote inference."
         " This parameter's minimum value is 1.",
         lambda s: ("MAX_BATCH_ROWS is only for BYOM remote inference" if s.setting("MAX_BATCH_ROWS") is not None
                    and s.form != "BYOM_REMOTE" else "MAX_BATCH_ROWS is at least 1"
                    if s.setting("MAX_BATCH_ROWS") == "0" else None)),
    Rule("SETTINGS", FULL, "HORIZON integer, | -- required if creating a forecast model; FREQUENCY ... | -- required"
         " if creating a forecast model",
         lambda s: next((f"MODEL_TYPE FORECAST needs SETTINGS {k}" for k in ("HORIZON", "FREQUENCY")
                         if s.form == "FORECAST" and s.setting(k) is None), None)),
    Rule("SETTINGS", PARAMETERS, "FREQUENCY ... Available options are Y | M | W | D | H | 30min | 15min | 10min |"
         " 5min | 1min.",
         _when(lambda s: s.setting("FREQUENCY") is not None and s.setting("FREQUENCY") not in FREQUENCIES,
               f"FREQUENCY is one of {', '.join(FREQUENCIES)}")),
    Rule("SETTINGS", PARAMETERS, "Forecast types can be quantiles from 0.01 to 0.99 ... You can also specify the"
         " mean forecast with mean. You can specify a maximum of five forecast types.", _percentiles),
)


def broken_rule(spec: ModelSpec) -> tuple[Rule, str] | None:
    """The first rule `spec` breaks and what is wrong, or None."""
    for rule in RULES:
        message = rule.broken(spec)
        if message:
            return rule, message
    return None
