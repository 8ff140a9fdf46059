"""Project configuration: sqlrun.toml (project defaults, sources, engine settings)."""

from __future__ import annotations

import glob
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.adapters import ENGINES
from sqlrun.errors import ConfigError
from sqlrun.s3 import SETTINGS as S3_KEYS
from sqlrun.s3 import S3Location, is_s3
from sqlrun.settings_schema import DIALECTS, FORMATS, validate

__all__ = ["CONFIG_NAME", "DIALECTS", "FORMATS", "Project", "Source", "load_project"]
CONFIG_NAME = "sqlrun.toml"


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
    listed: tuple[str, ...] = ()  # the files, when known (an incremental step's stored values)

    def qualified_name(self) -> str:
        """The schema-qualified name it has on Redshift (lower case): public.<name> by default."""
        table = self.redshift if isinstance(self.redshift, str) else self.name
        return (table if "." in table else f"public.{table}").lower()

    def files(self) -> list[str]:
        """The concrete files behind the source, sorted; raises if there are none.

        For S3 sources these are s3://bucket/key URLs, from a listing."""
        if self.listed:
            return list(self.listed)
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
            found = self._walk(path)
        else:  # a directory a glob matches (Spark writes out.parquet/ directories) is read like a path
            found = []
            for match in sorted(glob.glob(self.path, recursive=True)):
                found.extend(self._walk(Path(match)) if os.path.isdir(match) else [match])
        if not found:
            raise ConfigError(f"source '{self.name}': no {self.format} files at {self.path}")
        return found

    def _walk(self, directory: Path) -> list[str]:
        """The directory's *.<format> files, skipping hidden and _-prefixed files and folders
        (_SUCCESS, _temporary/, .crc), as Spark and Hive write them."""
        try:
            os.scandir(directory).close()  # rglob skips an unreadable directory silently
        except OSError as exc:
            raise ConfigError(f"source '{self.name}': cannot read directory {directory}: {exc.strerror}") from None
        return sorted(
            str(p) for p in directory.rglob(f"*.{self.format}")
            if not any(part.startswith((".", "_")) for part in p.relative_to(directory).parts) and p.is_file()
        )


@dataclass(frozen=True)
class Project:
    root: Path
    dialect: str = "spark"
    engine: str = "duckdb"
    queries_dir: Path | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    engines: dict[str, dict] = field(default_factory=dict)
    unsafe_sql: bool = False  # [project] unsafe_sql: catalog files may have effects and read any file
    s3: dict = field(default_factory=dict)  # [s3]: endpoint_url, region, profile for outputs and source defaults

    def engine_settings(self, name: str) -> dict:
        return dict(self.engines.get(name, {}))


def _infer_format(name: str, path: str) -> str:
    stem = path.rstrip("/*")
    for fmt in FORMATS:
        if stem.endswith(f".{fmt}") or path.endswith(f"*.{fmt}"):
            return fmt
    raise ConfigError(f"[sources.{name}] cannot infer the format of '{path}': set format = parquet | csv | orc")


def _source(root: Path, name: str, spec: dict, s3_defaults: dict) -> Source:
    """One [sources.NAME] table, already checked against the schema; an S3 source takes the
    [s3] keys it does not set itself."""
    redshift = spec.get("redshift")
    redshift = redshift.strip() if isinstance(redshift, str) else redshift
    if "path" not in spec and isinstance(redshift, str):
        return Source(name=name, path="", format="", redshift=redshift)
    path = spec.get("path")
    if not isinstance(path, str) or not path.strip():
        raise ConfigError(f'[sources.{name}] needs path = "..." (or redshift = "schema.table")')
    if "\0" in path:
        raise ConfigError(f"[sources.{name}] path: contains a NUL character")
    fmt = spec.get("format") or _infer_format(name, path)
    if "delimiter" in spec and fmt != "csv":
        raise ConfigError(f'[sources.{name}] delimiter: only applies to format = "csv"')
    if "://" not in path and not Path(path).is_absolute():
        path = str(root / path)
    options = {"delimiter": spec["delimiter"]} if "delimiter" in spec else {}
    given = {k: spec[k] for k in S3_KEYS if k in spec}
    if given and not is_s3(path):
        raise ConfigError(f"[sources.{name}] {', '.join(given)} only apply to s3:// paths")
    location = S3Location.parse(name, path, {**s3_defaults, **given}) if is_s3(path) else None
    return Source(name=name, path=path, format=fmt, options=options, redshift=redshift, s3=location)


def _project_root(project_dir: str | Path | None) -> Path:
    given = Path(project_dir or ".")
    try:
        root = given.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13
        raise ConfigError(f"project directory {given}: {getattr(exc, 'strerror', None) or exc}") from None
    if not root.is_dir():
        raise ConfigError(f"project directory {'is not a directory' if root.exists() else 'not found'}: {root}")
    return root


def _read_config(config_file: Path) -> dict:
    """sqlrun.toml parsed; one line naming the file for anything that is not a UTF-8 TOML file."""
    try:
        info = config_file.stat()
    except FileNotFoundError:
        if config_file.is_symlink():
            raise ConfigError(f"{config_file}: a symbolic link to a missing file") from None
        raise ConfigError(f"no {CONFIG_NAME} in {config_file.parent} (use --project DIR)") from None
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read it: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{config_file}: is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise ConfigError(f"{config_file}: not a regular file")
    try:
        raw = config_file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # a BOM, as some editors write
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{config_file}: not UTF-8 text (line {line}); save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{config_file}: arrays or tables nested too deeply") from None
    except ValueError as exc:  # an integer of 5,000 digits
        raise ConfigError(f"{config_file}: cannot parse it: {str(exc).split(';')[0]}") from None


def load_project(project_dir: str | Path | None = None) -> Project:
    """Read sqlrun.toml from project_dir (default: the current directory), checked against its schema."""
    root = _project_root(project_dir)
    config_file = root / CONFIG_NAME
    data = _read_config(config_file)
    try:
        validate(data, {name: adapter.check_settings for name, adapter in ENGINES.items()})
        # SQL names are case-insensitive: a source is found by its lower-case name.
        s3 = data.get("s3", {})
        sources = {
            name.lower(): _source(root, name.lower(), spec, s3) for name, spec in data.get("sources", {}).items()
        }
    except ConfigError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    project = data.get("project", {})
    queries = project.get("queries")
    queries_dir = root / queries if queries else (root / "queries" if (root / "queries").is_dir() else root)
    dialect, engine = project.get("dialect", "spark"), project.get("engine", "duckdb")
    engines, unsafe = data.get("engines", {}), project.get("unsafe_sql", False)
    return Project(root, dialect, engine, queries_dir, sources, engines, unsafe_sql=unsafe, s3=s3)
