"""Endorsements through the pages: the document panel, endorsing and withdrawing, the agenda pages."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from policyhub.endorsements import services
from policyhub.endorsements.views import document_panel
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def html_of(response, status: int = 200) -> str:
    """The page, after checking its status and the CSP rules (no inline styles or scripts)."""
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    html = response.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(html) and not STYLE_ATTRIBUTE.search(html) and "<style" not in html
    return html


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def markdown_of(response, stem: str) -> str:
    """A Markdown download's text, after checking its status, type and dated file name (``stem-YYYY-MM-DD.md``)."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert re.fullmatch(rf'attachment; filename="{re.escape(stem)}-\d{{4}}-\d{{2}}-\d{{2}}\.md"',
                        response.headers["Content-Disposition"])
    return response.get_data(as_text=True)


def live_rows(document) -> list[Endorsement]:
    db.session.rollback()
    return list(db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id,
                                                             Endorsement.ended_at.is_(None))))


@pytest.fixture
def document(author, make_document):
    return make_document(author, title="Fair votes", slug="fair-votes", revisions=2)


# --- the document panel ---------------------------------------------------------------------------------

def test_the_document_page_shows_each_partys_state_and_statement(client, leads, document, edit_document):
    services.endorse(leads["labour"], document, revision=1, statement="Labour backs <b>this</b>.")
    services.endorse(leads["green"], document)
    html = html_of(client.get("/documents/fair-votes"))
    strip = html[html.index('class="endorse-strip'):html.index("</section>", html.index('class="endorse-strip'))]
    words = text_of(strip)
    assert "1 of 3 parties endorse the current text (revision 2)" in words
    assert "Green Party ✓ Endorses revision 2" in words
    assert "Labour ! Endorsed revision 1" in words and "What changed since" in words
    assert "Liberal Democrats – No endorsement" in words
    assert 'href="/documents/fair-votes/diff?from=1&amp;to=2"' in strip
    assert "Labour backs &lt;b&gt;this&lt;/b&gt;." in strip  # statements are text, escaped
    assert "party-labour" in strip and "party-state--stale" in strip
    assert "<form" not in strip  # nobody signed in: no endorse form


def test_the_stale_prompt_is_shown_to_that_partys_lead_only(client, login, leads, author, document, edit_document):
    services.endorse(leads["labour"], document, statement="Our first word.")
    services.endorse(leads["libdem"], document)
    edit_document(author, document)  # both go stale

    login(client, leads["labour"])
    words = text_of(html_of(client.get("/documents/fair-votes")))
    assert "The text has changed since Labour endorsed revision 2." in words
    assert "Review what changed since revision 2" in words and "Endorse revision 3 for Labour" in words
    assert "Our first word." in words  # the old statement is offered again, visibly

    login(client, leads["green"])  # no endorsement at all: the first-endorsement form, no stale prompt
    words = text_of(html_of(client.get("/documents/fair-votes")))
    assert "The text has changed since" not in words
    assert "Green Party has not endorsed this document." in words and "Endorse revision 3 for Green Party" in words

    login(client, author)  # a member: sees the states, no prompt and no form
    words = text_of(html_of(client.get("/documents/fair-votes")))
    assert "Labour ! Endorsed revision 2" in words
    assert "The text has changed since" not in words and "Endorse revision" not in words


def test_a_lead_whose_party_endorses_the_current_text_gets_no_prompt(client, login, leads, document):
    services.endorse(leads["labour"], document)
    login(client, leads["labour"])
    words = text_of(html_of(client.get("/documents/fair-votes")))
    assert "Labour endorses this text." in words and "Endorse revision" not in words


def test_an_agreed_document_says_so(client, leads, document):
    for lead in leads.values():
        services.endorse(lead, document)
    words = text_of(html_of(client.get("/documents/fair-votes")))
    assert "✓ Agreed Every party endorses revision 2, the current text." in words


def test_the_panel_costs_at_most_two_queries(app, leads, document, recorded_queries):
    for lead in leads.values():
        services.endorse(lead, document, statement="Yes.")
    with app.test_request_context("/documents/fair-votes"):
        viewer = db.session.get(type(leads["labour"]), leads["labour"].id)
        _ = viewer.party  # the signed-in user is loaded before the page
        doc = db.session.get(type(document), document.id)
        with recorded_queries() as statements:
            context = document_panel(doc, viewer)
            for state in context["party_states"]:
                assert state.endorsement.endorsed_by.party.name and state.endorsement.statement == "Yes."
        assert context["agreed"] is True
    assert len(statements) <= 2, statements


# --- endorsing and withdrawing --------------------------------------------------------------------------

