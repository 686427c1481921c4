"""Fixtures for endorsements: three parties with a lead each, and helpers to count SQL statements."""
from __future__ import annotations

from typing import Any

import pytest



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
