"""Consensus through the API: the clauses × parties stances, the decision rule and common ground (API.md)."""
from __future__ import annotations

import pytest

from policyhub.documents import services as documents
from policyhub.documents.models import Document
from policyhub.endorsements import consensus
from policyhub.endorsements import services as endorsements
from policyhub.extensions import db
from policyhub.permissions import SYSTEM

BODY = "# Fair votes\n\nIntro.\n\n## Voting\n\n- Proportional representation.\n- Votes at 16.\n"
CLAUSE_KEYS = {"id", "kind", "text", "section", "line"}


@pytest.fixture
def member_a(make_user, parties):
    return make_user("Mo Member", party=parties[0])


@pytest.fixture
def document(member_a, make_document):
    return make_document(member_a, body=BODY, slug="fair-votes")


def keys(document) -> dict[str, str]:
    return {clause.text: clause.key for clause in consensus.current_clauses(document)}


@pytest.fixture
def positions(document, lead_a, lead_b) -> dict[str, str]:
    """A endorses the whole text; B endorses the Voting section but objects to votes at 16. Returns the clause
    keys by text."""
    found = keys(document)
    endorsements.endorse(lead_a, document)
    endorsements.endorse(lead_b, document, sections={found["## Voting"]: "endorse", found["- Votes at 16."]: "object"},
                         reasons={found["- Votes at 16."]: "Too young."})
    return found


def rule_of(document) -> tuple[str, int | None]:
    db.session.rollback()
    found = db.session.get(Document, document.id)
    return found.rule_kind, found.rule_k


def test_consensus_has_the_rule_agreement_and_every_partys_stance_per_clause(client, positions, conforms):
    found = positions
    response = client.get("/api/v1/documents/fair-votes/consensus")
    conforms(response, "/documents/{slug}/consensus", "get", 200)
    body = response.get_json()
    assert set(body) == {"rule", "agreed", "clauses"}
    assert body["rule"] == {"kind": "all", "k": None} and body["agreed"] is False
    assert [clause["id"] for clause in body["clauses"]] == list(found.values())
    assert all(set(clause) == {"id", "stances"} for clause in body["clauses"])
    stances = {clause["id"]: clause["stances"] for clause in body["clauses"]}
    assert stances[found["# Fair votes"]] == {"a": "endorse", "b": "not_reviewed"}
    assert stances[found["- Proportional representation."]] == {"a": "endorse", "b": "endorse"}
    assert stances[found["- Votes at 16."]] == {"a": "endorse", "b": "object"}


def test_a_lead_sets_the_rule_and_gets_it_back(client, document, lead_a, lead_b, token_for, conforms):
    response = client.put("/api/v1/documents/fair-votes/rule", headers=token_for(lead_b),
                          json={"kind": "k_of_n", "k": 1})
    conforms(response, "/documents/{slug}/rule", "put", 200)
    assert response.get_json() == {"kind": "k_of_n", "k": 1}
    assert rule_of(document) == ("k_of_n", 1)
    endorsements.endorse(lead_a, db.session.get(Document, document.id))
    body = client.get("/api/v1/documents/fair-votes/consensus").get_json()
    assert body["rule"] == {"kind": "k_of_n", "k": 1} and body["agreed"] is True
    response = client.put("/api/v1/documents/fair-votes/rule", headers=token_for(lead_a), json={"kind": "all"})
    assert response.get_json() == {"kind": "all", "k": None} and rule_of(document) == ("all", None)


def test_an_admin_may_set_the_rule(client, document, make_user, token_for):
    response = client.put("/api/v1/documents/fair-votes/rule", headers=token_for(make_user(admin=True)),
                          json={"kind": "k_of_n", "k": 2})
    assert response.status_code == 200 and rule_of(document) == ("k_of_n", 2)


@pytest.mark.parametrize("body, status, field", [
    ({"kind": 3}, 400, None),
    ({"kind": "k_of_n", "k": "2"}, 400, None),
    ({"kind": "k_of_n", "k": 1.5}, 400, None),
    ({"kind": "k_of_n", "k": True}, 400, None),
    ({"kind": "k_of_n"}, 422, "k"),
    ({"kind": "k_of_n", "k": 3}, 422, "k"),
    ({"kind": "k_of_n", "k": 0}, 422, "k"),
    ({"kind": "most"}, 422, "kind"),
    ({}, 422, "kind"),
])
def test_a_bad_rule_is_refused(client, document, lead_a, token_for, conforms, body, status, field):
    response = client.put("/api/v1/documents/fair-votes/rule", headers=token_for(lead_a), json=body)
    conforms(response, "/documents/{slug}/rule", "put", status)
    answer = response.get_json()
    assert answer["error"] == ("bad_request" if status == 400 else "invalid")
    if field:
        assert field in answer["fields"]
    assert rule_of(document) == ("all", None)


def test_only_leads_and_admins_set_the_rule(client, document, member_a, lead_a, token_for):
    url = "/api/v1/documents/fair-votes/rule"
    assert client.put(url, json={"kind": "all"}).status_code == 401
    response = client.put(url, headers=token_for(member_a), json={"kind": "k_of_n", "k": 1})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    documents.set_status(SYSTEM, document, "archived")
    assert client.put(url, headers=token_for(lead_a), json={"kind": "k_of_n", "k": 1}).status_code == 403
    assert client.put("/api/v1/documents/nope/rule", headers=token_for(lead_a), json={"kind": "all"}).status_code == 404
    assert rule_of(document) == ("all", None)


def test_common_ground_has_only_the_clauses_every_party_endorses(client, positions, conforms):
    found = positions
    response = client.get("/api/v1/documents/fair-votes/common-ground")
    conforms(response, "/documents/{slug}/common-ground", "get", 200)
    body = response.get_json()
    assert set(body) == {"revision", "clauses", "markdown"} and body["revision"] == 1
    assert all(set(clause) == CLAUSE_KEYS for clause in body["clauses"])
    assert [(clause["id"], clause["kind"], clause["text"], clause["section"], clause["line"])
            for clause in body["clauses"]] == [
        (found["## Voting"], "heading", "## Voting", found["# Fair votes"], 5),
        (found["- Proportional representation."], "item", "- Proportional representation.", found["## Voting"], 7)]
    assert "### Voting\n\n- Proportional representation." in body["markdown"]
    assert "Votes at 16" not in body["markdown"] and "Intro." not in body["markdown"]
    assert client.get("/api/v1/documents/nope/common-ground").status_code == 404
