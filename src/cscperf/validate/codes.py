"""Code lists, by name and collection year.

Each list is a tuple of ``Span``: the codes valid for returns whose reporting
year ends in ``first``..``last`` (inclusive). Lists come from the DfE guidance
for the SSDA903 and CIN census (facts, not code) and from our local templates.
The per-format modules own their lists; this module only assembles them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cscperf.validate import codes_903, codes_cin, codes_local


@dataclass(frozen=True)
class Span:
    first: int
    last: int
    codes: frozenset[str]


def _spans(raw: dict[str, object]) -> dict[str, tuple[Span, ...]]:
    out: dict[str, tuple[Span, ...]] = {}
    for name, value in raw.items():
        if isinstance(value, (set, frozenset, list, tuple)) and all(
            isinstance(v, str) for v in value
        ):
            out[name] = (Span(1900, 9999, frozenset(value)),)
        else:
            spans = []
            for (first, last), codes in value.items():  # type: ignore[attr-defined]
                spans.append(Span(first, last, frozenset(codes)))
            out[name] = tuple(spans)
    return out


CODE_LISTS: dict[str, tuple[Span, ...]] = {
    **_spans(codes_903.LISTS),
    **_spans(codes_cin.LISTS),
    **_spans(codes_local.LISTS),
}


def codes_for(name: str, year: int) -> frozenset[str]:
    """The codes of list ``name`` valid in return year ``year``."""
    spans = CODE_LISTS[name]
    valid: set[str] = set()
    for s in spans:
        if s.first <= year <= s.last:
            valid |= s.codes
    return frozenset(valid)
