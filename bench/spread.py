"""What every bench reports: each figure over several runs, as median (min-max), runs
interleaved so that a busy machine slows every side alike; and cross-checks that stop a bench
with a non-zero exit when the two sides did not find the same thing."""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Spread:
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
        """'1.23 s (1.20-1.31, 5 runs)'; `scale` 1e3 with unit 'ms' for milliseconds."""
        low, mid, high = (v * scale for v in (min(self.values), self.median, max(self.values)))
        runs = f"{len(self.values)} run{'s' if len(self.values) > 1 else ''}"
        return f"{mid:.{digits}f} {unit} ({low:.{digits}f}-{high:.{digits}f}, {runs})"

    def ms(self) -> str:
        return self.show("ms", 1e3, 1)

    def times(self) -> str:
        """A ratio: '3.5x (3.2-3.8x)'."""
        low, mid, high = min(self.values), self.median, max(self.values)
        return (
            f"{mid:.1f}x ({low:.1f}-{high:.1f}x)"
            if mid < 100
            else f"{mid:,.0f}x ({low:,.0f}-{high:,.0f}x)"
        )


def ratio(baseline: Spread, ours: Spread) -> Spread:
    """The per-round ratios of two interleaved measurements (round i of each): a speed-up when
    both are times, above 1 when ours took less. Measured in different numbers of runs (not
    interleaved): each baseline run over our median."""
    if len(baseline.values) != len(ours.values):
        return Spread(tuple(b / ours.median for b in baseline.values))
    return Spread(tuple(b / o for b, o in zip(baseline.values, ours.values, strict=True)))


def interleaved(
    actions: Mapping[str, Callable[[], Any]], rounds: int
) -> tuple[dict[str, Spread], dict[str, Any]]:
    """Every action once per round, in turn: their times, and each action's last result."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    results: dict[str, Any] = {}
    for _ in range(rounds):
        for name, action in actions.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = action()
            times[name].append(time.perf_counter() - start)
    return {name: Spread(tuple(values)) for name, values in times.items()}, results


def timed(action: Callable[[], Any], rounds: int) -> tuple[Spread, Any]:
    spreads, results = interleaved({"action": action}, rounds)
    return spreads["action"], results["action"]


def cross_check(same: bool, what: str, details: Sequence[object] = ()) -> None:
    """Stop the bench (exit 1) when the two sides disagree: its figures would compare
    different work."""
    if same:
        print(f"    cross-check: {what}: yes")
        return
    print(f"CROSS-CHECK FAILED: {what}", file=sys.stderr)
    for detail in details[:10]:
        print(f"    {detail}", file=sys.stderr)
    sys.exit(1)
