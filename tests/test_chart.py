"""Charts of metric queries: `sqlrun run QUERY --output x.png|x.html`, from options or a header."""

import subprocess
import sys

import pyarrow as pa
import pytest

from sqlrun.chart import ChartSpec, check_columns, parse_header, resolve, series, write_chart
from sqlrun.errors import CatalogError, SqlrunError
from tests.test_cli import assert_one_line_error, sqlrun


def test_the_pr_curve_header_draws_a_png(demo_project, tmp_path):
    import matplotlib.image as mpimg

    out = tmp_path / "pr.png"
    result = sqlrun("run", "pr_curve", "-o", str(out), "-p", str(demo_project))
    assert result.returncode == 0, result.stderr
    assert "line chart" in result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = mpimg.imread(out)
    assert pixels.shape[0] > 400 and pixels.shape[1] > 700
    assert pixels.std() > 0.05  # something is drawn, not a blank canvas


def test_html_chart_is_self_contained_with_title_axes_and_legend(demo_project, tmp_path):
    out = tmp_path / "pr.html"
    result = sqlrun("run", "pr_curve", "-o", str(out), "-p", str(demo_project))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert html.lstrip().lower().startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert "Churn model: precision and recall" in html and '"name":"Precision"' in html and '"name":"Recall"' in html
    assert "Score threshold" in html
    assert "<script src=" not in html and "Plotly.newPlot" in html  # plotly.js inline: opens offline


def test_command_line_options_override_the_header(demo_project, tmp_path):
    out = tmp_path / "counts.html"
    result = sqlrun("run", "pr_curve", "--chart", "bar", "--x", "threshold", "--y", "tp,fp", "-o", str(out),
                    "-p", str(demo_project))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert '"type":"bar"' in html and '"name":"Tp"' in html and '"name":"Recall"' not in html


def test_the_group_setting_draws_one_series_per_value(demo_project, tmp_path):
    out = tmp_path / "charts.html"
    result = sqlrun("run", "charts_by_age", "-o", str(out), "-p", str(demo_project))  # its header: group=age_group
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert [f'"name":"{g}"' in html for g in ("10s", "20s", "30s", "40s", "50+")] == [True] * 5
    assert '"text":"Age group"' in html and '"categoryarray":["Track 00001",' in html
    table = pa.table({"x": ["a", "b"], "y": [1, 2], "g": ["p", "q"]})
    series_ = series(table, ChartSpec("bar", "x", ("y",), group="g"))
    assert [(s.name, s.x, s.y) for s in series_] == [("p", ["a"], [1.0]), ("q", ["b"], [2.0])]
    many = pa.table({"x": list(range(40)), "y": list(range(40)), "g": list(range(40))})
    with pytest.raises(SqlrunError, match="chart group 'g' has 40 values in the result of q; a chart shows at most 30"):
        check_columns(many, ChartSpec("bar", "x", ("y",), group="g"), "q")
    with pytest.raises(SqlrunError, match="chart group 'h': no such column"):
        check_columns(table, ChartSpec("bar", "x", ("y",), group="h"), "q")
    write_chart(table.slice(0, 0), ChartSpec("bar", "x", ("y",), group="g"), tmp_path / "empty.png")  # no series
    assert (tmp_path / "empty.png").stat().st_size > 1000


def test_html_chart_text_is_never_read_as_tags(tmp_path):
    table = pa.table({"x": ["<a href='https://example.com'>x</a>"], "y": [1]})
    write_chart(table, ChartSpec("bar", "x", ("y",), title="<b>t</b>"), tmp_path / "c.html")
    figure = (tmp_path / "c.html").read_text().split("Plotly.newPlot")[1]  # after plotly.js itself
    assert "&lt;a href='https:" in figure and "&lt;b&gt;t&lt;" in figure and "<a href" not in figure
    assert '"showSendToCloud": false' in figure  # no "share" button that uploads the chart


def test_a_query_without_a_header_charts_from_options(demo_project, tmp_path):
    out = tmp_path / "charts.png"
    result = sqlrun("run", "charts_by_age", "--chart", "scatter", "--x", "chart_rank", "--y", "plays,listeners",
                    "-o", str(out), "-p", str(demo_project))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--x", "score"], ["--x 'score'", "no such column", "threshold, tp"]),
        (["--y", "precision,recal"], ["--y 'recal'", "no such column"]),
    ],
)
def test_an_unknown_column_is_one_clear_error_and_no_file(demo_project, tmp_path, args, fragments):
    out = tmp_path / "pr.png"
    result = sqlrun("run", "pr_curve", *args, "-o", str(out), "-p", str(demo_project))
    assert_one_line_error(result, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_a_text_y_column_is_refused(demo_project, tmp_path):
    result = sqlrun("run", "charts_by_age", "--x", "chart_rank", "--y", "title", "-o", str(tmp_path / "c.png"),
                    "-p", str(demo_project))
    assert_one_line_error(result, "--y 'title' is not numeric")


def test_chart_options_need_a_chart_file(demo_project, tmp_path):
    assert_one_line_error(sqlrun("run", "pr_curve", "--chart", "line", "-p", str(demo_project)),
                          "need --output FILE.png or FILE.html")
    assert_one_line_error(sqlrun("run", "pr_curve", "--x", "tp", "-o", str(tmp_path / "x.csv"),
                                 "-p", str(demo_project)), "need --output FILE.png")


def test_a_png_without_any_chart_spec_says_what_is_missing(demo_project, tmp_path):
    result = sqlrun("run", "taxi_features", "-o", str(tmp_path / "c.png"), "-p", str(demo_project))
    assert_one_line_error(result, "a chart needs --x COLUMN and --y")


def test_a_bad_chart_header_names_the_file(demo_project, tmp_path):
    (tmp_path / "q.sql").write_text("-- chart: pie x=a y=b\nSELECT 1 AS a, 2 AS b\n")
    result = sqlrun("run", str(tmp_path / "q.sql"), "-o", str(tmp_path / "q.png"), "-p", str(demo_project))
    assert_one_line_error(result, "q.sql", "unknown chart kind 'pie'")


def test_parse_header():
    spec = parse_header('line x=threshold y=precision,recall title="A B" ylabel=Share')
    assert spec == ChartSpec("line", "threshold", ("precision", "recall"), "A B", "", "Share")
    assert parse_header("bar x=title y=plays group=age_group").group == "age_group"
    with pytest.raises(CatalogError, match="unknown chart setting 'colour'"):
        parse_header("line x=a y=b colour=red", "q.sql")
    with pytest.raises(CatalogError, match="q.sql: bad chart header"):
        parse_header('line title="open', "q.sql")


def test_resolve_lays_options_over_the_header():
    spec = resolve("bar x=a y=b title=T", None, None, "c,d", title="description")
    assert (spec.kind, spec.x, spec.y, spec.title) == ("bar", "a", ("c", "d"), "T")
    assert resolve(None, "line", "a", "b", title="description").title == "description"
    with pytest.raises(SqlrunError, match="unknown chart kind 'area'"):
        resolve(None, "area", "a", "b")


def test_importing_sqlrun_does_not_import_plotting_libraries():
    code = ("import sys, sqlrun, sqlrun.api, sqlrun.cli, sqlrun.chart;"
            "assert not {'matplotlib', 'plotly'} & set(sys.modules), sorted(sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
