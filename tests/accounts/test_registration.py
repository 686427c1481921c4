"""Registration is confirmed by email and never tells a stranger whether an address has an account: the same
page and the same hashing work for every address; what differs goes to the inbox only."""
from __future__ import annotations

import logging
import time

import itsdangerous
import pytest
from sqlalchemy import func, select

from policyhub.accounts import services
from policyhub.accounts.models import User
from policyhub.extensions import db
from policyhub.reauth import SESSION_KEY as AUTH_AT

from .conftest import NEW_PASSWORD, PASSWORD, links, main_content, only_link, signed_in

CONFIRM_PATH = "/register/confirm/"


def register(client, email: str, name: str = "Nia Newcomer", password: str = PASSWORD, **kwargs):
    return client.post("/register", data={"email": email, "name": name, "password": password}, **kwargs)


def account(email: str) -> User | None:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def sent_page(response, address: str) -> str:
    """The page after registering, with the address taken out: it must be the same for every account."""
    assert response.status_code == 200
    html = main_content(response)
    assert f"We have sent a link to <strong>{address}</strong> to finish creating your account" in html
    return html.replace(address, "ADDRESS")


@pytest.fixture
def hashes(monkeypatch):
    """How many passwords the app hashed."""
    count = []
    real = services.hash_password
    monkeypatch.setattr(services, "hash_password", lambda password: count.append(1) or real(password))
    return count


def test_a_new_address_gets_an_unconfirmed_account_and_a_link(client, outbox, hashes):
    response = register(client, "Nia@Example.org")
    sent_page(response, "nia@example.org")
    assert len(hashes) == 1
    user = account("nia@example.org")
    assert user is not None and user.email_confirmed_at is None and user.name == "Nia Newcomer"
    [message] = outbox("nia@example.org")
    assert message["Subject"] == "Finish creating your PolicyHub account"
    assert only_link(message, CONFIRM_PATH).startswith(CONFIRM_PATH)
    assert not signed_in(client)


def test_an_unconfirmed_account_cannot_sign_in_and_is_told_nothing_more(client, make_user):
    register(client, "nia@example.org")
    make_user(email="known@example.org")
    unconfirmed = client.post("/login", data={"email": "nia@example.org", "password": PASSWORD})
    wrong = client.post("/login", data={"email": "known@example.org", "password": "not the password"})
    assert unconfirmed.status_code == wrong.status_code == 401
    assert (main_content(unconfirmed).replace("nia@example.org", "ADDRESS")
            == main_content(wrong).replace("known@example.org", "ADDRESS"))
    assert "Just registered? Follow the link we emailed you" in main_content(unconfirmed)
    assert not signed_in(client)


def test_the_link_opens_a_page_whose_button_confirms_and_signs_in(client, outbox):
    register(client, "nia@example.org")
    link = only_link(outbox("nia@example.org")[0], CONFIRM_PATH)

    for _ in range(2):  # a mail scanner fetching the link does not use it up
        page = client.get(link)
        assert page.status_code == 200 and "Confirm and sign in" in page.get_data(as_text=True)
        assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
    assert account("nia@example.org").email_confirmed_at is None
    assert not signed_in(client)

    with client.session_transaction() as session:
        session["left_over"] = "from before"
    confirmed = client.post(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/account"
    assert account("nia@example.org").email_confirmed_at is not None
    assert signed_in(client)
    with client.session_transaction() as session:
        assert "left_over" not in session and isinstance(session[AUTH_AT], int)
    client.post("/logout")
    assert client.post("/login", data={"email": "nia@example.org", "password": PASSWORD}).status_code == 302


def test_a_used_link_gets_a_clear_page_and_signs_nobody_in(app, client, outbox):
    register(client, "nia@example.org")
    link = only_link(outbox("nia@example.org")[0], CONFIRM_PATH)
    client.post(link)

    other = app.test_client()
    for response in (other.get(link), other.post(link)):
        assert response.status_code == 400
        assert "already been used" in response.get_data(as_text=True)
    assert not signed_in(other)


def test_a_link_works_for_three_days(client, outbox, monkeypatch):
    signed_at = int(time.time())
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: signed_at)
    register(client, "nia@example.org")
    link = only_link(outbox("nia@example.org")[0], CONFIRM_PATH)
    monkeypatch.undo()
    monkeypatch.setattr(time, "time", lambda: signed_at + 3 * 86400 - 60)
    assert client.get(link).status_code == 200
    monkeypatch.setattr(time, "time", lambda: signed_at + 3 * 86400 + 60)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert account("nia@example.org").email_confirmed_at is None


@pytest.mark.parametrize("mangle", [lambda t: t[:-2], lambda t: t + "x", lambda t: "not-a-token",
                                    lambda t: t.replace(".", "!", 1)])
