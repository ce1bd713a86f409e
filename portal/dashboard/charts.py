"""Small server-rendered SVG charts, inlined in the page.

Our CSP forbids inline ``style=`` attributes and scripts, so colours are SVG presentation
attributes and text sizes come from classes in portal.css. Every chart is ``role="img"`` with a
<title> and a <desc>; the page also shows the same numbers as text or in a table, so the chart
is never the only way to read them. Charts are drawn left to right in both text directions
(numbers on an axis read left to right in Arabic and Urdu too).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape
from scipy import stats

#: Band colours. Light fills carry dark text (≥ 7:1); the critical fill carries white (6.5:1).
BAND_FILL = {
    "low": "#cfe8d5",
    "medium": "#fbe7a1",
    "high": "#f7c08a",
    "critical": "#b3261e",
    "none": "#e3e6ea",
}
BAND_INK = {"critical": "#ffffff"}
INK = "#1b1f24"
MUTED = "#4f5863"
LINE = "#c9ced6"
TAU = "#b3261e"
DOT = "#0b4f6c"

_ids = count(1)


def _id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css: str) -> Markup:
    title_id, desc_id = _id("chart-t"), _id("chart-d")
    # Safe: every interpolated value in ``body`` is a number, a constant or passed through escape().
    return Markup(  # noqa: S704
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg" dir="ltr">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def band_bar(counts: dict[str, int], labels: dict[str, str], title: str, desc: str) -> Markup:
    """One stacked bar: sites per band, worst first, each part labelled with its count."""
    width, height = 320, 28
    total = sum(counts.values())
    body = []
    x = 0.0
    if total == 0:
        body.append(
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="{BAND_FILL["none"]}"/>'
        )
    for band, value in counts.items():
        if not value:
            continue
        part = width * value / total
        body.append(
            f'<rect x="{_num(x)}" y="0" width="{_num(part)}" height="{height}" '
            f'fill="{BAND_FILL[band]}" stroke="#ffffff" stroke-width="1">'
            f"<title>{escape(labels[band])}: {value}</title></rect>"
        )
        if part >= 18:
            body.append(
                f'<text x="{_num(x + part / 2)}" y="19" text-anchor="middle" '
                f'fill="{BAND_INK.get(band, INK)}" class="chart-label">{value}</text>'
            )
        x += part
    return _svg(width, height, title, desc, body, "chart-bar")


@dataclass
class IntervalRow:
    label: str
    mean: float
    low: float
    high: float
    tau: float
    band: str


def interval_chart(rows: list[IntervalRow], title: str, desc: str) -> Markup:
    """Each signal's posterior mean (dot) with its 90 % interval (bar) against its τ line."""
    label_width, plot_width, row_height, top = 64, 256, 22, 18
    width = label_width + plot_width + 8
    height = top + row_height * max(1, len(rows)) + 4
    limit = max([0.2, *(row.high for row in rows), *(row.tau for row in rows)])
    limit = min(1.0, limit * 1.1)

    def x(value: float) -> float:
        return label_width + plot_width * min(value, limit) / limit

    body = []
    for tick in _ticks(limit):
        body.append(
            f'<line x1="{_num(x(tick))}" x2="{_num(x(tick))}" y1="{top - 4}" y2="{height - 4}" '
            f'stroke="{LINE}" stroke-width="1"/>'
            f'<text x="{_num(x(tick))}" y="12" text-anchor="middle" fill="{MUTED}" '
            f'class="chart-axis">{round(tick * 100)}%</text>'
        )
    for index, row in enumerate(rows):
        y = top + row_height * index + row_height / 2
        body.append(
            f'<text x="0" y="{_num(y + 4)}" fill="{INK}" class="chart-label">'
            f"{escape(row.label)}</text>"
            f'<line x1="{_num(x(row.tau))}" x2="{_num(x(row.tau))}" y1="{_num(y - 9)}" '
            f'y2="{_num(y + 9)}" stroke="{TAU}" stroke-width="2" stroke-dasharray="3 2"/>'
            f'<line x1="{_num(x(row.low))}" x2="{_num(x(row.high))}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{DOT}" stroke-width="4" stroke-linecap="round" opacity="0.45"/>'
            f'<circle cx="{_num(x(row.mean))}" cy="{_num(y)}" r="4.5" fill="{DOT}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
    return _svg(width, height, title, desc, body, "chart-intervals")


def _ticks(limit: float) -> list[float]:
    step = 0.05 if limit <= 0.25 else 0.1 if limit <= 0.5 else 0.25
    ticks, value = [], 0.0
    while value <= limit + 1e-9:
        ticks.append(round(value, 4))
        value += step
    return ticks


@dataclass
class FunnelPoint:
    label: str
    n: int
    rate: float
    band: str


def funnel_limits(p0: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """The rates between which a site of size n falls with probability ``level`` when its true
    rate is the baseline p0 (binomial quantiles, as in Spiegelhalter's funnel plots)."""
    tail = (1 - level) / 2
    low = stats.binom.ppf(tail, n, p0) / n
    high = stats.binom.ppf(1 - tail, n, p0) / n
    return float(low), float(high)


def funnel_plot(points: list[FunnelPoint], p0: float, title: str, desc: str) -> Markup:
    """Rate against n, with the baseline p0 and its 95 % funnel limits."""
    left, bottom, plot_w, plot_h = 36, 24, 280, 180
    width, height = left + plot_w + 8, plot_h + bottom + 8
    max_n = max([20, *(point.n for point in points)])
    top_rate = min(1.0, max([0.1, p0 * 3, *(point.rate for point in points)]) * 1.1)

    def x(n: float) -> float:
        return left + plot_w * n / max_n

    def y(rate: float) -> float:
        return 8 + plot_h * (1 - min(rate, top_rate) / top_rate)

    body = [
        f'<line x1="{left}" x2="{left}" y1="8" y2="{8 + plot_h}" stroke="{MUTED}"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{8 + plot_h}" y2="{8 + plot_h}" '
        f'stroke="{MUTED}"/>'
    ]
    for tick in _ticks(top_rate):
        body.append(
            f'<text x="{left - 4}" y="{_num(y(tick) + 4)}" text-anchor="end" fill="{MUTED}" '
            f'class="chart-axis">{round(tick * 100)}%</text>'
        )
    for tick in (0, max_n // 2, max_n):
        body.append(
            f'<text x="{_num(x(tick))}" y="{height - 4}" text-anchor="middle" fill="{MUTED}" '
            f'class="chart-axis">{tick}</text>'
        )
    steps = sorted({max(1, round(max_n * i / 60)) for i in range(61)})
    lows, highs = [], []
    for n in steps:
        low, high = funnel_limits(p0, n)
        lows.append(f"{_num(x(n))},{_num(y(low))}")
        highs.append(f"{_num(x(n))},{_num(y(high))}")
    for line in (lows, highs):
        body.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="{MUTED}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
    body.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y(p0))}" y2="{_num(y(p0))}" '
        f'stroke="{DOT}" stroke-width="1.5"/>'
    )
    for point in points:
        body.append(
            f'<circle cx="{_num(x(point.n))}" cy="{_num(y(point.rate))}" r="5" '
            f'fill="{BAND_FILL[point.band]}" stroke="{INK}" stroke-width="1.2">'
            f"<title>{escape(point.label)}</title></circle>"
        )
    return _svg(width, height, title, desc, body, "chart-funnel")
