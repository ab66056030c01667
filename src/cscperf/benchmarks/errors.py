"""The one error an import gives for a bad file: file, line, column and reason."""

from __future__ import annotations


class BenchImportError(ValueError):
    """A published file cannot be imported; nothing from the batch is kept."""

    def __init__(
        self, path: str, reason: str, line: int | None = None, column: str = "", unit: str = "line"
    ) -> None:
        where = f"{unit} {line}" if line is not None else ""
        if column:
            where = f"{where}, column {column}" if where else f"column {column}"
        super().__init__(f"{path}: {where + ': ' if where else ''}{reason}")
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
