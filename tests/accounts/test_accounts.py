"""Registration, sign-in and sign-out, API tokens, deactivation."""
from __future__ import annotations

import pytest

from policyhub.accounts import services
from policyhub.errors import Invalid

PASSWORD = "correct horse battery staple"


def test_register_normalises_email_and_refuses_duplicates(app):
    user = services.register_user("  Ada@Example.ORG ", "Ada", PASSWORD, confirmed=True)
    assert user.email == "ada@example.org"
    with pytest.raises(Invalid) as error:
        services.register_user("ada@example.org", "Other Ada", PASSWORD, confirmed=True)
    assert "email" in error.value.fields


@pytest.mark.parametrize("email, name, password, field", [
    ("not-an-email", "Ada", PASSWORD, "email"),
    ("ada@example.org", "", PASSWORD, "name"),
    ("ada@example.org", "Ada", "short", "password"),
    ("ada@example.org", "Ada", "x" * 1025, "password"),
    ("ada@example.org", "A\x00da", PASSWORD, "name"),
])
def test_register_refuses_bad_fields(app, email, name, password, field):
    with pytest.raises(Invalid) as error:
        services.register_user(email, name, password, confirmed=True)
    assert field in error.value.fields


def test_authenticate_checks_password_and_active_state(app, make_user):
    from policyhub.parties.services import set_user_active
    user = make_user(email="bo@example.org")
    admin = make_user(admin=True)
    assert services.authenticate("BO@example.org", PASSWORD) == user
    assert services.authenticate("bo@example.org", "wrong password!!") is None
    assert services.authenticate("nobody@example.org", PASSWORD) is None
    set_user_active(admin, user, False)
    assert services.authenticate("bo@example.org", PASSWORD) is None


def test_tokens_store_only_a_hash_and_can_be_revoked(app, make_user):
    user = make_user()
    token, raw = services.create_token(user, user, "sync")
    assert raw.startswith("phk_") and raw not in token.token_hash and len(token.token_hash) == 64
    assert services.user_for_token(raw) == user
    assert services.user_for_token(raw + "x") is None
    services.revoke_token(user, token)
    assert services.user_for_token(raw) is None


def test_login_page_signs_in_and_redirects_only_to_local_paths(client, make_user):
    make_user(email="cy@example.org")
    for target, expected in [("/documents/x", "/documents/x"), ("//evil.example", "/"),
                             ("/\\evil.example", "/"), ("https://evil.example", "/"),
                             ("https:evil.example", "/"), ("/%2F%2Fevil.example", "/%2F%2Fevil.example")]:
        response = client.post("/login", data={"email": "cy@example.org", "password": PASSWORD, "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target
        client.post("/logout")


def test_wrong_password_gives_the_same_answer_as_unknown_account(client, make_user):
    make_user(email="di@example.org")
    wrong = client.post("/login", data={"email": "di@example.org", "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert b"do not match an active account" in wrong.data and b"do not match an active account" in unknown.data


def test_logout_is_post_only_and_ends_the_session(client, make_user, login):
    user = make_user()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_deactivated_user_is_signed_out_at_next_request(client, make_user, login):
    from policyhub.parties.services import set_user_active
    user, admin = make_user(), make_user(admin=True)
    login(client, user)
    assert client.get("/account").status_code == 200
    set_user_active(admin, user, False)
    assert client.get("/account").status_code == 302


def test_register_page_keeps_input_on_error_then_sends_a_link(client):
    bad = client.post("/register", data={"email": "eve@example.org", "name": "Eve", "password": "short"})
    assert bad.status_code == 422 and b"eve@example.org" in bad.data and b"at least 12" in bad.data
    good = client.post("/register", data={"email": "eve@example.org", "name": "Eve", "password": PASSWORD})
    assert good.status_code == 200 and b"We have sent a link to <strong>eve@example.org</strong>" in good.data


def test_api_token_is_shown_once_on_the_account_page(client, make_user, login):
    login(client, make_user())
    created = client.post("/account/tokens", data={"label": "sync"})
    assert created.status_code == 200 and b"phk_" in created.data
    assert b"phk_" not in client.get("/account").data


def test_login_attempts_are_rate_limited_per_address(make_app):
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3/minute").test_client()
    answers = [client.post("/login", data={"email": "x@example.org", "password": "wrong password!"}).status_code
               for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_token_use_is_recorded_to_the_hour(app, make_user):
    user = make_user()
    token, raw = services.create_token(user, user, "sync")
    assert token.last_used_at is None
    services.user_for_token(raw)
    first = services.list_tokens(user)[0].last_used_at
    services.user_for_token(raw)
    assert first is not None and services.list_tokens(user)[0].last_used_at == first
