"""The PostgreSQL backend (SEARCH_BACKEND = "postgres"): the index is two tables of the application's own
database, ``search_entries`` (a weighted tsvector with a GIN index) and ``search_words`` (the vocabulary for
"did you mean"), so any number of app hosts share one index and none keeps local files.

- Accents are folded in Python (``folding``) on the way in and on the way out, so the database needs no
  extension; words are stemmed by the 'english' configuration. Titles weigh A, bodies B; ``title:`` asks
  for weight A.
- What a person typed reaches SQL only as bound parameters. The tsquery is composed from
  ``querying.parse``'s clauses: each clause is written as quoted tsquery literals (words are \\w+ only),
  normalised by to_tsquery('english', ...) in one statement, and the normalised parts are joined with &.
- Writers take an advisory transaction lock, so that of two processes indexing one document the one that
  writes last also read last (the caller reads the database lazily, as for whoosh); a writer that cannot
  get it within ``lock_timeout`` raises IndexBusy. A rebuild replaces every row in one transaction: readers
  see the old index or the new one, never half of either.
- Each search is one transaction with a statement_timeout (SET LOCAL): the server cancels a search that runs
  too long, and the answer says so.

The only module that emits PostgreSQL full-text SQL.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from functools import lru_cache
from itertools import islice
from typing import Any

from psycopg import errors as pg_errors
from sqlalchemy import Connection, Engine, TextClause, text
from sqlalchemy.exc import DBAPIError

from policyhub.search.backend import Entry, IndexBusy, IndexUnavailable, Progress, SearchBackend
from policyhub.search.folding import fold, shown
from policyhub.search.headlines import START, STOP, snippet
from policyhub.search.models import EXCERPT_CHARS
from policyhub.search.query import (KINDS, NOTHING_TO_SEARCH, TIMED_OUT, TIMED_OUT_PARTLY, Hit, SearchQuery,
                                    SearchResults, hit_url, ordered_counts, page_window)
from policyhub.search.querying import Clause, ParsedQuery, parse, rewrite
from policyhub.search.spelling import closest, vocabulary_words

log = logging.getLogger(__name__)

FACETS = ("kind", "area", "status", "party")
BATCH = 500                          # changes written per round trip
LOCK_NAMESPACE = 0x50485331          # advisory locks (two-key form): this backend's namespace, then which lock
WRITE_LOCK, REBUILD_LOCK = 1, 2
HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=1"
TRIGRAM_SIMILARITY = 0.3             # pg_trgm's own default threshold
SPELLING_CANDIDATES = 5              # checked against the index per misspelt word

# ts_rank_cd's weights for D, C, B (bodies) and A (titles); normalisation 1 divides by 1 + log(length), so a
# long body that repeats a word does not outrank a title by length alone.
_RANK = "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', e.search_vector, CAST(:query AS tsquery), 1)"
_FILTERS = {  # a NULL parameter is a filter not asked for
    "kind": "(CAST(:kind AS text) IS NULL OR e.kind = CAST(:kind AS text))",
    "area": "(CAST(:area AS text) IS NULL OR lower(e.area) = lower(CAST(:area AS text)))",
    "status": "(CAST(:status AS text) IS NULL OR e.status = CAST(:status AS text))",
    "party": "(CAST(:party AS text) IS NULL"
             " OR lower(CAST(:party AS text)) = ANY(string_to_array(lower(e.parties), ',')))",
}
_MATCH = "e.search_vector @@ CAST(:query AS tsquery)"

_UPSERT = text("""
    INSERT INTO search_entries (key, kind, slug, number, title, excerpt, excerpt_folded, area, status, parties,
                                updated_at, search_vector)
    VALUES (:key, :kind, :slug, :number, :title, :excerpt, :excerpt_folded, :area, :status, :parties, :updated_at,
            setweight(to_tsvector('english', :folded_title), 'A')
            || setweight(to_tsvector('english', :folded_body), 'B'))
    ON CONFLICT (key) DO UPDATE SET
        kind = EXCLUDED.kind, slug = EXCLUDED.slug, number = EXCLUDED.number, title = EXCLUDED.title,
        excerpt = EXCLUDED.excerpt, excerpt_folded = EXCLUDED.excerpt_folded, area = EXCLUDED.area,
        status = EXCLUDED.status, parties = EXCLUDED.parties, updated_at = EXCLUDED.updated_at,
        search_vector = EXCLUDED.search_vector
