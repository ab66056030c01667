"""Targets per KPI, RAG rating and direction of travel (issue 12, item 4)."""

from cscperf.targets.lines import TargetLine, target_lines
from cscperf.targets.model import Target, TargetError, default_targets, load_targets
from cscperf.targets.rag import RAG_RULE, Rating, Travel, rate, rule_text, shown, travel

__all__ = [
    "RAG_RULE",
    "Rating",
    "Target",
    "TargetError",
    "TargetLine",
    "Travel",
    "default_targets",
    "load_targets",
    "rate",
    "rule_text",
    "shown",
    "target_lines",
    "travel",
]
