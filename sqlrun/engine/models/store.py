"""Trained models under `<project>/.sqlrun/models/<name>/`, replaced atomically.

    current.json          metadata of the current version (spec, features, metrics, ...), its
                          dir and its files' manifest (engine/versions.py, shared with steps)
    <fp16>-<id>/          model.json (what to_sql compiles) and the library's artifact
    redshift.json         the last CREATE MODEL sent to Redshift (its fingerprint and state)

A version directory is complete before current.json (replaced with os.replace) points at
it, so a failed retraining leaves the previous model in use. Models are small: their files'
checksums are verified on every read, and a damaged entry raises Damaged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.engine.store import STORE_DIR
from sqlrun.engine.versions import Damaged, VersionedStore

MODELS_DIR = "models"
# What the catalog reads from a model's record (its summary, the scoring checks).
_META_KEYS = ("name", "engine", "statement", "fingerprint", "model_type", "problem_type", "target", "function",
              "rows", "trained_at", "train_seconds", "artifact")


@dataclass(frozen=True)
class StoredModel:
    name: str
    path: Path  # the version directory
    meta: dict
    _model: dict = field(default_factory=dict, compare=False, repr=False)

    def model(self) -> dict:
        if not self._model:
            self._model.update(_load_model(self.path))
        return self._model

    def artifact(self) -> tuple[str, bytes]:
        name = self.meta["artifact"]
        try:
            return name, (self.path / name).read_bytes()
        except OSError as exc:
            raise Damaged(f"cannot read {name}: {exc.strerror}") from None


class ModelStore:
    def __init__(self, project_root: Path):
        self.versions = VersionedStore(Path(project_root) / STORE_DIR / MODELS_DIR)
        self.root = self.versions.root

    def names(self) -> list[str]:
        return self.versions.names()

    def current(self, name: str) -> StoredModel | None:
        """The current model, checked (checksums too) and loaded; None if never trained.
        Raises Damaged if its files do not check out."""
        with self.versions.reading():  # held while model.json is read
            version = self.versions.current(name, hold=True, verify=True)
            if version is None:
                return None
            meta = version.record
            missing = [k for k in _META_KEYS if k not in meta]
            if missing:
                raise Damaged(f"current.json misses {', '.join(missing)}")
            if meta["artifact"] not in meta["files"]:
                raise Damaged(f"its artifact {meta['artifact']!r} is not one of its files")
            return StoredModel(name, version.path, meta, _load_model(version.path))

    def write(self, name: str, model: dict, artifact_name: str, artifact: bytes, meta: dict) -> StoredModel:
        def fill(directory: Path) -> None:
            directory.mkdir(parents=True)
            (directory / "model.json").write_text(json.dumps(model))
            (directory / artifact_name).write_bytes(artifact)

        self.versions.entry(name, artifact_name)  # the artifact's name is checked like any path
        version = self.versions.write(name, meta["fingerprint"], fill, {**meta, "artifact": artifact_name})
        return StoredModel(name, version.path, version.record, dict(model))

    def drop(self, name: str) -> None:
        """DROP MODEL locally: the model has no current version (a reader holding one keeps it)."""
        self.versions.remove(name)

    def remote(self, name: str) -> dict | None:
        return self.versions.read_json(name, "redshift.json")

    def write_remote(self, name: str, record: dict) -> None:
        self.versions.write_json(name, "redshift.json", record)


def _load_model(path: Path) -> dict:
    try:
        model = json.loads((path / "model.json").read_text())
    except (OSError, ValueError) as exc:
        raise Damaged(f"cannot read model.json: {getattr(exc, 'strerror', None) or exc}") from None
    if not isinstance(model, dict):
        raise Damaged("model.json is not an object")
    return model
