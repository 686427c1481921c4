"""The whoosh backend (default): a file index under ``<instance>/search-index``.

Layout: ``CURRENT`` names the generation directory in use (``gen-...``). A rebuild fills a fresh generation
and then replaces ``CURRENT`` atomically (``os.replace``), so searches keep using the old index meanwhile;
the previous generation is kept for searchers still holding it, older ones are removed.

Writers take whoosh's own lock with a short timeout and raise IndexBusy when another process holds it. The
changes given to ``apply`` are consumed only once the lock is held: the caller reads the database lazily, so
of two processes indexing the same document the one that writes last also read last.

The only module that imports whoosh.
"""
from __future__ import annotations

import functools
import heapq
import logging
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.collectors import FilterCollector
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.util.filelock import try_for
from whoosh.searching import TimeLimit
from whoosh.support.charset import accent_map

from policyhub.search.backend import Entry, IndexBusy, IndexUnavailable, Progress, SearchBackend
from policyhub.search.query import (KINDS, NOTHING_TO_SEARCH, Hit, SearchQuery, SearchResults, hit_url,
                                    ordered_counts, page_window)
from policyhub.search.querying import Clause, ParsedQuery, parse, rewrite
from policyhub.search.snippets import marked_passage

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
REBUILDING = "REBUILDING"
REBUILD_STALE_SECONDS = 30 * 60      # a marker older than this was left by a crashed rebuild
TITLE_BOOST = 3.0
SNIPPET_WIDTH = 240
SNIPPET_SCAN = 50_000                # characters of a body scanned for the snippet
FACETS = ("kind", "area", "status", "party")
MAX_SEGMENTS = 10                    # more small segments than this are merged by maintain()
SCORE_DIRECTLY = 2_000               # fewer matches than this are scored one by one (see _score_each)
TERM_CACHE_SIZE = 512                # terms whose document sets a searcher keeps


