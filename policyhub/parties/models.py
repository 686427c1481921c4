"""Parties, memberships (with their role and approval state) and the audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from policyhub.accounts.models import User
from policyhub.db import created_at, intpk, slug_str
from policyhub.extensions import db

ROLES = ("member", "lead")
MEMBERSHIP_STATES = ("pending", "approved", "declined")


class Party(db.Model):
    __tablename__ = "parties"

    id: Mapped[intpk]
    slug: Mapped[slug_str]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    colour: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        return f"<Party {self.slug}>"


class Membership(db.Model):
    """One person's tie to one party. A person has at most one, whatever its state."""

    __tablename__ = "memberships"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_at: Mapped[created_at]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="membership", foreign_keys=[user_id])
    party: Mapped[Party] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_approved(self) -> bool:
        return self.state == "approved"


class AuditEvent(db.Model):
    """Who did what to what, and when. Written in the same transaction as the change it records."""

    __tablename__ = "audit_events"

    id: Mapped[intpk]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at] = mapped_column(index=True)

    actor: Mapped[User | None] = relationship()
