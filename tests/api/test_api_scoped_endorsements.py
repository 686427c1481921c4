"""Scoped and graded endorsements through the API: content_sha256, staleness, sections and reasons."""
from __future__ import annotations

import hashlib

import pytest

from policyhub.documents import services as documents
from policyhub.documents.clauses import clauses_of
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db

BODY = "# Plan\n\nIntro.\n\n## Principles\n\nEvery vote counts.\n\n## Timetable\n\nBy 2026.\n"


@pytest.fixture
def party(make_party):
    return make_party("a", "Party A")


@pytest.fixture
def lead(make_user, party):
    return make_user("Ann Lead", party=party, role="lead")


@pytest.fixture
def author(make_user, party):
    return make_user("Tom Member", party=party)


@pytest.fixture
def document(author, make_document):
    return make_document(author, slug="plan", body=BODY)


def key(document, start: str) -> str:
    revision = documents.get_revision(document, document.current_number)
    [found] = [clause.key for clause in clauses_of(revision) if clause.text.startswith(start)]
    return found


def url(suffix: str = "") -> str:
    return f"/api/v1/documents/plan/endorsements{suffix}"


def live_count() -> int:
    db.session.rollback()
    return db.session.query(Endorsement).filter_by(ended_at=None).count()


def test_a_whole_endorsement_has_its_hash_and_staleness_and_no_sections(client, lead, document, token_for,
                                                                       conforms):
    response = client.post(url(), headers=token_for(lead), json={})
    conforms(response, "/documents/{slug}/endorsements", "post", 201)
    body = response.get_json()
    text = documents.get_revision(document, 1).body
    assert body["content_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert body["staleness"] == "current" and "sections" not in body and "reasons" not in body


def test_a_scoped_endorsement_is_posted_and_listed_with_sections_and_reasons(client, lead, author, document,
                                                                            token_for, conforms):
    principles, timetable = key(document, "## Principles"), key(document, "## Timetable")
    response = client.post(url(), headers=token_for(lead), json={
        "sections": {principles: "endorse", timetable: "object"}, "reasons": {timetable: "Too slow."}})
    conforms(response, "/documents/{slug}/endorsements", "post", 201)
    body = response.get_json()
    assert body["sections"] == {principles: "endorse", timetable: "object"}
    assert body["reasons"] == {timetable: "Too slow."}  # only clauses with a reason

    documents.save_revision(author, document, body=BODY.replace("By 2026.", "By 2028."), base_number=1,
                            summary="Later")
    listed = client.get(url())
    conforms(listed, "/documents/{slug}/endorsements", "get", 200)
    [item] = listed.get_json()["endorsements"]
    assert (item["staleness"], item["current"], item["sections"][timetable]) == ("substantive", False, "object")

    documents.save_revision(author, document, body=BODY.replace("Intro.", "Introduction."), base_number=2,
                            summary="Back")
    everything = client.get(url("?all=1"))
    conforms(everything, "/documents/{slug}/endorsements", "get", 200)
    assert [e["staleness"] for e in everything.get_json()["endorsements"]] == ["outside_scope"]
    document_json = client.get("/api/v1/documents/plan").get_json()
    assert document_json["endorsements"][0]["staleness"] == "outside_scope"


def test_ended_endorsements_are_graded_too(client, lead, document, token_for):
    client.post(url(), headers=token_for(lead), json={"revision": 1})
    client.post(url(), headers=token_for(lead), json={"statement": "Again."})
    record = client.get(url("?all=1")).get_json()["endorsements"]
    assert [(e["statement"], e["staleness"], e["ended_at"] is None) for e in record] == [
        ("Again.", "current", True), ("", "current", False)]


@pytest.mark.parametrize("fields", [
    {"sections": "all"}, {"sections": ["1"]}, {"sections": {"1": 1}}, {"sections": {"1": None}},
    {"sections": {"1": "endorse"}, "reasons": "why"}, {"sections": {"1": "endorse"}, "reasons": {"1": 2}},
])
def test_sections_or_reasons_of_the_wrong_type_are_a_bad_request(client, lead, document, token_for, fields):
    response = client.post(url(), headers=token_for(lead), json=fields)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert live_count() == 0


def test_unknown_clauses_wrong_stances_and_missing_reasons_are_invalid(client, lead, document, token_for):
    timetable = key(document, "## Timetable")
    cases = [
        ({"sections": {"nope": "endorse"}}, "sections"),
        ({"sections": {timetable: "maybe"}}, "sections"),
        ({"sections": {timetable: "reservations"}}, f"reasons.{timetable}"),
        ({"sections": {timetable: "object"}, "reasons": {timetable: ""}}, f"reasons.{timetable}"),
        ({"sections": {timetable: "endorse"}, "reasons": {key(document, "## Principles"): "x"}}, "reasons"),
    ]
    for body, field in cases:
        response = client.post(url(), headers=token_for(lead), json=body)
        assert response.status_code == 422, body
        answer = response.get_json()
        assert answer["error"] == "invalid" and field in answer["fields"], answer
    assert live_count() == 0


def test_the_same_scoped_endorsement_posted_twice_is_one_row(client, lead, document, token_for):
    timetable = key(document, "## Timetable")
    body = {"sections": {timetable: "reservations"}, "reasons": {timetable: "Slow."}}
    first = client.post(url(), headers=token_for(lead), json=body).get_json()
    second = client.post(url(), headers=token_for(lead), json=body).get_json()
    assert first["id"] == second["id"]
    db.session.rollback()
    assert db.session.query(Endorsement).count() == 1
