"""Watching documents and in-app notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from policyhub.accounts.models import User
from policyhub.db import created_at, intpk
from policyhub.documents.models import Document
from policyhub.extensions import db

KINDS = ("revision", "amendment", "decision", "comment", "endorsement", "conflict", "red_line", "stale")


class Watch(db.Model):
    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("user_id", "document_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]


class Notification(db.Model):
    """Something that happened on a watched document, for one person. Written in the event's transaction."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unread", "user_id", "read_at"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[created_at]
    read_at: Mapped[datetime | None]
    # For a red line: the word diff of the clause ([op, text] pairs), shown inline.
    diff: Mapped[list[list[str]] | None] = mapped_column(JSON)

    document: Mapped[Document] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
