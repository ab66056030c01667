"""Hand-written SVG charts: no JavaScript, no external resource, fonts from the
system's sans-serif, and an accessible name (role="img", <title>, <desc>) stating
each chart's message. Lines differ by dash pattern as well as colour, and the LA's
bar by hatching and outline, so colour is never the only signal (WCAG 1.4.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 260, 56, 28, 16, 40
FONT = 'font-family="sans-serif" font-size="11"'
BLUE, ORANGE, BAND = "#1d70b8", "#b35c00", "#dcdcdc"


@dataclass(frozen=True)
class Line:
    """A month series drawn as a line (gaps where a value is null)."""

    label: str
    points: Sequence[tuple[date, float | None]]
    colour: str = BLUE
    dash: str = ""


@dataclass(frozen=True)
class Reference:
    """A horizontal reference: a target over the whole chart (``start`` None) or a
    published annual value drawn as a step over its reporting year's months."""

    label: str
    value: float
    colour: str
    dash: str
    start: date | None = None
    end: date | None = None


#: reference line styles: colour and dash pattern, each distinct
STYLES = {
    "target": ("#00703c", "8 4"),
    "sn": ("#d4351c", "2 3"),
    "region": ("#912b88", "10 3 2 3"),
    "england": ("#0b0c0c", "4 4"),
}


