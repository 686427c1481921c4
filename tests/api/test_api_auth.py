"""Who may call what: bearer tokens only, and the permission rules of permissions.py."""
from __future__ import annotations

import pytest

from policyhub.accounts.services import create_token, revoke_token
from policyhub.documents.models import Document
from policyhub.extensions import db
from policyhub.parties.services import set_user_active
from policyhub.permissions import SYSTEM


@pytest.fixture
def app_config(app_config):
    """CSRF protection on, as in production: token requests must not need a CSRF token."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


NEW = {"title": "Green homes", "body": "Insulate every home.\n", "policy_area": "Housing"}


def _edit(document: Document, body: str = "A new text.\n") -> dict[str, object]:
    return {"body": body, "base_revision": document.current_number}


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.get_json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]


def test_writing_without_a_token_is_unauthorized_and_names_the_scheme(client, member, make_document):
    document = make_document(member)
    for response in (
        client.post("/api/v1/documents", json=NEW),
        client.put(f"/api/v1/documents/{document.slug}", json=_edit(document)),
        client.post(f"/api/v1/documents/{document.slug}/status", json={"status": "archived"}),
    ):
        _assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.get(Document, document.id).current_number == 1


def test_reading_needs_no_token(client, member, make_document):
    document = make_document(member)
    assert client.get(f"/api/v1/documents/{document.slug}").status_code == 200
    assert client.get("/api/v1/parties").status_code == 200


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "phk_abc", "Bearer two words", "Bearer phk_\u00e9",
])
def test_a_malformed_authorization_header_is_refused_even_on_reads(client, header):
    _assert_error(client.get("/api/v1/parties", headers={"Authorization": header}), 401, "unauthorized")


def test_an_unknown_token_is_refused_even_on_reads(client):
    response = client.get("/api/v1/documents", headers={"Authorization": "Bearer phk_not-a-real-token"})
    _assert_error(response, 401, "unauthorized")


def test_a_revoked_token_is_refused(client, member):
    token, raw = create_token(None, member, "laptop")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.post("/api/v1/documents", json=NEW, headers=headers).status_code == 201
    revoke_token(member, token)
    _assert_error(client.post("/api/v1/documents", json={**NEW, "title": "Second"}, headers=headers),
                  401, "unauthorized")


def test_a_deactivated_accounts_token_is_refused(client, member, token_for):
    headers = token_for(member)
    set_user_active(SYSTEM, member, False)
    _assert_error(client.post("/api/v1/documents", json=NEW, headers=headers), 401, "unauthorized")


def test_the_bearer_scheme_name_is_case_insensitive(client, member):
    _token, raw = create_token(None, member, "cli")
    response = client.post("/api/v1/documents", json=NEW, headers={"Authorization": f"bearer {raw}"})
    assert response.status_code == 201


def test_the_session_cookie_is_never_honoured(client, member, login):
    # The API is exempt from CSRF: accepting the cookie would let any site write as a signed-in visitor.
    login(client, member)
    _assert_error(client.post("/api/v1/documents", json=NEW), 401, "unauthorized")
    assert db.session.query(Document).count() == 0


def test_a_non_aligned_user_cannot_create(client, make_user, make_party, token_for):
    for user in (make_user(), make_user(party=make_party(), pending=True)):
        _assert_error(client.post("/api/v1/documents", json=NEW, headers=token_for(user)), 403, "forbidden")
    assert db.session.query(Document).count() == 0


def test_a_consultation_document_cannot_be_edited(client, member, make_document, token_for):
    document = make_document(member, status="consultation")
    response = client.put(f"/api/v1/documents/{document.slug}", json=_edit(document), headers=token_for(member))
    _assert_error(response, 403, "forbidden")
    assert db.session.get(Document, document.id).current_number == 1


def test_a_plain_member_cannot_change_status(client, member, make_document, token_for):
    document = make_document(member)
    response = client.post(f"/api/v1/documents/{document.slug}/status", json={"status": "consultation"},
                           headers=token_for(member))
    _assert_error(response, 403, "forbidden")
    assert db.session.get(Document, document.id).status == "draft"


@pytest.mark.parametrize("kind", ["lead", "admin"])
def test_leads_and_admins_change_status(client, member, make_user, make_party, make_document, token_for, kind):
    actor = make_user(party=make_party(), role="lead") if kind == "lead" else make_user(admin=True)
    document = make_document(member)
    response = client.post(f"/api/v1/documents/{document.slug}/status", json={"status": "consultation"},
                           headers=token_for(actor))
    assert response.status_code == 200
    assert response.get_json()["status"] == "consultation"
    assert db.session.get(Document, document.id).status == "consultation"


def test_permission_is_checked_before_the_body_is_read(client, member, make_document, token_for):
    # A plain member sending garbage learns that they may not, not that their JSON is broken.
    document = make_document(member)
    response = client.post(f"/api/v1/documents/{document.slug}/status", data=b"{nope",
                           content_type="application/json", headers=token_for(member))
    _assert_error(response, 403, "forbidden")
