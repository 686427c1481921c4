"""GET /documents/{slug}/clauses: a revision's clauses with ids that survive edits (API.md)."""
from __future__ import annotations

import pytest

from policyhub.documents import services

BODY = """# Fair votes

Every vote should count equally.

## Method

- Multi-member wards.
- A boundary commission.
"""
CLAUSE_KEYS = {"id", "kind", "text", "section", "line"}


@pytest.fixture
def document(member, make_document):
    return make_document(member, body=BODY, slug="fair-votes")


def test_the_current_clauses_have_the_api_md_shape(client, document, conforms):
    response = client.get("/api/v1/documents/fair-votes/clauses")

    conforms(response, "/documents/{slug}/clauses", "get", 200)
    answer = response.get_json()
    assert set(answer) == {"revision", "clauses"} and answer["revision"] == 1
    assert all(set(clause) == CLAUSE_KEYS for clause in answer["clauses"])
    assert [(c["id"], c["kind"], c["text"], c["section"], c["line"]) for c in answer["clauses"]] == [
        ("1", "heading", "# Fair votes", None, 1),
        ("2", "paragraph", "Every vote should count equally.", "1", 3),
        ("3", "heading", "## Method", "1", 5),
        ("4", "item", "- Multi-member wards.", "3", 7),
        ("5", "item", "- A boundary commission.", "3", 8),
    ]


def test_ids_survive_an_edit_and_an_old_revision_can_be_asked_for(client, document, member, conforms):
    services.save_revision(member, document, base_number=1,
                           body=BODY.replace("Every vote should count equally.",
                                             "A new opening paragraph about turnout.\n\nEvery vote should count "
                                             "equally, everywhere."))

    now = client.get("/api/v1/documents/fair-votes/clauses").get_json()
    old = client.get("/api/v1/documents/fair-votes/clauses?revision=1")

    conforms(old, "/documents/{slug}/clauses", "get", 200)
    assert now["revision"] == 2 and old.get_json()["revision"] == 1
    assert [c["id"] for c in now["clauses"]] == ["1", "6", "2", "3", "4", "5"]
    assert [c["id"] for c in old.get_json()["clauses"]] == ["1", "2", "3", "4", "5"]
    assert now["clauses"][2]["text"] == "Every vote should count equally, everywhere."
    assert old.headers["Cache-Control"].startswith("public")  # an old revision's clauses never change


@pytest.mark.parametrize("query, status", [
    ("revision=2", 404), ("revision=0", 404), ("revision=abc", 400), ("revision=1.0", 400),
    ("revision=1&revision=1", 400),
])
def test_bad_revisions_are_refused(client, document, conforms, query, status):
    response = client.get(f"/api/v1/documents/fair-votes/clauses?{query}")

    conforms(response, "/documents/{slug}/clauses", "get", status)
    assert response.get_json()["error"] == {400: "bad_request", 404: "not_found"}[status]


def test_an_unknown_document_is_404(client, conforms):
    response = client.get("/api/v1/documents/nothing/clauses")
    conforms(response, "/documents/{slug}/clauses", "get", 404)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_an_empty_revision_parameter_means_the_current_one(client, document):
    assert client.get("/api/v1/documents/fair-votes/clauses?revision=").get_json()["revision"] == 1
