"""How many cores this process may use (its CPU affinity, not the machine's count:
a container or ``taskset`` may allow fewer)."""

from __future__ import annotations

import os


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
