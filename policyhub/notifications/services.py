"""Watching documents and notifying watchers. Other services call ``notify`` inside their own write
transaction, so a notification exists exactly when its event does.

Rules:
- Anyone signed in may watch a document (``document:watch``); authors of revisions watch automatically, the
  creator of a document included (the amendments service makes proposers and commenters watch).
- A watcher gets one notification per event on the document, except for events they caused themselves.
- A person sees and marks only their own notifications: another person's id is a NotFound, never a hint
  that it exists.
"""
from __future__ import annotations

from typing import Any, Iterable

from flask import current_app, has_request_context, url_for
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from policyhub.db import utcnow, write_transaction
from policyhub.documents.models import Document, Revision, without_head
from policyhub.endorsements.models import Endorsement
from policyhub.errors import N_, BadRequest, NotFound
from policyhub.extensions import db
from policyhub.notifications.models import KINDS, Notification, Watch
from policyhub.parties.models import Party
from policyhub.permissions import Action, require

#: Feeds and readers never need more than this many entries; it bounds the feed queries.
FEED_LIMIT = 50
_TITLE_IN_MESSAGE = 120  # long titles are shortened so that a message fits its 300-character column


# --- watching --------------------------------------------------------------------------------------------

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
    # A savepoint, so that a concurrent request that made the same watch first (the unique constraint
    # fires) leaves the caller's transaction, and the save it belongs to, intact.
    try:
        with db.session.begin_nested():
            db.session.add(Watch(user_id=user.id, document_id=document.id))
    except IntegrityError:
        pass


def watch(user: Any, document: Document) -> None:
    """Start watching ``document``; watching it already is fine. Raises Unauthorized for the anonymous."""
    require(user, Action.DOCUMENT_WATCH, document)
    with write_transaction(db.session):
        ensure_watching(user, document)


def unwatch(user: Any, document: Document) -> None:
    """Stop watching ``document``; not watching it is fine. Later events send this person nothing."""
    require(user, Action.DOCUMENT_WATCH, document)
    with write_transaction(db.session):
        db.session.execute(delete(Watch).where(Watch.user_id == user.id, Watch.document_id == document.id))


# --- notifying -------------------------------------------------------------------------------------------

def notify(document: Document, *, actor: Any, kind: str, message: str, url: str,
           only: Iterable[int] | None = None, diff: list[list[str]] | None = None) -> int:
    """Inside a write transaction: one notification per watcher of ``document`` except the actor
    (or per user id in ``only``, e.g. an amendment's author), with an optional word ``diff`` to show
    inline (a red line's clause). Returns how many were written."""
    actor_id = getattr(actor, "id", None)
    if only is None:
        recipients = set(db.session.scalars(select(Watch.user_id).where(Watch.document_id == document.id)))
    else:
        recipients = set(only)
    recipients.discard(actor_id)
    notifications = [Notification(user_id=user_id, document_id=document.id, actor_id=actor_id, kind=kind,
                                  message=message[:300], url=url[:300], diff=diff, document=document)
                     for user_id in sorted(recipients)]
    db.session.add_all(notifications)
    # Mail for those who want this kind at once, queued in this same transaction (sent by `flask mail send`).
    from policyhub.mailing.queue import enqueue_for_notifications
    enqueue_for_notifications(notifications)
    return len(recipients)


def local_path(endpoint: str, values: dict[str, Any] | None = None) -> str:
    """The path of a page on this site, for a notification's ``url``. Works inside a request and outside
    one (the command line saves revisions too), where ``url_for`` would need SERVER_NAME."""
    values = values or {}
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


