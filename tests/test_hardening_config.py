"""Issue 11, classes 4, 7, 13 (sqlrun.toml) and 15: bad config, secrets in config, unreadable
config files and source files that engines would read differently. Every bad input is one line
naming the file (and the key), before any engine starts; every good source reads the same rows
on duckdb, polars and spark."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.config import load_project
from sqlrun.errors import ConfigError, SqlrunError
from tests.test_cli import assert_one_line_error, sqlrun


def config_error(tmp_path: Path, text: str) -> str:
    (tmp_path / "sqlrun.toml").write_text(text)
    with pytest.raises(ConfigError) as failed:
        load_project(tmp_path)
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'sqlrun.toml'}: "), message  # names the file
    return message


# --- 15: one declared schema for the whole file ----------------------------------------------

@pytest.mark.parametrize(
    "text, fragments",
    [
        # the issue's examples
        ("[project]\nqueries = 5\n", ["[project] queries: expected a string, got 5"]),
        ('sources = "x"\n', ['sources: expected tables [sources.NAME], got "x"']),
        ('[engines.redshift]\nstatement_timeout = "soon"\n',
         ['[engines.redshift] statement_timeout: expected a number of seconds >= 0, got "soon"']),
        ('[sourcs.x]\npath = "x.parquet"\n', ["unknown table [sourcs]"]),
        ("[engines.duckdb]\nthread = 4\n", ["[engines.duckdb] unknown key(s): thread", "threads"]),
        ("[engines.polars]\nstreamin = true\n", ["[engines.polars] unknown key(s): streamin", "streaming"]),
        ('[sources.t]\npath = "t.csv"\nhas_header = false\n', ["[sources.t] unknown key(s): has_header"]),
        # siblings: every table, wrong types and values
        ('[engines.duckdb]\nthreads = "four"\n', ['[engines.duckdb] threads: expected an integer >= 1, got "four"']),
        ("[engines.duckdb]\nthreads = 0\n", ["[engines.duckdb] threads: expected an integer >= 1, got 0"]),
        ("[engines.duckdb]\nthreads = true\n", ["[engines.duckdb] threads: expected an integer >= 1, got true"]),
        ("[engines.duckdb]\nmemory_limit = 8\n", ["[engines.duckdb] memory_limit: expected a size like", "got 8"]),
        ('[engines.duckdb]\nmemory_limit = "lots"\n', ["[engines.duckdb] memory_limit: expected a size", '"lots"']),
        ('[engines.polars]\nstreaming = "yes"\n', ['[engines.polars] streaming: expected true or false, got "yes"']),
        ("[engines.spark]\nmaster = 1\n", ["[engines.spark] master: expected a string, got 1"]),
        ('[engines.spark]\nconf = "spark.x=1"\n', ["[engines.spark] conf: expected a table"]),
        ('[engines.spark]\nconf = { "spark.x" = [1] }\n',
         ['[engines.spark] conf."spark.x": expected a string, number']),
        ('[engines.spark]\ns3_read = "boto"\n',
         ['[engines.spark] s3_read: expected one of s3a, copy, arrow, got "boto"']),
        ('[engines.spark]\nmaster = "local[2]"\nremote = "sc://h:1"\n', ["[engines.spark]", "not both"]),
        ("[engines.oracle]\nhost = 1\n", ["unknown table [engines.oracle]", "duckdb, polars, spark, redshift"]),
        ("[engines]\nduckdb = 1\n", ["[engines.duckdb]: expected a table, got 1"]),
        ('[engines.redshift]\nport = "5439"\n',
         ['[engines.redshift] port: expected an integer from 1 to 65535, got "5439"']),
        ("[engines.redshift]\nfetch_rows = 0\n", ["[engines.redshift] fetch_rows: expected an integer >= 1, got 0"]),
        ('[engines.redshift]\ntransport = "http"\n', ['[engines.redshift] transport: expected one of wire, data-api']),
        ('[engines.redshift]\nssl = "yes"\n', ["[engines.redshift] ssl: expected true or false"]),
        ('[engines.redshift]\ndb_groups = "a"\n', ["[engines.redshift] db_groups: expected an array of strings"]),
        ('[engines.redshift]\nsslmode = "on"\n',
         ["[engines.redshift] sslmode: expected one of verify-ca, verify-full"]),
        ("[engines.redshift]\npoll_interval = -1\ntransport = 'data-api'\n", ["[engines.redshift] poll_interval"]),
        ('[engines.redshift]\ntransport = "data-api"\nhost = "h"\n', ["[engines.redshift]", "host", "data-api"]),
        ("[engines.redshift]\nhots = 'typo'\n", ["[engines.redshift] unknown key(s): hots"]),
        ("project = 1\n", ["[project]: expected a table, got 1"]),
        ("[project]\ndialect = 5\n", ["[project] dialect: expected one of spark,", "got 5"]),
        ('[project]\nengine = "snowflake"\n', ['[project] engine: expected one of duckdb, polars, spark, redshift']),
        ("[sources]\nt = 'x.parquet'\n", ['[sources.t]: expected a table, got "x.parquet"']),
        ("[sources.t]\npath = 5\n", ["[sources.t] path: expected a string, got 5"]),
        ('[sources.t]\npath = "t.parquet"\nformat = 1\n', ["[sources.t] format: expected one of parquet, csv, orc"]),
        ('[sources.t]\npath = "t.parquet"\nredshift = true\n', ["[sources.t] redshift: expected a table name"]),
        ('[sources.t]\npath = "t.csv"\ndelimiter = ";;"\n', ['[sources.t] delimiter: expected one ASCII character']),
        ('[sources.t]\npath = "t.csv"\ndelimiter = "é"\n', ['[sources.t] delimiter: expected one ASCII character']),
        ('[sources.t]\npath = "t.csv"\ndelimiter = "\\""\n', ["[sources.t] delimiter"]),
        ('[sources.t]\npath = "t.parquet"\ndelimiter = ";"\n', ["[sources.t] delimiter", "csv"]),
        ('[sources.t]\npath = "s3://b/k.parquet"\nregion = 1\n', ["[sources.t] region: expected a string, got 1"]),
        ('[sources."my logs"]\npath = "t.parquet"\n', ['[sources."my logs"]', "plain name"]),
        ('[sources.T]\npath = "a.parquet"\n[sources.t]\npath = "b.parquet"\n', ["[sources.t]", "[sources.T]"]),
        ("[sources.t]\npath = 't.parquet'\n[sources.t.x]\ny = 1\n", ["[sources.t] unknown key(s): x"]),
    ],
)
def test_wrong_types_and_unknown_keys_are_one_line_naming_the_key(tmp_path, text, fragments):
    message = config_error(tmp_path, text)
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in message


def test_every_documented_key_is_accepted(tmp_path):
    (tmp_path / "sqlrun.toml").write_text(
        """
