"""Amendments through the API: propose, list, read, support, withdraw, accept (with its 409) and reject."""
from __future__ import annotations

import pytest

from policyhub.amendments import services as amendments
from policyhub.amendments.models import Amendment
from policyhub.documents import services as documents
from policyhub.documents.models import Document, Revision
from policyhub.extensions import db

AMENDMENT_KEYS = {"number", "title", "rationale", "author", "base_revision", "status", "supporters",
                  "applies_cleanly", "created_at", "decided_by", "decided_at", "decision_note", "merged_revision"}
BODY = "# Fair votes\n\nFirst paragraph about votes.\n\nSecond paragraph about seats.\n"
PROPOSED = BODY.replace("about votes", "about proportional votes")


@pytest.fixture
def author(make_user, parties):
    return make_user("Alma Author", party=parties[0])


@pytest.fixture
def lead(make_user, parties):
    return make_user("Lena Lead", party=parties[1], role="lead")


@pytest.fixture
def document(author, make_document):
    return make_document(author, body=BODY)


@pytest.fixture
def amendment(author, document):
    return amendments.propose_amendment(author, document, title="Say proportional", rationale="Be precise.",
                                        body=PROPOSED, base_number=1)


def _url(document: Document, suffix: str = "") -> str:
    return f"/api/v1/documents/{document.slug}/amendments{suffix}"


def _stored(amendment: Amendment) -> Amendment:
    db.session.rollback()  # end the test's read snapshot
    return db.session.get(Amendment, amendment.id)


def _rebuild(ops: list[list[str]]) -> tuple[str, str]:
    old = "".join(text for op, text in ops if op in ("equal", "delete"))
    new = "".join(text for op, text in ops if op in ("equal", "insert"))
    return old, new


# --- proposing -------------------------------------------------------------------------------------------

def test_proposing_answers_201_with_the_full_amendment_and_its_address(client, author, document, token_for,
                                                                       conforms):
    response = client.post(_url(document), headers=token_for(author), json={
        "title": "Say proportional", "rationale": "Be *precise*.", "body": PROPOSED, "base_revision": 1})
    conforms(response, "/documents/{slug}/amendments", "post", 201)
    body = response.get_json()
    assert set(body) == AMENDMENT_KEYS | {"body", "diff"}
    assert (body["number"], body["status"], body["base_revision"], body["supporters"]) == (1, "open", 1, 0)
    assert body["author"] == {"name": "Alma Author", "party": "a"}
    assert body["applies_cleanly"] is True and body["body"] == PROPOSED
    assert (body["decided_by"], body["decided_at"], body["merged_revision"]) == (None, None, None)
    assert _rebuild(body["diff"]) == (BODY, PROPOSED)
    assert response.headers["Location"].endswith(f"/api/v1/documents/{document.slug}/amendments/1")
    assert client.get(response.headers["Location"]).get_json() == body


def test_a_non_aligned_person_may_propose(client, make_user, document, token_for):
    response = client.post(_url(document), headers=token_for(make_user("Nell")), json={
        "title": "T", "rationale": "R", "body": PROPOSED, "base_revision": 1})
    assert response.status_code == 201 and response.get_json()["author"]["party"] is None


def test_proposing_without_fields_names_every_missing_one(client, author, document, token_for):
    response = client.post(_url(document), headers=token_for(author), json={})
    assert response.status_code == 422 and response.get_json()["error"] == "invalid"
    assert set(response.get_json()["fields"]) == {"title", "rationale", "body", "base_revision"}
    assert db.session.query(Amendment).count() == 0


def test_proposing_the_unchanged_text_is_invalid(client, author, document, token_for):
    response = client.post(_url(document), headers=token_for(author), json={
        "title": "T", "rationale": "R", "body": BODY, "base_revision": 1})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"body"}