def shorten(text: str, limit: int = _TITLE_IN_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def revision_message(revision: Revision, document: Document, actor: Any) -> str:
    """'Tom Hughes saved revision 8 of 'Fair votes'', worded for how the revision came about."""
    who = getattr(actor, "name", None) or "Someone"
    title = shorten(revision.title)
    if revision.number == 1:
        return f"{who} created '{title}'"
    if revision.source == "amendment":
        amendment = f"amendment {revision.amendment_number}" if revision.amendment_number else "an amendment"
        by = "" if revision.author_id == getattr(actor, "id", None) else f" by {revision.author.name}"
        return f"{who} accepted {amendment}{by} as revision {revision.number} of '{title}'"
    if revision.source == "revert":
        return f"{who} restored earlier text of '{title}' as revision {revision.number}"
    return f"{who} saved revision {revision.number} of '{title}'"


def revision_target(document: Document, number: int) -> tuple[str, dict[str, Any]]:
    """Where a revision is best read, as (endpoint, values): its diff against the one before; the first
    revision's own page. Notifications link there, and so do the feeds."""
    if number <= 1:
        return "documents.revision", {"slug": document.slug, "number": number}
    return "documents.diff", {"slug": document.slug, "from": number - 1, "to": number}


def revision_saved(revision: Revision, *, document: Document, actor: Any, **_: Any) -> None:
    """Receiver of ``documents.services.revision_created``, inside the save's transaction: the revision's
    author watches the document from now on (the author differs from the actor when an accepted amendment
    made the revision), and every other watcher is told. Raising here would undo the save."""
    ensure_watching(revision.author, document)
    notify(document, actor=actor, kind="revision", message=revision_message(revision, document, actor),
           url=local_path(*revision_target(document, revision.number)))


# --- reading and marking one's notifications -------------------------------------------------------------

def _own(user: Any) -> Any:
    return Notification.user_id == getattr(user, "id", None)


def unread_count(user: Any) -> int:
    """How many of this person's notifications are unread; 0 for the anonymous, without a query."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return 0
    return db.session.scalar(
        select(func.count(Notification.id)).where(_own(user), Notification.read_at.is_(None))
    ) or 0


def list_notifications(user: Any, page: int = 1, per_page: int = 30,
                       kind: str | None = None) -> tuple[list[Notification], int]:
    """One page of this person's notifications, newest first, optionally of one kind, and the total."""
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"There is no kind of notification called '{kind}'.")
    conditions = [_own(user)]
    if kind is not None:
        conditions.append(Notification.kind == kind)
    total = db.session.scalar(select(func.count(Notification.id)).where(*conditions)) or 0
    notifications = db.session.scalars(
        select(Notification).where(*conditions)
        .options(joinedload(Notification.actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    )
    return list(notifications), total


def get_notification(user: Any, notification_id: int) -> Notification:
    """One of this person's notifications. Raises NotFound for anyone else's, as for a missing one."""
    notification = db.session.scalar(select(Notification).where(Notification.id == notification_id, _own(user)))
    if notification is None:
        raise NotFound(N_("You have no such notification."))
    return notification


def mark_read(user: Any, notification_id: int) -> Notification:
    """Mark one of this person's notifications read (again is fine: the first reading time is kept).
    Raises NotFound for another person's notification."""
    with write_transaction(db.session):
        notification = get_notification(user, notification_id)
        if notification.read_at is None:
            notification.read_at = utcnow()
    return notification


def mark_all_read(user: Any, *, up_to: int | None = None) -> int:
    """Mark this person's unread notifications read; returns how many. With ``up_to`` (the newest id the
    person was shown) a notification that arrived after the page was drawn stays unread, unseen."""
    conditions = [_own(user), Notification.read_at.is_(None)]
    if up_to is not None:
        conditions.append(Notification.id <= up_to)
    with write_transaction(db.session):
        result = db.session.execute(
            update(Notification).where(*conditions).values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return result.rowcount or 0


# --- feeds -----------------------------------------------------------------------------------------------

def recent_revisions(document: Document | None = None, limit: int = FEED_LIMIT) -> list[Revision]:
    """The newest revisions, of one document or across all of them, newest first.

    Site-wide, ids give the order: rows are only ever inserted, so the primary key answers "newest 50"
    without sorting the whole table; within a document the (document, number) key does the same.
    """
    query = select(Revision).options(joinedload(Revision.document).options(*without_head()))
    if document is None:
        query = query.order_by(Revision.id.desc())
    else:
        query = query.where(Revision.document_id == document.id).order_by(Revision.number.desc())
    return list(db.session.scalars(query.limit(limit)))


def party_endorsements(party: Party, limit: int = FEED_LIMIT) -> list[Endorsement]:
    """Endorsements given by ``party``, newest first, ended ones included (the record keeps them)."""
    return list(db.session.scalars(
        select(Endorsement).where(Endorsement.party_id == party.id)
        .options(joinedload(Endorsement.document).options(*without_head()), joinedload(Endorsement.ended_by))
        .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
        .limit(limit)
    ).unique())
