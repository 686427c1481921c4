"""Endorsement receipts: the receipt of an endorsement, and the check of a receipt or a text against the
record, through the service, the pages and the JSON API."""
from __future__ import annotations

import copy
import hashlib
import json

import pytest
from sqlalchemy import update

from policyhub.documents.models import Document
from policyhub.endorsements import receipts
from policyhub.endorsements import services as endorsements
from policyhub.endorsements.models import Endorsement, EndorsementStance
from policyhub.errors import BadRequest
from policyhub.extensions import db

BODY = "# Fair votes\n\nEvery vote counts equally.\n\n## Seats\n\nSeats follow votes.\n"


@pytest.fixture
def document(make_document, author):
    return make_document(author, title="Fair votes", slug="fair-votes", body=BODY)


@pytest.fixture
def endorsement(document, leads) -> Endorsement:
    return endorsements.endorse(leads["green"], document, statement="We agree.")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _scope(endorsement: Endorsement, stances: dict[str, str]) -> None:
    """Make ``endorsement`` a scoped one (rows as the endorse service writes them)."""
    db.session.add_all(EndorsementStance(endorsement_id=endorsement.id, clause_key=key, stance=stance,
                                         reason="" if stance == "endorse" else "Not yet.")
                       for key, stance in stances.items())
    db.session.commit()
    db.session.expire(endorsement)


# --- the receipt -----------------------------------------------------------------------------------------

def test_a_receipt_names_the_text_the_party_the_lead_and_the_time(document, endorsement, leads):
    data = receipts.receipt(endorsement)
    assert data == {
        "document": "fair-votes",
        "revision": 1,
        "party": "green",
        "endorsed_by": {"name": leads["green"].name, "party": "green"},
        "created_at": endorsement.created_at.isoformat().replace("+00:00", "Z"),
        "content_sha256": hashlib.sha256(BODY.encode()).hexdigest(),
    }
    assert data["created_at"].endswith("Z")


def test_a_receipt_computes_the_hash_when_the_row_has_none(document, endorsement):
    db.session.execute(update(Endorsement).where(Endorsement.id == endorsement.id).values(content_sha256=None))
    db.session.commit()
    db.session.expire(endorsement)
    assert receipts.receipt(endorsement)["content_sha256"] == _sha(BODY)


def test_a_scoped_endorsement_has_sections_and_a_whole_one_has_none(document, endorsement):
    assert "sections" not in receipts.receipt(endorsement)
    _scope(endorsement, {"1": "endorse", "3": "reservations"})
    assert receipts.receipt(endorsement)["sections"] == {"1": "endorse", "3": "reservations"}


# --- checking a receipt ----------------------------------------------------------------------------------

def test_a_genuine_receipt_is_valid(document, endorsement):
    verdict = receipts.verify_receipt(receipts.receipt(endorsement))
    assert verdict.valid, verdict.reason
    assert verdict.reason.startswith("Valid")
    assert "revision 1 of 'Fair votes'" in verdict.reason


def test_a_receipt_survives_json_and_a_later_revision(document, endorsement, author, edit_document):
    data = json.loads(json.dumps(receipts.receipt(endorsement)))
    edit_document(author, document, "A new paragraph.")
    verdict = receipts.verify_receipt(data)
    assert verdict.valid, verdict.reason
    assert "current text is revision 2" in verdict.reason


@pytest.mark.parametrize("field, value, words", [
    ("revision", 2, "no revision 2"),
    ("party", "labour", "no endorsement by"),
    ("party", "nobody", "no party 'nobody'"),
    ("document", "other-paper", "no document 'other-paper'"),
    ("content_sha256", "0" * 64, "not the SHA-256 of revision 1"),
    ("content_sha256", "abc", "not even a SHA-256"),
    ("created_at", "2020-01-01T00:00:00Z", "not at the time the receipt gives"),
    ("created_at", "yesterday", "not a time"),
    ("endorsed_by", {"name": "Someone Else", "party": "green"}, "not Someone Else"),
    ("endorsed_by", {"name": None, "party": "green"}, None),
    ("sections", {"1": "endorse"}, "names sections"),
])
def test_a_tampered_receipt_is_invalid_and_says_why(document, endorsement, labour, field, value, words):
    data = receipts.receipt(endorsement)
    data[field] = value
    if words is None:  # not a receipt at all
        with pytest.raises(BadRequest):
            receipts.verify_receipt(data)
        return
    verdict = receipts.verify_receipt(data)
    assert not verdict.valid
    assert words in verdict.reason


