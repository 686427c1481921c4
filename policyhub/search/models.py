"""The search index's job queue (one row per pending index update, written in the change's own transaction),
and the tables of the PostgreSQL backend's index."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from policyhub.db import created_at, intpk
from policyhub.extensions import db

JOB_KINDS = ("document", "amendment")


class IndexJob(db.Model):
    """"Re-index ``kind`` number ``target_id`` from the database". Rows are deleted once applied.

    Applying reads the target's state at that moment, so a job is idempotent and several jobs for one
    target collapse into one update. ``not_before`` is a lease while a process applies the job and a back-off
    after a failure (the index was busy or broken): the job is retried after it, never lost.
    """

    __tablename__ = "search_index_jobs"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    created_at: Mapped[created_at]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    not_before: Mapped[datetime | None] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<IndexJob {self.kind}:{self.target_id} attempts={self.attempts}>"


# A tsvector on PostgreSQL; plain text elsewhere, where the table exists (one schema on every database) but
# stays empty: the PostgreSQL backend refuses any other database.
SEARCH_VECTOR = Text().with_variant(TSVECTOR(), "postgresql")
EXCERPT_CHARS = 50_000               # of a body kept for snippets (the vector covers all of it)


class SearchEntry(db.Model):
    """One document or amendment in the PostgreSQL backend's index (see ``postgres_backend``); written only
    by that backend. ``excerpt`` is the start of the text as written, for snippets; ``excerpt_folded`` the
    same without accents and of the same length, which ts_headline reads. ``parties`` is a comma-separated
    list of party slugs."""

    __tablename__ = "search_entries"
    __table_args__ = (Index("ix_search_entries_search_vector", "search_vector", postgresql_using="gin"),)

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(80))
    number: Mapped[int | None]
    title: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    excerpt_folded: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))
    parties: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(index=True)
    search_vector: Mapped[str] = mapped_column(SEARCH_VECTOR)


class SearchWord(db.Model):
    """A folded, lower-case word seen in some entry: where "did you mean" finds its candidates. Added as
    entries are indexed, replaced by a rebuild (a word whose entries are gone lingers until then; a
    suggestion is checked against the index before it is offered)."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(String(64), primary_key=True)
