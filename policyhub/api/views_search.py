"""JSON API v1: ``GET /search`` (API.md), the same search as the page, read by the same rules.

Parameters are read by ``policyhub.search.forms`` exactly as for ``/search``: an unknown type, status, sort
or party, a page that is not a positive whole number, or a repeated parameter is a 400 with the API's usual
``{"error", "message"}``. Each result has the fields API.md lists (``number`` only for amendments) plus the
extras ``policy_area``, ``status``, ``parties`` and ``updated_at``; the answer adds ``facets`` (counts by
parameter: ``type``, ``area``, ``status``, ``party``), ``message`` and ``per_page``. ``url`` is a path on this site.
"""
from __future__ import annotations

from typing import Any

from policyhub.api import bp
from policyhub.api.serializers import timestamp
from policyhub.parties.services import list_parties
from policyhub.search import services
from policyhub.search.forms import FILTERS, read_search_request
from policyhub.search.query import Hit


def hit_json(hit: Hit) -> dict[str, Any]:
    """One result. ``number`` is left out for documents (API.md: ``"number"?``), not sent as null."""
    result: dict[str, Any] = {"type": hit.kind, "slug": hit.slug}
    if hit.kind == "amendment":
        result["number"] = hit.number
    result.update(title=hit.title, snippet=hit.snippet, url=hit.url, policy_area=hit.policy_area,
                  status=hit.status, parties=list(hit.parties),
                  updated_at=None if hit.updated_at is None else timestamp(hit.updated_at))
    return result


@bp.get("/search")
def search() -> dict[str, Any]:
    asked = read_search_request(parties={party.slug for party in list_parties()})
    results = services.search(asked.query)
    return {
        "query": asked.text, "total": results.total, "page": asked.query.page,
        "results": [hit_json(hit) for hit in results.hits], "suggestion": results.suggestion,
        # Keyed by the parameter each one narrows (``type``, not the engine's ``kind``).
        "facets": {name: dict(results.facets.get(facet, {})) for name, facet in FILTERS},
        "message": results.message, "per_page": asked.query.per_page,
    }
