"""A small server-rendered SVG line chart: no JavaScript, no external resource, and an
accessible name (role="img", <title>, <desc>) stating the chart's message."""

from __future__ import annotations

from datetime import date
from html import escape

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 260, 56, 16, 16, 40


def line_chart(
    chart_id: str, title: str, message: str, points: list[tuple[date, float | None]]
) -> str:
    """Points joined in date order (gaps where a value is null), y axis from 0."""
    known = [v for _, v in points if v is not None]
    top = max(known) if known else 1.0
    top = top * 1.1 if top > 0 else 1.0
    n = max(len(points) - 1, 1)

    def x(i: int) -> float:
        return PAD_L + (W - PAD_L - PAD_R) * i / n

    def y(v: float) -> float:
        return PAD_T + (H - PAD_T - PAD_B) * (1 - v / top)

    paths: list[str] = []
    run: list[str] = []
    for i, (_, v) in enumerate(points):
        if v is None:
            if run:
                paths.append(" ".join(run))
            run = []
            continue
        run.append(f"{'M' if not run else 'L'}{x(i):.1f},{y(v):.1f}")
    if run:
        paths.append(" ".join(run))
    lines = "".join(f'<path d="{d}" fill="none" stroke="#1d70b8" stroke-width="2"/>' for d in paths)
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="#1d70b8"/>'
        for i, (_, v) in enumerate(points)
        if v is not None
    )
    ticks = "".join(
        f'<text x="{x(i):.1f}" y="{H - PAD_B + 16}" font-size="11" text-anchor="middle">'
        f"{d.strftime('%b %y')}</text>"
        for i, (d, _) in enumerate(points)
        if i % max(len(points) // 6, 1) == 0 or i == len(points) - 1
    )
    axis = (
        f'<line x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}" stroke="#505a5f"/>'
        f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{H - PAD_B}" stroke="#505a5f"/>'
        f'<text x="{PAD_L - 6}" y="{y(0) + 4:.1f}" font-size="11" text-anchor="end">0</text>'
        f'<text x="{PAD_L - 6}" y="{y(top / 1.1) + 4:.1f}" font-size="11" text-anchor="end">'
        f"{top / 1.1:.0f}</text>"
    )
    return (
        f'<svg viewBox="0 0 {W} {H}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(message)}</desc>{axis}{lines}{dots}{ticks}</svg>'
    )
