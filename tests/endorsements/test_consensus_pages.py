"""The consensus pages: the clauses × parties matrix with the rule form, and common ground (HTML and .md)."""
from __future__ import annotations

import re

import pytest

from policyhub.documents.models import Document
from policyhub.endorsements import consensus, services
from policyhub.endorsements.consensus import Rule
from policyhub.extensions import db

from .test_consensus import BODY, scoped
from .test_endorsement_pages import html_of, markdown_of, text_of


@pytest.fixture
def document(author, make_document):
    return make_document(author, title="Fair votes", slug="fair-votes", body=BODY)


@pytest.fixture
def positions(document, leads):
    """Labour endorses the whole text; the Greens endorse Voting with reservations and object to votes at
    16; the Liberal Democrats have not endorsed."""
    services.endorse(leads["labour"], document)
    scoped(leads["green"], document, **{"## Voting": ("reservations", "Needs <costing>."),
                                        "- Votes at 16.": ("object", "Too young.")})
    return document


def rule_of(document) -> Rule:
    db.session.rollback()
    return Rule.of(db.session.get(Document, document.id))


# --- the matrix ------------------------------------------------------------------------------------------

def test_the_matrix_shows_every_clause_by_every_party_as_text(client, positions):
    response = client.get("/documents/fair-votes/consensus")
    html = html_of(response)
    assert "Set-Cookie" not in response.headers  # a visitor's page starts no session
    matrix = html[html.index('class="consensus-matrix"'):html.index("</table>", html.index('class="consensus-matrix"'))]
    words = text_of(matrix)
    assert "§5 item Votes at 16." in words
    row = matrix[matrix.index('id="row-5"'):matrix.index("</tr>", matrix.index('id="row-5"'))]
    assert "Objects" in text_of(row) and "Too young." in row and 'class="stance stance--object party-green"' in row
    assert "Needs &lt;costing&gt;." in matrix  # reasons are escaped text
    assert 'href="/documents/fair-votes#c-5"' in matrix and 'href="/documents/fair-votes#c-1"' in matrix
    assert "Not reviewed" in words and "Reservations" in words and "Endorses" in words
    verdict = text_of(html[html.index("consensus-verdict"):html.index("</section>", html.index("consensus-verdict"))])
    assert "the document is agreed when every party endorses" in verdict and "Not agreed" in verdict
    assert "1 of 3 parties endorses the whole text; 1 objects to part of it" in " ".join(verdict.split())
    summary = text_of(html[html.index('class="consensus-summary"'):html.index("</table>", html.index('class="consensus-summary"'))])
    assert "Green Party ✗ Objects to part of the text revision 1, named sections 0 2 1 4 0" in " ".join(summary.split())
    assert "<form" not in html[html.index("<main"):html.index("</main>")]  # no rule form for visitors


def test_leads_and_admins_get_the_rule_form(client, login, positions, leads, admin, author):
    for someone, has_form in ((leads["libdem"], True), (admin, True), (author, False)):
        other = client.application.test_client()
        login(other, someone)
        html = html_of(other.get("/documents/fair-votes/consensus"))
        assert ('action="/documents/fair-votes/rule"' in html) is has_form


def test_setting_the_rule_redirects_with_a_message_and_the_matrix_shows_it(client, login, positions, admin):
    login(client, admin)
    response = client.post("/documents/fair-votes/rule", data={"kind": "k_of_n", "k": "1"})
    assert response.status_code == 303 or response.status_code == 302
    assert response.headers["Location"].endswith("/documents/fair-votes/consensus")
    assert rule_of(positions) == Rule("k_of_n", 1)
    html = html_of(client.get("/documents/fair-votes/consensus"))
    assert "is now agreed when at least 1 party endorses and no party objects" in text_of(html)
    assert "at least 1 of 3 parties endorses, and no party objects" in text_of(html)


@pytest.mark.parametrize("form, message", [
    ({"kind": "k_of_n", "k": "9"}, "k must be from 1 to 3"),
    ({"kind": "k_of_n", "k": "many"}, "Enter a whole number of parties."),
    ({"kind": "k_of_n"}, "Say how many parties must endorse"),
    ({"kind": "whenever", "k": "2"}, "Choose a rule"),
])
def test_a_bad_rule_shows_the_form_again_with_the_error_and_the_input(client, login, positions, admin, form, message):
    login(client, admin)
    html = html_of(client.post("/documents/fair-votes/rule", data=form), 422)
    assert message in text_of(html)
    if "k" in form:
        assert f'value="{form["k"]}"' in html
    assert rule_of(positions) == Rule()