[project]
dialect = "redshift"
engine = "polars"
queries = "sql"
[sources.logs]
path = "s3://bucket/logs/*.parquet"
format = "parquet"
endpoint_url = "http://127.0.0.1:9000"
region = "eu-west-1"
profile = "analytics"
redshift = "analytics.play_logs"
[sources.raw]
path = "raw.tsv"
format = "csv"
delimiter = "\\t"
redshift = false
[sources.Tracks]
redshift = "music.tracks"
[engines.duckdb]
threads = 4
memory_limit = "8GB"
[engines.polars]
streaming = true
[engines.spark]
master = "local[2]"
conf = { "spark.driver.memory" = "4g", "spark.sql.shuffle.partitions" = 400, "spark.sql.ansi.enabled" = false }
s3_read = "copy"
[engines.redshift]
host = "h"
port = 5439
database = "dev"
user = "u"
password_env = "REDSHIFT_PASSWORD"
statement_timeout = 2.5
fetch_rows = 500
ssl = true
sslmode = "verify-full"
timeout = 30
server_cursor = false
application_name = "x"
iam = true
cluster_identifier = "c"
db_user = "u"
db_groups = ["a", "b"]
auto_create = false
region = "us-east-1"
profile = "p"
"""
    )
    project = load_project(tmp_path)
    assert project.sources["raw"].options == {"delimiter": "\t"}
    assert project.sources["tracks"].redshift == "music.tracks"  # names are case-insensitive, as in SQL
    (tmp_path / "sqlrun.toml").write_text(
        '[engines.redshift]\ntransport = "data-api"\nworkgroup = "wg"\nsecret_arn = "arn:aws:secretsmanager:x"\n'
        "poll_interval = 0.5\ndatabase = 'dev'\n"
    )
    assert load_project(tmp_path).engine_settings("redshift")["workgroup"] == "wg"


@pytest.mark.parametrize("command", [["list"], ["compile", "q"], ["plan", "q"], ["run", "q", "-e", "polars"]])
def test_config_errors_come_before_any_engine_and_in_every_command(tmp_path, command):
    (tmp_path / "sqlrun.toml").write_text('[sources.t]\npath = "t.parquet"\nn_rows = 5\n')
    pq.write_table(pa.table({"a": [1]}), tmp_path / "t.parquet")
    (tmp_path / "q.sql").write_text("SELECT * FROM t\n")
    assert_one_line_error(sqlrun(*command, "--project", str(tmp_path)), "[sources.t] unknown key(s): n_rows")


def test_engines_created_from_the_api_check_their_settings_too():
    from sqlrun.adapters import create_engine

    for name, settings, fragment in [
        ("duckdb", {"threads": "four"}, '[engines.duckdb] threads: expected an integer >= 1, got "four"'),
        ("polars", {"streaming": "yes"}, "[engines.polars] streaming: expected true or false"),
        ("polars", {"rows": 1}, "[engines.polars] unknown key(s): rows"),
        ("redshift", {"statement_timeout": "soon"}, "[engines.redshift] statement_timeout"),
    ]:
        with pytest.raises(ConfigError) as failed:
            create_engine(name, settings)
        assert fragment in str(failed.value)


# --- 4: a secret-bearing key's value is never repeated -----------------------------------------

PASSWORD = "Zq9-Sekret-Pa55word-7Xw"  # distinctive: grepped for in all output
WORDLIKE_PASSWORD = "HunterZebra2Quokka"  # also a valid environment variable name


@pytest.mark.parametrize(
    "settings",
    [
        f'password_env = "{PASSWORD}"',
        f'password_env = "{WORDLIKE_PASSWORD}"',
        f'password = "{PASSWORD}"',
        f'secret_arn = ["{PASSWORD}"]',
        f'password_env = ["{PASSWORD}"]',
        f'token = "{PASSWORD}"',
        f'api_key = "{PASSWORD}"',
    ],
)
def test_a_secret_in_engine_settings_is_never_echoed(tmp_path, settings):
    (tmp_path / "sqlrun.toml").write_text(f'[engines.redshift]\nhost = "127.0.0.1"\nport = 1\nuser = "u"\n{settings}\n')
    (tmp_path / "q.sql").write_text("SELECT 1 AS x\n")
    seen = []
    for command in (["list"], ["compile", "q", "-e", "redshift"], ["run", "q", "-e", "redshift"]):
        result = sqlrun(*command, "--project", str(tmp_path), env={"REDSHIFT_PASSWORD": "unused"})
        assert "Traceback" not in result.stderr
        seen.append(result.stdout + result.stderr)
    everything = "\n".join(seen)
    assert PASSWORD not in everything and WORDLIKE_PASSWORD not in everything, everything
    assert "error: " in everything and "[engines.redshift]" in everything  # it says which key is wrong


@pytest.mark.parametrize(
    "text",
    [
        f'[engines.spark]\nremote = "http://h:15002/;token={PASSWORD}"\n',
        f'[engines.spark]\nconf = {{ "spark.hadoop.fs.s3a.secret.key" = ["{PASSWORD}"] }}\n',
        f'[sources.t]\npath = "s3://b/k.parquet"\nendpoint_url = "ftp://u:{PASSWORD}@h"\n',
        f'[sources.t]\npath = "s3://b/k.parquet"\naws_secret_access_key = "{PASSWORD}"\n',
        f'[engines.redshift]\ndb_user = "u"\npassword_env = {{ value = "{PASSWORD}" }}\n',
    ],
)
def test_secrets_elsewhere_in_the_file_are_never_echoed(tmp_path, text):
    message = config_error(tmp_path, text)
    assert PASSWORD not in message, message


def test_password_env_must_name_a_variable_and_the_unset_error_does_not_repeat_it(tmp_path, monkeypatch):
    from sqlrun.adapters.redshift import RedshiftEngine

    monkeypatch.delenv(WORDLIKE_PASSWORD, raising=False)
    with pytest.raises(SqlrunError) as failed:
        RedshiftEngine({"host": "127.0.0.1", "user": "u", "password_env": WORDLIKE_PASSWORD}).to_arrow("SELECT 1")
    assert WORDLIKE_PASSWORD not in str(failed.value) and "password_env" in str(failed.value)
    with pytest.raises(ConfigError) as failed:
        RedshiftEngine({"host": "127.0.0.1", "user": "u", "password_env": PASSWORD})
    assert PASSWORD not in str(failed.value) and "password_env" in str(failed.value)


# --- 13: sqlrun.toml that cannot be read or decoded ---------------------------------------------

def _make_dir(path: Path) -> None:
    path.mkdir()


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.toml")


def _loop(path: Path) -> None:
    path.symlink_to(path)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _latin1(path: Path) -> None:
    path.write_bytes(b'[project]\ndialect = "sp\xe4rk"\n')


def _binary(path: Path) -> None:
    path.write_bytes(b"PAR1\x00\x15\xff\xfe")


@pytest.mark.parametrize(
    "make, fragment",
    [(_make_dir, "directory"), (_dangling, "missing"), (_loop, "sqlrun.toml"), (_fifo, "not a regular file"),
     (_latin1, "UTF-8"), (_binary, "UTF-8")],
)
def test_an_unreadable_sqlrun_toml_is_one_line_naming_it(tmp_path, make, fragment):
    make(tmp_path / "sqlrun.toml")
    for command in (["list"], ["compile", "q"]):
        result = sqlrun(*command, "--project", str(tmp_path))
        assert_one_line_error(result, str(tmp_path / "sqlrun.toml"), fragment)


def test_a_bom_in_sqlrun_toml_is_accepted(tmp_path):
    (tmp_path / "sqlrun.toml").write_bytes(b'\xef\xbb\xbf[project]\ndialect = "duckdb"\n')
    assert load_project(tmp_path).dialect == "duckdb"


def test_a_project_path_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "f").write_text("")
    assert_one_line_error(sqlrun("list", "--project", str(tmp_path / "f")), str(tmp_path / "f"))


# --- 7: sources read the same rows on every engine, or fail naming the file ---------------------

def _parquet_bytes(tmp_path: Path, table: pa.Table | None = None) -> bytes:
    path = tmp_path / "_tmp.parquet"
    pq.write_table(table if table is not None else pa.table({"a": [1, 2, 3]}), path)
    data = path.read_bytes()
    path.unlink()
    return data


def _orc_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "_tmp.orc"
    orc.write_table(pa.table({"a": [1, 2, 3]}), path)
    data = path.read_bytes()
    path.unlink()
    return data


QUOTED = b'a,b\n1,"x\ny"\n2,"he said ""hi"""\n3,""\n4,\n5,"  z "\n'

