"""Ranked bar charts drawn on the server: SVG for screens, HTML and PDF, PNG for Word.

No charting library: a bar chart is rectangles and text. Every chart is one
picture of numbers that are also printed beside it as text or a table (the
callers do that); the chart alone is never the only way to read them. Long
labels (an input's text) are shortened in the picture only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from markupsafe import escape

LABEL_CHARS = 48
FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


@dataclass(frozen=True)
class Row:
    """One bar: what it is, its number, how many phones gave it any, its rank (ties share one; 0: unranked)."""

    label: str
    votes: int
    voters: int = 0
    rank: int = 1

    def caption(self, limit: int = LABEL_CHARS) -> str:
        """The bar's label as drawn: '2. Title…' when ranked."""
        return f"{self.rank}. {short(self.label, limit)}" if self.rank else short(self.label, limit)


def rows_of(results: dict) -> list[Row]:
    """Rows from labelled results (vote_queries.labelled_results), already ranked."""
    return [Row(i["label"], i["votes"], i.get("voters", 0), i.get("rank", 1)) for i in results["items"]]


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """A label on one line, cut with an ellipsis where it is too long for the picture."""
    flat = " ".join(label.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def bar_chart_svg(
    rows: list[Row], title: str | None = None, scale: float = 1.0, description: str = "", compact: bool = False
) -> str:
    """A horizontal ranked bar chart as a standalone SVG document (text escaped).

    compact draws shorter labels and bars, so the text is larger when the
    picture is fitted into half a projector screen.
    """
    font = 16 * scale
    bar_h = 26 * scale
    gap = 12 * scale
    label_w = (300 if compact else 420) * scale
    bars_w = (260 if compact else 420) * scale
    limit = 30 if compact else LABEL_CHARS
    width = label_w + bars_w + 80 * scale
    top = (font * 2.2) if title else gap
    height = top + len(rows) * (bar_h + gap) + gap
    most = max([r.votes for r in rows] + [1])
    summary = description or "; ".join(f"{r.caption(len(r.label) + 5)}: {r.votes}" for r in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f"<title>{escape(title or summary)}</title>",
        f"<desc>{escape(summary)}</desc>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    if title:
        parts.append(
            f'<text x="{gap:.1f}" y="{font * 1.4:.1f}" font-size="{font * 1.2:.1f}" font-weight="bold" fill="#111">{escape(title)}</text>'
        )
    for n, row in enumerate(rows):
        y = top + n * (bar_h + gap)
        w = bars_w * row.votes / most
        baseline = y + bar_h * 0.72
        parts.append(
            f'<text x="{label_w - gap:.1f}" y="{baseline:.1f}" font-size="{font:.1f}" text-anchor="end" fill="#111">'
            f"{escape(row.caption(limit))}</text>"
        )
        parts.append(f'<rect x="{label_w:.1f}" y="{y:.1f}" width="{max(w, 1):.1f}" height="{bar_h:.1f}" fill="#1f5fa8"/>')
        parts.append(
            f'<text x="{label_w + max(w, 1) + gap / 2:.1f}" y="{baseline:.1f}" font-size="{font:.1f}" font-weight="bold" fill="#111">{row.votes}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def stacked_bar_chart_svg(rows: list[Row], description: str = "") -> str:
    """The same bars with each label on its own line above its bar, for a projector.

    Narrow and tall, so fitted into the part of a screen beside its table it
    draws its text large; a label gets the whole width before it is shortened.
    """
    font, bar_h, gap, width = 16.0, 30.0, 16.0, 480.0
    label_h = font * 1.4
    bars_w = width - 4.5 * font  # room for the number after the longest bar
    step = label_h + bar_h + gap
    height = len(rows) * step + gap / 2
    most = max([r.votes for r in rows] + [1])
    summary = description or "; ".join(f"{r.caption(len(r.label) + 5)}: {r.votes}" for r in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f"<title>{escape(summary)}</title>",
        f"<desc>{escape(summary)}</desc>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for n, row in enumerate(rows):
        y = n * step + gap / 2
        w = max(bars_w * row.votes / most, 1)
        parts.append(f'<text x="0" y="{y + font:.1f}" font-size="{font:.0f}" fill="#111">{escape(row.caption(LABEL_CHARS))}</text>')
        parts.append(f'<rect x="0" y="{y + label_h:.1f}" width="{w:.1f}" height="{bar_h:.0f}" fill="#1f5fa8"/>')
        parts.append(
            f'<text x="{w + font / 2:.1f}" y="{y + label_h + bar_h / 2 + font * 0.36:.1f}" font-size="{font:.0f}" '
            f'font-weight="bold" fill="#111">{row.votes}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _font(size: int):
    from PIL import ImageFont

    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def bar_chart_png(rows: list[Row], title: str | None = None, scale: float = 2.0) -> bytes:
    """The same chart as a PNG (for Word, which cannot be relied on to show SVG)."""
    from PIL import Image, ImageDraw

    font_size = int(16 * scale)
    bar_h = int(26 * scale)
    gap = int(12 * scale)
    label_w = int(420 * scale)
    bars_w = int(420 * scale)
    width = label_w + bars_w + int(80 * scale)
    top = int(font_size * 2.2) if title else gap
    height = top + len(rows) * (bar_h + gap) + gap
    most = max([r.votes for r in rows] + [1])
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = _font(font_size)
    if title:
        draw.text((gap, int(font_size * 0.4)), title, fill="#111111", font=_font(int(font_size * 1.2)))
    for n, row in enumerate(rows):
        y = top + n * (bar_h + gap)
        w = max(1, int(bars_w * row.votes / most))
        text = row.caption()
        while draw.textlength(text, font=font) > label_w - 2 * gap and len(text) > 4:
            text = text[:-2].rstrip() + "…"
        middle = y + bar_h // 2
        draw.text((label_w - gap, middle), text, fill="#111111", font=font, anchor="rm")
        draw.rectangle([label_w, y, label_w + w, y + bar_h], fill="#1f5fa8")
        draw.text((label_w + w + gap // 2, middle), str(row.votes), fill="#111111", font=font, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
