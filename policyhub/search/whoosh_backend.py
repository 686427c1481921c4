"""The whoosh backend (default): a file index under ``<instance>/search-index``.

Layout: ``CURRENT`` names the generation directory in use (``gen-...``). A rebuild fills a fresh generation
and then replaces ``CURRENT`` atomically (``os.replace``), so searches keep using the old index meanwhile;
the previous generation is kept for searchers still holding it, older ones are removed.

Writers take whoosh's own lock with a short timeout and raise IndexBusy when another process holds it. The
changes given to ``apply`` are consumed only once the lock is held: the caller reads the database lazily, so
of two processes indexing the same document the one that writes last also read last.

Speed: the index files are read through memory maps without copies, posting lists a block at a time and
kept per searcher (whoosh_reading), snippets by set lookups over text already seen (_Marker), words analysed
once per process (FoldingAnalyzer), spelling words kept apart from the entries (SPELLING); updates commit
without merging and maintain() merges small segments later, off the request path.

With whoosh_reading, the only modules that import whoosh.
"""
from __future__ import annotations

import bisect
import heapq
import logging
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from collections.abc import Iterable, Iterator, Set as AbstractSet
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import (CharsetFilter, CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StemFilter,
                             StopFilter, Token)
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter
from whoosh.searching import TimeLimit
from whoosh.spelling import ReaderCorrector
from whoosh.support.charset import accent_map

from policyhub.search.backend import Entry, IndexBusy, IndexUnavailable, Progress, SearchBackend
from policyhub.search.query import (KINDS, NOTHING_TO_SEARCH, TIMED_OUT_PARTLY, Hit, SearchQuery, SearchResults,
                                    hit_url, ordered_counts, page_window)
from policyhub.search.querying import Clause, ParsedQuery, parse, rewrite
from policyhub.search.snippets import marked_passage
from policyhub.search.whoosh_reading import MappedStorage, ReadCache, SegmentLengths

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
REBUILDING = "REBUILDING"
REBUILD_STALE_SECONDS = 30 * 60      # a marker older than this was left by a crashed rebuild
TITLE_BOOST = 3.0
SNIPPET_WIDTH = 240
SNIPPET_SCAN = 50_000                # characters of a body scanned for the snippet
FACETS = ("kind", "area", "status", "party")
MAX_SEGMENTS = 10                    # more small segments than this are merged by maintain()
REBUILD_MEMORY_MB = 512              # postings a rebuild sorts in memory before spilling to disk (see rebuild)


def make_analyzer() -> Any:
    """English stemming with accents folded (so "élection" finds "election" and "railway" "railways")."""
    return FoldingAnalyzer()


