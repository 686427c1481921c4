"""Cross-site request forgery, with CSRF checks on as in production: every HTML route that changes state
refuses a form without its token, or with a wrong one, and changes nothing; the API, which is exempt from
CSRF checks, never takes the session cookie as a credential; and no GET route changes anything.

The routes come from the app's url_map (world.py), with sample URL arguments from a small seeded world,
so a route added later is tested here without anyone remembering to add it.
"""
from __future__ import annotations

import pytest

from policyhub.extensions import csrf
from policyhub.forms import EXPIRED_MESSAGE

from .world import Seeded, changed_tables, database_snapshot, get_rules, is_api, state_changing_rules

# These views check their own token, in the form, so that an expired one shows the form again with what was
# typed instead of an error page that loses it. They answer 422 with EXPIRED_MESSAGE (see policyhub/forms.py).
SELF_CHECKING = {
    "documents.new": "a new document's text",
    "documents.edit": "an edit's text",
    "amendments.new": "an amendment's text and rationale",
    "amendments.edit": "an amendment's new text",
    "amendments.comment": "a comment",
    "endorsements.endorse": "an endorsement's statement",
}

# These views take no CSRF token at all: a signed token in the URL is the authority, and mail clients POST
# to them without ever loading a page (RFC 8058 one-click unsubscribe). Tested below and in tests/mailing.
SIGNED_LINK = {
    "mailing.unsubscribe": "a mail's one-click unsubscribe link",
}

TYPED = "Typed by hand, not to be lost"
# Every text field any form has: each form shows again the ones it has.
FORM = {"title": TYPED, "body": TYPED, "rationale": TYPED, "statement": TYPED, "summary": TYPED,
        "note": TYPED, "label": TYPED, "name": TYPED, "email": "someone@example.org", "password": "x" * 12,
        "party": "labour", "role": "lead", "status": "consultation", "active": "0", "decision": "approve",
        "revision": "1", "base_revision": "2", "to": "1", "colour": "#123456", "slug": "forged"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _html_write_rules(app):
    return [rule for rule in state_changing_rules(app) if not is_api(rule)]


def test_the_self_checking_views_are_exactly_the_exempt_ones(app):
    """A view exempted from the global check must be one that checks the token itself, or one whose signed
    link is the authority (both listed above)."""
    exempt = {rule.endpoint for rule in _html_write_rules(app)
              if f"{app.view_functions[rule.endpoint].__module__}.{app.view_functions[rule.endpoint].__name__}"
              in csrf._exempt_views}
    assert exempt == set(SELF_CHECKING) | set(SIGNED_LINK)


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["no-token", "wrong-token"])
def test_every_html_write_without_a_valid_token_is_refused_and_changes_nothing(app, seeded: Seeded, login,
                                                                               token):
    rules = _html_write_rules(app)
    assert len(rules) > 30  # the url_map was read
    client = login(app.test_client(), seeded.lead)  # signed in, so that only the token is missing
    data = FORM if token is None else {**FORM, "csrf_token": token}
    problems = []
    for rule in rules:
        if rule.endpoint in SIGNED_LINK:
            continue  # no CSRF token by design: see test_a_signed_link_needs_no_csrf_token_but_a_valid_signature
        before = database_snapshot()
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            url = seeded.url(app, rule, method)
            response = client.open(url, method=method, data=data)
            page = response.get_data(as_text=True)
            if rule.endpoint in SELF_CHECKING:
                if response.status_code != 422 or EXPIRED_MESSAGE not in page or TYPED not in page:
                    problems.append(f"{method} {url}: {response.status_code}, expected the form again (422)")
            elif response.status_code != 400 or "Your form expired or came from another site" not in page:
                problems.append(f"{method} {url}: {response.status_code}, expected 400")
        changed = changed_tables(before, database_snapshot())
        if changed:
            problems.append(f"{rule.endpoint} changed {changed}")
    assert not problems, problems
    assert client.get("/account").status_code == 200, "a forged sign-out signed the person out"


def test_a_signed_link_needs_no_csrf_token_but_a_valid_signature(app, seeded: Seeded):
    """The one-click unsubscribe POST works from another site or a mail client with no session and no CSRF
    token, but only with its signed token: a forged or altered one changes nothing."""
    client = app.test_client()
    one_click = {"List-Unsubscribe": "One-Click"}
    rule = next(rule for rule in state_changing_rules(app) if rule.endpoint == "mailing.unsubscribe")
    for forged in (seeded.reset_token, seeded.unsubscribe_token[:-2] + "xx", "forged-token"):
        before = database_snapshot()
        response = client.post(f"/unsubscribe/{forged}", data=one_click)
        assert response.status_code in (400, 404), forged
        assert changed_tables(before, database_snapshot()) == []
    before = database_snapshot()
    response = client.post(seeded.url(app, rule, "POST"), data=one_click)
    assert response.status_code == 200
    assert changed_tables(before, database_snapshot()) == ["mail_preferences"]


# API POSTs that change nothing and need no token (API.md): checking a receipt.
PUBLIC_API_POSTS = {"api.verify_receipt"}


def test_the_api_never_takes_the_session_cookie_for_a_write(app, seeded: Seeded, login):
    rules = [rule for rule in state_changing_rules(app) if is_api(rule)]
    assert len(rules) >= 10
    client = app.test_client()
    problems = []
    for person in (seeded.lead, seeded.admin):  # between them, allowed to do every API write
        login(client, person)
        for rule in rules:
            before = database_snapshot()
            for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                url = seeded.url(app, rule, method)
                response = client.open(url, method=method, json={"status": "consultation", "revision": 1})
                if rule.endpoint in PUBLIC_API_POSTS:
                    continue  # open to anyone (API.md); the snapshot below still proves it changed nothing
                if response.status_code != 401 or response.get_json()["error"] != "unauthorized":
                    problems.append(f"{method} {url} as {person.name}: {response.status_code}")
            changed = changed_tables(before, database_snapshot())
            if changed:
                problems.append(f"{rule.endpoint} changed {changed}")
    assert not problems, problems


@pytest.mark.parametrize("who", ["anonymous", "admin", "member"])
def test_no_get_route_changes_anything(app, seeded: Seeded, login, who):
    """Not a row of any table (audit events included): GET is safe, so that a link, a prefetch or a mail
    scanner can never act for anyone. The confirmation and reset links are real ones."""
    client = app.test_client()
    if who != "anonymous":
        login(client, getattr(seeded, who))
    problems, statuses = [], {}
    for rule in get_rules(app):
        url = seeded.url(app, rule, "GET")
        before = database_snapshot()
        statuses[rule.endpoint] = status = client.get(url).status_code
        changed = changed_tables(before, database_snapshot())
        if changed or status >= 500:
            problems.append(f"GET {url} ({status}) changed {changed}")
    assert not problems, problems
    assert len(statuses) > 40
    if who == "anonymous":  # the links were live ones: their pages opened
        assert statuses["accounts.confirm_email"] == statuses["accounts.reset_password"] == 200
