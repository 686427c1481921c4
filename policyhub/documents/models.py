"""Documents and their immutable revisions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

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
    """

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    headings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[created_at]
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    base_number: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16), default="edit")
    added_words: Mapped[int] = mapped_column(default=0)
    removed_words: Mapped[int] = mapped_column(default=0)
    amendment_number: Mapped[int | None]  # set when the revision came from accepting that amendment

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    document: Mapped["Document"] = relationship(back_populates="revisions")

    def __repr__(self) -> str:
        return f"<Revision {self.document_id}#{self.number}>"


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
