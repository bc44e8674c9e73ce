"""A line chart drawn as SVG on the server: no chart library, no JavaScript.

Small and exact: the geometry of one series, which the template writes out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 800, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40  # room for the axis labels


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: str  # "x,y x,y …" for <polyline points=…>
    area: str  # the same line closed along the x axis, for a shaded area
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    baseline: float
    left: int
    right: float


def _nice_ceiling(value: Decimal) -> Decimal:
    """A round number at or above the value: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line_chart(labels: Sequence[str], values: Sequence[Decimal]) -> LineChart:
    """Values over labels (one per x position), scaled into the chart's frame."""
    top = _nice_ceiling(max(values, default=Decimal(0)))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    last = max(len(values) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + plot_width * index / last, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_height * float(1 - value / top), 1)

    coordinates = [f"{x(i)},{y(v)}" for i, v in enumerate(values)]
    baseline = y(Decimal(0))
    area = (
        f"{x(0)},{baseline} " + " ".join(coordinates) + f" {x(len(values) - 1)},{baseline}"
        if values
        else ""
    )
    step = max(len(labels) // 6, 1)
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        points=" ".join(coordinates),
        area=area,
        y_ticks=[Tick(y(top * k / 4), f"{top * k / 4:,.0f}") for k in range(5)],
        x_ticks=[Tick(x(i), labels[i]) for i in range(0, len(labels), step)],
        baseline=baseline,
        left=LEFT,
        right=WIDTH - RIGHT,
    )
