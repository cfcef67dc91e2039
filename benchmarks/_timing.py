"""Shared timing helpers for the benchmarks: contenders interleaved in one process, medians of repeats."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved(contenders: dict[str, Callable[[], object]], repeats: int = 7) -> dict[str, list[float]]:
    """Run every contender once per round, ``repeats`` rounds, so a noisy neighbour slows all alike."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def ratio_line(label: str, num: list[float], den: list[float]) -> str:
    """Median ratio ``num / den`` with the min-max of the per-round ratios."""
    ratios = [a / b for a, b in zip(num, den)]
    return f"{label}: {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})"
