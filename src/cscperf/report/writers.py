"""Write the report in the formats asked for: report.html, report.pdf, report.docx and
scorecard.xlsx. PDF and Word are made from the rendered HTML, so all three show the
same content; the workbook is written from the API by its own module."""

from __future__ import annotations

import importlib
import importlib.util
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

from cscperf.cores import available_cores
from cscperf.report.build import ReportData, render, write_report
from cscperf.usererror import UserError

FORMATS = ("html", "pdf", "docx", "xlsx")
XLSX_MODULE = "cscperf.report.xlsx"


def default_formats() -> list[str]:
    """Every format whose writer is installed (xlsx only when its module is present)."""
    have_xlsx = importlib.util.find_spec(XLSX_MODULE) is not None
    return [f for f in FORMATS if f != "xlsx" or have_xlsx]


def parse_formats(text: str) -> list[str]:
    """``html,pdf`` -> ['html', 'pdf'] in the order given, once each; UserError naming an
    unknown format (or an empty list)."""
    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown:
        raise UserError(
            f"--format: unknown format {', '.join(map(repr, unknown))} "
            f"(choose from {', '.join(FORMATS)})"
        )
    if not asked:
        raise UserError(f"--format: no format given (choose from {', '.join(FORMATS)})")
    return list(dict.fromkeys(asked))


def write_formats(
    data: ReportData,
    out: Path,
    formats: Sequence[str],
    *,
    db: str = "cscperf.duckdb",
    targets_path: str | Path | None = None,
    worker: Executor | None = None,
) -> list[Path]:
    """Write each format into ``out`` (created if missing) and return the paths in the
    order asked; ``worker`` (from :func:`pdf_worker`) lays the PDF out in another
    process. Raises UserError for an unknown format or a missing xlsx writer, OSError
    when a file cannot be written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UserError(f"unknown report format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    writer = None
    if "xlsx" in formats:
        try:
            writer = importlib.import_module(XLSX_MODULE).write_scorecard_xlsx
        except (ImportError, AttributeError):
            raise UserError("xlsx writer not installed") from None
    out.mkdir(parents=True, exist_ok=True)
    html_path = write_report(data, out) if "html" in formats else None
    html = html_path.read_text(encoding="utf-8") if html_path else render(data)
    written: dict[str, Path] = {}
    with ExitStack() as stack:
        if worker is None:
            worker = stack.enter_context(pdf_worker(formats))
        pdf_job = worker.submit(_write_pdf, html, out / "report.pdf") if worker else None
        for fmt in formats:
            if fmt == "html":
                assert html_path is not None
                written[fmt] = html_path
            elif fmt == "xlsx":
                assert writer is not None
                args = (data.la_code, data.period_end, data.period_type, targets_path, db)
                if data.backtest_result is not None:  # the report's back-test, not run again
                    written[fmt] = writer(
                        *args, out / "scorecard.xlsx", backtest=data.backtest_result
                    )
                else:
                    written[fmt] = writer(*args, out / "scorecard.xlsx")
            elif fmt == "pdf":
                if pdf_job is None:
                    written[fmt] = _write_pdf(html, out / "report.pdf")
            else:
                from cscperf.report.docx import write_docx

                written[fmt] = write_docx(html, out / "report.docx")
        if pdf_job is not None:
            written["pdf"] = pdf_job.result()
    return [written[f] for f in formats]


@contextmanager
def pdf_worker(formats: Sequence[str]) -> Iterator[Executor | None]:
    """A process for the PDF, started now so that WeasyPrint is loaded while the report
    is gathered; None when there is one core or nothing else to write beside the PDF.
    The PDF's layout is the slowest step: in its own process it runs while Word and
    Excel are written here (from the same HTML, so the same PDF)."""
    wanted = "pdf" in formats and len(set(formats) - {"html", "pdf"}) > 0
    if not wanted or available_cores() < 2:
        yield None
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_load_pdf_writer)
        yield pool


def _load_pdf_writer() -> None:
    import weasyprint  # noqa: F401

    import cscperf.report.pdf  # noqa: F401


def _write_pdf(html: str, path: Path) -> Path:
    """report.pdf from the HTML (a module-level function: it may run in another process)."""
    from cscperf.report.pdf import write_pdf

    return write_pdf(html, path)
