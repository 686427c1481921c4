"""JSON API v1 routes for endorsements and the agenda (API.md).

The endorsing party is always the token user's own party, taken from their membership by the service: a
``party`` field in the body is refused with 400 rather than ignored, so that an integration that believes
it can choose the party learns at once that it cannot.
"""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from policyhub.api import bp, serializers
from policyhub.api.auth import acting
from policyhub.api.parsing import area_arg, flag_arg, json_body, optional_integer_field, refuse_field, text_field
from policyhub.documents.services import get_document
from policyhub.endorsements import services, staleness
from policyhub.permissions import Action


@bp.get("/documents/<slug>/endorsements")
def endorsements(slug: str) -> dict[str, Any]:
    """The live endorsements; ``?all=1`` lists the whole record, ended ones included, each with ``ended_at``."""
    document = get_document(slug)
    if flag_arg("all"):
        record = services.endorsement_record(document)
        grades = staleness.grades(document, record)  # ended ones too: one query for all their revisions
        return {"endorsements": [serializers.endorsement(item, document, with_end=True, grade=grades[item.id])
                                 for item in record]}
    return {"endorsements": [serializers.endorsement(item, document)
                             for item in services.live_endorsements(document)]}


@bp.post("/documents/<slug>/endorsements")
def endorse(slug: str) -> Response:
    """201 with the new live endorsement of the user's party (replacing the party's previous one).
    ``sections`` (clause id -> stance) and ``reasons`` (clause id -> text) make it a scoped endorsement:
    400 when they are not objects of strings, 422 for unknown ids or stances and missing reasons."""
    document = get_document(slug)
    user = acting(Action.ENDORSEMENT_GIVE, document)
    data = json_body()
    refuse_field(data, "party", "a lead endorses for their own party, which comes from their membership.")
    endorsement = services.endorse(user, document, revision=optional_integer_field(data, "revision"),
                                   statement=text_field(data, "statement") or "",
                                   sections=data.get("sections"), reasons=data.get("reasons"))
    response = jsonify(serializers.endorsement(endorsement, document))
    response.status_code = 201
    response.headers["Location"] = url_for(".endorsements", slug=document.slug)
    return response


@bp.delete("/documents/<slug>/endorsements/<party>")
def withdraw_endorsement(slug: str, party: str) -> Response:
    """204 once the party's live endorsement has ended; 404 when the party has none."""
    document = get_document(slug)
    endorsement = services.get_live_endorsement(document, party)
    user = acting(Action.ENDORSEMENT_WITHDRAW, endorsement)
    services.withdraw_endorsement(user, endorsement)
    return Response(status=204)


@bp.get("/agenda")
def agenda() -> dict[str, Any]:
    """Every document with each party's endorsement (its revision, and whether it is current)."""
    return serializers.agenda(services.agenda(area=area_arg()))

