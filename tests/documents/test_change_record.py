"""The change record between two revisions: accepted amendments, direct edits, clause changes, endorsements
given and withdrawn, stale endorsements, status changes; the page and its parameters."""
from __future__ import annotations

from typing import Any

import pytest

from policyhub.documents import services
from policyhub.documents.change_record import change_record, sentences, summary_text

from .conftest import CLOSING, COMMISSION, METHOD, PROPOSAL, VOTE, WARDS

SIXTEEN = "Votes at sixteen for every local and national election."


@pytest.fixture
def lead(make_user, green):
    return make_user("Greta Green", party=green, role="lead")


@pytest.fixture
def labour_lead(make_user, labour):
    return make_user("Lara Lead", party=labour, role="lead")


@pytest.fixture
def proposer(make_user, libdem):
    return make_user("Piet Proposer", party=libdem)


@pytest.fixture
def amend(app):
    """``amend(proposer, decider, document, old, new)``: propose on the current text and accept."""
    from policyhub.amendments import services as amendments

    def run(proposer: Any, decider: Any, document: Any, old: str, new: str, title: str = "Change") -> Any:
        current = services.get_revision(document, document.current_number)
        amendment = amendments.propose_amendment(proposer, document, title=title, rationale="Why.",
                                                 body=current.body.replace(old, new), base_number=current.number)
        return amendments.accept_amendment(decider, amendment)[0]
    return run


def endorse(lead: Any, document: Any, **kwargs: Any) -> Any:
    from policyhub.endorsements import services as endorsements
    return endorsements.endorse(lead, document, **kwargs)


def test_accepted_amendments_name_who_proposed_and_who_accepted(document, proposer, lead, amend, writer, edit):
    edit(writer, document, "five councillors", "seven councillors")  # revision 2
    amend(proposer, lead, document, "## Method\n", f"{SIXTEEN}\n\n## Method\n")  # revision 3
    amend(proposer, lead, document, "for every council", "for every council and mayor")  # revision 4

    record = change_record(document, 2, 4)

    assert [item.amendment.number for item in record.amendments] == [1, 2]
    assert sentences(record)[:2] == [
        "Revision 2 → revision 4",
        "Amendments 1 and 2 accepted (1: proposed by Piet Proposer (Liberal Democrats), accepted by Greta Green "
        "(Green Party); 2: proposed by Piet Proposer (Liberal Democrats), accepted by Greta Green (Green Party))",
    ]
    assert record.edits == []  # revision 2 is the start: not part of what changed


def test_direct_edits_are_grouped_by_author(document, writer, make_user, labour, edit):
    other = make_user("Olu Other", party=labour)
    edit(writer, document, "five councillors", "seven councillors")  # 2
    edit(other, document, "across England", "across England and Wales")  # 3
    edit(writer, document, "for all voters", "for every voter")  # 4

    said = sentences(change_record(document, 1, 4))

    assert "Revisions 2 and 4 edited directly by Wendy Writer (Labour)" in said
    assert "Revision 3 edited directly by Olu Other (Labour)" in said


def test_clause_changes_are_net_changes_labelled_as_people_cite_them(document, writer, edit):
    edit(writer, document, "## Method\n", f"{SIXTEEN}\n\n## Method\n")  # 2: a new §3
    edit(writer, document, "equally in elections", "equally in all elections")  # 3: §2 edited
    edit(writer, document, "Closing remarks about democracy and fairness for all voters.\n", "")  # 4
    edit(writer, document, "- Multi-member wards of three to five councillors.\n"
                           "- An independent boundary commission draws the wards.",
         "- Multi-member wards of three to five councillors, and an independent boundary commission draws "
         "the wards.")  # 5: the commission item merged into the wards item
    edit(writer, document, "local elections", "*local* elections")  # 6: formatting only

    record = change_record(document, 1, 6)
    kinds = {change.key: change.kind for change in record.clause_changes}

    assert kinds == {VOTE: "edited", "8": "added", PROPOSAL: "edited", WARDS: "edited", COMMISSION: "merged",
                     CLOSING: "removed"}
    assert ("§2 edited, §3 added, §5 reformatted, §6 edited, §6 of revision 1 merged into §6, "
            "§7 of revision 1 removed") in sentences(record)
    assert change_record(document, 5, 6).clause_changes[0].cosmetic


