"""Decision rules, each party's standing, the clauses × parties matrix and common ground (services)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from policyhub.documents import services as documents
from policyhub.documents.models import Document
from policyhub.endorsements import consensus, services
from policyhub.endorsements.consensus import Rule
from policyhub.errors import BadRequest, Forbidden, Invalid, Unauthorized
from policyhub.extensions import db
from policyhub.notifications.models import Notification
from policyhub.notifications.services import watch
from policyhub.parties.models import AuditEvent
from policyhub.permissions import SYSTEM

BODY = ("# Fair votes\n\nIntro paragraph.\n\n## Voting\n\n- Proportional representation.\n- Votes at 16.\n\n"
        "## Funding\n\nPublic funding of parties.\n")


@pytest.fixture
def document(author, make_document):
    return make_document(author, title="Fair votes", body=BODY)


def keys(document) -> dict[str, str]:
    """Clause text -> key, for the current text."""
    return {clause.text: clause.key for clause in consensus.current_clauses(document)}


def save(author, document, body: str) -> None:
    documents.save_revision(author, document, body=body, base_number=document.current_number)


def standings(document) -> dict[str, str]:
    return {summary.party.slug: summary.standing for summary in consensus.consensus(document).summaries}


def scoped(lead, document, **stances: tuple[str, str]):
    """Endorse for ``lead``'s party naming clauses by their text: text=(stance, reason)."""
    found = keys(document)
    sections = {found[text]: stance for text, (stance, _reason) in stances.items()}
    reasons = {found[text]: reason for text, (_stance, reason) in stances.items() if reason}
    return services.endorse(lead, document, sections=sections, reasons=reasons)


# --- decision rules --------------------------------------------------------------------------------------

def test_the_default_rule_needs_every_party_to_endorse(document, leads):
    assert Rule.of(document) == Rule("all", None)
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    assert not consensus.is_agreed_under_rule(document) and not services.is_agreed(document)
    services.endorse(leads["green"], document)
    assert consensus.is_agreed_under_rule(document) and services.is_agreed(document)
    assert consensus.consensus(document).agreed


def test_k_of_n_is_agreed_with_k_endorsing_parties(document, leads, admin):
    consensus.set_rule(admin, document, "k_of_n", 2)
    assert Rule.of(document) == Rule("k_of_n", 2)
    services.endorse(leads["labour"], document)
    assert not services.is_agreed(document)
    services.endorse(leads["libdem"], document)
    assert services.is_agreed(document)  # the Greens have not endorsed, and need not
    consensus.set_rule(admin, document, "all")
    assert not services.is_agreed(document) and Rule.of(document) == Rule()


def test_an_objection_blocks_k_of_n_and_all(document, leads, admin):
    consensus.set_rule(admin, document, "k_of_n", 2)
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    scoped(leads["green"], document, **{"# Fair votes": ("endorse", ""), "- Votes at 16.": ("object", "Too young.")})
    assert standings(document) == {"green": "object", "labour": "endorse", "libdem": "endorse"}
    assert not services.is_agreed(document)
    consensus.set_rule(admin, document, "all")
    assert not services.is_agreed(document)


def test_reservations_count_as_endorsing(document, leads):
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    scoped(leads["green"], document, **{"# Fair votes": ("reservations", "Costly.")})
    assert standings(document)["green"] == "endorse"
    assert services.is_agreed(document)


def test_a_scoped_endorsement_covering_every_clause_counts_and_a_partial_one_does_not(document, leads):
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    # The level-1 heading's section holds every clause: naming it covers the whole text.
    scoped(leads["green"], document, **{"# Fair votes": ("endorse", ""), "## Funding": ("reservations", "Cost.")})
    assert standings(document)["green"] == "endorse" and services.is_agreed(document)
    scoped(leads["green"], document, **{"## Voting": ("endorse", "")})
    assert standings(document)["green"] == "partial" and not services.is_agreed(document)


def test_substantive_staleness_breaks_agreement_and_cosmetic_does_not(document, leads, author):
    for lead in leads.values():
        services.endorse(lead, document)
    save(author, document, BODY.replace("Intro paragraph.", "*Intro*  paragraph"))  # formatting only
    assert document.current_number == 2
    assert services.is_agreed(document)
    assert set(standings(document).values()) == {"endorse"}
    assert [row.common for row in consensus.consensus(document).rows] == [True] * 7
    save(author, document, BODY.replace("Votes at 16.", "Votes at 18."))  # words changed
    assert not services.is_agreed(document)
    assert set(standings(document).values()) == {"stale"}


