"""Fixtures for the security tests (helpers live in world.py)."""
from __future__ import annotations

import pytest

from .world import Seeded, seed


@pytest.fixture
def seeded(app, make_user, labour, green, make_document, edit_document) -> Seeded:
    return seed(app, make_user, labour, green, make_document, edit_document)