class FoldingAnalyzer(CompositeAnalyzer):
    """RegexTokenizer | LowercaseFilter | CharsetFilter(accent_map) | StopFilter | StemFilter, with each
    distinct word run through that chain once per process and then looked up: the chain of generators, token
    by token, was most of the time of indexing. The tokens (texts, renumbered positions) are the chain's own.

    The schema in an index stores this class by name; an index built with the plain chain reads the same."""

    def __init__(self) -> None:
        super().__init__(RegexTokenizer(), LowercaseFilter(), CharsetFilter(accent_map), StopFilter(), StemFilter())

    def __call__(self, value: Any, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", no_morph: bool = False, **kwargs: Any) -> Iterator[Any]:
        if chars or keeporiginal or not removestops or not tokenize or not isinstance(value, str):
            return super().__call__(value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                                    removestops=removestops, start_pos=start_pos, start_char=start_char,
                                    tokenize=tokenize, mode=mode, no_morph=no_morph, **kwargs)
        return self._tokens(value, positions, start_pos, mode, no_morph, kwargs)

    def _tokens(self, value: str, positions: bool, start_pos: int, mode: str, no_morph: bool,
                kwargs: dict[str, Any]) -> Iterator[Any]:
        known = _WORDS_UNSTEMMED if no_morph else _WORDS
        token = Token(positions, False, removestops=True, mode=mode, **kwargs)
        pos = None
        for i, word in enumerate(_TOKEN.findall(value)):
            text = known.get(word, _UNKNOWN)
            if text is _UNKNOWN:
                text = self.term(word, no_morph=no_morph)
            if text is None:
                continue  # a stop word: later tokens are numbered as if it were not there (StopFilter's renumber)
            token.text, token.boost, token.stopped = text, 1.0, False
            if positions:
                pos = token.pos = start_pos + i if pos is None else pos + 1
            yield token

    def postings(self, value: str, fmt: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """What ``FieldType.index`` makes of ``value`` with a Positions format: (term as UTF-8, frequency,
        weight, encoded positions) for each distinct term, straight from the words (see FoldedText)."""
        positions: dict[str, list[int]] = {}
        pos = -1
        for i, word in enumerate(_TOKEN.findall(value)):
            text = _WORDS.get(word, _UNKNOWN)
            if text is _UNKNOWN:
                text = self.term(word)
            if text is None:
                continue
            pos = i if pos < 0 else pos + 1  # numbered as the chain numbers them (StopFilter's renumber)
            found = positions.get(text)
            if found is None:
                positions[text] = [pos]
            else:
                found.append(pos)
        boost, encode = fmt.field_boost, fmt.encode
        for text, found in positions.items():
            yield text.encode("utf-8"), len(found), float(len(found)) * boost, encode(found)

    def term(self, word: str, *, no_morph: bool = False) -> str | None:
        """The index term of one word (as the tokenizer cuts them) as the chain makes it (None for a stop
        word), remembered. The filters' own settings, applied to the one word without the generators."""
        known = _WORDS_UNSTEMMED if no_morph else _WORDS
        if len(known) >= WORDS_KEPT:
            known.clear()
        _tokenizer, _lowercase, charset, stop, stem = self.items
        text: str | None = word.lower().translate(charset.charmap)
        if len(text) < stop.min or (stop.max is not None and len(text) > stop.max) or text in stop.stops:
            text = None
        elif not no_morph and text not in stem.ignore:
            text = stem._stem(text)
        known[word] = text
        return text


class FoldedText(TEXT):
    """TEXT with a FoldingAnalyzer whose postings come from its words in one pass (FoldingAnalyzer.postings),
    where whoosh passes a token object per word through its format's generators: the same postings, in a
    third of the time. The schema in an index stores this class by name."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        if kwargs or not isinstance(value, str) or type(self.format) is not Positions or \
                not isinstance(self.analyzer, FoldingAnalyzer):
            return super().index(value, **kwargs)
        return self.analyzer.postings(value, self.format)


_WORDS: dict[str, str | None] = {}             # word -> its index term (None for a stop word)
_WORDS_UNSTEMMED: dict[str, str | None] = {}   # word -> its folded form (for spelling suggestions)
_UNKNOWN = object()
WORDS_KEPT = 200_000


def _fold(word: str) -> str:
    return word.lower().translate(accent_map)


def make_schema() -> Schema:
    analyzer = make_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True, sortable=True),
        slug=ID(stored=True),
        number=STORED(),
        title=FoldedText(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        body=FoldedText(analyzer=analyzer, stored=True),
        # The words of titles and bodies as written (folded, not stemmed), for "did you mean": see SPELLING.
        # (scorable only so that whoosh finds their length column rather than looking for it on disk for
        # each posting it writes.)
        spell_title=KEYWORD(scorable=True),
        spell_body=KEYWORD(scorable=True),
        area=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        party=KEYWORD(stored=True, commas=True, lowercase=True),
        updated=NUMERIC(bits=64, stored=True, sortable=True, signed=False),
        document_title=STORED(),
    )


SPELLING = "spelling"
"""The kind of the documents that hold the spelling words (each word once): a rebuild adds one with every
entry's words, an update one with the words the index did not have yet. They have no title, body or facet
values, so no search finds them, doc_count leaves them out, and nothing deletes them before the next
rebuild, which is also when words no longer used stop being suggested. (whoosh's TEXT(spelling=True) adds
every distinct word of every document again: twice the postings, and a rebuild 2.5 times slower.)"""


def _fields(entry: Entry) -> dict[str, Any]:
    body = entry.body if not entry.document_title else f"{entry.body}\n\n{entry.document_title}"
    return {
        "key": entry.key, "kind": entry.kind, "slug": entry.slug, "number": entry.number,
        "title": entry.title, "body": body, "area": entry.policy_area,
        "status": entry.status, "party": ",".join(entry.parties),
        "updated": int(entry.updated_at.timestamp()) if entry.updated_at else 0,
        "document_title": entry.document_title,
    }


class _SpellingWords:
    """The spelling words of the entries a writer adds, for the spelling document it adds last."""

    def __init__(self) -> None:
        self.title: set[str] = set()
        self.body: set[str] = set()
        self._seen: dict[str, set[str]] = {"title": set(), "body": set()}   # words as written, per field

    def add(self, fields: dict[str, Any]) -> None:
        for name, words in (("title", self.title), ("body", self.body)):
            seen = self._seen[name]
            new = set(_TOKEN.findall(fields[name])).difference(seen)  # only words not met before are folded
            seen |= new
            words |= spelling_words(new)

    def write(self, writer: Any, *, known: dict[str, set[str]] | None = None) -> None:
        """Add the spelling document, with only the words not ``known`` (by spelling field) yet, which then
        are."""
        title, body = self.title, self.body
        if known is not None:
            title, body = title - known["spell_title"], body - known["spell_body"]
            known["spell_title"] |= title
            known["spell_body"] |= body
        if title or body:
            title, body = sorted(title), sorted(body)
            writer.add_document(key=f"{SPELLING}:{time.time_ns():x}-{os.getpid():x}", kind=SPELLING,
                                spell_title=" ".join(title), spell_body=" ".join(body))


def spelling_words(written: Iterable[str]) -> set[str]:
    """Words (as written) as the spelling fields hold them: folded, stop words left out."""
    words = set()
    for word in written:
        folded = _WORDS_UNSTEMMED.get(word, _UNKNOWN)
        if folded is _UNKNOWN:
            folded = _SNIPPET_ANALYZER.term(word, no_morph=True)
        if folded:
            words.add(folded)
    return words


class _Writer(SegmentWriter):
    """whoosh's writer, with the field lengths of the segment it writes read once per field. (whoosh looks up
    a document's length in the segment's files for every posting it writes: a sixth of a rebuild.)"""

    def per_document_reader(self) -> Any:
        return _Lengths(super().per_document_reader(), self.schema)


class _Lengths:
    """A per-document reader's field lengths, each field's read whole on first use (only scorable fields
    have lengths: whoosh looks for the others on disk each time, and answers ``default``)."""

    def __init__(self, reader: Any, schema: Any) -> None:
        self._reader = reader
        self._schema = schema
        self._tables: dict[str, list[Any]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> Any:
        if fieldname in self._schema and not self._schema[fieldname].scorable:
            return default
        table = self._tables.get(fieldname)
        if table is None:
            length = self._reader.doc_field_length
            table = self._tables[fieldname] = [length(d, fieldname) for d in range(self._reader.doc_count_all())]
        return table[docnum] if docnum < len(table) else self._reader.doc_field_length(docnum, fieldname, default)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


def _open(directory: Path) -> Any:
    """The index in ``directory``, its files read without copies (see MappedStorage)."""
    return MappedStorage(str(directory)).open_index()


class WhooshBackend(SearchBackend):
    def __init__(self, path: str | os.PathLike[str], *, time_limit: float = 2.0, lock_timeout: float = 0.5,
                 rebuild_memory_mb: int = REBUILD_MEMORY_MB) -> None:
        self.root = Path(path)
        self.time_limit = time_limit
        self.lock_timeout = lock_timeout
        self.rebuild_memory_mb = rebuild_memory_mb
        self.analyzer = make_analyzer()
        self._lock = threading.Lock()
        self._ix: Any = None
        self._ix_gen: str | None = None
        self._local = threading.local()
        self._lengths = SegmentLengths()
        self._spelling: tuple[str | None, dict[str, set[str]]] | None = None

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
                    self._ix = _open(self.root / generation)
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
        searcher._policyhub_reads = ReadCache(searcher, self._lengths)
        self._local.searcher, self._local.gen = searcher, self._ix_gen
        return searcher

    def close(self) -> None:
        cached = getattr(self._local, "searcher", None)
        if cached is not None:
            cached.close()
            self._local.searcher = None

    def doc_count(self) -> int:
        try:
            searcher = self._searcher()
            return searcher.doc_count() - len(_reads(searcher).docs("kind", SPELLING))
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
            spelling = _SpellingWords()
            for change in changes:
                if isinstance(change, str):
                    writer.delete_by_term("key", change)
                else:
                    fields = _fields(change)
                    spelling.add(fields)
                    writer.update_document(**fields)
                count += 1
            if not writer.schema["body"].separate_spelling():  # else whoosh's spelling=True adds the words
                spelling.write(writer, known=self._spelling_known(writer))
            # No merge here: whoosh would merge small segments inside this commit, which makes one update in
            # every few take 300-400 ms at 10,000 documents; maintain() merges them separately instead.
            writer.commit(merge=False)
        return count

    def _spelling_known(self, writer: Any) -> dict[str, set[str]]:
        """The words the spelling fields hold, read once per generation of the index and then kept up to date
        with what this process adds. Spelling documents are only ever added (until a rebuild makes a new
        generation), so a word known stays known; words another process added are added again: harmless.
        (Asking the index word by word cost 20 ms an update.)"""
        if self._spelling is None or self._spelling[0] != self._ix_gen:
            reader = writer.searcher().reader()  # the writer's own, closed with it
            self._spelling = (self._ix_gen, {name: {term.decode("utf-8") for term in reader.lexicon(name)}
                                             for name in ("spell_title", "spell_body")})
        return self._spelling[1]

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
            writer = _Writer(ix, _lk=False)
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
        """Write every entry into a new generation, then point CURRENT at it.

        One writer makes one segment: nothing to merge or optimise afterwards. It sorts its postings in
        memory up to ``rebuild_memory_mb`` (SEARCH_REBUILD_MEMORY_MB; 512 MB holds about 14,000 documents of
        3 KB) and beyond that spills sorted runs to temporary files, pickled a posting at a time, which made
        a rebuild of 10,000 documents half as fast at whoosh's default of 128 MB."""
        self.root.mkdir(parents=True, exist_ok=True)
        generation = f"gen-{time.time_ns():x}-{os.getpid():x}"
        target = self.root / generation
        target.mkdir()
        count = 0
        try:
            ix = whoosh_index.create_in(str(target), make_schema())
            writer = _Writer(ix, limitmb=self.rebuild_memory_mb)
            try:
                spelling = _SpellingWords()
                for entry in entries:
                    fields = _fields(entry)
                    spelling.add(fields)
                    writer.add_document(**fields)
                    count += 1
                    if progress is not None:
                        progress(1)
                spelling.write(writer)
                writer.commit(merge=False)  # one segment, as an optimised index has
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
            return SearchResults(query=query, total=0, hits=(), notes=tuple(notes))
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
        selected = matched.intersection(*allowed.values()) if allowed else matched
        facets = {}
        for name in FACETS:
            others = [docs for other, docs in allowed.items() if other != name]
            base = matched.intersection(*others) if others else matched
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
            # Scored by the word and phrase clauses among the documents that every clause and filter allow: the
            # sum of each (field, term) leaf's BM25F score, as whoosh scores an Or of the leaves.
            leaves = [leaf for part in scored for leaf in _scoring_terms(part)]
            ranked = _reads(searcher).top(leaves, selected, limit)
        start = (page - 1) * per_page
        marker = _Marker(terms, prefixes)
        hits = tuple(self._hit(searcher.stored_fields(docnum), marker)
                     for docnum in ranked[start:start + per_page])
        if timed_out:
            notes.append(TIMED_OUT_PARTLY)
        suggestion = self._suggest(searcher, parsed) if parts else None
        return SearchResults(query=query, total=len(selected), hits=hits, facets=facets, suggestion=suggestion,
                             notes=tuple(notes))

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
                              and (docs := _reads(searcher).docs(name, value))}
            searcher._policyhub_facets = sets
        return sets

    def _suggest(self, searcher: Any, parsed: ParsedQuery) -> str | None:
        """'Did you mean': each plain word absent from the index replaced by the closest indexed word."""
        changed = False
        correctors = {name: _Corrector(searcher.reader(), name, searcher.schema[name]) for name in ("body", "title")}

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

    def _hit(self, stored: dict[str, Any], marker: _Marker) -> Hit:
        kind, slug, number = stored["kind"], stored["slug"], stored.get("number")
        url = hit_url(kind, slug, number)
        updated = stored.get("updated") or 0
        return Hit(
            kind=kind, slug=slug, number=number, title=stored.get("title", ""),
            snippet=self.snippet(stored.get("body", ""), marker), url=url,
            policy_area=stored.get("area", ""), status=stored.get("status", ""),
            parties=tuple(p for p in (stored.get("party") or "").split(",") if p),
            updated_at=datetime.fromtimestamp(updated, tz=timezone.utc) if updated else None,
        )

    @staticmethod
    def snippet(text: str, marker: _Marker) -> str:
        """A passage of ``text`` around the densest run of matches: the text escaped first, then each match
        wrapped in <mark>. Our own highlighter, so no markup can come from anywhere but here."""
        text = text[:SNIPPET_SCAN]
        spans = marker.spans(text)
        start = 0
        if spans:
            starts = [span_start for span_start, _end in spans]
            best, best_count = starts[0], 0
            for i, span_start in enumerate(starts):  # matches within a snippet's width, looking 20 ahead
                count = bisect.bisect_left(starts, span_start + SNIPPET_WIDTH, i, min(i + 20, len(starts))) - i
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


