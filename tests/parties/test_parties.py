"""Parties, membership requests and roles; every change audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from policyhub.errors import Conflict, Forbidden, Invalid
from policyhub.extensions import db
from policyhub.parties import services
from policyhub.parties.models import AuditEvent
from policyhub.permissions import SYSTEM


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.mark.parametrize("slug, name, colour, field", [
    ("Bad Slug", "Name", "#123456", "slug"),
    ("ok", "", "#123456", "name"),
    ("ok", "Name", "red", "colour"),
])
def test_create_party_validates(app, slug, name, colour, field):
    with pytest.raises(Invalid) as error:
        services.create_party(SYSTEM, slug, name, colour)
    assert field in error.value.fields


def test_create_party_refuses_duplicates_and_is_audited(app):
    services.create_party(SYSTEM, "plaid", "Plaid Cymru", "#005b54")
    with pytest.raises(Invalid):
        services.create_party(SYSTEM, "plaid", "Another", "#005b54")
    assert services.get_party("plaid").colour == "#005B54"
    assert actions() == ["party.create"]


def test_membership_request_is_pending_until_the_partys_lead_approves(make_party, make_user):
    red, blue = make_party("red"), make_party("blue")
    red_lead, blue_lead = make_user(party=red, role="lead"), make_user(party=blue, role="lead")
    person = make_user()
    services.request_membership(person, red)
    assert person.membership.state == "pending" and not person.is_member
    assert services.pending_requests(red_lead) == [person.membership]
    assert services.pending_requests(blue_lead) == []
    with pytest.raises(Forbidden):
        services.decide_membership(blue_lead, person.membership, approve=True)
    services.decide_membership(red_lead, person.membership, approve=True)
    assert person.is_member and person.party == red and not person.is_lead
    with pytest.raises(Conflict):
        services.decide_membership(red_lead, person.membership, approve=False)


def test_nobody_makes_themselves_a_member_or_lead(make_party, make_user):
    red = make_party()
    person = make_user(party=red, pending=True)
    with pytest.raises(Forbidden):
        services.decide_membership(person, person.membership, approve=True)
    member = make_user(party=red)
    with pytest.raises(Forbidden):
        services.set_role(member, member.membership, "lead")
    lead = make_user(party=red, role="lead")
    with pytest.raises(Forbidden):  # leads approve members; only admins assign roles
        services.set_role(lead, member.membership, "lead")


def test_declined_person_may_ask_again(make_party, make_user):
    red = make_party()
    lead, person = make_user(party=red, role="lead"), make_user()
    services.request_membership(person, red)
    services.decide_membership(lead, person.membership, approve=False)
    services.request_membership(person, red)
    assert person.membership.state == "pending"


def test_admin_assigns_and_removes_lead_role_with_audit(make_party, make_user):
    red = make_party()
    admin, member = make_user(admin=True), make_user(party=red)
    services.set_role(admin, member.membership, "lead")
    assert member.is_lead
    services.set_role(admin, member.membership, "member")
    assert not member.is_lead
    services.remove_membership(admin, member.membership)
    db.session.rollback()  # end the test's read snapshot
    assert member.party is None
    assert actions()[-3:] == ["membership.role", "membership.role", "membership.remove"]


def test_party_stylesheet_carries_colours_without_inline_styles(client, make_party):
    make_party("green", colour="#02a95b")
    response = client.get("/parties.css")
    assert response.mimetype == "text/css"
    assert ".party-green { --party: #02A95B; }" in response.text
    again = client.get("/parties.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_admin_pages_need_admin(client, make_user, login):
    login(client, make_user())
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_lead_approves_request_through_the_page(client, make_party, make_user, login):
    red = make_party()
    lead, person = make_user(party=red, role="lead"), make_user(party=red, pending=True)
    login(client, lead)
    response = client.post(f"/parties/requests/{person.membership.id}", data={"decision": "approve"})
    assert response.status_code == 302
    db.session.rollback()  # end the test's read snapshot
    assert person.is_member


def test_leads_see_how_many_requests_wait_for_them(client, make_party, make_user, login):
    red = make_party()
    lead = make_user(party=red, role="lead")
    make_user(party=red, pending=True)
    member = make_user(party=red)
    assert 'class="count-badge"' in login(client, lead).get("/").get_data(as_text=True)
    client.post("/logout")
    assert "/parties/requests" not in login(client, member).get("/").get_data(as_text=True)
