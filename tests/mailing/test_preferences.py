"""Mail preferences per event kind (policyhub.mailing.preferences) and the account page's form for them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from policyhub.errors import BadRequest, Forbidden, Invalid, Unauthorized
from policyhub.extensions import db
from policyhub.mailing import preferences
from policyhub.mailing.models import CADENCES, EVENT_KINDS, MailPreference


def rows(user) -> dict[str, str]:
    db.session.rollback()  # a fresh snapshot: requests commit on their own sessions
    return {row.kind: row.cadence for row in db.session.scalars(
        select(MailPreference).where(MailPreference.user_id == user.id))}


# --- the service -----------------------------------------------------------------------------------------

def test_defaults_cover_every_kind_with_an_offered_cadence():
    assert set(preferences.DEFAULTS) == set(EVENT_KINDS)
    assert set(preferences.DEFAULTS.values()) <= set(CADENCES)


def test_a_person_who_never_chose_has_the_defaults_and_no_rows(make_user):
    user = make_user()
    assert preferences.preferences_of(user) == {kind: preferences.DEFAULTS[kind] for kind in EVENT_KINDS}
    assert rows(user) == {}


def test_setting_some_kinds_keeps_the_others_and_upserts(make_user):
    user = make_user()
    result = preferences.set_preferences(user, user, {"revision": "weekly", "comment": "never"})
    assert result["revision"] == "weekly" and result["comment"] == "never"
    assert result["amendment"] == preferences.DEFAULTS["amendment"]
    assert rows(user) == {"revision": "weekly", "comment": "never"}
    # Again, changing one: the row is updated, not duplicated.
    preferences.set_preferences(user, user, {"revision": "immediately"})
    assert rows(user) == {"revision": "immediately", "comment": "never"}
    assert db.session.scalar(select(func.count(MailPreference.id))) == 2


def test_anyone_may_store_a_choice_for_the_kinds_of_leads_and_members(make_user):
    non_aligned = make_user()
    result = preferences.set_preferences(non_aligned, non_aligned, {"stale": "daily", "red_line": "never"})
    assert (result["stale"], result["red_line"]) == ("daily", "never")


def test_cadences_reads_many_people_in_one_query(make_user, count_queries):
    chose, other, third = make_user(), make_user(), make_user()
    preferences.set_preferences(chose, chose, {"amendment": "weekly"})
    preferences.set_preferences(third, third, {"revision": "never"})  # another kind: not read
    ids = [chose.id, other.id, third.id]
    found: dict[int, str] = {}
    assert count_queries(lambda: found.update(preferences.cadences(ids, "amendment"))) == 1
    assert found == {chose.id: "weekly", other.id: preferences.DEFAULTS["amendment"],
                     third.id: preferences.DEFAULTS["amendment"]}
    assert preferences.cadences([], "amendment") == {}
    with pytest.raises(BadRequest):
        preferences.cadences([chose.id], "endorsement")


@pytest.mark.parametrize("choices, field", [
    ({"revision": "hourly"}, "revision"),
    ({"gossip": "daily"}, "gossip"),
    ({"decision": ""}, "decision"),
])
def test_unknown_kinds_and_cadences_are_invalid_and_change_nothing(make_user, choices, field):
    user = make_user()
    preferences.set_preferences(user, user, {"comment": "weekly"})
    with pytest.raises(Invalid) as raised:
        preferences.set_preferences(user, user, {"comment": "never", **choices})
    assert field in raised.value.fields
    assert rows(user) == {"comment": "weekly"}


@pytest.mark.parametrize("choices", [["revision"], {"revision": 3}, {"revision": None}, {1: "daily"}, "daily"])
def test_values_of_the_wrong_type_are_a_bad_request(make_user, choices):
    user = make_user()
    with pytest.raises(BadRequest):
        preferences.set_preferences(user, user, choices)
    assert rows(user) == {}


def test_only_the_person_themselves_may_change_their_choices(make_user):
    user, other, admin = make_user(), make_user(), make_user(admin=True)
    with pytest.raises(Forbidden):
        preferences.set_preferences(other, user, {"revision": "never"})
    with pytest.raises(Forbidden):
        preferences.set_preferences(admin, user, {"revision": "never"})
    with pytest.raises(Unauthorized):
        preferences.set_preferences(None, user, {"revision": "never"})
    assert rows(user) == {}


# --- the account page ------------------------------------------------------------------------------------

def test_the_account_page_shows_the_kinds_that_concern_each_person(app, make_user, make_party, login):
    party = make_party()
    people = {"non-aligned": make_user(), "member": make_user(party=party),
              "lead": make_user(party=party, role="lead")}
    for who, person in people.items():
        page = login(app.test_client(), person).get("/account").get_data(as_text=True)
        assert "Email notifications" in page and 'name="revision"' in page and "Daily digest" in page
        assert ('name="stale"' in page) == (who == "lead"), who
        assert ('name="red_line"' in page) == (who in ("member", "lead")), who


def test_saving_choices_redirects_back_with_a_flash_and_shows_them(app, make_user, login):
    user = make_user()
    client = login(app.test_client(), user)
    response = client.post("/account/mail", data={"revision": "weekly", "amendment": "never",
                                                  "decision": "daily", "comment": "immediately"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#mail")
    assert rows(user) == {"revision": "weekly", "amendment": "never", "decision": "daily",
                          "comment": "immediately"}
    page = client.get("/account").get_data(as_text=True)
    assert "Your email choices are saved." in page
    assert '<option selected value="weekly">' in page


def test_a_field_not_on_the_persons_form_is_not_stored(app, make_user, login):
    user = make_user()  # non-aligned: no red-line or stale fields on the form
    client = login(app.test_client(), user)
    assert client.post("/account/mail", data={"revision": "never", "stale": "never"}).status_code == 302
    assert rows(user) == {"revision": "never"}


def test_an_unknown_choice_shows_the_form_again_with_422_keeping_the_input(app, make_user, login):
    user = make_user()
    client = login(app.test_client(), user)
    response = client.post("/account/mail", data={"revision": "weekly", "comment": "hourly"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your email choices were not saved" in page
    assert "Choose immediately, daily digest, weekly digest or never." in page
    assert '<option selected value="weekly">' in page  # what was typed is kept
    assert rows(user) == {}


def test_the_form_changes_only_the_signed_in_persons_choices(app, make_user, login):
    user, other = make_user(), make_user()
    client = login(app.test_client(), user)
    # There is no way to name another person: a user id in the form is ignored.
    assert client.post("/account/mail", data={"revision": "never", "user_id": str(other.id),
                                              "user": str(other.id)}).status_code == 302
    assert rows(user) == {"revision": "never"} and rows(other) == {}


def test_the_form_needs_signing_in(app, make_user):
    response = app.test_client().post("/account/mail", data={"revision": "never"})
    assert response.status_code in (302, 401)
    db.session.rollback()
    assert db.session.scalar(select(func.count(MailPreference.id))) == 0


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_the_form_needs_its_csrf_token(csrf_app, make_user, login):
    user = make_user()
    client = login(csrf_app.test_client(), user)
    for data in ({"revision": "never"}, {"revision": "never", "csrf_token": "forged"}):
        response = client.post("/account/mail", data=data)
        assert response.status_code == 400
        assert "Your form expired or came from another site" in response.get_data(as_text=True)
    assert rows(user) == {}
    # With the page's own token it works.
    page = client.get("/account").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert client.post("/account/mail", data={"revision": "never", "csrf_token": token}).status_code == 302
    assert rows(user) == {"revision": "never"}
