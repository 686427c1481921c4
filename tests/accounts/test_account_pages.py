"""The pages of registration, confirmation, password reset and change keep to the template rules (one h1, no
inline script or style) and show what makes them that page."""
from __future__ import annotations

from ..test_pages_render import page
from .conftest import PASSWORD, only_link


def test_registration_pages(client, outbox):
    html = page(client.get("/register"))
    assert "We send a link to this address" in html
    html = page(client.post("/register", data={"email": "nia@example.org", "name": "Nia", "password": PASSWORD}))
    assert "Check your email" in html and "3 days" in html
    link = only_link(outbox("nia@example.org")[0], "/register/confirm/")
    html = page(client.get(link))
    assert f'action="{link}"' in html and "Confirm and sign in" in html and 'name="csrf_token"' in html
    client.post(link)
    html = page(client.get(link), 400)
    assert "This link cannot be used" in html and 'href="/login"' in html


def test_expired_link_page(client, outbox, monkeypatch):
    import itsdangerous
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: 1)
    client.post("/register", data={"email": "nia@example.org", "name": "Nia", "password": PASSWORD})
    monkeypatch.undo()
    html = page(client.get(only_link(outbox("nia@example.org")[0], "/register/confirm/")), 410)
    assert "This link has expired" in html and 'href="/register">Register again' in html


def test_login_failure_shows_the_hint_for_newcomers(client):
    html = page(client.post("/login", data={"email": "nobody@example.org", "password": "wrong"}), 401)
    assert "Just registered? Follow the link we emailed you" in html
    assert "Just registered?" not in page(client.get("/login"))


def test_password_reset_pages(client, make_user, outbox):
    make_user(email="kim@example.org")
    html = page(client.get("/password/forgot"))
    assert 'autocomplete="username"' in html
    html = page(client.post("/password/forgot", data={"email": "kim@example.org"}))
    assert "If an account uses that address" in html and "1 hour" in html
    link = only_link(outbox("kim@example.org")[0], "/password/reset/")
    html = page(client.get(link))
    assert 'autocomplete="new-password"' in html and f'action="{link}"' in html
    html = page(client.get("/password/reset/nonsense"), 400)
    assert 'href="/password/forgot">Ask for a new link' in html


def test_account_page_has_a_change_password_form(client, make_user, login):
    login(client, make_user())
    html = page(client.get("/account"))
    assert 'id="password"' in html and 'action="/account/password#password"' in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    html = page(client.post("/account/password", data={"current_password": "wrong", "new_password": "x"}), 422)
    assert "Your password was not changed" in html