def test_tampered_sections_of_a_scoped_receipt_are_invalid(document, endorsement):
    _scope(endorsement, {"1": "endorse", "3": "object"})
    genuine = receipts.receipt(endorsement)
    assert receipts.verify_receipt(genuine).valid
    softened = copy.deepcopy(genuine)
    softened["sections"]["3"] = "endorse"
    assert "sections or stances" in receipts.verify_receipt(softened).reason
    whole = {key: value for key, value in genuine.items() if key != "sections"}
    verdict = receipts.verify_receipt(whole)
    assert not verdict.valid and "claims the whole document" in verdict.reason


def test_a_changed_stored_text_is_caught_by_the_stored_hash(document, endorsement):
    data = receipts.receipt(endorsement)
    # The text as stored now is not what was endorsed: simulate by recording another hash at endorse time.
    db.session.execute(update(Endorsement).where(Endorsement.id == endorsement.id)
                       .values(content_sha256=_sha("something else")))
    db.session.commit()
    verdict = receipts.verify_receipt(data)
    assert not verdict.valid
    assert "stored now is not the text that was endorsed" in verdict.reason


def test_an_ended_endorsement_keeps_a_valid_receipt_with_a_note(document, endorsement, leads):
    data = receipts.receipt(endorsement)
    endorsements.withdraw_endorsement(leads["green"], endorsement)
    verdict = receipts.verify_receipt(data)
    assert verdict.valid
    assert "has since been withdrawn" in verdict.reason

    again = endorsements.endorse(leads["green"], document, statement="Still agree.")
    data = receipts.receipt(again)
    endorsements.endorse(leads["green"], document, statement="Agree, louder.")
    verdict = receipts.verify_receipt(data)
    assert verdict.valid and "has since been superseded" in verdict.reason


@pytest.mark.parametrize("data", [[], "receipt", 3, {"document": "fair-votes"},
                                  {"document": 1, "revision": 1, "party": "green", "endorsed_by": {"name": "x"},
                                   "created_at": "x", "content_sha256": "x"},
                                  {"document": "fair-votes", "revision": True, "party": "green",
                                   "endorsed_by": {"name": "x"}, "created_at": "x", "content_sha256": "x"}])
def test_something_that_is_not_a_receipt_is_a_bad_request(app, data):
    with pytest.raises(BadRequest):
        receipts.verify_receipt(data)


# --- checking a text -------------------------------------------------------------------------------------

def test_the_exact_text_matches(document):
    verdict = receipts.verify_text("fair-votes", 1, BODY)
    assert verdict.valid
    assert "The text matches revision 1 of 'Fair votes' exactly" in verdict.reason


def test_a_different_text_names_the_first_differing_line(document):
    verdict = receipts.verify_text("fair-votes", 1, BODY.replace("Seats follow", "Seats ignore"))
    assert not verdict.valid
    assert "The text differs from revision 1" in verdict.reason
    assert "line 7" in verdict.reason


def test_line_endings_count_for_the_service(document):
    verdict = receipts.verify_text("fair-votes", 1, BODY.replace("\n", "\r\n"))
    assert not verdict.valid and "line ending" in verdict.reason
    assert "very end" in receipts.verify_text("fair-votes", 1, BODY.rstrip("\n")).reason


def test_unknown_documents_and_revisions_are_invalid_verdicts(document):
    assert "no document 'nope'" in receipts.verify_text("nope", 1, BODY).reason
    assert "no revision 5" in receipts.verify_text("fair-votes", 5, BODY).reason
    with pytest.raises(BadRequest):
        receipts.verify_text("fair-votes", "1", BODY)


# --- pages -----------------------------------------------------------------------------------------------

def test_the_receipt_page_shows_who_what_when_and_the_json(client, document, endorsement, leads):
    page = client.get(f"/endorsements/{endorsement.id}/receipt")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _sha(BODY) in html
    assert leads["green"].name in html
    assert "&#34;content_sha256&#34;" in html or "&quot;content_sha256&quot;" in html
    assert f"/endorsements/{endorsement.id}/receipt.json" in html


