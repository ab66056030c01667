"""The symbols the DfE and ONS publish in place of a number, and what each means.

A symbol is stored as a flagged null (value NULL, symbol and meaning kept),
never as 0: "c" is a suppressed small number, not none.
"""

from __future__ import annotations

#: symbol (lower case) -> meaning, as in the EES / GSS symbols guidance
SYMBOLS: dict[str, str] = {
    "c": "confidential: suppressed to protect individuals",
    "x": "not available: data unavailable or not collected",
    "z": "not applicable",
    "k": "rounds to 0 but is not 0 (fewer than 0.5)",
    "low": "rounds to 0 but is not 0",
    "~": "rounds to 0 but is not 0",
    "u": "low reliability: not published",
    ":": "not available",
    "..": "not available",
    ".": "not applicable",
    "-": "not published (LAIT)",
}


def symbols_sql() -> str:
    """A DuckDB MAP literal from symbol to meaning, for joins in import SQL."""
    keys = ", ".join(_lit(k) for k in SYMBOLS)
    vals = ", ".join(_lit(v) for v in SYMBOLS.values())
    return f"MAP([{keys}], [{vals}])"


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"
