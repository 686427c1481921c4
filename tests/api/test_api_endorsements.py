"""Endorsements and the agenda through the API, and the endorsements and consensus on document objects."""
from __future__ import annotations

import pytest

from policyhub.documents import services as documents
from policyhub.endorsements import services as endorsements
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db

ENDORSEMENT_KEYS = {"id", "party", "revision", "current", "endorsed_by", "created_at", "statement",
                    "content_sha256", "staleness"}  # a scoped endorsement adds "sections" and "reasons"


@pytest.fixture
def document(make_user, parties, make_document):
    return make_document(make_user(party=parties[0]), revisions=2)


def _url(document, suffix: str = "") -> str:
    return f"/api/v1/documents/{document.slug}/endorsements{suffix}"


def _live() -> list[tuple[str, int]]:
    db.session.rollback()  # end the test's read snapshot
    return sorted((e.party.slug, e.revision_number) for e in db.session.query(Endorsement).filter_by(ended_at=None))


# --- endorsing -------------------------------------------------------------------------------------------

def test_a_lead_endorses_the_current_revision_for_their_party(client, lead_a, document, token_for, conforms):
    response = client.post(_url(document), headers=token_for(lead_a), json={"statement": "We back this."})
    conforms(response, "/documents/{slug}/endorsements", "post", 201)
    body = response.get_json()
    assert set(body) == ENDORSEMENT_KEYS
    assert (body["party"], body["revision"], body["current"]) == ("a", 2, True)
    assert body["endorsed_by"] == {"name": "Ann Lead", "party": "a"}
    assert body["statement"] == "We back this."
    assert response.headers["Location"].endswith(_url(document))
    assert _live() == [("a", 2)]


def test_an_older_revision_may_be_endorsed_and_is_stale_at_once(client, lead_a, document, token_for):
    response = client.post(_url(document), headers=token_for(lead_a), json={"revision": 1})
    assert response.status_code == 201
    assert (response.get_json()["revision"], response.get_json()["current"]) == (1, False)


@pytest.mark.parametrize("party", ["b", "a", None, 7])
def test_a_party_in_the_body_is_refused_never_honoured(client, lead_a, document, token_for, party):
    response = client.post(_url(document), headers=token_for(lead_a), json={"party": party})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and "party" in body["message"]
    assert _live() == []


@pytest.mark.parametrize("revision", [3, 0, -1])
def test_endorsing_a_revision_that_does_not_exist_is_invalid(client, lead_a, document, token_for, revision):
    response = client.post(_url(document), headers=token_for(lead_a), json={"revision": revision})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"revision"}
    assert _live() == []


@pytest.mark.parametrize("fields", [{"revision": "2"}, {"revision": 2.0}, {"revision": True}, {"statement": 5}])
def test_endorsing_with_a_field_of_the_wrong_type_is_a_bad_request(client, lead_a, document, token_for, fields):
    response = client.post(_url(document), headers=token_for(lead_a), json=fields)
    assert response.status_code == 400 and _live() == []


def test_a_statement_over_the_limit_is_invalid(client, lead_a, document, token_for):
    response = client.post(_url(document), headers=token_for(lead_a), json={"statement": "x" * 2001})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"statement"}


def test_endorsing_again_replaces_the_partys_endorsement(client, lead_a, document, token_for):
    first = client.post(_url(document), headers=token_for(lead_a), json={"revision": 1}).get_json()
    second = client.post(_url(document), headers=token_for(lead_a), json={}).get_json()
    assert second["id"] != first["id"] and _live() == [("a", 2)]


def test_the_same_endorsement_sent_twice_is_recorded_once(client, lead_a, document, token_for):
    first = client.post(_url(document), headers=token_for(lead_a), json={"statement": "Yes."})
    again = client.post(_url(document), headers=token_for(lead_a), json={"statement": "Yes."})
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.query(Endorsement).count() == 1


def test_only_leads_endorse(client, make_user, parties, document, token_for):
    member, admin = make_user(party=parties[0]), make_user(admin=True)
    assert client.post(_url(document), json={}).status_code == 401
    for user in (member, admin, make_user("Nell")):
        response = client.post(_url(document), headers=token_for(user), json={})
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert _live() == []


def test_an_archived_document_cannot_be_endorsed(client, lead_a, make_user, parties, make_document, token_for):
    archived = make_document(make_user(party=parties[0]), status="archived")
    assert client.post(_url(archived), headers=token_for(lead_a), json={}).status_code == 403


def test_endorsing_needs_a_json_body(client, lead_a, document, token_for):
    response = client.post(_url(document), headers=token_for(lead_a))
    assert response.status_code == 400 and _live() == []


# --- reading ---------------------------------------------------------------------------------------------

def test_the_list_holds_the_live_endorsements_and_all_adds_the_ended_ones(client, lead_a, lead_b, document,
                                                                           conforms):
    endorsements.endorse(lead_a, document, revision=1)
    endorsements.endorse(lead_a, document)
    endorsements.endorse(lead_b, document)
    live = client.get(_url(document))
    conforms(live, "/documents/{slug}/endorsements", "get", 200)
    assert [(e["party"], e["revision"], e["current"]) for e in live.get_json()["endorsements"]] == \
        [("a", 2, True), ("b", 2, True)]
    assert all(set(e) == ENDORSEMENT_KEYS for e in live.get_json()["endorsements"])
    record = client.get(_url(document, "?all=1"))
    conforms(record, "/documents/{slug}/endorsements", "get", 200)
    items = record.get_json()["endorsements"]
    assert sorted((e["party"], e["revision"], e["ended_at"] is None) for e in items) == \
        [("a", 1, False), ("a", 2, True), ("b", 2, True)]
    ended = next(e for e in items if e["ended_at"])
    assert ended["current"] is False


