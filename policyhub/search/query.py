"""What a search asks and what it answers: plain data shared by the backends, the page and the API."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from policyhub.errors import N_

KINDS = ("document", "amendment")
SORTS = ("relevance", "recent")
MAX_QUERY_LENGTH = 200
MAX_RESULTS = 10_000                 # deepest result a page may ask for
MAX_PER_PAGE = 100
NOTHING_TO_SEARCH = N_("Nothing to search for: try some words from the text you are looking for.")
TIMED_OUT = N_("The search took too long and was stopped; try more specific words.")
TIMED_OUT_PARTLY = N_("The search took too long, so these results may be incomplete; try more specific words.")


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kind: str | None = None          # "document" | "amendment" | None for both
    area: str | None = None          # policy area label
    status: str | None = None        # document status, or amendment state when kind == "amendment"
    party: str | None = None         # party slug: documents whose current revision that party endorses
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class Hit:
    kind: str                        # "document" | "amendment"
    slug: str                        # the document's slug (for an amendment: its document's)
    number: int | None               # the amendment's number, None for a document
    title: str
    snippet: str                     # HTML: escaped text, only <mark> as markup
    url: str                         # path on this site
    policy_area: str
    status: str
    parties: tuple[str, ...]         # slugs of parties endorsing the document's current revision
    updated_at: datetime | None


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # "kind", "area", "status", "party"
    suggestion: str | None = None    # "did you mean" for misspelt words
    # Clear notes when the query was cut, refused in part, or timed out: English (errors.N_ messages), which
    # the search page shows in the reader's language and the API joins into its "message".
    notes: tuple[str, ...] = ()

    @property
    def message(self) -> str | None:
        return " ".join(self.notes) or None


def page_window(query: SearchQuery, notes: list[str]) -> tuple[int, int]:
    """``(page, per_page)`` within bounds, the same for every backend; adds a note when the page asked for
    lies past MAX_RESULTS."""
    page, per_page = max(1, query.page), max(1, min(query.per_page, MAX_PER_PAGE))
    if page * per_page > MAX_RESULTS:
        notes.append(N_("Only the first %(count)s results can be paged through; refine your search.",
                        count=MAX_RESULTS))
        page = MAX_RESULTS // per_page
    return page, per_page


def ordered_counts(counts: dict[str, int]) -> dict[str, int]:
    """A facet's non-zero counts, biggest first (ties by value): the order every backend answers in."""
    return dict(sorted(((value, n) for value, n in counts.items() if n), key=lambda item: (-item[1], item[0])))


def hit_url(kind: str, slug: str, number: int | None) -> str:
    """Where a hit lives on this site."""
    return f"/documents/{slug}" if kind == "document" else f"/documents/{slug}/amendments/{number}"
