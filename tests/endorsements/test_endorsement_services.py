"""The endorsement rules, tested without HTTP: who endorses for whom, the record, staleness, consensus."""
from __future__ import annotations

import inspect

import pytest
from sqlalchemy import event, insert, select

from policyhub.db import utcnow
from policyhub.documents import services as documents
from policyhub.endorsements import services
from policyhub.endorsements.models import Endorsement
from policyhub.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from policyhub.extensions import db
from policyhub.notifications.models import Notification, Watch
from policyhub.notifications.services import watch
from policyhub.parties.models import AuditEvent
from policyhub.parties.services import add_member, set_role
from policyhub.permissions import SYSTEM


@pytest.fixture
def document(author, make_document):
    return make_document(author, title="Fair votes", revisions=2)


def rows(document) -> list[Endorsement]:
    db.session.rollback()  # a fresh snapshot: what was committed
    return list(db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id)
                                   .order_by(Endorsement.id)))


# --- who may endorse, and for whom ----------------------------------------------------------------------

def test_a_lead_endorses_the_current_revision_for_their_own_party(leads, document, labour):
    endorsement = services.endorse(leads["labour"], document, statement="  We back this.  ")
    assert (endorsement.party_id, endorsement.revision_number) == (labour.id, 2)
    assert endorsement.endorsed_by_id == leads["labour"].id
    assert endorsement.statement == "We back this."
    assert endorsement.is_live and endorsement.is_current_for(document)


def test_members_the_non_aligned_the_anonymous_admins_and_the_command_line_cannot_endorse(
        make_user, labour, author, admin, document):
    pending_lead = make_user("Pending", party=labour, pending=True)
    non_aligned = make_user("Dan")
    for actor in (author, pending_lead, non_aligned, admin, SYSTEM):
        with pytest.raises(Forbidden):
            services.endorse(actor, document)
    with pytest.raises(Unauthorized):
        services.endorse(None, document)
    assert rows(document) == []


def test_no_input_can_name_another_party(leads, document, libdem):
    parameters = inspect.signature(services.endorse).parameters
    assert "party" not in parameters and set(parameters) == {"actor", "document", "revision", "statement",
                                                             "sections", "reasons"}
    with pytest.raises(TypeError):
        services.endorse(leads["labour"], document, party=libdem)  # type: ignore[call-arg]
    services.endorse(leads["labour"], document)
    assert [e.party.slug for e in rows(document)] == ["labour"]


def test_the_party_follows_the_leads_membership_when_it_changes(leads, document, libdem, labour):
    lead = leads["labour"]
    add_member(SYSTEM, lead, libdem, "lead")  # moved to another party by an administrator
    endorsement = services.endorse(lead, document)
    assert endorsement.party_id == libdem.id
    set_role(SYSTEM, lead.membership, "member")
    with pytest.raises(Forbidden):
        services.endorse(lead, document, revision=1)


def test_archived_documents_refuse_endorsements(leads, document):
    documents.set_status(SYSTEM, document, "archived")
    with pytest.raises(Forbidden):
        services.endorse(leads["labour"], document)
    assert rows(document) == []


def test_consultation_documents_take_endorsements(leads, document):
    documents.set_status(SYSTEM, document, "consultation")
    assert services.endorse(leads["green"], document).revision_number == 2


# --- revisions and statements ---------------------------------------------------------------------------

def test_a_named_revision_is_endorsed_and_is_stale_from_the_start(leads, document):
    endorsement = services.endorse(leads["labour"], document, revision="1")
    assert endorsement.revision_number == 1
    [state] = [s for s in services.party_states(document) if s.party.slug == "labour"]
    assert state.state == "stale" and state.endorsed_number == 1


@pytest.mark.parametrize("revision, message", [
    (3, "There is no revision 3; the latest is 2."),
    ("99", "There is no revision 99; the latest is 2."),
    ("0", "Choose a revision number"),
    ("-1", "Choose a revision number"),
    ("two", "Choose a revision number"),
])
def test_a_revision_that_does_not_exist_is_a_field_error(leads, document, revision, message):
    with pytest.raises(Invalid) as caught:
        services.endorse(leads["labour"], document, revision=revision)
    assert message in caught.value.fields["revision"]
    assert rows(document) == []


