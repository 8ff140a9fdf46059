"""The dashboard page: chart entries, each with its computed versions, as one static HTML page.

Pure: entries in, an HTML string out (cli_dashboard.py runs the queries, publish.py writes the
page). The page needs no server and no network: plotly.js is inlined once, every version's chart
and rows are embedded, and a Content-Security-Policy allows only the page's own two scripts (by
hash) and no fetch at all. Text from queries and data is escaped: html.escape in the page,
\\u escapes of < > & U+2028 U+2029 in the JSON embedded in a <script> element.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlrun.chart import PLOTLY_CONFIG, ChartSpec, figure
from sqlrun.console import printable
from sqlrun.errors import SqlrunError
from sqlrun.output import cell_texts

if TYPE_CHECKING:
    import pyarrow as pa

TABLE_ROWS = 100  # rows shown in a chart's table view (the total is said)
PLOT_HEIGHT = 460  # pixels
_NUM = ' class="num"'  # a right-aligned (numeric) column


@dataclass(frozen=True)
class Version:
    """One computation of a chart query: its rows, the parameter values it ran with, when and where."""

    rows: pa.Table
    params: dict[str, str]
    computed_at: datetime
    engine: str


@dataclass(frozen=True)
class Entry:
    """A chart of the dashboard: the query, its chart (resolved: the title is the heading) and its
    versions, oldest first (the page opens on the last: the latest day of an incremental query)."""

    name: str
    spec: ChartSpec
    description: str = ""
    versions: tuple[Version, ...] = ()


def render(entries: list[Entry], title: str = "Dashboard", max_rows: int = TABLE_ROWS) -> str:
    """The whole page, self-contained."""
    import plotly.offline

    charts, template, sections = [], None, []
    for i, entry in enumerate(entries):
        if not entry.versions:
            raise SqlrunError(f"dashboard chart {entry.name} has no computed version")
        versions = list(entry.versions)
        figures = [_figure(entry, version) for version in versions]
        template = template or figures[0]["layout"].get("template")
        for fig in figures:
            fig["layout"].pop("template", None)  # one copy for the page, not one per version
        charts.append(figures)
        sections.append(_section(i, entry, versions, max_rows))
    config = {**PLOTLY_CONFIG, "responsive": True}
    data = _script_json({"template": template or {}, "config": config, "charts": charts})
    plotly_js = plotly.offline.get_plotlyjs()
    if "</script" in plotly_js.lower():
        raise SqlrunError("this plotly.js cannot be inlined in a page (it holds '</script')")
    latest = max((_utc(v.computed_at) for e in entries for v in e.versions), default=None)
    summary = f"{len(entries)} chart{'s' if len(entries) != 1 else ''}"
    if latest is not None:
        summary += f" · latest computed {_when(latest)}"
    return "".join([
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{_policy(plotly_js, _APP)}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_text(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<header><h1>{_text(title)}</h1><p>{_text(summary)}</p>{_contents(entries)}</header>\n<main>\n",
        *sections,
        "</main>\n",
        f'<script type="application/json" id="dashboard-data">{data}</script>\n',
        f"<script>{plotly_js}</script>\n<script>{_APP}</script>\n</body>\n</html>\n",
    ])


def _figure(entry: Entry, version: Version) -> dict:
    """The plotly figure of one version as JSON data (dates as ISO text, NaN as null)."""
    import plotly.io

    fig = figure(version.rows, entry.spec, entry.name)
    fig.update_layout(title=None, height=PLOT_HEIGHT, margin={"l": 70, "r": 30, "t": 30, "b": 90})
    return json.loads(plotly.io.to_json(fig, validate=False))


def _section(i: int, entry: Entry, versions: list[Version], max_rows: int) -> str:
    latest = len(versions) - 1
    parts = [f'<section class="chart" id="chart-{i}">\n<h2>{_text(entry.spec.title or entry.name)}</h2>\n']
    if entry.description and entry.description != entry.spec.title:
        parts.append(f'<p class="description">{_text(entry.description)}</p>\n')
    if len(versions) > 1:
        options = "".join(
            f'<option value="{k}"{" selected" if k == latest else ""}>{_text(_version_label(v, k == latest))}</option>'
            for k, v in reversed(list(enumerate(versions)))
        )
        parts.append(f'<label class="versions">Version <select data-chart="{i}">{options}</select></label>\n')
    for k, version in enumerate(versions):
        parts.append(_meta(entry, version, k, k != latest))
    parts.append(f'<div class="plot" id="plot-{i}"></div>\n')
    for k, version in enumerate(versions):
        parts.append(_rows(version.rows, k, k != latest, max_rows))
    parts.append("</section>\n")
    return "".join(parts)


def _meta(entry: Entry, version: Version, k: int, hidden: bool) -> str:
    items = [
        ("Parameters", _params(version.params) or "none"),
        ("Engine", version.engine),
        ("Computed", _when(version.computed_at)),
        ("Query", entry.name),
    ]
    cells = "".join(f"<div><dt>{name}</dt><dd>{_text(value)}</dd></div>" for name, value in items)
    return f'<dl class="meta" data-version="{k}"{" hidden" if hidden else ""}>{cells}</dl>\n'


def _rows(table: pa.Table, k: int, hidden: bool, max_rows: int) -> str:
    """The table view: the first `max_rows` rows, the total said in the summary."""
    import pyarrow.types as pt

    shown = table.slice(0, min(max_rows, table.num_rows))
    total = f"{table.num_rows:,} row{'s' if table.num_rows != 1 else ''}"
    summary = f"first {shown.num_rows:,} of {total}" if shown.num_rows < table.num_rows else total
    numeric = [pt.is_integer(f.type) or pt.is_floating(f.type) or pt.is_decimal(f.type) for f in table.schema]
    head = "".join(f"<th{_NUM if n else ''}>{_text(name)}</th>"
                   for name, n in zip(table.column_names, numeric))
    columns = [cell_texts(shown.column(c)) for c in range(shown.num_columns)]
    body = "".join(
        "<tr>" + "".join(_cell(value, n) for value, n in zip(row, numeric)) + "</tr>\n" for row in zip(*columns)
    )
    return (f'<details class="rows" data-version="{k}" data-rows="{shown.num_rows}" data-total="{table.num_rows}"'
            f'{" hidden" if hidden else ""}><summary>Table: {summary}</summary>\n'
            f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table></div>'
            "</details>\n")


def _cell(value: str | None, numeric: bool) -> str:
    if value is None:
        return '<td class="null">NULL</td>'
    return f"<td{_NUM if numeric else ''}>{_text(value)}</td>"


def _contents(entries: list[Entry]) -> str:
    if len(entries) < 2:
        return ""
    links = "".join(f'<li><a href="#chart-{i}">{_text(e.spec.title or e.name)}</a></li>' for i, e in enumerate(entries))
    return f'<nav><ol>{links}</ol></nav>'


def _params(params: dict[str, str]) -> str:
    return ", ".join(f"{name} = {value}" for name, value in params.items())


def _version_label(version: Version, latest: bool) -> str:
    label = _when(version.computed_at) + (f" · {_params(version.params)}" if version.params else "")
    return label + (" (latest)" if latest else "")


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


def _when(when: datetime) -> str:
    return _utc(when).strftime("%Y-%m-%d %H:%M:%S UTC")


def _text(value: object) -> str:
    """Text for the page: control characters as visible escapes, then HTML-escaped."""
    return html.escape(printable(value))


def _script_json(value) -> str:
    """JSON that cannot end or confuse the <script> element holding it: < > & and the line and
    paragraph separators as \\u escapes (they only occur inside JSON strings)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _policy(*scripts: str) -> str:
    """No network at all: only the page's own scripts (by hash) run; styles and images inline."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data: blob:; "
            "font-src data:; base-uri 'none'; form-action 'none'")


# Draws each chart's latest version; a version <select> redraws the chart and shows its table.
_APP = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  function show(chart, version) {
    var section = document.getElementById("chart-" + chart);
    var figure = JSON.parse(JSON.stringify(data.charts[chart][version]));
    figure.layout.template = data.template;
    Plotly.react(section.querySelector(".plot"), figure.data, figure.layout, data.config);
    section.querySelectorAll("[data-version]").forEach(function (node) {
      node.hidden = node.getAttribute("data-version") !== String(version);
    });
  }
  data.charts.forEach(function (versions, chart) {
    show(chart, versions.length - 1);
    var select = document.querySelector("#chart-" + chart + " select");
    if (select) {
      select.addEventListener("change", function () { show(chart, Number(select.value)); });
    }
  });
})();
"""

_CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #5f6b7a; --line: #dde3ea; --card: #fff; --page: #f4f6f9; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
nav ol { margin: 12px 0 0; padding-left: 20px; }
nav a { color: #1f5fa8; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 20px 0;
  padding: 20px 24px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 0 0 4px; }
.description { margin: 0 0 10px; color: var(--muted); }
.versions { display: inline-block; margin: 4px 0 8px; font-weight: 600; }
.versions select { margin-left: 6px; font: inherit; font-weight: normal; padding: 2px 4px; max-width: 100%; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0 0 8px; font-size: 14px; }
.meta div { display: flex; gap: 6px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; font-weight: 600; }
.plot { width: 100%; min-height: 460px; }
details.rows { margin-top: 10px; }
details.rows summary { cursor: pointer; color: #1f5fa8; font-weight: 600; }
.table-wrap { display: inline-block; max-width: 100%; max-height: 480px; overflow: auto; vertical-align: top;
  margin-top: 8px; border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { position: sticky; top: 0; background: #eef2f6; }
tbody tr:nth-child(even) { background: #f8fafc; }
.num { text-align: right; }
.null { color: #9aa5b1; font-style: italic; }
"""
