"""Amendments: proposed changes to a document, their versions, supporters and comments."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from policyhub.accounts.models import User
from policyhub.db import created_at, intpk, utcnow
from policyhub.documents.models import Document
from policyhub.extensions import db

STATES = ("open", "accepted", "rejected", "withdrawn")
TITLE_MAX = 200
RATIONALE_MAX = 20_000
NOTE_MAX = 2_000
COMMENT_MAX = 10_000


class Amendment(db.Model):
    """A proposed body for a document, numbered per document. Its text lives in versions: the author may
    update it against a newer revision, and every earlier version stays visible.

    ``applies_cleanly`` and ``touched`` are derived: recomputed against the current revision whenever the
    document moves on (``checked_revision`` says against which), so lists never merge on the fly.
    """

    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    rationale: Mapped[str] = mapped_column(Text)
    rationale_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    merged_revision: Mapped[int | None]
    supporter_count: Mapped[int] = mapped_column(default=0)
    applies_cleanly: Mapped[bool] = mapped_column(default=True)
    checked_revision: Mapped[int] = mapped_column(default=0)
    # Character ranges [start, end) of the current revision's body that this amendment changes.
    touched: Mapped[list[list[int]]] = mapped_column(JSON, default=list)

    document: Mapped[Document] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    versions: Mapped[list["AmendmentVersion"]] = relationship(
        back_populates="amendment", order_by="AmendmentVersion.number", lazy="raise_on_sql"
    )

    def __repr__(self) -> str:
        return f"<Amendment {self.document_id}#{self.number} {self.status}>"


class AmendmentVersion(db.Model):
    """One proposed text of an amendment, made against ``base_number`` of the document. Never edited."""

    __tablename__ = "amendment_versions"
    __table_args__ = (UniqueConstraint("amendment_id", "number"),)

    id: Mapped[intpk]
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    base_number: Mapped[int]
    created_at: Mapped[created_at]

    amendment: Mapped[Amendment] = relationship(back_populates="versions")


class Support(db.Model):
    """A co-signature: one per person and amendment."""

    __tablename__ = "amendment_supports"
    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)

    id: Mapped[intpk]
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class Comment(db.Model):
    __tablename__ = "amendment_comments"

    id: Mapped[intpk]
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)


def details_for(conflicts: Any) -> list[dict[str, str]]:
    """Conflicts (text.diffing.Conflict) as plain data for templates and the API."""
    return [{"base": c.base, "ours": c.ours, "theirs": c.theirs} for c in conflicts]
