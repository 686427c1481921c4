"""JSON API v1 routes for red lines (API.md). A red line is always the token user's own party's, taken
from their membership: a ``party`` field in the body is refused with 400 rather than ignored."""
from __future__ import annotations

from typing import Any

from policyhub.api import bp
from policyhub.api.auth import acting
from policyhub.api.parsing import json_body, refuse_field
from policyhub.documents.models import Document
from policyhub.documents.services import get_document
from policyhub.endorsements import red_lines
from policyhub.permissions import Action


def _answer(document: Document) -> dict[str, Any]:
    return {"red_lines": [{"party": line.party.slug, "clause": line.clause_key}
                          for line in red_lines.red_lines(document)]}


@bp.get("/documents/<slug>/red-lines")
def list_red_lines(slug: str) -> dict[str, Any]:
    return _answer(get_document(slug))


@bp.post("/documents/<slug>/red-lines")
def mark_red_line(slug: str) -> dict[str, Any]:
    """The document's red lines once the clause is one of the user's party's (marking again is harmless)."""
    document = get_document(slug)
    user = acting(Action.RED_LINE_MANAGE, document)
    data = json_body()
    refuse_field(data, "party", "a lead marks red lines for their own party, which comes from their membership.")
    red_lines.mark_red_line(user, document, data.get("clause"))
    return _answer(document)


@bp.delete("/documents/<slug>/red-lines/<clause>")
def clear_red_line(slug: str, clause: str) -> dict[str, Any]:
    """The document's red lines once the user's party's red line on the clause is cleared; 404 if it had none."""
    document = get_document(slug)
    user = acting(Action.RED_LINE_MANAGE, document)
    red_lines.clear_red_line(user, document, clause)
    return _answer(document)
