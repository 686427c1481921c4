"""Recent authentication before sensitive actions: endorsing, withdrawing an endorsement, and changing
someone's party, role or account in the administration. A session whose password is older than 15 minutes
gets a password page that keeps everything sent; the right password carries the action out as sent, a
wrong one does nothing (401), and wrong ones are rate-limited per person."""
from __future__ import annotations

import re
import time
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from policyhub.accounts.models import User
from policyhub.endorsements import services as endorsements
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db
from policyhub.parties.models import AuditEvent
from policyhub.reauth import PASSWORD_FIELD, RECENT_AUTH_SECONDS, SESSION_KEY, has_recent_auth

PASSWORD = "correct horse battery staple"  # tests/conftest.py's
CONFIRM = "Confirm your password to continue"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')
FORM_ACTION = re.compile(r'<form class="stack-form" method="post" action="([^"]*)"')


def make_stale(client, seconds: int = RECENT_AUTH_SECONDS + 60) -> None:
    """The password was last entered ``seconds`` ago (16 minutes by default)."""
    with client.session_transaction() as session:
        session[SESSION_KEY] = int(time.time()) - seconds


def auth_at(client) -> Any:
    with client.session_transaction() as session:
        return session.get(SESSION_KEY)


def kept_fields(response) -> tuple[str, dict[str, str]]:
    """The confirmation page's form: where it posts, and the hidden fields it sends back."""
    html = response.get_data(as_text=True)
    action = FORM_ACTION.search(html)
    assert action, html[:2000]
    form = html[action.end():html.index("</form>", action.end())]  # not the header's sign-out form
    pairs = [(unescape(name), unescape(value)) for name, value in HIDDEN.findall(form)]
    assert len({name for name, _ in pairs}) == len(pairs), f"a field sent twice: {pairs}"
    return unescape(action.group(1)), dict(pairs)


def live(document) -> list[Endorsement]:
    db.session.rollback()
    return list(db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id,
                                                             Endorsement.ended_at.is_(None))))


def audit_count() -> int:
    db.session.rollback()
    return len(db.session.scalars(select(AuditEvent.id)).all())


@pytest.fixture
def lead(make_user, labour):
    return make_user("Rachel Lead", party=labour, role="lead")


@pytest.fixture
def document(make_user, labour, make_document):
    return make_document(make_user("Tom Member", party=labour), title="Fair votes", slug="fair-votes", revisions=2)


STATEMENT = "Labour backs <this> & \"that\"\nover two lines."
ENDORSE = {"revision": "1", "statement": STATEMENT, "next": "/agenda"}


# --- endorsing -------------------------------------------------------------------------------------------