def _frame(chart_id: str, title: str, message: str, body: str, h: int = H) -> str:
    return (
        f'<svg viewBox="0 0 {W} {h}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(message)}</desc>{body}</svg>'
    )


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.1f}"


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def line_chart(
    chart_id: str,
    title: str,
    message: str,
    lines: Sequence[Line],
    refs: Sequence[Reference] = (),
    band: Sequence[tuple[date, float, float]] = (),
    band_label: str = "",
) -> str:
    """Month series on a shared month axis (y from 0) with labelled reference lines and
    an optional shaded band (lowest to highest per month); a legend names each."""
    dates = sorted({d for ln in lines for d, _ in ln.points})
    if not dates:
        return _frame(chart_id, title, message, "")
    first, last = dates[0], dates[-1]
    span = max(_months(first, last), 1)
    known = [v for ln in lines for _, v in ln.points if v is not None]
    known += [hi for _, _, hi in band]
    top = max([*known, *(r.value for r in refs), 0.0]) or 1.0
    top *= 1.1
    items = [(ln.label, ln.colour, ln.dash) for ln in lines]
    items += [(r.label, r.colour, r.dash) for r in refs]
    if band:
        items.append((band_label, BAND, "band"))
    columns = _legend_columns(items)
    h = H + 18 * -(-len(items) // columns)
    base = H - PAD_B

    def x(d: date) -> float:
        return PAD_L + (W - PAD_L - PAD_R) * _months(first, d) / span

    def y(v: float) -> float:
        return PAD_T + (base - PAD_T) * (1 - v / top)

    body: list[str] = [
        f'<line x1="{PAD_L}" y1="{base}" x2="{W - PAD_R}" y2="{base}" stroke="#505a5f"/>',
        f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{base}" stroke="#505a5f"/>',
        f'<text x="{PAD_L - 6}" y="{y(0) + 4:.1f}" {FONT} text-anchor="end">0</text>',
        f'<text x="{PAD_L - 6}" y="{y(top / 1.1) + 4:.1f}" {FONT} text-anchor="end">'
        f"{_num(top / 1.1)}</text>",
    ]
    if band:  # upper edge left to right, lower edge back: one filled outline
        ring = [(x(d), y(hi)) for d, _, hi in band] + [(x(d), y(lo)) for d, lo, _ in band[::-1]]
        outline = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in
                           enumerate(ring))  # fmt: skip
        body.append(f'<path d="{outline} Z" fill="{BAND}" stroke="none"/>')
    for r in refs:
        a = max(r.start or first, first)
        b = min(r.end or last, last)
        if a > b:
            continue
        x0, x1 = (x(a), x(b)) if r.start else (PAD_L, W - PAD_R)
        body.append(
            f'<line x1="{x0:.1f}" y1="{y(r.value):.1f}" x2="{x1:.1f}" y2="{y(r.value):.1f}" '
            f'stroke="{r.colour}" stroke-width="2" stroke-dasharray="{r.dash}"/>'
        )
        if r.start:  # the published year's point, at its 31 March
            body.append(
                f'<rect x="{x1 - 3:.1f}" y="{y(r.value) - 3:.1f}" width="6" height="6" '
                f'fill="{r.colour}"/>'
            )
    for ln in lines:
        run: list[str] = []
        paths: list[str] = []
        for d, v in ln.points:
            if v is None:
                if run:
                    paths.append(" ".join(run))
                run = []
                continue
            run.append(f"{'M' if not run else 'L'}{x(d):.1f},{y(v):.1f}")
        if run:
            paths.append(" ".join(run))
        dash = f' stroke-dasharray="{ln.dash}"' if ln.dash else ""
        body.extend(
            f'<path d="{p}" fill="none" stroke="{ln.colour}" stroke-width="2"{dash}/>'
            for p in paths
        )
        body.extend(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="{ln.colour}"/>'
            for d, v in ln.points
            if v is not None
        )
    step = max(len(dates) // 6, 1)
    body.extend(
        f'<text x="{x(d):.1f}" y="{base + 16}" {FONT} text-anchor="middle">'
        f"{d.strftime('%b %y')}</text>"
        for i, d in enumerate(dates)
        if i % step == 0 or i == len(dates) - 1
    )
    body.append(_legend(items, H + 4, columns))
    return _frame(chart_id, title, message, "".join(body), h)


#: rough width of one character of FONT (11px sans-serif), for laying out the legend
CHAR_W = 6.2


def _legend_columns(items: Sequence[tuple[str, str, str]]) -> int:
    """Two legend columns when every label fits in half the width, else one: a long
    indicator title must not run into its neighbour."""
    room = (W - PAD_L) / 2 - 40
    return 2 if all(len(label) * CHAR_W <= room for label, _, _ in items) else 1


def _legend(items: Sequence[tuple[str, str, str]], top: float, columns: int = 2) -> str:
    out: list[str] = []
    for i, (label, colour, dash) in enumerate(items):
        lx = PAD_L + (i % columns) * (W - PAD_L) / 2
        ly = top + 18 * (i // columns)
        if dash == "band":  # a swatch of the shaded band
            out.append(
                f'<rect x="{lx:.0f}" y="{ly}" width="28" height="12" fill="{colour}"/>'
                f'<text x="{lx + 34:.0f}" y="{ly + 10}" {FONT}>{escape(label)}</text>'
            )
            continue
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{lx:.0f}" y1="{ly + 6}" x2="{lx + 28:.0f}" y2="{ly + 6}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
            f'<text x="{lx + 34:.0f}" y="{ly + 10}" {FONT}>{escape(label)}</text>'
        )
    return "".join(out)


def bar_chart(
    chart_id: str,
    title: str,
    message: str,
    bars: Sequence[tuple[str, float | None, bool]],
    suffix: str = "",
) -> str:
    """Horizontal bars with value labels; highlighted bars (the LA) are hatched and
    outlined as well as coloured. A null value is labelled 'not published'."""
    row, label_w = 22, 190
    h = PAD_T + row * len(bars) + 8
    known = [v for _, v, _ in bars if v is not None]
    top = (max(known) if known else 1.0) or 1.0
    width = W - label_w - 70
    body = [
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{BLUE}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>'
    ]
    for i, (label, v, own) in enumerate(bars):
        ty = PAD_T + row * i
        weight = ' font-weight="bold"' if own else ""
        body.append(
            f'<text x="{label_w - 6}" y="{ty + 15}" {FONT} text-anchor="end"{weight}>'
            f"{escape(label)}</text>"
        )
        if v is None:
            body.append(f'<text x="{label_w + 4}" y="{ty + 15}" {FONT}>not published</text>')
            continue
        bw = max(width * v / top, 1.0)
        fill = f'url(#{chart_id}-hatch)" stroke="#0b0c0c" stroke-width="2' if own else "#8eb8dc"
        body.append(
            f'<rect x="{label_w}" y="{ty + 3}" width="{bw:.1f}" height="{row - 6}" fill="{fill}"/>'
            f'<text x="{label_w + bw + 4:.1f}" y="{ty + 15}" {FONT}{weight}>'
            f"{_num(v)}{suffix}</text>"
        )
    return _frame(chart_id, title, message, "".join(body), h)
