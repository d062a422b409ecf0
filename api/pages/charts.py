"""Bar charts as inline SVG, drawn on the server: no JavaScript, no library, works offline and
prints. Colours come from CSS classes (``bar-0`` …), so the page's stylesheet themes them; the
numbers are written on the bars, so a chart reads without colour too.

Each chart is drawn twice: wide (labels beside the bars) and narrow (each label on its own line
above its bars, in a viewBox about as wide as a phone's screen), and the stylesheet shows one by
the width of the screen. An SVG scales its text with its box, so the wide drawing alone, squeezed
onto a 390 px phone, wrote its labels at about 5 px."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

ROW = 22  # height of one bar
GAP = 6
LABEL_WIDTH = 210
CHART_WIDTH = 640
# The narrow drawing's units are about CSS pixels on a phone (a 390 px screen leaves ~340 px for
# the chart), so its 13-unit text shows at about 12 px.
NARROW_WIDTH = 340
LABEL_LINE = 18


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def _trim(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    number: str = "{:g}",
    width: int = CHART_WIDTH,
    label_width: int = LABEL_WIDTH,
) -> Markup:
    """Horizontal bars: one group per label, one bar per series in it; a legend when there are
    several series. ``title`` is the chart's accessible name; ``width`` and ``label_width`` are
    in the wide drawing's own units (it scales to its box)."""
    if not labels or not series:
        return Markup("")
    return Markup(
        _wide(labels, series, title=title, number=number, width=width, label_width=label_width)
        + _narrow(labels, series, title=title, number=number)
    )


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for index, one in enumerate(series):
        parts.append(f'<rect class="bar-{index}" x="{x:.0f}" y="{y:.0f}" width="14" height="14" rx="2"/>')
        parts.append(f'<text class="legend" x="{x + 20:.0f}" y="{y + 12:.0f}">{escape(one.name)}</text>')
        x += 30 + 8 * len(one.name)
    return parts


def _narrow(labels: Sequence[str], series: Sequence[Series], *, title: str, number: str) -> str:
    width = NARROW_WIDTH
    peak = max((v for s in series for v in s.values), default=0) or 1
    legend = 24 if len(series) > 1 else 0
    per_group = LABEL_LINE + len(series) * ROW + GAP
    height = legend + per_group * len(labels)
    span = width - 50
    parts = [
        f'<svg class="chart narrow" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if legend:
        parts += _legend(series, 0, 4)
    for group, label in enumerate(labels):
        top = legend + group * per_group
        parts.append(
            f'<text class="axis-label" x="0" y="{top + LABEL_LINE - 5}">'
            f"<title>{escape(label)}</title>{escape(_trim(label, 44))}</text>"
        )
        for index, one in enumerate(series):
            value = one.values[group]
            bar = max(span * value / peak, 0)
            y = top + LABEL_LINE + index * ROW
            parts.append(
                f'<rect class="bar-{index}" x="0" y="{y + 1}" width="{bar:.1f}" height="{ROW - 5}" rx="2">'
                f"<title>{escape(one.name)}: {escape(number.format(value))}</title></rect>"
            )
            parts.append(
                f'<text class="value" x="{bar + 5:.1f}" y="{y + ROW / 2 + 3:.0f}">'
                f"{escape(number.format(value))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _wide(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    number: str,
    width: int,
    label_width: int,
) -> str:
    peak = max((v for s in series for v in s.values), default=0) or 1
    per_group = len(series) * ROW + GAP * 2
    legend = 24 if len(series) > 1 else 0
    height = legend + per_group * len(labels)
    span = width - label_width - 50
    limit = max(label_width // 7, 8)
    parts = [
        f'<svg class="chart wide" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if legend:
        parts += _legend(series, label_width, 4)
    for group, label in enumerate(labels):
        top = legend + group * per_group + GAP
        middle = top + len(series) * ROW / 2
        parts.append(
            f'<text class="axis-label" x="{label_width - 8}" y="{middle + 4:.0f}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_trim(label, limit))}</text>"
        )
        for index, one in enumerate(series):
            value = one.values[group]
            bar = max(span * value / peak, 0)
            y = top + index * ROW
            parts.append(
                f'<rect class="bar-{index}" x="{label_width}" y="{y + 2}" width="{bar:.1f}" '
                f'height="{ROW - 5}" rx="2"><title>{escape(one.name)}: {escape(number.format(value))}'
                "</title></rect>"
            )
            parts.append(
                f'<text class="value" x="{label_width + bar + 5:.1f}" y="{y + ROW / 2 + 3:.0f}">'
                f"{escape(number.format(value))}</text>"
            )
    parts.append(f'<line class="axis" x1="{label_width}" y1="{legend}" x2="{label_width}" y2="{height}"/>')
    parts.append("</svg>")
    return "".join(parts)