class _Corrector(ReaderCorrector):
    """whoosh's corrector for a field, over the words of its spelling field ("spell_" + the field; whoosh's
    spelling=True made the same field), ranked as whoosh ranks them."""

    def _suggestions(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        frequency = self.reader.frequency
        for word in self.reader.terms_within("spell_" + self.fieldname, text, maxdist, prefix=prefix):
            yield 0 - (maxdist + (1.0 / (frequency(self.fieldname, word) or 1) * 0.5)), word


def _union(values: dict[str, frozenset[int]], wanted: str, *, fold: bool) -> frozenset[int]:
    """The documents with facet value ``wanted`` (policy areas compare case-insensitively)."""
    if not fold:
        return values.get(wanted, frozenset())
    return frozenset().union(*(docs for value, docs in values.items() if value.lower() == wanted.lower()))


def _reads(searcher: Any) -> ReadCache:
    """The searcher's ReadCache (attached when the backend opened it)."""
    return searcher._policyhub_reads


def _collect_ids(searcher: Any, q: Any, deadline: float) -> tuple[AbstractSet[int], bool]:
    """Every document matching ``q`` (unscored), and whether the deadline stopped the work (no matches then).

    Set algebra over each term's documents, read in bulk and kept for the life of the searcher (one index
    version), as the same words come up again and again: walking whoosh's Or/And matchers document by
    document costs several times more."""
    try:
        return _docset(searcher, q, deadline), False
    except TimeLimit:
        return set(), True


def _docset(searcher: Any, q: Any, deadline: float) -> AbstractSet[int]:
    if time.monotonic() > deadline:
        raise TimeLimit
    reads = _reads(searcher)
    if isinstance(q, wq.Or):
        return set().union(*(_docset(searcher, sub, deadline) for sub in q.subqueries))
    if isinstance(q, wq.And):
        sets = sorted((_docset(searcher, sub, deadline) for sub in q.subqueries), key=len)
        return sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]
    if isinstance(q, wq.Term):  # a word of the query, which scores the hits too
        return reads.docs(q.fieldname, q.text, scored=True)
    if isinstance(q, wq.Prefix):
        found: set[int] = set()
        for text in searcher.reader().expand_prefix(q.fieldname, q.text):
            found.update(reads.docs(q.fieldname, text.decode("utf-8") if isinstance(text, bytes) else text))
            if time.monotonic() > deadline:
                raise TimeLimit
        return found
    if isinstance(q, wq.Phrase):
        return reads.phrase_docs(q.fieldname, q.words, deadline)
    return set(searcher.docs_for_query(q)) - reads.docs("kind", SPELLING)  # Every(): entries only


