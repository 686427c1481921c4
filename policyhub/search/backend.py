"""The search backend interface. Backends receive plain entries (never ORM objects) and answer SearchResults.

Only ``whoosh_backend`` and ``whoosh_reading`` import whoosh; only ``postgres_backend`` writes PostgreSQL
full-text SQL.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from policyhub.search.query import SearchQuery, SearchResults


class IndexBusy(Exception):
    """The index is locked by another writer: try again later (the job stays queued)."""


class IndexUnavailable(Exception):
    """The index is missing or unreadable: it must be rebuilt."""


@dataclass(frozen=True)
class Entry:
    """What the index holds about one document or amendment. ``key`` is "document:<id>" or "amendment:<id>";
    indexing an entry replaces any earlier one with the same key (idempotent)."""

    key: str
    kind: str                     # "document" | "amendment"
    slug: str                     # the document's slug
    number: int | None            # the amendment's number
    title: str
    body: str                     # document: current text; amendment: rationale + latest proposed text
    policy_area: str
    status: str                   # document status or amendment state
    parties: tuple[str, ...]      # slugs endorsing the document's current revision (documents only)
    updated_at: datetime | None
    document_title: str = ""      # an amendment's document's title (searchable with the body)


def entry_key(kind: str, target_id: int) -> str:
    return f"{kind}:{target_id}"


Progress = Callable[[int], None]


class SearchBackend(ABC):
    """A full-text index of entries. Writers may raise IndexBusy or IndexUnavailable (or OSError); callers
    keep the job queued and retry. ``search`` never raises for anything a user typed."""

    @abstractmethod
    def update(self, entries: Iterable[Entry], removals: Iterable[str] = ()) -> None:
        """Index (replace) ``entries`` and remove ``removals`` (keys) in one commit."""

    def index_document(self, entry: Entry) -> None:
        self.update([entry])

    def index_amendment(self, entry: Entry) -> None:
        self.update([entry])

    def remove(self, key: str) -> None:
        self.update([], [key])

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Answer ``query``; a partial answer with a message when it ran out of time."""

    @abstractmethod
    def rebuild(self, entries: Iterable[Entry], progress: Progress | None = None) -> int:
        """Build a fresh index from ``entries`` and swap it in atomically; returns how many were indexed.
        ``progress(n)`` is called as entries are added."""

    @abstractmethod
    def is_healthy(self) -> bool:
        """True when the index exists and reads back without error."""

    @abstractmethod
    def doc_count(self) -> int:
        """Entries in the index (raises IndexUnavailable when it cannot be read)."""

    def exists(self) -> bool:
        return True

    def maintain(self) -> None:
        """Housekeeping after updates, run off the request path (merging segments, vacuuming); may raise
        IndexBusy, in which case it is simply tried again after the next update."""
