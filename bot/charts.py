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
# Layout in pixels (at DPI), fixed so a cell's place in the image can be computed.
WIDTH_PX = 1300
LEFT_PX, RIGHT_PX = 230, 30
TOP_PX, BOTTOM_PX = 120, 110
ROW_PX = 42
LABEL_LIMIT = 26

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
    """Rows (agencies) × columns grouped under headings (quadrants), one colour key per cell."""

    title: str
    rows: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # heading, column labels
    cells: tuple[tuple[str | None, ...], ...]  # per row, per column: "red" | "yellow" | ...
    legend: tuple[tuple[str | None, str], ...]  # colour key, label

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(label for _, labels in self.groups for label in labels)

    def __post_init__(self) -> None:
        width = len(self.columns)
        if len(self.cells) != len(self.rows) or any(len(r) != width for r in self.cells):
            raise ValueError("cells must be one row per row label, one cell per column")


def size_px(chart: MatrixChart) -> tuple[int, int]:
    """(width, height) of the image in pixels."""
    return WIDTH_PX, TOP_PX + BOTTOM_PX + ROW_PX * max(1, len(chart.rows))


def cell_centre(chart: MatrixChart, row: int, column: int) -> tuple[int, int]:
    """(x, y) in pixels from the top-left corner of the image, of a cell's centre."""
    cell_w = (WIDTH_PX - LEFT_PX - RIGHT_PX) / len(chart.columns)
    return round(LEFT_PX + (column + 0.5) * cell_w), round(TOP_PX + (row + 0.5) * ROW_PX)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def render_matrix(chart: MatrixChart) -> bytes:
    """The matrix as PNG bytes (blocking: call through `draw_matrix`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    width, height = size_px(chart)
    n_rows, n_cols = max(1, len(chart.rows)), len(chart.columns)
    with _render_lock:
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.patch.set_facecolor("white")
        ax = fig.add_axes(
            (
                LEFT_PX / width,
                BOTTOM_PX / height,
                (width - LEFT_PX - RIGHT_PX) / width,
                ROW_PX * n_rows / height,
            )
        )
        ax.set_xlim(0, n_cols)
        ax.set_ylim(n_rows, 0)
        for r, row in enumerate(chart.cells):
            for c, key in enumerate(row):
                ax.add_patch(
                    Rectangle(
                        (c, r), 1, 1, facecolor=COLOURS[key], edgecolor="white", linewidth=1.5
                    )
                )
        start = 0
        for heading, labels in chart.groups:
            end = start + len(labels)
            if start:
                ax.axvline(start, color="#333333", linewidth=2.5)
            ax.text(
                (start + end) / 2,
                1.03,
                heading,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=11,
                fontweight="bold",
            )
            start = end
        ax.set_xticks([c + 0.5 for c in range(n_cols)], chart.columns, rotation=90, fontsize=8)
        ax.set_yticks([r + 0.5 for r in range(len(chart.rows))], [_short(r) for r in chart.rows])
        ax.tick_params(length=0, labelsize=10)
        ax.tick_params(axis="x", labelsize=8)
        for spine in ax.spines.values():
            spine.set_visible(False)
        fig.suptitle(chart.title, y=1 - 30 / height, fontsize=14, fontweight="bold")
        fig.legend(
            handles=[Patch(facecolor=COLOURS[key], label=label) for key, label in chart.legend],
            loc="lower center",
            ncol=len(chart.legend),
            frameon=False,
            fontsize=10,
            bbox_to_anchor=(0.5, 0.0),
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


async def draw_matrix(chart: MatrixChart) -> bytes:
    """The matrix as PNG bytes, drawn in a worker thread."""
    return await asyncio.to_thread(render_matrix, chart)
