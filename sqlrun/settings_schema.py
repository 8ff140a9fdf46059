"""The one declared schema of sqlrun.toml: every table, key, type and allowed value.

`validate(data)` checks a whole parsed file at load time (before any engine starts), and
`validate_section` one table for engines created from the API. A problem is one line naming the
table and key. A value is echoed only when it cannot hold a secret: keys whose names hint at one
(password, secret, token, key, credential...), URLs that may carry credentials and every
unknown key are named, never shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlrun.errors import ConfigError

FORMATS = ("parquet", "csv", "orc")
ENGINES = ("duckdb", "polars", "spark", "redshift")
DIALECTS = ("spark", "redshift", "duckdb", "postgres", "hive", "databricks", "trino", "polars")
SECRET_HINTS = ("secret", "password", "passwd", "token", "key", "credential")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")  # source names and environment variable names

Check = Callable[[object], "str | None"]  # the problem ("expected ..."), or None when the value is fine


@dataclass(frozen=True)
class Key:
    check: Check
    doc: str
    secret: bool = False  # never repeat the value: it may be (or contain) a credential


def is_secret(key: str) -> bool:
    return any(hint in key.lower() for hint in SECRET_HINTS)


def shown(value: object) -> str:
    """A value as the user wrote it in TOML (shortened), for messages about non-secret keys."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:56] + '..."'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__}"  # TOML dates and times


def named(key: str) -> str:
    """A key or table name for a message: as is when plain, else quoted (one line, shortened)."""
    return key if re.fullmatch(r"[A-Za-z0-9_.-]{1,60}", key) else shown(key)


def kind(value: object) -> str:
    """What a secret-bearing value is, without any of its content."""
    return {bool: "a boolean", str: "a string", int: "an integer", float: "a number", dict: "a table",
            list: "an array"}.get(type(value), "a date or time")


def _expect(wanted: str, test: Callable[[object], bool]) -> Check:
    return lambda value: None if test(value) else f"expected {wanted}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value  # no NaN


string = _expect("a string", lambda v: isinstance(v, str))
boolean = _expect("true or false", lambda v: isinstance(v, bool))
strings = _expect("an array of strings", lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v))
env_name = _expect("the name of an environment variable (letters, digits, _), not the password itself",
                   lambda v: isinstance(v, str) and bool(NAME.match(v)))
http_url = _expect("an http(s)://host[:port] URL",
                   lambda v: isinstance(v, str) and bool(re.match(r"https?://[^/@]+", v)))
connect_url = _expect('a Spark Connect URL like "sc://host:15002"', lambda v: isinstance(v, str) and v.startswith("sc://"))
size = _expect('a size like "8GB", "500MB" or "80%"',  # DuckDB's memory_limit units
               lambda v: isinstance(v, str) and bool(re.fullmatch(r"\s*\d+(\.\d+)?\s*([KMGT]i?B?|B|%)\s*", v, re.I)))
one_character = _expect("one ASCII character other than a quote, a newline or \\r",  # one byte for every engine
                        lambda v: isinstance(v, str) and len(v) == 1 and v.isascii() and v not in '"\n\r')
table_name = _expect('a table name ("schema.table") or false',
                     lambda v: v is False or (isinstance(v, str) and bool(v.strip())))


def one_of(*allowed: str) -> Check:
    return _expect(f"one of {', '.join(allowed)}", lambda v: v in allowed and isinstance(v, str))


def integer(low: int, high: int | None = None) -> Check:
    wanted = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
    return _expect(wanted, lambda v: _is_int(v) and v >= low and (high is None or v <= high))


def seconds(positive: bool = False) -> Check:
    wanted = "a number of seconds > 0" if positive else "a number of seconds >= 0"
    return _expect(wanted, lambda v: _is_number(v) and (v > 0 if positive else v >= 0) and v != float("inf"))


