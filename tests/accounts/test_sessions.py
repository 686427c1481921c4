"""Sessions carry a per-user version: signing out or changing the password ends every session and remember-me
cookie of that person, wherever it was copied to; signing in starts a fresh session marked as recent."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from policyhub.accounts import services
from policyhub.accounts.models import User
from policyhub.extensions import db
from policyhub.parties.models import AuditEvent
from policyhub.reauth import SESSION_KEY as AUTH_AT

from .conftest import NEW_PASSWORD, PASSWORD, copy_cookies, remember_cookie, session_cookie, signed_in


def sign_in(client, email: str, password: str = PASSWORD, remember: bool = False):
    data = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def fresh(user: User) -> User:
    db.session.rollback()  # the request committed in its own session; read it anew
    return db.session.get(User, user.id)


def test_the_session_id_names_the_user_and_the_session_version(app, make_user):
    user = make_user()
    assert user.session_version == 1 and user.get_id() == f"{user.id}.1"
    assert services.user_for_session_id(f"{user.id}.1") == user
    services.end_all_sessions(user)
    assert fresh(user).get_id() == f"{user.id}.2"
    for stale_or_malformed in (f"{user.id}.1", f"{user.id}.3", str(user.id), f"{user.id}.", f".{user.id}",
                               f"{user.id}.2.0", "x.2", f"{user.id}.²", f"{user.id}.-2", "9" * 40 + ".2", ""):
        assert services.user_for_session_id(stale_or_malformed) is None, stale_or_malformed
    assert services.user_for_session_id(f"{user.id}.2") == fresh(user)


def test_sign_in_starts_a_fresh_session_marked_as_recent(client, make_user):
    user = make_user(email="fay@example.org")
    with client.session_transaction() as session:
        session["left_over"] = "from before signing in"
    sign_in(client, "fay@example.org")
    with client.session_transaction() as session:
        assert "left_over" not in session
        assert session["_user_id"] == f"{user.id}.1"
        assert isinstance(session[AUTH_AT], int)


def test_sign_out_ends_a_copied_session_cookie(app, client, make_user):
    make_user(email="gil@example.org")
    sign_in(client, "gil@example.org")
    thief = app.test_client()
    copy_cookies(app, client, thief, session_cookie(app))
    assert signed_in(thief)  # the copy works while the session lives

    client.post("/logout")
    assert not signed_in(client)
    assert not signed_in(thief)


def test_sign_out_ends_a_copied_remember_me_cookie(app, client, make_user):
    make_user(email="hal@example.org")
    sign_in(client, "hal@example.org", remember=True)
    thief = app.test_client()
    copy_cookies(app, client, thief, remember_cookie(app))  # the remember cookie alone signs a browser in
    assert signed_in(thief)

    client.post("/logout")
    later = app.test_client()
    copy_cookies(app, thief, later, remember_cookie(app))
    assert not signed_in(later)
    assert not signed_in(thief)  # and the session the cookie had already opened ended too


def test_sign_out_ends_the_persons_other_sessions_too(app, make_user):
    make_user(email="ida@example.org")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "ida@example.org")
    sign_in(phone, "ida@example.org")
    phone.post("/logout")
    assert not signed_in(laptop)


def test_a_deactivated_person_is_anonymous_at_the_next_request_even_with_a_remember_cookie(app, client,
                                                                                           make_user):
    from policyhub.parties.services import set_user_active
    user, admin = make_user(email="jo@example.org"), make_user(admin=True)
    sign_in(client, "jo@example.org", remember=True)
    remembered = app.test_client()
    copy_cookies(app, client, remembered, remember_cookie(app))
    assert signed_in(client) and signed_in(remembered)

    set_user_active(admin, user, False)
    assert not signed_in(client)
    assert not signed_in(remembered)
    set_user_active(admin, user, True)  # reactivated: the sessions from before stay ended
    assert not signed_in(client)
    assert not signed_in(remembered)


def test_an_unconfirmed_account_has_no_session_even_with_a_forged_version(app, client):
    services.start_registration("kit@example.org", "Kit", PASSWORD)
    user = db.session.scalar(select(User).where(User.email == "kit@example.org"))
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert not signed_in(client)


def test_changing_the_password_keeps_this_session_and_ends_every_other(app, client, make_user, outbox):
    user = make_user(email="lou@example.org")
    sign_in(client, "lou@example.org", remember=True)
    other = app.test_client()
    sign_in(other, "lou@example.org")
    thief = app.test_client()
    copy_cookies(app, client, thief, session_cookie(app), remember_cookie(app))
    with client.session_transaction() as session:
        session[AUTH_AT] = 1  # long ago: the change must mark it recent again

    response = client.post("/account/password", data={"current_password": PASSWORD,
                                                      "new_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account#password"
    assert signed_in(client)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}.2" and session[AUTH_AT] > 1
    assert not signed_in(other) and not signed_in(thief)

    # The remember-me cookie was renewed for the new version: it alone still signs this browser in.
    renewed = app.test_client()
    copy_cookies(app, client, renewed, remember_cookie(app))
    assert signed_in(renewed)

    assert services.authenticate("lou@example.org", NEW_PASSWORD) is not None
    assert services.authenticate("lou@example.org", PASSWORD) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_change"))
    assert event is not None and event.actor_id == user.id and event.target_id == user.id
    assert [m["Subject"] for m in outbox("lou@example.org")] == ["Your PolicyHub password was changed"]


@pytest.mark.parametrize("current, new, field, message", [
    ("not my password at all", NEW_PASSWORD, "current_password", "not your current password"),
    (PASSWORD, "short", "new_password", "at least 12"),
    (PASSWORD, "Password1234", "new_password", "commonly used"),
    (PASSWORD, "LOU@example.org", "new_password", "must not be your email address"),
])
def test_a_refused_password_change_changes_nothing(app, client, make_user, current, new, field, message):
    user = make_user("Lou Lambert", email="lou@example.org")
    sign_in(client, "lou@example.org")
    other = app.test_client()
    sign_in(other, "lou@example.org")

    response = client.post("/account/password", data={"current_password": current, "new_password": new})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert f'id="{field}-error"' in html
    assert new not in html and current not in html  # passwords are never sent back
    assert fresh(user).session_version == 1
    assert signed_in(client) and signed_in(other)
    assert services.authenticate("lou@example.org", PASSWORD) is not None


def test_changing_the_password_needs_a_signed_in_person(client):
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