def test_a_split_names_the_clause_it_came_from(document, writer, edit):
    edit(writer, document, "We propose the single transferable vote for local elections across England.",
         "We propose the single transferable vote.\n\nThe vote is for local elections across England.")

    record = change_record(document, 1, 2)

    assert [(c.key, c.kind, c.other_key) for c in record.clause_changes] == [
        (PROPOSAL, "edited", None), ("8", "split", PROPOSAL)]
    assert "§4 edited, §5 split from §4" in sentences(record)


def test_a_clause_edited_and_edited_back_is_not_a_change(document, writer, edit):
    edit(writer, document, "five councillors", "seven councillors")
    edit(writer, document, "seven councillors", "five councillors")

    record = change_record(document, 1, 3)

    assert record.clause_changes == []
    assert "No clause changed" in sentences(record)


def test_endorsements_given_and_withdrawn_in_between_and_re_endorsements(
        document, writer, edit, lead, labour_lead):
    from policyhub.endorsements import services as endorsements

    endorse(lead, document)  # while revision 1 is current: before the record starts
    edit(writer, document, "five councillors", "seven councillors")  # 2
    endorse(labour_lead, document)
    edit(writer, document, "across England", "across England and Wales")  # 3
    endorse(lead, document)  # Greens again, on revision 3
    endorsements.withdraw_endorsement(labour_lead, endorsements.get_live_endorsement(document, "labour"))

    record = change_record(document, 1, 3)
    said = sentences(record)

    assert [(change.endorsement.party.slug, change.kind) for change in record.endorsement_changes] == [
        ("labour", "endorsed"), ("green", "re-endorsed"), ("labour", "withdrawn")]
    assert "Labour endorsed (revision 2)" in said
    assert "Green Party re-endorsed (revision 3)" in said
    assert "Labour withdrew its endorsement (revision 2)" in said
    # From 2 to 3 the record starts once revision 3 was saved: Labour's endorsement of 2 came before.
    assert [change.kind for change in change_record(document, 2, 3).endorsement_changes] == [
        "re-endorsed", "withdrawn"]


def test_an_endorsement_of_older_text_is_stale_on_the_clauses_of_its_scope_that_changed(
        document, writer, edit, lead, labour_lead):
    endorse(labour_lead, document)  # whole document, revision 1
    endorse(lead, document, sections={METHOD: "endorse"})  # Greens: the Method section only
    edit(writer, document, "equally in elections", "equally in all elections")  # 2: outside Method

    record = change_record(document, 1, 2)
    said = sentences(record)

    assert "Labour endorsement (revision 1) stale on §2" in said
    assert "Green Party endorsement (revision 1) still holds: nothing in its scope changed" in said
    assert [item.endorsement.party.slug for item in record.stale] == ["labour"]

    edit(writer, document, "five councillors", "seven councillors")  # 3: inside Method
    assert "Green Party endorsement (revision 1) stale on §5" in sentences(change_record(document, 1, 3))


def test_staleness_against_an_older_revision_counts_only_the_changes_up_to_it(
        document, writer, edit, labour_lead):
    endorse(labour_lead, document)
    edit(writer, document, "equally in elections", "equally in all elections")  # 2
    edit(writer, document, "five councillors", "seven councillors")  # 3

    at_two = change_record(document, 1, 2)

    assert [[c.label for c in item.changed] for item in at_two.stale] == [["§2"]]
    assert [[c.label for c in item.changed] for item in change_record(document, 1, 3).stale] == [["§2", "§5"]]


