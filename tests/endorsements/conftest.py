"""Fixtures for endorsements: three parties with a lead each, and helpers to count SQL statements."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from policyhub.extensions import db


@pytest.fixture
def labour(make_party):
    return make_party("labour", "Labour", "#E4003B")


@pytest.fixture
def libdem(make_party):
    return make_party("libdem", "Liberal Democrats", "#FAA61A")


@pytest.fixture
def green(make_party):
    return make_party("green", "Green Party", "#02A95B")


@pytest.fixture
def parties(labour, libdem, green):
    return [labour, libdem, green]


@pytest.fixture
def leads(make_user, labour, libdem, green) -> dict[str, Any]:
    """One lead per party, keyed by party slug."""
    return {party.slug: make_user(f"{party.name} Lead", party=party, role="lead") for party in (labour, libdem, green)}


@pytest.fixture
def author(make_user, labour):
    return make_user("Tom Member", party=labour)


@pytest.fixture
def admin(make_user):
    return make_user("Alex Admin", admin=True)


@pytest.fixture
def new_revision():
    """``new_revision(author, document, text)`` saves an edit on the current revision."""
    from policyhub.documents import services

    def save(user: Any, document: Any, text: str = "Another paragraph.") -> Any:
        current = services.get_revision(document, document.current_number)
        return services.save_revision(user, document, body=current.body + f"\n{text}\n",
                                      base_number=current.number).revision
    return save


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run on the app's engine inside the block."""
    statements: list[str] = []

    def before_cursor_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


@pytest.fixture
def count_queries():
    return counting_queries
