"""What every benchmark module shares: a Figure (one row of the results table) and timing helpers.

A benchmark module under bench/ exposes ``figures(smoke: bool) -> list[Figure]``; ``bench/run.py`` collects
them into one table. Each figure is compared with a baseline measured in the same run where one exists: the
machines are shared and noisy, so ratios hold where absolute times drift.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/x.py` from anywhere
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Figure:
    """One measured figure. ``passed`` is None when the figure has no target (shown for context)."""

    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    baseline: float | None = None
    baseline_name: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def at_most(name: str, value: float, unit: str, limit: float, *, baseline: float | None = None,
            baseline_name: str = "") -> Figure:
    """A figure that must not exceed ``limit`` (times, sizes)."""
    return Figure(name, value, unit, f"≤ {limit:g} {unit}", value <= limit, baseline, baseline_name)


def ratio_at_most(name: str, value: float, unit: str, baseline: float, limit: float, baseline_name: str) -> Figure:
    """A figure that must be at most ``limit`` times its baseline."""
    return Figure(name, value, unit, f"≤ {limit:g}× baseline", value <= limit * baseline, baseline, baseline_name)


def ratio_at_least(name: str, value: float, unit: str, baseline: float, limit: float, baseline_name: str) -> Figure:
    """A figure that must be at least ``limit`` times its baseline (throughputs)."""
    return Figure(name, value, unit, f"≥ {limit:g}× baseline", value >= limit * baseline, baseline, baseline_name)


def at_least(name: str, value: float, unit: str, limit: float, *, baseline: float | None = None,
             baseline_name: str = "") -> Figure:
    return Figure(name, value, unit, f"≥ {limit:g} {unit}", value >= limit, baseline, baseline_name)


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed_ms(function: Callable[[], object]) -> float:
    """Milliseconds one call takes, starting without garbage left by the previous call (as a fresh request)."""
    gc.collect()
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def p95_ms(calls: Iterable[Callable[[], object]], repeats: int = 1) -> float:
    return percentile([timed_ms(call) for call in calls for _ in range(repeats)], 95)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def smoke_main(doc: str, figures: Callable[[bool], list[Figure]]) -> None:
    """The command line of a benchmark module whose only option is ``--smoke``: print its figures' table.
    ``doc`` is the module's docstring, whose first paragraph describes it."""
    from run import print_table  # run imports this module: imported here, when a module runs alone
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: prove the script runs")
    print_table(figures(parser.parse_args().smoke))