def test_a_malformed_link_is_a_400(client, outbox, mangle):
    register(client, "nia@example.org")
    token = only_link(outbox("nia@example.org")[0], CONFIRM_PATH).removeprefix(CONFIRM_PATH)
    response = client.post(CONFIRM_PATH + mangle(token))
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert account("nia@example.org").email_confirmed_at is None


def test_an_address_with_an_account_gets_the_same_page_and_a_warning_by_mail(client, make_user, outbox, hashes):
    user = make_user("Kim Known", email="kim@example.org")
    before = (user.name, user.password_hash, user.session_version, user.email_confirmed_at)
    hashes.clear()

    taken = register(client, "KIM@example.org", name="Someone Else", password=NEW_PASSWORD)
    new = register(client, "new@example.org", name="Someone Else", password=NEW_PASSWORD)
    assert sent_page(taken, "kim@example.org") == sent_page(new, "new@example.org")
    assert len(hashes) == 2  # the same work for both addresses

    after = account("kim@example.org")
    assert (after.name, after.password_hash, after.session_version, after.email_confirmed_at) == before
    [warning] = outbox("kim@example.org")
    assert warning["Subject"] == "Someone tried to register with your address"
    text = warning.get_content()
    assert "sign in" in text and "Reset it" in text and "Nothing about your account changed" in text
    assert not any(CONFIRM_PATH in link for link in links(warning))
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_registering_an_unconfirmed_address_again_replaces_it_and_only_the_newest_link_works(client, outbox):
    register(client, "nia@example.org", name="First Try", password=PASSWORD)
    first_hash = account("nia@example.org").password_hash
    register(client, "nia@example.org", name="Second Try", password=NEW_PASSWORD)
    user = account("nia@example.org")
    assert user.name == "Second Try" and user.password_hash != first_hash and user.email_confirmed_at is None
    assert db.session.scalar(select(func.count()).select_from(User)) == 1

    old_link, new_link = (only_link(m, CONFIRM_PATH) for m in outbox("nia@example.org"))
    stale = client.post(old_link)
    assert stale.status_code == 400 and "replaced by a newer one" in stale.get_data(as_text=True)
    assert client.post(new_link).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": "nia@example.org", "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize("data, field, message", [
    ({"email": "not-an-email", "name": "Nia", "password": PASSWORD}, "email", "Enter an email address"),
    ({"email": "nia@example.org", "name": "", "password": PASSWORD}, "name", "Display name is required"),
    ({"email": "nia@example.org", "name": "Nia", "password": "short"}, "password", "at least 12"),
    ({"email": "nia@example.org", "name": "Nia", "password": "Password1234"}, "password", "commonly used"),
    ({"email": "nia@example.org", "name": "Nia Newcomer-Smith", "password": "nia newcomer-smith"}, "password",
     "must not be your email address or your name"),
])
def test_field_errors_stay_on_the_form_with_what_was_typed(client, outbox, data, field, message):
    response = client.post("/register", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and f'id="{field}-error"' in html
    if data["email"]:
        assert f'value="{data["email"]}"' in html
    if data["name"]:
        assert f'value="{data["name"]}"' in html
    assert f'value="{data["password"]}"' not in html
    assert account("nia@example.org") is None and outbox() == []


def test_links_point_at_the_configured_base_url_whatever_the_host_header(make_app, outbox):
    app = make_app(BASE_URL="https://agenda.example/hub")
    register(app.test_client(), "nia@example.org", headers={"Host": "evil.example"})
    [link] = links(outbox("nia@example.org")[0])
    assert link.startswith("https://agenda.example/hub/register/confirm/")
    assert "evil.example" not in outbox("nia@example.org")[0].as_string()


def test_a_mail_failure_does_not_change_the_answer(make_app, closed_port, caplog, outbox):
    app = make_app(SMTP_URL=f"smtp://127.0.0.1:{closed_port}")
    response = register(app.test_client(), "nia@example.org")
    sent_page(response, "nia@example.org")
    assert any(r.name == "policyhub.mail" and r.levelno == logging.ERROR for r in caplog.records)


def test_registration_and_the_link_are_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2/minute").test_client()
    answers = [register(client, f"n{i}@example.org").status_code for i in range(3)]
    assert answers == [200, 200, 429]
    answers = [client.post(CONFIRM_PATH + "x").status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_a_signed_in_person_is_sent_to_the_account_page(client, make_user, login):
    login(client, make_user())
    response = client.get("/register")
    assert response.status_code == 302 and response.headers["Location"] == "/account"


def test_accounts_made_by_the_command_line_and_the_demo_are_confirmed(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "cli@example.org", "--name", "Cli",
                                                "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert account("cli@example.org").email_confirmed_at is not None
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email_confirmed_at.is_(None))) == 0