def test_an_unknown_all_value_is_a_bad_request(client, document):
    assert client.get(_url(document, "?all=yes")).status_code == 400


def test_the_endorsements_of_an_unknown_document_are_404(client):
    assert client.get("/api/v1/documents/nope/endorsements").status_code == 404


# --- withdrawing -----------------------------------------------------------------------------------------

def test_a_lead_withdraws_their_partys_endorsement(client, lead_a, document, token_for):
    endorsements.endorse(lead_a, document)
    response = client.delete(_url(document, "/a"), headers=token_for(lead_a))
    assert response.status_code == 204 and response.get_data() == b""
    assert _live() == []
    assert client.delete(_url(document, "/a"), headers=token_for(lead_a)).status_code == 404


def test_a_lead_cannot_withdraw_another_partys_endorsement(client, lead_a, lead_b, document, token_for):
    endorsements.endorse(lead_b, document)
    response = client.delete(_url(document, "/b"), headers=token_for(lead_a))
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert _live() == [("b", 2)]


def test_members_and_the_anonymous_cannot_withdraw_and_an_admin_can(client, make_user, parties, lead_a,
                                                                     document, token_for):
    endorsements.endorse(lead_a, document)
    assert client.delete(_url(document, "/a")).status_code == 401
    assert client.delete(_url(document, "/a"), headers=token_for(make_user(party=parties[0]))).status_code == 403
    assert _live() == [("a", 2)]
    assert client.delete(_url(document, "/a"), headers=token_for(make_user(admin=True))).status_code == 204
    assert _live() == []


@pytest.mark.parametrize("party", ["b", "nobody"])
def test_withdrawing_an_endorsement_that_does_not_exist_is_404(client, lead_a, document, token_for, party):
    response = client.delete(_url(document, f"/{party}"), headers=token_for(lead_a))
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


# --- documents and the agenda ----------------------------------------------------------------------------

def test_documents_carry_their_live_endorsements_and_consensus(client, make_user, parties, lead_a, lead_b,
                                                               document, conforms):
    endorsements.endorse(lead_a, document)
    single = client.get(f"/api/v1/documents/{document.slug}").get_json()
    assert [e["party"] for e in single["endorsements"]] == ["a"] and single["agreed"] is False

    endorsements.endorse(lead_b, document, statement="Agreed.")
    response = client.get(f"/api/v1/documents/{document.slug}")
    conforms(response, "/documents/{slug}", "get", 200)
    single = response.get_json()
    assert single["agreed"] is True
    assert [(e["party"], e["current"], e["statement"]) for e in single["endorsements"]] == \
        [("a", True, ""), ("b", True, "Agreed.")]
    listed = client.get("/api/v1/documents")
    conforms(listed, "/documents", "get", 200)
    [item] = listed.get_json()["documents"]
    assert item["agreed"] is True and item["endorsements"] == single["endorsements"]

    current = documents.get_revision(document, 2)
    documents.save_revision(make_user(party=parties[0]), document, body=current.body + "\nMore.\n", base_number=2)
    moved = client.get(f"/api/v1/documents/{document.slug}").get_json()
    assert moved["agreed"] is False
    assert [(e["revision"], e["current"]) for e in moved["endorsements"]] == [(2, False), (2, False)]


def test_the_agenda_shows_each_partys_endorsement_of_each_document(client, make_user, parties, lead_a, lead_b,
                                                                    make_document, conforms):
    author = make_user(party=parties[0])
    agreed = make_document(author, title="Agreed paper", policy_area="Housing")
    partial = make_document(author, title="Partial paper", policy_area="Housing", revisions=2)
    untouched = make_document(author, title="Untouched paper", policy_area="Transport")
    make_document(author, title="Archived paper", status="archived")
    for lead in (lead_a, lead_b):
        endorsements.endorse(lead, agreed)
    endorsements.endorse(lead_b, partial, revision=1)

    response = client.get("/api/v1/agenda")
    conforms(response, "/agenda", "get", 200)
    body = response.get_json()
    assert [p["slug"] for p in body["parties"]] == ["a", "b"]
    assert body["documents"] == [
        {"slug": agreed.slug, "title": "Agreed paper", "agreed": True,
         "endorsements": {"a": {"revision": 1, "current": True}, "b": {"revision": 1, "current": True}}},
        {"slug": partial.slug, "title": "Partial paper", "agreed": False,
         "endorsements": {"b": {"revision": 1, "current": False}}},
        {"slug": untouched.slug, "title": "Untouched paper", "agreed": False, "endorsements": {}},
    ]
    transport = client.get("/api/v1/agenda?area=transport").get_json()
    assert [d["slug"] for d in transport["documents"]] == [untouched.slug]


def test_the_agenda_costs_the_same_number_of_queries_however_long(client, make_user, make_party, make_document,
                                                                  count_queries):
    leads = [make_user(party=make_party(), role="lead") for _ in range(4)]
    make_document(leads[0], policy_area="Small")
    for n in range(5):
        paper = make_document(leads[0], title=f"Paper {n}", policy_area="Big")
        for lead in leads[: n % 4 + 1]:
            endorsements.endorse(lead, paper)

    def fetch(query: str) -> None:
        db.session.remove()  # start cold, as a real request does
        assert client.get(f"/api/v1/agenda{query}").status_code == 200

    assert count_queries(lambda: fetch("?area=small")) == count_queries(lambda: fetch(""))
