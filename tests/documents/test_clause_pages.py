"""Clause keys through real saves, the clause page (text, provenance, history, endorsements), the clause list,
line numbers and permalinks on the document page."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from policyhub.documents import clauses, services
from policyhub.documents.models import ClauseEvent
from policyhub.extensions import db

from .conftest import BODY, CLOSING, COMMISSION, HEADING, METHOD, PROPOSAL, VOTE, WARDS



@pytest.fixture
def save(app):
    """``save(user, document, body)``: a direct edit on the current revision; returns the new revision."""
    def run(user: Any, document: Any, body: str) -> Any:
        current = services.get_revision(document, document.current_number)
        result = services.save_revision(user, document, body=body, base_number=current.number)
        assert result.changed
        return result.revision
    return run


def _events(document) -> list[tuple[int, str, str, str | None]]:
    return [(event.number, event.key, event.kind, event.origin) for event in db.session.scalars(
        select(ClauseEvent).where(ClauseEvent.document_id == document.id)
        .order_by(ClauseEvent.number, ClauseEvent.id))]


def _keys(document, number: int) -> list[str]:
    return clauses.keys_of(services.get_revision(document, number))


# --- keys through saves ----------------------------------------------------------------------------------

def test_keys_survive_edits_and_moves_and_a_new_paragraph_gets_a_new_key(document, writer, save):
    assert _keys(document, 1) == [HEADING, VOTE, METHOD, PROPOSAL, WARDS, COMMISSION, CLOSING]
    body = BODY.replace("equally in elections", "equally in all elections")  # an edit
    body = body.replace("\nClosing remarks about democracy and fairness for all voters.\n", "")
    body = body.replace("## Method\n", "Closing remarks about democracy and fairness for all voters.\n\n"
                                       "A brand new paragraph on turnout and registration.\n\n## Method\n")
    save(writer, document, body)

    assert _keys(document, 2) == [HEADING, VOTE, CLOSING, "8", METHOD, PROPOSAL, WARDS, COMMISSION]
    revision_2 = [event for event in _events(document) if event[0] == 2]
    assert revision_2 == [(2, VOTE, "edited", None), (2, CLOSING, "moved", None), (2, "8", "added", None)]
    assert document.clause_counter == 8


def test_a_deleted_paragraph_written_again_gets_its_key_back(document, writer, save):
    proposal = "We propose the single transferable vote for local elections across England.\n\n"
    save(writer, document, BODY.replace(proposal, ""))
    save(writer, document, BODY)

    assert PROPOSAL not in _keys(document, 2)
    assert _keys(document, 3) == _keys(document, 1)
    assert [event for event in _events(document) if event[1] == PROPOSAL][1:] == [
        (2, PROPOSAL, "removed", None), (3, PROPOSAL, "restored", None)]
    assert document.clause_counter == 7  # no key was handed out for the re-added paragraph


# --- the clause page -------------------------------------------------------------------------------------

def test_a_clause_page_shows_its_text_label_permalink_and_direct_author(client, document):
    page = client.get(f"/documents/fair-votes/clauses/{PROPOSAL}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "§4" in html
    assert "single transferable vote" in html
    assert f'href="/documents/fair-votes#c-{PROPOSAL}"' in html
    assert "written directly by" in html and "Wendy Writer" in html and "Labour" in html


def test_a_clause_that_came_in_through_an_amendment_names_proposer_and_decider(
        client, document, make_user, make_party, green, writer):
    from policyhub.amendments import services as amendments

    proposer = make_user("Piet Proposer", party=make_party("libdem", "Liberal Democrats"))
    decider = make_user("Greta Green", party=green, role="lead")
    added = "Votes at sixteen for every local and national election."
    amendment = amendments.propose_amendment(
        proposer, document, title="Votes at 16", rationale="Younger voters.",
        body=BODY.replace("## Method\n", f"{added}\n\n## Method\n"), base_number=1)
    amendments.accept_amendment(decider, amendment, note="Agreed in committee.")
    key = _keys(document, 2)[2]
    assert key == "8"

    html = client.get(f"/documents/fair-votes/clauses/{key}").get_data(as_text=True)

    assert "amendment 1" in html and "Votes at 16" in html
    origin = html[html.index("Where it came from"):html.index("Its history")]
    assert "Piet Proposer" in origin and "Liberal Democrats" in origin
    assert "accepted by" in origin and "Greta Green" in origin and "Green Party" in origin
    assert "written directly" not in origin
    # Its first event links the amendment too; the other clauses were untouched by it.
    assert "Wendy Writer" in client.get(f"/documents/fair-votes/clauses/{VOTE}").get_data(as_text=True)


def test_the_history_shows_each_change_as_an_escaped_word_diff(client, document, writer, save):
    save(writer, document, BODY.replace("for every council.", "for every council <script>alert(1)</script>."))

    html = client.get(f"/documents/fair-votes/clauses/{VOTE}").get_data(as_text=True)

    assert "<script>alert" not in html
    assert '<ins class="diff-ins">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    history = html[html.index("Its history"):]
    assert history.index("Edited") < history.index("Added")  # newest first
    assert 'href="/documents/fair-votes/revisions/2"' in history


def test_a_removed_clause_says_when_and_keeps_its_last_text(client, document, writer, save):
    save(writer, document, BODY.replace("Closing remarks about democracy and fairness for all voters.\n", ""))

    page = client.get(f"/documents/fair-votes/clauses/{CLOSING}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Removed in" in html and 'href="/documents/fair-votes/revisions/2">Revision 2</a>' in html
    assert "Closing remarks about democracy" in html  # the last text
    assert "Last text" in html


def test_a_merged_clause_links_the_clause_that_absorbed_it(client, document, writer, save):
    merged = BODY.replace("- Multi-member wards of three to five councillors.\n"
                          "- An independent boundary commission draws the wards.",
                          "- Multi-member wards of three to five councillors, and an independent boundary "
                          "commission draws the wards.")
    save(writer, document, merged)
    assert (2, COMMISSION, "merged", WARDS) in _events(document)

    html = client.get(f"/documents/fair-votes/clauses/{COMMISSION}").get_data(as_text=True)

    assert "Merged into" in html
    assert f'href="/documents/fair-votes/clauses/{WARDS}">§5</a>' in html


def test_a_clause_split_off_another_names_it(client, document, writer, save):
    save(writer, document, BODY.replace(
        "We propose the single transferable vote for local elections across England.",
        "We propose the single transferable vote.\n\nThe vote is for local elections across England."))
    assert (2, "8", "split", PROPOSAL) in _events(document)

    html = client.get("/documents/fair-votes/clauses/8").get_data(as_text=True)

    origin = html[html.index("Where it came from"):html.index("Its history")]
    assert f'Split from <a href="/documents/fair-votes/clauses/{PROPOSAL}">§4</a>' in origin
    assert "written directly by" in origin


def test_a_restored_clause_says_so(client, document, writer, save):
    proposal = "We propose the single transferable vote for local elections across England.\n\n"
    save(writer, document, BODY.replace(proposal, ""))
    save(writer, document, BODY)

    html = client.get(f"/documents/fair-votes/clauses/{PROPOSAL}").get_data(as_text=True)

    assert "Restored in" in html and "Removed" in html
    assert "Removed in" not in html  # it stands again: no removal notice


def test_the_clause_page_lists_endorsements_of_revisions_holding_it_with_each_stance(
        client, document, writer, save, make_user, labour, green):
    from policyhub.endorsements import services as endorsements

    labour_lead = make_user("Lara Lead", party=labour, role="lead")
    green_lead = make_user("Gil Lead", party=green, role="lead")
    endorsements.endorse(labour_lead, document)  # revision 1, whole document
    added = "Votes at sixteen for every local and national election."
    save(writer, document, BODY.replace("## Method\n", f"{added}\n\n## Method\n"))
    endorsements.endorse(green_lead, document, sections={METHOD: "object"},
                         reasons={METHOD: "Wards are too large."})

    wards = client.get(f"/documents/fair-votes/clauses/{WARDS}").get_data(as_text=True)
    table = wards[wards.index("Endorsements"):]
    assert "Labour" in table and "Green Party" in table
    assert "Endorses" in table and "Objects" in table and "Wards are too large." in table
    assert table.count("live") >= 2

    new = client.get("/documents/fair-votes/clauses/8").get_data(as_text=True)  # the added paragraph
    table = new[new.index("Endorsements"):]
    assert "Green Party" in table and "Not reviewed" in table  # outside the section Greens named
    assert "Labour" not in table  # Labour endorsed revision 1, which did not hold it


def test_a_heading_clause_is_shown_under_the_pages_own_headings(client, document):
    html = client.get(f"/documents/fair-votes/clauses/{HEADING}").get_data(as_text=True)

    text = html[html.index('class="prose prose--solo'):html.index("Where it came from")]
    assert "<h3" in text and "Fair votes" in text and "<h1" not in text


def test_unknown_clauses_and_documents_are_404(client, document):
    assert client.get("/documents/fair-votes/clauses/zz").status_code == 404
    assert client.get("/documents/nothing-here/clauses/1").status_code == 404
    assert client.get("/documents/nothing-here/clauses").status_code == 404


def test_the_clause_page_costs_the_same_queries_however_long_the_history(
        client, document, writer, save, count_queries):
    def page() -> None:
        assert client.get(f"/documents/fair-votes/clauses/{VOTE}").status_code == 200

    save(writer, document, BODY.replace("every council", "every council, 1"))
    short = count_queries(page)
    for n in range(2, 8):
        save(writer, document, BODY.replace("every council", f"every council, {n}"))
    assert count_queries(page) == short


# --- the clause list -------------------------------------------------------------------------------------

def test_the_clause_list_links_each_clause_page_and_permalink(client, document):
    html = client.get("/documents/fair-votes/clauses").get_data(as_text=True)

    for key in (HEADING, VOTE, METHOD, PROPOSAL, WARDS, COMMISSION, CLOSING):
        assert f'href="/documents/fair-votes/clauses/{key}"' in html
        assert f'href="/documents/fair-votes#c-{key}"' in html
    assert "§7" in html and "heading" in html and "item" in html
    assert "Multi-member wards of three to five councillors." in html
    assert "- Multi-member" not in html  # excerpts drop the Markdown markers


def test_the_clause_list_of_an_old_revision(client, document, writer, save):
    save(writer, document, BODY.replace("Closing remarks about democracy and fairness for all voters.\n", ""))

    old = client.get("/documents/fair-votes/clauses?revision=1")
    now = client.get("/documents/fair-votes/clauses").get_data(as_text=True)

    assert old.status_code == 200
    assert "Closing remarks" in old.get_data(as_text=True)
    assert 'href="/documents/fair-votes/revisions/1#c-7"' in old.get_data(as_text=True)
    assert "Closing remarks" not in now
    assert client.get("/documents/fair-votes/clauses?revision=9").status_code == 404
    assert client.get("/documents/fair-votes/clauses?revision=abc").status_code == 400


# --- the document page: permalinks and line numbers ------------------------------------------------------

def test_the_document_page_has_an_anchor_for_every_clause(client, document):
    html = client.get("/documents/fair-votes").get_data(as_text=True)

    ids = re.findall(r'id="(c-[0-9a-z]+)"', html)
    assert ids == [f"c-{key}" for key in (HEADING, VOTE, METHOD, PROPOSAL, WARDS, COMMISSION, CLOSING)]


def test_line_numbers_are_a_plain_link_that_marks_the_text(client, document):
    plain = client.get("/documents/fair-votes").get_data(as_text=True)
    numbered = client.get("/documents/fair-votes?lines=1").get_data(as_text=True)

    assert "prose--lines" not in plain and 'href="/documents/fair-votes?lines=1"' in plain
    assert 'class="prose prose--lines"' in numbered and "Hide line numbers" in numbered
    assert 'data-line="1"' in numbered and 'data-line="12"' in numbered  # the closing paragraph's line
    assert client.get("/documents/fair-votes?lines=yes").status_code == 400


def test_line_numbers_are_cached_apart_for_visitors(make_app, document):
    cached = make_app(PAGE_CACHE_BYTES=1_000_000)
    client = cached.test_client()
    client.get("/documents/fair-votes")

    assert "prose--lines" in client.get("/documents/fair-votes?lines=1").get_data(as_text=True)
    assert "prose--lines" not in client.get("/documents/fair-votes").get_data(as_text=True)


def test_the_stylesheet_numbers_lines_in_print_and_highlights_a_linked_clause(client):
    css = client.get("/static/css/app.css").get_data(as_text=True)

    assert "content: attr(data-line)" in css
    assert '[id^="c-"]:target' in css
    assert re.search(r"@media print \{[^@]*prose--lines", css)
