"""Spark SQL through a local (or configured) SparkSession. Needs Java 17."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlrun.adapters.base import Engine
from sqlrun.errors import EngineError

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


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"
    SUPPORTS_UDF = True

    def __init__(self, settings: dict | None = None):
        super().__init__(settings)
        check_java()
        os.environ.setdefault("PYSPARK_PYTHON", shutil.which("python3") or "python3")
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("sqlrun").master(
            self.settings.get("master", f"local[{os.cpu_count() or 2}]")
        )
        for key, value in default_conf(self.settings).items():
            builder = builder.config(key, value)
        try:
            self.spark = builder.getOrCreate()
        except Exception as exc:  # py4j/JVM start-up failures have no common base class
            raise EngineError(f"spark: cannot start a session: {str(exc).splitlines()[0]}") from None
        self.spark.sparkContext.setLogLevel("ERROR")
        self._views: list[str] = []

    def register_source(self, name, source) -> None:
        reader = self.spark.read
        if source.format == "csv":
            reader = reader.option("header", "true").option("inferSchema", "true")
        for key, value in source.options.items():
            reader = reader.option(key, value)
        frame = getattr(reader, _READERS[source.format])(*source.files())
        frame.createOrReplaceTempView(name)
        self._views.append(name)

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