def test_a_change_outside_a_scoped_endorsement_keeps_it_and_one_inside_does_not(document, leads, author):
    scoped(leads["green"], document, **{"## Voting": ("endorse", "")})
    save(author, document, BODY.replace("Public funding of parties.", "Public funding of all parties."))
    assert standings(document)["green"] == "partial"  # outside its scope: it still holds
    voting = {row.clause.text: row.stances["green"] for row in consensus.consensus(document).rows}
    assert voting["- Votes at 16."] == "endorse" and voting["Public funding of all parties."] == "not_reviewed"
    save(author, document, BODY.replace("Votes at 16.", "Votes at 18."))
    assert standings(document)["green"] == "stale"


def test_with_no_parties_nothing_is_agreed_and_there_is_no_common_ground(document):
    assert not consensus.is_agreed_under_rule(document, parties=[], live=[])
    assert not Rule("k_of_n", 1).agrees([])
    text = consensus.current_texts([document.id])[document.id]
    ground = consensus._ground_of(document, [], [], text, document.created_at)
    assert ground.items == [] and "There are no parties yet" in ground.markdown


def test_rule_agrees():
    assert Rule().agrees(["endorse", "endorse"]) and not Rule().agrees([]) and not Rule().agrees(["endorse", "partial"])
    two = Rule("k_of_n", 2)
    assert two.agrees(["endorse", "endorse", "none"]) and not two.agrees(["endorse", "stale", "none"])
    assert not two.agrees(["endorse", "endorse", "object"])


# --- setting the rule ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, k, field", [
    ("sometimes", None, "kind"), (None, None, "kind"), ("k_of_n", None, "k"), ("k_of_n", 0, "k"),
    ("k_of_n", 4, "k"), ("k_of_n", -1, "k"), ("k_of_n", "two", "k"), ("k_of_n", "", "k"),
])
def test_set_rule_refuses_a_bad_rule_with_a_field_error(document, leads, admin, kind, k, field):
    with pytest.raises(Invalid) as raised:
        consensus.set_rule(admin, document, kind, k)
    assert field in raised.value.fields
    db.session.rollback()
    assert Rule.of(db.session.get(Document, document.id)) == Rule()


@pytest.mark.parametrize("kind, k", [(3, None), (["all"], None), ("k_of_n", 2.5), ("k_of_n", True), ("k_of_n", [2])])
def test_set_rule_refuses_wrong_types_as_a_bad_request(document, leads, admin, kind, k):
    with pytest.raises(BadRequest):
        consensus.set_rule(admin, document, kind, k)


def test_k_may_come_from_a_form_as_digits_and_is_dropped_for_all(document, leads, admin):
    assert consensus.set_rule(admin, document, "k_of_n", " 3 ") == Rule("k_of_n", 3)
    assert consensus.set_rule(admin, document, "all", "2") == Rule("all", None)
    assert (document.rule_kind, document.rule_k) == ("all", None)


def test_who_may_set_the_rule(document, leads, author, make_user, admin):
    with pytest.raises(Unauthorized):
        consensus.set_rule(None, document, "k_of_n", 2)
    for someone in (author, make_user("No party")):
        with pytest.raises(Forbidden):
            consensus.set_rule(someone, document, "k_of_n", 2)
    assert consensus.set_rule(leads["green"], document, "k_of_n", 2) == Rule("k_of_n", 2)
    assert consensus.set_rule(admin, document, "k_of_n", 1) == Rule("k_of_n", 1)
    documents.set_status(SYSTEM, document, "archived")
    for someone in (leads["green"], admin):
        with pytest.raises(Forbidden):
            consensus.set_rule(someone, document, "all")


