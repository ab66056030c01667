"""``cscperf synth``: a thin click layer over :func:`cscperf.synth.api.generate`."""

from __future__ import annotations

import os
import sys

import click

from cscperf.synth.api import DEFAULT_LA, generate


def parse_years(text: str) -> list[int]:
    """``2018-2025`` or ``2023,2025`` to a list of return years.

    >>> parse_years("2023-2025"), parse_years("2019,2021")
    ([2023, 2024, 2025], [2019, 2021])
    """
    years: list[int] = []
    for part in text.split(","):
        a, _, b = part.strip().partition("-")
        lo, hi = int(a), int(b or a)
        if hi < lo or lo < 2000 or hi > 2040:
            raise ValueError(f"bad year range {part!r}")
        years.extend(range(lo, hi + 1))
    return sorted(set(years))


@click.command()
@click.option(
    "--la", "la", default=DEFAULT_LA, show_default=True, help="DfE LA code(s), comma-separated."
)
@click.option(
    "--region", is_flag=True, help="Also generate each LA's 10 statistical neighbours (DfE 2025)."
)
@click.option(
    "--years", default="2018-2025", show_default=True, help="Return years, e.g. 2018-2025."
)
@click.option(
    "--seed", default=1, show_default=True, type=int, help="Random seed; same seed, same bytes."
)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option(
    "--errors",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Fraction of CSV rows given a data-quality fault (logged in manifest.json).",
)
@click.option(
    "--scale",
    type=click.Choice(["la", "national"]),
    default="la",
    show_default=True,
    help="'national': every English LA, streamed LA by LA (no Annex A).",
)
@click.option(
    "--scale-factor",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.001, 10),
    help="Multiply each LA's child population (small values for quick tests).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xml"]),
    default="csv",
    show_default=True,
    help="SSDA903 as CSV files or one XML file.",
)
@click.option(
    "--annex-a/--no-annex-a",
    default=None,
    help="Write the Annex A workbook (default: not for national).",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Processes for multi-LA runs (default: all cores for national, else 1).",
)
def synth(
    la: str,
    region: bool,
    years: str,
    seed: int,
    out: str,
    errors: float,
    scale: str,
    scale_factor: float,
    fmt: str,
    annex_a: bool | None,
    workers: int | None,
) -> None:
    """Generate synthetic, calibrated returns for English LAs in the real file formats."""
    try:
        year_list = parse_years(years)
        codes = [c.strip() for c in la.split(",") if c.strip()]
        m = generate(
            codes,
            year_list,
            seed,
            out,
            errors=errors,
            region=region,
            fmt=fmt,
            scale_factor=scale_factor,
            national=scale == "national",
            progress=lambda s: click.echo(s, err=True),
            annex_a=annex_a,
            workers=workers or ((os.cpu_count() or 1) if scale == "national" else 1),
        )
    except (KeyError, ValueError) as exc:
        click.echo(f"cscperf: error: {exc.args[0] if exc.args else exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # e.g. --out is a file, or not writable
        click.echo(f"cscperf: error: {out}: cannot write there: {exc.strerror or exc}", err=True)
        sys.exit(2)
    click.echo(
        f"{len(m.la_codes)} LA(s) x {len(m.years)} year(s): {m.children} children, "
        f"{len(m.files)} files, {len(m.faults)} faults injected, {m.seconds:.1f}s "
        f"({m.children_per_second:.0f} children/s) -> {out}"
    )
