"""Spark's settings as sqlrun sets them: the session's conf, Java, where it reads files from."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlrun.errors import ConfigError, EngineError

LOG4J_CONFIG = Path(__file__).with_name("log4j2.properties")
# sqlrun binds parameters into the syntax tree; Spark would then expand ${...} in the SQL text
# (${env:AWS_SECRET_ACCESS_KEY} became the secret, an unknown name ''), so that is off everywhere.
SUBSTITUTE = "spark.sql.variable.substitute"


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
        # Parquet writers (pyarrow, DuckDB) leave NaN out of a double column's min/max; Spark pruned
        # row groups with them and lost NaN rows (`x > 6`, NaN above every number in Spark).
        "spark.sql.parquet.filterPushdown": "false",
        "spark.driver.memory": "2g",
        "spark.ui.showConsoleProgress": "false",
        # -Xss: Spark's parser recurses per level of nesting; the default 1 MB thread stack gives
        # FAILED_TO_PARSE_TOO_COMPLEX near 500 levels, 256 MB (reserved, touched only as used) 1000+.
        "spark.driver.extraJavaOptions": f"-Xss256m -Dlog4j2.configurationFile=file:{LOG4J_CONFIG}",
    }
    return {**conf, **user_conf(settings), SUBSTITUTE: "false"}


def user_conf(settings: dict) -> dict[str, str]:
    """[engines.spark] conf as Spark takes it (text); substitution cannot be turned back on."""
    conf = {str(k): str(v) for k, v in settings.get("conf", {}).items()}
    for key, value in conf.items():
        if key.strip() == SUBSTITUTE and value.strip().lower() != "false":
            raise ConfigError(
                f'[engines.spark] conf."{SUBSTITUTE}": sqlrun keeps it false, since Spark would expand'
                " ${...} inside string literals and parameters (even ${env:...} secrets)"
            )
    return conf


# Session settings a Spark Connect client may set (runtime SQL confs); the server owns the rest.
CONNECT_DEFAULTS = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "false", SUBSTITUTE: "false",
                    "spark.sql.parquet.filterPushdown": "false"}
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


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
