"""The OpenAPI 3.1 description served at ``/api/v1/openapi.json``: written by hand to match API.md.

Only endpoints that exist are described; the tests compare these paths with the blueprint's routes and
check real responses against these schemas, so neither can drift silently.
"""
from __future__ import annotations

import copy
from typing import Any

from policyhub.amendments.models import NOTE_MAX, RATIONALE_MAX, STATES
from policyhub.amendments.services import STATUS_FILTERS
from policyhub.amendments.models import TITLE_MAX as AMENDMENT_TITLE_MAX
from policyhub.documents.models import POLICY_AREA_MAX, SOURCES, STATUSES, SUMMARY_MAX, TITLE_MAX
from policyhub.endorsements.models import REASON_MAX, STANCES, STATEMENT_MAX
from policyhub.endorsements.staleness import GRADES
from policyhub.search.forms import statuses_for
from policyhub.search.query import KINDS, MAX_QUERY_LENGTH, SORTS
from policyhub.text.rendering import MAX_DOCUMENT_BYTES
from policyhub.validation import MAX_INTEGER

_ERRORS = {
    400: ("bad_request", "Malformed JSON, wrong field types or bad query parameters."),
    401: ("unauthorized", "No bearer token where one is needed, or a malformed, unknown or revoked token."),
    403: ("forbidden", "The token's user may not do this."),
    404: ("not_found", "No such document, revision, amendment, party or endorsement."),
    409: ("conflict", "The change collides with one saved meanwhile (an overlapping edit, another lead's "
                      "endorsement, an endorsement already ended); nothing was saved."),
    413: ("too_large", "The request body is over 1 MB."),
    422: ("invalid", "Well-formed input that breaks a rule; `fields` names each problem."),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required, "additionalProperties": False}


