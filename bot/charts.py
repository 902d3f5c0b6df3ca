"""Charts as PNG bytes, drawn with matplotlib (Agg) in a worker thread, never on the event loop.

matplotlib is imported when the first chart is drawn: it costs a second of start-up and tens of
megabytes, which the command line and most bot processes never need.
"""

from __future__ import annotations

import asyncio
import io
import threading
from dataclasses import dataclass

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


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def render_matrix(chart: MatrixChart) -> bytes:
    """The matrix as PNG bytes (blocking: call through `draw_matrix`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    width, height = size_px(chart)
    n_rows, n_cols = max(1, len(chart.rows)), max(1, len(chart.columns))
    with _render_lock:
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.patch.set_facecolor("white")
        ax = fig.add_axes(
            (
                LEFT_PX / width,
                BOTTOM_PX / height,
                COL_PX * n_cols / width,
                ROW_PX * n_rows / height,
            )
        )
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