@pytest.mark.parametrize("base", [2, 0])
def test_proposing_on_a_revision_that_does_not_exist_is_invalid(client, author, document, token_for, base):
    response = client.post(_url(document), headers=token_for(author), json={
        "title": "T", "rationale": "R", "body": PROPOSED, "base_revision": base})
    assert response.status_code == 422 and "base_revision" in response.get_json()["fields"]


@pytest.mark.parametrize("field, value", [("base_revision", "1"), ("base_revision", True), ("title", 5),
                                          ("body", ["x"]), ("rationale", {})])
def test_proposing_with_a_field_of_the_wrong_type_is_a_bad_request(client, author, document, token_for,
                                                                  field, value):
    fields = {"title": "T", "rationale": "R", "body": PROPOSED, "base_revision": 1, field: value}
    response = client.post(_url(document), headers=token_for(author), json=fields)
    assert response.status_code == 400 and field in response.get_json()["message"]
    assert db.session.query(Amendment).count() == 0


def test_proposing_needs_a_token_and_a_document_that_takes_amendments(client, author, make_document, token_for):
    fields = {"title": "T", "rationale": "R", "body": PROPOSED, "base_revision": 1}
    archived = make_document(author, body=BODY, status="archived")
    assert client.post(_url(archived), json=fields).status_code == 401
    refused = client.post(_url(archived), json=fields, headers=token_for(author))
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert client.post("/api/v1/documents/nope/amendments", json=fields,
                       headers=token_for(author)).status_code == 404
    assert db.session.query(Amendment).count() == 0


# --- reading ---------------------------------------------------------------------------------------------

def test_the_list_filters_by_status(client, author, lead, document, amendment, conforms):
    second = amendments.propose_amendment(author, document, title="Seats", rationale="R",
                                          body=BODY.replace("about seats", "about fair seats"), base_number=1)
    amendments.reject_amendment(lead, second, "Not now.")
    response = client.get(_url(document))
    conforms(response, "/documents/{slug}/amendments", "get", 200)
    listed = response.get_json()["amendments"]
    assert [(item["number"], item["status"]) for item in listed] == [(1, "open"), (2, "rejected")]
    assert all(set(item) == AMENDMENT_KEYS for item in listed)
    assert listed[1]["decided_by"] == {"name": "Lena Lead", "party": "b"}
    assert listed[1]["decision_note"] == "Not now."

    def numbers(status: str) -> list[int]:
        return [item["number"] for item in client.get(_url(document, f"?status={status}")).get_json()["amendments"]]

    assert numbers("open") == [1] and numbers("rejected") == [2] and numbers("accepted") == []
    assert numbers("all") == [1, 2] and numbers("") == [1, 2]


def test_an_unknown_status_filter_is_a_bad_request(client, document):
    response = client.get(_url(document, "?status=pending"))
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_a_single_amendment_adds_its_text_and_diff(client, document, amendment, conforms):
    response = client.get(_url(document, "/1"))
    conforms(response, "/documents/{slug}/amendments/{n}", "get", 200)
    body = response.get_json()
    assert body["body"] == PROPOSED and _rebuild(body["diff"]) == (BODY, PROPOSED)
    assert ["insert", "proportional "] in body["diff"] or any(
        op == "insert" and "proportional" in text for op, text in body["diff"])


@pytest.mark.parametrize("suffix", ["/2", "/0", "/99999999999999", "/x"])
def test_an_amendment_that_does_not_exist_is_404(client, document, amendment, suffix):
    response = client.get(_url(document, suffix))
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_an_amendment_that_stops_applying_says_so(client, author, document, amendment):
    documents.save_revision(author, document, body=BODY.replace("about votes", "on ballots"), base_number=1)
    body = client.get(_url(document, "/1")).get_json()
    assert body["applies_cleanly"] is False and body["base_revision"] == 1


