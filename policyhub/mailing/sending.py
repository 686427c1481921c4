"""The worker that sends queued mail (``flask mail send``). Never runs inside a request.

Rules:
- Due mail (not sent, not given up, ``next_attempt_at`` reached) goes oldest first.
- Two workers never send one row: a worker claims a row in a short transaction (PostgreSQL: ``FOR UPDATE
  SKIP LOCKED``, so the other worker takes the next row instead of waiting; SQLite: its write lock) by moving
  its ``next_attempt_at`` past a lease, and sends it after the commit, holding no lock while the mail server
  answers. A worker that dies mid-send leaves the row to be tried again once the lease is over.
- Success sets ``sent_at`` (one commit per message). Failure counts an attempt, keeps the error and waits
  1 minute, 5, 30, 2 hours, then 12 hours; the sixth failure gives up (``failed_at``).
- Every attempt of one row carries the same Message-ID, so a receiver can tell a retry from a new mail.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from policyhub import mail
from policyhub.db import utcnow, write_transaction
from policyhub.extensions import db
from policyhub.mailing.models import OutgoingMail

logger = logging.getLogger("policyhub.mailing")

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
# Longer than any send can take (mail.SMTP_TIMEOUT_SECONDS bounds each step of the SMTP conversation).
LEASE = timedelta(minutes=10)
_ERROR_LIMIT = 2000


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0
    retrying: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, failed {self.failed}, retrying {self.retrying}"

    def add(self, other: "Summary") -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retrying += other.retrying


def due_query(now: datetime):  # type: ignore[no-untyped-def]
    return (select(OutgoingMail)
            .where(OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None),
                   OutgoingMail.next_attempt_at <= now)
            .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id))


def _claim() -> tuple[int, str, str, str, str, dict[str, str], str] | None:
    """Take the oldest due row for this worker; None when nothing is due."""
    with write_transaction(db.session):
        now = utcnow()
        query = due_query(now).limit(1)
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = db.session.scalar(query)
        if row is None:
            return None
        row.next_attempt_at = now + LEASE
        claimed = (row.id, row.to_address, row.subject, row.text, row.html, dict(row.headers or {}),
                   row.dedupe_key)
    return claimed


def message_id(row_id: int, key: str) -> str:
    """The same for every attempt at one row, and unique to it."""
    return mail.message_id_for(f"policyhub.{row_id}.{hashlib.sha256(key.encode()).hexdigest()[:16]}")


def send_one() -> Summary | None:
    """Send the oldest due mail; None when nothing is due. Records the outcome in its own transaction."""
    claimed = _claim()
    if claimed is None:
        return None
    row_id, to, subject, text, html, headers, key = claimed
    error: str | None = None
    try:
        mail.deliver(to, subject, text, html=html or None, headers=headers, message_id=message_id(row_id, key))
    except Exception as exc:  # any failure of the transport: retry later, never lose the mail
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT]
        logger.warning("mail %s to %s could not be sent: %s", row_id, to, error)
    with write_transaction(db.session):
        row = db.session.get(OutgoingMail, row_id)
        if row is None:  # deleted meanwhile
            return Summary()
        now = utcnow()
        if error is None:
            row.sent_at = now
            row.last_error = ""
            return Summary(sent=1)
        row.attempts += 1
        row.last_error = error
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
            logger.error("mail %s to %s given up after %s attempts: %s", row_id, to, row.attempts, error)
            return Summary(failed=1)
        row.next_attempt_at = now + BACKOFF[row.attempts - 1]
        return Summary(retrying=1)


def send_due(limit: int | None = None) -> Summary:
    """Send due mail, at most ``limit`` messages (None: until nothing is due)."""
    summary = Summary()
    count = 0
    while limit is None or count < limit:
        outcome = send_one()
        if outcome is None:
            break
        summary.add(outcome)
        count += 1
    return summary
