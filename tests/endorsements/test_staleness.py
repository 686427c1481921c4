"""Graded staleness of endorsements (current, cosmetic, outside scope, substantive) and the stance of each
party on each clause (policyhub.endorsements.staleness)."""
from __future__ import annotations

import pytest

from policyhub.documents import services as documents
from policyhub.documents.clauses import clauses_of
from policyhub.endorsements import services, staleness
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db
from policyhub.parties.services import list_parties

BODY = """# Fair votes

Intro: why this paper exists.

## Principles

Every vote should count equally.

- Proportional seats in every region
- Local links kept

## Timetable

A citizens' assembly reports by 2026.

## Out of scope

Lords reform is not covered.
"""


@pytest.fixture
def document(author, make_document):
    return make_document(author, title="Fair votes", slug="fair-votes", body=BODY)


def current_body(document) -> str:
    return documents.get_revision(document, document.current_number).body


def save(author, document, *edits: tuple[str, str]) -> None:
    """Save the current text with each (old, new) replacement made once."""
    body = current_body(document)
    for old, new in edits:
        assert old in body, old
        body = body.replace(old, new, 1)
    documents.save_revision(author, document, body=body, base_number=document.current_number, summary="Edit")


def key(document, start: str, number: int | None = None) -> str:
    """The key of the clause of revision ``number`` (default: current) whose source starts with ``start``."""
    revision = documents.get_revision(document, number or document.current_number)
    [found] = [clause.key for clause in clauses_of(revision) if clause.text.startswith(start)]
    return found


def fresh(endorsement: Endorsement) -> Endorsement:
    db.session.expire_all()
    return db.session.get(Endorsement, endorsement.id)


def computed(endorsement: Endorsement, document) -> staleness.Grade:
    """The grade computed now from the two revisions, ignoring what is stored."""
    return staleness.grade_against(endorsement, documents.get_revision(document, endorsement.revision_number),
                                   documents.get_revision(document, document.current_number))


def sections(document, **stances: str) -> dict[str, str]:
    """{clause key: stance} from {heading text with spaces as underscores: stance}."""
    return {key(document, "#" * 2 + " " + name.replace("_", " ")): stance for name, stance in stances.items()}


# --- grading --------------------------------------------------------------------------------------------

def test_an_endorsement_of_the_current_revision_is_current_and_holds(leads, document):
    endorsement = services.endorse(leads["labour"], document)
    grade = staleness.grade(endorsement, document)
    assert grade == staleness.Grade("current", []) and grade.holds and not grade.needs_review
    assert staleness.holds(endorsement, document)
    stored = fresh(endorsement)
    assert (stored.staleness, stored.graded_number, stored.changed_keys) == ("current", 1, [])


@pytest.mark.parametrize("edits", [
    [("Every vote should count equally.", "Every  vote should\ncount equally")],  # whitespace, punctuation
    [("Every vote should count equally.", "Every vote should **count equally**.")],  # bold
    [("## Timetable", "### Timetable")],  # a heading level
    [("Intro: why this paper exists.", "Intro - why this paper exists!"), ("- Local links", "* Local links")],
], ids=["whitespace-punctuation", "bold", "heading-level", "punctuation-and-bullets"])
def test_a_change_of_layout_punctuation_or_formatting_only_is_cosmetic(leads, author, document, edits):
    whole = services.endorse(leads["labour"], document)
    scoped = services.endorse(leads["green"], document, sections=sections(document, Principles="endorse"))
    save(author, document, *edits)
    for endorsement in (whole, scoped):
        grade = staleness.grade(fresh(endorsement), document)
        assert grade == staleness.Grade("cosmetic", []) and grade.holds and not grade.needs_review


def test_a_change_in_a_section_not_endorsed_is_outside_the_scope(leads, author, document):
    endorsement = services.endorse(leads["labour"], document,
                                   sections=sections(document, Principles="endorse", Out_of_scope="endorse"))
    save(author, document, ("reports by 2026", "reports by 2028"))
    grade = staleness.grade(fresh(endorsement), document)
    assert grade == staleness.Grade("outside_scope", []) and grade.holds
    # A whole-document endorsement of the same text is substantively stale.
    whole = services.endorse(leads["green"], document, revision=1)
    assert staleness.grade(whole, document) == staleness.Grade("substantive", [key(document, "A citizens")])


def test_a_changed_clause_of_an_endorsed_section_is_substantive(leads, author, document):
    endorsement = services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    changed = key(document, "Every vote")
    save(author, document, ("Every vote should count equally.", "Every single vote should count equally."))
    assert key(document, "Every single") == changed  # an edit: the clause keeps its key
    grade = staleness.grade(fresh(endorsement), document)
    assert grade == staleness.Grade("substantive", [changed]) and not grade.holds and grade.needs_review


