"""CPU per painted-and-encoded picture: `python -m studio.standin.bench_painter` (measures, never asserts)."""

from __future__ import annotations

import statistics
import time

from . import painter


def measure(width: int = 1024, height: int = 1024, runs: int = 20, transparent: bool = False) -> float:
    """Median CPU milliseconds (time.process_time) for one PNG of that size."""
    costs = []
    for i in range(runs):
        start = time.process_time()
        painter.render(f"a lighthouse on a cliff at dusk, gulls {i}", 0, i, width, height, "png", transparent)
        costs.append(time.process_time() - start)
    return statistics.median(costs) * 1000


if __name__ == "__main__":
    for transparent in (False, True):
        label = "transparent" if transparent else "opaque"
        print(f"1024x1024 PNG, {label}: {measure(transparent=transparent):.1f} ms CPU (median of 20)")