def test_the_amendment_list_costs_the_same_number_of_queries_however_long(
        client, make_user, make_party, make_document, author, lead, count_queries):
    # One amendment, decided by one lead, against six by six proposers, each supported, three decided by
    # three leads of three parties: authors, versions and deciders are each loaded once for the list.

    few = make_document(author, body=BODY)
    many = make_document(author, body=BODY)
    one = amendments.propose_amendment(author, few, title="One", rationale="R", body=PROPOSED, base_number=1)
    amendments.reject_amendment(lead, one, "No.")
    deciders = [make_user(party=make_party(), role="lead") for _ in range(3)]
    for n in range(6):
        proposer = make_user(party=make_party())
        proposed = amendments.propose_amendment(proposer, many, title=f"A{n}", rationale="R",
                                                body=BODY + f"\nAddition {n}.\n", base_number=1)
        amendments.support(author, proposed)
        if n < 3:
            amendments.reject_amendment(deciders[n], proposed, "No.")
    few_slug, many_slug = few.slug, many.slug

    def fetch(slug: str) -> None:
        db.session.remove()  # start cold, as a real request does
        assert len(client.get(f"/api/v1/documents/{slug}/amendments").get_json()["amendments"]) > 0

    assert count_queries(lambda: fetch(few_slug)) == count_queries(lambda: fetch(many_slug))


# --- supporting and withdrawing --------------------------------------------------------------------------

def test_support_is_counted_once_and_can_be_taken_back(client, make_user, document, amendment, token_for,
                                                       conforms):
    headers = token_for(make_user("Sam"))
    first = client.post(_url(document, "/1/support"), headers=headers)
    conforms(first, "/documents/{slug}/amendments/{n}/support", "post", 200)
    assert first.get_json()["supporters"] == 1
    assert client.post(_url(document, "/1/support"), headers=headers).get_json()["supporters"] == 1
    assert _stored(amendment).supporter_count == 1
    back = client.delete(_url(document, "/1/support"), headers=headers)
    conforms(back, "/documents/{slug}/amendments/{n}/support", "delete", 200)
    assert back.get_json()["supporters"] == 0 and _stored(amendment).supporter_count == 0


def test_the_author_cannot_support_their_own_amendment(client, author, document, amendment, token_for):
    response = client.post(_url(document, "/1/support"), headers=token_for(author))
    assert response.status_code == 403 and _stored(amendment).supporter_count == 0


def test_supporting_needs_a_token(client, document, amendment):
    response = client.post(_url(document, "/1/support"))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_author_withdraws_and_nobody_else_can(client, author, lead, document, amendment, token_for, conforms):
    assert client.post(_url(document, "/1/withdraw"), headers=token_for(lead)).status_code == 403
    assert _stored(amendment).status == "open"
    response = client.post(_url(document, "/1/withdraw"), headers=token_for(author))
    conforms(response, "/documents/{slug}/amendments/{n}/withdraw", "post", 200)
    body = response.get_json()
    assert body["status"] == "withdrawn" and body["decided_by"] is None and body["decided_at"]
    assert client.post(_url(document, "/1/withdraw"), headers=token_for(author)).status_code == 403


# --- deciding --------------------------------------------------------------------------------------------

def test_accepting_makes_a_revision_by_the_amendments_author(client, lead, document, amendment, token_for,
                                                              conforms):
    response = client.post(_url(document, "/1/accept"), headers=token_for(lead), json={"note": "Agreed."})
    conforms(response, "/documents/{slug}/amendments/{n}/accept", "post", 200)
    body = response.get_json()
    assert set(body) == {"amendment", "revision"}
    decided, revision = body["amendment"], body["revision"]
    assert (decided["status"], decided["merged_revision"], decided["decision_note"]) == ("accepted", 2, "Agreed.")
    assert decided["decided_by"] == {"name": "Lena Lead", "party": "b"}
    assert (revision["number"], revision["source"], revision["amendment"], revision["base"]) == \
        (2, "amendment", 1, 1)
    assert revision["author"] == {"name": "Alma Author", "party": "a"} and revision["body"] == PROPOSED
    assert client.get(f"/api/v1/documents/{document.slug}").get_json()["current_revision"] == 2


