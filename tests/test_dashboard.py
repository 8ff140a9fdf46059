"""`sqlrun dashboard`: the page in a real headless Chromium (Debian's chromium and chromedriver).

One browser for the module. The page must draw every chart with no console error and no network
request, show each version's rows, redraw when a version is picked, and show hostile text as text.
The full-page screenshot of the example dashboard is kept in test-artifacts/dashboard.png.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from sqlrun.chart import ChartSpec
from sqlrun.dashboard import Entry, Version, _script_json, render
from sqlrun.publish import publish
from tests.conftest import REPO
from tests.test_cli import assert_one_line_error, sqlrun

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:  # never a skip: the page would go untested
        pytest.fail("the dashboard test needs chromium and chromedriver (Debian: chromium chromium-driver; "
                    "`make system-deps` installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # selenium-manager never downloads a browser or driver
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    yield driver
    driver.quit()


def load(browser, page, charts: int) -> None:
    """Open the page (file://) and wait until its `charts` plots are drawn; earlier logs dropped."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")
    browser.get(page.as_uri())
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.querySelectorAll('.plot .main-svg').length") >= charts
    )


def severe(browser) -> list:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def js(browser, script: str, *args):
    return browser.execute_script(script, *args)


def drawn_points(browser, chart: int) -> int:
    """Bars or markers plotly drew for a chart."""
    return js(browser, "return document.querySelectorAll(arguments[0]).length",
              f"#chart-{chart} .bars .point, #chart-{chart} .scatterlayer .point")


def visible(browser, chart: int, selector: str) -> list:
    return [e for e in browser.find_elements("css selector", f"#chart-{chart} {selector}") if e.is_displayed()]


def network_requests(browser) -> list[str]:
    names = js(browser, "return performance.getEntriesByType('resource').map(e => e.name)")
    return [n for n in names if re.match(r"(?i)(https?|wss?|ftp):", n)]


