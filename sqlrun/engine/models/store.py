"""Trained models under `<project>/.sqlrun/models/<name>/`, replaced atomically.

    current.json          metadata of the current version (spec, features, metrics, ...) + its dir
    <fp16>-<id>/          model.json (what to_sql compiles) and the library's artifact
    redshift.json         the last CREATE MODEL sent to Redshift (its fingerprint and state)

A version directory is complete before current.json (replaced with os.replace) points at
it, so a failed retraining leaves the previous model in use.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.engine.store import STORE_DIR

MODELS_DIR = "models"


@dataclass(frozen=True)
class StoredModel:
    name: str
    path: Path  # the version directory
    meta: dict
    _model: dict = field(default_factory=dict, compare=False, repr=False)

    def model(self) -> dict:
        if not self._model:
            self._model.update(json.loads((self.path / "model.json").read_text()))
        return self._model

    def artifact(self) -> tuple[str, bytes]:
        name = self.meta["artifact"]
        return name, (self.path / name).read_bytes()


class ModelStore:
    def __init__(self, project_root: Path):
        self.root = Path(project_root) / STORE_DIR / MODELS_DIR

    def names(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir()) if self.root.is_dir() else []

    def current(self, name: str) -> StoredModel | None:
        try:
            meta = json.loads((self.root / name / "current.json").read_text())
        except (OSError, ValueError):
            return None
        path = self.root / name / meta.get("dir", "")
        if not meta.get("dir") or not (path / "model.json").is_file():
            return None
        return StoredModel(name, path, meta)

    def write(self, name: str, model: dict, artifact_name: str, artifact: bytes, meta: dict) -> StoredModel:
        model_dir = self.root / name
        model_dir.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:8]
        tmp = model_dir / f".tmp-{os.getpid()}-{token}"
        version = model_dir / f"{meta['fingerprint'][:16]}-{token}"
        try:
            tmp.mkdir()
            (tmp / "model.json").write_text(json.dumps(model))
            (tmp / artifact_name).write_bytes(artifact)
            os.rename(tmp, version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        meta = {**meta, "dir": version.name, "artifact": artifact_name}
        _write_json(model_dir / "current.json", meta)
        for entry in model_dir.iterdir():
            if entry.is_dir() and entry != version and not entry.name.startswith(".tmp-"):
                shutil.rmtree(entry, ignore_errors=True)
        return StoredModel(name, version, meta)

    def remote(self, name: str) -> dict | None:
        try:
            return json.loads((self.root / name / "redshift.json").read_text())
        except (OSError, ValueError):
            return None

    def write_remote(self, name: str, record: dict) -> None:
        (self.root / name).mkdir(parents=True, exist_ok=True)
        _write_json(self.root / name / "redshift.json", record)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with open(tmp, "w") as handle:
        json.dump(data, handle, indent=2, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
