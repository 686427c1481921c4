"""Run every benchmark and print one table; ``make bench`` runs this, ``make bench-smoke`` runs it with --smoke.

    python bench/run.py [--smoke] [--only pages,search] [--output bench/results.md]

The full run writes the table, with a description of the machine, to bench/results.md (the README's
"Performance" section shows the last one). A smoke run uses tiny sizes to prove the scripts still run: it
prints its table but writes nothing, and its pass/fail column means nothing. Exits non-zero only when a
benchmark crashes, never because a target was missed: a missed target is a finding, reported in the table.
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from common import ROOT, Figure

MODULES = ("pages", "text", "clauses", "save", "storage", "search", "peer")
OUTPUT = ROOT / "bench" / "results.md"


def _number(value: float) -> str:
    if value != value:  # NaN
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def table(figures: list[Figure]) -> str:
    rows = ["| figure | value | baseline | ratio | target | result |", "| --- | ---: | --- | ---: | --- | --- |"]
    for figure in figures:
        baseline = f"{_number(figure.baseline)} {figure.unit} ({figure.baseline_name})" if figure.baseline else ""
        ratio = f"{figure.ratio:.2f}×" if figure.ratio is not None else ""
        result = {True: "pass", False: "**FAIL**", None: ""}[figure.passed]
        rows.append(f"| {figure.name} | {_number(figure.value)} {figure.unit} | {baseline} | {ratio} | "
                    f"{figure.target} | {result} |")
    return "\n".join(rows)


def print_table(figures: list[Figure]) -> None:
    print(table(figures))


def machine() -> str:
    """What the figures were measured on: CPU, cores, memory, OS, Python, load when the run started."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except (OSError, IndexError, ValueError):
        memory = 0
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    return (f"{cpu}, {os.cpu_count()} cores, {memory} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; load average {load} at the start; commit {commit or 'unknown'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: prove the scripts run")
    parser.add_argument("--only", help="comma-separated benchmark modules (default: all)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    names = args.only.split(",") if args.only else MODULES
    described, started = machine(), time.monotonic()
    figures: list[Figure] = []
    crashed: list[str] = []
    for name in names:
        print(f"== {name}", flush=True)
        try:
            found = importlib.import_module(name).figures(smoke=args.smoke)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            crashed.append(name)
            continue
        print(table(found), flush=True)
        figures += found
    report = table(figures)
    print(f"\n{described}\n\n{report}")
    missed = [figure.name for figure in figures if figure.passed is False]
    print(f"\n{len(figures)} figures, {len(missed)} targets missed"
          + (f"; crashed: {', '.join(crashed)}" if crashed else ""))
    if not args.smoke and not args.only:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        args.output.write_text(
            f"# Benchmark results\n\n`make bench` on {stamp}, {time.monotonic() - started:.0f} s.\n\n"
            f"Machine: {described}.\n\n{report}\n")
        print(f"written to {args.output.relative_to(ROOT)}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
