"""Search benchmark: index N synthetic documents (~3 KB each) through a search backend, then time queries of
each kind (snippets included) and one-document updates, against plain whoosh in the same run.

    python bench/search.py [--smoke] [--n 10000] [--queries 60] [--backend whoosh|postgres] [--database-url URL]

Documents: words drawn with Zipf frequencies from a 6,000-word vocabulary (policy words, then invented ones),
random policy area, status and endorsing parties. Queries, --queries of each kind: one policy word, two, a
phrase (two adjacent words from the documents), a prefix (the first three letters of a policy word, "hou*"),
and one word filtered by policy area and party. Each is timed as the app runs it (SearchQuery, 20 hits with
their snippets, totals and facet counts), from a fresh garbage collection, in one process that keeps its
searcher between queries as a server does. Updates: --queries documents replaced one at a time, each timed
to its commit (the housekeeping merge that follows runs after the response, off the request path, and is
reported apart).

Baselines, measured in the same run on the same machine:
- queries: plain whoosh on the same index (whoosh.index.open_dir, one default searcher): the query text
  through QueryParser("body"), searcher.search(q, limit=10, filter=the facets as terms) and
  hit.highlights("body") for each hit;
- reindex and update: plain whoosh with no tuning, the way the index used to be written (the standard
  analyzer chain, TEXT(spelling=True), one writer with its defaults, update_document + commit).

Targets (issue 7, whoosh, 10,000 documents, 2 cores): p95 <= 25 ms for each query kind; one update <= 50 ms
p95; reindex >= 400 documents/s. --smoke: 300 documents, 5 queries of each kind.

The postgres backend runs in a temporary database created on the server of --database-url (default:
$POLICYHUB_TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards; its
figures have no baseline or target.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from common import Figure, at_least, at_most, median, percentile, timed_ms

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


TARGET_QUERY_MS = 25
TARGET_UPDATE_MS = 50
TARGET_DOCS_PER_SECOND = 400
PLAIN = "plain whoosh"


def query_kinds(rng: random.Random, entries: list[Entry], count: int) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """``count`` queries of each kind: (text, facet filters)."""
    common = set(COMMON)
    phrases = [" ".join(pair) for e in entries[:300]
               for pair in itertools.pairwise(e.body.lower().replace(".", "").split())
               if not common & set(pair)][::25]
    makers: dict[str, Callable[[], tuple[str, dict[str, str]]]] = {
        "one word": lambda: (rng.choice(WORDS), {}),
        "two words": lambda: (f"{rng.choice(WORDS)} {rng.choice(WORDS)}", {}),
        "phrase": lambda: (f'"{rng.choice(phrases)}"', {}),
        "prefix": lambda: (rng.choice(WORDS)[:3] + "*", {}),
        "faceted": lambda: (rng.choice(WORDS), {"area": rng.choice(AREAS), "party": rng.choice(PARTIES)}),
    }
    return {name: [make() for _ in range(count)] for name, make in makers.items()}


def plain_schema() -> Any:
    """The schema as plain whoosh offers it: the same fields, the standard analyzer chain, spelling=True."""
    from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
    from whoosh.fields import TEXT
    from whoosh.support.charset import accent_map

    from policyhub.search.whoosh_backend import TITLE_BOOST, make_schema
    schema = make_schema()
    analyzer = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()
    for name in ("spell_title", "spell_body", "title", "body"):
        schema.remove(name)
    schema.add("title", TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST, spelling=True))
    schema.add("body", TEXT(analyzer=analyzer, stored=True, spelling=True))
    return schema


def plain_fields(entry: Entry) -> dict[str, Any]:
    from policyhub.search.whoosh_backend import _fields
    return _fields(entry)  # whoosh's spelling=True adds the spelling words itself


class PlainWhoosh:
    """Plain whoosh, untuned: its own index of the entries (for the reindex and update baselines), and a
    default searcher on the backend's index (for the query baseline)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index: Any = None
        self.searcher: Any = None

    def reindex(self, entries: list[Entry]) -> float:
        """Index ``entries`` with one default writer; returns the seconds taken."""
        from whoosh import index
        started = time.perf_counter()
        self.index = index.create_in(str(self.folder), plain_schema())
        writer = self.index.writer()
        for entry in entries:
            writer.add_document(**plain_fields(entry))
        writer.commit()
        return time.perf_counter() - started

    def update(self, entry: Entry) -> None:
        writer = self.index.writer()
        writer.update_document(**plain_fields(entry))
        writer.commit()

    def open_searcher(self, directory: Path) -> None:
        from whoosh import index
        self.searcher = index.open_dir(str(directory)).searcher()

    def search(self, text: str, filters: dict[str, str]) -> list[str]:
        from whoosh import query
        from whoosh.qparser import QueryParser
        parsed = QueryParser("body", self.searcher.schema).parse(text)
        facets = query.And([query.Term(name, value.lower() if name == "party" else value)
                            for name, value in filters.items()]) if filters else None
        return [hit.highlights("body") for hit in self.searcher.search(parsed, limit=10, filter=facets)]

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()


