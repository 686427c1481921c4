"""One-click unsubscribe links (policyhub.mailing.unsubscribe): signed, no sign-in, GET changes nothing,
POST works without a CSRF token (RFC 8058), forged or altered links refused with a clear page."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from policyhub.errors import BadRequest, NotFound
from policyhub.extensions import db
from policyhub.mailing import preferences
from policyhub.mailing.models import EVENT_KINDS, MailPreference
from policyhub.mailing.unsubscribe import (list_unsubscribe_headers, make_token, read_token, unsubscribe,
                                           unsubscribe_url)

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def app_config(app_config):
    # As in production: every other form needs its token, so these tests prove the link does not.
    return {**app_config, "WTF_CSRF_ENABLED": True, "BASE_URL": "https://policyhub.example.org/hub"}


def stored(user) -> dict[str, str]:
    db.session.rollback()  # a fresh snapshot: requests commit on their own sessions
    return {row.kind: row.cadence for row in db.session.scalars(
        select(MailPreference).where(MailPreference.user_id == user.id))}


def path_of(url: str) -> str:
    return urlsplit(url).path.removeprefix("/hub")


def test_the_url_is_absolute_under_base_url_and_signed(app, make_user):
    user = make_user()
    url = unsubscribe_url(user.id, "comment")
    assert url.startswith("https://policyhub.example.org/hub/unsubscribe/")
    token = url.rsplit("/", 1)[1]
    assert URLSafeSerializer("test-secret", salt="mail-unsubscribe").loads(token) == [user.id, "comment"]
    assert unsubscribe_url(user.id, None) != url
    assert URLSafeSerializer("test-secret", salt="mail-unsubscribe").loads(
        unsubscribe_url(user.id, None).rsplit("/", 1)[1]) == [user.id, "all"]
    with pytest.raises(ValueError):
        unsubscribe_url(user.id, "gossip")


def test_list_unsubscribe_headers_follow_rfc_8058(app, make_user):
    user = make_user()
    headers = list_unsubscribe_headers(user.id, "revision")
    assert headers == {"List-Unsubscribe": f"<{unsubscribe_url(user.id, 'revision')}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert headers["List-Unsubscribe"].startswith("<https://") and headers["List-Unsubscribe"].endswith(">")


def test_a_link_for_one_kind_stops_only_that_kind(app, make_user):
    user = make_user()
    preferences.set_preferences(user, user, {"revision": "immediately"})
    response = app.test_client().post(path_of(unsubscribe_url(user.id, "amendment")), data=ONE_CLICK)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You are unsubscribed" in page and "amendments on documents you watch" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert stored(user) == {"revision": "immediately", "amendment": "never"}
    assert preferences.preferences_of(user)["decision"] == preferences.DEFAULTS["decision"]


def test_a_link_for_all_kinds_stops_every_kind_and_using_it_again_is_fine(app, make_user):
    user, other = make_user(), make_user()
    client = app.test_client()
    url = path_of(unsubscribe_url(user.id, None))
    for _twice in range(2):
        assert client.post(url, data=ONE_CLICK).status_code == 200
        assert stored(user) == {kind: "never" for kind in EVENT_KINDS}
    assert stored(other) == {}


def test_the_service_unsubscribes_and_reads_without_writing(app, make_user):
    user = make_user()
    token = make_token(user.id, "stale")
    found = read_token(token)
    assert (found.user.id, found.kind) == (user.id, "stale") and stored(user) == {}
    unsubscribe(token)
    assert stored(user) == {"stale": "never"}


def test_opening_the_link_shows_what_stops_and_changes_nothing(app, make_user):
    user = make_user(email="carys.lead@example.org")
    response = app.test_client().get(path_of(unsubscribe_url(user.id, None)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Stop these emails?" in page and "all email from PolicyHub" in page
    assert "c•••@example.org" in page and "carys.lead" not in page  # a forwarded link does not show the address
    assert '<button type="submit"' in page and "csrf_token" not in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert stored(user) == {}


def forged_tokens(user_id: int) -> list[str]:
    real = make_token(user_id, "comment")
    payload, _, signature = real.rpartition(".")
    other_secret = URLSafeSerializer("another-secret", salt="mail-unsubscribe").dumps([user_id, "all"])
    other_salt = URLSafeSerializer("test-secret", salt="policyhub.accounts.confirm").dumps([user_id, "all"])
    other_user = URLSafeSerializer("test-secret", salt="mail-unsubscribe").dumps([user_id, "all"]).split(".")[1]
    return [
        real[:-3] + ("abc" if not real.endswith("abc") else "xyz"),  # signature altered
        make_token(user_id + 1, "comment").rpartition(".")[0] + "." + signature,  # another person, old signature
        f"{payload}.{other_user}",  # the kind changed to all, the signature of another payload
        other_secret,
        other_salt,
        "not-a-token",
        "x" * 600,
    ]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_forged_or_altered_link_is_refused_with_a_clear_page_and_changes_nothing(app, make_user, method):
    user = make_user()
    client = app.test_client()
    for token in forged_tokens(user.id):
        response = client.open(f"/unsubscribe/{token}", method=method, data=ONE_CLICK)
        assert response.status_code == 400, token
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert stored(user) == {}
    assert db.session.scalar(select(MailPreference.id)) is None


def test_a_well_signed_payload_of_the_wrong_shape_is_refused(app, make_user):
    user = make_user()
    signer = URLSafeSerializer("test-secret", salt="mail-unsubscribe")
    for payload in ([user.id, "gossip"], [str(user.id), "all"], [user.id], {"u": user.id}, [True, "all"]):
        with pytest.raises(BadRequest):
            read_token(signer.dumps(payload))
    assert stored(user) == {}


def test_a_link_for_an_account_that_is_gone_is_a_404(app):
    token = make_token(999, None)
    with pytest.raises(NotFound):
        unsubscribe(token)
    response = app.test_client().post(f"/unsubscribe/{token}", data=ONE_CLICK)
    assert response.status_code == 404
    assert "no longer exists" in response.get_data(as_text=True)


def test_a_signed_in_visitor_unsubscribes_whoever_the_link_names_without_a_csrf_token(app, make_user, login):
    named, visitor = make_user(), make_user()
    client = login(app.test_client(), visitor)
    response = client.post(path_of(unsubscribe_url(named.id, "revision")), data={})
    assert response.status_code == 200
    assert stored(named) == {"revision": "never"} and stored(visitor) == {}


def test_the_links_in_the_headers_work_as_a_mail_client_uses_them(app, make_user):
    user = make_user()
    headers = list_unsubscribe_headers(user.id, "decision")
    url = headers["List-Unsubscribe"].strip("<>")
    body = headers["List-Unsubscribe-Post"]
    response = app.test_client().post(path_of(url), data=body,
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert stored(user) == {"decision": "never"}
