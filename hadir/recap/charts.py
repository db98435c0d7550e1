"""Small server-drawn SVG bar charts: no JavaScript, print well, work offline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_chart(
    bars: Sequence[Bar], *, title: str, colour: str = "#1b5e20", width: int = 640, height: int = 160
) -> str:
    """An accessible SVG bar chart (each bar has a <title> with its label and value)."""
    if not bars:
        return ""
    top = max(b.value for b in bars) or 1
    slot = width / len(bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        h = round(bar.value / top * height)
        x = round(index * slot + slot * 0.1, 1)
        parts.append(
            f'<rect x="{x}" y="{height - h}" width="{round(slot * 0.8, 1)}" height="{h}" fill="{colour}">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
        )
        if len(bars) <= 31:
            parts.append(
                f'<text x="{round(index * slot + slot / 2, 1)}" y="{height + 14}" font-size="10" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def bar_list(bars: Sequence[Bar], *, title: str, colour: str = "#1b5e20") -> str:
    """Bars with long labels (units), one line each, drawn in HTML: the label is text that
    wraps and reads on any screen, where an SVG's labels under narrow bars overlap."""
    if not bars:
        return ""
    top = max(b.value for b in bars) or 1
    rows = "".join(
        f'<li title="{escape(bar.label)}: {bar.value}"><span class="label">{escape(bar.label)}'
        f'</span><span class="bar" style="width: {bar.value / top * 100:.1f}%; '
        f'background: {colour}"></span><span class="value">{bar.value}</span></li>'
        for bar in bars
    )
    return f'<ul class="bar-list" aria-label="{escape(title)}">{rows}</ul>'
