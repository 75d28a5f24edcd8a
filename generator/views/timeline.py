"""A claim's source and the articles that repeated it -> the geometry of a timeline (SVG units).

The rows carry facts (what each is, its date, where it links to); the theme draws them and
says what they are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from generator.model import Article, PartialDate, Source

WIDTH = 360
"""The SVG's width in user units (it scales to the page)."""
ROW = 40.0
"""The height of one row: a label above its mark."""
MARGIN = 8.0
"""Space left and right of the axis."""
DOT_WIDTH = 6.0
"""The narrowest mark, for a date known to the day."""


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str
    """The year."""
    label_x: float


@dataclass(frozen=True, slots=True)
class TimelineRow:
    kind: str
    """`source`, or the fidelity class drawn for an article (`none` when not compared)."""
    name: str | None
    """For the source, its symbol (None when it has none); for an article, its outlet's name."""
    count: int
    """For an article, how many of its passages repeat the claim."""
    date: PartialDate | None
    y: float
    """Baseline of the label text."""
    bar_y: float
    x1: float | None
    x2: float | None
    """None when the date is unknown."""
    point: bool
    """True for a date known to the day (drawn as a dot), False for a month or year (a bar)."""


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: float
    axis_y: float
    left: float
    right: float
    ticks: tuple[Tick, ...]
    rows: tuple[TimelineRow, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing to place on the timeline."""

    kind: str
    name: str | None
    count: int
    date: PartialDate | None


def entries(source: Source | None, groups: Iterable[tuple[Article, int, str]]) -> list[Entry]:
    """The source (when dated) and each article: (article, passages, kind)."""
    found: list[Entry] = []
    if source is not None and source.date is not None:
        found.append(Entry("source", source.symbol, 0, source.date))
    for article, count, kind in groups:
        found.append(Entry(kind, article.outlet.name, count, article.date))
    return found


def span_of(date: PartialDate) -> tuple[float, float]:
    """The stretch of time, in years, that a date known to the day, month or year covers."""
    start = date.year + ((date.month or 1) - 1) / 12 + ((date.day or 1) - 1) / 372
    if date.day:
        return start, start + 1 / 372
    if date.month:
        return start, start + 1 / 12
    return start, start + 1.0


def timeline(items: list[Entry]) -> Timeline | None:
    """The entries on one time axis; None with fewer than two dates."""
    dated = [span_of(item.date) for item in items if item.date is not None]
    if len(dated) < 2:
        return None
    first = int(min(s for s, _ in dated))
    last = int(max(e for _, e in dated) - 1e-9) + 1
    left, right = MARGIN, WIDTH - MARGIN

    def x(value: float) -> float:
        return round(left + (value - first) / (last - first) * (right - left), 1)

    rows = []
    for index, item in enumerate(items):
        y = 18 + index * ROW
        x1 = x2 = None
        if item.date is not None:
            start, end = span_of(item.date)
            x1 = x(start)
            x2 = max(x(end), x1 + DOT_WIDTH)
        rows.append(TimelineRow(item.kind, item.name, item.count, item.date,
                                y, y + 12, x1, x2, item.date is not None and item.date.day is not None))
    axis_y = 18 + len(items) * ROW - 8
    years = last - first
    step = 1 if years <= 6 else 2 if years <= 12 else 5
    ticks = tuple(
        Tick(x(year), str(year), x(year + 0.5))
        for year in range(first, last)
        if (year - first) % step == 0
    )
    return Timeline(WIDTH, axis_y + 24, axis_y, left, right, ticks, tuple(rows))
