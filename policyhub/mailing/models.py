"""Mail preferences per event kind, and the outgoing mail queue."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from policyhub.db import created_at, intpk, utcnow
from policyhub.extensions import db

# What people choose a cadence for (notification kinds map onto these; see policyhub.mailing.queue).
EVENT_KINDS = ("revision", "amendment", "decision", "comment", "stale", "red_line")
CADENCES = ("immediately", "daily", "weekly", "never")


class MailPreference(db.Model):
    """How often one person wants mail about one kind of event. No row: the default for that kind."""

    __tablename__ = "mail_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    cadence: Mapped[str] = mapped_column(String(12))


class OutgoingMail(db.Model):
    """One message to send, rendered when queued. Written in the transaction of the event it reports, so a
    rolled-back event mails nothing; sent later by the worker (``flask mail send``), never in a request."""

    __tablename__ = "outgoing_mail"

    id: Mapped[intpk]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    # Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post.
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # "notification:<id>" or "digest:<user>:<daily|weekly>:<period start iso>": queueing twice is refused.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[created_at]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
