"""pytest plugin (entry point `pytest11`): plain `pytest` in a sqlrun project collects the
catalog's NAME.test.yaml files, one item per test and engine (`NAME.test.yaml::TEST[duckdb]`).
Engines: --sqlrun-engines, else the ini key sqlrun_engines, else duckdb,polars,spark.

Loaded by every pytest run where sqlrun is installed, so importing it imports nothing else;
sqlrun itself is imported only when a *.test.yaml file is collected."""

from __future__ import annotations

from pathlib import Path

import pytest

SUFFIX = ".test.yaml"
CONFIG_NAME = "sqlrun.toml"
ENGINES = "duckdb,polars,spark"


def pytest_addoption(parser) -> None:
    parser.getgroup("sqlrun").addoption(
        "--sqlrun-engines", default=None, help=f"engines the catalog's {SUFFIX} tests run on (default {ENGINES})"
    )
    parser.addini("sqlrun_engines", f"engines the catalog's {SUFFIX} tests run on", default=ENGINES)


def pytest_collect_file(file_path: Path, parent):
    if not file_path.name.endswith(SUFFIX):
        return None
    root = next((d for d in file_path.parents if (d / CONFIG_NAME).is_file()), None)
    if root is None:  # not in a sqlrun project
        return None
    return CatalogTestFile.from_parent(parent, path=file_path, project_root=root)


class CatalogTestFile(pytest.File):
    def __init__(self, *, project_root: Path, **kwargs):
        super().__init__(**kwargs)
        self.project_root = project_root

    def collect(self):
        from sqlrun.cli_common import engine_list
        from sqlrun.config import load_project
        from sqlrun.engine.catalog import Catalog
        from sqlrun.user_tests.cases import SUFFIX as CASES_SUFFIX
        from sqlrun.user_tests.cases import prepare
        from sqlrun.user_tests.runner import check_engines
        from sqlrun.user_tests.spec import read_cases

        project = load_project(self.project_root)
        catalog = Catalog(project)
        if self.path.resolve() not in {p.resolve() for p in catalog.files(CASES_SUFFIX)}:
            return  # beside the project, not in its catalog
        option = self.config.getoption("sqlrun_engines") or self.config.getini("sqlrun_engines")
        engines = check_engines(engine_list(option))
        for case in read_cases(self.path):
            ready = prepare(project, catalog, case)
            for engine in engines:
                yield CatalogTestItem.from_parent(self, name=f"{case.name}[{engine}]", ready=ready, engine=engine,
                                           project=project, catalog=catalog)

    def repr_failure(self, excinfo):
        from sqlrun.errors import SqlrunError

        if isinstance(excinfo.value, SqlrunError):
            return f"error: {excinfo.value}"
        return super().repr_failure(excinfo)


class CatalogTestFailed(Exception):
    """A test's result differs from its expectation, or its query failed."""


class CatalogTestItem(pytest.Item):
    def __init__(self, *, ready, engine: str, project, catalog, **kwargs):
        super().__init__(**kwargs)
        self.ready, self.engine, self.project, self.catalog = ready, engine, project, catalog

    def runtest(self) -> None:
        from sqlrun.user_tests.runner import run_test

        (result,) = run_test(self.project, self.catalog, self.ready, [self.engine])
        if result.status == "skip":
            pytest.skip(result.message)
        if result.status != "pass":
            lines = [f"{result.test} on {self.engine}: {result.message}", *(f"  {line}" for line in result.lines)]
            raise CatalogTestFailed("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CatalogTestFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name  # the failure's header: TEST[ENGINE]
