"""The shape of a test file (`NAME.test.yaml` in the catalog directory), checked key by key:

    query: charts_by_age              # the catalog query the tests run (a test may name its own)
    tests:
      - name: top_track_per_age_band  # letters, digits, _ . - ; once per file
        description: ...              # optional
        params: {ds: 2025-08-03}      # optional: the query's parameters
        given:                        # rows for every source or upstream step the query reads
          play_logs: [{user_id: 1, ds: 2025-08-03}, ...]
          users: {types: {birth_year: INT}, rows: [...]}   # or rows with some column types
        expect: [{age_group: 20s, plays: 2}]   # the result's rows
        expect_types: {plays: BIGINT}          # optional: result column types
        order_matters: true                    # optional: default, whether the query ORDERs BY

Anything else (an unknown key, a wrong shape, rows with differing columns) is a one-line error
naming the file and the test. What needs the catalog (query and table names) is checked in cases.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.engine.versions import NAME
from sqlrun.errors import SqlrunError
from sqlrun.user_tests.yamlfile import read_yaml

FILE_KEYS = ("query", "tests")
TEST_KEYS = ("name", "description", "query", "params", "given", "expect", "expect_types", "order_matters")
GIVEN_KEYS = ("rows", "types")
SCALARS = (str, int, float, bool, dt.date)  # dt.datetime is a dt.date


@dataclass(frozen=True)
class Given:
    rows: list[dict]
    types: dict[str, str] = field(default_factory=dict)  # column -> type name as written


@dataclass(frozen=True)
class Case:
    file: Path
    name: str
    query: str
    params: dict = field(default_factory=dict)
    given: dict[str, Given] = field(default_factory=dict)  # by lower-case table name
    expect: list[dict] = field(default_factory=list)
    expect_types: dict[str, str] = field(default_factory=dict)
    order_matters: bool | None = None

    @property
    def id(self) -> str:
        return f"{self.file.name}::{self.name}"

    def error(self, message: str) -> SqlrunError:
        return SqlrunError(f"{self.file}: test {self.name}: {message}")


def read_cases(path: Path) -> list[Case]:
    """The tests of one file, their shape checked."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise SqlrunError(f"{path}: expected a mapping with 'query:' and 'tests:', got {_kind(data)}")
    _known(data, FILE_KEYS, f"{path}")
    query = data.get("query")
    if query is not None and not isinstance(query, str):
        raise SqlrunError(f"{path}: query: expected a query name, got {_kind(query)}")
    tests = data.get("tests")
    if not isinstance(tests, list) or not tests:
        raise SqlrunError(f"{path}: tests: expected a list of tests, got {_kind(tests)}")
    cases, names = [], set()
    for i, test in enumerate(tests, 1):
        case = _case(path, i, test, query)
        if case.name in names:
            raise SqlrunError(f"{path}: test {case.name}: the name is used twice in the file")
        names.add(case.name)
        cases.append(case)
    return cases


def _case(path: Path, number: int, test: object, file_query: str | None) -> Case:
    if not isinstance(test, dict):
        raise SqlrunError(f"{path}: test {number}: expected a mapping, got {_kind(test)}")
    name = test.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        got = repr(name) if isinstance(name, str) else _kind(name)
        raise SqlrunError(f"{path}: test {number}: name: expected letters, digits, _ . - (up to 128), got {got}")
    where = f"{path}: test {name}"
    _known(test, TEST_KEYS, where)
    query = test.get("query", file_query)
    if not isinstance(query, str):
        raise SqlrunError(f"{where}: query: name the catalog query under 'query:' (file or test)")
    if not isinstance(test.get("description", ""), str):
        raise SqlrunError(f"{where}: description: expected text")
    params = _mapping(test.get("params", {}), f"{where}: params")
    for key, value in params.items():
        if not isinstance(value, SCALARS):
            raise SqlrunError(f"{where}: params: {key}: expected a single value, got {_kind(value)}")
    given = {}
    for table, spec in _mapping(test.get("given", {}), f"{where}: given").items():
        if table.lower() in given:
            raise SqlrunError(f"{where}: given: {table} is given twice (names are case-insensitive)")
        given[table.lower()] = _given(spec, f"{where}: given {table}")
    if "expect" not in test:
        raise SqlrunError(f"{where}: expect: missing (the rows the query returns; [] for none)")
    expect = _rows(test["expect"], f"{where}: expect")
    expect_types = _types(test.get("expect_types", {}), f"{where}: expect_types")
    order = test.get("order_matters")
    if order is not None and not isinstance(order, bool):
        raise SqlrunError(f"{where}: order_matters: expected true or false, got {_kind(order)}")
    return Case(path, name, query, params, given, expect, expect_types, order)


def _given(spec: object, where: str) -> Given:
    if isinstance(spec, list):
        return Given(_rows(spec, where))
    if not isinstance(spec, dict):
        raise SqlrunError(f"{where}: expected a list of rows or {{rows: [...], types: {{...}}}}, got {_kind(spec)}")
    _known(spec, GIVEN_KEYS, where)
    rows = _rows(spec.get("rows", []), f"{where}: rows")
    types = _types(spec.get("types", {}), f"{where}: types")
    if rows:
        extra = sorted(set(map(str.lower, types)) - {c.lower() for c in rows[0]})
        if extra:
            raise SqlrunError(f"{where}: types: {', '.join(extra)} not among the rows' columns")
    return Given(rows, types)


def _rows(rows: object, where: str) -> list[dict]:
    """A list of mappings with the same text keys (columns) and plain values."""
    if not isinstance(rows, list):
        raise SqlrunError(f"{where}: expected a list of rows, got {_kind(rows)}")
    columns = None
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not row:
            raise SqlrunError(f"{where}: row {i}: expected a mapping of column: value, got {_kind(row)}")
        for key, value in row.items():
            _column_name(key, f"{where}: row {i}")
            _value(value, f"{where}: row {i}: {key}")
        if columns is None:
            columns = list(row)
            lower = [c.lower() for c in columns]
            twice = sorted({c for c in lower if lower.count(c) > 1})
            if twice:
                raise SqlrunError(f"{where}: columns that differ only in case: {', '.join(twice)}")
        elif set(row) != set(columns):
            raise SqlrunError(
                f"{where}: row {i} has columns {', '.join(row)}; row 1 has {', '.join(columns)}"
            )
    return rows


def _value(value: object, where: str) -> None:
    if value is None or isinstance(value, SCALARS):
        return
    if isinstance(value, list):
        for item in value:
            _value(item, where)
        return
    raise SqlrunError(f"{where}: expected a value or a list of values, got {_kind(value)}")


def _types(types: object, where: str) -> dict[str, str]:
    types = _mapping(types, where)
    for column, name in types.items():
        if not isinstance(name, str):
            raise SqlrunError(f"{where}: {column}: expected a type name such as BIGINT, got {_kind(name)}")
    return types


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise SqlrunError(f"{where}: expected a mapping, got {_kind(value)}")
    for key in value:
        _column_name(key, where)
    return value


def _column_name(key: object, where: str) -> None:
    if not isinstance(key, str) or not key.strip():
        raise SqlrunError(f"{where}: names must be text, got {_kind(key)} (quote it)")


def _known(data: dict, keys: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in data if k not in keys]
    if unknown:
        raise SqlrunError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(keys)})")


def _kind(value: object) -> str:
    """What a YAML value is, for messages (never the value itself: it may be long)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false: quote it)"
    names = {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")
