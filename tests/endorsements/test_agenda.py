"""The agenda (consensus matrix), the agreed agenda and its Markdown, and what they cost in queries."""
from __future__ import annotations

import pytest

from policyhub.documents import services as documents
from policyhub.documents.models import Document
from policyhub.endorsements import services
from policyhub.endorsements.services import demote_headings
from policyhub.extensions import db
from policyhub.permissions import SYSTEM


@pytest.fixture
def agenda_docs(author, make_document, leads, edit_document):
    """Four documents: 'Fair votes' agreed; 'Green homes' with one current, one stale and one missing
    endorsement; 'NHS dentistry' (another area) endorsed by nobody; 'Old plan' archived and agreed."""
    fair = make_document(author, title="Fair votes", policy_area="Democratic reform",
                         body="# Fair votes\n\nProportional representation.\n\n## How\n\nBy 2030.\n")
    homes = make_document(author, title="Green homes", policy_area="Climate")
    nhs = make_document(author, title="NHS dentistry", policy_area="Health")
    old = make_document(author, title="Old plan", policy_area="Climate")
    for lead in leads.values():
        services.endorse(lead, fair)
        services.endorse(lead, old)
    documents.set_status(SYSTEM, old, "archived")
    services.endorse(leads["labour"], homes)
    services.endorse(leads["green"], homes)
    edit_document(author, homes)
    services.endorse(leads["labour"], homes)  # Labour re-endorses; Green's is stale; Lib Dems have none
    return {"fair": fair, "homes": homes, "nhs": nhs, "old": old}


def test_the_agenda_has_every_party_and_document_with_three_states(agenda_docs, parties):
    agenda = services.agenda()
    assert [p.slug for p in agenda.parties] == ["green", "labour", "libdem"]
    assert [row.document.title for row in agenda.rows] == ["Green homes", "Fair votes", "NHS dentistry"]
    homes, fair, nhs = agenda.rows
    assert {slug: s.state for slug, s in homes.states.items()} == {
        "green": "stale", "labour": "current", "libdem": "none"}
    assert homes.states["green"].endorsed_number == 1 and not homes.agreed and homes.current_count == 1
    assert fair.agreed and fair.current_count == 3
    assert not nhs.agreed and {s.state for s in nhs.states.values()} == {"none"}


def test_agenda_counts_and_what_each_party_has_yet_to_review(agenda_docs):
    agenda = services.agenda()
    assert (agenda.counts.documents, agenda.counts.agreed) == (3, 1)
    assert agenda.counts.by_party == {
        "green": {"current": 1, "stale": 1, "none": 1},
        "labour": {"current": 2, "stale": 0, "none": 1},
        "libdem": {"current": 1, "stale": 0, "none": 2},
    }
    review = {slug: [(item.document.title, item.state.state) for item in items]
              for slug, items in agenda.to_review.items()}
    assert review == {
        "green": [("Green homes", "stale"), ("NHS dentistry", "none")],
        "labour": [("NHS dentistry", "none")],
        "libdem": [("Green homes", "none"), ("NHS dentistry", "none")],
    }


def test_archived_documents_are_left_out_unless_asked_for(agenda_docs):
    assert "Old plan" not in [row.document.title for row in services.agenda().rows]
    agenda = services.agenda(include_archived=True)
    assert "Old plan" in [row.document.title for row in agenda.rows]
    assert (agenda.counts.documents, agenda.counts.agreed) == (4, 2)


def test_the_agenda_filters_by_policy_area_case_insensitively(agenda_docs):
    agenda = services.agenda("climate")
    assert [row.document.title for row in agenda.rows] == ["Green homes"]
    assert agenda.areas == ["Climate", "Democratic reform", "Health"]  # the filter still offers every area
    assert agenda.by_area() == [("Climate", agenda.rows)]
    assert services.agenda("Nowhere").rows == []


def test_rows_group_by_policy_area_in_order(agenda_docs):
    assert [area for area, _rows in services.agenda().by_area()] == ["Climate", "Democratic reform", "Health"]


def _make_documents(author, make_document, leads, count: int) -> None:
    lead_list = list(leads.values())
    for n in range(count):
        document = make_document(author, title=f"Paper {n:02d}", policy_area=f"Area {n % 3}")
        for lead in lead_list[: (n + 3) % 4]:  # 3, 0, 1, 2, 3, ... parties endorse: agreed ones in both sizes
            services.endorse(lead, document)