# name -> (files relative to the source's directory, extra sqlrun.toml lines, expected)
# expected: ("error", fragments) | ("rows", columns, rows)
CASES = {
    "ragged": ({"ragged.csv": b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n"}, "", ("error", ["ragged.csv", "line 3", "2 fields"])),
    "short": ({"short.csv": b"a,b,c\n1,2,3\n4,5\n"}, "", ("error", ["short.csv", "line 3"])),
    "long": ({"long.csv": b"a,b,c\n1,2,3\n4,5,6,7\n"}, "", ("error", ["long.csv", "line 3", "4 fields"])),
    "parquet_as_csv": ({"data.csv": "PARQUET"}, "", ("error", ["data.csv", "parquet"])),
    "orc_as_csv": ({"data.csv": "ORC"}, "", ("error", ["data.csv", "ORC"])),
    "csv_as_parquet": ({"data.parquet": b"a,b\n1,2\n"}, "", ("error", ["data.parquet", "not a parquet file"])),
    "orc_as_parquet": ({"data.parquet": "ORC"}, "", ("error", ["data.parquet", "ORC"])),
    "parquet_as_orc": ({"data.orc": "PARQUET"}, "", ("error", ["data.orc", "parquet"])),
    "truncated_parquet": ({"data.parquet": "TRUNCATED"}, "", ("error", ["data.parquet", "truncated"])),
    "empty_parquet": ({"data.parquet": b""}, "", ("error", ["data.parquet", "empty"])),
    "empty_csv": ({"empty.csv": b""}, "", ("error", ["empty.csv", "empty"])),
    "bom_only_csv": ({"bom_only.csv": b"\xef\xbb\xbf\n"}, "", ("error", ["bom_only.csv", "empty"])),
    "header_only": ({"header.csv": b"a,b\n"}, "", ("rows", ["a", "b"], [])),
    "bom": ({"bom.csv": b"\xef\xbb\xbfa,b\n1,2\n"}, "", ("rows", ["a", "b"], [(1, 2)])),
    "crlf": ({"crlf.csv": b"a,b\r\n1,2\r\n3,4\r\n"}, "", ("rows", ["a", "b"], [(1, 2), (3, 4)])),
    "no_final_newline": ({"nl.csv": b"a,b\n1,2"}, "", ("rows", ["a", "b"], [(1, 2)])),
    "quoted": ({"quoted.csv": QUOTED}, "",
               ("rows", ["a", "b"], [(1, "x\ny"), (2, 'he said "hi"'), (3, None), (4, None), (5, "  z ")])),
    "semicolons": ({"semi.csv": b"a;b\n1;2\n"}, 'delimiter = ";"', ("rows", ["a", "b"], [(1, 2)])),
    "tabs": ({"tabs.tsv": b"a\tb\n1\t2\n"}, 'format = "csv"\ndelimiter = "\\t"', ("rows", ["a", "b"], [(1, 2)])),
    "blank_line": ({"blank.csv": b"a,b\n1,2\n\n3,4\n"}, "", ("error", ["blank.csv", "line 3", "blank"])),
    "trailing_blank": ({"trail.csv": b"a,b\n1,2\n\n"}, "", ("error", ["trail.csv", "line 3", "blank"])),
    "one_column_blank": ({"one.csv": b"a\n1\n\n2\n"}, "", ("error", ["one.csv", "line 3", "blank"])),
    "duplicate_names": ({"dup.csv": b"a,b,A\n1,2,3\n"}, "", ("error", ["dup.csv", '"A"'])),
    "unnamed_column": ({"unnamed.csv": b"a,,c\n1,2,3\n"}, "", ("error", ["unnamed.csv", "column 2", "no name"])),
    "not_utf8": ({"latin.csv": b"a,b\n1,caf\xe9\n"}, "", ("error", ["latin.csv", "UTF-8", "line 2"])),
    "bad_quote": ({"quote.csv": b'a,b\n1,"x\n'}, "", ("error", ["quote.csv"])),
    "two_headers": ({"x.csv": b"a,b\n1,2\n", "y.csv": b"a,b,c\n3,4,5\n"}, 'format = "csv"',
                    ("error", ["x.csv", "y.csv"])),
    "two_files": ({"x.csv": b"a,b\n1,2\n", "y.csv": b"a,b\n3,4\n"}, 'format = "csv"',
                  ("rows", ["a", "b"], [(1, 2), (3, 4)])),
    "two_orc_files": ({"x.orc": "ORC", "y.orc": "ORC"}, 'format = "orc"',
                      ("rows", ["a"], [(1,), (1,), (2,), (2,), (3,), (3,)])),
    "fifo": ({"fifo.csv": "FIFO"}, "", ("error", ["fifo.csv", "not a regular file"])),
    "two_schemas": ({"x.parquet": "PARQUET", "y.parquet": "PARQUET_AB"}, 'format = "parquet"',
                    ("error", ["x.parquet", "y.parquet"])),
    "hive_dirs": ({"ds=2025-01-01/p.parquet": "PARQUET"}, 'format = "parquet"', ("rows", ["a"], [(1,), (2,), (3,)])),
    "spark_output_dir": ({"out.parquet/part-0.parquet": "PARQUET", "out.parquet/_SUCCESS": b""}, "GLOB",
                         ("rows", ["a"], [(1,), (2,), (3,)])),
}


def _content(tmp_path: Path, spec: bytes | str) -> bytes:
    if spec == "PARQUET":
        return _parquet_bytes(tmp_path)
    if spec == "PARQUET_AB":
        return _parquet_bytes(tmp_path, pa.table({"a": [4], "b": [5]}))
    if spec == "TRUNCATED":
        return _parquet_bytes(tmp_path)[:-30]
    if spec == "ORC":
        return _orc_bytes(tmp_path)
    return spec


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> Path:
    """One project with a source and a query per case (one Spark session serves them all)."""
    root = tmp_path_factory.mktemp("zoo")
    config = ['[project]\ndialect = "duckdb"\n']
    for name, (files, extra, _) in CASES.items():
        folder = root / "data" / name
        for rel, spec in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            if spec == "FIFO":  # readers would block on it forever
                os.mkfifo(folder / rel)
            else:
                (folder / rel).write_bytes(_content(root, spec))
        first = next(iter(files))
        if extra == "GLOB":
            path, extra = f"data/{name}/*.parquet", ""
        else:
            path = f"data/{name}/{first}" if len(files) == 1 and "/" not in first else f"data/{name}"
        config.append(f'[sources.{name}]\npath = "{path}"\n{extra}\n')
        (root / f"q_{name}.sql").write_text(f"SELECT * FROM {name}\n")
    (root / "sqlrun.toml").write_text("\n".join(config))
    return root


@pytest.fixture(scope="module")
def zoo_session(zoo):
    with Session(zoo) as session:
        yield session


ENGINES = ["duckdb", "polars", pytest.param("spark", marks=pytest.mark.spark)]


def _rows(table: pa.Table) -> list[tuple]:
    return sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(CASES))
def test_sources_read_the_same_rows_on_every_engine_or_fail_naming_the_file(zoo_session, engine, case):
    expected = CASES[case][2]
    if expected[0] == "error":
        with pytest.raises(SqlrunError) as failed:
            zoo_session.run(f"q_{case}", engine)
        message = str(failed.value)
        assert "\n" not in message
        for fragment in expected[1]:
            assert fragment in message, message
    else:
        table = zoo_session.run(f"q_{case}", engine)
        assert table.column_names == expected[1]
        assert _rows(table) == sorted(expected[2], key=repr)


@pytest.mark.parametrize("case", ["ragged", "parquet_as_csv", "two_headers", "not_utf8"])
def test_a_bad_source_file_is_reported_by_compile_and_run_in_one_line(zoo, case):
    fragments = CASES[case][2][1]
    for command in (["compile", f"q_{case}", "-e", "polars"], ["run", f"q_{case}", "-e", "duckdb"]):
        assert_one_line_error(sqlrun(*command, "--project", str(zoo)), *fragments)


def test_the_check_is_remembered_for_unchanged_files(tmp_path, monkeypatch):
    """The full CSV scan runs once per file version: a later process reads the answer back."""
    from sqlrun import source_check

    (tmp_path / "sqlrun.toml").write_text('[sources.t]\npath = "t.csv"\n')
    (tmp_path / "t.csv").write_text("a,b\n" + "1,2\n" * 1000)
    (tmp_path / "q.sql").write_text("SELECT * FROM t\n")
    Session(tmp_path).compile("q", "duckdb")
    source_check.CHECKED.clear()  # as in a new process
    scans = []
    original = source_check._check_csv_rows
    monkeypatch.setattr(source_check, "_check_csv_rows", lambda *a: scans.append(a) or original(*a))
    Session(tmp_path).compile("q", "duckdb")
    assert scans == []
    with open(tmp_path / "t.csv", "a") as f:
        f.write("3\n")
    with pytest.raises(ConfigError, match="line 1002"):
        Session(tmp_path).compile("q", "duckdb")
    assert len(scans) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_past_the_scan_limit_the_engines_own_readers_refuse_a_long_row(zoo_session, engine, monkeypatch):
    """CSV files over CSV_SCAN_BYTES get only their header checked: each engine's reader is then
    strict itself (DuckDB strict_mode with skip=0, Spark FAILFAST, Polars' default)."""
    from sqlrun import source_check

    monkeypatch.setattr(source_check, "CSV_SCAN_BYTES", 0)
    with pytest.raises(SqlrunError) as failed:
        zoo_session.run("q_long", engine)
    assert "\n" not in str(failed.value)