def make_analyzer() -> Any:
    """English stemming with accents folded (so "élection" finds "election" and "railway" "railways")."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()


def _fold(word: str) -> str:
    return word.lower().translate(accent_map)


def make_schema() -> Schema:
    analyzer = make_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True, sortable=True),
        slug=ID(stored=True),
        number=STORED(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST, spelling=True),
        body=TEXT(analyzer=analyzer, stored=True, spelling=True),
        area=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        party=KEYWORD(stored=True, commas=True, lowercase=True),
        updated=NUMERIC(bits=64, stored=True, sortable=True, signed=False),
        document_title=STORED(),
    )


def _fields(entry: Entry) -> dict[str, Any]:
    body = entry.body if not entry.document_title else f"{entry.body}\n\n{entry.document_title}"
    return {
        "key": entry.key, "kind": entry.kind, "slug": entry.slug, "number": entry.number,
        "title": entry.title, "body": body, "area": entry.policy_area,
        "status": entry.status, "party": ",".join(entry.parties),
        "updated": int(entry.updated_at.timestamp()) if entry.updated_at else 0,
        "document_title": entry.document_title,
    }


class WhooshBackend(SearchBackend):
    def __init__(self, path: str | os.PathLike[str], *, time_limit: float = 2.0, lock_timeout: float = 0.5) -> None:
        self.root = Path(path)
        self.time_limit = time_limit
        self.lock_timeout = lock_timeout
        self.analyzer = make_analyzer()
        self._lock = threading.Lock()
        self._ix: Any = None
        self._ix_gen: str | None = None
        self._local = threading.local()

    # --- locating and opening -------------------------------------------------------------------------

    def _current_generation(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return name if re.fullmatch(r"gen-[0-9a-z-]+", name) else None

    def exists(self) -> bool:
        generation = self._current_generation()
        return generation is not None and (self.root / generation).is_dir()

    def _index(self) -> Any:
        """The current generation's index (re-opened when another process swapped in a new one)."""
        generation = self._current_generation()
        if generation is None:
            raise IndexUnavailable("There is no search index yet.")
        with self._lock:
            if self._ix is None or self._ix_gen != generation:
                try:
                    self._ix = whoosh_index.open_dir(str(self.root / generation))
                except Exception as error:  # missing, unreadable or corrupt: all mean "rebuild"
                    raise IndexUnavailable(f"The search index cannot be opened: {error!r}") from error
                self._ix_gen = generation
            return self._ix

    def _searcher(self) -> Any:
        """A searcher per thread, refreshed when the index changed (cheap when it did not)."""
        ix = self._index()
        cached = getattr(self._local, "searcher", None)
        if cached is not None and getattr(self._local, "gen", None) == self._ix_gen:
            try:
                if cached.reader().generation() == ix.latest_generation():
                    return cached
            except Exception:
                pass
        # Not Searcher.refresh(): it reuses the old segments' readers, deletions and all, so an updated
        # document would show in both its old and new versions.
        if cached is not None:
            try:
                cached.close()
            except Exception:
                pass
        try:
            searcher = ix.searcher()
        except Exception as error:
            raise IndexUnavailable(f"The search index cannot be read: {error!r}") from error
        self._local.searcher, self._local.gen = searcher, self._ix_gen
        return searcher

    def close(self) -> None:
        cached = getattr(self._local, "searcher", None)
        if cached is not None:
            cached.close()
            self._local.searcher = None

    def doc_count(self) -> int:
        try:
            return self._searcher().doc_count()
        except IndexUnavailable:
            raise
        except Exception as error:
            raise IndexUnavailable(repr(error)) from error

    def is_healthy(self) -> bool:
        """Open the index and read from every part of it: table of contents, lexicons, stored fields."""
        try:
            ix = self._index()
            with ix.searcher() as searcher:
                count = searcher.doc_count_all()
                for name in ("title", "body"):
                    for _term in searcher.lexicon(name):
                        break
                if count:
                    searcher.stored_fields(0)
                    searcher.stored_fields(count - 1)
            return True
        except Exception as error:
            log.warning("search index unhealthy: %s", repr(error))  # a string: a kept record must not pin the traceback
            return False

    # --- writing --------------------------------------------------------------------------------------

    def apply(self, changes: Iterable[Entry | str]) -> int:
        """Index each Entry (replacing the one with its key) and delete each key string, in one commit.
        ``changes`` is consumed only after the write lock is held."""
        count = 0
        with self._writer() as writer:
            for change in changes:
                if isinstance(change, str):
                    writer.delete_by_term("key", change)
                else:
                    writer.update_document(**_fields(change))
                count += 1
            # No merge here: whoosh would merge small segments inside this commit, which makes one update in
            # every few take 300-400 ms at 10,000 documents; maintain() merges them separately instead.
            writer.commit(merge=False)
        return count

    def maintain(self) -> None:
        """Merge the small segments that updates leave once there are more than MAX_SEGMENTS of them (each
        search visits every segment)."""
        if len(self._index()._segments()) <= MAX_SEGMENTS:  # FileIndex has no public segment count
            return
        with self._writer() as writer:
            writer.commit(merge=True)  # whoosh's MERGE_SMALL policy: the big segment is left alone

    @contextmanager
    def _writer(self) -> Iterator[Any]:
        """A writer under whoosh's write lock, which we take and release ourselves: when whoosh takes it, an
        I/O error (a full disk) while the writer starts or cancels leaves it held, and every later update
        would find the index busy until the process exits."""
        ix = self._index()
        lock = ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=0.05):
            raise IndexBusy("Another process is writing to the search index.")
        try:
            writer = ix.writer(_lk=False)
            try:
                yield writer
            except BaseException:
                if not writer.is_closed:
                    try:
                        writer.cancel()
                    except Exception as error:
                        log.warning("cancelling a failed search index write: %r", error)
                raise
        finally:
            lock.release()

    def update(self, entries: Iterable[Entry], removals: Iterable[str] = ()) -> None:
        self.apply([*removals, *entries])

    def rebuild_marker(self) -> Path:
        return self.root / REBUILDING

    def is_rebuilding(self) -> bool:
        try:
            started = self.rebuild_marker().stat().st_mtime
        except FileNotFoundError:
            return False
        return time.time() - started < REBUILD_STALE_SECONDS

    def claim_rebuild(self) -> bool:
        """Take the rebuild marker (one rebuild at a time across processes); False when another holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.rebuild_marker()
        if marker.exists() and not self.is_rebuilding():
            marker.unlink(missing_ok=True)  # left by a crashed rebuild
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        return True

    def release_rebuild(self) -> None:
        self.rebuild_marker().unlink(missing_ok=True)

    def rebuild(self, entries: Iterable[Entry], progress: Progress | None = None) -> int:
        """Write every entry into a new generation, optimise it, then point CURRENT at it."""
        self.root.mkdir(parents=True, exist_ok=True)
        generation = f"gen-{time.time_ns():x}-{os.getpid():x}"
        target = self.root / generation
        target.mkdir()
        count = 0
        try:
            ix = whoosh_index.create_in(str(target), make_schema())
            writer = ix.writer(limitmb=128)
            try:
                for entry in entries:
                    writer.add_document(**_fields(entry))
                    count += 1
                    if progress is not None:
                        progress(1)
                writer.commit(optimize=True)
            except BaseException:
                writer.cancel()
                raise
            ix.close()
            previous = self._current_generation()
            pointer = self.root / f"{CURRENT}.{generation}.tmp"
            pointer.write_text(generation, encoding="utf-8")
            os.replace(pointer, self.root / CURRENT)  # the atomic swap
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        self._remove_old_generations(keep={generation, previous})
        return count

    def _remove_old_generations(self, keep: set[str | None]) -> None:
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("gen-") and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    # --- searching ------------------------------------------------------------------------------------

    def _terms(self, text: str) -> list[str]:
        return [token.text for token in self.analyzer(text, mode="query")]

    def _clause_query(self, clause: Clause) -> tuple[Any | None, list[str], list[str]]:
        """The whoosh query for one clause, with the index terms and prefixes it highlights."""
        fieldnames = ("title",) if clause.title_only else ("title", "body")
        if clause.kind == "prefix":
            folded = _fold(clause.words[0])
            stems = {folded, *self._terms(folded)}
            parts = [wq.Prefix(name, stem) for name in fieldnames for stem in sorted(stems)]
            return wq.Or(parts), [], sorted(stems)
        terms = self._terms(" ".join(clause.words))
        if not terms:
            return None, [], []  # only stop words
        if len(terms) == 1:
            parts = [wq.Term(name, terms[0]) for name in fieldnames]
        else:
            parts = [wq.Phrase(name, terms) for name in fieldnames]
        return wq.Or(parts), terms, []

    @staticmethod
    def _active_filters(query: SearchQuery) -> dict[str, str]:
        """The facet filters the query sets, as (facet, value) in the form the facet sets are keyed by."""
        active = {"kind": query.kind if query.kind in KINDS else "", "area": query.area,
                  "status": query.status, "party": (query.party or "").lower()}
        return {name: value for name, value in active.items() if value}

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse(query.text)
        notes = list(parsed.notes)
        parts: list[Any] = []
        scored: list[Any] = []
        terms: set[str] = set()
        prefixes: set[str] = set()
        for clause in parsed.clauses:
            part, clause_terms, clause_prefixes = self._clause_query(clause)
            if part is not None:
                parts.append(part)
                terms.update(clause_terms)
                prefixes.update(clause_prefixes)
                if clause.kind != "prefix":
                    scored.append(part)
        if not parts and parsed.text:
            notes.append(NOTHING_TO_SEARCH)
            return SearchResults(query=query, total=0, hits=(), message=" ".join(notes))
        main = wq.And(parts) if parts else wq.Every()
        page, per_page = page_window(query, notes)
        deadline = time.monotonic() + self.time_limit
        searcher = self._searcher()

        # One unscored pass finds every match; totals and facet counts are set arithmetic on it and on the
        # documents of each facet value (cached per index version), and only the page asked for is scored,
        # where whoosh can skip blocks that cannot reach the top. Facet counts reflect the other active
        # filters (the usual faceted-search behaviour).
        matched, timed_out = _collect_ids(searcher, main, deadline)
        facet_sets = self._facet_sets(searcher)
        allowed = {name: _union(facet_sets[name], value, fold=name == "area")
                   for name, value in self._active_filters(query).items()}
        selected = matched.intersection(*allowed.values())
        facets = {}
        for name in FACETS:
            base = matched.intersection(*(docs for other, docs in allowed.items() if other != name))
            facets[name] = ordered_counts({value: len(base & docs) for value, docs in facet_sets[name].items()})

        limit = page * per_page
        if not selected:
            ranked: list[int] = []
        elif query.sort == "recent" or not parts:
            ranked = self._most_recent(searcher, selected, limit)
        elif not scored:
            # Only prefixes: like Lucene, score them as constants (a prefix can expand to hundreds of terms, and
            # scoring their union costs seconds): title matches first, then the most recent.
            in_title = _docset(searcher, wq.Or([wq.Prefix("title", p) for p in sorted(prefixes)]), deadline)
            ranked = self._most_recent(searcher, selected & in_title, limit)
            if len(ranked) < limit:
                ranked += self._most_recent(searcher, selected - in_title, limit - len(ranked))
        else:
            # Scored by the word and phrase clauses among the documents that every clause and filter allow. The
            # union of the clauses' terms scores the same as their intersection (both add the terms' scores)
            # and walks its posting lists far faster than whoosh's skip_to-driven intersection.
            leaves = wq.Or([leaf for part in scored for leaf in _scoring_terms(part)])
            ranked = []
            try:
                if len(selected) <= SCORE_DIRECTLY:
                    ranked = _score_each(searcher, leaves, selected, limit, deadline)
                else:
                    collector = _DeadlineFilter(searcher.collector(limit=limit), selected, deadline)
                    try:
                        searcher.search_with_collector(leaves, collector)
                    finally:
                        ranked = [hit.docnum for hit in collector.results()]
            except TimeLimit:
                timed_out = True
        start = (page - 1) * per_page
        hits = tuple(self._hit(searcher.stored_fields(docnum), terms, prefixes)
                     for docnum in ranked[start:start + per_page])
        if timed_out:
            notes.append("The search took too long, so these results may be incomplete; try more specific words.")
        suggestion = self._suggest(searcher, parsed) if parts else None
        return SearchResults(query=query, total=len(selected), hits=hits, facets=facets, suggestion=suggestion,
                             message=" ".join(notes) or None)

    @staticmethod
    def _most_recent(searcher: Any, docnums: set[int], limit: int) -> list[int]:
        updated = searcher.reader().column_reader("updated")  # to the second: ties go to the later indexed
        return heapq.nlargest(limit, docnums, key=lambda docnum: (updated[docnum], docnum))

    @staticmethod
    def _facet_sets(searcher: Any) -> dict[str, dict[str, frozenset[int]]]:
        """For each facet, the documents holding each of its values; built once per searcher (that is, per
        version of the index), as the values are few and every search counts them."""
        sets = getattr(searcher, "_policyhub_facets", None)
        if sets is None:
            sets = {}
            for name in FACETS:
                values = (term.decode("utf-8") for term in searcher.lexicon(name))
                sets[name] = {value: docs for value in values if value
                              and (docs := _term_docs(searcher, name, value))}
            searcher._policyhub_facets = sets
        return sets

    def _suggest(self, searcher: Any, parsed: ParsedQuery) -> str | None:
        """'Did you mean': each plain word absent from the index replaced by the closest indexed word."""
        changed = False
        correctors = {name: searcher.corrector(name) for name in ("body", "title")}

        def replace(clause: Clause, word: str) -> str:
            nonlocal changed
            terms = self._terms(word)
            if clause.kind != "prefix" and terms and not any(
                    searcher.doc_frequency(name, term) for name in ("title", "body") for term in terms):
                for corrector in correctors.values():
                    found = corrector.suggest(_fold(word), limit=1, maxdist=2)
                    if found:
                        changed = True
                        return found[0]
            return word
        suggestion = rewrite(parsed, replace)
        return suggestion if changed else None

    def _hit(self, stored: dict[str, Any], terms: set[str], prefixes: set[str]) -> Hit:
        kind, slug, number = stored["kind"], stored["slug"], stored.get("number")
        url = hit_url(kind, slug, number)
        updated = stored.get("updated") or 0
        return Hit(
            kind=kind, slug=slug, number=number, title=stored.get("title", ""),
            snippet=self.snippet(stored.get("body", ""), terms, prefixes), url=url,
            policy_area=stored.get("area", ""), status=stored.get("status", ""),
            parties=tuple(p for p in (stored.get("party") or "").split(",") if p),
            updated_at=datetime.fromtimestamp(updated, tz=timezone.utc) if updated else None,
        )

    def snippet(self, text: str, terms: set[str], prefixes: set[str]) -> str:
        """A passage of ``text`` around the densest run of matches: the text escaped first, then each match
        wrapped in <mark>. Our own highlighter, so no markup can come from anywhere but here."""
        text = text[:SNIPPET_SCAN]
        spans = list(_matches(text, terms, prefixes))
        start = 0
        if spans:
            best, best_count = spans[0][0], 0
            for i, (span_start, _end) in enumerate(spans):
                count = sum(1 for s, _e in spans[i:i + 20] if s < span_start + SNIPPET_WIDTH)
                if count > best_count:
                    best, best_count = span_start, count
            start = max(0, best - 40)
            space = text.rfind(" ", 0, start)
            start = 0 if start == 0 or space < 0 or start - space > 20 else space + 1
        end = min(len(text), start + SNIPPET_WIDTH)
        if end < len(text):
            space = text.find(" ", end)
            end = space if 0 <= space < end + 20 else end
        return marked_passage(text, start, end, spans)


def _union(values: dict[str, frozenset[int]], wanted: str, *, fold: bool) -> frozenset[int]:
    """The documents with facet value ``wanted`` (policy areas compare case-insensitively)."""
    if not fold:
        return values.get(wanted, frozenset())
    return frozenset().union(*(docs for value, docs in values.items() if value.lower() == wanted.lower()))


def _collect_ids(searcher: Any, q: Any, deadline: float) -> tuple[set[int], bool]:
    """Every document matching ``q`` (unscored), and whether the deadline stopped the work (no matches then).

    Set algebra over each term's posting list: walking whoosh's Or/And matchers document by document costs
    several times more, and the term sets are cached for the life of the searcher (one index version), as
    the same words come up again and again."""
    try:
        return _docset(searcher, q, deadline), False
    except TimeLimit:
        return set(), True


def _docset(searcher: Any, q: Any, deadline: float) -> set[int]:
    if time.monotonic() > deadline:
        raise TimeLimit
    if isinstance(q, wq.Or):
        return set().union(*(_docset(searcher, sub, deadline) for sub in q.subqueries))
    if isinstance(q, wq.And):
        sets = sorted((_docset(searcher, sub, deadline) for sub in q.subqueries), key=len)
        return sets[0].intersection(*sets[1:])
    if isinstance(q, wq.Term):
        return set(_term_docs(searcher, q.fieldname, q.text))
    if isinstance(q, wq.Prefix):
        found: set[int] = set()
        for text in searcher.reader().expand_prefix(q.fieldname, q.text):
            found.update(_term_docs(searcher, q.fieldname, text.decode("utf-8") if isinstance(text, bytes) else text))
            if time.monotonic() > deadline:
                raise TimeLimit
        return found
    if isinstance(q, wq.Phrase):  # whoosh checks the positions
        return set(_cached_docs(searcher, (q.fieldname, tuple(q.words)), q))
    return set(searcher.docs_for_query(q))


def _term_docs(searcher: Any, fieldname: str, text: str) -> frozenset[int]:
    return _cached_docs(searcher, (fieldname, text), wq.Term(fieldname, text))


def _cached_docs(searcher: Any, key: tuple[Any, ...], q: Any) -> frozenset[int]:
    cache = _term_cache(searcher)
    docs = cache.get(key)
    if docs is None:
        docs = frozenset(searcher.docs_for_query(q))
        if len(cache) >= TERM_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = docs
    return docs


def _scoring_terms(part: Any) -> Iterator[Any]:
    """The term queries that score a clause: a phrase scores by its words, since the documents that hold
    the phrase are already known and whoosh's phrase matcher costs as much again."""
    for leaf in part.subqueries:
        if isinstance(leaf, wq.Phrase):
            yield from (wq.Term(leaf.fieldname, word) for word in leaf.words)
        else:
            yield leaf