def screenshot(browser, path) -> None:
    """The whole page (not only the window), as PNG."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = browser.execute_cdp_cmd("Page.captureScreenshot",
                                   {"format": "png", "captureBeyondViewport": True, "clip": clip})
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def example_page(demo_project, tmp_path_factory):
    """The example catalog's dashboard after a week of its daily PR curve was backfilled."""
    project = tmp_path_factory.mktemp("example") / "project"
    shutil.copytree(demo_project, project, ignore=shutil.ignore_patterns(".sqlrun"))
    week = sqlrun("run", "pr_curve_daily", "--param", "ds=2025-08-01..2025-08-07", "-p", str(project))
    assert week.returncode == 0, week.stderr
    site = tmp_path_factory.mktemp("site") / "dashboard"
    result = sqlrun("dashboard", "-o", str(site), "-e", "duckdb", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert "wrote a dashboard of 4 charts" in result.stderr
    return site / "index.html"


def test_the_example_dashboard_draws_offline(browser, example_page):
    html = example_page.read_text()
    assert len(re.findall(r"(?i)<script", html)) == 3  # the data, plotly.js (once), the page's own
    assert "<script src" not in html and "<link" not in html
    load(browser, example_page, 4)
    assert severe(browser) == []
    headings = [h.text for h in browser.find_elements("css selector", "section.chart h2")]
    assert headings == ["Top tracks by age group: plays in one day",
                        "Churn model: area under the precision-recall curve by day",
                        "Churn model: precision and recall by score threshold",
                        "Churn model on one day: precision and recall by score threshold"]
    for chart in range(4):
        width, height = js(browser, "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
                                    "return [r.width, r.height]", f"#chart-{chart} .main-svg")
        assert width > 600 and height > 300
    assert drawn_points(browser, 0) == 50  # one bar per row: 5 age groups x top 10
    assert drawn_points(browser, 1) == 7  # the PR AUC of each of the 7 stored days
    assert drawn_points(browser, 2) == 2 * 21  # precision and recall at 21 thresholds
    assert drawn_points(browser, 3) == 2 * 20  # the latest stored day's curve (2025-08-07: 20 thresholds)
    legend = js(browser, "return Array.from(document.querySelectorAll('#chart-0 .legendtext')).map(t => t.textContent)")
    assert legend == ["10s", "20s", "30s", "40s", "50+"]
    meta = visible(browser, 0, ".meta")[0].text
    assert "ds = 2025-08-03, top_n = 10" in meta and "duckdb" in meta and "charts_by_age" in meta
    assert re.search(r"Computed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", meta)
    assert "Parameters\nnone" in visible(browser, 2, ".meta")[0].text
    # The incremental query's history: one version per stored day, the latest day shown.
    days = js(browser, "return Array.from(document.querySelectorAll('#chart-3 select option')).map(o => o.text)")
    assert len(days) == 7 and "ds = 2025-08-07" in days[0] and days[0].endswith("(latest)"), days
    assert "ds = 2025-08-07" in visible(browser, 3, ".meta")[0].text
    for chart, rows in ((0, 50), (1, 7), (2, 21), (3, 20)):
        table = visible(browser, chart, "details.rows")
        assert len(table) == 1 and table[0].find_element("css selector", "summary").text == f"Table: {rows} rows"
        assert js(browser, "return arguments[0].querySelectorAll('tbody tr').length", table[0]) == rows
    assert network_requests(browser) == []
    for details in browser.find_elements("css selector", "details.rows"):
        if details.is_displayed():  # the shown version's table of each chart
            details.click()
    screenshot(browser, ARTIFACTS / "dashboard.png")
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 50_000


def test_the_page_may_not_fetch_anything(browser, example_page):
    load(browser, example_page, 2)
    policy = js(browser, "return document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    outcome = browser.execute_async_script("""
        const done = arguments[arguments.length - 1], refused = [];
        document.addEventListener('securitypolicyviolation', e => refused.push(e.effectiveDirective));
        fetch('http://127.0.0.1:9/data.json').then(() => done(['fetched', refused]),
                                                   () => setTimeout(() => done(['failed', refused]), 100));
    """)
    assert outcome == ["failed", ["connect-src"]]


def _version(days: list[str], ds: str, hour: int, engine: str) -> Version:
    rows = pa.table({"day": days, "plays": [float(10 * (i + 1)) for i in range(len(days))]})
    return Version(rows, {"ds": ds}, datetime(2025, 8, 3, hour, tzinfo=UTC), engine)


def test_a_version_select_redraws_the_chart_and_shows_its_rows(browser, tmp_path):
    older = _version(["a", "b", "c"], "2025-08-01", 6, "duckdb")
    newer = _version([f"d{i}" for i in range(8)], "2025-08-02", 7, "polars")
    spec = ChartSpec("bar", "day", ("plays",), "Plays per day")
    page = publish(render([Entry("daily", spec, "Plays of each day", (older, newer))], max_rows=5), str(tmp_path))
    load(browser, tmp_path / "index.html", 1)
    assert page == str(tmp_path / "index.html")
    from selenium.webdriver.support.ui import Select, WebDriverWait

    select = Select(browser.find_element("css selector", "#chart-0 select"))
    labels = [o.text for o in select.options]
    assert labels == ["2025-08-03 07:00:00 UTC · ds = 2025-08-02 (latest)", "2025-08-03 06:00:00 UTC · ds = 2025-08-01"]
    assert select.first_selected_option.text.endswith("(latest)")
    assert drawn_points(browser, 0) == 8
    assert "polars" in visible(browser, 0, ".meta")[0].text
    table = visible(browser, 0, "details.rows")[0]
    assert table.find_element("css selector", "summary").get_attribute("textContent") == "Table: first 5 of 8 rows"
    assert js(browser, "return arguments[0].querySelectorAll('tbody tr').length", table) == 5

    select.select_by_value("0")
    WebDriverWait(browser, 5).until(lambda b: drawn_points(b, 0) == 3)
    assert js(browser, "return document.getElementById('plot-0').data[0].y") == [10, 20, 30]
    meta = visible(browser, 0, ".meta")
    assert len(meta) == 1 and "ds = 2025-08-01" in meta[0].text and "duckdb" in meta[0].text
    table = visible(browser, 0, "details.rows")
    assert len(table) == 1 and table[0].find_element("css selector", "summary").text == "Table: 3 rows"
    assert js(browser, "return arguments[0].querySelectorAll('tbody tr').length", table[0]) == 3

    select.select_by_value("1")
    WebDriverWait(browser, 5).until(lambda b: drawn_points(b, 0) == 8)
    assert severe(browser) == [] and network_requests(browser) == []


HOSTILE = "</script><script>alert(1)</script>"
EVIL_SQL = """\
-- description: {hostile} <img src=x onerror=alert(2)>
-- param note: string = plain
-- chart: bar x=label y=n title="<b>bold</b>{hostile}"
SELECT label AS `<i>label</i>`, label, n, :note AS note
FROM VALUES ('{hostile}', 1), ('<img src=x onerror=alert(3)>', 2), ('a&amp;b', 3) AS t(label, n)
"""


def test_hostile_text_from_queries_and_data_stays_text(browser, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException

    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "spark"\n')
    (tmp_path / "evil.sql").write_text(EVIL_SQL.format(hostile=HOSTILE))
    site = tmp_path / "site"
    result = sqlrun("dashboard", "-o", str(site), "--param", f"note={HOSTILE}", "-p", str(tmp_path))
    assert result.returncode == 0, result.stderr
    html = (site / "index.html").read_text()
    assert len(re.findall(r"(?i)<script", html)) == 3 and "<img" not in html
    load(browser, site / "index.html", 1)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert js(browser, "return document.querySelectorAll('script').length") == 3
    assert js(browser, "return document.querySelectorAll('img, main b, main i').length") == 0
    text = js(browser, "return [document.querySelector('h2').textContent,"
                       " document.querySelector('.description').textContent]")
    assert text == [f"<b>bold</b>{HOSTILE}", f"{HOSTILE} <img src=x onerror=alert(2)>"]
    assert f"note = {HOSTILE}" in visible(browser, 0, ".meta")[0].text
    cells = js(browser, "return Array.from(document.querySelectorAll('thead th, tbody td')).map(c => c.textContent)")
    assert cells[:5] == ["<i>label</i>", "label", "n", "note", HOSTILE]
    ticks = js(browser, "return Array.from(document.querySelectorAll('#chart-0 .xtick text')).map(t => t.textContent)")
    assert ticks == [HOSTILE, "<img src=x onerror=alert(3)>", "a&amp;b"]  # plotly reads tags: escaped for it
    assert severe(browser) == []


def test_json_in_a_script_element_cannot_end_it():
    value = {"a": f"{HOSTILE} & <!-- \u2028\u2029 >", "b": [1.5, None]}
    text = _script_json(value)
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["taxi_features", "-o", "{site}"], "taxi_features has no '-- chart:' header"),
        (["nosuch", "-o", "{site}"], "unknown query 'nosuch'"),
        ([], "a dashboard is written to a directory: -o DIR"),
        (["-o", "{site}", "--param", "nope=1"], "--param nope: no chart query on the dashboard takes it"),
        (["-o", "{file}"], "not a directory"),
    ],
)
def test_dashboard_mistakes_are_one_line_errors_and_write_nothing(demo_project, tmp_path, args, fragment):
    (tmp_path / "file").write_text("")
    args = [a.format(site=tmp_path / "site", file=tmp_path / "file") for a in args]
    assert_one_line_error(sqlrun("dashboard", *args, "-p", str(demo_project)), fragment)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_publish_makes_the_directory_and_replaces_the_page(tmp_path):
    dest = tmp_path / "a" / "b"
    assert publish("<p>one</p>", str(dest)) == str(dest / "index.html")
    publish("<p>two</p>", str(dest))
    assert [p.name for p in dest.iterdir()] == ["index.html"] and (dest / "index.html").read_text() == "<p>two</p>"
