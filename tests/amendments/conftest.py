"""Builders for amendment tests: a lead, a non-aligned person, a small document, and proposing on it."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from .amendment_texts import BODY



@pytest.fixture
def lead(make_user, make_party):
    """A lead of a party of their own: decides amendments."""
    return make_user("Lena Lead", party=make_party(), role="lead")


@pytest.fixture
def outsider(make_user):
    """Signed in, non-aligned: may propose, support and comment."""
    return make_user("Nico Nonaligned")


@pytest.fixture
def plan(member, make_document):
    """A draft document with BODY as revision 1."""
    return make_document(member, body=BODY, title="Plan")


@pytest.fixture
def propose(app):
    """``propose(author, document, body, base=None, title=..., rationale=...)``: BODY-style text in, amendment out."""
    from policyhub.amendments import services

    def build(author: Any, document: Any, body: str, *, base: int | None = None, title: str = "Say more",
              rationale: str = "Because it is *clearer*.") -> Any:
        return services.propose_amendment(author, document, title=title, rationale=rationale, body=body,
                                          base_number=base or document.current_number)
    return build


@pytest.fixture
def notifications(app):
    """``notifications(kind=None)``: (user_id, kind, message) of every notification written so far."""
    from policyhub.extensions import db
    from policyhub.notifications.models import Notification

    def read(kind: str | None = None) -> list[tuple[int, str, str]]:
        query = select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [(n.user_id, n.kind, n.message) for n in db.session.scalars(query)]
    return read


@pytest.fixture
def audit_actions(app):
    """``audit_actions()``: the actions of the audit events starting with ``amendment.``, oldest first."""
    from policyhub.parties.audit import list_events

    def read() -> list[str]:
        events, _ = list_events(1, per_page=500, action_prefix="amendment.")
        return [event.action for event in reversed(events)]
    return read