""")
_DELETE = text("DELETE FROM search_entries WHERE key = ANY(CAST(:keys AS text[]))")
_ADD_WORDS = text("INSERT INTO search_words (word) SELECT unnest(CAST(:words AS text[])) ON CONFLICT DO NOTHING")
_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :ms, true)")
_STATEMENT_TIMEOUT = text("SELECT set_config('statement_timeout', :ms, true)")
# The planner does not count the cost of reading each row's tsvector out of TOAST: for a common word it
# prefers a sequential scan that reads every vector to test @@, where the GIN index finds the same rows and
# only the ranking reads their vectors (a third less time for a word in 70% of 10,000 entries). Only for the
# statements that match words: a scan of every entry (browsing, the vocabulary) is best done sequentially.
_SEQUENTIAL_SCANS = text("SELECT set_config('enable_seqscan', :allowed, true)")
_WRITE_LOCK = text(f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, {WRITE_LOCK})")
_CLAIM_REBUILD = text(f"SELECT pg_try_advisory_lock({LOCK_NAMESPACE}, {REBUILD_LOCK})")
_RELEASE_REBUILD = text(f"SELECT pg_advisory_unlock({LOCK_NAMESPACE}, {REBUILD_LOCK})")
_REBUILDING = text(f"""
    SELECT EXISTS (SELECT 1 FROM pg_locks
                   WHERE locktype = 'advisory' AND granted AND objsubid = 2
                     AND classid = CAST({LOCK_NAMESPACE} AS oid) AND objid = CAST({REBUILD_LOCK} AS oid)
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
""")
_RESOLVE = text("""
    SELECT CAST(to_tsquery('english', t) AS text)
    FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS u(t, n) ORDER BY n
""")
_ABSENT = text("""
    SELECT w FROM unnest(CAST(:words AS text[])) AS w
    WHERE numnode(plainto_tsquery('english', w)) > 0
      AND NOT EXISTS (SELECT 1 FROM search_entries WHERE search_vector @@ plainto_tsquery('english', w))
""")
_PRESENT = text("""
    SELECT w FROM unnest(CAST(:words AS text[])) AS w
    WHERE EXISTS (SELECT 1 FROM search_entries WHERE search_vector @@ plainto_tsquery('english', w))
""")
_HAS_TRIGRAMS = text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
_SIMILAR_WORDS = text("""
    SELECT word FROM search_words WHERE similarity(word, :word) >= :threshold
    ORDER BY similarity(word, :word) DESC, word LIMIT 50
""")
_SAME_START_WORDS = text("""
    SELECT word FROM search_words
    WHERE left(word, 1) = :first AND length(word) BETWEEN :shortest AND :longest LIMIT 5000
""")


@lru_cache(maxsize=None)
def _hits_sql(has_query: bool, recent: bool) -> TextClause:
    """One page of hits, with headlines computed for that page only (ts_headline re-reads the text). The
    SQL varies in shape, never in content: every value is a parameter."""
    terms = ["updated_at DESC NULLS LAST", "key"]
    if has_query and not recent:
        terms.insert(0, "rank DESC")
    headline = ("ts_headline('english', e.excerpt_folded, CAST(:query AS tsquery), :options)"
                if has_query else "NULL")
    return text(f"""
        SELECT e.kind, e.slug, e.number, e.title, e.area, e.status, e.parties, e.updated_at, e.excerpt,
               e.excerpt_folded, {headline} AS headline
        FROM (SELECT e.key, e.updated_at, {_RANK if has_query else "0"} AS rank
              FROM search_entries AS e
              WHERE {_MATCH if has_query else "TRUE"} AND {" AND ".join(_FILTERS.values())}
              ORDER BY {", ".join(terms)} LIMIT :limit OFFSET :offset) AS page
        JOIN search_entries AS e ON e.key = page.key
        ORDER BY {", ".join("page." + term for term in terms)}
    """)


@lru_cache(maxsize=None)
def _facets_sql(has_query: bool) -> TextClause:
    """Counts per facet value. Each facet is counted over the entries that pass every other filter, so an
    applied filter's own facet still shows its alternatives (the whoosh backend's semantics)."""
    def others(name: str) -> str:
        return " AND ".join(f"{other}_ok" for other in FACETS if other != name)
    return text(f"""
        WITH m AS MATERIALIZED (
            SELECT e.kind, e.area, e.status, e.parties,
                   {", ".join(f"{sql} AS {name}_ok" for name, sql in _FILTERS.items())}
            FROM search_entries AS e WHERE {_MATCH if has_query else "TRUE"})
        SELECT 'kind', kind, count(*) FROM m WHERE {others("kind")} GROUP BY kind
        UNION ALL SELECT 'area', area, count(*) FROM m WHERE {others("area")} GROUP BY area
        UNION ALL SELECT 'status', status, count(*) FROM m WHERE {others("status")} GROUP BY status
        UNION ALL SELECT 'party', party, count(*) FROM m CROSS JOIN unnest(string_to_array(m.parties, ',')) AS party
                  WHERE {others("party")} GROUP BY party
    """)


def _literal(word: str) -> str:
    """``word`` as a quoted tsquery operand (quotes doubled, backslashes escaped), whatever it holds."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _clause_text(clause: Clause) -> str:
    """The clause in to_tsquery's syntax, for the 'english' configuration to normalise."""
    weight = "A" if clause.title_only else ""
    operands = [_literal(fold(word)) for word in clause.words]
    if clause.kind == "prefix":
        return f"{operands[0]}:*{weight}"
    return " <-> ".join(operand + (f":{weight}" if weight else "") for operand in operands)