def test_the_rule_form_needs_its_csrf_token(app, client, login, positions, admin):
    app.config["WTF_CSRF_ENABLED"] = True  # as in production (the app is this test's own)
    login(client, admin)
    response = client.post("/documents/fair-votes/rule", data={"kind": "k_of_n", "k": "2"})
    assert response.status_code == 400 and "Your form expired or came from another site" in response.get_data(as_text=True)
    assert rule_of(positions) == Rule()
    page = html_of(client.get("/documents/fair-votes/consensus"))
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    response = client.post("/documents/fair-votes/rule", data={"kind": "k_of_n", "k": "2", "csrf_token": token.group(1)})
    assert response.status_code in (302, 303)
    assert rule_of(positions) == Rule("k_of_n", 2)


def test_members_may_not_set_the_rule(client, login, positions, author):
    login(client, author)
    assert client.post("/documents/fair-votes/rule", data={"kind": "all"}).status_code == 403
    assert client.get("/documents/nope/consensus").status_code == 404


# --- common ground ---------------------------------------------------------------------------------------

@pytest.fixture
def common(document, leads):
    services.endorse(leads["labour"], document)
    services.endorse(leads["libdem"], document)
    scoped(leads["green"], document, **{"## Voting": ("endorse", ""), "- Votes at 16.": ("object", "Too young.")})
    return document


def test_the_common_ground_page_is_printable_and_keeps_only_common_clauses(client, common):
    response = client.get("/documents/fair-votes/common-ground")
    html = html_of(response)
    assert "Set-Cookie" not in response.headers
    prose = html[html.index('class="prose common-ground"'):]
    assert "<h1" in prose and "Common ground: Fair votes" in prose
    assert "Proportional representation." in prose and "Votes at 16" not in prose
    assert "Intro paragraph" not in prose and "Public funding" not in prose
    assert "css/consensus.css" in html and 'class="common-ground-bar no-print"' in html
    assert 'href="/documents/fair-votes/common-ground.md"' in html


def test_the_common_ground_downloads_as_markdown(client, common):
    text = markdown_of(client.get("/documents/fair-votes/common-ground.md"), "common-ground-fair-votes")
    assert text == consensus.common_ground(common).markdown
    assert "### Voting\n\n- Proportional representation." in text


def test_the_agendas_common_ground_pages(client, common):
    html = html_of(client.get("/agenda/common-ground"))
    assert "Common ground of the agenda" in html and "Proportional representation." in html
    assert "Votes at 16" not in html and 'href="/agenda/common-ground.md"' in html
    text = markdown_of(client.get("/agenda/common-ground.md"), "common-ground-agenda")
    assert text.startswith("# Common ground of the agenda\n")


def test_hostile_clause_text_stays_text_in_the_common_ground_page(client, author, make_document, leads):
    document = make_document(author, title="Hostile", slug="hostile",
                             body="# Title\n\n<script>alert(1)</script> [x](javascript:alert(1))\n")
    for lead in leads.values():
        services.endorse(lead, document)
    html = html_of(client.get("/documents/hostile/common-ground"))
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- links and the agenda --------------------------------------------------------------------------------

def test_the_document_and_agenda_pages_link_to_consensus_and_common_ground(client, positions, admin):
    page = html_of(client.get("/documents/fair-votes"))
    assert 'href="/documents/fair-votes/consensus"' in page and 'href="/documents/fair-votes/common-ground"' in page
    consensus.set_rule(admin, positions, "k_of_n", 1)
    agenda = html_of(client.get("/agenda"))
    assert 'href="/agenda/common-ground"' in agenda and 'href="/documents/fair-votes/consensus"' in agenda
    assert "Rule: 1 of 3 parties, no objection" in text_of(agenda)


def test_the_document_panel_states_a_k_of_n_agreement(client, document, leads, admin):
    consensus.set_rule(admin, document, "k_of_n", 2)
    services.endorse(leads["labour"], document)
    services.endorse(leads["green"], document)
    words = " ".join(text_of(html_of(client.get("/documents/fair-votes"))).split())
    assert "✓ Agreed At least 2 of 3 parties endorse revision 1, the current text, and none objects" in words
    words = " ".join(text_of(html_of(client.get("/documents/fair-votes/endorsements"))).split())
    assert "Agreed At least 2 of 3 parties endorse revision 1" in words
