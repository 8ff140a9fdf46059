"""Charts of a query result: PNG with matplotlib, self-contained HTML with plotly.

A query remembers its chart in a header, options on the command line override it:

    -- chart: line x=threshold y=precision,recall title="..." xlabel="..." ylabel="..."

The plotting libraries are imported only when a chart is drawn (the `charts` extra).
"""

from __future__ import annotations

import dataclasses
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
_KEYS = ("x", "y", "title", "xlabel", "ylabel")
_LIBRARIES = {".png": ("matplotlib", "PNG"), ".html": ("plotly", "HTML")}
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


@dataclass(frozen=True)
class ChartSpec:
    kind: str = "line"
    x: str = ""
    y: tuple[str, ...] = ()
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""


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
    """One clear error for a column the result lacks, an x that cannot be an axis (nested,
    binary), or a y column that is not numeric."""
    import pyarrow.types as pt

    names = table.column_names
    for role, column in [("--x", spec.x), *(("--y", c) for c in spec.y)]:
        if column not in names:
            raise SqlrunError(f"chart {role} '{column}': no such column in the result of {query} "
                              f"(columns: {', '.join(names)})")
        if names.count(column) > 1:
            raise SqlrunError(f"chart {role} '{column}': the result of {query} has {names.count(column)} "
                              "columns of that name; alias them")
    x = table.schema.field(spec.x).type
    x = x.value_type if pt.is_dictionary(x) else x
    axis = (pt.is_integer, pt.is_floating, pt.is_decimal, pt.is_boolean, pt.is_string, pt.is_large_string,
            pt.is_string_view, pt.is_date, pt.is_timestamp, pt.is_time)
    if not any(is_kind(x) for is_kind in axis):
        raise SqlrunError(f"chart --x '{spec.x}' cannot be an axis ({x}) in the result of {query}")
    for column in spec.y:
        kind = table.schema.field(column).type
        if not (pt.is_integer(kind) or pt.is_floating(kind) or pt.is_decimal(kind)):
            raise SqlrunError(f"chart --y '{column}' is not numeric ({kind}) in the result of {query}")


def write_chart(table: pa.Table, spec: ChartSpec, path: str | Path | S3Location, query: str = "the query"):
    """Draw the chart into `path` (a .png or .html file or S3 object) through open_destination
    (whole or not at all); returns the path."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in SUFFIXES:
        raise SqlrunError(f"a chart is written to .png or .html, not {Path(str(path)).name}")
    check_columns(table, spec, query)
    data = _columns(table, spec)
    with open_destination(path) as handle:
        (_png if suffix == ".png" else _html)(data, spec, handle)
    return path


def _columns(table: pa.Table, spec: ChartSpec) -> dict[str, list]:
    """x and y values sorted by x (a line over unsorted rows zigzags); NULL y stays a gap."""
    rows = sorted(
        zip(*(table.column(c).to_pylist() for c in (spec.x, *spec.y))),
        key=lambda row: (row[0] is None, row[0]),
    )
    rows = [row for row in rows if row[0] is not None]
    columns = list(zip(*rows)) if rows else [[] for _ in (spec.x, *spec.y)]
    return {name: [_number(v) for v in values] if name in spec.y else list(values)
            for name, values in zip((spec.x, *spec.y), columns)}


def _number(value):
    return None if value is None else float(value)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _labels(spec: ChartSpec) -> tuple[str, str]:
    ylabel = spec.ylabel or (_label(spec.y[0]) if len(spec.y) == 1 else "Value")
    return spec.xlabel or _label(spec.x), ylabel


def _unit_range(data: dict, spec: ChartSpec) -> bool:
    """Rates and shares (all values in [0, 1]) get the full 0..1 axis, so curves compare honestly."""
    values = [v for c in spec.y for v in data[c] if v is not None]
    return bool(values) and min(values) >= 0 and max(values) <= 1


def _png(data: dict, spec: ChartSpec, handle) -> None:
    try:
        import matplotlib
    except ImportError:
        raise SqlrunError("PNG charts need matplotlib: pip install 'sqlrun[charts]'") from None
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    xlabel, ylabel = _labels(spec)
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=120)
    try:
        x = data[spec.x]
        width = 0.8 / len(spec.y)
        for i, column in enumerate(spec.y):
            ys = [float("nan") if v is None else v for v in data[column]]
            color = _COLORS[i % len(_COLORS)]
            if spec.kind == "line":
                ax.plot(x, ys, marker="o", markersize=4, linewidth=2, color=color, label=_label(column))
            elif spec.kind == "scatter":
                ax.scatter(x, ys, s=18, color=color, label=_label(column))
            else:
                positions = [j + (i - (len(spec.y) - 1) / 2) * width for j in range(len(x))]
                ax.bar(positions, ys, width=width, color=color, label=_label(column))
        if spec.kind == "bar":
            ax.set_xticks(range(len(x)), [str(v) for v in x], rotation=45 if len(x) > 8 else 0, ha="right")
        if _unit_range(data, spec):
            from matplotlib.ticker import PercentFormatter

            ax.set_ylim(0, 1.02)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(spec.title, fontsize=13, loc="left")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(handle, format="png")
    finally:
        plt.close(fig)


def _html(data: dict, spec: ChartSpec, handle) -> None:
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise SqlrunError("HTML charts need plotly: pip install 'sqlrun[charts]'") from None
    xlabel, ylabel = _labels(spec)
    fig = go.Figure()
    for i, column in enumerate(spec.y):
        style = {"color": _COLORS[i % len(_COLORS)]}
        if spec.kind == "bar":
            fig.add_bar(x=data[spec.x], y=data[column], name=_label(column), marker=style)
        else:
            mode = "lines+markers" if spec.kind == "line" else "markers"
            fig.add_scatter(x=data[spec.x], y=data[column], mode=mode, name=_label(column), line=style)
    fig.update_layout(
        title=spec.title, xaxis_title=xlabel, yaxis_title=ylabel, template="plotly_white", hovermode="x unified"
    )
    if _unit_range(data, spec):
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    # Self-contained (plotly.js inline): the file opens offline, e.g. as an e-mail attachment.
    handle.write(fig.to_html(include_plotlyjs=True, full_html=True).encode())
