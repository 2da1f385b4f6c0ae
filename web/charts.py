"""Stacked bar charts as plain geometry for an inline SVG: no JavaScript, nothing to build.

Colours come from CSS classes (`seg-<name>`), so the strict Content-Security-Policy (no inline
styles) holds and the chart prints well.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 120
PLOT_WIDTH = 480


@dataclass(frozen=True)
class Segment:
    name: str
    count: float
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: float
    y: int
    segments: list[Segment]


@dataclass(frozen=True)
class StackedChart:
    bars: list[Bar]
    names: Sequence[str]
    height: int
    width: int = LABEL_WIDTH + PLOT_WIDTH + 50
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def stacked_chart(
    rows: Mapping[str, Mapping[str, float]], names: Sequence[str], *, scale: float | None = None
) -> StackedChart:
    """One bar per row, its segments in `names` order; a full-width bar is `scale` (a fixed range,
    e.g. 100 for an index), or by default the largest total, so counts are compared with each other."""
    largest = scale or max((sum(counts.values()) for counts in rows.values()), default=0) or 1
    bars = []
    for index, (label, counts) in enumerate(rows.items()):
        x = float(LABEL_WIDTH)
        segments = []
        for name in names:
            count = counts.get(name, 0)
            if count:
                width = PLOT_WIDTH * count / largest
                segments.append(Segment(name, count, round(x, 1), round(width, 1)))
                x += width
        bars.append(Bar(label, sum(counts.values()), index * (BAR_HEIGHT + BAR_GAP), segments))
    return StackedChart(bars, names, max(len(bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT))


def x_of(value: float, scale: float) -> float:
    """Where `value` falls on a chart whose full-width bar is `scale` (for reference lines)."""
    return round(LABEL_WIDTH + PLOT_WIDTH * value / scale, 1)
