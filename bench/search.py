"""Search benchmark: index N synthetic documents (~3 KB each) through the whoosh backend and time queries.

    python bench/search.py [--n 10000] [--queries 50]

Prints indexing throughput, index size, p50/p95 latency per query kind, and one document's update time.
Targets at 10,000 documents on 2 cores: p95 < 50 ms for every kind; one update < 100 ms.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from policyhub.search.backend import Entry
from policyhub.search.query import SearchQuery
from policyhub.search.whoosh_backend import WhooshBackend

WORDS = ("policy housing railway railways election elections climate carbon energy renewable wind solar "
         "transport bus buses tax taxation budget school schools health hospital care social justice water "
         "river sewage farming food local council devolution parliament vote votes proportional representation "
         "reform democracy citizen assembly public ownership investment green jobs wage minimum living rent "
         "tenant landlord planning homes insulation heat pump grid nuclear offshore onshore forest peat nature "
         "biodiversity pollution air clean cycling walking road fares regional north south wales scotland "
         "education university student loan childcare nursery pension benefit welfare disability equality").split()
AREAS = ("Transport", "Energy", "Housing", "Democratic reform", "Health", "Education", "Economy", "Environment")
STATUSES = ("draft", "consultation", "archived")
PARTIES = ("labour", "libdem", "green")


def make_entry(rng: random.Random, i: int) -> Entry:
    words = [rng.choice(WORDS) for _ in range(430)]  # ~3 KB
    body = "\n\n".join(" ".join(words[k:k + 40]).capitalize() + "." for k in range(0, len(words), 40))
    return Entry(key=f"document:{i}", kind="document", slug=f"doc-{i}", number=None,
                 title=" ".join(rng.choice(WORDS) for _ in range(4)).title(), body=body,
                 policy_area=rng.choice(AREAS), status=rng.choice(STATUSES),
                 parties=tuple(p for p in PARTIES if rng.random() < 0.3),
                 updated_at=datetime.fromtimestamp(1_700_000_000 + i * 60, tz=timezone.utc))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        backend = WhooshBackend(Path(tmp) / "index")
        entries = [make_entry(rng, i) for i in range(args.n)]
        started = time.perf_counter()
        backend.rebuild(entries)
        elapsed = time.perf_counter() - started
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
        print(f"indexed {args.n} documents in {elapsed:.1f} s ({args.n / elapsed:.0f} docs/s); "
              f"index {size / 1e6:.1f} MB")
        kinds = {
            "single word": lambda: rng.choice(WORDS),
            "two words": lambda: f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
            "phrase": lambda: f'"{rng.choice(WORDS)} {rng.choice(WORDS)}"',
            "prefix": lambda: rng.choice(WORDS)[:3] + "*",
            "faceted": lambda: rng.choice(WORDS),
        }
        for name, make in kinds.items():
            times = []
            for _ in range(args.queries):
                filters = {"area": rng.choice(AREAS), "party": rng.choice(PARTIES)} if name == "faceted" else {}
                t0 = time.perf_counter()
                backend.search(SearchQuery(text=make(), **filters))
                times.append((time.perf_counter() - t0) * 1000)
            print(f"{name:12s} p50 {statistics.median(times):6.1f} ms   p95 {percentile(times, 95):6.1f} ms")
        updates = []
        for i in range(10):
            t0 = time.perf_counter()
            backend.index_document(make_entry(rng, i))
            updates.append((time.perf_counter() - t0) * 1000)
        print(f"one update   p50 {statistics.median(updates):6.1f} ms   max {max(updates):6.1f} ms")


if __name__ == "__main__":
    main()
