"""Documents and their immutable revisions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, type_coerce
from sqlalchemy.orm import Mapped, column_property, defer, foreign, mapped_column, relationship
from sqlalchemy.orm.interfaces import LoaderOption

from policyhub.accounts.models import User
from policyhub.db import created_at, intpk, slug_str, utcnow
from policyhub.extensions import db

STATUSES = ("draft", "consultation", "archived")
SOURCES = ("edit", "amendment", "revert")
TITLE_MAX = 200
SUMMARY_MAX = 200
POLICY_AREA_MAX = 80


class Revision(db.Model):
    """A snapshot of a document's title and body. Rows are only ever inserted.

    ``(document_id, number)`` is unique: of two saves racing for the same number, one fails.

    The body is stored as either a ``snapshot`` (the full text) or a ``delta`` from the previous revision's
    body (policyhub.text.delta); policyhub.documents.storage decides which and rebuilds texts. ``body``,
    ``html`` and ``headings`` read like the columns they used to be: the current revision's come from its
    document's head, older ones are rebuilt (and rendered) on demand.
    """

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("(snapshot IS NULL) <> (delta IS NULL)", name="snapshot_or_delta"),
    )

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # Deferred: lists and pages of revisions need their metadata; storage reads these with its own query.
    snapshot: Mapped[str | None] = mapped_column(Text, deferred=True)
    delta: Mapped[str | None] = mapped_column(Text, deferred=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[created_at]
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    base_number: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16), default="edit")
    added_words: Mapped[int] = mapped_column(default=0)
    removed_words: Mapped[int] = mapped_column(default=0)
    amendment_number: Mapped[int | None]  # set when the revision came from accepting that amendment
    # The clause key of each block of the body, in order, space-separated (policyhub.documents.clauses).
    clause_keys: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    document: Mapped["Document"] = relationship(back_populates="revisions")

    def __repr__(self) -> str:
        return f"<Revision {self.document_id}#{self.number}>"

    @property
    def body(self) -> str:
        """The Markdown text of this revision."""
        from policyhub.documents import storage
        return storage.body_of(self)

    @property
    def html(self) -> str:
        """The sanitised HTML of this revision's text."""
        from policyhub.documents import storage
        return storage.rendered_of(self).html

    @property
    def headings(self) -> list[dict[str, Any]]:
        """The headings of this revision's text (level, text, anchor), for a table of contents."""
        from policyhub.documents import storage
        return storage.rendered_of(self).headings


class Document(db.Model):
    """An agenda paper. ``current_number`` points at its current revision and moves by compare-and-set."""

    __tablename__ = "documents"

    id: Mapped[intpk]
    slug: Mapped[slug_str]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))  # the current revision's, kept for listings
    policy_area: Mapped[str] = mapped_column(String(POLICY_AREA_MAX), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    current_number: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The head: the current revision's text, HTML and headings, written with every move of current_number
    # so that the current text is read without rebuilding anything. Lists leave it out (without_head()).
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    html: Mapped[str] = mapped_column(Text, default="", server_default="")
    headings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # current_number again, loaded in the same statement as the head wherever the head is loaded. A document
    # first listed without its head may have the head filled in by a later query while current_number keeps
    # the earlier value (SQLAlchemy fills unloaded attributes of objects it already holds); under READ
    # COMMITTED a save may land in between. Revision.body trusts the head only for this number, so a text is
    # never shown under another revision's number.
    head_number: Mapped[int] = column_property(type_coerce(current_number, Integer))
    # The highest clause key number handed out so far: keys are never reused within a document.
    clause_counter: Mapped[int] = mapped_column(default=0, server_default="0")
    # The decision rule (policyhub.endorsements.consensus): "all" parties, or "k_of_n" with rule_k.
    rule_kind: Mapped[str] = mapped_column(String(8), default="all", server_default="all")
    rule_k: Mapped[int | None]

    created_by: Mapped[User] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document", lazy="raise_on_sql", passive_deletes=True
    )
    current_revision: Mapped[Revision] = relationship(
        primaryjoin=lambda: and_(
            foreign(Revision.document_id) == Document.id, Revision.number == Document.current_number
        ),
        viewonly=True,
        uselist=False,
        lazy="select",
    )

    def __repr__(self) -> str:
        return f"<Document {self.slug}>"


CLAUSE_EVENT_KINDS = ("added", "edited", "moved", "split", "merged", "removed", "restored")


class ClauseEvent(db.Model):
    """What happened to one clause in one revision: the clause's own history. Written with the revision,
    only for the clauses that revision added, changed, moved or removed; rows are only ever inserted.

    ``text`` is the clause's source after the change (for "removed" and "merged": its last text).
    ``origin`` names the other clause of a split (the clause it was split from) or a merge (the clause
    that absorbed it).
    """

    __tablename__ = "clause_events"
    __table_args__ = (
        UniqueConstraint("document_id", "key", "number"),
        Index("ix_clause_events_document_number", "document_id", "number"),
    )

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(12))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str | None] = mapped_column(String(12))


def without_head() -> list[LoaderOption]:
    """Load options for lists of documents, which never show their text: leave the head out. Reading the
    head of a document loaded so raises, rather than loading it apart from ``current_number``."""
    return [defer(column, raiseload=True)
            for column in (Document.body, Document.html, Document.headings, Document.head_number)]
