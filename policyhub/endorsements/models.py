"""Endorsements: a party, through one of its leads, endorses one exact revision of a document."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from policyhub.accounts.models import User
from policyhub.db import created_at, intpk
from policyhub.documents.models import Document
from policyhub.extensions import db
from policyhub.parties.models import Party

STATEMENT_MAX = 2_000
END_REASONS = ("withdrawn", "superseded")


class Endorsement(db.Model):
    """Rows are never deleted: withdrawing or re-endorsing ends the live row (``ended_at``) and the record
    keeps who endorsed which revision, when, and when it ended. At most one live row per party and
    document, enforced by a partial unique index."""

    __tablename__ = "endorsements"
    __table_args__ = (
        Index(
            "uq_endorsements_live", "document_id", "party_id", unique=True,
            sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    revision_number: Mapped[int]
    endorsed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    end_reason: Mapped[str | None] = mapped_column(String(16))

    document: Mapped[Document] = relationship()
    party: Mapped[Party] = relationship(lazy="joined", innerjoin=True)
    endorsed_by: Mapped[User] = relationship(foreign_keys=[endorsed_by_id], lazy="joined", innerjoin=True)
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    def is_current_for(self, document: Document) -> bool:
        """Current while the endorsed revision is still the document's current one; stale after."""
        return self.is_live and self.revision_number == document.current_number
