"""Builders for the notifications tests: people in two parties and a watched document."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from policyhub.extensions import db
from policyhub.notifications.models import Notification


@pytest.fixture
def tom(make_user, labour):
    return make_user("Tom Hughes", party=labour)


@pytest.fixture
def carys(make_user, green):
    return make_user("Carys Green", party=green)


@pytest.fixture
def dan(make_user):
    return make_user("Dan Nonaligned")


@pytest.fixture
def inbox():
    """``inbox(user)``: that person's notifications, oldest first."""
    def read(user: Any) -> list[Notification]:
        db.session.rollback()  # see what requests committed since, not this session's older snapshot
        return list(db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        ))
    return read