def test_a_clause_added_into_an_endorsed_section_is_substantive(leads, author, document):
    endorsement = services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    save(author, document, ("- Local links kept\n", "- Local links kept\n- A threshold of five per cent\n"))
    added = key(document, "- A threshold")
    assert staleness.grade(fresh(endorsement), document) == staleness.Grade("substantive", [added])


def test_a_clause_removed_from_an_endorsed_section_is_substantive(leads, author, document):
    endorsement = services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    removed = key(document, "- Local links")
    save(author, document, ("- Local links kept\n", ""))
    assert staleness.grade(fresh(endorsement), document) == staleness.Grade("substantive", [removed])


def test_a_clause_moved_into_an_endorsed_section_is_substantive(leads, author, document):
    endorsement = services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    moved = key(document, "Lords reform")
    body = current_body(document).replace("Lords reform is not covered.\n", "")
    body = body.replace("- Local links kept\n", "- Local links kept\n\nLords reform is not covered.\n")
    documents.save_revision(author, document, body=body, base_number=1, summary="Move")
    assert key(document, "Lords reform") == moved  # the clause kept its key: it moved
    assert staleness.grade(fresh(endorsement), document) == staleness.Grade("substantive", [moved])


def test_a_whole_document_endorsement_is_substantively_stale_after_any_change_of_words(leads, author, document):
    endorsement = services.endorse(leads["labour"], document)
    save(author, document, ("Lords reform is not covered.", "Lords reform is covered elsewhere."))
    grade = staleness.grade(fresh(endorsement), document)
    assert grade == staleness.Grade("substantive", [key(document, "Lords reform")])
    assert not staleness.holds(fresh(endorsement), document)


def test_the_grade_is_stored_at_every_save_and_equals_the_computed_one(leads, author, document):
    scoped = services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    whole = services.endorse(leads["green"], document)
    steps = [
        (("reports by 2026", "reports by 2028"), {"labour": "outside_scope", "green": "substantive"}),
        (("Every vote should", "Each vote should"), {"labour": "substantive", "green": "substantive"}),
        (("Each vote should", "Every vote should"), {"labour": "outside_scope", "green": "substantive"}),
        (("reports by 2028", "reports by 2026."), {"labour": "cosmetic", "green": "cosmetic"}),
    ]
    for number, (edit, expected) in enumerate(steps, start=2):
        save(author, document, edit)
        for slug, endorsement in (("labour", scoped), ("green", whole)):
            row = fresh(endorsement)
            assert row.graded_number == number == document.current_number
            stored = staleness.Grade(row.staleness, row.changed_keys)
            assert stored == computed(row, document) == staleness.grade(row, document)
            assert row.staleness == expected[slug], (number, slug)


def test_grading_without_a_stored_grade_computes_it_without_writing(leads, author, document):
    endorsement = services.endorse(leads["labour"], document)
    save(author, document, ("Lords reform is not covered.", "Lords reform is covered elsewhere."))
    row = fresh(endorsement)
    row.staleness, row.graded_number, row.changed_keys = None, None, None  # as before grading existed
    db.session.commit()
    grade = staleness.grade(row, document)
    assert grade.staleness == "substantive" and grade.changed_keys == [key(document, "Lords reform")]
    assert fresh(endorsement).staleness is None  # a read never writes


def test_an_older_revision_endorsed_is_graded_against_the_current_one_at_once(leads, author, document):
    save(author, document, ("reports by 2026", "reports by 2028"))
    endorsement = services.endorse(leads["labour"], document, revision=1,
                                   sections=sections(document, Principles="endorse"))
    row = fresh(endorsement)
    assert (row.staleness, row.graded_number) == ("outside_scope", 2)
    whole = fresh(services.endorse(leads["green"], document, revision=1))
    assert (whole.staleness, whole.changed_keys) == ("substantive", [key(document, "A citizens")])


def test_party_states_carry_the_grade(leads, author, document, parties):
    services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    services.endorse(leads["green"], document)
    save(author, document, ("reports by 2026", "reports by 2028"))
    db.session.expire_all()
    states = {state.party.slug: state for state in services.party_states(document)}
    assert states["labour"].grade.staleness == "outside_scope" and states["labour"].holds
    assert states["green"].grade.staleness == "substantive" and states["green"].needs_review
    assert states["libdem"].grade is None and not states["libdem"].holds
    assert states["labour"].state == states["green"].state == "stale"  # the old meaning is unchanged


