"""Watching documents and notifying watchers. Other services call ``notify`` inside their own write
transaction, so a notification exists exactly when its event does."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import delete, select

from policyhub.db import write_transaction
from policyhub.documents.models import Document
from policyhub.extensions import db
from policyhub.notifications.models import Notification, Watch
from policyhub.permissions import Action, require


def is_watching(user: Any, document: Document) -> bool:
    if not getattr(user, "is_authenticated", False) or user.id is None:
        return False
    return db.session.scalar(
        select(Watch.id).where(Watch.user_id == user.id, Watch.document_id == document.id)
    ) is not None


def ensure_watching(user: Any, document: Document) -> None:
    """Inside a write transaction: make ``user`` watch ``document`` (authors and commenters do, unasked)."""
    if getattr(user, "id", None) is None or is_watching(user, document):
        return
    db.session.add(Watch(user_id=user.id, document_id=document.id))
    db.session.flush()


def watch(user: Any, document: Document) -> None:
    require(user, Action.DOCUMENT_WATCH, document)
    with write_transaction(db.session):
        ensure_watching(user, document)


def unwatch(user: Any, document: Document) -> None:
    require(user, Action.DOCUMENT_WATCH, document)
    with write_transaction(db.session):
        db.session.execute(delete(Watch).where(Watch.user_id == user.id, Watch.document_id == document.id))


def notify(document: Document, *, actor: Any, kind: str, message: str, url: str,
           only: Iterable[int] | None = None) -> int:
    """Inside a write transaction: one notification per watcher of ``document`` except the actor
    (or per user id in ``only``, e.g. an amendment's author). Returns how many were written."""
    actor_id = getattr(actor, "id", None)
    if only is None:
        recipients = set(db.session.scalars(select(Watch.user_id).where(Watch.document_id == document.id)))
    else:
        recipients = set(only)
    recipients.discard(actor_id)
    for user_id in sorted(recipients):
        db.session.add(Notification(user_id=user_id, document_id=document.id, actor_id=actor_id, kind=kind,
                                    message=message[:300], url=url[:300]))
    return len(recipients)
