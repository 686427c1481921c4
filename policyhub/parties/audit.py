"""The audit log: one row for every change of rights or text, written inside the change's transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from policyhub.extensions import db
from policyhub.parties.models import AuditEvent


def record(actor: Any, action: str, target: Any, summary: str, **details: Any) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits it with the change)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=getattr(target, "__tablename__", type(target).__name__.lower()),
        target_id=getattr(target, "id", None),
        summary=summary[:300],
        details=details,
    )
    db.session.add(event)
    return event


def list_events(page: int, per_page: int = 50, action_prefix: str | None = None) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and the total count."""
    query = select(AuditEvent)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return list(events), total
