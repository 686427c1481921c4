"""JSON API v1: ``GET /documents/{slug}/clauses?revision=`` (API.md): the clauses of a revision (default:
the current one) in document order, each with its id (its key, which survives edits and moves), kind,
Markdown text, section (the id of the heading it sits under, or null) and first line number."""
from __future__ import annotations

from typing import Any

from policyhub.api import bp, serializers
from policyhub.api.parsing import revision_or_current_arg
from policyhub.documents import clauses
from policyhub.documents.services import get_document, get_revision
from policyhub.pagecache import immutable_for_visitors, visitor_cached


@bp.get("/documents/<slug>/clauses")
@visitor_cached
def clause_list(slug: str) -> dict[str, Any]:
    document = get_document(slug)
    number, old = revision_or_current_arg(document.current_number)
    revision = get_revision(document, number)
    if old:
        immutable_for_visitors()  # an old revision's clauses never change
    return {"revision": revision.number,
            "clauses": [serializers.clause(clause) for clause in clauses.clauses_of(revision)]}