@pytest.mark.parametrize("builder", ["agenda", "agreed_documents"])
def test_the_agenda_costs_the_same_number_of_queries_for_3_or_12_documents(
        app, author, make_document, leads, recorded_queries, builder):
    build = getattr(services, builder)

    def cost() -> int:
        with app.app_context(), recorded_queries() as statements:  # a fresh session: nothing cached
            result = build()
            if builder == "agenda":  # touch everything the page shows
                for row in result.rows:
                    for state in row.states.values():
                        if state.endorsement is not None:
                            assert state.endorsement.endorsed_by.party is not None
            else:
                for item in result:
                    assert item.html and [e.endorsed_by.party.name for e in item.endorsements]
            db.session.remove()
        return len(statements)

    _make_documents(author, make_document, leads, 3)
    small = cost()
    _make_documents(author, make_document, leads, 9)
    assert db.session.scalar(db.select(db.func.count()).select_from(Document)) == 12
    assert cost() == small
    assert small <= 4


def test_agreed_documents_are_only_the_agreed_ones_at_their_current_revision(agenda_docs, leads):
    items = services.agreed_documents()
    assert [item.document.title for item in items] == ["Fair votes"]
    [item] = items
    assert item.revision.number == item.document.current_number == 1
    assert [e.party.slug for e in item.endorsements] == ["green", "labour", "libdem"]
    # ids are made unique per document and headings nest under the document's own h2
    assert '<h3 id="fair-votes--s-fair-votes" ' in item.html and 'href="#fair-votes--s-fair-votes"' in item.html
    assert "<h1" not in item.html and '<h4 id="fair-votes--s-how" ' in item.html
    assert 'id="fair-votes--c-' in item.html  # clause anchors stay unique on a page of many documents


def test_agreed_markdown_contains_only_agreed_documents_with_revision_and_parties(agenda_docs):
    text = services.agreed_markdown()
    assert text.startswith("# The agreed agenda\n")
    assert "## Fair votes" in text and "Green homes" not in text and "NHS dentistry" not in text
    assert "Old plan" not in text  # archived
    assert "- Revision: 1" in text
    assert "Green Party (Green Party Lead, " in text and "Labour (Labour Lead, " in text
    assert "Liberal Democrats (Liberal Democrats Lead, " in text
    # the document's own headings sit under its section
    assert "\n### Fair votes\n" in text and "\n#### How\n" in text


def test_agreed_markdown_says_so_when_nothing_is_agreed(author, make_document):
    make_document(author)
    assert "No document is agreed by every party yet." in services.agreed_markdown()


def test_agreed_markdown_escapes_names_and_quotes_statements(author, make_document, leads):
    document = make_document(author, title="Votes *now* [1]")
    for slug, lead in leads.items():
        services.endorse(lead, document, statement="Line one\n\nLine three" if slug == "green" else "")
    text = services.agreed_markdown()
    assert "## Votes \\*now\\* \\[1\\]" in text
    assert "> **Green Party:**\n>\n> Line one\n>\n> Line three\n" in text


@pytest.mark.parametrize("source, expected", [
    ("# A\n\ntext\n", "### A\n\ntext\n"),
    ("##### Deep\n", "###### Deep\n"),
    ("Title\n=====\n\nSub\n---\n", "### Title\n\n#### Sub\n"),
    ("```\n# not a heading\n```\n# Yes\n", "```\n# not a heading\n```\n### Yes\n"),
    ("~~~~\n# no\n~~~\n# still code\n~~~~\n", "~~~~\n# no\n~~~\n# still code\n~~~~\n"),
    ("- item\n---\n", "- item\n---\n"),
    ("text\n\n---\n", "text\n\n---\n"),
    ("#hashtag\n", "#hashtag\n"),
    ("> quote\n---\n", "> quote\n---\n"),
])
def test_demote_headings(source, expected):
    assert demote_headings(source, 2) == expected


def test_agreed_headings_start_at_h3_whatever_level_the_document_starts_at():
    from policyhub.endorsements.services import _fit_html
    fitted = _fit_html('<h2 id="s-a">A</h2><p>x</p><h3 id="s-b">B</h3>', prefix="d--", top=3)
    assert fitted == '<h3 id="d--s-a">A</h3><p>x</p><h4 id="d--s-b">B</h4>'
    assert _fit_html("<p>No headings.</p>", prefix="d--", top=3) == "<p>No headings.</p>"
