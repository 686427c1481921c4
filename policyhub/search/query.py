"""What a search asks and what it answers: plain data shared by the backends, the page and the API."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("document", "amendment")
SORTS = ("relevance", "recent")
MAX_QUERY_LENGTH = 200


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
    message: str | None = None       # a clear note when the query was cut, refused in part, or timed out
