"""Spark SQL through a local (or configured) SparkSession. Needs Java 17."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from sqlrun.adapters.base import Engine, run_interruptibly
from sqlrun.adapters.spark_conf import (
    CONNECT_DEFAULTS,
    SUBSTITUTE,
    check_java,
    default_conf,
    s3_read,
    user_conf,
)
from sqlrun.adapters.spark_jvm import LOG_NAME, quiet_python_loggers, start_jvm
from sqlrun.errors import ConfigError, EngineError
from sqlrun.settings_schema import Key, connect_url, expect, is_secret, kind, one_of, shown, string
from sqlrun.source_check import check_files

_READERS = {"parquet": "parquet", "csv": "csv", "orc": "orc"}
_CSV_OPTIONS = {
    "header": "true", "inferSchema": "true", "mode": "FAILFAST", "multiLine": "true", "quote": '"', "escape": '"',
    "encoding": "UTF-8",
}
class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"
    LOG_DIR = True
    MODEL_SUMS = "chain"  # its parser runs out of memory on a 100-tree model summed as a balanced tree
    MODEL_FUNCTIONS = True  # a pandas UDF, 0.37x of booster.predict (SQL: 0.08x); workers need xgboost

    SETTINGS = {
        "master": Key(string, 'a classic session\'s master (default "local[<cores>]")'),
        "remote": Key(connect_url, "a Spark Connect server instead of master", secret=True),  # may carry ;token=
        "conf": Key(expect("a table of Spark settings", lambda v: isinstance(v, dict)), "Spark settings"),
        "s3_read": Key(one_of("s3a", "copy", "arrow"), "how S3 sources reach Spark"),
    }

    @classmethod
    def check_settings(cls, values: object) -> None:
        super().check_settings(values)
        if "master" in values and "remote" in values:
            raise ConfigError("[engines.spark] set master (a classic session) or remote (Spark Connect), not both")
        for key, value in values.get("conf", {}).items():  # Spark takes every setting as text
            if not isinstance(value, (str, int, float, bool)):
                got = kind(value) if is_secret(key) else shown(value)
                problem = f"expected a string, number or boolean, got {got}"
                raise ConfigError(f"[engines.spark] conf.{json.dumps(key)}: {problem}")

    def __init__(self, settings: dict | None = None):
        settings = dict(settings or {})
        # Where the JVM's own output goes (the Session passes <project>/.sqlrun/logs); not a user key.
        self.log_dir = settings.pop("log_dir", None)
        super().__init__(settings)
        self.remote = self.settings.get("remote")
        # For messages: the URL without its ";token=..." parameters.
        self.remote_shown = (self.remote or "").split(";", 1)[0].rstrip("/")
        self._views: list[str] = []
        self._functions: list[str] = []  # model functions registered (add_model_function)
        self._s3_dir: str | None = None
        self._s3_copies: dict[tuple[str, str], str] = {}
        self.spark = self._connect() if self.remote else self._classic()

    def _classic(self):
        check_java()
        # Python workers run this interpreter: the model functions' pandas UDFs need its packages.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable or shutil.which("python3") or "python3")
        from pyspark.sql import SparkSession

        conf = default_conf(self.settings)
        master = self.settings.get("master", f"local[{os.cpu_count() or 2}]")
        builder = SparkSession.builder.appName("sqlrun").master(master)
        for key, value in conf.items():
            builder = builder.config(key, value)
        quiet_python_loggers()
        try:
            start_jvm({**conf, "spark.master": master, "spark.app.name": "sqlrun"}, self.log_dir)
            # One JVM per process, but a session per engine: its own temp views and SQL
            # settings, so two projects' sources of the same name never replace each other.
            spark = builder.getOrCreate().newSession()
        except Exception as exc:  # py4j/JVM start-up failures have no common base class
            log = f" (its log: {Path(self.log_dir) / LOG_NAME})" if self.log_dir else ""
            raise EngineError(f"spark: cannot start a session: {_first_line(exc)}{log}") from None
        spark.sparkContext.setLogLevel("ERROR")
        for key, value in conf.items():
            if key.startswith("spark.sql.") and spark.conf.isModifiable(key):
                spark.conf.set(key, value)
        _check_no_substitution(spark)
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
        conf = {**CONNECT_DEFAULTS, **user_conf(self.settings), SUBSTITUTE: "false"}
        quiet_python_loggers()
        self._check_reachable()
        try:
            spark = SparkSession.builder.remote(self.remote).create()
            spark.sql("SELECT 1").collect()  # the handshake: a wrong server fails here, clearly
        except Exception as exc:
            raise EngineError(f"spark: cannot reach Spark Connect at {self.remote_shown}: {_first_line(exc)}") from None
        for key, value in conf.items():
            try:
                spark.conf.set(key, value)
            except Exception as exc:
                spark.stop()
                raise EngineError(
                    f"spark: cannot set {key} on a Spark Connect session (server-side settings belong"
                    f" in the server's own configuration): {_first_line(exc)}"
                ) from None
        _check_no_substitution(spark)
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
            frame = self._interruptibly(lambda: self._read(source))  # CSV schema inference runs a job
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
        check_files(source, files)  # local files (and S3 copies) only
        reader = self.spark.read.format(_READERS[source.format])
        if source.format == "csv":
            # As DuckDB and Polars read it: RFC 4180 ("" inside quotes, newlines in quoted values),
            # a header line, and a row with another field count is an error, not padded or cut.
            options = {**_CSV_OPTIONS, "sep": source.options.get("delimiter", ",")}
            for key, value in options.items():
                reader = reader.option(key, value)
        return reader.load(files)

    def _copy_local(self, source) -> list[str]:
        """The source's objects on local disk (downloaded once per ETag), for Spark's own readers."""
        from sqlrun.s3 import download

        if self._s3_dir is None:
            self._s3_dir = tempfile.mkdtemp(prefix="sqlrun-s3-")
        return download(source, self._s3_dir, self._s3_copies)

    def _sql(self, sql: str, action: str):
        """Run `sql` and `action` on its DataFrame (collect, toArrow), Ctrl-C cancelling it."""
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        def run():
            try:
                return getattr(self.spark.sql(sql), action)()
            except (PySparkException, Py4JError) as exc:  # a task's failure (FAILFAST CSV) is a Py4JJavaError
                raise EngineError(f"spark: {_error_line(exc, sql)}") from None
            except (ValueError, TypeError) as exc:  # pyspark's own Arrow conversion (a NULL-typed array...)
                raise EngineError(f"spark: cannot convert the result to Arrow: {_first_line(exc)}") from None

        return self._interruptibly(run)

    def _interruptibly(self, call):
        cancel = self.spark.interruptAll if self.remote else self.spark.sparkContext.cancelAllJobs
        return run_interruptibly(call, cancel)

    def execute(self, sql: str) -> None:
        self._sql(sql, "collect")

    def to_arrow(self, sql: str):
        return self._sql(sql, "toArrow")

    @classmethod
    def model_functions(cls, settings) -> bool:
        # The UDF runs in Python workers that need xgboost: only on this machine's local master.
        local = str(settings.get("master", "local")).startswith("local")
        return cls.MODEL_FUNCTIONS and local and not settings.get("remote")

    def add_model_function(self, name: str, scorer) -> None:
        if name in self._functions:
            return
        import inspect
        from functools import partial

        import pandas as pd
        from pyspark.sql.functions import pandas_udf

        def call(*columns):
            return pd.Series(scorer.arrow(*columns).to_numpy(zero_copy_only=False))

        # A scalar pandas UDF of k and the features, as Spark reads it from the signature.
        param = partial(inspect.Parameter, kind=inspect.Parameter.POSITIONAL_ONLY, annotation=pd.Series)
        call.__signature__ = inspect.Signature([param(f"x{i}") for i in range(scorer.width + 1)],
                                               return_annotation=pd.Series)
        self.spark.udf.register(name, pandas_udf(call, "double"))
        self._functions.append(name)

    def close(self) -> None:
        # The session is shared by the process (one JVM); drop only what we registered.
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._views.clear()
        for name in self._functions:
            self.spark.sql(f"DROP TEMPORARY FUNCTION IF EXISTS {name}")
        self._functions.clear()
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


def _error_line(exc: Exception, sql: str) -> str:
    """Spark's message in one line; the line it points at is one of the SQL it was sent
    (generated by sqlrun), so that line is quoted."""
    first = _first_line(exc)
    match = re.search(r"[;(]?\s*line (\d+),? pos \d+\)?;?$", first)
    lines = sql.splitlines()
    if match and 0 < int(match.group(1)) <= len(lines):
        number = int(match.group(1))
        first = f"{first[: match.start()].rstrip(' ;')} (generated SQL line {number}: {lines[number - 1].strip()})"
    return first


def _check_no_substitution(spark) -> None:
    """Every session sqlrun runs SQL in has ${...} substitution off, or sqlrun does not use it."""
    if str(spark.conf.get(SUBSTITUTE)).lower() != "false":
        raise EngineError(f"spark: cannot turn {SUBSTITUTE} off on this session; sqlrun does not run without that")
