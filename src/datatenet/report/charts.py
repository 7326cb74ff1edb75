"""Small charts as geometry: rectangles and labels a template draws as inline SVG.

Everything is computed here from the numbers, so the page needs no charting library and makes
no request. Labels may come from the data (words, topic names): they are plain strings, and the
template escapes them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

BAR_HEIGHT = 16
GAP = 4
LABEL_WIDTH = 170
PLOT_WIDTH = 300
VALUE_WIDTH = 80
MAX_BARS = 30


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    cls: str  # "base", "head", or a kind: the stylesheet colours it
    title: str  # the tooltip: label and value


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start, middle, end
    cls: str = ""


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    title: str
    rects: tuple[Rect, ...] = ()
    labels: tuple[Label, ...] = ()
    legend: tuple[tuple[str, str], ...] = field(default=())  # (css class, text)


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3g}"


def bars(title: str, items: Sequence[tuple[str, float]], cls: str = "head") -> Chart | None:
    """One horizontal bar per item, longest first as given; None when nothing is positive."""
    items = [(label, float(value)) for label, value in items[:MAX_BARS] if _finite(value)]
    top = max((abs(v) for _, v in items), default=0.0)
    if not items or top == 0:
        return None
    rects, labels = [], []
    for row, (label, value) in enumerate(items):
        y = row * (BAR_HEIGHT + GAP)
        width = PLOT_WIDTH * abs(value) / top
        rects.append(
            Rect(LABEL_WIDTH, y, max(width, 1), BAR_HEIGHT, cls, f"{label}: {_fmt(value)}")
        )
        labels.append(Label(LABEL_WIDTH - 6, y + BAR_HEIGHT - 4, _clip(label), "end"))
        labels.append(Label(LABEL_WIDTH + width + 4, y + BAR_HEIGHT - 4, _fmt(value), cls="num"))
    height = len(items) * (BAR_HEIGHT + GAP)
    return Chart(LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH, height, title, tuple(rects), tuple(labels))


def paired_bars(
    title: str, items: Sequence[tuple[str, float, float]], names: tuple[str, str] = ("base", "head")
) -> Chart | None:
    """Two bars per item (before and after), e.g. a topic's share in base and in head."""
    items = [
        (label, float(a), float(b)) for label, a, b in items[:MAX_BARS] if _finite(a) and _finite(b)
    ]
    top = max((max(abs(a), abs(b)) for _, a, b in items), default=0.0)
    if not items or top == 0:
        return None
    half = BAR_HEIGHT // 2
    rects, labels = [], []
    for row, (label, before, after) in enumerate(items):
        y = row * (BAR_HEIGHT + GAP)
        for offset, value, cls, name in (
            (0, before, "base", names[0]),
            (half, after, "head", names[1]),
        ):
            width = PLOT_WIDTH * abs(value) / top
            rects.append(
                Rect(
                    LABEL_WIDTH,
                    y + offset,
                    max(width, 1),
                    half - 1,
                    cls,
                    f"{label}, {name}: {_fmt(value)}",
                )
            )
        labels.append(Label(LABEL_WIDTH - 6, y + BAR_HEIGHT - 4, _clip(label), "end"))
        end = LABEL_WIDTH + PLOT_WIDTH * max(abs(before), abs(after)) / top + 4
        labels.append(Label(end, y + BAR_HEIGHT - 4, f"{_fmt(before)} → {_fmt(after)}", cls="num"))
    height = len(items) * (BAR_HEIGHT + GAP)
    legend = (("base", names[0]), ("head", names[1]))
    return Chart(
        LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH + 40,
        height,
        title,
        tuple(rects),
        tuple(labels),
        legend,
    )


def histogram_pair(
    title: str, before: Sequence[float], after: Sequence[float], bins: int = 20
) -> Chart | None:
    """The distributions of one number (e.g. answer length) before and after, on shared bins,
    each normalised to its own total so sizes of different samples compare."""
    a = [float(v) for v in before if _finite(v)]
    b = [float(v) for v in after if _finite(v)]
    if not a and not b:
        return None
    low, high = min(a + b), max(a + b)
    edges = (
        [low + (high - low) * i / bins for i in range(bins + 1)] if high > low else [low, low + 1]
    )
    return binned_pair(title, edges, _counts(a, edges), _counts(b, edges))


