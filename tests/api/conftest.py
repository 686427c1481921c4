"""Fixtures for the JSON API tests. The response checker ``conforms`` (and ``spec``) is in tests/conftest.py,
shared with the other tests that call the API."""
from __future__ import annotations

import pytest


@pytest.fixture
def parties(make_party):
    """Two parties, A and B."""
    return make_party("a", "Party A"), make_party("b", "Party B")


@pytest.fixture
def lead_a(make_user, parties):
    return make_user("Ann Lead", party=parties[0], role="lead")


@pytest.fixture
def lead_b(make_user, parties):
    return make_user("Bob Lead", party=parties[1], role="lead")