def test_a_stale_session_gets_the_password_page_and_nothing_is_endorsed(client, login, lead, document):
    login(client, lead)
    make_stale(client)
    before = audit_count()
    response = client.post("/documents/fair-votes/endorsements", data=ENDORSE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert CONFIRM in html and f'name="{PASSWORD_FIELD}"' in html and 'type="password"' in html
    action, fields = kept_fields(response)
    assert action == "/documents/fair-votes/endorsements"
    assert fields == ENDORSE  # everything sent, exactly, newlines and markup characters included
    assert response.headers["Cache-Control"] == "no-store"  # it holds what the person typed
    assert live(document) == [] and audit_count() == before


def test_the_right_password_endorses_with_the_typed_statement(client, login, lead, document):
    login(client, lead)
    make_stale(client)
    action, fields = kept_fields(client.post("/documents/fair-votes/endorsements", data=ENDORSE))
    response = client.post(action, data={**fields, PASSWORD_FIELD: PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/agenda"
    [endorsement] = live(document)
    assert endorsement.statement == STATEMENT
    assert endorsement.revision_number == 1 and endorsement.endorsed_by_id == lead.id
    assert has_recent_auth({SESSION_KEY: auth_at(client)})  # confirmed: the next action goes straight through


def test_a_wrong_password_does_nothing_and_keeps_what_was_sent(client, login, lead, document):
    login(client, lead)
    make_stale(client)
    stale_at = auth_at(client)
    action, fields = kept_fields(client.post("/documents/fair-votes/endorsements", data=ENDORSE))
    before = audit_count()
    response = client.post(action, data={**fields, PASSWORD_FIELD: "not the password"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert CONFIRM in html and "That password is not right" in html
    assert 'aria-invalid="true"' in html  # the error is tied to the field
    again_action, again = kept_fields(response)
    assert again_action == action and again == ENDORSE and PASSWORD_FIELD not in again
    assert "not the password" not in html  # a wrong password is never echoed back
    assert live(document) == [] and audit_count() == before and auth_at(client) == stale_at


def test_an_empty_password_is_a_wrong_one(client, login, lead, document):
    login(client, lead)
    make_stale(client)
    response = client.post("/documents/fair-votes/endorsements", data={**ENDORSE, PASSWORD_FIELD: ""})
    assert response.status_code == 401 and live(document) == []


def test_a_fresh_session_endorses_directly(client, login, lead, document):
    login(client, lead)  # as a password sign-in: just now
    response = client.post("/documents/fair-votes/endorsements", data=ENDORSE)
    assert response.status_code == 302 and response.headers["Location"] == "/agenda"
    assert [e.revision_number for e in live(document)] == [1]


def test_a_session_without_any_password_time_is_stale(client, lead, document):
    with client.session_transaction() as session:  # signed in, but never through a password check
        session["_user_id"] = lead.get_id()
    response = client.post("/documents/fair-votes/endorsements", data=ENDORSE)
    assert response.status_code == 200 and CONFIRM in response.get_data(as_text=True)
    assert live(document) == []


def test_the_anonymous_are_sent_to_sign_in_not_asked_for_a_password(client, document):
    response = client.post("/documents/fair-votes/endorsements", data=ENDORSE)
    assert CONFIRM not in response.get_data(as_text=True)
    assert response.status_code == 401 or "/login" in response.headers.get("Location", "")
    assert live(document) == []


def test_cancel_goes_back_to_the_page_the_form_was_on(client, login, lead, document):
    login(client, lead)
    make_stale(client)
    response = client.post("/documents/fair-votes/endorsements", data=ENDORSE,
                           headers={"Referer": "http://localhost/documents/fair-votes"})
    assert 'href="/documents/fair-votes">Cancel</a>' in response.get_data(as_text=True)
    wrong = client.post("/documents/fair-votes/endorsements", data={**ENDORSE, PASSWORD_FIELD: "x"},
                        headers={"Referer": "http://localhost/documents/fair-votes/endorsements"})
    assert 'href="/">Cancel</a>' in wrong.get_data(as_text=True)  # never back to a POST-only address


# --- withdrawing -----------------------------------------------------------------------------------------

def test_withdrawing_needs_a_recent_password(client, login, lead, document):
    endorsements.endorse(lead, document)
    login(client, lead)
    make_stale(client)
    url = "/documents/fair-votes/endorsements/labour/withdraw"
    asked = client.post(url, data={"next": "/documents/fair-votes"})
    assert asked.status_code == 200 and CONFIRM in asked.get_data(as_text=True)
    assert len(live(document)) == 1
    action, fields = kept_fields(asked)
    assert action == url and fields == {"next": "/documents/fair-votes"}
    assert client.post(action, data={**fields, PASSWORD_FIELD: "wrong"}).status_code == 401
    assert len(live(document)) == 1
    done = client.post(action, data={**fields, PASSWORD_FIELD: PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/documents/fair-votes"
    assert live(document) == []


def test_minting_an_api_token_needs_a_recent_password(client, login, lead):
    from policyhub.accounts.models import ApiToken
    login(client, lead)
    make_stale(client)
    asked = client.post("/account/tokens", data={"label": "campaign site"})
    assert asked.status_code == 200 and CONFIRM in asked.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == lead.id)) is None
    action, fields = kept_fields(asked)
    assert action == "/account/tokens" and fields == {"label": "campaign site"}
    done = client.post(action, data={**fields, PASSWORD_FIELD: PASSWORD})
    assert done.status_code == 200 and "phk_" in done.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(ApiToken.label).where(ApiToken.user_id == lead.id)) == "campaign site"


# --- administration --------------------------------------------------------------------------------------

@pytest.fixture
def admin(make_user):
    return make_user("Ada Admin", admin=True)


@pytest.fixture
def person(make_user, labour):
    return make_user("Pat Person", party=labour)


def _person(person_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, person_id)


@pytest.mark.parametrize("path, data, changed", [
    ("membership", {"party": "labour", "role": "lead"}, lambda user: user.is_lead),
    ("membership/remove", {}, lambda user: user.membership is None),
    ("active", {"active": "0"}, lambda user: not user.is_active),
])
def test_admin_changes_to_people_need_a_recent_password(client, login, admin, person, path, data, changed):
    login(client, admin)
    make_stale(client)
    url = f"/admin/users/{person.id}/{path}"
    before = audit_count()
    asked = client.post(url, data=data)
    assert asked.status_code == 200 and CONFIRM in asked.get_data(as_text=True)
    assert not changed(_person(person.id)) and audit_count() == before
    action, fields = kept_fields(asked)
    assert action == url and fields == data

    assert client.post(action, data={**fields, PASSWORD_FIELD: "wrong"}).status_code == 401
    assert not changed(_person(person.id)) and audit_count() == before

    done = client.post(action, data={**fields, PASSWORD_FIELD: PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/users/{person.id}")
    assert changed(_person(person.id)) and audit_count() > before


def test_non_admins_are_refused_before_any_password_is_asked(client, login, person):
    login(client, person)
    make_stale(client)
    response = client.post(f"/admin/users/{person.id}/active", data={"active": "0"})
    assert response.status_code == 403 and CONFIRM not in response.get_data(as_text=True)


# --- with CSRF on ----------------------------------------------------------------------------------------

class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    @staticmethod
    def _token(client, path: str) -> str:
        html = client.get(path).get_data(as_text=True)
        return unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1))

    def test_the_token_travels_through_the_password_page(self, client, login, lead, document):
        login(client, lead)
        token = self._token(client, "/documents/fair-votes/endorsements")
        make_stale(client)
        asked = client.post("/documents/fair-votes/endorsements", data={**ENDORSE, "csrf_token": token})
        action, fields = kept_fields(asked)
        assert fields["csrf_token"] == token
        done = client.post(action, data={**fields, PASSWORD_FIELD: PASSWORD})
        assert done.status_code == 302 and len(live(document)) == 1

    def test_a_forged_request_never_gets_the_password_page(self, client, login, lead, admin, person, document):
        login(client, lead)
        make_stale(client)
        forged = client.post("/documents/fair-votes/endorsements", data={**ENDORSE, PASSWORD_FIELD: PASSWORD})
        html = forged.get_data(as_text=True)
        assert CONFIRM not in html and forged.status_code in (400, 422)
        assert "Everything you typed is still here" in html  # the endorse form's own expired-token answer
        assert not has_recent_auth({SESSION_KEY: auth_at(client)}), "no password was checked"
        assert live(document) == []

        login(client, admin)
        make_stale(client)
        forged = client.post(f"/admin/users/{person.id}/active", data={"active": "0"})
        assert forged.status_code == 400 and CONFIRM not in forged.get_data(as_text=True)
        assert _person(person.id).is_active


# --- rate limit ----------------------------------------------------------------------------------------------

class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2/minute"}

    def test_wrong_confirmations_are_limited_per_person_and_keep_the_fields(self, app, login, lead, make_user,
                                                                            labour, document):
        client = app.test_client()
        login(client, lead)
        make_stale(client)
        url = "/documents/fair-votes/endorsements"
        # Being asked, and a right confirmation, count nothing.
        assert client.post(url, data=ENDORSE).status_code == 200
        assert client.post(url, data=ENDORSE).status_code == 200
        for _ in range(2):
            assert client.post(url, data={**ENDORSE, PASSWORD_FIELD: "wrong"}).status_code == 401
        limited = client.post(url, data={**ENDORSE, PASSWORD_FIELD: PASSWORD})  # even the right one, now
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        assert CONFIRM in limited.get_data(as_text=True) and "Too many wrong passwords" in limited.get_data(as_text=True)
        assert kept_fields(limited)[1] == ENDORSE
        assert live(document) == []

        other = app.test_client()  # another lead of the same party, from the same address: unaffected
        login(other, make_user("Second Lead", party=labour, role="lead"))
        make_stale(other)
        assert other.post(url, data={**ENDORSE, PASSWORD_FIELD: PASSWORD}).status_code == 302
        assert len(live(document)) == 1

    def test_a_right_confirmation_is_not_counted(self, app, login, lead, document):
        client = app.test_client()
        login(client, lead)
        url = "/documents/fair-votes/endorsements"
        for _ in range(3):
            make_stale(client)
            assert client.post(url, data={**ENDORSE, PASSWORD_FIELD: PASSWORD}).status_code == 302