PROJECT = {
    "dialect": Key(one_of(*DIALECTS), "the dialect the .sql files are written in (default spark)"),
    "engine": Key(one_of(*ENGINES), "the default engine (default duckdb)"),
    "queries": Key(string, "where the .sql files are, relative to the project (default ./queries or .)"),
    "unsafe_sql": Key(boolean, "allow statements with effects and file access in catalog files (default false)"),
}
SOURCE = {
    "path": Key(string, "a file, directory or glob, relative to the project; or s3://bucket/..."),
    "format": Key(one_of(*FORMATS), "the files' format (default: from the extension)"),
    "redshift": Key(table_name, 'the Redshift table ("schema.table"; default: the source name), false: none'),
    "endpoint_url": Key(http_url, "S3-compatible endpoint (s3:// paths only)", secret=True),
    "region": Key(string, "AWS region (s3:// paths only)"),
    "profile": Key(string, "AWS profile (s3:// paths only)"),
    # The only reader option: it means the same on every engine. Others (header, null values,
    # hive partitioning...) differ between engines' readers, so sqlrun fixes them itself.
    "delimiter": Key(one_character, 'csv field delimiter (default ","), the same on every engine'),
}
REDSHIFT_WIRE = {"host", "port", "user", "password_env", "ssl", "sslmode", "timeout", "server_cursor",
                 "application_name", "iam", "db_groups", "auto_create", "serverless_acct_id"}
REDSHIFT_DATA_API = {"secret_arn", "poll_interval"}
ENGINE_SETTINGS = {
    "duckdb": {
        "threads": Key(integer(1), "worker threads"),
        "memory_limit": Key(size, 'memory limit, like "8GB"'),
    },
    "polars": {"streaming": Key(boolean, "run queries on Polars' streaming engine")},
    "spark": {
        "master": Key(string, 'a classic session\'s master (default "local[<cores>]")'),
        "remote": Key(connect_url, "a Spark Connect server instead of master", secret=True),  # may carry ;token=
        "conf": Key(_expect("a table of Spark settings", lambda v: isinstance(v, dict)), "Spark settings"),
        "s3_read": Key(one_of("s3a", "copy", "arrow"), "how S3 sources reach Spark"),
    },
    "redshift": {
        "transport": Key(one_of("wire", "data-api"), "redshift-connector (wire) or the Data API"),
        "database": Key(string, 'database (default "dev")'),
        "statement_timeout": Key(seconds(), "seconds before a statement is cancelled (0: none)"),
        "fetch_rows": Key(integer(1), "rows per FETCH"),
        "region": Key(string, "AWS region"),
        "profile": Key(string, "AWS profile"),
        "cluster_identifier": Key(string, "provisioned cluster (IAM or Data API)"),
        "workgroup": Key(string, "serverless workgroup (IAM or Data API)"),
        "db_user": Key(string, "database user for IAM or the Data API"),
        "host": Key(string, "cluster endpoint"),
        "port": Key(integer(1, 65535), "port (default 5439)"),
        "user": Key(string, "database user"),
        "password_env": Key(env_name, "the NAME of the environment variable holding the password", secret=True),
        "ssl": Key(boolean, "use TLS"),
        "sslmode": Key(one_of("verify-ca", "verify-full"), "TLS certificate check"),
        "timeout": Key(integer(1), "socket timeout, seconds"),
        "server_cursor": Key(boolean, "fetch through a server-side cursor (default true)"),
        "application_name": Key(string, "application name shown on the server"),
        "iam": Key(boolean, "IAM authentication instead of a password"),
        "db_groups": Key(strings, "database groups for IAM"),
        "auto_create": Key(boolean, "create the IAM database user"),
        "serverless_acct_id": Key(string, "serverless account id"),
        "secret_arn": Key(string, "Secrets Manager ARN of the database credentials (Data API)", secret=True),
        "poll_interval": Key(seconds(positive=True), "seconds between Data API status polls"),
    },
}