def binned_pair(
    title: str, edges: Sequence[float], before: Sequence[float], after: Sequence[float]
) -> Chart | None:
    """Two histograms already binned (counts per bin between `edges`), drawn base above head."""
    bins = len(edges) - 1
    if bins < 1 or len(before) != bins or len(after) != bins:
        return None
    shares = [_shares(before), _shares(after)]
    top = max(max(s, default=0.0) for s in shares)
    if top == 0:
        return None
    width, row_height = 360.0, 44.0
    step = width / bins
    rects, labels = [], []
    for row, (values, cls, name) in enumerate(
        zip(shares, ("base", "head"), ("before", "after"), strict=True)
    ):
        y0 = row * (row_height + 14)
        labels.append(Label(0, y0 + 10, name, cls="axis"))
        for i, share in enumerate(values):
            h = row_height * share / top
            where = f"{_fmt(edges[i])}–{_fmt(edges[i + 1])}"
            rects.append(
                Rect(
                    60 + i * step,
                    y0 + row_height - h,
                    max(step - 1, 1),
                    h,
                    cls,
                    f"{name} {where}: {share:.1%}",
                )
            )
        labels.append(Label(60, y0 + row_height + 11, _fmt(edges[0]), cls="axis"))
        labels.append(Label(60 + width, y0 + row_height + 11, _fmt(edges[-1]), "end", "axis"))
    return Chart(60 + width + 10, 2 * (row_height + 14), title, tuple(rects), tuple(labels))


def stacked(
    title: str, parts: Sequence[tuple[str, float, str]], width: float = 460
) -> Chart | None:
    """One bar split into parts (label, value, css class), e.g. unchanged/added/modified."""
    total = sum(max(v, 0) for _, v, _ in parts)
    if total <= 0:
        return None
    rects, x = [], 0.0
    legend = []
    for label, value, cls in parts:
        if value <= 0:
            continue
        w = width * value / total
        rects.append(Rect(x, 0, w, 18, cls, f"{label}: {_fmt(value)} ({value / total:.1%})"))
        legend.append((cls, f"{label} {_fmt(value)}"))
        x += w
    return Chart(width, 18, title, tuple(rects), (), tuple(legend))


def _counts(values: Sequence[float], edges: Sequence[float]) -> list[float]:
    counts = [0.0] * (len(edges) - 1)
    low, high = edges[0], edges[-1]
    span = high - low or 1.0
    for value in values:
        index = min(int((value - low) / span * len(counts)), len(counts) - 1)
        counts[max(index, 0)] += 1
    return counts