def test_setting_the_rule_is_audited_and_notified_once(document, leads, author, admin):
    watch(author, document)

    def counts() -> tuple[int, int]:
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "document.rule"))
        notes = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == author.id, Notification.kind == "endorsement"))
        return audits, notes

    consensus.set_rule(leads["labour"], document, "k_of_n", 2)
    assert counts() == (1, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.rule"))
    assert event.details["before"] == {"kind": "all", "k": None}
    assert event.details["after"] == {"kind": "k_of_n", "k": 2}
    note = db.session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert "at least 2 of 3 parties endorse" in note.message and note.url == f"/documents/{document.slug}/consensus"
    consensus.set_rule(admin, document, "k_of_n", 2)  # the same rule: nothing written
    assert counts() == (1, 1)


# --- the matrix ------------------------------------------------------------------------------------------

def test_the_matrix_has_every_partys_stance_on_every_clause_with_reasons(document, leads, author):
    services.endorse(leads["labour"], document)
    scoped(leads["green"], document, **{"## Voting": ("reservations", "Needs costing."),
                                        "- Votes at 16.": ("object", "Too young.")})
    view = consensus.consensus(document)
    assert view.revision == 1 and [party.slug for party in view.parties] == ["green", "labour", "libdem"]
    table = {row.clause.text: row.stances for row in view.rows}
    assert table["## Voting"] == {"green": "reservations", "labour": "endorse", "libdem": "not_reviewed"}
    assert table["- Proportional representation."]["green"] == "reservations"  # its section's stance
    assert table["- Votes at 16."]["green"] == "object"  # the innermost named scope wins
    assert table["Intro paragraph."]["green"] == "not_reviewed"
    reasons = {row.clause.text: row.reasons for row in view.rows}
    assert reasons["- Votes at 16."] == {"green": "Too young."}
    assert reasons["- Proportional representation."] == {"green": "Needs costing."}
    assert reasons["Intro paragraph."] == {}
    summaries = {summary.party.slug: summary for summary in view.summaries}
    assert summaries["green"].standing == "object"
    assert summaries["green"].counts == {"endorse": 0, "reservations": 2, "object": 1, "not_reviewed": 4, "stale": 0}
    assert summaries["labour"].counts["endorse"] == 7 and summaries["libdem"].standing == "none"
    assert [row.clause.label for row in view.rows] == [f"§{n}" for n in range(1, 8)]
    assert view.endorsing == 1 and view.objecting == 1 and not view.agreed

    save(author, document, BODY.replace("Votes at 16.", "Votes at 18."))
    after = {row.clause.text: row.stances for row in consensus.consensus(document).rows}
    assert after["- Votes at 18."]["labour"] == "stale" and after["- Votes at 18."]["green"] == "stale"
    assert after["Intro paragraph."]["labour"] == "endorse"  # unchanged: still endorsed at this text


def test_the_matrix_costs_the_same_for_a_small_and_a_large_document(app, make_document, author, leads,
                                                                  recorded_queries):
    def cost(body: str) -> int:
        document = make_document(author, body=body)
        services.endorse(leads["labour"], document)
        found = keys(document)
        services.endorse(leads["green"], document, sections={found["# A"]: "endorse"})
        with app.app_context(), recorded_queries() as statements:
            view = consensus.consensus(db.session.get(Document, document.id))
            assert view.rows and view.summaries
            db.session.remove()
        return len(statements)

    small = cost("# A\n\nOne.\n")
    large = cost("# A\n\n" + "".join(f"## Part {n}\n\nText {n}.\n\n- item {n}\n\n" for n in range(60)))
    assert small == large and large <= 6


# --- common ground ---------------------------------------------------------------------------------------

def test_common_ground_keeps_exactly_the_commonly_endorsed_clauses_and_their_headings(document, leads):
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    scoped(leads["green"], document, **{"## Voting": ("endorse", ""), "- Votes at 16.": ("object", "Too young."),
                                        "## Funding": ("reservations", "Costs | *money*.")})
    ground = consensus.common_ground(document)
    assert [clause.text for clause in ground.clauses] == [
        "## Voting", "- Proportional representation.", "## Funding", "Public funding of parties."]
    assert [(item.clause.text, item.structure) for item in ground.items] == [
        ("# Fair votes", True), ("## Voting", False), ("- Proportional representation.", False),
        ("## Funding", False), ("Public funding of parties.", False)]
    funding = [item for item in ground.items if item.clause.text == "Public funding of parties."][0]
    assert [(party.slug, reason) for party, reason in funding.reservations] == [("green", "Costs | *money*.")]
    assert (ground.revision, ground.total, ground.title) == (1, 7, "Fair votes")

    text = ground.markdown
    assert text.startswith("# Common ground: Fair votes\n")
    assert "revision 1" in text and "the 4 of 7 clauses" in text
    assert "Green Party, Labour and Liberal Democrats" in text
    body = text[text.index("---"):]
    assert "## Fair votes\n\n### Voting\n\n- Proportional representation.\n\n### Funding\n\nPublic funding of parties." in body
    assert "Votes at 16" not in text and "Intro paragraph" not in text
    assert "## Reservations" in text and "Green Party has reservations: Costs \\| \\*money\\*." in text
    assert "§7" in text and "§1." in text  # the reserved clause, and the heading kept for structure


def test_a_party_without_an_endorsement_leaves_no_common_ground(document, leads):
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    ground = consensus.common_ground(document)
    assert ground.clauses == [] and ground.items == []
    assert "No clause is endorsed by every party yet." in ground.markdown


def test_a_changed_clause_leaves_the_common_ground_until_endorsed_again(document, leads, author):
    for lead in leads.values():
        services.endorse(lead, document)
    assert len(consensus.common_ground(document).clauses) == 7
    save(author, document, BODY.replace("Votes at 16.", "Votes at 18."))
    ground = consensus.common_ground(document)
    assert "- Votes at 18." not in [clause.text for clause in ground.clauses]
    assert len(ground.clauses) == 6 and ground.revision == 2
    services.endorse(leads["green"], document)
    assert len(consensus.common_ground(document).clauses) == 6  # two parties still endorse the old words
    for lead in leads.values():
        services.endorse(lead, document)
    assert len(consensus.common_ground(document).clauses) == 7


def test_the_agendas_common_ground_has_a_section_per_document_with_common_clauses(author, make_document, leads):
    fair = make_document(author, title="Fair votes", body=BODY)
    homes = make_document(author, title="Green homes", policy_area="Climate", body="# Homes\n\nInsulate.\n")
    make_document(author, title="NHS dentistry", policy_area="Health")  # endorsed by nobody
    old = make_document(author, title="Old plan", policy_area="Climate", body="# Old\n\nGone.\n")
    for lead in leads.values():
        services.endorse(lead, homes)
        services.endorse(lead, old)
    documents.set_status(SYSTEM, old, "archived")
    services.endorse(leads["labour"], fair)
    services.endorse(leads["libdem"], fair)
    scoped(leads["green"], fair, **{"## Funding": ("endorse", "")})

    view = consensus.agenda_common_ground()
    assert [ground.title for ground in view.grounds] == ["Green homes", "Fair votes"] and view.documents == 3
    text = view.markdown
    assert text.startswith("# Common ground of the agenda\n")
    assert "2 of 3 documents have common ground" in text
    assert "1. Green homes (Climate)\n2. Fair votes (Democratic reform)" in text
    assert "## Green homes\n\n- Policy area: Climate\n- Revision: 1\n- Common clauses: 2 of 2\n\n### Homes\n\nInsulate." in text
    assert "### Fair votes\n\n#### Funding\n\nPublic funding of parties." in text
    assert "Old plan" not in text and "NHS dentistry" not in text and "Intro paragraph" not in text


def test_the_agendas_common_ground_says_when_there_is_none(author, make_document, leads):
    make_document(author)
    assert "No clause of any document is endorsed by every party yet." in consensus.agenda_common_ground().markdown


# --- the agenda uses the rule ----------------------------------------------------------------------------

def test_the_agenda_and_the_agreed_agenda_use_the_rule(author, make_document, leads, admin):
    document = make_document(author, title="Fair votes", body=BODY)
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    assert not services.agenda().rows[0].agreed and services.agreed_documents() == []
    consensus.set_rule(admin, document, "k_of_n", 2)
    [row] = services.agenda().rows
    assert row.agreed and services.agenda().counts.agreed == 1
    [item] = services.agreed_documents()
    assert [e.party.slug for e in item.endorsements] == ["labour", "libdem"]  # only those endorsing
    scoped(leads["green"], document, **{"## Voting": ("object", "No.")})
    assert not services.agenda().rows[0].agreed and services.agreed_documents() == []


def test_the_agenda_counts_cosmetic_staleness_as_holding(author, make_document, leads):
    document = make_document(author, title="Fair votes", body=BODY)
    for lead in leads.values():
        services.endorse(lead, document)
    save(author, document, BODY.replace("Public funding of parties.", "Public funding of parties"))
    [row] = services.agenda().rows
    assert row.agreed and {state.state for state in row.states.values()} == {"stale"}
    assert [item.document.title for item in services.agreed_documents()] == ["Fair votes"]


@pytest.mark.parametrize("builder", ["agenda", "agreed_documents", "agenda_common_ground"])
def test_scoped_endorsements_keep_the_agenda_cost_constant(app, author, make_document, leads, recorded_queries,
                                                           builder):
    build = getattr(consensus if builder == "agenda_common_ground" else services, builder)

    def make(count: int) -> None:
        for n in range(count):
            document = make_document(author, title=f"Paper {n:02d}", body=BODY)
            services.endorse(leads["labour"], document)
            services.endorse(leads["libdem"], document)
            scoped(leads["green"], document, **{"# Fair votes": ("endorse", "")})

    def cost() -> int:
        with app.app_context(), recorded_queries() as statements:
            result = build()
            if builder == "agenda":
                assert all(row.agreed for row in result.rows)
            elif builder == "agreed_documents":
                assert all(item.html for item in result)
            else:
                assert result.grounds and result.markdown
            db.session.remove()
        return len(statements)

    make(2)
    small = cost()
    make(6)
    assert cost() == small


def test_scoped_endorsements_keep_the_api_document_list_cost_constant(app, client, author, make_document, leads,
                                                                     count_queries):
    def make(count: int) -> None:
        for n in range(count):
            document = make_document(author, title=f"Listed {n:02d}", body=BODY)
            services.endorse(leads["labour"], document)
            services.endorse(leads["libdem"], document)
            scoped(leads["green"], document, **{"# Fair votes": ("endorse", "")})

    def listed() -> None:
        documents = client.get("/api/v1/documents").get_json()["documents"]
        assert documents and all(document["agreed"] for document in documents)

    make(2)
    small = count_queries(listed)
    make(6)
    assert count_queries(listed) == small
