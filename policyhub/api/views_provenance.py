"""JSON API v1: ``GET /documents/{slug}/provenance?revision=`` (API.md): who wrote which passage of a
revision's text (default: the current one). The spans' texts concatenate to the body; each names the
revision that introduced it, its author (as a Person: the party is the author's party now) and the accepted
amendment it came from, if any. Each span's text stands as it is in its revision's body."""
from __future__ import annotations

from typing import Any

from policyhub.api import bp, serializers
from policyhub.api.parsing import revision_or_current_arg
from policyhub.documents import provenance as provenance_service
from policyhub.documents.services import get_document
from policyhub.pagecache import immutable_for_visitors, visitor_cached


@bp.get("/documents/<slug>/provenance")
@visitor_cached
def provenance(slug: str) -> dict[str, Any]:
    document = get_document(slug)
    number, old = revision_or_current_arg(document.current_number)
    found = provenance_service.provenance(document, number)
    if old:
        immutable_for_visitors()  # an old revision's text never changes; its authors' names can: a day
    return {
        "revision": found.revision.number,
        "spans": [{"text": passage.text, "revision": passage.revision.number,
                   "author": serializers.person(passage.author), "amendment": passage.amendment}
                  for passage in found.passages],
    }
