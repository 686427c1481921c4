"""A mailed link used twice at the same moment, from threads, on a file SQLite database and on PostgreSQL:
exactly one use wins; the other is told the link was used and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from policyhub.accounts import services
from policyhub.accounts.models import User
from policyhub.extensions import db

from .conftest import PASSWORD, only_link

THREADS = 4


@pytest.fixture
def database_url(sqlite_and_postgres_url: str) -> str:
    return sqlite_and_postgres_url


def test_a_reset_link_used_twice_at_once_sets_one_password(app, race, make_user, outbox):
    make_user(email="kim@example.org")
    app.test_client().post("/password/forgot", data={"email": "kim@example.org"})
    link = only_link(outbox("kim@example.org")[0], "/password/reset/")

    def use(i: int, client) -> int:
        return client.post(link, data={"password": f"racing password number {i}"}).status_code

    outcomes = race(THREADS, lambda i: app.test_client(), use)
    assert sorted(outcomes) == [302] + [400] * (THREADS - 1), outcomes
    winner = outcomes.index(302)
    assert services.authenticate("kim@example.org", f"racing password number {winner}") is not None
    db.session.rollback()
    assert db.session.scalar(select(User.session_version).where(User.email == "kim@example.org")) == 2


def test_a_confirmation_link_used_twice_at_once_confirms_once(app, race, outbox):
    app.test_client().post("/register", data={"email": "nia@example.org", "name": "Nia", "password": PASSWORD})
    link = only_link(outbox("nia@example.org")[0], "/register/confirm/")

    outcomes = race(THREADS, lambda i: app.test_client(), lambda i, client: client.post(link).status_code)
    assert sorted(outcomes) == [302] + [400] * (THREADS - 1), outcomes
