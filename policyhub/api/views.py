"""JSON API v1 routes (API.md): load (404), check permission, parse, call one service, serialise.

Errors are not built here: services and parsers raise PolicyHubError kinds and the app-wide handlers
answer ``{"error", "message"}`` with the status (an EditConflict carries ``current_revision``).
This module holds parties, documents, revisions and diffs; amendments and endorsements (with the agenda)
have their own modules.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, current_app, jsonify, url_for

from policyhub.api import bp, serializers
from policyhub.api.auth import acting, authenticate
from policyhub.api.openapi import spec
from policyhub.api.parsing import (
    area_arg, integer_field, json_body, page_arg, revision_arg, status_arg, text_field,
)
from policyhub.documents import services
from policyhub.documents.models import Document
from policyhub.pagecache import FOREVER, immutable_for_visitors, visitor_cached
from policyhub.endorsements import consensus
from policyhub.endorsements import services as endorsements
from policyhub.parties.services import list_parties
from policyhub.permissions import Action

bp.before_request(authenticate)


@bp.after_request
def _challenge(response: Response) -> Response:
    if response.status_code == 401:  # RFC 6750: say which scheme would be accepted
        response.headers["WWW-Authenticate"] = 'Bearer realm="PolicyHub API"'
    return response


def document_json(document: Document, *, full: bool = False) -> dict[str, Any]:
    """One document with its live endorsements and whether it is agreed."""
    live = endorsements.live_endorsements(document)
    return serializers.document(document, live, endorsements.is_agreed(document, live=live), full=full)


def documents_json(documents: Sequence[Document]) -> list[dict[str, Any]]:
    """A list of documents for a fixed number of queries however long it is: the parties, every live
    endorsement of the listed documents at once, and the current clauses of those endorsed by section."""
    if not documents:
        return []
    parties = list_parties()
    live = endorsements.live_endorsements_by_document(documents)
    agreed = consensus.agreed_by_document(documents, parties, live)
    return [serializers.document(document, live[document.id], agreed[document.id]) for document in documents]


# --- parties ---------------------------------------------------------------------------------------------

@bp.get("/parties")
def parties() -> dict[str, Any]:
    return {"parties": [serializers.party(party) for party in list_parties()]}


# --- documents -------------------------------------------------------------------------------------------

@bp.get("/documents")
def documents() -> dict[str, Any]:
    page = page_arg()
    found, total = services.list_documents(status=status_arg(), area=area_arg(), page=page,
                                           per_page=current_app.config["DOCUMENTS_PER_PAGE"])
    return {"documents": documents_json(found), "total": total, "page": page}


@bp.post("/documents")
def create_document() -> Response:
    """201 with the new document and its address in Location."""
    user = acting(Action.DOCUMENT_CREATE)
    data = json_body()
    document = services.create_document(
        user, title=text_field(data, "title"), body=text_field(data, "body"),
        policy_area=text_field(data, "policy_area"), summary=text_field(data, "summary"),
        slug=text_field(data, "slug"),
    )
    response = jsonify(document_json(document, full=True))
    response.status_code = 201
    response.headers["Location"] = url_for(".document", slug=document.slug)
    return response


@bp.get("/documents/<slug>")
@visitor_cached
def document(slug: str) -> dict[str, Any]:
    return document_json(services.get_document(slug), full=True)


@bp.put("/documents/<slug>")
def save_document(slug: str) -> dict[str, Any]:
    """Save an edit made on ``base_revision`` (merged when stale, 409 when it overlaps). An unchanged text
    makes no revision and answers the current one with ``changed: false``."""
    document = services.get_document(slug)
    user = acting(Action.DOCUMENT_EDIT, document)
    data = json_body()
    result = services.save_revision(
        user, document, body=text_field(data, "body"), base_number=integer_field(data, "base_revision"),
        title=text_field(data, "title"), summary=text_field(data, "summary"),
    )
    return {"revision": serializers.revision(result.revision, full=True), "merged": result.merged,
            "changed": result.changed}


@bp.post("/documents/<slug>/status")
def set_status(slug: str) -> dict[str, Any]:
    document = services.get_document(slug)
    user = acting(Action.DOCUMENT_SET_STATUS, document)
    data = json_body()
    document = services.set_status(user, document, text_field(data, "status"))
    return document_json(document, full=True)


# --- revisions -------------------------------------------------------------------------------------------

@bp.get("/documents/<slug>/revisions")
def revisions(slug: str) -> dict[str, Any]:
    document = services.get_document(slug)
    page = page_arg()
    found = services.revisions_page(document, page, current_app.config["REVISIONS_PER_PAGE"])
    # Numbers are gap-free from 1, so the current number is the count.
    return {"revisions": [serializers.revision(revision) for revision in found],
            "total": document.current_number, "page": page}


@bp.get("/documents/<slug>/revisions/<int:n>")  # no max=: see views_amendments.AMENDMENT
@visitor_cached
def revision(slug: str, n: int) -> dict[str, Any]:
    found = services.get_revision(services.get_document(slug), n)
    immutable_for_visitors()  # a revision never changes; its author's name can, so a day, not forever
    return serializers.revision(found, full=True)


@bp.get("/documents/<slug>/diff")
@visitor_cached
def diff(slug: str) -> dict[str, Any]:
    """Both revisions are required; one that does not exist is 404."""
    document = services.get_document(slug)
    old, new = revision_arg("from"), revision_arg("to")
    comparison = services.compare(document, old, new)
    immutable_for_visitors(FOREVER)  # two fixed texts have one diff
    return {"from": old, "to": new, "ops": [[op, text] for op, text in comparison.ops],
            "added_words": comparison.stats.added_words, "removed_words": comparison.stats.removed_words}


# --- description -----------------------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    return spec()
