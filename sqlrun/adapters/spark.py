"""Spark SQL through a local (or configured) SparkSession. Needs Java 17."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlrun.adapters.base import Engine
from sqlrun.errors import ConfigError, EngineError

_READERS = {"parquet": "parquet", "csv": "csv", "orc": "orc"}
LOG4J_CONFIG = Path(__file__).with_name("log4j2.properties")


def check_java() -> None:
    """Fail with one clear line unless Java 17+ is reachable."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        raise EngineError("the spark engine needs Java 17: install a JDK 17 or set JAVA_HOME")
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    major = int(match.group(1)) if match else 0
    major = int(match.group(2) or 0) if major == 1 else major
    if major < 17:
        raise EngineError(f"the spark engine needs Java 17, found {java} version {major}")


def default_conf(settings: dict) -> dict[str, str]:
    cores = os.cpu_count() or 2
    conf = {
        "spark.sql.shuffle.partitions": str(cores),
        "spark.default.parallelism": str(cores),
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Spark 3 semantics, as sqlglot's spark dialect and EMR users expect.
        "spark.sql.ansi.enabled": "false",
        "spark.driver.memory": "2g",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG4J_CONFIG}",
    }
    conf.update({k: str(v) for k, v in settings.get("conf", {}).items()})
    return conf