def test_formatting_changes_leave_endorsements_holding(document, writer, edit, labour_lead):
    endorse(labour_lead, document)
    edit(writer, document, "local elections", "**local** elections")

    record = change_record(document, 1, 2)

    assert record.stale == []
    assert "Labour endorsement (revision 1) still holds: only formatting changed since" in sentences(record)


def test_status_changes_between_the_revisions_come_from_the_audit_log(document, writer, edit, lead):
    edit(writer, document, "five councillors", "seven councillors")  # 2
    services.set_status(lead, document, "consultation")

    said = sentences(change_record(document, 1, 2))

    assert any("moved from draft to consultation" in sentence for sentence in said)


def test_decision_rule_changes_come_from_the_audit_log(document, writer, edit, lead, labour_lead):
    from policyhub.endorsements.consensus import set_rule

    edit(writer, document, "five councillors", "seven councillors")  # 2
    set_rule(lead, document, "k_of_n", 1)
    edit(writer, document, "across England", "across England and Wales")  # 3

    record = change_record(document, 1, 3)

    assert [event.action for event in record.document_events] == ["document.rule"]
    assert any("is agreed when" in sentence for sentence in sentences(record))
    assert change_record(document, 2, 3).document_events == []  # set while revision 2 was current


def test_either_order_gives_the_same_record_and_the_summary_is_one_paragraph(document, writer, edit):
    edit(writer, document, "five councillors", "seven councillors")

    forward, backward = change_record(document, 1, 2), change_record(document, 2, 1)

    assert sentences(forward) == sentences(backward)
    assert summary_text(forward) == ("Revision 1 → revision 2: revision 2 edited directly by Wendy Writer "
                                     "(Labour); §5 edited.")


def test_unknown_revisions_are_not_found(document):
    from policyhub.errors import NotFound

    with pytest.raises(NotFound):
        change_record(document, 1, 5)
    with pytest.raises(NotFound):
        change_record(document, 0, 1)


# --- the page --------------------------------------------------------------------------------------------

def test_the_page_renders_the_record_with_links(client, document, proposer, lead, amend, writer, edit):
    amend(proposer, lead, document, "## Method\n", f"{SIXTEEN}\n\n## Method\n", title="Votes <at> 16")
    edit(writer, document, "five councillors", "seven councillors")

    page = client.get("/documents/fair-votes/changes?from=3&to=1")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Revision 1</a> →" in html
    assert 'href="/documents/fair-votes/amendments/1"' in html and "Votes &lt;at&gt; 16" in html
    assert "Piet Proposer" in html and "Greta Green" in html
    assert 'href="/documents/fair-votes/clauses/8">§3</a>' in html
    assert 'href="/documents/fair-votes/diff?from=1&amp;to=3"' in html


def test_the_page_defaults_to_the_last_change_and_handles_one_revision(client, document, writer, edit):
    assert "The same revision: nothing changed" in client.get("/documents/fair-votes/changes").get_data(
        as_text=True)
    edit(writer, document, "five councillors", "seven councillors")
    assert "Revision 2 edited directly" in client.get("/documents/fair-votes/changes").get_data(as_text=True)


@pytest.mark.parametrize("query, status", [
    ("from=abc&to=1", 400), ("from=1&to=-2", 400), ("from=1.5", 400), ("from=1&to=9", 404),
    ("from=99999999999&to=1", 400), ("from=0&to=1", 400),
])
def test_bad_parameters_are_refused_clearly(client, document, query, status):
    assert client.get(f"/documents/fair-votes/changes?{query}").status_code == status


def test_the_diff_and_history_pages_link_the_change_record(client, document, writer, edit):
    edit(writer, document, "five councillors", "seven councillors")

    diff = client.get("/documents/fair-votes/diff?from=1&to=2").get_data(as_text=True)
    history = client.get("/documents/fair-votes/history").get_data(as_text=True)

    assert 'href="/documents/fair-votes/changes?from=1&amp;to=2"' in diff
    assert 'formaction="/documents/fair-votes/changes"' in history