def _term_cache(searcher: Any) -> dict[tuple[Any, ...], frozenset[int]]:
    cache = getattr(searcher, "_policyhub_term_docs", None)
    if cache is None:
        cache = searcher._policyhub_term_docs = {}
    return cache


def _score_each(searcher: Any, q: Any, docnums: set[int], limit: int, deadline: float) -> list[int]:
    """The best ``limit`` of a few ``docnums`` by their score for ``q``: the matcher jumps from one to the
    next, where collecting would walk every posting of the query's (often common) words."""
    scored: list[tuple[float, int]] = []
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        local = sorted(d - offset for d in docnums if offset <= d < offset + sub.doc_count_all())
        if not local:
            continue
        matcher = q.matcher(sub, context)
        for i, docnum in enumerate(local):
            if not i & 255 and time.monotonic() > deadline:
                raise TimeLimit
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                scored.append((matcher.score(), -(docnum + offset)))
    return [-negative for _score, negative in heapq.nlargest(limit, scored)]


class _DeadlineFilter(FilterCollector):
    """Filtering and a time limit in one collector. (whoosh's TimeLimitCollector drives its child's
    ``collect`` directly, which skips a FilterCollector's filtering; and its SIGALRM mode is process-wide.)"""

    def __init__(self, child: Any, allow: Any, deadline: float) -> None:
        super().__init__(child, allow=allow)
        self.deadline = deadline

    def collect_matches(self) -> None:
        child, allow, offset = self.child, self._allow, self.offset
        for i, sub_docnum in enumerate(child.matches()):
            if not i & 63 and time.monotonic() > self.deadline:
                raise TimeLimit
            if allow is not None and offset + sub_docnum not in allow:
                continue
            child.collect(sub_docnum)


def _matches(text: str, terms: set[str], prefixes: set[str]) -> Iterator[tuple[int, int]]:
    if not terms and not prefixes:
        return
    for match in _TOKEN.finditer(text):
        word = match.group()
        term = _index_term(word)
        if term is None:
            continue
        if term in terms or (prefixes and any(term.startswith(p) or _fold(word).startswith(p) for p in prefixes)):
            yield match.start(), match.end()


_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")  # whoosh's RegexTokenizer pattern: the same words as the index


_SNIPPET_ANALYZER = make_analyzer()


@functools.lru_cache(maxsize=65_536)
def _index_term(word: str) -> str | None:
    """The index term of one word (None for a stop word). Cached: prose repeats its words, and running the
    analyzer chain over every word was most of a search's time."""
    for token in _SNIPPET_ANALYZER(word, mode="index"):
        return token.text
    return None