def _prefix_as_typed(clause: Clause) -> str:
    """A prefix also as typed (folded, not stemmed), as the whoosh backend does: the stem of a word's start
    is not always the start of the word's stem."""
    return f"{_literal(fold(clause.words[0]).lower())}:*{'A' if clause.title_only else ''}"


def _naive_utc(moment: datetime | None) -> datetime | None:
    # The column holds naive UTC, as UTCDateTime writes it elsewhere (this module writes with plain SQL).
    return None if moment is None else moment.astimezone(timezone.utc).replace(tzinfo=None)


def _row(entry: Entry) -> tuple[dict[str, Any], set[str]]:
    """The row for ``entry``, and its vocabulary."""
    body = entry.body if not entry.document_title else f"{entry.body}\n\n{entry.document_title}"
    body, title = shown(body), entry.title.replace("\x00", " ")
    folded_body, folded_title = fold(body), fold(shown(title))
    row = {
        "key": entry.key, "kind": entry.kind, "slug": entry.slug, "number": entry.number, "title": title,
        "excerpt": body[:EXCERPT_CHARS], "excerpt_folded": folded_body[:EXCERPT_CHARS],
        "area": entry.policy_area, "status": entry.status, "parties": ",".join(entry.parties),
        "updated_at": _naive_utc(entry.updated_at), "folded_title": folded_title, "folded_body": folded_body,
    }
    return row, vocabulary_words(folded_title, folded_body)


def _is(error: DBAPIError, kind: type[BaseException] | tuple[type[BaseException], ...]) -> bool:
    return isinstance(error.orig, kind)


