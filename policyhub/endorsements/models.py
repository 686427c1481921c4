"""Endorsements: a party, through one of its leads, endorses one exact revision of a document."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
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
    # SHA-256 (hex) of the endorsed revision's body in UTF-8: what a receipt proves.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # Derived, rewritten in the transaction of every save: how stale this endorsement is against revision
    # ``graded_number`` ("current", "cosmetic", "outside_scope", "substantive"), and which clause keys of
    # its scope changed since the endorsed revision (policyhub.endorsements.staleness).
    staleness: Mapped[str | None] = mapped_column(String(16))
    graded_number: Mapped[int | None]
    changed_keys: Mapped[list[str] | None] = mapped_column(JSON)

    document: Mapped[Document] = relationship()
    party: Mapped[Party] = relationship(lazy="joined", innerjoin=True)
    endorsed_by: Mapped[User] = relationship(foreign_keys=[endorsed_by_id], lazy="joined", innerjoin=True)
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    stances: Mapped[list["EndorsementStance"]] = relationship(
        back_populates="endorsement", order_by="EndorsementStance.id", lazy="selectin", passive_deletes=True)

    @property
    def is_scoped(self) -> bool:
        """Whether this endorsement names sections; otherwise it endorses the whole document."""
        return bool(self.stances)

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    def is_current_for(self, document: Document) -> bool:
        """Current while the endorsed revision is still the document's current one; stale after."""
        return self.is_live and self.revision_number == document.current_number


STANCES = ("endorse", "reservations", "object")
REASON_MAX = 2_000


class EndorsementStance(db.Model):
    """A scoped endorsement's stance on one section (a heading clause and what it holds) or one clause of
    the endorsed revision, with the reason for reservations or an objection. Written with the endorsement."""

    __tablename__ = "endorsement_stances"
    __table_args__ = (UniqueConstraint("endorsement_id", "clause_key"),)

    id: Mapped[intpk]
    endorsement_id: Mapped[int] = mapped_column(ForeignKey("endorsements.id", ondelete="CASCADE"), index=True)
    clause_key: Mapped[str] = mapped_column(String(12))
    stance: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")

    endorsement: Mapped[Endorsement] = relationship(back_populates="stances")


class RedLine(db.Model):
    """A clause a party's lead marked as a red line for their party: its members hear when it changes."""

    __tablename__ = "red_lines"
    __table_args__ = (UniqueConstraint("document_id", "party_id", "clause_key"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    clause_key: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[created_at]

    party: Mapped[Party] = relationship(lazy="joined", innerjoin=True)
