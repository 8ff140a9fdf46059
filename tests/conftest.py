"""Shared fixtures: a small copy of the example project with demo data, and engine lists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sqlrun.adapters import LOCAL_ENGINES, spark

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "queries"


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    """The example catalog with 20k rows of demo data, in a temp directory."""
    from sqlrun.demo import generate

    root = tmp_path_factory.mktemp("demo")
    for path in EXAMPLES.iterdir():
        if path.suffix in (".sql", ".toml"):
            shutil.copy(path, root / path.name)
    generate(root / "data", rows=20_000)
    return root


@pytest.fixture(scope="session")
def demo_session(demo_project):
    """One Session (so one Spark session) for all tests that use the demo project."""
    from sqlrun.api import Session

    with Session(demo_project) as session:
        yield session


def engine_params(engines=LOCAL_ENGINES) -> list:
    """`engines` to parametrize over, spark marked (it starts a JVM), so `-m "not spark"` runs the rest."""
    return [pytest.param(name, marks=pytest.mark.spark) if name == "spark" else name for name in engines]


@pytest.fixture(params=engine_params())
def engine_name(request) -> str:
    return request.param


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """`-m "not spark"` must start no JVM, so a test not marked spark that starts one fails. Around
    the whole test (its setup too, so module and session fixtures count): a JVM started in this
    process fails it, and sqlrun processes it starts inherit SQLRUN_FORBID_SPARK, which makes their
    Spark engine refuse to start (tests/servers.py's Spark Connect server checks it as well)."""
    if item.get_closest_marker("spark"):
        yield
        return

    def refuse(*_args, **_kwargs):
        pytest.fail(f"{item.nodeid} starts a JVM: mark it @pytest.mark.spark", pytrace=False)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spark, "start_jvm", refuse)
        patch.setenv("SQLRUN_FORBID_SPARK", "1")
        yield
