"""The error format: every refusal is ``{"error", "message"}`` with its status; 422 names the fields."""
from __future__ import annotations

import json

import pytest

from policyhub.documents.models import Document
from policyhub.extensions import db
from policyhub.text.rendering import MAX_DOCUMENT_BYTES

VALID = {"title": "Fair votes", "body": "Use PR.\n", "policy_area": "Democratic reform"}


@pytest.fixture
def headers(member, token_for):
    return token_for(member)


def _post_raw(client, headers, data: bytes, content_type: str = "application/json"):
    return client.post("/api/v1/documents", data=data, content_type=content_type, headers=headers)


def assert_refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code and isinstance(body["message"], str) and body["message"]
    assert db.session.query(Document).count() == 0
    return body


@pytest.mark.parametrize("data", [
    b"{", b"", b"not json", b'{"title": "x",}', b"NaN", b'{"title": NaN}', b"[1, 2]", b'"a string"', b"null",
    b"[" * 100_000 + b"]" * 100_000,
])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(client, headers, data):
    assert_refused(_post_raw(client, headers, data), 400, "bad_request")


def test_a_body_with_invalid_utf8_is_a_bad_request(client, headers):
    data = b'{"title": "Fair \xff votes", "body": "Use PR.", "policy_area": "Reform"}'
    body = assert_refused(_post_raw(client, headers, data), 400, "bad_request")
    assert "UTF-8" in body["message"]


def test_a_body_with_a_duplicate_key_is_a_bad_request(client, headers):
    data = b'{"title": "Fair votes", "body": "Use PR.", "policy_area": "Reform", "title": "Other"}'
    body = assert_refused(_post_raw(client, headers, data), 400, "bad_request")
    assert "title" in body["message"]


def test_a_body_that_is_not_sent_as_json_is_a_bad_request(client, headers):
    assert_refused(_post_raw(client, headers, json.dumps(VALID).encode(), "text/plain"), 400, "bad_request")
    assert_refused(client.post("/api/v1/documents", data=VALID, headers=headers), 400, "bad_request")


@pytest.mark.parametrize("field, value", [
    ("title", 5), ("body", ["Use PR."]), ("policy_area", {"a": 1}), ("summary", False), ("slug", 7),
])
def test_a_field_of_the_wrong_type_is_a_bad_request_naming_it(client, headers, field, value):
    body = assert_refused(client.post("/api/v1/documents", json={**VALID, field: value}, headers=headers),
                    400, "bad_request")
    assert field in body["message"]


def test_a_body_over_one_megabyte_is_too_large(client, headers):
    data = json.dumps({**VALID, "body": "x" * (1024 * 1024)}).encode()
    assert_refused(_post_raw(client, headers, data), 413, "too_large")


def _invalid(client, headers, **fields) -> dict[str, str]:
    body = assert_refused(client.post("/api/v1/documents", json={**VALID, **fields}, headers=headers), 422, "invalid")
    assert body["fields"] and all(isinstance(text, str) and text for text in body["fields"].values())
    return body["fields"]


def test_an_empty_title_is_invalid(client, headers):
    assert "title" in _invalid(client, headers, title="   ")


def test_a_missing_title_is_invalid(client, headers):
    body = {key: value for key, value in VALID.items() if key != "title"}
    response = client.post("/api/v1/documents", json=body, headers=headers)
    assert response.status_code == 422 and "title" in response.get_json()["fields"]


def test_a_300_character_title_is_invalid(client, headers):
    assert "title" in _invalid(client, headers, title="t" * 300)


def test_a_body_over_the_document_cap_is_invalid(client, headers):
    assert "body" in _invalid(client, headers, body="x" * (MAX_DOCUMENT_BYTES + 1))


@pytest.mark.parametrize("text", ["Use\x00PR.", "Use \ud800 PR.", "Bell\x07"])
def test_a_body_with_control_characters_is_invalid(client, headers, text):
    assert "body" in _invalid(client, headers, body=text)


def test_a_slug_already_taken_is_invalid(client, headers):
    assert client.post("/api/v1/documents", json={**VALID, "slug": "pr"}, headers=headers).status_code == 201
    response = client.post("/api/v1/documents", json={**VALID, "title": "Other", "slug": "pr"}, headers=headers)
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"slug"}
    assert db.session.query(Document).count() == 1


def test_an_unknown_api_address_answers_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_a_wrong_method_answers_json_405(client):
    response = client.delete("/api/v1/parties")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_a_repeated_query_parameter_is_a_bad_request(client):
    response = client.get("/api/v1/documents?page=1&page=2")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
