"""Charts as SVG text, for pages that work without JavaScript: a household's monthly per-capita income
against the monitoring line, and a small weekly sparkline. Pure functions: the caller formats every word
and amount for its locale (month labels, point titles, money for the axis), the chart only places them.

Colours are presentation attributes, which a page's CSS classes override and a Content-Security-Policy
without 'unsafe-inline' allows; no `style` attribute is written. Positions are computed exactly
(`Fraction`), so any integer, however large or negative, lands inside the picture."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'class={cls}>')

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 80, 16, 24, 36  # margins: money ticks on the left, months below
TICKS = 4


def income_chart(values_fen: Sequence[int], line_fen: int, *, month_labels: Sequence[str],
                 point_titles: Sequence[str], money: Callable[[int], str], line_label: str, title: str,
                 desc: str) -> str:
    """A bar a month, the monitoring line across, bars strictly below it in class `below`; each bar's
    `<title>` is its point title. Raises ValueError if the labels or titles are not one a value."""
    _check_lengths(values_fen, month_labels=month_labels, point_titles=point_titles)
    ticks = _ticks(min(0, line_fen, *values_fen), max(0, line_fen, *values_fen), minimum_step=100)
    y = _scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    parts = [_SVG.format(w=WIDTH, h=HEIGHT, cls=quoteattr("chart income-chart")),
             _element("title", title), _element("desc", desc), '<g class="axis">']
    for tick in ticks:
        parts.append(f'<line class="tick" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y(tick))}" y2="{_n(y(tick))}" '
                     f'stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(_text(money(tick), LEFT - 6, y(tick) + 4, "end", "tick-label"))
    parts.append("</g>")
    column = Fraction(WIDTH - LEFT - RIGHT, max(len(values_fen), 1))
    for n, (value, label, point) in enumerate(zip(values_fen, month_labels, point_titles)):
        below = value < line_fen
        x = LEFT + column * n
        top, bottom = sorted((y(value), y(0)))
        parts += [f'<g class="{"point below" if below else "point"}">', _element("title", point),
                  f'<rect class="column" x="{_n(x)}" y="{TOP}" width="{_n(column)}" height="{HEIGHT - BOTTOM - TOP}" '
                  'fill="none" pointer-events="all"/>',
                  f'<rect class="bar" x="{_n(x + column / 5)}" y="{_n(top)}" width="{_n(column * 3 / 5)}" '
                  f'height="{_n(bottom - top)}" fill="{"#c0392b" if below else "#2e7d32"}"/>',
                  *([_marker(x + column / 2, y(value))] if below else []),
                  _text(label, x + column / 2, HEIGHT - BOTTOM + 18, "middle", "month-label"), "</g>"]
    line = y(line_fen)
    parts += [f'<line class="monitoring-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(line)}" y2="{_n(line)}" '
              'stroke="#b26a00" stroke-width="2" stroke-dasharray="6 4"/>',
              _text(line_label, WIDTH - RIGHT, line - 5 if line > TOP + 12 else line + 14, "end", "line-label"),
              "</svg>"]
    return "".join(parts)


def sparkline(values: Sequence[int], *, title: str, point_titles: Sequence[str] | None = None,
              width: int = 120, height: int = 32) -> str:
    """A line through the values, left to right, each a dot whose `<title>` is its point title (the value
    itself when none is given). Raises ValueError if the titles are not one a value."""
    titles = [str(value) for value in values] if point_titles is None else point_titles
    _check_lengths(values, point_titles=titles)
    pad = 3
    y = _scale(min(values, default=0), max(values, default=0), height - pad, pad)
    step = Fraction(width - 2 * pad, max(len(values) - 1, 1))
    xs = [Fraction(width, 2)] if len(values) == 1 else [pad + step * n for n in range(len(values))]
    parts = [_SVG.format(w=width, h=height, cls=quoteattr("chart sparkline")), _element("title", title)]
    if values:
        line = " ".join(f"{_n(x)},{_n(y(value))}" for x, value in zip(xs, values))
        parts.append(f'<polyline class="trend" points="{line}" fill="none" stroke="#2e6da4" stroke-width="1.5"/>')
    for x, value, point in zip(xs, values, titles):
        parts += ['<g class="point">', _element("title", point),
                  f'<circle cx="{_n(x)}" cy="{_n(y(value))}" r="2" fill="#2e6da4"/>', "</g>"]
    parts.append("</svg>")
    return "".join(parts)


def trend_line(values: Sequence[int], *, title: str, width: int = 120, height: int = 32) -> str:
    """A sparkline for a table of many: a line through the values and a dot at the last, in whole units, under
    one title (which should say the values: no point has one of its own). Integer arithmetic, exact for any
    value, as a page draws hundreds."""
    pad = 3
    low, high = min(values, default=0), max(values, default=0)
    span, last = high - low, len(values) - 1

    def spot(n: int, value: int) -> tuple[int, int]:
        x = width // 2 if last == 0 else pad + (width - 2 * pad) * n // last
        return x, height // 2 if span == 0 else height - pad - (height - 2 * pad) * (value - low) // span

    spots = [spot(n, value) for n, value in enumerate(values)]
    parts = [f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             'class="chart sparkline">', _element("title", title)]
    if len(spots) > 1:
        parts.append(f'<polyline points="{" ".join(f"{x},{y}" for x, y in spots)}" fill="none" stroke="#2e6da4" '
                     'stroke-width="1.5"/>')
    if spots:
        parts.append(f'<circle cx="{spots[-1][0]}" cy="{spots[-1][1]}" r="2" fill="#2e6da4"/>')
    parts.append("</svg>")
    return "".join(parts)


def _marker(x: Fraction, y: Fraction) -> str:
    # a shape as well as a colour, and one that shows for a month of nothing, whose bar has no height
    return f'<circle class="marker" cx="{_n(x)}" cy="{_n(y)}" r="4" fill="#c0392b" stroke="#fff" stroke-width="1"/>'


def _check_lengths(values: Sequence, **labels: Sequence[str]) -> None:
    for name, given in labels.items():
        if len(given) != len(values):
            raise ValueError(f"{name}: {len(given)} for {len(values)} values")


def _ticks(low: int, high: int, minimum_step: int = 1) -> list[int]:
    """Round values (1, 2 or 5 times a power of ten) from at or below `low` to at or above `high`."""
    raw = max(-(-(high - low) // TICKS), minimum_step)
    magnitude = 10 ** (len(str(raw)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first, last = low // step * step, -(-high // step) * step
    if last == first:
        last += step
    return list(range(first, last + 1, step))


def _scale(low: int, high: int, at_low: int, at_high: int) -> Callable[[int], Fraction]:
    """value -> its coordinate between `at_low` and `at_high` (the middle when all values are equal)."""
    span = high - low

    def place(value: int) -> Fraction:
        share = Fraction(value - low, span) if span else Fraction(1, 2)
        return at_low + (at_high - at_low) * share

    return place


def _n(value: Fraction | int) -> str:
    return f"{float(value):.1f}"


def _clean(text: str) -> str:
    """Text XML can hold: characters it cannot (controls, lone surrogates) become U+FFFD, the rest escaped."""
    return escape(_NOT_XML.sub("\ufffd", text))


def _element(name: str, text: str) -> str:
    return f"<{name}>{_clean(text)}</{name}>"


def _text(text: str, x, y, anchor: str, cls: str) -> str:
    return (f'<text class="{cls}" x="{_n(Fraction(x))}" y="{_n(Fraction(y))}" text-anchor="{anchor}" '
            f'font-size="11" fill="#333">{_clean(text)}</text>')