def _extend(base: dict[str, Any], **properties: Any) -> dict[str, Any]:
    schema = copy.deepcopy(base)
    schema["properties"].update(properties)
    schema["required"] += list(properties)
    return schema


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(success: int, schema: dict[str, Any] | None, description: str, *errors: int,
               headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The success answer (no body when ``schema`` is None) and the shared error answers."""
    ok = {"description": description} if schema is None else _json(schema, description)
    if headers:
        ok["headers"] = headers
    answers: dict[str, Any] = {str(success): ok}
    # Any request may be refused for a bad token (401), or for a parameter given twice, a NUL or bytes that are
    # not UTF-8 in its query string (400, request_checks.py).
    for status in sorted({400, 401, *errors}):
        answers[str(status)] = {"$ref": f"#/components/responses/{_ERRORS[status][0]}"}
    return answers


def _body(schema_name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema_name)}}}


_TIME = {"type": "string", "format": "date-time"}
_COUNT = {"type": "integer", "minimum": 0}
_NUMBER = {"type": "integer", "minimum": 1}
_NUMBER_PARAMETER = {**_NUMBER, "maximum": MAX_INTEGER}  # a page, revision or amendment number asked for
_TEXT = {"type": "string"}

_PERSON = _object({"name": _TEXT, "party": {"type": ["string", "null"], "description": "party slug"}})
_PARTY = _object({"slug": _TEXT, "name": _TEXT, "colour": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}})
_ENDORSEMENT = _object({
    "id": {"type": "integer"}, "party": _TEXT, "revision": _NUMBER, "current": {"type": "boolean"},
    "endorsed_by": _ref("Person"), "created_at": _TIME, "statement": _TEXT,
    "content_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                       "description": "SHA-256 (hex) of the endorsed revision's body in UTF-8"},
    "staleness": {"enum": list(GRADES), "description": "`current`; `cosmetic` (only layout, punctuation or "
                  "formatting changed since); `outside_scope` (nothing changed in its sections); `substantive`"},
    "sections": {"type": "object", "description": "only for a scoped endorsement: clause id -> stance",
                 "additionalProperties": {"enum": list(STANCES)}},
    "reasons": {"type": "object", "description": "only for a scoped endorsement: clause id -> the reason given",
                "additionalProperties": _TEXT},
}, required=["id", "party", "revision", "current", "endorsed_by", "created_at", "statement", "content_sha256",
             "staleness"])
_DOCUMENT = _object({
    "slug": _TEXT, "title": _TEXT, "policy_area": _TEXT, "status": {"enum": list(STATUSES)},
    "current_revision": _NUMBER, "updated_at": _TIME,
    "endorsements": {"type": "array", "items": _ref("Endorsement")},
    "agreed": {"type": "boolean", "description": "every party has a current endorsement"},
})
_REVISION = _object({
    "number": _NUMBER, "author": _ref("Person"), "created_at": _TIME, "summary": _TEXT,
    "base": {"type": ["integer", "null"]}, "source": {"enum": list(SOURCES)},
    "amendment": {"type": ["integer", "null"]}, "added_words": _COUNT, "removed_words": _COUNT,
})
_OP = {"type": "array", "prefixItems": [{"enum": ["equal", "insert", "delete"]}, _TEXT],
       "minItems": 2, "maxItems": 2}
_OPS = {"type": "array", "items": _OP}
_ERROR = _object({"error": _TEXT, "message": _TEXT})
_OPTIONAL_PERSON = {"oneOf": [_ref("Person"), {"type": "null"}]}
_AMENDMENT = _object({
    "number": _NUMBER, "title": _TEXT, "rationale": _TEXT, "author": _ref("Person"),
    "base_revision": {**_NUMBER, "description": "the revision its latest text was written against"},
    "status": {"enum": list(STATES)},
    "supporters": {**_COUNT, "description": "how many people support it"},
    "applies_cleanly": {"type": "boolean",
                        "description": "it would merge into the current revision without a conflict"},
    "created_at": _TIME, "decided_by": _OPTIONAL_PERSON,
    "decided_at": {"type": ["string", "null"], "format": "date-time"},
    "decision_note": _TEXT, "merged_revision": {"type": ["integer", "null"],
                                                "description": "the revision its acceptance made"},
})
_BODY_TEXT = {"type": "string", "description": f"Markdown, at most {MAX_DOCUMENT_BYTES} bytes of UTF-8"}

_COUNTS = {"type": "object", "additionalProperties": _COUNT}
_SEARCH_RESULT = {
    "type": "object", "additionalProperties": False,
    "required": ["type", "slug", "title", "snippet", "url"],
    "properties": {
        "type": {"enum": list(KINDS)}, "slug": {**_TEXT, "description": "the document's (an amendment's too)"},
        "number": {**_NUMBER, "description": "only for amendments: absent for documents"},
        "title": _TEXT,
        "snippet": {**_TEXT, "description": "HTML: escaped text in which only `<mark>` elements are markup"},
        "url": {**_TEXT, "pattern": "^/", "description": "the result's page: a path on this site"},
        "policy_area": _TEXT, "status": {**_TEXT, "description": "a document's status or an amendment's state"},
        "parties": {"type": "array", "items": _TEXT,
                    "description": "slugs of the parties endorsing the document's current revision"},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
_SEARCH_RESULTS = _object({
    "query": {**_TEXT, "description": "the query text as read (whitespace collapsed)"},
    "total": _COUNT, "page": _NUMBER,
    "results": {"type": "array", "items": _ref("SearchResult")},
    "suggestion": {"type": ["string", "null"], "description": "a \"did you mean\" query for misspelt words"},
    "facets": {**_object({name: _COUNTS for name in ("type", "area", "status", "party")}),
               "description": "result counts by the value of each filter parameter"},
    "message": {"type": ["string", "null"],
                "description": "set when the query was cut, refused in part, or ran out of time"},
    "per_page": _NUMBER,
}, required=["query", "total", "page", "results", "suggestion"])

_RECEIPT = {
    **_object({
        "document": {**_TEXT, "description": "document slug"}, "revision": _NUMBER,
        "party": {**_TEXT, "description": "party slug"},
        "endorsed_by": {**_ref("Person"), "description": "the lead, with the party they endorsed for"},
        "created_at": _TIME,
        "content_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                           "description": "SHA-256 (hex) of the endorsed revision's body in UTF-8"},
        "sections": {"type": "object", "description": "only for a scoped endorsement: clause id -> stance",
                     "additionalProperties": {"enum": ["endorse", "reservations", "object"]}},
    }),
    "required": ["document", "revision", "party", "endorsed_by", "created_at", "content_sha256"],
}
_RED_LINES = _object({"red_lines": {"type": "array", "items": _object({
    "party": {**_TEXT, "description": "party slug"}, "clause": {**_TEXT, "description": "clause id"}})}})

_SCHEMAS: dict[str, Any] = {
    "Error": _ERROR,
    "InvalidError": _extend(_ERROR, fields={"type": "object", "additionalProperties": _TEXT}),
    "ConflictError": _extend(_ERROR, current_revision=_NUMBER),
    "Party": _PARTY,
    "Person": _PERSON,
    "Endorsement": _ENDORSEMENT,
    "EndorsementRecord": {
        **copy.deepcopy(_ENDORSEMENT),
        "properties": {**_ENDORSEMENT["properties"],
                       "ended_at": {"type": ["string", "null"], "format": "date-time",
                                    "description": "only with `?all=1`: when it was withdrawn or replaced"}},
    },
    "Document": _DOCUMENT,
    "DocumentFull": _extend(_DOCUMENT, body={"type": "string", "description": "Markdown"},
                            html={"type": "string", "description": "rendered and sanitised"}),
    "Revision": _REVISION,
    "RevisionFull": _extend(_REVISION, title=_TEXT, body=_TEXT),
    "Diff": _object({"from": _NUMBER, "to": _NUMBER, "ops": {"type": "array", "items": _OP},
                     "added_words": _COUNT, "removed_words": _COUNT}),
    "Clause": _object({
        "id": {**_TEXT, "description": "the clause key: it survives edits of the clause, moves, and edits around it"},
        "kind": {"enum": ["heading", "paragraph", "item"]},
        "text": {**_TEXT, "description": "the clause's Markdown source"},
        "section": {"type": ["string", "null"], "description": "the id of the heading it sits under"},
        "line": {**_NUMBER, "description": "its first line in the revision's body"},
    }),
    "SaveResult": _object({"revision": _ref("RevisionFull"),
                           "merged": {"type": "boolean", "description": "the base was stale and was merged"},
                           "changed": {"type": "boolean",
                                       "description": "false: the text was unchanged, no revision was made "
                                                      "and `revision` is the current one"}}),
    "NewDocument": {
        "type": "object", "required": ["title", "body", "policy_area"],
        "properties": {
            "title": {"type": "string", "maxLength": TITLE_MAX},
            "body": {"type": "string", "description": f"Markdown, at most {MAX_DOCUMENT_BYTES} bytes of UTF-8"},
            "policy_area": {"type": "string", "maxLength": POLICY_AREA_MAX},
            "summary": {"type": "string", "maxLength": SUMMARY_MAX},
            "slug": {"type": "string", "maxLength": 80, "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$",
                     "description": "derived from the title (made unique) when absent"},
        },
    },
    "Edit": {
        "type": "object", "required": ["body", "base_revision"],
        "properties": {
            "body": {"type": "string", "description": f"Markdown, at most {MAX_DOCUMENT_BYTES} bytes of UTF-8"},
            "base_revision": {"type": "integer", "description": "the revision the edit was made on"},
            "title": {"type": "string", "maxLength": TITLE_MAX, "description": "unchanged when absent"},
            "summary": {"type": "string", "maxLength": SUMMARY_MAX},
        },
    },
    "StatusChange": {"type": "object", "required": ["status"],
                     "properties": {"status": {"enum": list(STATUSES)}}},
    "Amendment": _AMENDMENT,
    "AmendmentFull": _extend(_AMENDMENT, body=_BODY_TEXT,
                             diff={**_OPS, "description": "word diff from its base revision to its body"}),
    "AmendmentConflictError": {
        **_extend(_ERROR, current_revision=_NUMBER, conflicts={"type": "array", "items": _object({
            "base": _TEXT, "ours": {**_TEXT, "description": "the amendment's text"},
            "theirs": {**_TEXT, "description": "the text saved since its base"}})}),
        "required": ["error", "message"],
    },
    "NewAmendment": {
        "type": "object", "required": ["title", "rationale", "body", "base_revision"],
        "properties": {
            "title": {"type": "string", "maxLength": AMENDMENT_TITLE_MAX},
            "rationale": {"type": "string", "maxLength": RATIONALE_MAX, "description": "why; Markdown"},
            "body": {**_BODY_TEXT, "description": "the whole proposed text (Markdown)"},
            "base_revision": {"type": "integer", "description": "the revision the proposal was written on"},
        },
    },
    "Acceptance": {"type": "object", "properties": {"note": {"type": "string", "maxLength": NOTE_MAX}}},
    "Rejection": {"type": "object", "required": ["note"],
                  "properties": {"note": {"type": "string", "maxLength": NOTE_MAX, "description": "why"}}},
    "AcceptResult": _object({"amendment": _ref("Amendment"),
                             "revision": {**_ref("RevisionFull"), "description": "the revision it made"}}),
    "NewEndorsement": {
        "type": "object",
        "description": "The party is the lead's own, from their membership: a `party` field is refused (400).",
        "properties": {
            "revision": {"type": "integer", "description": "the revision endorsed; the current one when absent"},
            "statement": {"type": "string", "maxLength": STATEMENT_MAX},
            "sections": {"type": "object", "additionalProperties": {"enum": list(STANCES)},
                         "description": "clause id (of the endorsed revision) -> stance; absent or empty: the "
                                        "whole document"},
            "reasons": {"type": "object", "additionalProperties": {"type": "string", "maxLength": REASON_MAX},
                        "description": "clause id -> reason; required for `reservations` and `object`"},
        },
    },
    "SearchResult": _SEARCH_RESULT,
    "SearchResults": _SEARCH_RESULTS,
    "Rule": _object({
        "kind": {"enum": ["all", "k_of_n"],
                 "description": "`all`: every party endorses; `k_of_n`: at least k parties endorse and none objects"},
        "k": {"type": ["integer", "null"], "minimum": 1, "description": "for `k_of_n`; null for `all`"},
    }),
    "NewRule": {
        "type": "object", "required": ["kind"],
        "properties": {"kind": {"enum": ["all", "k_of_n"]},
                       "k": {"type": "integer", "description": "required for `k_of_n`: 1 to the number of parties"}},
    },
    "Consensus": _object({
        "rule": _ref("Rule"),
        "agreed": {"type": "boolean", "description": "agreed under the rule"},
        "clauses": {"type": "array", "description": "the current revision's clauses, in order", "items": _object({
            "id": {**_TEXT, "description": "clause id"},
            "stances": {"type": "object", "description": "by party slug, every party",
                        "additionalProperties": {"enum": ["endorse", "reservations", "object", "not_reviewed",
                                                          "stale"]}},
        })},
    }),
    "CommonGround": _object({
        "revision": _NUMBER,
        "clauses": {"type": "array", "items": _ref("Clause"),
                    "description": "only the current clauses every party endorses at the current text"},
        "markdown": {**_TEXT, "description": "those clauses as one Markdown document, with a note on what it is"},
    }),
    "Agenda": _object({
        "parties": {"type": "array", "items": _ref("Party")},
        "documents": {"type": "array", "items": _object({
            "slug": _TEXT, "title": _TEXT, "agreed": {"type": "boolean"},
            "endorsements": {"type": "object", "description": "by party slug; parties without one are absent",
                             "additionalProperties": _object({"revision": _NUMBER,
                                                              "current": {"type": "boolean"}})},
        })},
    }),
}


def _query(name: str, schema: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """An optional query parameter. An empty value counts as absent (``?status=`` is no filter, ``?page=`` the
    first page), as a page's GET form sends it: ``allowEmptyValue``."""
    parameter = {"name": name, "in": "query", "schema": schema, "allowEmptyValue": True}
    return parameter if description is None else {**parameter, "description": description}


_PARAMETERS = {
    "slug": {"name": "slug", "in": "path", "required": True, "schema": _TEXT},
    "n": {"name": "n", "in": "path", "required": True, "schema": _NUMBER_PARAMETER},
    "party": {"name": "party", "in": "path", "required": True, "schema": _TEXT, "description": "party slug"},
    "id": {"name": "id", "in": "path", "required": True, "schema": _NUMBER_PARAMETER,
           "description": "an endorsement's id"},
    "clause": {"name": "clause", "in": "path", "required": True, "schema": _TEXT, "description": "a clause id"},
    "page": _query("page", {**_NUMBER_PARAMETER, "default": 1}),
}

_READ: list[dict[str, Any]] = [{}, {"bearerAuth": []}]  # a token is optional, but checked when sent
_WRITE: list[dict[str, Any]] = [{"bearerAuth": []}]
_SLUG = [{"$ref": "#/components/parameters/slug"}]
_PAGE = {"$ref": "#/components/parameters/page"}
_AMENDMENT_PATH = [*_SLUG, {"$ref": "#/components/parameters/n"}]
_REVISION_OR_CURRENT = _query("revision", _NUMBER_PARAMETER, "the revision; the current one when absent")


def _page_of(key: str, item: str) -> dict[str, Any]:
    return _object({key: {"type": "array", "items": _ref(item)}, "total": _COUNT, "page": _NUMBER})


_PATHS: dict[str, Any] = {
    "/parties": {"get": {
        "operationId": "listParties", "summary": "All parties", "security": _READ,
        "responses": _responses(200, _object({"parties": {"type": "array", "items": _ref("Party")}}),
                                "The parties, by name"),
    }},
    "/documents": {
        "get": {
            "operationId": "listDocuments", "summary": "Documents by policy area and title, a page at a time",
            "security": _READ,
            "parameters": [
                _query("status", {"enum": list(STATUSES)}),
                _query("area", _TEXT, "policy area, any case"),
                _PAGE,
            ],
            "responses": _responses(200, _page_of("documents", "Document"), "One page of documents", 400),
        },
        "post": {
            "operationId": "createDocument", "summary": "Create a draft document (members)", "security": _WRITE,
            "requestBody": _body("NewDocument"),
            "responses": _responses(201, _ref("DocumentFull"), "The new document", 400, 403, 413, 422,
                                    headers={"Location": {"schema": _TEXT, "description": "its API address"}}),
        },
    },
    "/documents/{slug}": {
        "parameters": _SLUG,
        "get": {
            "operationId": "getDocument", "summary": "A document with its current text", "security": _READ,
            "responses": _responses(200, _ref("DocumentFull"), "The document", 404),
        },
        "put": {
            "operationId": "saveDocument", "security": _WRITE,
            "summary": "Save an edit made on base_revision; merged three-way when the base is stale",
            "requestBody": _body("Edit"),
            "responses": {
                **_responses(200, _ref("SaveResult"), "Saved, merged, or unchanged", 400, 403, 404, 413, 422),
                "409": _json(_ref("ConflictError"),
                             "The edit overlaps changes saved since its base revision; nothing was saved."),
            },
        },
    },
    "/documents/{slug}/status": {
        "parameters": _SLUG,
        "post": {
            "operationId": "setDocumentStatus", "summary": "Move a document between statuses (leads, admins)",
            "security": _WRITE, "requestBody": _body("StatusChange"),
            "responses": _responses(200, _ref("DocumentFull"), "The document", 400, 403, 404, 413, 422),
        },
    },
    "/documents/{slug}/revisions": {
        "parameters": _SLUG,
        "get": {
            "operationId": "listRevisions", "summary": "A document's revisions, newest first", "security": _READ,
            "parameters": [_PAGE],
            "responses": _responses(200, _page_of("revisions", "Revision"), "One page of revisions", 400, 404),
        },
    },
    "/documents/{slug}/revisions/{n}": {
        "parameters": [*_SLUG, {"$ref": "#/components/parameters/n"}],
        "get": {
            "operationId": "getRevision", "summary": "One revision with its title and text", "security": _READ,
            "responses": _responses(200, _ref("RevisionFull"), "The revision", 404),
        },
    },
    "/documents/{slug}/diff": {
        "parameters": _SLUG,
        "get": {
            "operationId": "diffRevisions", "security": _READ,
            "summary": "Word diff between two revisions: equal+delete texts give `from`, equal+insert give `to`",
            "parameters": [{"name": name, "in": "query", "required": True, "schema": _NUMBER_PARAMETER}
                           for name in ("from", "to")],
            "responses": _responses(200, _ref("Diff"), "The diff", 400, 404),
        },
    },
    "/documents/{slug}/clauses": {
        "parameters": _SLUG,
        "get": {
            "operationId": "listClauses", "security": _READ,
            "summary": "The clauses of a revision in document order, with ids that survive edits and moves",
            "parameters": [_REVISION_OR_CURRENT],
            "responses": _responses(200, _object({"revision": _NUMBER,
                                                  "clauses": {"type": "array", "items": _ref("Clause")}}),
                                    "The clauses", 400, 404),
        },
    },
    "/documents/{slug}/provenance": {
        "parameters": _SLUG,
        "get": {
            "operationId": "getProvenance", "security": _READ,
            "summary": "Who wrote what: each passage of a revision's text with the revision that introduced it",
            "parameters": [_REVISION_OR_CURRENT],
            "responses": _responses(200, _object({
                "revision": _NUMBER,
                "spans": {"type": "array", "description": "in text order: their texts concatenate to the body",
                          "items": _object({
                              "text": {**_TEXT, "description": "as it stands in its revision's body"},
                              "revision": {**_NUMBER, "description": "the revision that introduced it"},
                              "author": _ref("Person"),
                              "amendment": {"type": ["integer", "null"],
                                            "description": "the accepted amendment that revision came from"},
                          })},
            }), "The attributed text", 400, 404),
        },
    },
    "/documents/{slug}/amendments": {
        "parameters": _SLUG,
        "get": {
            "operationId": "listAmendments", "summary": "A document's amendments, oldest first", "security": _READ,
            "parameters": [_query("status", {"enum": list(STATUS_FILTERS)},
                                  "only amendments in this state; `all` (the default) for every one")],
            "responses": _responses(200, _object({"amendments": {"type": "array", "items": _ref("Amendment")}}),
                                    "The amendments", 400, 404),
        },
        "post": {
            "operationId": "proposeAmendment", "summary": "Propose an amendment (anyone signed in)",
            "security": _WRITE, "requestBody": _body("NewAmendment"),
            "responses": _responses(201, _ref("AmendmentFull"), "The new amendment", 400, 403, 404, 413, 422,
                                    headers={"Location": {"schema": _TEXT, "description": "its API address"}}),
        },
    },
    "/documents/{slug}/amendments/{n}": {
        "parameters": _AMENDMENT_PATH,
        "get": {
            "operationId": "getAmendment", "summary": "An amendment with its text and its diff", "security": _READ,
            "responses": _responses(200, _ref("AmendmentFull"), "The amendment", 404),
        },
    },
    "/documents/{slug}/amendments/{n}/support": {
        "parameters": _AMENDMENT_PATH,
        "post": {
            "operationId": "supportAmendment", "summary": "Support an open amendment (not one's own)",
            "security": _WRITE, "responses": _responses(200, _ref("Amendment"), "The amendment", 403, 404),
        },
        "delete": {
            "operationId": "unsupportAmendment", "summary": "Take one's support back", "security": _WRITE,
            "responses": _responses(200, _ref("Amendment"), "The amendment", 403, 404),
        },
    },
    "/documents/{slug}/amendments/{n}/withdraw": {
        "parameters": _AMENDMENT_PATH,
        "post": {
            "operationId": "withdrawAmendment", "summary": "Withdraw one's own open amendment", "security": _WRITE,
            "responses": _responses(200, _ref("Amendment"), "The amendment", 403, 404),
        },
    },
    "/documents/{slug}/amendments/{n}/accept": {
        "parameters": _AMENDMENT_PATH,
        "post": {
            "operationId": "acceptAmendment", "security": _WRITE,
            "summary": "Accept an open amendment (leads, admins; never their own): merged into a new revision",
            "requestBody": {**_body("Acceptance"), "required": False},
            "responses": {
                **_responses(200, _ref("AcceptResult"), "Accepted", 400, 403, 404, 413, 422),
                "409": _json(_ref("AmendmentConflictError"),
                             "It no longer applies: the text it changes was changed since; nothing changed."),
            },
        },
    },
    "/documents/{slug}/amendments/{n}/reject": {
        "parameters": _AMENDMENT_PATH,
        "post": {
            "operationId": "rejectAmendment", "summary": "Reject an open amendment, saying why (leads, admins)",
            "security": _WRITE, "requestBody": _body("Rejection"),
            "responses": _responses(200, _ref("Amendment"), "Rejected", 400, 403, 404, 413, 422),
        },
    },
    "/documents/{slug}/endorsements": {
        "parameters": _SLUG,
        "get": {
            "operationId": "listEndorsements", "summary": "The live endorsements, one per party at most",
            "security": _READ,
            "parameters": [_query("all", {"enum": ["0", "1", "true", "false"]},
                                  "1: the whole record, ended endorsements too, each with `ended_at`")],
            "responses": _responses(
                200, _object({"endorsements": {"type": "array", "items": _ref("EndorsementRecord")}}),
                "The endorsements", 400, 404),
        },
        "post": {
            "operationId": "endorse", "security": _WRITE, "requestBody": _body("NewEndorsement"),
            "summary": "Endorse a revision for the lead's own party, replacing the party's previous endorsement",
            "responses": _responses(201, _ref("Endorsement"), "The new endorsement", 400, 403, 404, 409, 413, 422,
                                    headers={"Location": {"schema": _TEXT,
                                                          "description": "the document's endorsements"}}),
        },
    },
    "/documents/{slug}/endorsements/{party}": {
        "parameters": [*_SLUG, {"$ref": "#/components/parameters/party"}],
        "delete": {
            "operationId": "withdrawEndorsement", "security": _WRITE,
            "summary": "End a party's live endorsement (a lead of that party, admins)",
            "responses": _responses(204, None, "Withdrawn", 403, 404, 409),
        },
    },
    # Receipts and red lines (API.md, "Clauses, scoped endorsements, provenance").
    "/endorsements/{id}/receipt": {
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "get": {
            "operationId": "getReceipt", "security": _READ,
            "summary": "An endorsement's receipt: what was endorsed, by whom, when, and the SHA-256 of the text",
            "responses": _responses(200, _RECEIPT, "The receipt (ended endorsements keep theirs)", 404),
        },
    },
    "/receipts/verify": {
        "post": {
            "operationId": "verifyReceipt", "security": _READ,
            "summary": "Check a receipt, or a text against a revision, with the record (anyone; no token needed)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object",
                "description": "Either `receipt`, or `document`, `revision` and `text` (hashed exactly as sent).",
                "properties": {
                    "receipt": {"type": ["object", "null"],
                                "description": "a receipt as GET /endorsements/{id}/receipt gives it (null: "
                                               "absent); a field missing or of the wrong type is a 400"},
                    "document": {**_TEXT, "description": "document slug"},
                    "revision": {"type": "integer"},
                    "text": {**_TEXT, "description": "the Markdown to compare with that revision's body"},
                },
            }}}},
            "responses": _responses(200, _object({"valid": {"type": "boolean"}, "reason": _TEXT}),
                                    "The verdict and why", 400, 413, 422),
        },
    },
    "/documents/{slug}/red-lines": {
        "parameters": _SLUG,
        "get": {
            "operationId": "listRedLines", "summary": "Every party's red lines on the document", "security": _READ,
            "responses": _responses(200, _RED_LINES, "The red lines", 404),
        },
        "post": {
            "operationId": "markRedLine", "security": _WRITE,
            "summary": "Mark a clause of the current text as a red line of the lead's own party (again: no change)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["clause"],
                "description": "The party is the lead's own, from their membership: a `party` field is refused.",
                "properties": {"clause": {**_TEXT, "description": "a clause id of the current revision"}},
            }}}},
            "responses": _responses(200, _RED_LINES, "The document's red lines", 400, 403, 404, 413, 422),
        },
    },
    "/documents/{slug}/red-lines/{clause}": {
        "parameters": [*_SLUG, {"$ref": "#/components/parameters/clause"}],
        "delete": {
            "operationId": "clearRedLine", "security": _WRITE,
            "summary": "Clear the lead's own party's red line on a clause",
            "responses": _responses(200, _RED_LINES, "The document's red lines", 403, 404),
        },
    },
    # Consensus clause by clause (API.md, "Clauses, scoped endorsements, provenance").
    "/documents/{slug}/consensus": {
        "parameters": _SLUG,
        "get": {
            "operationId": "getConsensus", "security": _READ,
            "summary": "The decision rule, whether the document is agreed under it, and every party's stance on "
                       "every clause of the current text",
            "responses": _responses(200, _ref("Consensus"), "The clauses × parties stances", 404),
        },
    },
    "/documents/{slug}/rule": {
        "parameters": _SLUG,
        "put": {
            "operationId": "setRule", "security": _WRITE, "requestBody": _body("NewRule"),
            "summary": "Set the decision rule: every party, or k of n parties and no objection (leads, admins)",
            "responses": _responses(200, _ref("Rule"), "The rule", 400, 403, 404, 413, 422),
        },
    },
    "/documents/{slug}/common-ground": {
        "parameters": _SLUG,
        "get": {
            "operationId": "getCommonGround", "security": _READ,
            "summary": "Only the clauses of the current text that every party endorses, and them as Markdown",
            "responses": _responses(200, _ref("CommonGround"), "The common ground", 404),
        },
    },
    "/agenda": {"get": {
        "operationId": "agenda", "summary": "Every document with each party's endorsement", "security": _READ,
        "parameters": [_query("area", _TEXT, "policy area, any case")],
        "responses": _responses(200, _ref("Agenda"), "The agenda"),
    }},
    "/search": {"get": {
        "operationId": "search", "security": _READ,
        "summary": "Full-text search of documents and amendments (phrases in quotes, `clim*`, `title:word`)",
        "parameters": [
            _query("q", {"type": "string"},
                   f"the query; longer than {MAX_QUERY_LENGTH} characters it is cut (see `message`)"),
            _query("type", {"enum": list(KINDS)}),
            _query("area", _TEXT, "policy area"),
            _query("status", {"enum": list(statuses_for(None))},
                   "a document status; with `type=amendment`, an amendment state"),
            _query("party", _TEXT, "party slug: documents whose current revision that party endorses"),
            _query("sort", {"enum": list(SORTS)}, "default: `relevance` with a query, `recent` without"),
            _PAGE,
        ],
        "responses": _responses(200, _ref("SearchResults"), "One page of results", 400),
    }},
    "/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This description", "security": _READ,
        "responses": _responses(200, {"type": "object"}, "OpenAPI 3.1 document"),
    }},
}

_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "PolicyHub API", "version": "1",
             "description": "Reads are public; writes need `Authorization: Bearer <token>`. Errors answer "
                            "`{\"error\": code, \"message\": text}`."},
    "servers": [{"url": "/api/v1"}],
    "paths": _PATHS,
    "components": {
        "schemas": _SCHEMAS,
        "parameters": _PARAMETERS,
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "a token from `flask users token EMAIL`"}},
        "responses": {
            code: _json(_ref("InvalidError" if status == 422 else "Error"), description)
            for status, (code, description) in _ERRORS.items()
        },
    },
}


def spec() -> dict[str, Any]:
    """The description; a copy, so that no caller can alter the served one."""
    return copy.deepcopy(_SPEC)