def test_a_lead_endorses_through_the_page_for_their_own_party_only(client, login, leads, document, labour, libdem):
    login(client, leads["labour"])
    response = client.post("/documents/fair-votes/endorsements",
                           data={"revision": "2", "statement": "We agree.", "party": "libdem",
                                 "party_id": str(libdem.id), "next": "/documents/fair-votes"})
    assert response.status_code == 302 and response.headers["Location"] == "/documents/fair-votes"
    [row] = live_rows(document)
    assert (row.party_id, row.revision_number, row.statement) == (labour.id, 2, "We agree.")
    words = text_of(html_of(client.get("/documents/fair-votes")))
    assert "Labour now endorses revision 2 of 'Fair votes'." in words


def test_endorsing_without_a_revision_takes_the_current_one(client, login, leads, document):
    login(client, leads["green"])
    assert client.post("/documents/fair-votes/endorsements", data={}).status_code == 302
    assert [row.revision_number for row in live_rows(document)] == [2]


def test_endorsing_twice_says_nothing_changed(client, login, leads, document):
    login(client, leads["green"])
    client.post("/documents/fair-votes/endorsements", data={"revision": "2"})
    response = client.post("/documents/fair-votes/endorsements", data={"revision": "2"}, follow_redirects=True)
    assert "Green Party already endorses revision 2" in text_of(html_of(response))
    assert len(live_rows(document)) == 1


def test_an_open_redirect_through_next_is_refused(client, login, leads, document):
    login(client, leads["green"])
    response = client.post("/documents/fair-votes/endorsements", data={"next": "//evil.example/"})
    assert response.headers["Location"] == "/documents/fair-votes"


@pytest.mark.parametrize("who, status", [("author", 403), ("admin", 403), ("nobody", 401)])
def test_members_admins_and_the_anonymous_cannot_endorse(client, login, author, admin, document, who, status):
    if who != "nobody":
        login(client, {"author": author, "admin": admin}[who])
    response = client.post("/documents/fair-votes/endorsements", data={"revision": "2"})
    assert response.status_code == status
    assert live_rows(document) == []


def test_a_bad_revision_or_statement_comes_back_with_what_was_typed(client, login, leads, document):
    login(client, leads["labour"])
    html = html_of(client.post("/documents/fair-votes/endorsements",
                               data={"revision": "9", "statement": "Typed with care."}), 422)
    assert "There is no revision 9; the latest is 2." in html and "Typed with care." in html
    html = html_of(client.post("/documents/fair-votes/endorsements",
                               data={"revision": "2", "statement": "z" * 2001}), 422)
    assert "the limit is 2000" in html and "z" * 2001 in html
    assert live_rows(document) == []


def test_an_expired_csrf_token_keeps_the_statement(app, client, login, leads, document):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, leads["labour"])
    html = html_of(client.post("/documents/fair-votes/endorsements",
                               data={"revision": "2", "statement": "Long careful words.", "csrf_token": "stale"}), 422)
    assert "Your session expired" in html and "Long careful words." in html
    assert live_rows(document) == []


def test_endorsing_an_archived_document_is_forbidden(client, login, leads, document):
    from policyhub.documents.services import set_status
    from policyhub.permissions import SYSTEM
    set_status(SYSTEM, document, "archived")
    login(client, leads["labour"])
    assert client.post("/documents/fair-votes/endorsements", data={}).status_code == 403
    assert "Endorse revision" not in html_of(client.get("/documents/fair-votes"))


def test_withdraw_by_that_partys_lead_or_an_admin_only(client, login, leads, admin, document):
    services.endorse(leads["labour"], document)
    services.endorse(leads["green"], document)
    login(client, leads["libdem"])
    assert client.post("/documents/fair-votes/endorsements/labour/withdraw").status_code == 403
    login(client, leads["labour"])
    response = client.post("/documents/fair-votes/endorsements/labour/withdraw")
    assert response.status_code == 302 and response.headers["Location"] == "/documents/fair-votes/endorsements"
    login(client, admin)
    assert client.post("/documents/fair-votes/endorsements/green/withdraw").status_code == 302
    assert live_rows(document) == []
    assert client.post("/documents/fair-votes/endorsements/green/withdraw").status_code == 404  # none live
    assert client.post("/documents/fair-votes/endorsements/nobody/withdraw").status_code == 404
    assert client.get("/documents/fair-votes/endorsements/green/withdraw").status_code == 405


