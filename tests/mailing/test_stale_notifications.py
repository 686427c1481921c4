"""A party's leads hear, once, when a save makes their party's endorsement substantively stale
(policyhub.endorsements.staleness.notify_stale); cosmetic changes and changes outside a scoped
endorsement's sections say nothing."""
from __future__ import annotations

from sqlalchemy import select

from policyhub.documents import services as documents
from policyhub.documents.clauses import clauses_of
from policyhub.endorsements import services as endorsements
from policyhub.extensions import db
from policyhub.notifications.models import KINDS, Notification
from policyhub.parties.services import set_user_active
from policyhub.permissions import SYSTEM

BODY = """# Fair votes

## Principles

Every vote should count equally.

Local links kept.

## Timetable

A citizens' assembly reports by 2026.
"""


def save(author, document, old: str, new: str):
    body = documents.get_revision(document, document.current_number).body
    assert old in body
    return documents.save_revision(author, document, body=body.replace(old, new, 1),
                                   base_number=document.current_number).revision


def stale_notifications() -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification).where(Notification.kind == "stale")
                                   .order_by(Notification.user_id)))


def heading_key(document, text: str) -> str:
    revision = documents.get_revision(document, document.current_number)
    [key] = [clause.key for clause in clauses_of(revision) if clause.text == text]
    return key


def world(make_user, make_document, green, labour):
    lead = make_user("Carys Lead", party=green, role="lead")
    co_lead = make_user("Siân Lead", party=green, role="lead")
    green_member = make_user("Green Member", party=green)
    labour_lead = make_user("Rachel Lead", party=labour, role="lead")
    author = make_user("Tom Author", party=labour)
    document = make_document(author, title="Fair votes", body=BODY)
    return lead, co_lead, green_member, labour_lead, author, document


def test_stale_is_a_notification_kind():
    assert "stale" in KINDS


def test_a_substantive_change_tells_the_partys_leads_once(make_user, make_document, green, labour):
    lead, co_lead, green_member, labour_lead, author, document = world(make_user, make_document, green, labour)
    endorsements.endorse(lead, document)
    revision = save(author, document, "Every vote should count equally.", "Every single vote should count equally.")
    found = stale_notifications()
    assert sorted(n.user_id for n in found) == sorted([lead.id, co_lead.id])  # leads, not members or others
    notification = found[0]
    assert notification.message == (f"Green Party's endorsement of 'Fair votes' is stale: 1 clause changed in "
                                    f"revision {revision.number}")
    assert notification.url == f"/documents/{document.slug}/endorsements"
    assert notification.actor_id == author.id and notification.document_id == document.id
    # Still stale after another substantive save: nobody is told again.
    save(author, document, "Local links kept.", "Local links dropped.")
    assert len(stale_notifications()) == 2


def test_the_lead_who_saves_is_not_told_of_their_own_change(make_user, make_document, green, labour):
    lead, co_lead, *_rest, author, document = world(make_user, make_document, green, labour)
    endorsements.endorse(lead, document)
    save(lead, document, "Every vote should count equally.", "Every single vote should count equally.")
    assert [n.user_id for n in stale_notifications()] == [co_lead.id]


def test_a_deactivated_lead_is_not_told(make_user, make_document, green, labour):
    lead, co_lead, *_rest, author, document = world(make_user, make_document, green, labour)
    endorsements.endorse(lead, document)
    set_user_active(SYSTEM, co_lead, False)
    save(author, document, "Every vote should count equally.", "Every single vote should count equally.")
    assert [n.user_id for n in stale_notifications()] == [lead.id]


def test_a_cosmetic_change_tells_nobody(make_user, make_document, green, labour):
    lead, *_rest, author, document = world(make_user, make_document, green, labour)
    endorsements.endorse(lead, document)
    save(author, document, "Every vote should count equally.", "Every vote should **count equally**!")
    assert stale_notifications() == []


def test_a_change_outside_a_scoped_endorsement_tells_nobody(make_user, make_document, green, labour):
    lead, *_rest, author, document = world(make_user, make_document, green, labour)
    endorsements.endorse(lead, document, sections={heading_key(document, "## Principles"): "endorse"})
    save(author, document, "reports by 2026", "reports by 2030")
    assert stale_notifications() == []
    # A change inside the endorsed section does.
    save(author, document, "Local links kept.", "Local links dropped.")
    assert {n.user_id for n in stale_notifications()} == {lead.id, _rest[0].id}


def test_re_endorsing_then_going_stale_again_tells_again(make_user, make_document, green, labour):
    lead, co_lead, *_rest, author, document = world(make_user, make_document, green, labour)
    endorsements.endorse(lead, document)
    save(author, document, "Every vote should count equally.", "Every single vote should count equally.")
    endorsements.endorse(lead, document)  # reviewed: endorses the current text
    save(author, document, "Local links kept.", "Local links dropped.")
    assert len(stale_notifications()) == 4


def test_the_notifications_page_names_the_kind(app, make_user, make_document, green, labour, login):
    lead, co_lead, *_rest, author, document = world(make_user, make_document, green, labour)
    endorsements.endorse(lead, document)
    save(author, document, "Every vote should count equally.", "Every single vote should count equally.")
    client = login(app.test_client(), co_lead)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Stale endorsement" in page and "is stale: 1 clause changed" in page
    assert "Stale endorsements" in client.get("/notifications?kind=stale").get_data(as_text=True)
