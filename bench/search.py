"""Search benchmark: index N synthetic documents (~3 KB each) through a search backend and time queries.

    python bench/search.py [--n 10000] [--queries 50] [--backend whoosh|postgres] [--database-url URL]

The postgres backend runs in a temporary database created on the server of --database-url (default:
$POLICYHUB_TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards.

Prints indexing throughput, index size, p50/p95 latency per query kind, and one document's update time.
Targets at 10,000 documents on 2 cores: p95 < 50 ms for every kind; one update < 100 ms.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from policyhub.search.backend import Entry, SearchBackend
from policyhub.search.query import SearchQuery

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


COMMON = ("the of and to a in that is for on with as be by this it are from at will we our an not or have "
          "more all their which can should new would has been who its than also people".split())
SYLLABLES = ("ba be bi bo bu ca co cu da de di do fa fe fi fo ga go la le li lo lu ma me mi mo mu na ne ni no "
             "pa pe pi po ra re ri ro ru sa se si so ta te ti to va ve vi wa we").split()


def vocabulary(size: int = 6000) -> list[str]:
    """Words ranked by frequency: function words, then policy words, then invented words for the long tail,
    so that word frequencies follow Zipf's law as in real prose (a flat vocabulary makes every word match
    most documents, which no real corpus does)."""
    rng = random.Random(7)
    words, seen = [*COMMON, *WORDS], set(COMMON) | set(WORDS)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


VOCABULARY = vocabulary()
ZIPF_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(VOCABULARY))))


def make_entry(rng: random.Random, i: int) -> Entry:
    words = rng.choices(VOCABULARY, cum_weights=ZIPF_WEIGHTS, k=470)  # ~3 KB
    body = "\n\n".join(" ".join(words[k:k + 40]).capitalize() + "." for k in range(0, len(words), 40))
    return Entry(key=f"document:{i}", kind="document", slug=f"doc-{i}", number=None,
                 title=" ".join(rng.choice(WORDS) for _ in range(4)).title(), body=body,
                 policy_area=rng.choice(AREAS), status=rng.choice(STATUSES),
                 parties=tuple(p for p in PARTIES if rng.random() < 0.3),
                 updated_at=datetime.fromtimestamp(1_700_000_000 + i * 60, tz=timezone.utc))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


@contextmanager
def whoosh_backend() -> Iterator[tuple[SearchBackend, Callable[[], int]]]:
    """A whoosh index in a temporary directory, and how many bytes it holds."""
    from policyhub.search.whoosh_backend import WhooshBackend
    with tempfile.TemporaryDirectory() as tmp:
        yield WhooshBackend(Path(tmp) / "index"), lambda: sum(
            f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())


@contextmanager
def postgres_backend(server: str) -> Iterator[tuple[SearchBackend, Callable[[], int]]]:
    """The PostgreSQL backend on a temporary database (dropped afterwards), and the size of its tables."""
    from sqlalchemy import create_engine, make_url, text

    from policyhub.search.models import SearchEntry, SearchWord
    from policyhub.search.postgres_backend import PostgresBackend
    url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"policyhub_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(url.set(database=name))
    try:
        for table in (SearchEntry.__table__, SearchWord.__table__):
            table.create(engine)
        with engine.begin() as connection:  # as the migration does when it may
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))

        def size() -> int:
            with engine.connect() as connection:
                return int(connection.scalar(text(
                    "SELECT pg_total_relation_size('search_entries') + pg_total_relation_size('search_words')")))
        yield PostgresBackend(engine), size
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--database-url", default=os.environ.get("POLICYHUB_TEST_DATABASE_URL")
                        or "postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    rng = random.Random(42)
    opened = postgres_backend(args.database_url) if args.backend == "postgres" else whoosh_backend()
    with opened as (backend, index_size):
        entries = [make_entry(rng, i) for i in range(args.n)]
        started = time.perf_counter()
        backend.rebuild(entries)
        elapsed = time.perf_counter() - started
        size = index_size()
        print(f"indexed {args.n} documents in {elapsed:.1f} s ({args.n / elapsed:.0f} docs/s); "
              f"index {size / 1e6:.1f} MB")
        common = set(COMMON)
        phrases = [" ".join(pair) for e in entries[:300]
                   for pair in itertools.pairwise(e.body.lower().replace(".", "").split())
                   if not common & set(pair)][::25]
        kinds = {
            "single word": lambda: rng.choice(WORDS),
            "two words": lambda: f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
            "phrase": lambda: f'"{rng.choice(phrases)}"',
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
        updates, merges = [], []
        for i in range(args.queries):
            t0 = time.perf_counter()
            backend.index_document(make_entry(rng, i))
            t1 = time.perf_counter()
            backend.maintain()  # what the app runs after each drain, also off the request path
            updates.append((t1 - t0) * 1000)
            if time.perf_counter() - t1 > 0.005:
                merges.append((time.perf_counter() - t1) * 1000)
        print(f"{'one update':12s} p50 {statistics.median(updates):6.1f} ms   p95 {percentile(updates, 95):6.1f} ms")
        if merges:
            print(f"segment merges: {len(merges)} in {args.queries} updates, "
                  f"median {statistics.median(merges):.0f} ms, max {max(merges):.0f} ms")


if __name__ == "__main__":
    main()
