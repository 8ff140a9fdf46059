"""Charts of a query result: PNG with matplotlib, self-contained HTML with plotly.

A query remembers its chart in a header, options on the command line override it:

    -- chart: line x=threshold y=precision,recall title="..." xlabel="..." ylabel="..."
    -- chart: bar x=title y=plays group=age_group     (one series per age group)

The plotting libraries are imported only when a chart is drawn (the `charts` extra).
"""

from __future__ import annotations

import dataclasses
import html
import importlib.util
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlrun.errors import CatalogError, SqlrunError
from sqlrun.s3_write import check_destination, open_destination

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.s3 import S3Location

KINDS = ("line", "bar", "scatter")
SUFFIXES = (".png", ".html")
_KEYS = ("x", "y", "group", "title", "xlabel", "ylabel")
MAX_GROUPS = 30  # series a `group` column may split a chart into
# plotly.js's options for an HTML chart: no logo, no "share" button (it uploads the chart), no lasso.
PLOTLY_CONFIG = {"displaylogo": False, "showSendToCloud": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
_LIBRARIES = {".png": ("matplotlib", "PNG"), ".html": ("plotly", "HTML")}
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")


@dataclass(frozen=True)
class ChartSpec:
    kind: str = "line"
    x: str = ""
    y: tuple[str, ...] = ()
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    group: str = ""  # a column whose values each get their own series


@dataclass(frozen=True)
class Series:
    """One line, set of bars or points: its legend name and its x and y values, sorted by x."""

    name: str
    x: list
    y: list


def parse_header(value: str, origin: str = "chart header") -> ChartSpec:
    """A ChartSpec from a `-- chart:` header value; `origin` names the file in errors."""
    try:
        tokens = shlex.split(value)
    except ValueError as exc:
        raise CatalogError(f"{origin}: bad chart header '{value}': {exc}") from None
    fields: dict = {}
    for token in tokens:
        key, sep, val = token.partition("=")
        if not sep:
            fields["kind"] = token
        elif key in _KEYS:
            fields[key] = tuple(_names(val)) if key == "y" else val
        else:
            raise CatalogError(f"{origin}: unknown chart setting '{key}' (use {', '.join(_KEYS)})")
    spec = ChartSpec(**fields)
    if spec.kind not in KINDS:
        raise CatalogError(f"{origin}: unknown chart kind '{spec.kind}' (choose from {', '.join(KINDS)})")
    return spec


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def resolve(
    header: str | None,
    kind: str | None,
    x: str | None,
    y: str | None,
    title: str = "",
    origin: str = "chart header",
) -> ChartSpec:
    """The header's chart (if any) with the command-line options laid over it."""
    spec = parse_header(header, origin) if header else ChartSpec()
    if kind is not None and kind not in KINDS:
        raise SqlrunError(f"unknown chart kind '{kind}' (choose from {', '.join(KINDS)})")
    spec = dataclasses.replace(
        spec,
        kind=kind or spec.kind,
        x=x or spec.x,
        y=tuple(_names(y)) if y else spec.y,
        title=spec.title or title,
    )
    if not spec.x or not spec.y:
        raise SqlrunError("a chart needs --x COLUMN and --y COLUMN[,COLUMN...] (or a '-- chart:' header)")
    return spec


def check_output(path: str | Path | S3Location) -> None:
    """Before the query runs: the file or object can be written and the plotting library is installed."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in SUFFIXES:
        raise SqlrunError(f"a chart is written to .png or .html, not {Path(str(path)).name}")
    check_destination(path)
    module, kind = _LIBRARIES[suffix]
    if importlib.util.find_spec(module) is None:
        raise SqlrunError(f"{kind} charts need {module}: pip install 'sqlrun[charts]'")


def check_columns(table: pa.Table, spec: ChartSpec, query: str) -> None:
    """One clear error for a column the result lacks, an x or group that cannot be an axis or a
    legend (nested, binary), a y column that is not numeric, or more groups than a chart shows."""
    import pyarrow.compute as pc
    import pyarrow.types as pt

    names = table.column_names
    roles = [("--x", spec.x), *(("--y", c) for c in spec.y), *([("group", spec.group)] if spec.group else [])]
    for role, column in roles:
        if column not in names:
            raise SqlrunError(f"chart {role} '{column}': no such column in the result of {query} "
                              f"(columns: {', '.join(names)})")
        if names.count(column) > 1:
            raise SqlrunError(f"chart {role} '{column}': the result of {query} has {names.count(column)} "
                              "columns of that name; alias them")
    axis = (pt.is_integer, pt.is_floating, pt.is_decimal, pt.is_boolean, pt.is_string, pt.is_large_string,
            pt.is_string_view, pt.is_date, pt.is_timestamp, pt.is_time)
    for role, column in roles[:1] + roles[1 + len(spec.y):]:
        kind = table.schema.field(column).type
        kind = kind.value_type if pt.is_dictionary(kind) else kind
        if not any(is_kind(kind) for is_kind in axis):
            raise SqlrunError(f"chart {role} '{column}' cannot be an axis or legend ({kind}) in the result of {query}")
    for column in spec.y:
        kind = table.schema.field(column).type
        if not (pt.is_integer(kind) or pt.is_floating(kind) or pt.is_decimal(kind)):
            raise SqlrunError(f"chart --y '{column}' is not numeric ({kind}) in the result of {query}")
    if spec.group and len(groups := pc.unique(table.column(spec.group))) > MAX_GROUPS:
        raise SqlrunError(f"chart group '{spec.group}' has {len(groups)} values in the result of {query}; "
                          f"a chart shows at most {MAX_GROUPS}")


def write_chart(table: pa.Table, spec: ChartSpec, path: str | Path | S3Location, query: str = "the query"):
    """Draw the chart into `path` (a .png or .html file or S3 object) through open_destination
    (whole or not at all); returns the path."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in SUFFIXES:
        raise SqlrunError(f"a chart is written to .png or .html, not {Path(str(path)).name}")
    check_columns(table, spec, query)
    with open_destination(path) as handle:
        if suffix == ".png":
            _png(series(table, spec), spec, handle)
        else:
            # Self-contained (plotly.js inline): the file opens offline, e.g. as an e-mail attachment.
            fig = _figure(series(table, spec), spec)
            handle.write(fig.to_html(include_plotlyjs=True, full_html=True, config=PLOTLY_CONFIG).encode())
    return path


def series(table: pa.Table, spec: ChartSpec) -> list[Series]:
    """One series per y column (per group value and y column with a group), its rows sorted by x
    (a line over unsorted rows zigzags); rows without an x are left out, a NULL y stays a gap."""
    columns = (spec.x, *spec.y, *([spec.group] if spec.group else []))
    rows = [row for row in zip(*(table.column(c).to_pylist() for c in columns)) if row[0] is not None]
    rows.sort(key=lambda row: row[0])
    groups = sorted({row[-1] for row in rows}, key=lambda g: (g is None, g)) if spec.group else [None]
    result = []
    for group in groups:
        part = [row for row in rows if row[-1] == group] if spec.group else rows
        for i, column in enumerate(spec.y, start=1):
            name = _label(column)
            if spec.group:
                name = _group_name(group) + (f" · {name}" if len(spec.y) > 1 else "")
            result.append(Series(name, [row[0] for row in part], [_number(row[i]) for row in part]))
    return result


def _group_name(value) -> str:
    return "NULL" if value is None else str(value)


def _number(value):
    return None if value is None else float(value)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _labels(spec: ChartSpec) -> tuple[str, str]:
    ylabel = spec.ylabel or (_label(spec.y[0]) if len(spec.y) == 1 else "Value")
    return spec.xlabel or _label(spec.x), ylabel


def _categories(lines: list[Series]) -> list:
    """Every x value once, in order: the slots of a bar chart."""
    return sorted({x for line in lines for x in line.x})


def _unit_range(lines: list[Series]) -> bool:
    """Rates and shares (all values in [0, 1]) get the full 0..1 axis, so curves compare honestly."""
    values = [v for line in lines for v in line.y if v is not None]
    return bool(values) and min(values) >= 0 and max(values) <= 1


def _png(lines: list[Series], spec: ChartSpec, handle) -> None:
    try:
        import matplotlib
    except ImportError:
        raise SqlrunError("PNG charts need matplotlib: pip install 'sqlrun[charts]'") from None
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    xlabel, ylabel = _labels(spec)
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=120)
    try:
        categories = _categories(lines)
        slot = {x: j for j, x in enumerate(categories)}
        width = 0.8 / max(len(lines), 1)  # no lines: a grouped chart of no rows
        for i, line in enumerate(lines):
            ys = [float("nan") if v is None else v for v in line.y]
            color = _COLORS[i % len(_COLORS)]
            if spec.kind == "line":
                ax.plot(line.x, ys, marker="o", markersize=4, linewidth=2, color=color, label=line.name)
            elif spec.kind == "scatter":
                ax.scatter(line.x, ys, s=18, color=color, label=line.name)
            else:
                positions = [slot[x] + (i - (len(lines) - 1) / 2) * width for x in line.x]
                ax.bar(positions, ys, width=width, color=color, label=line.name)
        if spec.kind == "bar":
            labels = [str(x) for x in categories]
            ax.set_xticks(range(len(categories)), labels, rotation=45 if len(categories) > 8 else 0, ha="right")
        if _unit_range(lines):
            from matplotlib.ticker import PercentFormatter

            ax.set_ylim(0, 1.02)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(spec.title, fontsize=13, loc="left")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        if lines:
            ax.legend(frameon=False, title=_label(spec.group) if spec.group else None)
        fig.tight_layout()
        fig.savefig(handle, format="png")
    finally:
        plt.close(fig)


