"""The served OpenAPI description agrees with the routes that exist and with API.md's objects."""
from __future__ import annotations

import json
import re
from typing import Any

# API.md's objects, copied from the page: the spec must describe exactly these fields.
API_MD_OBJECTS = {
    "Party": {"slug", "name", "colour"},
    "Person": {"name", "party"},
    "Endorsement": {"id", "party", "revision", "current", "endorsed_by", "created_at", "statement",
                    "content_sha256", "staleness", "sections", "reasons"},
    "Document": {"slug", "title", "policy_area", "status", "current_revision", "updated_at", "endorsements",
                 "agreed"},
    "DocumentFull": {"slug", "title", "policy_area", "status", "current_revision", "updated_at", "endorsements",
                     "agreed", "body", "html"},
    "Revision": {"number", "author", "created_at", "summary", "base", "source", "amendment", "added_words",
                 "removed_words"},
    "RevisionFull": {"number", "author", "created_at", "summary", "base", "source", "amendment", "added_words",
                     "removed_words", "title", "body"},
    "Diff": {"from", "to", "ops", "added_words", "removed_words"},
    "SaveResult": {"revision", "merged", "changed"},
    "Amendment": {"number", "title", "rationale", "author", "base_revision", "status", "supporters",
                  "applies_cleanly", "created_at", "decided_by", "decided_at", "decision_note", "merged_revision"},
    "AmendmentFull": {"number", "title", "rationale", "author", "base_revision", "status", "supporters",
                      "applies_cleanly", "created_at", "decided_by", "decided_at", "decision_note",
                      "merged_revision", "body", "diff"},
    "AcceptResult": {"amendment", "revision"},
    "Agenda": {"parties", "documents"},
}
# Fields API.md gives only to some objects of a kind: a scoped endorsement's.
API_MD_OPTIONAL = {"Endorsement": {"sections", "reasons"}}
# API.md's agenda rows: {"slug", "title", "agreed", "endorsements": {party: {"revision", "current"}}}.
AGENDA_ROW = {"slug", "title", "agreed", "endorsements"}
AGENDA_ENTRY = {"revision", "current"}
_HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_spec_is_openapi_3_1_json(client, spec):
    assert spec["openapi"].startswith("3.1.")
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert client.get("/api/v1/openapi.json").mimetype == "application/json"


def test_the_spec_describes_exactly_the_registered_routes(app, spec):
    described = {(path, method) for path, item in spec["paths"].items() for method in item if method in _HTTP_METHODS}
    assert described == _api_routes(app)
    assert ("/documents/{slug}/revisions/{n}", "get") in described
    assert {("/documents/{slug}/amendments/{n}/support", "delete"), ("/documents/{slug}/endorsements/{party}",
            "delete"), ("/agenda", "get")} <= described


def test_every_path_parameter_is_declared(spec):
    for path, item in spec["paths"].items():
        declared = {parameter["$ref"].rsplit("/", 1)[1] for parameter in item.get("parameters", [])}
        assert set(re.findall(r"{(\w+)}", path)) == declared, path


def test_every_reference_resolves(spec):
    text = json.dumps(spec)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node: Any = spec
        for part in ref.split("/"):
            assert part in node, ref
            node = node[part]


def test_the_objects_have_exactly_the_fields_of_api_md(spec):
    schemas = spec["components"]["schemas"]
    for name, fields in API_MD_OBJECTS.items():
        schema = schemas[name]
        assert set(schema["properties"]) == fields, name
        assert set(schema["required"]) == fields - API_MD_OPTIONAL.get(name, set()), name
        assert schema["additionalProperties"] is False, name


def test_every_operation_answers_errors_in_the_shared_format(spec):
    schemas = spec["components"]["schemas"]
    assert set(schemas["Error"]["properties"]) == {"error", "message"}
    assert set(schemas["InvalidError"]["properties"]) == {"error", "message", "fields"}
    assert set(schemas["ConflictError"]["properties"]) == {"error", "message", "current_revision"}
    assert spec["paths"]["/documents/{slug}"]["put"]["responses"]["409"]["content"]["application/json"][
        "schema"] == {"$ref": "#/components/schemas/ConflictError"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in _HTTP_METHODS:
                assert "401" in operation["responses"], (path, method)  # a bad token is refused anywhere


# POSTs that only read, open to anyone as API.md says: checking a receipt changes nothing.
PUBLIC_POSTS = {("/receipts/verify", "post")}


def test_writes_require_the_bearer_token_and_reads_do_not(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in _HTTP_METHODS:
                reads = method == "get" or (path, method) in PUBLIC_POSTS
                expected = [{"bearerAuth": []}] if not reads else [{}, {"bearerAuth": []}]
                assert operation["security"] == expected, (path, method)
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_the_served_spec_cannot_be_altered_by_a_caller(app):
    from policyhub.api.openapi import spec as build

    build()["paths"].clear()
    assert build()["paths"]


def test_the_agenda_rows_have_exactly_the_fields_of_api_md(spec):
    row = spec["components"]["schemas"]["Agenda"]["properties"]["documents"]["items"]
    assert set(row["properties"]) == set(row["required"]) == AGENDA_ROW
    entry = row["properties"]["endorsements"]["additionalProperties"]
    assert set(entry["properties"]) == set(entry["required"]) == AGENDA_ENTRY


def test_the_endorsement_record_only_adds_an_optional_end(spec):
    schemas = spec["components"]["schemas"]
    record, endorsement = schemas["EndorsementRecord"], schemas["Endorsement"]
    assert set(record["properties"]) == set(endorsement["properties"]) | {"ended_at"}
    assert record["required"] == endorsement["required"]


def test_accepting_describes_its_conflict_answer(spec):
    answer = spec["paths"]["/documents/{slug}/amendments/{n}/accept"]["post"]["responses"]["409"]
    schema = spec["components"]["schemas"][answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"error", "message"}
    assert {"current_revision", "conflicts"} <= set(schema["properties"])


def test_amendment_statuses_match_the_model(spec):
    from policyhub.amendments.models import STATES

    assert spec["components"]["schemas"]["Amendment"]["properties"]["status"]["enum"] == list(STATES)