def test_the_record_page_lists_live_and_ended_endorsements_with_withdraw_for_those_allowed(
        app, client, login, leads, document):
    services.endorse(leads["labour"], document, revision=1)
    services.endorse(leads["labour"], document)  # supersedes
    green = services.endorse(leads["green"], document, statement="Greens agree.")
    services.withdraw_endorsement(leads["green"], green)
    services.endorse(leads["libdem"], document)

    login(client, leads["labour"])
    html = html_of(client.get("/documents/fair-votes/endorsements"))
    words = text_of(html)
    assert "The record 4" in words
    assert words.count("Replaced") == 1 and words.count("Withdrawn ") == 1 and "Greens agree." in words
    assert words.count("✓ Current") == 2
    # Labour's lead may withdraw Labour's live endorsement, not the Lib Dems'
    assert 'action="/documents/fair-votes/endorsements/labour/withdraw"' in html
    assert 'action="/documents/fair-votes/endorsements/libdem/withdraw"' not in html
    # the endorse form: revision select defaulting to current, and a statement
    assert re.search(r'<option selected value="2">Revision 2 \(current\)</option>', html)
    assert "Endorse for Labour" in words

    anonymous = html_of(app.test_client().get("/documents/fair-votes/endorsements"))
    assert "/withdraw" not in anonymous and "Endorse for" not in anonymous


def test_the_record_page_costs_the_same_queries_however_long_the_record(client, leads, document, recorded_queries):
    def cost() -> int:
        with recorded_queries() as statements:
            html_of(client.get("/documents/fair-votes/endorsements"))
        return len(statements)
    services.endorse(leads["labour"], document)
    small = cost()
    for lead in leads.values():
        services.withdraw_endorsement(lead, services.endorse(lead, document, revision=1))
        services.endorse(lead, document, statement="Again.")
    assert cost() == small


# --- the agenda pages -----------------------------------------------------------------------------------

@pytest.fixture
def agenda_docs(author, make_document, leads, edit_document):
    fair = make_document(author, title="Fair votes", slug="fair-votes", policy_area="Democratic reform",
                         body="# Fair votes\n\nProportional representation for Westminster.\n")
    homes = make_document(author, title="Green homes", slug="green-homes", policy_area="Climate")
    for lead in leads.values():
        services.endorse(lead, fair)
    services.endorse(leads["green"], homes)
    edit_document(author, homes)
    return fair, homes


def test_the_agenda_page_shows_the_matrix_counts_and_what_to_review(client, agenda_docs):
    html = html_of(client.get("/agenda"))
    words = text_of(html)
    assert "1 of 2 documents agreed" in words
    assert "Fair votes" in words and "Green homes" in words
    assert words.count("✓ Agreed") == 1
    assert 'href="/documents/green-homes/diff?from=1&amp;to=2"' in html  # Greens' stale endorsement
    assert "Rev. 1" in words
    assert 'id="review-libdem"' in html and "not endorsed" in words
    assert '<th scope="colgroup"' in html and "party-green" in html


def test_the_agenda_filters_by_area_and_refuses_bad_parameters(client, agenda_docs):
    words = text_of(html_of(client.get("/agenda?area=Climate")))
    assert "Green homes" in words and "Fair votes" not in words and "0 of 1 document agreed" in words
    words = text_of(html_of(client.get("/agenda?area=Nowhere")))
    assert "No documents in Nowhere" in words
    assert client.get("/agenda?archived=yes").status_code == 400
    assert client.get("/agenda?area=a&area=b").status_code == 400


def test_the_agenda_costs_the_same_queries_for_more_documents(app, client, author, make_document, leads,
                                                               recorded_queries):
    def cost() -> int:
        with recorded_queries() as statements:
            html_of(client.get("/agenda"))
        return len(statements)
    for n in range(3):
        make_document(author, title=f"Paper {n}", policy_area=f"Area {n}")
    small = cost()
    for n in range(3, 12):
        services.endorse(leads["labour"], make_document(author, title=f"Paper {n}", policy_area=f"Area {n % 4}"))
    assert cost() == small


def test_the_agreed_agenda_page_compiles_agreed_documents_only(client, agenda_docs):
    html = html_of(client.get("/agenda/agreed"))
    words = text_of(html)
    assert "Proportional representation for Westminster." in html
    assert "Green homes" not in words
    assert 'href="#doc-fair-votes"' in html and 'id="doc-fair-votes"' in html
    assert "Green Party" in words and "Labour Lead" in words and "Revision 1" in words
    assert 'href="/agenda/agreed.md"' in html


def test_the_agreed_agenda_downloads_as_markdown(client, agenda_docs):
    text = markdown_of(client.get("/agenda/agreed.md"), "agreed-agenda")
    assert "## Fair votes" in text and "- Revision: 1" in text and "Green homes" not in text


def test_the_agreed_agenda_with_nothing_agreed_says_so(client, author, make_document):
    make_document(author)
    assert "No document is agreed by every party yet." in text_of(html_of(client.get("/agenda/agreed")))