def figures(smoke: bool = False, n: int = 10_000, queries: int = 60, backend_name: str = "whoosh",
            database_url: str | None = None) -> list[Figure]:
    if smoke:
        n, queries = 300, 5
    rng = random.Random(42)
    entries = [make_entry(rng, i) for i in range(n)]
    whoosh = backend_name == "whoosh"
    opened = whoosh_backend() if whoosh else postgres_backend(
        database_url or os.environ.get("POLICYHUB_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres")
    results: list[Figure] = []
    with opened as (backend, index_size), tempfile.TemporaryDirectory() as tmp:
        plain = PlainWhoosh(Path(tmp)) if whoosh else None
        started = time.perf_counter()
        backend.rebuild(entries)
        rate = n / (time.perf_counter() - started)
        label = f"reindex {n:,} documents"
        if plain is not None:
            results.append(at_least(label, rate, "documents/s", TARGET_DOCS_PER_SECOND,
                                    baseline=n / plain.reindex(entries), baseline_name=f"{PLAIN}, untuned"))
            plain.open_searcher(backend.root / backend._current_generation())  # type: ignore[attr-defined]
        else:
            results.append(Figure(label, rate, "documents/s"))
        results.append(Figure("index size", index_size() / 1e6, "MB"))

        for kind, cases in query_kinds(rng, entries, queries).items():
            ours, theirs = [], []
            for text, filters in cases:  # interleaved, so that both see the same moments of a noisy machine
                ours.append(timed_ms(lambda: backend.search(SearchQuery(text=text, **filters))))
                if plain is not None:
                    theirs.append(timed_ms(lambda: plain.search(text, filters)))
            label = f"{kind} query p95 (20 hits with snippets, facets, total)"
            if plain is not None:
                results.append(at_most(label, percentile(ours, 95), "ms", TARGET_QUERY_MS,
                                       baseline=percentile(theirs, 95),
                                       baseline_name=f"{PLAIN}: QueryParser, search(limit=10), highlights"))
            else:
                results.append(Figure(label, percentile(ours, 95), "ms"))

        updates, plain_updates, merges = [], [], []
        for i in range(queries):
            entry = make_entry(rng, i)  # a new text for an existing document
            updates.append(timed_ms(lambda: backend.index_document(entry)))
            merge = timed_ms(backend.maintain)  # what a drain runs next, after the response
            if merge > 5:
                merges.append(merge)
            if plain is not None:
                plain_updates.append(timed_ms(lambda: plain.update(entry)))
        label = "one-document index update p95 (to its commit)"
        if plain is not None:
            results.append(at_most(label, percentile(updates, 95), "ms", TARGET_UPDATE_MS,
                                   baseline=percentile(plain_updates, 95),
                                   baseline_name=f"{PLAIN}: update_document, commit"))
            plain.close()
        else:
            results.append(Figure(label, percentile(updates, 95), "ms"))
        if merges:
            results.append(Figure(f"segment merge after updates, off the request path ({len(merges)} in "
                                  f"{queries} updates; median)", median(merges), "ms"))
        getattr(backend, "close", lambda: None)()
    return results


def main() -> None:
    from run import print_table
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="300 documents, 5 queries of each kind")
    parser.add_argument("--n", type=int, default=10_000, help="documents to index")
    parser.add_argument("--queries", type=int, default=60, help="queries of each kind, and updates")
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print_table(figures(args.smoke, args.n, args.queries, args.backend, args.database_url))


if __name__ == "__main__":
    main()
