"""The traffic-light matrix: a PNG of the right size with each cell in its colour."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib import image as mpimg
from matplotlib.colors import to_rgb

from bot import charts

PNG = b"\x89PNG\r\n\x1a\n"


def _chart(rows: int, columns: int = 5) -> charts.MatrixChart:
    keys: tuple[str | None, ...] = ("red", "yellow", "green", None)
    cells = tuple(tuple(keys[(r + c) % 4] for c in range(columns)) for r in range(rows))
    return charts.MatrixChart(
        title="Swa-penilaian ISO 18091 · Triwulan IV 2026\nTata kelola",
        rows=tuple(f"I{r + 1:02d} Kepemimpinan dan tata kelola yang baik" for r in range(rows)),
        columns=tuple(f"Instansi {c}" for c in range(columns)),
        cells=cells,
        legend=(("red", "Merah"), ("yellow", "Kuning"), ("green", "Hijau"), (None, "Belum")),
    )


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(mpimg.imread(io.BytesIO(png), format="png"))


async def test_matrix_is_a_png_of_the_computed_size() -> None:
    chart = _chart(5)
    png = await charts.draw_matrix(chart)
    assert png.startswith(PNG)
    pixels = _pixels(png)
    width, height = charts.size_px(chart)
    assert (pixels.shape[1], pixels.shape[0]) == (width, height)
    assert height == charts.TOP_PX + charts.BOTTOM_PX + 5 * charts.ROW_PX


def test_the_largest_quadrant_of_the_pilot_agencies_is_portrait_and_readable_on_a_phone() -> None:
    """Twelve indicators (Sosial) × five agencies: taller than wide, and shown about 380 px
    wide on a phone its labels stay at least 10 px high."""
    width, height = charts.size_px(_chart(12, 5))
    assert height > width
    label_px = charts.LABEL_PT * charts.DPI / 72
    assert label_px * 380 / width >= 10


@pytest.mark.parametrize(("row", "column"), [(0, 0), (1, 0), (2, 3), (4, 4), (3, 2)])
def test_each_cell_has_its_traffic_light_colour(row: int, column: int) -> None:
    chart = _chart(5)
    pixels = _pixels(charts.render_matrix(chart))
    x, y = charts.cell_centre(chart, row, column)
    expected = np.array(to_rgb(charts.COLOURS[chart.cells[row][column]]))
    assert np.allclose(pixels[y, x, :3], expected, atol=2 / 255)


def test_cells_that_do_not_fit_the_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="one cell per column"):
        charts.MatrixChart("x", ("a",), ("c1", "c2"), (("red",),), ())


def _bars() -> charts.BarChart:
    return charts.BarChart(
        title="Tenggat per perangkat daerah per bulan",
        series=(("tepat waktu", "#1a9850"), ("terlambat", "#f4c20d"), ("terlewat", "#d7301f")),
        groups=(
            ("Sekretariat Daerah", (("Nov 2026", (3, 1, 0)), ("Des 2026", (1, 0, 2)))),
            ("RSUD S.K. Lerik", (("Des 2026", (0, 2, 1)),)),
        ),
        axis_label="Tenggat",
        empty="Belum ada",
    )


async def test_bars_are_a_png_of_the_computed_size() -> None:
    chart = _bars()
    png = await charts.draw_bars(chart)
    assert png.startswith(PNG)
    pixels = _pixels(png)
    assert (pixels.shape[1], pixels.shape[0]) == charts.bar_size_px(chart)
    assert len(chart.slots()) == 5  # two headings, three rows


@pytest.mark.parametrize(("slot", "series"), [(1, 0), (1, 1), (2, 0), (2, 2), (4, 1), (4, 2)])
def test_each_part_of_a_bar_has_its_series_colour(slot: int, series: int) -> None:
    chart = _bars()
    pixels = _pixels(charts.render_bars(chart))
    x, y = charts.segment_centre(chart, slot, series)
    assert np.allclose(pixels[y, x, :3], to_rgb(chart.series[series][1]), atol=2 / 255)


def test_an_empty_bar_chart_is_still_a_picture() -> None:
    chart = charts.BarChart("Kesiapan", (("Kesiapan", "#3a6ea5"),), (), "%", "Belum ada", True)
    pixels = _pixels(charts.render_bars(chart))
    assert (pixels.shape[1], pixels.shape[0]) == charts.bar_size_px(chart)


def test_rows_that_do_not_fit_the_series_are_refused() -> None:
    with pytest.raises(ValueError, match="one value per series"):
        charts.BarChart("x", (("a", "#000000"),), (("", (("r", (1.0, 2.0)),)),), "", "")