def _scoring_terms(part: Any) -> Iterator[tuple[str, str]]:
    """The (field, term) leaves that score a clause: a phrase scores by its words (whoosh's phrase score is
    the sum of its words' scores too, at the cost of walking their positions again)."""
    for leaf in part.subqueries:
        if isinstance(leaf, wq.Phrase):
            yield from ((leaf.fieldname, word) for word in leaf.words)
        else:
            yield leaf.fieldname, leaf.text


class _Marker:
    """Finds the words of a text that match a query, for the snippets of one page of hits.

    The text is cut at white space (which no word spans), and its pieces are looked up, as sets, in what the
    process already knows of pieces of text (see _PieceIndex); the matching words are then found with
    str.find. (Tokenizing every hit with a regular expression, word by word in Python, was most of a
    search's time.)"""

    def __init__(self, terms: set[str], prefixes: set[str]) -> None:
        self.terms, self.prefixes = terms, tuple(prefixes)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the matching words of ``text`` stand, in order."""
        if not self.terms and not self.prefixes:
            return []
        pieces = set(text.split())
        index = _piece_index(pieces)
        if all(len(prefix) >= _START for prefix in self.prefixes):
            candidates = set().union(*(index.by_term.get(term, ()) for term in self.terms),
                                     *(index.by_start.get(prefix[:_START], ()) for prefix in self.prefixes))
            pieces &= candidates
        words = {word for piece in pieces for word, term in index.pieces[piece] if self._is_match(word, term)}
        return sorted(span for word in words for span in _occurrences(text, word))

    def _is_match(self, word: str, term: str) -> bool:
        return term in self.terms or (bool(self.prefixes) and (
            term.startswith(self.prefixes) or _fold(word).startswith(self.prefixes)))


_START = 3   # _PieceIndex.by_start keys: the first letters of terms and of folded words


class _PieceIndex:
    """Pieces of text without white space, each with its (word, index term) pairs (stop words left out); by
    index term, and by the first letters of terms and folded words (for prefixes), the pieces holding them.
    Prose repeats its words, so after the first searches a page's text is nearly all known, and its matches
    are found by set operations."""

    def __init__(self) -> None:
        self.pieces: dict[str, tuple[tuple[str, str], ...]] = {}
        self.by_term: dict[str, set[str]] = {}
        self.by_start: dict[str, set[str]] = {}

    def learn(self, pieces: set[str]) -> None:
        for piece in pieces.difference(self.pieces):
            pairs = tuple((word, term) for word in _TOKEN.findall(piece) if (term := _index_term(word)) is not None)
            for word, term in pairs:
                self.by_term.setdefault(term, set()).add(piece)
                for start in {term[:_START], _fold(word)[:_START]}:
                    self.by_start.setdefault(start, set()).add(piece)
            self.pieces[piece] = pairs  # last: a piece listed here is complete (threads share the index)


PIECES_KEPT = 100_000
_PIECES = _PieceIndex()


def _piece_index(pieces: set[str]) -> _PieceIndex:
    """The piece index, knowing ``pieces``; a fresh one once it is full (rather than tracking use: the
    common pieces come back at once). A caller keeps the index it was given, whatever other threads do."""
    global _PIECES
    index = _PIECES
    if len(index.pieces) > PIECES_KEPT:
        index = _PIECES = _PieceIndex()
    index.learn(pieces)
    return index


def _occurrences(text: str, word: str) -> Iterator[tuple[int, int]]:
    """Where ``word`` stands in ``text`` as a whole token (as _TOKEN would cut it: not inside a longer run
    of word characters, nor joined to one by a single dot)."""
    size, length = len(word), len(text)
    start = text.find(word)
    while start >= 0:
        end = start + size
        if not (start and (_WORD_CHAR.match(text, start - 1) or (
                text[start - 1] == "." and start > 1 and _WORD_CHAR.match(text, start - 2)))) and \
                not (end < length and (_WORD_CHAR.match(text, end) or (
                    text[end] == "." and end + 1 < length and _WORD_CHAR.match(text, end + 1)))):
            yield start, end
        start = text.find(word, start + 1)


_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")  # whoosh's RegexTokenizer pattern: the same words as the index
_WORD_CHAR = re.compile(r"[\w\*]")


_SNIPPET_ANALYZER = FoldingAnalyzer()


def _index_term(word: str) -> str | None:
    """The index term of one word (None for a stop word)."""
    text = _WORDS.get(word, _UNKNOWN)
    return _SNIPPET_ANALYZER.term(word) if text is _UNKNOWN else text  # type: ignore[return-value]
