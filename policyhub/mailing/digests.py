"""Daily and weekly digests: what happened on watched documents, one mail per person per period.

Rules:
- A person gets a digest for a period ("daily", "weekly") when some event kind of theirs has that cadence
  and notifications of those kinds were created since their last digest of that period (else since one
  period ago). Only confirmed, active accounts get one.
- One digest per person per period start (dedupe key ``digest:<user>:<period>:<start date>``): running the
  command twice in one period queues nothing new. A period starts at midnight UTC (weekly: on Monday).
- Digests are only queued here; ``flask mail send`` sends them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any

from flask import render_template
from flask_babel import gettext, ngettext
from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from policyhub.accounts.models import User
from policyhub.db import UTCDateTime, utcnow, write_transaction
from policyhub.documents.models import Document, without_head
from policyhub.extensions import db
from policyhub.mail import external_url, in_language_of
from policyhub.mailing.models import OutgoingMail
from policyhub.mailing.queue import EVENT_KIND_OF, absolute
from policyhub.notifications.models import Notification

PERIODS: dict[str, timedelta] = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def period_start(period: str, now: datetime) -> datetime:
    """Midnight UTC of ``now``'s day (daily) or of the Monday of its week (weekly)."""
    day = now.astimezone(timezone.utc).date()
    if period == "weekly":
        day -= timedelta(days=day.weekday())
    elif period != "daily":
        raise ValueError(f"unknown digest period {period!r}")
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def dedupe_key(user_id: int, period: str, start: datetime) -> str:
    return f"digest:{user_id}:{period}:{start.date().isoformat()}"


@dataclass
class _Group:
    document: Document
    link: str
    items: list[dict[str, Any]] = field(default_factory=list)


def digest_subject(period: str, updates: int, documents: int) -> str:
    """'PolicyHub daily digest: 3 updates on 2 documents', in the language in force (the recipient's)."""
    counts = {"updates": ngettext("%(num)d update", "%(num)d updates", updates),
              "documents": ngettext("%(num)d document", "%(num)d documents", documents)}
    if period == "weekly":
        return gettext("PolicyHub weekly digest: %(updates)s on %(documents)s", **counts)
    return gettext("PolicyHub daily digest: %(updates)s on %(documents)s", **counts)


def queue_digests(period: str, now: datetime | None = None) -> int:
    """Queue this period's digests that are not queued yet; returns how many were queued. A constant
    number of queries, plus one insert per digest."""
    from policyhub.mailing.preferences import KIND_LABELS, cadences
    from policyhub.mailing.unsubscribe import list_unsubscribe_headers, unsubscribe_url

    if period not in PERIODS:
        raise ValueError(f"unknown digest period {period!r}")
    now = now or utcnow()
    start = period_start(period, now)
    pattern = f"digest:%:{period}:%"
    queued = 0
    with write_transaction(db.session):
        last = (select(OutgoingMail.user_id, func.max(OutgoingMail.created_at).label("last"))
                .where(OutgoingMail.dedupe_key.like(pattern), OutgoingMail.user_id.is_not(None))
                .group_by(OutgoingMail.user_id).subquery())
        done = set(db.session.scalars(select(OutgoingMail.user_id).where(
            OutgoingMail.dedupe_key.like(f"digest:%:{period}:{start.date().isoformat()}"))))
        since = func.coalesce(last.c.last, literal(now - PERIODS[period], UTCDateTime()))
        notifications = list(db.session.scalars(
            select(Notification)
            .join(User, User.id == Notification.user_id)
            .outerjoin(last, last.c.user_id == Notification.user_id)
            .where(Notification.kind.in_(list(EVENT_KIND_OF)), Notification.created_at <= now,
                   Notification.created_at > since,
                   User.deactivated_at.is_(None), User.email_confirmed_at.is_not(None))
            .options(joinedload(Notification.document).options(*without_head()))
            .order_by(Notification.created_at, Notification.id)
        ))
        notifications = [n for n in notifications if n.user_id not in done]
        by_kind: dict[str, set[int]] = defaultdict(set)
        for n in notifications:
            by_kind[EVENT_KIND_OF[n.kind]].add(n.user_id)
        wanted = {(kind, user_id) for kind, ids in by_kind.items()
                  for user_id, cadence in cadences(ids, kind).items() if cadence == period}
        per_user: dict[int, list[Notification]] = defaultdict(list)
        for n in notifications:
            if (EVENT_KIND_OF[n.kind], n.user_id) in wanted:
                per_user[n.user_id].append(n)
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(sorted(per_user))))} \
            if per_user else {}
        due = min(now, datetime.now(timezone.utc))  # a digest queued "for" a later moment is still sent now
        for user_id, items in sorted(per_user.items()):
            user = users[user_id]
            groups: dict[int, _Group] = {}
            for n in items:
                group = groups.get(n.document_id)
                if group is None:
                    group = groups[n.document_id] = _Group(n.document, external_url("documents.show",
                                                                                    slug=n.document.slug))
                group.items.append({"notification": n, "link": absolute(n.url)})
            kinds = sorted({EVENT_KIND_OF[n.kind] for n in items})
            with in_language_of(user):
                subject = digest_subject(period, len(items), len(groups))
                context = {
                    "user": user, "subject": subject, "period": period, "groups": list(groups.values()),
                    "preferences_link": external_url("accounts.account"),
                    "unsubscribe_kinds": [{"label": KIND_LABELS[kind], "url": unsubscribe_url(user.id, kind)}
                                          for kind in kinds],
                    "unsubscribe_all": unsubscribe_url(user.id, None),
                }
                text = render_template("mailing/digest.txt", **context)
                html = render_template("mailing/digest.html", **context)
            mail = OutgoingMail(
                user_id=user.id, to_address=user.email, subject=subject, text=text, html=html,
                headers=list_unsubscribe_headers(user.id, kinds[0] if len(kinds) == 1 else None),
                dedupe_key=dedupe_key(user.id, period, start), created_at=now, next_attempt_at=due,
            )
            try:
                with db.session.begin_nested():  # another run queued it a moment ago: keep the rest
                    db.session.add(mail)
            except IntegrityError:
                continue
            queued += 1
    return queued
