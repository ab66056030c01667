"""Direction over the last 3 years against England's, worded by polarity.

Issue 11 § 3: a committee reads "improving faster than England", not two
numbers. The LA's change and England's change over the same years are compared
as published (rounded), so float noise never decides a word. A *context*
measure (no better or worse) rises or falls; it never improves or worsens.
"""

from __future__ import annotations

YEARS = 3


def _sign(x: float) -> int:
    x = round(x, 6)
    return (x > 0) - (x < 0)


def _verbs(polarity: str) -> tuple[str, str, str, str]:
    """(LA gets better, LA gets worse, England gets better, England gets worse)."""
    if polarity == "context":
        return "rising", "falling", "rises", "falls"
    return "improving", "worsening", "improves", "worsens"


def direction(change: float, england: float | None, polarity: str) -> str:
    """The LA's change beside England's, in words ('improving faster than England').

    ``change`` and ``england`` are value(Y) - value(Y-3); for polarity ``low`` a fall
    is an improvement, for ``context`` the words are rising / falling.
    """
    flip = -1 if polarity == "low" else 1
    mine = flip * _sign(change)
    up, down, eng_up, eng_down = _verbs(polarity)
    if england is None:
        return {1: up, -1: down, 0: "unchanged"}[mine] + " (England not published)"
    theirs = flip * _sign(england)
    if mine == 0:
        if theirs == 0:
            return "unchanged, as England"
        return f"unchanged while England {eng_up if theirs > 0 else eng_down}"
    word = up if mine > 0 else down
    if theirs == 0:
        return f"{word} while England is unchanged"
    if theirs != mine:
        return f"{word} while England {eng_up if theirs > 0 else eng_down}"
    a, b = round(abs(change), 6), round(abs(england), 6)
    pace = "faster than" if a > b else "more slowly than" if a < b else "as fast as"
    return f"{word} {pace} England"