@pytest.mark.parametrize("statement, message", [
    ("x" * 2001, "too long: 2001 characters, the limit is 2000"),
    ("bell \x07 here", "Statement:"),
    (["a list"], "Statement must be text."),
])
def test_a_bad_statement_is_a_field_error(leads, document, statement, message):
    with pytest.raises(Invalid) as caught:
        services.endorse(leads["labour"], document, statement=statement)
    assert message in caught.value.fields["statement"]
    assert rows(document) == []


def test_a_statement_of_exactly_two_thousand_characters_is_kept_with_its_lines(leads, document):
    statement = "Line one.\r\n" + "y" * (2000 - 11)
    endorsement = services.endorse(leads["labour"], document, statement=statement)
    assert endorsement.statement == "Line one.\n" + "y" * 1989


# --- the record -----------------------------------------------------------------------------------------

def test_endorsing_a_newer_revision_supersedes_and_keeps_the_record(leads, document, edit_document, labour):
    first = services.endorse(leads["labour"], document, statement="On revision 2.")
    edit_document(leads["libdem"], document)
    outcome = services.endorse_revision(leads["labour"], document)
    assert outcome.created and outcome.superseded is not None and outcome.superseded.id == first.id

    old, new = rows(document)
    assert (old.revision_number, old.end_reason, old.ended_by_id) == (2, "superseded", leads["labour"].id)
    assert old.ended_at is not None and old.statement == "On revision 2."
    assert (new.revision_number, new.ended_at, new.statement) == (3, None, "")
    assert [e.id for e in services.endorsement_record(document)] == [new.id, old.id]
    assert [e.id for e in services.live_endorsements(document)] == [new.id]
    assert services.get_live_endorsement(document, labour).id == new.id
    assert services.get_live_endorsement(document, "labour").id == new.id


def test_endorsing_the_revision_already_endorsed_is_a_no_op(leads, document):
    first = services.endorse(leads["labour"], document, statement="Yes.")
    outcome = services.endorse_revision(leads["labour"], document, revision=2, statement="Yes.")
    assert not outcome.created and outcome.endorsement.id == first.id
    assert len(rows(document)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "endorsement.give")) == 1


def test_a_new_statement_on_the_same_revision_is_recorded_not_dropped(leads, document):
    services.endorse(leads["labour"], document, statement="Yes.")
    outcome = services.endorse_revision(leads["labour"], document, statement="Yes, with thanks to the Greens.")
    assert outcome.created and outcome.superseded.statement == "Yes."
    assert [(e.statement, e.end_reason) for e in rows(document)] == [
        ("Yes.", "superseded"), ("Yes, with thanks to the Greens.", None)]


def test_another_lead_of_the_same_party_replaces_the_partys_endorsement(make_user, labour, leads, document):
    second_lead = make_user("Second Labour Lead", party=labour, role="lead")
    services.endorse(leads["labour"], document, revision=1)
    services.endorse(second_lead, document)
    assert [(e.endorsed_by_id, e.end_reason) for e in rows(document)] == [
        (leads["labour"].id, "superseded"), (second_lead.id, None)]


def test_a_lost_race_for_the_live_slot_is_a_conflict_and_writes_nothing(leads, document, labour, libdem):
    services.endorse(leads["libdem"], document)
    # Another lead of the party inserts its live row between our check and our insert.
    def rival_insert(mapper, connection, target):
        connection.execute(insert(Endorsement).values(
            document_id=document.id, party_id=labour.id, revision_number=1,
            endorsed_by_id=leads["labour"].id, statement="rival", created_at=utcnow()))
    event.listen(Endorsement, "before_insert", rival_insert, once=True)
    with pytest.raises(Conflict):
        services.endorse(leads["labour"], document)
    assert [e.party_id for e in rows(document)] == [libdem.id]
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "endorsement.give")) == 1


def test_get_live_endorsement_is_not_found_without_one(document, labour):
    with pytest.raises(NotFound):
        services.get_live_endorsement(document, labour)
    with pytest.raises(NotFound):
        services.get_live_endorsement(document, "no-such-party")


# --- withdrawing ----------------------------------------------------------------------------------------

def test_the_partys_lead_withdraws_and_the_row_stays(leads, document):
    endorsement = services.endorse(leads["labour"], document)
    services.withdraw_endorsement(leads["labour"], endorsement)
    [row] = rows(document)
    assert (row.end_reason, row.ended_by_id) == ("withdrawn", leads["labour"].id) and row.ended_at is not None
    assert services.live_endorsements(document) == []
    assert [e.id for e in services.endorsement_record(document)] == [row.id]


