"""Bring your own model, local inference: `CREATE MODEL m FROM 's3_path' | 'file' FUNCTION f(types)
RETURNS type ...` scores a model trained elsewhere, compiled to SQL like one trained here.

The model is an XGBoost model file (JSON or UBJSON, as booster.save_model writes it) or a SageMaker
`model.tar.gz` holding one, read from a path in the project or from S3 (the project's [s3]
settings, boto3's credentials). On Redshift FROM may also name a SageMaker job; locally it cannot.
The function returns what the booster predicts: the value (reg:*), the probability
(binary:logistic), 0/1 (binary:hinge) or the class index (multi:softmax).
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

from sqlrun.errors import CatalogError, SqlrunError

if TYPE_CHECKING:
    from sqlrun.engine.models.local import Trained
    from sqlrun.engine.models.spec import ModelSpec

MAX_BYTES = 256 * 2**20
MODEL_FILES = ("xgboost-model", ".json", ".ubj")


def read_source(spec: ModelSpec, root: Path, s3_settings: dict) -> bytes:
    """The bytes FROM names: an s3:// object or a file under the project root."""
    from sqlrun.s3 import is_s3

    source = spec.byom_source or ""
    if is_s3(source):
        return _read_s3(source, s3_settings)
    if "/" not in source and not source.endswith((".json", ".ubj", ".tar.gz")):
        raise CatalogError(
            f"FROM '{source}' names a SageMaker job, which only Redshift can read: locally, FROM takes the"
            " model file's path or s3:// location (model.tar.gz, .json or .ubj); or run it with -e redshift")
    path = (root / source).resolve()
    if not path.is_relative_to(root.resolve()):
        raise CatalogError(f"FROM '{source}' is outside the project")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CatalogError(f"FROM '{source}' is over {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"FROM '{source}': cannot read it ({exc.strerror})") from None


def _read_s3(url: str, settings: dict) -> bytes:
    from sqlrun.s3 import client
    from sqlrun.s3_write import location

    where = location(url, settings)
    try:
        body = client(where).get_object(Bucket=where.bucket, Key=where.key)["Body"]
        data = body.read(MAX_BYTES + 1)
    except Exception as exc:  # botocore's errors: the code only, never a credential or the endpoint
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
        raise SqlrunError(f"FROM '{url}': cannot read it from S3 ({code})") from None
    if len(data) > MAX_BYTES:
        raise CatalogError(f"FROM '{url}' is over {MAX_BYTES // 2**20} MiB")
    return data


def model_bytes(data: bytes, source: str) -> bytes:
    """The XGBoost model in `data`: the file itself, or the model file inside a model.tar.gz."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                name = member.name.rsplit("/", 1)[-1]
                if member.isfile() and (name == MODEL_FILES[0] or name.endswith(MODEL_FILES[1:])):
                    if member.size > MAX_BYTES:
                        break
                    return archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError):
        raise CatalogError(f"FROM '{source}': not a readable .tar.gz") from None
    raise CatalogError(f"FROM '{source}': the archive holds no xgboost-model, *.json or *.ubj file")


def load(spec: ModelSpec, data: bytes) -> Trained:
    """The user's booster as a Trained model over the FUNCTION's arguments."""
    import xgboost as xgb

    from sqlrun.engine.models.local import Trained
    from sqlrun.engine.models.train import booster_model

    source = spec.byom_source or ""
    raw = model_bytes(data, source)
    if raw[:1] == b"\x80":
        raise CatalogError(f"FROM '{source}': the model is pickled, which sqlrun does not load;"
                           " save it with booster.save_model('xgboost-model.json')")
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
    except xgb.core.XGBoostError:
        raise CatalogError(f"FROM '{source}': not an XGBoost model in JSON or UBJSON"
                           " (booster.save_model('model.json') writes one)") from None
    if booster.num_features() != len(spec.arg_types):
        raise CatalogError(f"FROM '{source}': the model takes {booster.num_features()} features;"
                           f" FUNCTION {spec.function} declares {len(spec.arg_types)} argument types")
    booster.feature_names = [f"arg{i + 1}" for i in range(len(spec.arg_types))]
    model = booster_model(booster)
    objective = model.pop("objective_name")
    if objective.startswith("multi:"):
        problem, classes = "MULTICLASS_CLASSIFICATION", list(range(model["groups"]))
    elif objective == "binary:hinge":
        problem, classes = "BINARY_CLASSIFICATION", [0, 1]
    elif objective in ("binary:logistic", "reg:logistic"):
        problem, classes, objective = "REGRESSION", [], "reg:logistic"  # the probability: sigmoid(margin)
    elif objective.startswith("reg:") and objective != "reg:gamma":
        problem, classes = "REGRESSION", []
    else:
        raise CatalogError(f"FROM '{source}': objective {objective} is not one sqlrun compiles to SQL")
    model.update(kind="trees", objective=objective, features=booster.feature_names, problem_type=problem,
                 classes=classes, target=None)
    return Trained(model, bytes(booster.save_raw("json")), "booster.json", {}, 0)
