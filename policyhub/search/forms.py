"""Reading a search request (the page's and the API's alike) into a SearchQuery, refusing bad input with 400.

Rules: ``type`` is one of KINDS, ``sort`` one of SORTS, ``status`` a document status (an amendment state too,
and only that when ``type=amendment``), ``party`` the slug of a party that exists, ``page`` a positive whole
number; the query text and the area may not carry control characters (tabs and newlines read as spaces).
An empty value means "no filter". Repeated parameters never get here: ``request_checks`` refuses them for
every page. Without query text the default order is the most recent first, since there is nothing to rank by.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from flask import request

from policyhub.amendments.models import STATES
from policyhub.documents.models import STATUSES
from policyhub.errors import N_, BadRequest
from policyhub.search.query import KINDS, SORTS, SearchQuery
from policyhub.web import int_arg

# The GET names of the filters, in the order the page shows them, with the facet key the engine counts by.
FILTERS: tuple[tuple[str, str], ...] = (("type", "kind"), ("area", "area"), ("status", "status"),
                                        ("party", "party"))
PARAMS = ("q", *(name for name, _facet in FILTERS), "sort")
# Control characters other than whitespace are refused; whitespace runs collapse to one space.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# One whole sentence per parameter (rather than the name put into one): a page looks each up in the catalogue.
_CONTROL_MESSAGES: dict[str, str] = {
    "q": N_("'q' contains control characters; type plain text."),
    "type": N_("'type' contains control characters; type plain text."),
    "area": N_("'area' contains control characters; type plain text."),
    "status": N_("'status' contains control characters; type plain text."),
    "party": N_("'party' contains control characters; type plain text."),
    "sort": N_("'sort' contains control characters; type plain text."),
}


@dataclass(frozen=True)
class SearchRequest:
    """What the person asked, as they asked it (for the form and the links), and the query for the engine."""

    params: dict[str, str]   # the non-empty parameters among PARAMS, as given (sort only when chosen)
    query: SearchQuery

    @property
    def text(self) -> str:
        return self.query.text

    @property
    def filtered(self) -> bool:
        return any(name in self.params for name, _facet in FILTERS)

    @property
    def blank(self) -> bool:
        """Nothing asked at all: the page shows its starting state instead of results."""
        return not self.query.text and not self.filtered


def statuses_for(kind: str | None) -> tuple[str, ...]:
    """The statuses a search of ``kind`` can be narrowed by."""
    if kind == "amendment":
        return STATES
    if kind == "document":
        return STATUSES
    return STATUSES + STATES


def _clean(name: str, raw: str | None) -> str:
    text = raw or ""
    if _CONTROL.search(text):
        raise BadRequest(_CONTROL_MESSAGES[name])
    return _SPACES.sub(" ", text).strip()


def _choice(name: str, value: str, choices: Collection[str]) -> str | None:
    if not value:
        return None
    if value not in choices:
        raise BadRequest(f"Unknown {name} '{value}': use one of {', '.join(choices)}.")
    return value


def read_search_request(*, parties: Collection[str], per_page: int = 20, kind: str | None = None) -> SearchRequest:
    """The search the current request's query parameters ask for. ``parties`` are the slugs of the
    parties that exist; ``kind`` fixes the type (the document list searches documents only) instead of
    reading it. Raises BadRequest naming the parameter that is wrong. A long query is passed on whole: the
    engine cuts it and says so in its ``message``."""
    args = request.args
    text = _clean("q", args.get("q"))
    if kind is None:
        kind = _choice("type", _clean("type", args.get("type")), KINDS)
    area = _clean("area", args.get("area")) or None
    status = _choice("status", _clean("status", args.get("status")), statuses_for(kind))
    party = _clean("party", args.get("party")) or None
    if party is not None and party not in parties:
        raise BadRequest(f"There is no party '{party}'.")
    chosen_sort = _choice("sort", _clean("sort", args.get("sort")), SORTS)
    sort = chosen_sort or ("relevance" if text else "recent")
    page = int_arg("page", 1) or 1
    values = {"q": text, "type": kind, "area": area, "status": status, "party": party, "sort": chosen_sort}
    params = {name: value for name, value in values.items() if value}
    query = SearchQuery(text=text, kind=kind, area=area, status=status, party=party, sort=sort, page=page,
                        per_page=per_page)
    return SearchRequest(params=params, query=query)