def test_the_review_shows_only_the_changed_clauses_with_their_word_diff(leads, author, document):
    endorsement = services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    save(author, document, ("Every vote should count equally.", "Every vote should count."),
         ("reports by 2026", "reports by 2028"), ("- Local links kept\n", ""))
    [changed, removed] = staleness.review(fresh(endorsement), document)
    assert (changed.kind, changed.section, changed.old, changed.new) == (
        "changed", "Principles", "Every vote should count equally.", "Every vote should count.")
    assert '<del class="diff-del"' in changed.diff_html and "equally" in changed.diff_html
    assert (removed.kind, removed.old, removed.new) == ("removed", "- Local links kept", None)
    whole = services.endorse(leads["green"], document, revision=2)
    assert staleness.review(whole, document) == []  # it holds: nothing to review


# --- stances on clauses ---------------------------------------------------------------------------------

def test_stance_of_takes_the_innermost_named_scope(leads, document):
    named = {key(document, "# Fair votes"): "reservations", key(document, "## Principles"): "endorse",
             key(document, "- Local links"): "object"}
    endorsement = services.endorse(leads["labour"], document, sections=named,
                                   reasons={key(document, "# Fair votes"): "Too vague overall.",
                                            key(document, "- Local links"): "We want larger regions."})
    clauses = clauses_of(documents.get_revision(document, 1))
    assert staleness.stance_of(endorsement, clauses, key(document, "Intro")) == "reservations"
    assert staleness.stance_of(endorsement, clauses, key(document, "Every vote")) == "endorse"
    assert staleness.stance_of(endorsement, clauses, key(document, "- Local links")) == "object"
    assert staleness.stance_of(endorsement, clauses, key(document, "Lords")) == "reservations"
    whole = services.endorse(leads["green"], document)
    assert staleness.stance_of(whole, clauses, key(document, "Lords")) == "endorse"


def test_clause_stances_for_whole_and_scoped_endorsements(leads, document, parties):
    services.endorse(leads["labour"], document,
                     sections=sections(document, Principles="endorse", Timetable="object"),
                     reasons={key(document, "## Timetable"): "We want a referendum first."})
    services.endorse(leads["green"], document)
    clauses = clauses_of(documents.get_revision(document, 1))
    table = staleness.clause_stances(document, clauses, services.live_endorsements(document), parties)
    assert list(table) == [clause.key for clause in clauses]
    by_text = {clause.text: table[clause.key] for clause in clauses}
    assert by_text["Intro: why this paper exists."] == {
        "labour": "not_reviewed", "libdem": "not_reviewed", "green": "endorse"}
    assert by_text["- Local links kept"] == {"labour": "endorse", "libdem": "not_reviewed", "green": "endorse"}
    assert by_text["## Timetable"]["labour"] == by_text["A citizens' assembly reports by 2026."]["labour"] == "object"
    assert by_text["Lords reform is not covered."]["labour"] == "not_reviewed"
    assert list(by_text["## Principles"]) == ["labour", "libdem", "green"]  # party order


def test_clause_stances_mark_changed_and_added_clauses_of_the_scope_stale(leads, author, document, parties,
                                                                           count_queries):
    services.endorse(leads["labour"], document, sections=sections(document, Principles="endorse"))
    services.endorse(leads["green"], document)
    save(author, document, ("Every vote should count equally.", "Every single vote should count equally."),
         ("- Local links kept\n", "- Local links kept\n- A threshold of five per cent\n"),
         ("reports by 2026", "reports by 2028"))
    db.session.expire_all()
    document = db.session.get(type(document), document.id)
    clauses = clauses_of(documents.get_revision(document, document.current_number))
    live, parties = services.live_endorsements(document), list_parties()
    table = {}
    assert count_queries(lambda: table.update(staleness.clause_stances(document, clauses, live, parties))) == 0
    by_text = {clause.text: table[clause.key] for clause in clauses}
    assert by_text["Every single vote should count equally."] == {"labour": "stale", "libdem": "not_reviewed", "green": "stale"}
    assert by_text["- A threshold of five per cent"]["labour"] == "stale"
    assert by_text["- Local links kept"]["labour"] == "endorse" and by_text["## Principles"]["labour"] == "endorse"
    assert by_text["A citizens' assembly reports by 2028."] == {
        "labour": "not_reviewed", "libdem": "not_reviewed", "green": "stale"}
    assert by_text["Lords reform is not covered."]["green"] == "endorse"


def test_a_cosmetic_change_makes_no_clause_stale(leads, author, document, parties):
    services.endorse(leads["green"], document)
    save(author, document, ("Every vote should count equally.", "Every vote should **count equally**!"))
    clauses = clauses_of(documents.get_revision(document, 2))
    table = staleness.clause_stances(document, clauses, services.live_endorsements(document), parties)
    assert {stances["green"] for stances in table.values()} == {"endorse"}
