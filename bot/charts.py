"""Charts as PNG bytes, drawn with matplotlib (Agg) in a worker thread, never on the event loop:
the ISO 18091 traffic-light matrix, and stacked horizontal bars for /rekap.

matplotlib is imported when the first chart is drawn: it costs a second of start-up and tens of
megabytes, which the command line and most bot processes never need.
"""

from __future__ import annotations

import asyncio
import io
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib itself is imported only to draw
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
# Layout in pixels (at DPI), fixed so a cell's place in the image can be computed. A phone in
# portrait shows the image about 380 px wide: a chart of one quadrant (about ten rows) and a
# few agencies stays portrait, and its 30 px labels read as about 10 px there.
LEFT_PX, RIGHT_PX = 490, 150  # row labels on the left; room for the last slanted label
TOP_PX, BOTTOM_PX = 330, 140  # title and slanted column labels above, the legend below
COL_PX, ROW_PX = 100, 84
MIN_WIDTH_PX = 900
LABEL_LIMIT = 26  # characters of a row label
COLUMN_LIMIT = 16  # characters of a column label
TITLE_PT, LABEL_PT, LEGEND_PT = 26, 22, 20  # 1 pt = DPI/72 px

# Traffic lights, readable for most colour-blind people too (distinct in lightness).
COLOURS: dict[str | None, str] = {
    "red": "#d7301f",
    "yellow": "#f4c20d",
    "green": "#1a9850",
    None: "#d9d9d9",
}
_render_lock = threading.Lock()  # matplotlib's font and text caches are not thread-safe


@dataclass(frozen=True)
class MatrixChart:
    """Rows (indicators) × columns (agencies), one colour key per cell, for a phone's screen."""

    title: str  # may hold a line break
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[str | None, ...], ...]  # per row, per column: "red" | "yellow" | ...
    legend: tuple[tuple[str | None, str], ...]  # colour key, label

    def __post_init__(self) -> None:
        width = len(self.columns)
        if len(self.cells) != len(self.rows) or any(len(r) != width for r in self.cells):
            raise ValueError("cells must be one row per row label, one cell per column")


def size_px(chart: MatrixChart) -> tuple[int, int]:
    """(width, height) of the image in pixels."""
    grid = LEFT_PX + COL_PX * max(1, len(chart.columns)) + RIGHT_PX
    return max(MIN_WIDTH_PX, grid), TOP_PX + BOTTOM_PX + ROW_PX * max(1, len(chart.rows))


def cell_centre(chart: MatrixChart, row: int, column: int) -> tuple[int, int]:
    """(x, y) in pixels from the top-left corner of the image, of a cell's centre."""
    return round(LEFT_PX + (column + 0.5) * COL_PX), round(TOP_PX + (row + 0.5) * ROW_PX)


