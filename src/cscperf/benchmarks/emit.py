"""Write the rows of `benchmarks show` and `benchmarks pool`: on screen, to a file, or
as Parquet (which needs --out)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from cscperf.output import render


def emit(records: list[dict[str, Any]], cols: Sequence[str], fmt: str, out: str | None) -> None:
    if fmt == "parquet":
        if out is None:
            raise click.UsageError("--format parquet needs --out PATH")
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records), out)
        click.echo(f"wrote {out}", err=True)
        return
    text = render(list(cols), [[r[c] for c in cols] for r in records], fmt)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text)