def _translated(error: DBAPIError) -> Exception:
    """The backend interface's error for a database error, or the error itself."""
    if _is(error, pg_errors.LockNotAvailable):
        return IndexBusy("Another process is writing to the search index.")
    if _is(error, (pg_errors.UndefinedTable, pg_errors.UndefinedColumn)):
        return IndexUnavailable("The search tables are missing: run `flask --app policyhub db upgrade`.")
    return error


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class PostgresBackend(SearchBackend):
    def __init__(self, engine: Engine, *, time_limit: float = 2.0, lock_timeout: float = 0.5) -> None:
        if engine.dialect.name != "postgresql":
            raise RuntimeError(f"SEARCH_BACKEND = 'postgres' needs a PostgreSQL database, but the database is "
                               f"{engine.dialect.name}: set DATABASE_URL to a PostgreSQL one, or use "
                               "SEARCH_BACKEND = 'whoosh'.")
        self.engine = engine
        self.time_limit = time_limit
        self.lock_timeout = lock_timeout
        self.trigrams: bool | None = None      # pg_trgm installed? (asked once; tests set it)
        self._exists = False
        self._rebuild_connection: Connection | None = None

    # --- state ----------------------------------------------------------------------------------------

    def exists(self) -> bool:
        if not self._exists:
            with self.engine.connect() as connection:
                self._exists = bool(connection.scalar(text("SELECT to_regclass('search_entries') IS NOT NULL")))
        return self._exists

    def is_healthy(self) -> bool:
        """Both tables answer. (Their rows are PostgreSQL's to keep whole: there are no files to go bad.)"""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT key, search_vector FROM search_entries LIMIT 1")).all()
                connection.execute(text("SELECT word FROM search_words LIMIT 1")).all()
            return True
        except DBAPIError as error:
            log.warning("search index unhealthy: %s", repr(error.orig))
            return False

    def doc_count(self) -> int:
        try:
            with self.engine.connect() as connection:
                return int(connection.scalar(text("SELECT count(*) FROM search_entries")) or 0)
        except DBAPIError as error:
            raise IndexUnavailable(repr(error.orig)) from error

    # --- writing --------------------------------------------------------------------------------------

    def apply(self, changes: Iterable[Entry | str]) -> int:
        """Index each Entry (replacing the row with its key) and delete each key string, in one transaction.
        ``changes`` is consumed only after the write lock is held."""
        try:
            with self.engine.begin() as connection:
                connection.execute(_LOCK_TIMEOUT, {"ms": str(max(1, int(self.lock_timeout * 1000)))})
                connection.execute(_WRITE_LOCK)
                return self._write(connection, changes)
        except DBAPIError as error:
            raise _translated(error) from error

    def update(self, entries: Iterable[Entry], removals: Iterable[str] = ()) -> None:
        self.apply([*removals, *entries])

    def _write(self, connection: Connection, changes: Iterable[Entry | str],
               progress: Progress | None = None) -> int:
        count = 0
        for batch in _batches(changes, BATCH):
            latest: dict[str, Entry | None] = {}  # per key, its last change (None: removed), as whoosh applies them
            for change in batch:
                if isinstance(change, str):
                    latest[change] = None
                else:
                    latest[change.key] = change
            removals = [key for key, change in latest.items() if change is None]
            rows: list[dict[str, Any]] = []
            words: set[str] = set()
            for change in latest.values():
                if change is not None:
                    row, entry_words = _row(change)
                    rows.append(row)
                    words |= entry_words
            if removals:
                connection.execute(_DELETE, {"keys": removals})
            if rows:
                connection.execute(_UPSERT, rows)
            if words:
                connection.execute(_ADD_WORDS, {"words": sorted(words)})
            count += len(batch)
            if progress is not None:
                progress(len(batch))
        return count

    def claim_rebuild(self) -> bool:
        """Take the rebuild lock (one rebuild at a time across every host); False when another holds it.
        A session lock on a connection kept until ``release_rebuild``: it goes if the process dies."""
        connection = self.engine.connect()
        try:
            claimed = bool(connection.scalar(_CLAIM_REBUILD))
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not claimed:
            connection.close()
            return False
        self._rebuild_connection = connection
        return True

    def release_rebuild(self) -> None:
        connection, self._rebuild_connection = self._rebuild_connection, None
        if connection is None:
            return
        try:
            connection.execute(_RELEASE_REBUILD)
            connection.commit()
        except DBAPIError:
            connection.invalidate()  # closing the session releases its locks
        finally:
            connection.close()

    def is_rebuilding(self) -> bool:
        with self.engine.connect() as connection:
            return bool(connection.scalar(_REBUILDING))

    def rebuild(self, entries: Iterable[Entry], progress: Progress | None = None) -> int:
        """Replace every row in one transaction. DELETE rather than TRUNCATE: TRUNCATE would lock readers
        out until the commit, DELETE lets them read the old rows meanwhile."""
        owned = self._rebuild_connection is None
        connection = self.engine.connect() if owned else self._rebuild_connection
        assert connection is not None
        try:
            with connection.begin():
                connection.execute(_WRITE_LOCK)  # waits for the writers in progress; later ones get IndexBusy
                connection.execute(text("DELETE FROM search_entries"))
                connection.execute(text("DELETE FROM search_words"))
                count = self._write(connection, entries, progress)
            # Fresh statistics: the planner's guesses for the GIN index come from them.
            connection.execute(text("ANALYZE search_entries"))
            connection.commit()
        except DBAPIError as error:
            raise _translated(error) from error
        finally:
            if owned:
                connection.close()
        self._exists = True
        return count

    # --- searching ------------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse(query.text)
        notes = list(parsed.notes)
        page, per_page = page_window(query, notes)
        params: dict[str, Any] = {
            "kind": query.kind if query.kind in KINDS else None, "area": query.area or None,
            "status": query.status or None, "party": query.party or None,
            "limit": per_page, "offset": (page - 1) * per_page, "options": HEADLINE_OPTIONS, "query": None,
        }
        hits: tuple[Hit, ...] = ()
        facets: dict[str, dict[str, int]] | None = None
        suggestion = None
        deadline = time.monotonic() + self.time_limit
        try:
            with self.engine.connect() as connection, connection.begin():
                self._allow(connection, deadline)
                if parsed.clauses:
                    params["query"] = self._tsquery(connection, parsed.clauses)
                if params["query"] is None and parsed.text:
                    notes.append(NOTHING_TO_SEARCH)
                    return SearchResults(query=query, total=0, hits=(), notes=tuple(notes))
                has_query = params["query"] is not None
                connection.execute(_SEQUENTIAL_SCANS, {"allowed": "off" if has_query else "on"})
                rows = connection.execute(_hits_sql(has_query, query.sort == "recent"), params).all()
                hits = tuple(self._hit(row) for row in rows)
                self._allow(connection, deadline)
                facets = self._facets(connection.execute(_facets_sql(has_query), params).all())
                if has_query and not self._total(facets, params):
                    connection.execute(_SEQUENTIAL_SCANS, {"allowed": "on"})
                    suggestion = self._suggest(connection, parsed)
        except DBAPIError as error:
            if not _is(error, pg_errors.QueryCanceled):
                raise _translated(error) from error
            if facets is None:  # (out of time while looking for a suggestion: the answer is whole without one)
                notes.append(TIMED_OUT_PARTLY if hits else TIMED_OUT)
        total = self._total(facets, params) if facets is not None else params["offset"] + len(hits)
        return SearchResults(query=query, total=total, hits=hits,
                             facets=facets or {name: {} for name in FACETS}, suggestion=suggestion,
                             notes=tuple(notes))

    @staticmethod
    def _allow(connection: Connection, deadline: float) -> None:
        """Let the next statements run until ``deadline`` at most (0 would mean "no limit")."""
        remaining = max(1, int((deadline - time.monotonic()) * 1000))
        connection.execute(_STATEMENT_TIMEOUT, {"ms": str(remaining)})

    @staticmethod
    def _tsquery(connection: Connection, clauses: tuple[Clause, ...]) -> str | None:
        """The clauses as one tsquery (text), ANDed; None when nothing is left (only stop words)."""
        normalised = connection.execute(_RESOLVE, {"texts": [_clause_text(c) for c in clauses]}).scalars().all()
        parts = []
        for clause, part in zip(clauses, normalised):
            if clause.kind == "prefix":
                typed = _prefix_as_typed(clause)
                part = typed if not part or part == typed else f"{part} | {typed}"
            if part:
                parts.append(f"( {part} )")
        return " & ".join(parts) or None

    @staticmethod
    def _hit(row: Any) -> Hit:
        return Hit(
            kind=row.kind, slug=row.slug, number=row.number, title=row.title,
            snippet=snippet(row.excerpt, row.excerpt_folded, row.headline),
            url=hit_url(row.kind, row.slug, row.number), policy_area=row.area, status=row.status,
            parties=tuple(party for party in row.parties.split(",") if party),
            updated_at=row.updated_at.replace(tzinfo=timezone.utc) if row.updated_at else None,
        )

    @staticmethod
    def _facets(rows: list[Any]) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for name, value, count in rows:
            if value:
                facets[name][value] = int(count)
        return {name: ordered_counts(counts) for name, counts in facets.items()}

    @staticmethod
    def _total(facets: dict[str, dict[str, int]], params: dict[str, Any]) -> int:
        # Every entry has a kind, and the kind facet counts every filter but its own.
        kinds = facets["kind"]
        return kinds.get(params["kind"], 0) if params["kind"] else sum(kinds.values())

    # --- did you mean ---------------------------------------------------------------------------------

    def _suggest(self, connection: Connection, parsed: ParsedQuery) -> str | None:
        """Each word absent from the index replaced by the nearest indexed word (at most two edits away)."""
        words = sorted({fold(word).lower() for clause in parsed.clauses if clause.kind != "prefix"
                        for word in clause.words})
        absent = connection.execute(_ABSENT, {"words": words}).scalars().all()
        if not absent:
            return None
        candidates = {word: self._candidates(connection, word)[:SPELLING_CANDIDATES] for word in absent}
        offered = sorted({candidate for found in candidates.values() for candidate in found})
        present = set(connection.execute(_PRESENT, {"words": offered}).scalars()) if offered else set()
        replacements = {word: chosen for word, found in candidates.items()
                        if (chosen := next((c for c in found if c in present), None))}
        if not replacements:
            return None

        def replace(clause: Clause, word: str) -> str:
            return word if clause.kind == "prefix" else replacements.get(fold(word).lower(), word)
        return rewrite(parsed, replace)

    def _candidates(self, connection: Connection, word: str) -> list[str]:
        """Indexed words within two edits of ``word``, nearest first: words of about its length that start
        with its letter and, with pg_trgm, words sharing enough of its trigrams, which finds a misspelt first
        letter too (trigrams alone miss a transposition in a short word: "enregy" shares too few with
        "energy")."""
        found = list(connection.execute(_SAME_START_WORDS, {
            "first": word[0], "shortest": len(word) - 2, "longest": len(word) + 2}).scalars())
        if self.trigrams is None:
            self.trigrams = bool(connection.scalar(_HAS_TRIGRAMS))
        if self.trigrams:
            found += connection.execute(_SIMILAR_WORDS, {"word": word, "threshold": TRIGRAM_SIMILARITY}).scalars()
        return closest(word, dict.fromkeys(found))
