"""The search page, ``/search?q=`` (a stable URL): one box, results with highlighted snippets, facets that
narrow, sort, pages, a "did you mean" link, and a starting state when nothing is asked.

Thin like every view: read the parameters (400 on bad ones, shown on the page with the box still filled in),
call the engine once, shape the links. Anyone may search; there is no permission to check.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from policyhub.documents.services import policy_areas
from policyhub.errors import BadRequest
from policyhub.i18n import translated
from policyhub.parties.models import Party
from policyhub.parties.services import list_parties
from policyhub.search import bp, services
from policyhub.search.forms import FILTERS, SearchRequest, read_search_request, statuses_for
from policyhub.search.query import MAX_QUERY_LENGTH, SearchResults

ENDPOINT = "search.search"
# Lazy: only this page shows these, each time in its reader's language.
FILTER_LABELS = {"type": _l("Type"), "area": _l("Policy area"), "status": _l("Status"), "party": _l("Endorsed by")}
KIND_LABELS = {"document": _l("Documents"), "amendment": _l("Amendments")}
STATUS_LABELS = {"draft": _l("Draft"), "consultation": _l("In consultation"), "archived": _l("Archived"),
                 "open": _l("Open amendment"), "accepted": _l("Accepted amendment"),
                 "rejected": _l("Rejected amendment"), "withdrawn": _l("Withdrawn amendment")}


class SearchLinks:
    """Addresses of this search with one thing changed. Every change goes back to page 1, since the old page
    number means nothing in a different result list."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params

    def url(self, **changes: str | None) -> str:
        merged = {**self.params, **changes}
        kind = merged.get("type")
        # A status that the new type cannot have (an amendment state on documents) would be a 400: drop it.
        if merged.get("status") and merged["status"] not in statuses_for(kind):
            merged.pop("status")
        return url_for(ENDPOINT, **{name: value for name, value in merged.items() if value})

    def without(self, name: str) -> str:
        return self.url(**{name: None})

    def toggle(self, name: str, value: str) -> str:
        """Adds the filter, or removes it when it is the one already applied."""
        return self.url(**{name: None if self.params.get(name) == value else value})


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    active: bool
    url: str
    party: Party | None = None


@dataclass(frozen=True)
class FacetGroup:
    name: str      # the GET parameter
    label: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class ActiveFilter:
    name: str
    label: str     # "Type: Documents"
    remove_url: str


def _value_label(name: str, value: str, parties: dict[str, Party]) -> str:
    if name == "type":
        return str(KIND_LABELS.get(value, value))
    if name == "status":
        return str(STATUS_LABELS.get(value, value.capitalize()))
    if name == "party":
        return parties[value].name if value in parties else value
    return value


def facet_groups(asked: SearchRequest, results: SearchResults, links: SearchLinks,
                 parties: dict[str, Party]) -> list[FacetGroup]:
    """The facets the engine counted, biggest first, each value a link that adds (or removes) its filter.
    An applied filter is always listed, even when the engine counted nothing for it."""
    groups = []
    for name, facet in FILTERS:
        counts = dict(results.facets.get(facet, {}))
        active = asked.params.get(name)
        if active and active not in counts:
            counts[active] = 0
        ordered = sorted(counts.items(), key=lambda item: (-item[1], _value_label(name, item[0], parties)))
        values = tuple(FacetValue(value=value, label=_value_label(name, value, parties), count=count,
                                  active=value == active, url=links.toggle(name, value),
                                  party=parties.get(value) if name == "party" else None)
                       for value, count in ordered)
        if values:
            groups.append(FacetGroup(name=name, label=str(FILTER_LABELS[name]), values=values))
    return groups


def active_filters(asked: SearchRequest, links: SearchLinks, parties: dict[str, Party]) -> list[ActiveFilter]:
    return [ActiveFilter(name=name, label=_("%(filter)s: %(value)s", filter=FILTER_LABELS[name],
                                            value=_value_label(name, asked.params[name], parties)),
                         remove_url=links.without(name))
            for name, _facet in FILTERS if name in asked.params]


def _render(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("max_length", MAX_QUERY_LENGTH)
    return render_template("search/index.html", **context), status


@bp.get("/search")
def search() -> tuple[str, int]:
    parties = {party.slug: party for party in list_parties()}
    try:
        asked = read_search_request(parties=parties)
    except BadRequest as error:
        # The page comes back with the box as typed and the problem said plainly, not a bare error page.
        return _render(400, error=translated(error.message), typed=request.args.get("q", ""), asked=None)
    links = SearchLinks(asked.params)
    if asked.blank:
        return _render(asked=asked, typed="", links=links, areas=policy_areas())
    results = services.search(asked.query)
    per_page = asked.query.per_page
    return _render(
        asked=asked, typed=asked.text, links=links, results=results, parties=parties,
        pages=max(1, -(-results.total // per_page)), facets=facet_groups(asked, results, links, parties),
        filters=active_filters(asked, links, parties),
    )
