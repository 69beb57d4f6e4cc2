"""Horizontal bar charts as inline SVG, drawn on the server: no JavaScript, no external assets,
and only presentation attributes (the CSP allows no inline styles). Each chart names itself
with <title> and <desc> for screen readers; the page shows the same numbers as a table."""

from dataclasses import dataclass

from markupsafe import Markup, escape

from app.i18n import format_number

WIDTH = 720
LABEL_WIDTH = 300
VALUE_WIDTH = 80
BAR_HEIGHT = 22
GAP = 8
TOP = 10
LABEL_CHARS = 36  # about 7.5 px a character at 13 px: fits LABEL_WIDTH
BAR_COLOUR = "#2e7d4f"
TEXT_COLOUR = "#1d2b24"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float
    lang: str = ""  # the label's language where it may differ from the page's ("vi": a ward)


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, bars: list[Bar], description: str = "") -> Markup:
    """An SVG bar chart; every text is escaped here, so labels may come from user input."""
    largest = max((bar.value for bar in bars), default=0) or 1
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + max(len(bars), 1) * (BAR_HEIGHT + GAP)
    summary = description or "; ".join(f"{bar.label}: {format_number(bar.value)}" for bar in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR_HEIGHT + GAP)
        width = round(bar_space * bar.value / largest, 1) if bar.value > 0 else 0
        middle = y + BAR_HEIGHT / 2
        lang = f' lang="{escape(bar.lang)}"' if bar.lang else ""
        parts.append(
            f"<g{lang}><title>{escape(bar.label)}: {escape(format_number(bar.value))}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="13" fill="{TEXT_COLOUR}">'
            f"{escape(_shorten(bar.label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="3" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{middle}" dominant-baseline="middle" '
            f'font-size="13" fill="{TEXT_COLOUR}">{escape(format_number(bar.value))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
