"""Saving through PUT /documents/{slug}: compare-and-set, three-way merge, conflicts, no-op saves."""
from __future__ import annotations

import pytest

from policyhub.documents import services
from policyhub.documents.models import Document, Revision
from policyhub.extensions import db

BODY = "# Fair votes\n\nFirst paragraph about votes.\n\nSecond paragraph about seats.\n"


@pytest.fixture
def document(member, make_document):
    return make_document(member, body=BODY)


@pytest.fixture
def headers(member, token_for):
    return token_for(member)


def _put(client, document, headers, **fields):
    return client.put(f"/api/v1/documents/{document.slug}", json=fields, headers=headers)


def _stored(document) -> tuple[int, str]:
    db.session.rollback()  # end the test's read snapshot
    current = db.session.get(Document, document.id)
    return current.current_number, services.get_revision(current, current.current_number).body


def test_an_edit_on_the_current_revision_makes_the_next_one(client, document, headers, member, conforms):
    new_body = BODY.replace("votes.", "fair votes.")
    response = _put(client, document, headers, body=new_body, base_revision=1, summary="Clarify",
                    title="Fair votes now")
    conforms(response, "/documents/{slug}", "put", 200)
    body = response.get_json()
    assert (body["merged"], body["changed"]) == (False, True)
    revision = body["revision"]
    assert (revision["number"], revision["base"], revision["summary"]) == (2, 1, "Clarify")
    assert (revision["title"], revision["body"]) == ("Fair votes now", new_body)
    assert revision["author"] == {"name": member.name, "party": member.party.slug}
    assert _stored(document) == (2, new_body)
    assert client.get(f"/api/v1/documents/{document.slug}").get_json()["title"] == "Fair votes now"


def test_an_edit_without_a_title_keeps_the_title(client, document, headers):
    response = _put(client, document, headers, body=BODY + "\nMore.\n", base_revision=1)
    assert response.get_json()["revision"]["title"] == "Fair votes for all"


def test_edits_on_the_same_base_to_different_paragraphs_merge(client, document, headers):
    first = _put(client, document, headers, base_revision=1,
                 body=BODY.replace("First paragraph", "Opening paragraph"))
    second = _put(client, document, headers, base_revision=1,
                  body=BODY.replace("Second paragraph", "Closing paragraph"))
    assert first.get_json()["merged"] is False
    assert second.status_code == 200
    result = second.get_json()
    assert (result["merged"], result["changed"]) == (True, True)
    assert (result["revision"]["number"], result["revision"]["base"]) == (3, 1)
    number, body = _stored(document)
    assert number == 3
    assert "Opening paragraph about votes." in body and "Closing paragraph about seats." in body
    assert result["revision"]["body"] == body


def test_edits_on_the_same_base_to_the_same_words_conflict_and_change_nothing(client, document, headers):
    first_body = BODY.replace("about votes", "about proportional votes")
    assert _put(client, document, headers, base_revision=1, body=first_body).status_code == 200
    response = _put(client, document, headers, base_revision=1, body=BODY.replace("about votes", "on ballots"))
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "conflict" and body["current_revision"] == 2
    assert "message" in body
    assert _stored(document) == (2, first_body)
    assert db.session.query(Revision).filter_by(document_id=document.id).count() == 2


def test_an_unchanged_body_makes_no_revision_and_answers_the_current_one(client, document, headers):
    response = _put(client, document, headers, base_revision=1, body=BODY, summary="Nothing really")
    assert response.status_code == 200
    result = response.get_json()
    assert (result["changed"], result["merged"]) == (False, False)
    assert result["revision"]["number"] == 1 and result["revision"]["summary"] == "Created"
    assert _stored(document) == (1, BODY)


@pytest.mark.parametrize("base", [2, 50])
def test_a_base_revision_that_does_not_exist_is_invalid(client, document, headers, base):
    response = _put(client, document, headers, base_revision=base, body=BODY + "x\n")
    assert response.status_code == 422
    assert "base_revision" in response.get_json()["fields"]
    assert _stored(document) == (1, BODY)


def test_a_missing_base_revision_is_invalid(client, document, headers):
    response = _put(client, document, headers, body=BODY + "x\n")
    assert response.status_code == 422
    assert "base_revision" in response.get_json()["fields"]


@pytest.mark.parametrize("base", [True, "1", 1.0, [1]])
def test_a_base_revision_that_is_not_an_integer_is_a_bad_request(client, document, headers, base):
    response = _put(client, document, headers, base_revision=base, body=BODY + "x\n")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and "base_revision" in body["message"]
    assert _stored(document) == (1, BODY)


def test_a_missing_body_is_invalid(client, document, headers):
    response = _put(client, document, headers, base_revision=1)
    assert response.status_code == 422 and "body" in response.get_json()["fields"]


def test_editing_an_unknown_document_is_404(client, headers):
    response = client.put("/api/v1/documents/nope", json={"body": "x", "base_revision": 1}, headers=headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