def test_an_admin_may_withdraw_any_partys_endorsement(leads, admin, document):
    endorsement = services.endorse(leads["green"], document)
    services.withdraw_endorsement(admin, endorsement)
    assert [(e.end_reason, e.ended_by_id) for e in rows(document)] == [("withdrawn", admin.id)]


def test_another_partys_lead_or_a_member_cannot_withdraw(leads, author, document):
    endorsement = services.endorse(leads["labour"], document)
    for actor in (leads["libdem"], author):  # author is a Labour member, not a lead
        with pytest.raises(Forbidden):
            services.withdraw_endorsement(actor, endorsement)
    with pytest.raises(Unauthorized):
        services.withdraw_endorsement(None, endorsement)
    assert [e.ended_at for e in rows(document)] == [None]


def test_withdrawing_an_ended_endorsement_is_a_conflict(leads, document):
    endorsement = services.endorse(leads["labour"], document)
    services.withdraw_endorsement(leads["labour"], endorsement)
    with pytest.raises(Conflict):
        services.withdraw_endorsement(leads["labour"], endorsement)


def test_after_withdrawing_the_party_can_endorse_again(leads, document):
    endorsement = services.endorse(leads["labour"], document)
    services.withdraw_endorsement(leads["labour"], endorsement)
    again = services.endorse(leads["labour"], document)
    assert again.id != endorsement.id and [e.end_reason for e in rows(document)] == ["withdrawn", None]


# --- audit and notifications ----------------------------------------------------------------------------

def test_giving_and_withdrawing_are_audited_and_notified_to_watchers(leads, author, document):
    watch(author, document)
    endorsement = services.endorse(leads["labour"], document, statement="Yes.")
    services.withdraw_endorsement(leads["labour"], endorsement)
    db.session.rollback()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("endorsement."))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.details["party"], e.details["revision"]) for e in events] == [
        ("endorsement.give", leads["labour"].id, "labour", 2),
        ("endorsement.withdraw", leads["labour"].id, "labour", 2)]
    notes = db.session.scalars(select(Notification).where(Notification.user_id == author.id)
                               .order_by(Notification.id)).all()
    assert [n.kind for n in notes] == ["endorsement", "endorsement"]
    assert "Labour endorsed revision 2" in notes[0].message and "withdrawn" in notes[1].message
    assert notes[0].url == f"/documents/{document.slug}/endorsements"
    # The endorser now watches the document (to hear when the text moves on) and is not notified of itself.
    assert db.session.scalar(select(Watch.id).where(Watch.user_id == leads["labour"].id)) is not None
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == leads["labour"].id)) is None


# --- staleness and consensus ----------------------------------------------------------------------------

def test_current_turns_stale_when_a_new_revision_lands(leads, document, edit_document):
    services.endorse(leads["labour"], document)
    assert [s.state for s in services.party_states(document)] == ["none", "current", "none"]  # by party name
    edit_document(leads["labour"], document)
    states = {s.party.slug: s for s in services.party_states(document)}
    assert states["labour"].state == "stale" and states["labour"].endorsed_number == 2
    assert states["green"].state == "none" and states["green"].endorsement is None


def test_party_states_are_in_party_order_with_one_entry_per_party(leads, document, parties):
    services.endorse(leads["libdem"], document)
    states = services.party_states(document)
    assert [s.party.name for s in states] == ["Green Party", "Labour", "Liberal Democrats"]
    assert [s.state for s in states] == ["none", "none", "current"]


def test_agreed_needs_a_current_endorsement_from_every_party(leads, document, edit_document, make_party):
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    assert not services.is_agreed(document)
    services.endorse(leads["green"], document)
    assert services.is_agreed(document)

    edit_document(leads["green"], document)  # the text moves on: every endorsement is stale
    assert not services.is_agreed(document)
    for lead in leads.values():
        services.endorse(lead, document)
    assert services.is_agreed(document)

    make_party("snp", "Scottish National Party", "#FDF38E")  # a party added later has endorsed nothing
    assert not services.is_agreed(document)


def test_with_no_parties_nothing_is_agreed(document):
    assert services.party_states(document, parties=[]) == []
    assert services.is_agreed(document, live=[], parties=[]) is False


def test_a_withdrawn_endorsement_no_longer_counts(leads, document):
    endorsements = [services.endorse(lead, document) for lead in leads.values()]
    assert services.is_agreed(document)
    services.withdraw_endorsement(leads["green"], endorsements[2])
    assert not services.is_agreed(document)