def test_accepting_needs_no_body(client, lead, document, amendment, token_for):
    response = client.post(_url(document, "/1/accept"), headers=token_for(lead))
    assert response.status_code == 200 and response.get_json()["amendment"]["decision_note"] == ""


def test_accepting_an_amendment_that_no_longer_applies_is_409_and_changes_nothing(
        client, author, lead, document, amendment, token_for, conforms):
    documents.save_revision(author, document, body=BODY.replace("about votes", "on ballots"), base_number=1)
    response = client.post(_url(document, "/1/accept"), headers=token_for(lead), json={})
    conforms(response, "/documents/{slug}/amendments/{n}/accept", "post", 409)
    body = response.get_json()
    assert body["error"] == "conflict" and "no longer applies" in body["message"]
    assert body["current_revision"] == 2
    [conflict] = body["conflicts"]
    assert "proportional" in conflict["ours"] and "ballots" in conflict["theirs"]
    assert _stored(amendment).status == "open"
    assert db.session.query(Revision).filter_by(document_id=document.id).count() == 2


def test_accepting_what_the_text_already_says_is_409(client, author, lead, document, amendment, token_for,
                                                      conforms):
    documents.save_revision(author, document, body=PROPOSED, base_number=1)
    response = client.post(_url(document, "/1/accept"), headers=token_for(lead))
    conforms(response, "/documents/{slug}/amendments/{n}/accept", "post", 409)
    assert _stored(amendment).status == "open"


@pytest.mark.parametrize("verb", ["accept", "reject"])
def test_members_and_authors_cannot_decide(client, make_user, parties, document, amendment, token_for, verb):
    member = make_user(party=parties[1])
    own = amendments.propose_amendment(make_user(party=parties[1], role="lead"), document, title="Own",
                                       rationale="R", body=BODY + "\nMore.\n", base_number=1)
    assert client.post(_url(document, f"/1/{verb}"), headers=token_for(member),
                       json={"note": "x"}).status_code == 403
    assert client.post(_url(document, f"/{own.number}/{verb}"), headers=token_for(own.author),
                       json={"note": "x"}).status_code == 403
    assert _stored(amendment).status == "open" and _stored(own).status == "open"


def test_rejecting_needs_a_note(client, lead, document, amendment, token_for, conforms):
    for payload in ({}, {"note": "   "}):
        response = client.post(_url(document, "/1/reject"), headers=token_for(lead), json=payload)
        assert response.status_code == 422 and set(response.get_json()["fields"]) == {"note"}
    assert client.post(_url(document, "/1/reject"), headers=token_for(lead),
                       json={"note": 3}).status_code == 400
    assert _stored(amendment).status == "open"
    response = client.post(_url(document, "/1/reject"), headers=token_for(lead), json={"note": "Too vague."})
    conforms(response, "/documents/{slug}/amendments/{n}/reject", "post", 200)
    body = response.get_json()
    assert (body["status"], body["decision_note"], body["merged_revision"]) == ("rejected", "Too vague.", None)


def test_an_admin_may_decide(client, make_user, document, amendment, token_for):
    admin = make_user("Ada", admin=True)
    response = client.post(_url(document, "/1/reject"), headers=token_for(admin), json={"note": "Duplicate."})
    assert response.status_code == 200 and response.get_json()["decided_by"] == {"name": "Ada", "party": None}


def test_a_decided_amendment_cannot_be_decided_again(client, lead, document, amendment, token_for):
    assert client.post(_url(document, "/1/reject"), headers=token_for(lead), json={"note": "No."}).status_code == 200
    response = client.post(_url(document, "/1/accept"), headers=token_for(lead))
    assert response.status_code == 403 and _stored(amendment).status == "rejected"
