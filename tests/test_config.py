"""sqlrun.toml: sources, defaults and clear errors."""

import pytest

from sqlrun.config import load_project
from sqlrun.errors import ConfigError


def config(tmp_path, text):
    (tmp_path / "sqlrun.toml").write_text(text)
    return load_project(tmp_path)


def test_sources_resolve_relative_to_the_project_and_infer_format(tmp_path):
    p = config(
        tmp_path,
        """
[project]
dialect = "redshift"
engine = "polars"
[sources.logs]
path = "data/logs/*.parquet"
[sources.raw]
path = "raw.csv"
[sources.tracks]
path = "data/tracks"
format = "orc"
""",
    )
    assert (p.dialect, p.engine) == ("redshift", "polars")
    assert p.sources["logs"].path == str(tmp_path / "data/logs/*.parquet")
    assert p.sources["logs"].format == "parquet"
    assert p.sources["raw"].format == "csv"
    assert p.sources["tracks"].format == "orc"


def test_defaults(tmp_path):
    p = config(tmp_path, "")
    assert (p.dialect, p.engine, p.sources) == ("spark", "duckdb", {})


def test_source_files_are_listed_or_missing_data_is_an_error(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.orc").write_bytes(b"")
    (tmp_path / "d" / "a.orc").write_bytes(b"")
    (tmp_path / "d" / "_SUCCESS").write_bytes(b"")
    p = config(tmp_path, '[sources.t]\npath = "d"\nformat = "orc"\n[sources.gone]\npath = "nope/*.parquet"\n')
    assert [f.rsplit("/", 1)[1] for f in p.sources["t"].files()] == ["a.orc", "b.orc"]
    with pytest.raises(ConfigError, match="source 'gone': no parquet files"):
        p.sources["gone"].files()


@pytest.mark.parametrize(
    "text, message",
    [
        ("[project\n", "sqlrun.toml"),
        ('[project]\ndialect = "oracle"\n', 'dialect: expected one of .*, got "oracle"'),
        ('[project]\nengine = "snowflake"\n', 'engine: expected one of .*, got "snowflake"'),
        ('[project]\nengin = "duckdb"\n', "\\[project\\] unknown key\\(s\\): engin"),
        ('[sources.t]\nformat = "parquet"\n', "needs path"),
        ('[sources.t]\npath = "x.avro"\n', "cannot infer the format"),
        ('[sources.t]\npath = "x.parquet"\nformat = "avro"\n', 'format: expected one of parquet, csv, orc, got "avro"'),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        config(tmp_path, text)


def test_missing_config(tmp_path):
    with pytest.raises(ConfigError, match="no sqlrun.toml"):
        load_project(tmp_path)
    with pytest.raises(ConfigError, match="not found"):
        load_project(tmp_path / "nope")
