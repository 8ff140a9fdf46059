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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlrun.errors import ConfigError

FORMATS = ("parquet", "csv", "orc")
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


def expect(wanted: str, test: Callable[[object], bool]) -> Check:
    return lambda value: None if test(value) else f"expected {wanted}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value  # no NaN


string = expect("a string", lambda v: isinstance(v, str))
boolean = expect("true or false", lambda v: isinstance(v, bool))
strings = expect("an array of strings", lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v))
env_name = expect("the name of an environment variable (letters, digits, _), not the password itself",
                   lambda v: isinstance(v, str) and bool(NAME.match(v)))
http_url = expect("an http(s)://host[:port] URL",
                   lambda v: isinstance(v, str) and bool(re.match(r"https?://[^/@]+", v)))
connect_url = expect('a Spark Connect URL like "sc://host:15002"', lambda v: isinstance(v, str) and v.startswith("sc://"))
size = expect('a size like "8GB", "500MB" or "80%"',  # DuckDB's memory_limit units
               lambda v: isinstance(v, str) and bool(re.fullmatch(r"\s*\d+(\.\d+)?\s*([KMGT]i?B?|B|%)\s*", v, re.I)))
one_character = expect("one ASCII character other than a quote, a newline or \\r",  # one byte for every engine
                        lambda v: isinstance(v, str) and len(v) == 1 and v.isascii() and v not in '"\n\r')
table_name = expect('a table name ("schema.table") or false',
                     lambda v: v is False or (isinstance(v, str) and bool(v.strip())))


def one_of(*allowed: str) -> Check:
    return expect(f"one of {', '.join(allowed)}", lambda v: v in allowed and isinstance(v, str))


def integer(low: int, high: int | None = None) -> Check:
    wanted = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
    return expect(wanted, lambda v: _is_int(v) and v >= low and (high is None or v <= high))


def seconds(positive: bool = False) -> Check:
    wanted = "a number of seconds > 0" if positive else "a number of seconds >= 0"
    return expect(wanted, lambda v: _is_number(v) and (v > 0 if positive else v >= 0) and v != float("inf"))


PROJECT = {
    "dialect": Key(one_of(*DIALECTS), "the dialect the .sql files are written in (default spark)"),
    "engine": Key(string, "the default engine (default duckdb)"),  # one of the registry's: validate()
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
# [s3]: where results are written (-o s3://...) and the defaults of S3 sources that do not set these keys.
S3 = {
    "endpoint_url": Key(http_url, "S3-compatible endpoint", secret=True),
    "region": Key(string, "AWS region"),
    "profile": Key(string, "AWS profile"),
}


def check_table(section: str, values: object, schema: dict[str, Key]) -> None:
    """One table ([project], [sources.NAME], [engines.NAME]) against its keys; one line per problem."""
    if not isinstance(values, dict):
        raise ConfigError(f"[{section}]: expected a table, got {shown(values)}")
    unknown = [k for k in values if k not in schema]
    if unknown:  # named, never shown: a misspelt key may hold a secret
        names = ", ".join(named(k) for k in unknown)
        raise ConfigError(f"[{section}] unknown key(s): {names} (known: {', '.join(schema)})")
    for key, value in values.items():
        problem = schema[key].check(value)
        if problem:
            got = kind(value) if schema[key].secret else shown(value)
            raise ConfigError(f"[{section}] {key}: {problem}, got {got}")


def check_s3_table(section: str, values: object, schema: dict[str, Key]) -> None:
    """A table with S3 settings ([s3], [sources.NAME]): a key that looks like a credential is refused."""
    if not isinstance(values, dict):
        raise ConfigError(f"[{section}]: expected a table, got {shown(values)}")
    secrets = [named(k) for k in values if is_secret(k)]
    if secrets:
        raise ConfigError(
            f"[{section}] {', '.join(secrets)}: credentials never go in sqlrun.toml; they come from"
            ' the AWS chain (AWS_PROFILE / profile = "...", environment variables, instance role)'
        )
    check_table(section, values, schema)


def validate_source(name: str, spec: object) -> None:
    section = f"sources.{named(name)}"
    if not NAME.match(name):
        raise ConfigError(f"[{section}]: a source name must be a plain name (letters, digits, _), as in SQL")
    check_s3_table(section, spec, SOURCE)


def _tables(name: str, value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{name}: expected tables [{name}.{what}], got {shown(value)}")
    return value


def validate(data: dict, engines: Mapping[str, Callable[[dict], None]]) -> None:
    """The whole parsed sqlrun.toml; raises ConfigError (without the file name) on the first problem.
    `engines`: each engine's name and the check of its [engines.NAME] table (the adapters declare them)."""
    for top in data:
        if top not in ("project", "s3", "sources", "engines"):
            what = f"table [{named(top)}]" if isinstance(data[top], dict) else f"key {named(top)} outside any table"
            raise ConfigError(f"unknown {what} (known: [project], [s3], [sources.NAME], [engines.NAME])")
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise ConfigError(f"[project]: expected a table, got {shown(project)}")
    engine = Key(one_of(*engines), PROJECT["engine"].doc)
    check_table("project", project, {**PROJECT, "engine": engine})
    check_s3_table("s3", data.get("s3", {}), S3)
    seen: dict[str, str] = {}
    for name, spec in _tables("sources", data.get("sources", {}), "NAME").items():
        validate_source(name, spec)
        if name.lower() in seen:  # SQL names are case-insensitive: both would be one table
            raise ConfigError(f"[sources.{name}] and [sources.{seen[name.lower()]}] name the same table")
        seen[name.lower()] = name
    for engine, settings in _tables("engines", data.get("engines", {}), "NAME").items():
        if engine not in engines:
            raise ConfigError(f"unknown table [engines.{named(engine)}] (engines: {', '.join(engines)})")
        engines[engine](settings)
