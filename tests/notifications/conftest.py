"""Builders for the notifications tests: people in two parties and a watched document."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from policyhub.documents import services as documents
from policyhub.extensions import db
from policyhub.notifications.models import Notification


@pytest.fixture
def labour(make_party):
    return make_party("labour", "Labour", "#E4003B")


@pytest.fixture
def greens(make_party):
    return make_party("green", "Green Party", "#02A95B")


@pytest.fixture
def tom(make_user, labour):
    return make_user("Tom Hughes", party=labour)


@pytest.fixture
def carys(make_user, greens):
    return make_user("Carys Green", party=greens)


@pytest.fixture
def dan(make_user):
    return make_user("Dan Nonaligned")


@pytest.fixture
def edit():
    """``edit(user, document, text)``: save one more paragraph as ``user``; returns the new revision."""
    def save(user: Any, document: Any, text: str = "More words.", summary: str = "") -> Any:
        current = documents.get_revision(document, document.current_number)
        result = documents.save_revision(user, document, body=current.body + f"\n{text}\n",
                                         base_number=current.number, summary=summary)
        return result.revision
    return save


@pytest.fixture
def inbox():
    """``inbox(user)``: that person's notifications, oldest first."""
    def read(user: Any) -> list[Notification]:
        db.session.rollback()  # see what requests committed since, not this session's older snapshot
        return list(db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        ))
    return read