def _figure(
    size: tuple[int, int], margins: tuple[int, int, int], plot_height: int
) -> tuple[Figure, Axes]:
    """A white figure of `size` pixels with one plot: (left, right, bottom) margins in pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    (width, height), (left, right, bottom) = size, margins
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    box = (left / width, bottom / height, (width - left - right) / width, plot_height / height)
    return fig, fig.add_axes(box)


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def render_matrix(chart: MatrixChart) -> bytes:
    """The matrix as PNG bytes (blocking: call through `draw_matrix`)."""
    from matplotlib.patches import Patch, Rectangle

    width, height = size_px(chart)
    n_rows, n_cols = max(1, len(chart.rows)), max(1, len(chart.columns))
    with _render_lock:
        right = width - LEFT_PX - COL_PX * n_cols  # a narrow grid leaves room on the right
        fig, ax = _figure((width, height), (LEFT_PX, right, BOTTOM_PX), ROW_PX * n_rows)
        ax.set_xlim(0, n_cols)
        ax.set_ylim(n_rows, 0)
        for r, row in enumerate(chart.cells):
            for c, key in enumerate(row):
                ax.add_patch(
                    Rectangle((c, r), 1, 1, facecolor=COLOURS[key], edgecolor="white", linewidth=3)
                )
        ax.xaxis.tick_top()
        ax.set_xticks(
            [c + 0.5 for c in range(len(chart.columns))],
            [_short(c, COLUMN_LIMIT) for c in chart.columns],
            rotation=45,
            ha="left",
            rotation_mode="anchor",
        )
        ax.set_yticks(
            [r + 0.5 for r in range(len(chart.rows))], [_short(r, LABEL_LIMIT) for r in chart.rows]
        )
        ax.tick_params(length=0, labelsize=LABEL_PT)
        for spine in ax.spines.values():
            spine.set_visible(False)
        fig.text(
            24 / width,
            1 - 24 / height,
            chart.title,
            ha="left",
            va="top",
            fontsize=TITLE_PT,
            fontweight="bold",
        )
        fig.legend(
            handles=[Patch(facecolor=COLOURS[key], label=label) for key, label in chart.legend],
            loc="lower center",
            ncol=2,
            frameon=False,
            fontsize=LEGEND_PT,
            bbox_to_anchor=(0.5, 0.0),
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


async def draw_matrix(chart: MatrixChart) -> bytes:
    """The matrix as PNG bytes, drawn in a worker thread."""
    return await asyncio.to_thread(render_matrix, chart)


# --- horizontal bars, stacked, in groups: read top to bottom on a phone held upright ---------

# Narrow, so that the text stays large when a phone held upright fits the width.
BAR_WIDTH_PX = 720
BAR_LEFT_PX, BAR_RIGHT_PX = 270, 60
BAR_TOP_PX, BAR_BOTTOM_PX = 130, 70
BAR_ROW_PX = 40
BAR_LABEL_LIMIT = 24


@dataclass(frozen=True)
class BarChart:
    """Rows of stacked bars under group headings (a heading "" shows no heading row).

    `series` are the stacked parts (label, colour), `groups` hold rows of (label, one value
    per series). With `percent` the axis runs to 100.
    """

    title: str
    series: tuple[tuple[str, str], ...]
    groups: tuple[tuple[str, tuple[tuple[str, tuple[float, ...]], ...]], ...]
    axis_label: str
    empty: str  # said in the picture when there is no row at all
    percent: bool = False

    def __post_init__(self) -> None:
        width = len(self.series)
        if any(len(values) != width for _, rows in self.groups for _, values in rows):
            raise ValueError("each row needs one value per series")

    def slots(self) -> tuple[tuple[str, tuple[float, ...] | None], ...]:
        """Lines from the top: headings (no values) and rows."""
        found: list[tuple[str, tuple[float, ...] | None]] = []
        for heading, rows in self.groups:
            if heading:
                found.append((heading, None))
            found.extend(rows)
        return tuple(found)

    @property
    def axis_max(self) -> float:
        if self.percent:
            return 100.0
        totals = [sum(values) for _, values in self.slots() if values is not None]
        return max(1.0, *totals) * 1.12 if totals else 1.0  # room for the numbers


def bar_size_px(chart: BarChart) -> tuple[int, int]:
    return BAR_WIDTH_PX, BAR_TOP_PX + BAR_BOTTOM_PX + BAR_ROW_PX * max(3, len(chart.slots()))


def segment_centre(chart: BarChart, slot: int, series: int) -> tuple[int, int]:
    """(x, y) in pixels from the top-left corner, of one part of one row's bar."""
    values = chart.slots()[slot][1]
    assert values is not None, "a heading has no bar"
    plot_w = BAR_WIDTH_PX - BAR_LEFT_PX - BAR_RIGHT_PX
    start = sum(values[:series])
    x = BAR_LEFT_PX + (start + values[series] / 2) / chart.axis_max * plot_w
    return round(x), round(BAR_TOP_PX + (slot + 0.5) * BAR_ROW_PX)


def _bar_label(label: str) -> str:
    return label if len(label) <= BAR_LABEL_LIMIT else label[: BAR_LABEL_LIMIT - 1] + "…"


def render_bars(chart: BarChart) -> bytes:
    """The bars as PNG bytes (blocking: call through `draw_bars`)."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    width, height = bar_size_px(chart)
    slots = chart.slots()
    n_slots = max(3, len(slots))
    with _render_lock:
        margins = (BAR_LEFT_PX, BAR_RIGHT_PX, BAR_BOTTOM_PX)
        fig, ax = _figure((width, height), margins, BAR_ROW_PX * n_slots)
        ax.set_xlim(0, chart.axis_max)
        ax.set_ylim(n_slots, 0)
        if not chart.percent:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for slot, (_, values) in enumerate(slots):
            if values is None:
                continue
            start = 0.0
            for (_, colour), value in zip(chart.series, values, strict=True):
                if value > 0:
                    ax.barh(slot + 0.5, value, left=start, height=0.72, color=colour)
                start += value
            shown = f"{start:.0f}%" if chart.percent else f"{start:.0f}"
            ax.text(start, slot + 0.5, f" {shown}", va="center", ha="left", fontsize=12)
        ax.set_yticks([s + 0.5 for s in range(len(slots))], [_bar_label(t) for t, _ in slots])
        for tick, (_, values) in zip(ax.get_yticklabels(), slots, strict=True):
            if values is None:
                tick.set_fontweight("bold")
        ax.tick_params(axis="y", length=0, labelsize=13)
        ax.tick_params(axis="x", labelsize=11)
        ax.set_xlabel(chart.axis_label, fontsize=12)
        ax.grid(axis="x", color="#e0e0e0")
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        if not slots:
            fig.text(0.5, 0.5, chart.empty, ha="center", va="center", fontsize=13, wrap=True)
        fig.suptitle(chart.title, y=1 - 28 / height, fontsize=16, fontweight="bold")
        if len(chart.series) > 1:
            fig.legend(
                handles=[Patch(facecolor=colour, label=label) for label, colour in chart.series],
                loc="upper center",
                ncol=len(chart.series),
                frameon=False,
                fontsize=12,
                bbox_to_anchor=(0.5, 1 - 62 / height),
            )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


async def draw_bars(chart: BarChart) -> bytes:
    """The bars as PNG bytes, drawn in a worker thread."""
    return await asyncio.to_thread(render_bars, chart)
