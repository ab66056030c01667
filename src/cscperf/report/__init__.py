"""The committee performance report (issue 12): one self-contained, accessible HTML file
built from the Python API only (no SQL here), so the dashboard can share its data."""

from cscperf.report.build import ReportData, build_report, write_report

__all__ = ["ReportData", "build_report", "write_report"]