def test_the_receipt_downloads_as_json(client, document, endorsement):
    download = client.get(f"/endorsements/{endorsement.id}/receipt.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.get_json() == receipts.receipt(endorsement)
    assert client.get("/endorsements/99999/receipt").status_code == 404
    assert client.get(f"/endorsements/{10 ** 20}/receipt.json").status_code == 404


def test_the_record_and_the_document_page_link_the_receipt(client, document, endorsement):
    link = f"/endorsements/{endorsement.id}/receipt"
    assert link in client.get("/documents/fair-votes/endorsements").get_data(as_text=True)
    assert link in client.get("/documents/fair-votes").get_data(as_text=True)


def test_the_verify_page_checks_a_pasted_receipt(client, document, endorsement):
    assert client.get("/receipts/verify").status_code == 200
    data = receipts.receipt(endorsement)
    page = client.post("/receipts/verify", data={"receipt-mode": "receipt", "receipt-receipt": json.dumps(data)})
    assert page.status_code == 200
    assert "Valid receipt" in page.get_data(as_text=True)
    data["revision"] = 7
    page = client.post("/receipts/verify", data={"receipt-mode": "receipt", "receipt-receipt": json.dumps(data)})
    assert "Not a valid receipt" in page.get_data(as_text=True)
    page = client.post("/receipts/verify", data={"receipt-mode": "receipt", "receipt-receipt": "{not json"})
    assert page.status_code == 200 and "not valid JSON" in page.get_data(as_text=True)


def test_the_verify_page_takes_a_browsers_crlf_text(client, document):
    page = client.post("/receipts/verify", data={"text-mode": "text", "text-document": "fair-votes",
                                                 "text-revision": "1", "text-text": BODY.replace("\n", "\r\n")})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The text matches revision 1 of &#39;Fair votes&#39; exactly" in html


def test_the_verify_page_shows_where_a_wrong_text_differs(client, document):
    wrong = BODY.replace("Every vote", "Some votes").replace("\n", "\r\n")
    html = client.post("/receipts/verify", data={"text-mode": "text", "text-document": "/documents/fair-votes",
                                                 "text-revision": "1", "text-text": wrong}).get_data(as_text=True)
    assert "The text does not match" in html and "line 3" in html


def test_the_verify_page_refuses_a_bad_revision_number_on_the_field(client, document):
    page = client.post("/receipts/verify", data={"text-mode": "text", "text-document": "fair-votes",
                                                 "text-revision": "one", "text-text": BODY})
    assert page.status_code == 422
    assert "Give a revision number" in page.get_data(as_text=True)


def test_the_verify_page_needs_a_csrf_token(make_app, document):
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    page = client.post("/receipts/verify", data={"receipt-mode": "receipt", "receipt-receipt": "{}"})
    assert page.status_code == 400
    assert "Valid receipt" not in page.get_data(as_text=True)


# --- the API ---------------------------------------------------------------------------------------------

def test_the_api_gives_the_receipt(client, conforms, document, endorsement):
    response = client.get(f"/api/v1/endorsements/{endorsement.id}/receipt")
    conforms(response, "/endorsements/{id}/receipt", "get", 200)
    assert response.get_json() == receipts.receipt(endorsement)
    conforms(client.get("/api/v1/endorsements/424242/receipt"), "/endorsements/{id}/receipt", "get", 404)


def test_the_api_verifies_without_a_token(client, conforms, document, endorsement):
    data = receipts.receipt(endorsement)
    response = client.post("/api/v1/receipts/verify", json={"receipt": data})
    conforms(response, "/receipts/verify", "post", 200)
    assert response.get_json()["valid"] is True
    data["content_sha256"] = _sha("forged")
    answer = client.post("/api/v1/receipts/verify", json={"receipt": data}).get_json()
    assert answer["valid"] is False and "SHA-256" in answer["reason"]


def test_the_api_hashes_the_text_exactly_as_sent(client, conforms, document):
    response = client.post("/api/v1/receipts/verify", json={"document": "fair-votes", "revision": 1, "text": BODY})
    conforms(response, "/receipts/verify", "post", 200)
    assert response.get_json()["valid"] is True
    crlf = client.post("/api/v1/receipts/verify",
                       json={"document": "fair-votes", "revision": 1, "text": BODY.replace("\n", "\r\n")})
    assert crlf.get_json()["valid"] is False


@pytest.mark.parametrize("body, status", [
    ({"receipt": "x"}, 400),
    ({"receipt": {"document": "fair-votes"}}, 400),
    ({"document": "fair-votes", "revision": "1", "text": BODY}, 400),
    ({"document": ["fair-votes"], "revision": 1, "text": BODY}, 400),
    ({"document": "fair-votes", "revision": 1}, 422),
    ({}, 422),
])
def test_the_api_refuses_malformed_checks(client, conforms, document, body, status):
    response = client.post("/api/v1/receipts/verify", json=body)
    conforms(response, "/receipts/verify", "post", status)
    assert response.status_code == status
    assert response.get_json()["error"] == {400: "bad_request", 422: "invalid"}[status]


def test_the_api_refuses_a_body_that_is_not_json(client, document):
    response = client.post("/api/v1/receipts/verify", data="{", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_unknown_documents_get_a_verdict_not_an_error(client, document):
    answer = client.post("/api/v1/receipts/verify", json={"document": "nope\u0000", "revision": 1, "text": "x"})
    assert answer.status_code == 200 and answer.get_json()["valid"] is False
    assert db.session.get(Document, document.id) is not None
