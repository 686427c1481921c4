"""Queueing mail for notifications, in the transaction of the event that caused them.

Rules:
- Each notification kind maps onto an event kind people choose a cadence for (``EVENT_KIND_OF``);
  "endorsement" and "conflict" notifications stay in the app and are never mailed.
- A recipient whose cadence for that kind is "immediately" gets one queued mail per notification
  (dedupe key ``notification:<id>``); "daily" and "weekly" are left to the digests, "never" to nothing.
- Only confirmed, active accounts get mail.
- Queueing never sends: the worker (``flask mail send``) does, outside any request. A rolled-back event
  leaves neither its notifications nor their mails.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import insert, select

from policyhub.accounts.models import User
from policyhub.db import utcnow
from policyhub.extensions import db
from policyhub.mail import in_language_of
from policyhub.mailing.models import OutgoingMail
from policyhub.notifications.models import Notification

# Notification kind -> the event kind whose cadence decides about mail; missing: never mailed.
EVENT_KIND_OF: dict[str, str] = {
    "revision": "revision",
    "amendment": "amendment",
    "decision": "decision",
    "comment": "comment",
    "red_line": "red_line",
    "stale": "stale",
}


def absolute(url: str) -> str:
    """A site path (a notification's url) as an absolute link under ``BASE_URL``; a full URL stays as is."""
    if urlsplit(url).scheme:
        return url
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    prefix = urlsplit(base).path
    if prefix and (url == prefix or url.startswith(prefix + "/")):
        url = url[len(prefix):]  # the path was built under the same prefix (a request behind a proxy)
    return base + "/" + url.lstrip("/")


def mailable_users(user_ids: Iterable[int]) -> dict[int, User]:
    """The confirmed, active accounts among ``user_ids``, in one query."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(ids), User.deactivated_at.is_(None), User.email_confirmed_at.is_not(None))
    )}


def enqueue_for_notifications(notifications: Iterable[Notification]) -> int:
    """Inside the event's write transaction: queue a mail for each notification whose recipient wants this
    kind immediately. A constant number of queries, however many recipients. Returns how many were queued."""
    from policyhub.mailing.preferences import cadences
    from policyhub.mailing.unsubscribe import list_unsubscribe_headers, unsubscribe_url

    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for notification in notifications:
        event_kind = EVENT_KIND_OF.get(notification.kind)
        if event_kind is not None:
            by_kind[event_kind].append(notification)
    if not by_kind:
        return 0
    db.session.flush()  # the ids make the dedupe keys
    wanted: list[tuple[str, Notification]] = []
    for event_kind, group in by_kind.items():
        chosen = cadences([n.user_id for n in group], event_kind)
        wanted += [(event_kind, n) for n in group if chosen.get(n.user_id) == "immediately"]
    users = mailable_users(n.user_id for _, n in wanted)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for event_kind, notification in wanted:
        user = users.get(notification.user_id)
        if user is None:
            continue
        document = notification.document  # the event's own document: already in the session
        context = {
            "user": user, "notification": notification, "document": document, "link": absolute(notification.url),
            "diff": notification.diff or [], "kind": event_kind,
            "unsubscribe_kind": unsubscribe_url(user.id, event_kind), "unsubscribe_all": unsubscribe_url(user.id, None),
        }
        with in_language_of(user):
            text = render_template("mailing/mail_notification.txt", **context)
            html = render_template("mailing/mail_notification.html", **context)
        rows.append(dict(
            user_id=user.id, to_address=user.email, subject=subject_for(notification, document), text=text, html=html,
            headers=list_unsubscribe_headers(user.id, event_kind),
            dedupe_key=f"notification:{notification.id}", created_at=now, next_attempt_at=now,
            attempts=0, last_error="",
        ))
    if rows:
        db.session.execute(insert(OutgoingMail), rows)  # one statement for every recipient
    return len(rows)


def subject_for(notification: Notification, document: Any) -> str:
    """Names the document: 'Fair votes for all: Tom Hughes saved revision 8 ...' would repeat the title, so
    the message (which usually names it) comes after the title only when it does not contain it."""
    title = str(getattr(document, "title", "") or "")
    message = notification.message
    subject = message if title and title[:60] in message else f"{title}: {message}" if title else message
    subject = " ".join(subject.split())  # never a line break in a header
    return subject if len(subject) <= 200 else subject[:199].rstrip() + "…"