def _check_keys(section: str, values: dict, schema: dict[str, Key]) -> None:
    unknown = [k for k in values if k not in schema]
    if unknown:  # named, never shown: a misspelt key may hold a secret
        names = ", ".join(named(k) for k in unknown)
        raise ConfigError(f"[{section}] unknown key(s): {names} (known: {', '.join(schema)})")
    for key, value in values.items():
        problem = schema[key].check(value)
        if problem:
            got = kind(value) if schema[key].secret else shown(value)
            raise ConfigError(f"[{section}] {key}: {problem}, got {got}")


def _spark_rules(settings: dict) -> None:
    if "master" in settings and "remote" in settings:
        raise ConfigError("[engines.spark] set master (a classic session) or remote (Spark Connect), not both")
    for key, value in settings.get("conf", {}).items():  # Spark takes every setting as text
        if not isinstance(value, (str, int, float, bool)):
            got = kind(value) if is_secret(key) else shown(value)
            problem = f"expected a string, number or boolean, got {got}"
            raise ConfigError(f"[engines.spark] conf.{json.dumps(key)}: {problem}")


def _redshift_rules(settings: dict) -> None:
    transport = settings.get("transport", "wire")
    other = REDSHIFT_DATA_API if transport == "wire" else REDSHIFT_WIRE
    misplaced = [k for k in settings if k in other]
    if misplaced:
        raise ConfigError(f'[engines.redshift] {", ".join(misplaced)}: not used with transport = "{transport}"')


RULES = {"spark": _spark_rules, "redshift": _redshift_rules}


def validate_section(section: str, values: object) -> None:
    """One [engines.NAME] table (also for engines created from the API with a settings dict)."""
    if not isinstance(values, dict):
        raise ConfigError(f"[{section}]: expected a table, got {shown(values)}")
    engine = section.split(".", 1)[1]
    if engine == "redshift" and "password" in values:
        raise ConfigError(
            "[engines.redshift] password: must not hold a password; put it in an environment variable"
            ' and name that with password_env = "REDSHIFT_PASSWORD"'
        )
    _check_keys(section, values, ENGINE_SETTINGS[engine])
    if engine in RULES:
        RULES[engine](values)


def validate_source(name: str, spec: object) -> None:
    section = f"sources.{named(name)}"
    if not NAME.match(name):
        raise ConfigError(f"[{section}]: a source name must be a plain name (letters, digits, _), as in SQL")
    if not isinstance(spec, dict):
        raise ConfigError(f"[{section}]: expected a table, got {shown(spec)}")
    secrets = [k for k in spec if is_secret(k)]
    if secrets:
        raise ConfigError(
            f"[{section}] {', '.join(secrets)}: credentials never go in sqlrun.toml; they come from"
            ' the AWS chain (AWS_PROFILE / profile = "...", environment variables, instance role)'
        )
    _check_keys(section, spec, SOURCE)


def _tables(name: str, value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{name}: expected tables [{name}.{what}], got {shown(value)}")
    return value


def validate(data: dict) -> None:
    """The whole parsed sqlrun.toml; raises ConfigError (without the file name) on the first problem."""
    for top in data:
        if top not in ("project", "sources", "engines"):
            what = f"table [{named(top)}]" if isinstance(data[top], dict) else f"key {named(top)} outside any table"
            raise ConfigError(f"unknown {what} (known: [project], [sources.NAME], [engines.NAME])")
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise ConfigError(f"[project]: expected a table, got {shown(project)}")
    _check_keys("project", project, PROJECT)
    seen: dict[str, str] = {}
    for name, spec in _tables("sources", data.get("sources", {}), "NAME").items():
        validate_source(name, spec)
        if name.lower() in seen:  # SQL names are case-insensitive: both would be one table
            raise ConfigError(f"[sources.{name}] and [sources.{seen[name.lower()]}] name the same table")
        seen[name.lower()] = name
    for engine, settings in _tables("engines", data.get("engines", {}), "NAME").items():
        if engine not in ENGINE_SETTINGS:
            raise ConfigError(f"unknown table [engines.{named(engine)}] (engines: {', '.join(ENGINES)})")
        validate_section(f"engines.{engine}", settings)