def _shares(counts: Sequence[float]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _clip(text: str, limit: int = 28) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


PALETTE = 8  # css classes c0..c7 colour the parts of stacked columns


def stacked_columns(
    title: str, columns: Sequence[tuple[str, Mapping[str, float]]], keys: Sequence[str]
) -> Chart | None:
    """One column per step (e.g. a commit), split by key (e.g. a behaviour), over time."""
    top = max((sum(max(v, 0) for v in parts.values()) for _, parts in columns), default=0.0)
    if not columns or top <= 0:
        return None
    height, step = 160.0, max(14.0, min(48.0, 640.0 / len(columns)))
    classes = {key: f"c{i % PALETTE}" for i, key in enumerate(keys)}
    rects, labels = [], []
    for index, (label, parts) in enumerate(columns):
        x, y = 40 + index * step, height
        for key in keys:
            value = parts.get(key, 0.0)
            if value <= 0:
                continue
            h = height * value / top
            y -= h
            rects.append(Rect(x, y, step - 2, h, classes[key], f"{label}: {key}: {_fmt(value)}"))
        if len(columns) <= 30 or index % max(1, len(columns) // 15) == 0:
            labels.append(
                Label(x + (step - 2) / 2, height + 12, _clip(label, 10), "middle", "axis")
            )
    labels.append(Label(36, 10, _fmt(top), "end", "axis"))
    labels.append(Label(36, height, "0", "end", "axis"))
    legend = tuple((classes[key], _clip(key, 60)) for key in keys)
    width = 40 + len(columns) * step + 10
    return Chart(width, height + 16, title, tuple(rects), tuple(labels), legend)


def quantile_pair(
    title: str, before: Sequence[float], after: Sequence[float], width: float = 360
) -> Chart | None:
    """One number's spread before and after, from its 10th, 25th, 50th, 75th and 90th
    percentiles: a whisker from the 10th to the 90th, a box from the 25th to the 75th, a tick
    at the median, on one shared scale."""
    rows = [[float(v) for v in q] for q in (before, after)]
    if any(len(q) != 5 or not all(_finite(v) for v in q) for q in rows):
        return None
    low = min(min(q) for q in rows)
    high = max(max(q) for q in rows)
    span = high - low or 1.0
    left, row_height = 60.0, 18.0

    def x(value: float) -> float:
        return left + width * (value - low) / span

    rects, labels = [], []
    for row, (q, cls, name) in enumerate(
        zip(rows, ("base", "head"), ("before", "after"), strict=True)
    ):
        y = row * (row_height + 8)
        p10, p25, p50, p75, p90 = q
        where = ", ".join(
            f"{rank} {_fmt(v)}"
            for rank, v in zip(("10th", "25th", "median", "75th", "90th"), q, strict=True)
        )
        labels.append(Label(0, y + 13, name, cls="axis"))
        rects.append(
            Rect(
                x(p10), y + row_height / 2 - 1, max(x(p90) - x(p10), 1), 2, cls, f"{name}: {where}"
            )
        )
        rects.append(
            Rect(x(p25), y + 2, max(x(p75) - x(p25), 2), row_height - 4, cls, f"{name}: {where}")
        )
        rects.append(Rect(x(p50) - 1, y, 3, row_height, "median", f"{name}: median {_fmt(p50)}"))
    bottom = 2 * (row_height + 8)
    labels.append(Label(left, bottom + 4, _fmt(low), cls="axis"))
    labels.append(Label(left + width, bottom + 4, _fmt(high), "end", "axis"))
    legend = (("base", "before"), ("head", "after"))
    return Chart(left + width + 10, bottom + 6, title, tuple(rects), tuple(labels), legend)


def range_marker(
    title: str,
    band: tuple[float, float],
    marks: Sequence[tuple[str, float, str]],
    low: float = 0.0,
    high: float = 1.0,
    width: float = 360,
) -> Chart | None:
    """A scale from `low` to `high` with a shaded band (e.g. where random batches fall) and
    labelled ticks (label, value, css class), e.g. this batch's and the dataset's entropy."""
    values = [band[0], band[1], *(v for _, v, _ in marks)]
    if not all(_finite(v) for v in values) or high <= low:
        return None
    left = 10.0

    def x(value: float) -> float:
        return left + width * (min(max(value, low), high) - low) / (high - low)

    rects = [
        Rect(left, 14, width, 6, "scale", f"{_fmt(low)} to {_fmt(high)}"),
        Rect(
            x(band[0]),
            8,
            max(x(band[1]) - x(band[0]), 2),
            18,
            "band",
            f"{_fmt(band[0])}–{_fmt(band[1])}",
        ),
    ]
    labels = [
        Label(left, 40, _fmt(low), cls="axis"),
        Label(left + width, 40, _fmt(high), "end", "axis"),
    ]
    legend = [("band", f"band {_fmt(band[0])}–{_fmt(band[1])}")]
    for label, value, cls in marks:
        rects.append(Rect(x(value) - 1.5, 2, 3, 30, cls, f"{label}: {_fmt(value)}"))
        legend.append((cls, f"{label} {_fmt(value)}"))
    return Chart(left + width + 10, 44, title, tuple(rects), tuple(labels), tuple(legend))