def figure(table: pa.Table, spec: ChartSpec, query: str = "the query"):
    """The chart as a plotly Figure (what a .html chart and the dashboard draw); columns checked."""
    check_columns(table, spec, query)
    return _figure(series(table, spec), spec)


def _plotly_text(value) -> str:
    """Text plotly shows as it is: plotly reads tags (<a href>, <br>) in labels and names, and
    turns entities back into characters."""
    return html.escape(str(value), quote=False)


def _figure(lines: list[Series], spec: ChartSpec):
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise SqlrunError("HTML charts need plotly: pip install 'sqlrun[charts]'") from None
    xlabel, ylabel = _labels(spec)
    fig = go.Figure()
    for i, line in enumerate(lines):
        style = {"color": _COLORS[i % len(_COLORS)]}
        x = [_plotly_text(v) if isinstance(v, str) else v for v in line.x]
        if spec.kind == "bar":
            fig.add_bar(x=x, y=line.y, name=_plotly_text(line.name), marker=style)
        else:
            mode = "lines+markers" if spec.kind == "line" else "markers"
            fig.add_scatter(x=x, y=line.y, mode=mode, name=_plotly_text(line.name), line=style)
    fig.update_layout(
        title=_plotly_text(spec.title), xaxis_title=_plotly_text(xlabel), yaxis_title=_plotly_text(ylabel),
        legend_title_text=_plotly_text(_label(spec.group)) if spec.group else None,
        template="plotly_white", hovermode="x unified",
    )
    categories = _categories(lines)
    if categories and isinstance(categories[0], str):  # in x order, not in the order the series meet them
        fig.update_xaxes(categoryorder="array", categoryarray=[_plotly_text(v) for v in categories])
    if _unit_range(lines):
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return fig