# Session settings a Spark Connect client may set (runtime SQL confs); the server owns the rest.
CONNECT_DEFAULTS = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "false"}
SETTINGS = ("master", "remote", "conf", "s3_read")
S3_READS = ("s3a", "copy", "arrow")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def check_settings(settings: dict) -> None:
    """[engines.spark]: master | remote, conf, s3_read; anything else is a typo worth stopping for."""
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise ConfigError(f"[engines.spark] unknown key(s): {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    if "master" in settings and "remote" in settings:
        raise ConfigError("[engines.spark] set master (a classic session) or remote (Spark Connect), not both")
    remote = settings.get("remote")
    if remote is not None and not (isinstance(remote, str) and remote.startswith("sc://")):
        raise ConfigError(f'[engines.spark] remote must be a Spark Connect URL like "sc://host:15002", not {remote!r}')
    if not isinstance(settings.get("conf", {}), dict):
        raise ConfigError("[engines.spark] conf must be a table of Spark settings")
    if settings.get("s3_read", "s3a") not in S3_READS:
        raise ConfigError(f"[engines.spark] s3_read must be one of {', '.join(S3_READS)}")


def runs_here(settings: dict) -> bool:
    """Whether Spark reads this machine's files: a local master or a Connect server on loopback."""
    remote = settings.get("remote")
    if remote:
        host = remote[len("sc://") :].split("/", 1)[0].rsplit(":", 1)[0]
        return host in LOCAL_HOSTS
    return str(settings.get("master", "local")).startswith("local")


def s3_read(settings: dict) -> str:
    """How S3 sources reach Spark: natively over s3a when the session has the connector
    configured (or on a cluster, which usually has one); else copies on local disk."""
    if "s3_read" in settings:
        return settings["s3_read"]
    conf = settings.get("conf", {})
    jars = f"{conf.get('spark.jars', '')} {conf.get('spark.jars.packages', '')}"
    if any(k.startswith("spark.hadoop.fs.s3a.") for k in conf) or "hadoop-aws" in jars:
        return "s3a"
    return "copy" if runs_here(settings) else "s3a"


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"
    SUPPORTS_UDF = True

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        check_settings(self.settings)
        self.remote = self.settings.get("remote")
        # For messages: the URL without its ";token=..." parameters.
        self.remote_shown = (self.remote or "").split(";", 1)[0].rstrip("/")
        self._views: list[str] = []
        self._s3_dir: str | None = None
        self._s3_copies: dict[tuple[str, str], str] = {}
        self.spark = self._connect() if self.remote else self._classic()

    def _classic(self):
        check_java()
        os.environ.setdefault("PYSPARK_PYTHON", shutil.which("python3") or "python3")
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("sqlrun").master(
            self.settings.get("master", f"local[{os.cpu_count() or 2}]")
        )
        for key, value in default_conf(self.settings).items():
            builder = builder.config(key, value)
        try:
            # One JVM per process, but a session per engine: its own temp views and SQL
            # settings, so two projects' sources of the same name never replace each other.
            spark = builder.getOrCreate().newSession()
        except Exception as exc:  # py4j/JVM start-up failures have no common base class
            raise EngineError(f"spark: cannot start a session: {str(exc).splitlines()[0]}") from None
        spark.sparkContext.setLogLevel("ERROR")
        for key, value in default_conf(self.settings).items():
            if key.startswith("spark.sql.") and spark.conf.isModifiable(key):
                spark.conf.set(key, value)
        return spark

    def _connect(self):
        """A Spark Connect session of its own (no JVM here); confs are set per session."""
        try:
            # The Connect builder itself, not pyspark.sql's: that one flips process-wide
            # state (SPARK_CONNECT_MODE_ENABLED) and would turn later classic sessions remote.
            from pyspark.sql.connect.session import SparkSession
        except ImportError as exc:
            raise EngineError(
                f"spark: Spark Connect needs pyspark's connect extras ({exc.name}): pip install 'pyspark[connect]'"
            ) from None
        self._check_reachable()
        try:
            spark = SparkSession.builder.remote(self.remote).create()
            spark.sql("SELECT 1").collect()  # the handshake: a wrong server fails here, clearly
        except Exception as exc:
            raise EngineError(f"spark: cannot reach Spark Connect at {self.remote_shown}: {_first_line(exc)}") from None
        conf = {**CONNECT_DEFAULTS, **{k: str(v) for k, v in self.settings.get("conf", {}).items()}}
        for key, value in conf.items():
            try:
                spark.conf.set(key, value)
            except Exception as exc:
                spark.stop()
                raise EngineError(
                    f"spark: cannot set {key} on a Spark Connect session (server-side settings belong"
                    f" in the server's own configuration): {_first_line(exc)}"
                ) from None
        return spark

    def _check_reachable(self, timeout: float = 5.0) -> None:
        """Fail fast: the Connect client retries an unreachable server for minutes."""
        import socket

        host, _, port = self.remote[len("sc://") :].split("/", 1)[0].split(";", 1)[0].rpartition(":")
        host, port = (host, int(port)) if host else (port, 15002)
        try:
            socket.create_connection((host.strip("[]"), port), timeout=timeout).close()
        except (OSError, ValueError) as exc:
            raise EngineError(f"spark: cannot reach Spark Connect at {self.remote_shown}: {exc}") from None

    def register_source(self, name, source) -> None:
        try:
            frame = self._read(source)
            frame.createOrReplaceTempView(name)
        except (EngineError, ConfigError):
            raise
        except Exception as exc:  # py4j and Connect errors share no base class
            raise EngineError(f"spark: cannot read source '{name}': {_first_line(exc)}") from None
        self._views.append(name)

    def _read(self, source):
        files = source.files()
        mode = s3_read(self.settings) if source.s3 else None
        if mode == "arrow":
            from sqlrun.s3 import arrow_dataset

            if source.format == "csv":  # pyarrow's CSV inference is not Spark's: another answer
                raise EngineError(
                    f"spark: source '{source.name}': s3_read = \"arrow\" reads parquet and orc only;"
                    ' use s3_read = "copy" (Spark reads local copies) or "s3a" for CSV'
                )

            # Every row passes through this process (the driver, or the Connect client).
            return self.spark.createDataFrame(arrow_dataset(source, files).to_table())
        if mode == "copy":
            files = self._copy_local(source)
        elif mode == "s3a":
            files = ["s3a://" + f.split("://", 1)[1] for f in files]
        reader = self.spark.read
        if source.format == "csv":
            reader = reader.option("header", "true").option("inferSchema", "true")
        for key, value in source.options.items():
            reader = reader.option(key, value)
        return getattr(reader, _READERS[source.format])(*files)

    def _copy_local(self, source) -> list[str]:
        """The source's objects on local disk (downloaded once per ETag), for Spark's own readers."""
        from sqlrun.s3 import download

        if self._s3_dir is None:
            self._s3_dir = tempfile.mkdtemp(prefix="sqlrun-s3-")
        return download(source, self._s3_dir, self._s3_copies)

    def _sql(self, sql: str):
        from pyspark.errors import PySparkException

        try:
            return self.spark.sql(sql)
        except PySparkException as exc:
            raise EngineError(f"spark: {str(exc).strip().splitlines()[0]}") from None

    def execute(self, sql: str) -> None:
        self._sql(sql).collect()

    def to_arrow(self, sql: str):
        from pyspark.errors import PySparkException

        frame = self._sql(sql)
        try:
            return frame.toArrow()
        except PySparkException as exc:
            raise EngineError(f"spark: {str(exc).strip().splitlines()[0]}") from None

    def close(self) -> None:
        # The session is shared by the process (one JVM); drop only what we registered.
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._views.clear()
        if self.remote:
            self.spark.stop()  # this client's session only; the server keeps running
        if self._s3_dir is not None:
            shutil.rmtree(self._s3_dir, ignore_errors=True)
            self._s3_dir = None
            self._s3_copies.clear()


def _first_line(exc: Exception) -> str:
    java = getattr(exc, "java_exception", None)  # py4j: the message is on the Java side
    text = str(java.toString() if java is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
