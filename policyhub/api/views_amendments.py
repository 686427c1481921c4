"""JSON API v1 routes for amendments (API.md): list, propose, read, support, withdraw, accept, reject.

Same flow as views.py: load (404), check permission, parse, call one amendments service, serialise. The
service re-checks its rule inside its transaction; the check here answers 401/403 before a body is read.
"""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for

from policyhub.amendments import services
from policyhub.amendments.models import Amendment, details_for
from policyhub.api import bp, serializers
from policyhub.api.auth import acting
from policyhub.api.parsing import (
    json_body, optional_integer_field, optional_json_body, text_field,
)
from policyhub.documents.services import get_document
from policyhub.errors import Conflict, EditConflict
from policyhub.permissions import Action

# No max= on the converter: werkzeug would answer 405 instead of 404 for a number past it whenever another
# method's route has the same path. get_amendment answers 404 for any number no amendment can have.
AMENDMENT = "/documents/<slug>/amendments/<int:n>"


def _load(slug: str, n: int) -> Amendment:
    return services.get_amendment(get_document(slug), n)


def _one(amendment: Amendment) -> dict[str, Any]:
    """The single-amendment form: with its latest body and its diff against its base."""
    return serializers.amendment(amendment, services.latest_version(amendment),
                                 ops=services.amendment_diff(amendment))


def _listed(amendment: Amendment) -> dict[str, Any]:
    return serializers.amendment(amendment, services.latest_version(amendment))


@bp.get("/documents/<slug>/amendments")
def amendments(slug: str) -> dict[str, Any]:
    """A document's amendments, optionally only those in one ``status``."""
    document = get_document(slug)
    found = services.list_amendments(document, status=request.args.get("status"))  # 400 when unknown
    versions = services.latest_versions(found)
    return {"amendments": [serializers.amendment(amendment, versions[amendment.id]) for amendment in found]}


@bp.post("/documents/<slug>/amendments")
def propose_amendment(slug: str) -> Response:
    """201 with the new amendment and its address in Location."""
    document = get_document(slug)
    user = acting(Action.AMENDMENT_PROPOSE, document)
    data = json_body()
    amendment = services.propose_amendment(
        user, document, title=text_field(data, "title"), rationale=text_field(data, "rationale"),
        body=text_field(data, "body"), base_number=optional_integer_field(data, "base_revision"),
    )
    response = jsonify(_one(amendment))
    response.status_code = 201
    response.headers["Location"] = url_for(".amendment", slug=document.slug, n=amendment.number)
    return response


@bp.get(AMENDMENT)
def amendment(slug: str, n: int) -> dict[str, Any]:
    return _one(_load(slug, n))


@bp.post(f"{AMENDMENT}/support")
def support_amendment(slug: str, n: int) -> dict[str, Any]:
    """Co-sign; supporting twice is the same as once."""
    amendment = _load(slug, n)
    user = acting(Action.AMENDMENT_SUPPORT, amendment)
    return _listed(services.support(user, amendment))


@bp.delete(f"{AMENDMENT}/support")
def unsupport_amendment(slug: str, n: int) -> dict[str, Any]:
    """Take a co-signature back; taking back one never given changes nothing."""
    amendment = _load(slug, n)
    user = acting(Action.AMENDMENT_SUPPORT, amendment)
    return _listed(services.unsupport(user, amendment))


@bp.post(f"{AMENDMENT}/withdraw")
def withdraw_amendment(slug: str, n: int) -> dict[str, Any]:
    amendment = _load(slug, n)
    user = acting(Action.AMENDMENT_WITHDRAW, amendment)
    return _listed(services.withdraw_amendment(user, amendment))


@bp.post(f"{AMENDMENT}/accept")
def accept_amendment(slug: str, n: int) -> dict[str, Any]:
    """Merge the amendment into a new revision. 409 when it no longer applies to the current text: nothing
    changes, and ``conflicts`` lists the overlapping passages (base, ours = the amendment's, theirs = what
    was saved since)."""
    amendment = _load(slug, n)
    user = acting(Action.AMENDMENT_DECIDE, amendment)
    note = text_field(optional_json_body(), "note")
    try:
        amendment, revision = services.accept_amendment(user, amendment, note=note or "")
    except EditConflict as error:
        raise Conflict(error.message, **error.extra, conflicts=details_for(error.conflicts)) from error
    return {"amendment": _listed(amendment), "revision": serializers.revision(revision, full=True)}


@bp.post(f"{AMENDMENT}/reject")
def reject_amendment(slug: str, n: int) -> dict[str, Any]:
    """Reject with a ``note`` saying why (required)."""
    amendment = _load(slug, n)
    user = acting(Action.AMENDMENT_DECIDE, amendment)
    note = text_field(json_body(), "note")
    return _listed(services.reject_amendment(user, amendment, note))
