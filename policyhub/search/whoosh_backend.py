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

import html
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.collectors import FilterCollector
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.searching import TimeLimit
from whoosh.support.charset import accent_map

from policyhub.search.backend import Entry, IndexBusy, IndexUnavailable, Progress, SearchBackend
from policyhub.search.query import KINDS, Hit, SearchQuery, SearchResults
from policyhub.search.querying import Clause, ParsedQuery, parse

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
REBUILDING = "REBUILDING"
REBUILD_STALE_SECONDS = 30 * 60      # a marker older than this was left by a crashed rebuild
TITLE_BOOST = 3.0
MAX_RESULTS = 10_000                 # deepest result a page may ask for
SNIPPET_WIDTH = 240
SNIPPET_SCAN = 50_000                # characters of a body scanned for the snippet
FACETS = ("kind", "area", "status", "party")


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
        area_key=ID(),
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
        "area_key": entry.policy_area.lower(), "status": entry.status, "party": ",".join(entry.parties),
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
        ix = self._index()
        try:
            writer = ix.writer(timeout=self.lock_timeout, delay=0.05)
        except LockError:
            raise IndexBusy("Another process is writing to the search index.") from None
        count = 0
        try:
            for change in changes:
                if isinstance(change, str):
                    writer.delete_by_term("key", change)
                else:
                    writer.update_document(**_fields(change))
                count += 1
            writer.commit()  # merges small segments as it goes (merge=True)
        except BaseException:
            writer.cancel()
            raise
        return count

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

    def _filters(self, query: SearchQuery, skip: str | None = None) -> list[Any]:
        filters = []
        if query.kind in KINDS and skip != "kind":
            filters.append(wq.Term("kind", query.kind))
        if query.area and skip != "area":
            filters.append(wq.Term("area_key", query.area.lower()))
        if query.status and skip != "status":
            filters.append(wq.Term("status", query.status))
        if query.party and skip != "party":
            filters.append(wq.Term("party", query.party.lower()))
        return filters

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse(query.text)
        notes = list(parsed.notes)
        parts: list[Any] = []
        terms: set[str] = set()
        prefixes: set[str] = set()
        for clause in parsed.clauses:
            part, clause_terms, clause_prefixes = self._clause_query(clause)
            if part is not None:
                parts.append(part)
                terms.update(clause_terms)
                prefixes.update(clause_prefixes)
        if not parts and parsed.text:
            notes.append("Nothing to search for: try some words from the text you are looking for.")
            return SearchResults(query=query, total=0, hits=(), message=" ".join(notes))
        main = wq.And(parts) if parts else wq.Every()
        page, per_page = max(1, query.page), max(1, min(query.per_page, 100))
        if page * per_page > MAX_RESULTS:
            notes.append(f"Only the first {MAX_RESULTS} results can be paged through; refine your search.")
            page = MAX_RESULTS // per_page
        deadline = time.monotonic() + self.time_limit
        searcher = self._searcher()
        timed_out = False

        def run(filters: list[Any], limit: int | None, groupedby: dict[str, Any] | None) -> Any:
            nonlocal timed_out
            sort_recent = query.sort == "recent" or not parts
            collector = searcher.collector(
                limit=limit, groupedby=groupedby,
                sortedby="updated" if sort_recent else None, reverse=sort_recent,
            )
            timed = _DeadlineFilter(collector, wq.And(filters) if filters else None, deadline)
            try:
                searcher.search_with_collector(main, timed)
            except TimeLimit:
                timed_out = True
            return timed.results()

        # Facet counts reflect the other active filters (the usual faceted-search behaviour): facets whose
        # own filter is inactive come with the main search; each active one needs a search without it.
        active = {name for name in FACETS
                  if len(self._filters(query, skip=name)) < len(self._filters(query))}
        groups = {name: self._facet(name) for name in FACETS if name not in active}
        results = run(self._filters(query), page * per_page, groups or None)
        facets: dict[str, dict[str, int]] = {name: self._group_counts(results, name) for name in groups}
        for name in sorted(active):
            if timed_out:
                break
            others = run(self._filters(query, skip=name), 1, {name: self._facet(name)})
            facets[name] = self._group_counts(others, name)
        facets = {name: facets.get(name, {}) for name in FACETS}

        start = (page - 1) * per_page
        docs = list(results[start:start + per_page])
        hits = tuple(self._hit(stored.fields(), terms, prefixes) for stored in docs)
        total = len(results) if not timed_out else results.scored_length()
        if timed_out:
            notes.append("The search took too long, so these results may be incomplete; try more specific words.")
        suggestion = self._suggest(searcher, parsed) if parts else None
        return SearchResults(query=query, total=total, hits=hits, facets=facets, suggestion=suggestion,
                             message=" ".join(notes) or None)

    @staticmethod
    def _facet(name: str) -> Any:
        if name == "party":
            return sorting.FieldFacet("party", allow_overlap=True, maptype=sorting.Count)
        return sorting.FieldFacet(name, maptype=sorting.Count)

    @staticmethod
    def _group_counts(results: Any, name: str) -> dict[str, int]:
        try:
            groups = results.groups(name)
        except (KeyError, ValueError):
            return {}
        counts = {str(key): int(value) for key, value in groups.items() if key not in (None, "")}
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def _suggest(self, searcher: Any, parsed: ParsedQuery) -> str | None:
        """'Did you mean': each plain word absent from the index replaced by the closest indexed word."""
        changed = False
        words: list[str] = []
        correctors = {name: searcher.corrector(name) for name in ("body", "title")}
        for clause in parsed.clauses:
            rendered = []
            for word in clause.words:
                replacement = word
                terms = self._terms(word)
                if clause.kind != "prefix" and terms and not any(
                        searcher.doc_frequency(name, term) for name in ("title", "body") for term in terms):
                    for corrector in correctors.values():
                        found = corrector.suggest(_fold(word), limit=1, maxdist=2)
                        if found:
                            replacement, changed = found[0], True
                            break
                rendered.append(replacement)
            text = " ".join(rendered)
            if clause.kind == "phrase":
                text = f'"{text}"'
            elif clause.kind == "prefix":
                text += "*"
            words.append(("title:" if clause.title_only else "") + text)
        return " ".join(words) if changed else None

    def _hit(self, stored: dict[str, Any], terms: set[str], prefixes: set[str]) -> Hit:
        kind, slug, number = stored["kind"], stored["slug"], stored.get("number")
        url = f"/documents/{slug}" if kind == "document" else f"/documents/{slug}/amendments/{number}"
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
        spans = list(_matches(self.analyzer, text, terms, prefixes))
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
        pieces = ["… " if start else ""]
        cursor = start
        for span_start, span_end in spans:
            if span_start < cursor or span_end > end:
                continue
            pieces.append(_plain(text[cursor:span_start]))
            pieces.append(f"<mark>{_plain(text[span_start:span_end])}</mark>")
            cursor = span_end
        pieces.append(_plain(text[cursor:end]))
        if end < len(text):
            pieces.append(" …")
        return "".join(pieces).strip()


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


def _plain(segment: str) -> str:
    return html.escape(re.sub(r"\s+", " ", segment), quote=True)


def _matches(analyzer: Any, text: str, terms: set[str], prefixes: set[str]) -> Iterator[tuple[int, int]]:
    if not terms and not prefixes:
        return
    for token in analyzer(text, chars=True, keeporiginal=True, mode="index"):
        if token.text in terms or (prefixes and any(
                token.text.startswith(p) or _fold(token.original).startswith(p) for p in prefixes)):
            yield token.startchar, token.endchar
