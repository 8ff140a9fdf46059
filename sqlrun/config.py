"""Project configuration: sqlrun.toml (project defaults, sources, engine settings)."""

from __future__ import annotations

import glob
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.errors import ConfigError
from sqlrun.s3 import S3Location, is_s3

CONFIG_NAME = "sqlrun.toml"
FORMATS = ("parquet", "csv", "orc")
ENGINES = ("duckdb", "polars", "spark", "redshift")
DIALECTS = ("spark", "redshift", "duckdb", "postgres", "hive", "databricks", "trino", "polars")


@dataclass(frozen=True)
class Source:
    """A named table backed by files: a file, a directory or a glob.

    `redshift` is the table it maps to on Redshift: None means a table of the same name,
    False means none (the source exists only as files). A source may have only a table.
    """

    name: str
    path: str
    format: str
    options: dict = field(default_factory=dict)
    redshift: str | bool | None = None
    s3: S3Location | None = None  # set for s3:// paths

    def files(self) -> list[str]:
        """The concrete files behind the source, sorted; raises if there are none.

        For S3 sources these are s3://bucket/key URLs, from a listing."""
        if not self.path:
            raise ConfigError(
                f"source '{self.name}' has no path: it is only a Redshift table ({self.redshift})"
            )
        if self.s3 is not None:
            from sqlrun.s3 import list_objects

            found = [self.s3.url(o.key) for o in list_objects(self)]
            if not found:
                raise ConfigError(f"source '{self.name}': no {self.format} objects at {self.path}")
            return found
        path = Path(self.path)
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob(f"*.{self.format}") if not p.name.startswith((".", "_")))
        else:
            found = sorted(glob.glob(self.path, recursive=True))
        if not found:
            raise ConfigError(f"source '{self.name}': no {self.format} files at {self.path}")
        return found


@dataclass(frozen=True)
class Project:
    root: Path
    dialect: str = "spark"
    engine: str = "duckdb"
    queries_dir: Path | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    engines: dict[str, dict] = field(default_factory=dict)

    def engine_settings(self, name: str) -> dict:
        return dict(self.engines.get(name, {}))


def _infer_format(path: str) -> str:
    stem = path.rstrip("/*")
    for fmt in FORMATS:
        if stem.endswith(f".{fmt}") or path.endswith(f"*.{fmt}"):
            return fmt
    raise ConfigError(f"cannot infer the format of '{path}': set format = parquet | csv | orc")


def _redshift_table(name: str, spec: dict) -> str | bool | None:
    value = spec.get("redshift")
    if value is None or value is False:
        return value
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'[sources.{name}] redshift must be a table name ("schema.table") or false')
    return value.strip()


def _source(root: Path, name: str, spec: object) -> Source:
    if not isinstance(spec, dict):
        raise ConfigError(f"[sources.{name}] must be a table")
    redshift = _redshift_table(name, spec)
    if "path" not in spec and isinstance(redshift, str):
        return Source(name=name, path="", format="", redshift=redshift)
    if not isinstance(spec.get("path"), str):
        raise ConfigError(f'[sources.{name}] needs path = "..." (or redshift = "schema.table")')
    path = spec["path"]
    fmt = spec.get("format") or _infer_format(path)
    if fmt not in FORMATS:
        raise ConfigError(f"[sources.{name}] format '{fmt}' is not one of {', '.join(FORMATS)}")
    if "://" not in path and not Path(path).is_absolute():
        path = str(root / path)
    options = {k: v for k, v in spec.items() if k not in ("path", "format", "redshift", *S3_KEYS)}
    location = _s3_location(name, path, spec)
    return Source(name=name, path=path, format=fmt, options=options, redshift=redshift, s3=location)


S3_KEYS = ("endpoint_url", "region", "profile")
SECRET_HINTS = ("secret", "access_key", "token", "password", "credential")


def _s3_location(name: str, path: str, spec: dict) -> S3Location | None:
    """S3 settings of a source; credentials are refused here (they come from the AWS chain)."""
    secrets = sorted(k for k in spec if any(h in k.lower() for h in SECRET_HINTS))
    if secrets:
        raise ConfigError(
            f"[sources.{name}] {', '.join(secrets)}: credentials never go in sqlrun.toml; they come from"
            " the AWS chain (AWS_PROFILE / profile = \"...\", environment variables, instance role)"
        )
    given = {k: spec[k] for k in S3_KEYS if k in spec}
    if not is_s3(path):
        if given:
            raise ConfigError(f"[sources.{name}] {', '.join(given)} only apply to s3:// paths")
        return None
    return S3Location.parse(name, path, given)


def load_project(project_dir: str | Path | None = None) -> Project:
    """Read sqlrun.toml from project_dir (default: the current directory)."""
    root = Path(project_dir or ".").resolve()
    config_file = root / CONFIG_NAME
    if not root.is_dir():
        raise ConfigError(f"project directory not found: {root}")
    if not config_file.is_file():
        raise ConfigError(f"no {CONFIG_NAME} in {root} (use --project DIR)")
    try:
        data = tomllib.loads(config_file.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise ConfigError(f"{config_file}: [project] must be a table")
    unknown = set(project) - {"dialect", "engine", "queries"}
    if unknown:
        raise ConfigError(f"{config_file}: unknown [project] key(s): {', '.join(sorted(unknown))}")
    dialect = project.get("dialect", "spark")
    if dialect not in DIALECTS:
        raise ConfigError(f"{config_file}: dialect '{dialect}' is not one of {', '.join(DIALECTS)}")
    engine = project.get("engine", "duckdb")
    if engine not in ENGINES:
        raise ConfigError(f"{config_file}: engine '{engine}' is not one of {', '.join(ENGINES)}")
    queries = project.get("queries")
    queries_dir = root / queries if queries else (root / "queries" if (root / "queries").is_dir() else root)
    sources = {name: _source(root, name, spec) for name, spec in data.get("sources", {}).items()}
    engines = data.get("engines", {})
    if not isinstance(engines, dict) or not all(isinstance(v, dict) for v in engines.values()):
        raise ConfigError(f"{config_file}: [engines.NAME] entries must be tables")
    return Project(root, dialect, engine, queries_dir, sources, engines)
