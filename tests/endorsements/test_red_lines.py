"""Red lines: marking and clearing them, the notices when a red-line clause changes, the party's Atom feed,
the pages and the JSON API."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from policyhub.documents import services as documents
from policyhub.documents.clauses import clauses_of
from policyhub.endorsements import red_lines
from policyhub.endorsements.models import RedLine
from policyhub.errors import BadRequest, Forbidden, Invalid, NotFound, Unauthorized
from policyhub.extensions import db
from policyhub.notifications.models import Notification
from policyhub.parties.models import AuditEvent
from policyhub.permissions import SYSTEM

BODY = ("# Fair votes\n\nEvery vote counts equally in every election held for every seat in the land.\n\n"
        "## Seats\n\nSeats follow votes in each region.\n\n"
        "## Timing\n\nA referendum within two years.\n")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def document(make_document, author):
    return make_document(author, title="Fair votes", slug="fair-votes", body=BODY)


@pytest.fixture
def greens(make_user, green):
    """The Green lead, an ordinary Green member, and someone still waiting to join the Greens."""
    return {"lead": make_user("Gwen Lead", party=green, role="lead"),
            "member": make_user("Carys Green", party=green),
            "pending": make_user("Pat Pending", party=green, pending=True)}


def _key(document, text: str) -> str:
    """The clause key of the current clause holding ``text``."""
    return next(clause.key for clause in clauses_of(documents.get_revision(document, document.current_number))
                if text in clause.text)


def _save(user, document, body: str):
    return documents.save_revision(user, document, body=body, base_number=document.current_number).revision


def _red_line_notices() -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification).where(Notification.kind == "red_line")
                                   .order_by(Notification.id)))


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action)) or 0


# --- marking and clearing --------------------------------------------------------------------------------

def test_a_lead_marks_a_clause_for_their_own_party(document, greens, green):
    key = _key(document, "Every vote")
    red_line = red_lines.mark_red_line(greens["lead"], document, key)
    assert (red_line.party_id, red_line.clause_key, red_line.created_by_id) == (green.id, key, greens["lead"].id)
    assert [(line.party.slug, line.clause_key) for line in red_lines.red_lines(document)] == [("green", key)]
    assert _audits("red_line.mark") == 1


def test_marking_again_changes_nothing(document, greens):
    key = _key(document, "Every vote")
    first = red_lines.mark_red_line(greens["lead"], document, key)
    again = red_lines.mark_red_line(greens["lead"], document, f" {key} ")
    assert again.id == first.id
    assert len(red_lines.red_lines(document)) == 1 and _audits("red_line.mark") == 1


def test_only_leads_mark_and_never_admins_or_on_archived_documents(document, greens, make_user, make_document,
                                                                    author):
    key = _key(document, "Every vote")
    with pytest.raises(Unauthorized):
        red_lines.mark_red_line(None, document, key)
    with pytest.raises(Forbidden):
        red_lines.mark_red_line(greens["member"], document, key)
    with pytest.raises(Forbidden):
        red_lines.mark_red_line(make_user("Alex Admin", admin=True), document, key)
    archived = make_document(author, title="Old paper", body=BODY, status="archived")
    with pytest.raises(Forbidden):
        red_lines.mark_red_line(greens["lead"], archived, "2")
    assert db.session.scalar(select(func.count(RedLine.id))) == 0


@pytest.mark.parametrize("key, error", [("zzz", Invalid), ("", Invalid), (None, Invalid), (7, BadRequest),
                                        ("x\u0000", Invalid)])
def test_a_red_line_must_be_a_clause_of_the_current_text(document, greens, key, error):
    with pytest.raises(error):
        red_lines.mark_red_line(greens["lead"], document, key)


def test_a_removed_clause_can_no_longer_be_marked(document, greens, author):
    key = _key(document, "referendum")
    _save(author, document, BODY.replace("## Timing\n\nA referendum within two years.\n", ""))
    with pytest.raises(Invalid):
        red_lines.mark_red_line(greens["lead"], document, key)


def test_clearing_a_red_line(document, greens, leads):
    key = _key(document, "Every vote")
    red_lines.mark_red_line(greens["lead"], document, key)
    with pytest.raises(NotFound):  # Labour has no red line there: another party's is out of reach
        red_lines.clear_red_line(leads["labour"], document, key)
    with pytest.raises(Forbidden):
        red_lines.clear_red_line(greens["member"], document, key)
    red_lines.clear_red_line(greens["lead"], document, key)
    assert red_lines.red_lines(document) == []
    assert _audits("red_line.clear") == 1
    with pytest.raises(NotFound):
        red_lines.clear_red_line(greens["lead"], document, key)


# --- notices ---------------------------------------------------------------------------------------------

def test_a_substantive_change_notifies_the_partys_members_once_with_the_diff(document, greens, author, labour,
                                                                             make_user):
    labour_member = make_user("Lee Labour", party=labour)
    key = _key(document, "Every vote")
    red_lines.mark_red_line(greens["lead"], document, key)
    revision = _save(author, document, BODY.replace("in every election", "in most elections"))

    notices = _red_line_notices()
    assert sorted(n.user_id for n in notices) == sorted([greens["lead"].id, greens["member"].id])
    notice = notices[0]
    assert notice.message == ("Red line changed: §2 of 'Fair votes' (Green Party's red line) "
                              f"in revision {revision.number}")
    assert notice.url == f"/documents/fair-votes/diff?from=1&to=2#c-{key}"
    assert notice.actor_id == author.id
    ops = [tuple(op) for op in notice.diff]
    old, new = BODY.split("\n")[2], BODY.split("\n")[2].replace("in every election", "in most elections")
    assert "".join(text for op, text in ops if op != "insert") == old
    assert "".join(text for op, text in ops if op != "delete") == new
    assert ("delete", "every election") in ops and ("insert", "most elections") in ops
    assert labour_member.id not in {n.user_id for n in notices}


def test_the_person_saving_is_not_told_of_their_own_change(document, greens):
    red_lines.mark_red_line(greens["lead"], document, _key(document, "Every vote"))
    _save(greens["member"], document, BODY.replace("counts equally", "counts double"))
    assert [n.user_id for n in _red_line_notices()] == [greens["lead"].id]


def test_cosmetic_changes_and_changes_elsewhere_notify_nobody(document, greens, author):
    red_lines.mark_red_line(greens["lead"], document, _key(document, "Every vote"))
    _save(author, document, BODY.replace("counts equally in every election", "*counts* equally, in every election"))
    _save(author, document, documents.get_revision(document, document.current_number).body
          .replace("in each region", "in each nation"))
    assert document.current_number == 3
    assert _red_line_notices() == []


def test_removing_a_red_line_clause_notifies(document, greens, author):
    red_lines.mark_red_line(greens["lead"], document, _key(document, "referendum"))
    _save(author, document, BODY.replace("\n## Timing\n\nA referendum within two years.\n", ""))
    notices = _red_line_notices()
    assert len(notices) == 2
    assert notices[0].message.startswith("Red line removed: §6 of 'Fair votes'")
    assert [op for op, _text in notices[0].diff] == ["delete"]


def test_merging_a_red_line_clause_into_another_notifies_and_feeds(client, make_document, author, greens):
    body = ("# Seats\n\nEvery vote counts equally in every election held for every seat.\n\n"
            "Seats follow votes in each region of the country.\n")
    document = make_document(author, title="Seats", slug="seats", body=body)
    red_lines.mark_red_line(greens["lead"], document, _key(document, "Seats follow"))
    _save(author, document, body.replace("every seat.\n\nSeats follow", "every seat, and seats follow"))
    notices = _red_line_notices()
    assert len(notices) == 2
    assert notices[0].message.startswith("Red line merged into §2: §3 of 'Seats'")
    assert "".join(text for op, text in notices[0].diff if op != "delete").startswith("Every vote counts")
    root = ET.fromstring(client.get("/feeds/parties/green/red-lines.atom").data)
    [entry] = root.findall(f"{ATOM}entry")
    assert "merged into another clause" in entry.findtext(f"{ATOM}title")


def test_each_party_hears_only_of_its_own_red_lines(document, greens, leads, author):
    red_lines.mark_red_line(greens["lead"], document, _key(document, "Every vote"))
    red_lines.mark_red_line(leads["labour"], document, _key(document, "Seats follow"))
    _save(author, document, BODY.replace("in each region", "nationally"))
    notices = _red_line_notices()
    assert [n.user_id for n in notices] == [leads["labour"].id]
    assert "(Labour's red line)" in notices[0].message


# --- the feed and the notifications page -----------------------------------------------------------------

def test_the_partys_atom_feed_holds_the_change_with_its_diff(client, document, greens, author):
    red_lines.mark_red_line(greens["lead"], document, _key(document, "Every vote"))
    _save(author, document, BODY.replace("in the land.", "in the <land> twice."))
    _save(author, document, documents.get_revision(document, 2).body.replace("twice.", "twice!"))  # cosmetic
    response = client.get("/feeds/parties/green/red-lines.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert "revision 2 of Fair votes" in entries[0].findtext(f"{ATOM}title")
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert '<ins class="diff-ins">' in content.text and '<del class="diff-del">' in content.text
    assert "&lt;land&gt;" in content.text and "<land>" not in content.text  # the clause's text stays text
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.endswith("/documents/fair-votes/diff?from=1&to=2#c-" + _key(document, "twice"))


def test_the_feed_leaves_out_changes_made_before_the_red_line_and_other_parties(client, document, greens, author,
                                                                                leads):
    _save(author, document, BODY.replace("Every vote", "Each vote"))
    red_lines.mark_red_line(greens["lead"], document, _key(document, "Each vote"))
    red_lines.mark_red_line(leads["labour"], document, _key(document, "Seats follow"))
    _save(author, document, documents.get_revision(document, 2).body.replace("in each region", "nationally"))
    root = ET.fromstring(client.get("/feeds/parties/green/red-lines.atom").data)
    assert root.findall(f"{ATOM}entry") == []
    assert len(ET.fromstring(client.get("/feeds/parties/labour/red-lines.atom").data).findall(f"{ATOM}entry")) == 1
    assert client.get("/feeds/parties/nobody/red-lines.atom").status_code == 404


def test_the_party_page_links_its_red_lines_feed(client, green):
    html = client.get("/parties/green").get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert "/feeds/parties/green/red-lines.atom" in html


def test_the_notifications_page_shows_the_diff_escaped(client, login, document, greens, author):
    red_lines.mark_red_line(greens["lead"], document, _key(document, "Every vote"))
    _save(author, document, BODY.replace("in the land.", "in the <script>alert(1)</script> land."))
    login(client, greens["member"])
    html = client.get("/notifications").get_data(as_text=True)
    assert "Red line changed: §2 of" in html
    assert '<ins class="diff-ins">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert 'id="change-' not in html


# --- pages -----------------------------------------------------------------------------------------------

def test_the_red_lines_page_lists_them_by_party(client, document, greens):
    key = _key(document, "Every vote")
    red_lines.mark_red_line(greens["lead"], document, key)
    html = client.get("/documents/fair-votes/red-lines").get_data(as_text=True)
    assert "Green Party" in html and f'href="/documents/fair-votes#c-{key}"' in html
    assert BODY.split("\n")[2] in html
    assert "Mark as a red line" not in html  # visitors get no form
    assert "/documents/fair-votes/red-lines" in client.get("/documents/fair-votes").get_data(as_text=True)


def test_a_lead_marks_and_clears_through_the_page(client, login, document, greens):
    login(client, greens["lead"])
    page = client.get("/documents/fair-votes/red-lines").get_data(as_text=True)
    assert "Mark as a red line" in page and "§2 (paragraph): Every vote counts equally" in page
    key = _key(document, "Every vote")
    response = client.post("/documents/fair-votes/red-lines", data={"clause": key})
    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is a red line of Green Party" in followed
    assert f"/documents/fair-votes/red-lines/{key}/clear" in followed
    assert client.post("/documents/fair-votes/red-lines", data={"clause": "nope"}).status_code == 422
    assert client.post(f"/documents/fair-votes/red-lines/{key}/clear").status_code == 302
    assert red_lines.red_lines(document) == []
    assert client.post(f"/documents/fair-votes/red-lines/{key}/clear").status_code == 404


def test_members_cannot_mark_through_the_page(client, login, document, greens):
    login(client, greens["member"])
    assert client.post("/documents/fair-votes/red-lines", data={"clause": "2"}).status_code == 403
    assert red_lines.red_lines(document) == []


# --- the API ---------------------------------------------------------------------------------------------

def test_the_api_lists_marks_and_clears(client, conforms, token_for, document, greens, leads):
    path = "/documents/{slug}/red-lines"
    conforms(client.get("/api/v1/documents/fair-votes/red-lines"), path, "get", 200)
    key = _key(document, "Every vote")
    headers = token_for(greens["lead"])
    response = client.post("/api/v1/documents/fair-votes/red-lines", json={"clause": key}, headers=headers)
    conforms(response, path, "post", 200)
    assert response.get_json() == {"red_lines": [{"party": "green", "clause": key}]}
    red_lines.mark_red_line(leads["labour"], document, key)
    listed = client.get("/api/v1/documents/fair-votes/red-lines").get_json()
    assert listed == {"red_lines": [{"party": "green", "clause": key}, {"party": "labour", "clause": key}]}
    response = client.delete(f"/api/v1/documents/fair-votes/red-lines/{key}", headers=headers)
    conforms(response, path + "/{clause}", "delete", 200)
    assert response.get_json() == {"red_lines": [{"party": "labour", "clause": key}]}
    conforms(client.delete(f"/api/v1/documents/fair-votes/red-lines/{key}", headers=headers),
             path + "/{clause}", "delete", 404)


def test_the_api_refuses_what_it_must(client, conforms, token_for, document, greens):
    path = "/documents/{slug}/red-lines"
    url = "/api/v1/documents/fair-votes/red-lines"
    conforms(client.post(url, json={"clause": "2"}), path, "post", 401)
    conforms(client.post(url, json={"clause": "2"}, headers=token_for(greens["member"])), path, "post", 403)
    lead = token_for(greens["lead"])
    conforms(client.post(url, json={"clause": 2}, headers=lead), path, "post", 400)
    conforms(client.post(url, json={"clause": "2", "party": "labour"}, headers=lead), path, "post", 400)
    conforms(client.post(url, json={"clause": "nope"}, headers=lead), path, "post", 422)
    conforms(client.post(url, json={}, headers=lead), path, "post", 422)
    conforms(client.post("/api/v1/documents/nope/red-lines", json={"clause": "2"}, headers=lead), path, "post", 404)
    assert red_lines.red_lines(document) == []


def test_the_cli_actor_never_marks(document):
    with pytest.raises(Forbidden):
        red_lines.mark_red_line(SYSTEM, document, "2")
