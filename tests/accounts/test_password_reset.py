"""Password reset by a mailed link: the same answer for every address, a link that works once and for an hour,
a new password under the usual rules, every session ended and the person signed in afresh."""
from __future__ import annotations

import time

import itsdangerous
import pytest
from sqlalchemy import select

from policyhub.accounts import services
from policyhub.accounts.models import User
from policyhub.extensions import db
from policyhub.parties.models import AuditEvent
from policyhub.reauth import SESSION_KEY as AUTH_AT

from .conftest import NEW_PASSWORD, PASSWORD, copy_cookies, links, main_content, only_link, remember_cookie, \
    session_cookie, signed_in

RESET_PATH = "/password/reset/"


def forgot(client, email: str, **kwargs):
    return client.post("/password/forgot", data={"email": email}, **kwargs)


def reset_link(client, outbox, email: str) -> str:
    forgot(client, email)
    return only_link(outbox(email)[-1], RESET_PATH)


def fresh(user: User) -> User:
    db.session.rollback()
    return db.session.get(User, user.id)


def test_the_forgot_page_links_from_sign_in_and_asks_for_an_address(client):
    assert 'href="/password/forgot">Forgot your password?' in client.get("/login").get_data(as_text=True)
    page = client.get("/password/forgot")
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)


def test_every_address_gets_the_same_answer_and_only_an_active_account_a_mail(client, make_user, outbox):
    from policyhub.parties.services import set_user_active
    make_user(email="kim@example.org")
    gone = make_user(email="gone@example.org")
    set_user_active(make_user(admin=True), gone, False)

    pages = {}
    for address in ("kim@example.org", "nobody@example.org", "gone@example.org"):
        response = forgot(client, address)
        assert response.status_code == 200
        html = main_content(response)
        assert "If an account uses that address, we have emailed a link" in html
        pages[address] = html.replace(address, "ADDRESS")
    assert len(set(pages.values())) == 1
    assert [m["To"] for m in outbox()] == ["kim@example.org"]
    assert outbox()[0]["Subject"] == "Reset your PolicyHub password"


def test_a_malformed_address_is_a_field_error(client, outbox):
    response = forgot(client, "not-an-email")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="email-error"' in html and 'value="not-an-email"' in html
    assert outbox() == []


def test_the_link_sets_a_new_password_ends_every_session_and_signs_in_afresh(app, client, make_user, outbox):
    user = make_user(email="kim@example.org")
    laptop = app.test_client()
    assert laptop.post("/login", data={"email": "kim@example.org", "password": PASSWORD,
                                       "remember": "y"}).status_code == 302
    thief = app.test_client()
    copy_cookies(app, laptop, thief, session_cookie(app), remember_cookie(app))

    link = reset_link(client, outbox, "kim@example.org")
    page = client.get(link)
    assert page.status_code == 200 and "kim@example.org" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
    assert signed_in(laptop), "asking for a link changes nothing"

    with client.session_transaction() as session:
        session["left_over"] = "from before"
    done = client.post(link, data={"password": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert signed_in(client)
    with client.session_transaction() as session:
        assert "left_over" not in session and session["_user_id"] == f"{user.id}.2"
        assert isinstance(session[AUTH_AT], int)
    assert not signed_in(laptop) and not signed_in(thief)

    assert services.authenticate("kim@example.org", NEW_PASSWORD) is not None
    assert services.authenticate("kim@example.org", PASSWORD) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert event is not None and event.target_id == user.id
    assert outbox("kim@example.org")[-1]["Subject"] == "Your PolicyHub password was changed"


def test_a_link_works_once(app, client, make_user, outbox):
    make_user(email="kim@example.org")
    link = reset_link(client, outbox, "kim@example.org")
    client.post(link, data={"password": NEW_PASSWORD})

    other = app.test_client()
    for response in (other.get(link), other.post(link, data={"password": "yet another long password"})):
        assert response.status_code == 400 and "already been used" in response.get_data(as_text=True)
    assert not signed_in(other)
    assert services.authenticate("kim@example.org", NEW_PASSWORD) is not None


def test_a_link_works_for_an_hour(client, make_user, outbox, monkeypatch):
    make_user(email="kim@example.org")
    signed_at = int(time.time())
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: signed_at)
    link = reset_link(client, outbox, "kim@example.org")
    monkeypatch.undo()
    monkeypatch.setattr(time, "time", lambda: signed_at + 3600 - 60)
    assert client.get(link).status_code == 200
    monkeypatch.setattr(time, "time", lambda: signed_at + 3600 + 60)
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert services.authenticate("kim@example.org", PASSWORD) is not None


def test_a_refused_password_keeps_the_link_usable(client, make_user, outbox):
    user = make_user("Kim Known", email="kim@example.org")
    link = reset_link(client, outbox, "kim@example.org")
    for password, message in (("short", "at least 12"), ("Password1234", "commonly used"),
                              ("KIM@example.org", "must not be your email address")):
        response = client.post(link, data={"password": password})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and message in html and password not in html
    assert fresh(user).session_version == 1 and not signed_in(client)
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302


def test_signing_out_or_a_newer_password_ends_older_links(client, make_user, outbox, login):
    user = make_user(email="kim@example.org")
    link = reset_link(client, outbox, "kim@example.org")
    login(client, user)
    client.post("/logout")  # signing out everywhere is a reason to stop trusting older links too
    assert client.get(link).status_code == 400


def test_a_link_for_one_purpose_does_not_pass_for_another(client, outbox):
    client.post("/register", data={"email": "nia@example.org", "name": "Nia", "password": PASSWORD})
    confirm = only_link(outbox("nia@example.org")[0], "/register/confirm/")
    token = confirm.removeprefix("/register/confirm/")
    response = client.post(RESET_PATH + token, data={"password": NEW_PASSWORD})
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_a_reset_confirms_an_unconfirmed_address(client, outbox):
    client.post("/register", data={"email": "nia@example.org", "name": "Nia", "password": PASSWORD})
    link = reset_link(client, outbox, "nia@example.org")
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "nia@example.org"))
    assert user.email_confirmed_at is not None and signed_in(client)


def test_a_deactivated_account_cannot_use_an_earlier_link(client, make_user, outbox):
    from policyhub.parties.services import set_user_active
    user = make_user(email="kim@example.org")
    link = reset_link(client, outbox, "kim@example.org")
    set_user_active(make_user(admin=True), user, False)
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 400
    assert not signed_in(client)


def test_links_point_at_the_configured_base_url_whatever_the_host_header(make_app, make_user, outbox):
    make_user(email="kim@example.org")
    app = make_app(BASE_URL="https://agenda.example")
    forgot(app.test_client(), "kim@example.org", headers={"Host": "evil.example"})
    [link] = links(outbox("kim@example.org")[0])
    assert link.startswith("https://agenda.example/password/reset/")


@pytest.mark.parametrize("path, data", [("/password/forgot", {"email": "x@example.org"}),
                                        (RESET_PATH + "not-a-token", {"password": NEW_PASSWORD})])
def test_asking_and_resetting_are_rate_limited(make_app, path, data):
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2/minute").test_client()
    answers = [client.post(path, data=data).status_code for _ in range(3)]
    assert answers[2] == 429 and 429 not in answers[:2]
    assert client.get(path).status_code != 429  # reading the page is not limited
