"""Search engine fixtures: every test here runs on each backend (``search_backend``, see tests/conftest.py);
run a search through the services, apply the queued index jobs."""
from __future__ import annotations

from typing import Any

import pytest

@pytest.fixture
def app_config(app_config: dict[str, Any], search_backend: str) -> dict[str, Any]:
    return {**app_config, "SEARCH_BACKEND": search_backend}


@pytest.fixture
def find(app):
    """``find(text, **filters)``: apply queued jobs, then search; returns SearchResults."""
    from policyhub.search import services
    from policyhub.search.query import SearchQuery

    def run(text: str, **filters: Any):
        services.apply_pending_jobs(include_delayed=True)
        return services.search(SearchQuery(text=text, **filters))
    return run


@pytest.fixture
def lead_of(make_user):
    def build(party):
        return make_user(f"Lead of {party.slug}", party=party, role="lead")
    return build
