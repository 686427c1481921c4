"""The Atom feeds: valid XML, the right entries in the right order, escaped text, conditional GET."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from policyhub.db import clock_at, write_transaction
from policyhub.documents import services as documents
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def feed_of(response) -> ET.Element:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{A}{tag}") is not None, tag
    assert RFC3339.match(root.findtext(f"{A}updated"))
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{A}entry")


def link(element: ET.Element, rel: str) -> str:
    [found] = [node.get("href") for node in element.findall(f"{A}link") if node.get("rel") == rel]
    return found


def titles(root: ET.Element) -> list[str]:
    return [entry.findtext(f"{A}title") for entry in entries(root)]


@pytest.fixture
def two_documents(make_document, tom, carys, edit_document):
    """'Fair votes' (3 revisions) and 'Clean air' (2), saved alternately a day apart."""
    with clock_at(START):
        votes = make_document(tom, title="Fair votes", slug="fair-votes")
    with clock_at(START + timedelta(days=1)):
        air = make_document(carys, title="Clean air", slug="clean-air", policy_area="Environment")
    with clock_at(START + timedelta(days=2)):
        edit_document(tom, votes, "More.", summary="Add a timetable")
    with clock_at(START + timedelta(days=3)):
        edit_document(carys, air, "Less smog.", summary="Targets")
    with clock_at(START + timedelta(days=4)):
        edit_document(carys, votes, "Another clause.", summary="Tighten")
    return votes, air


# --- recent changes --------------------------------------------------------------------------------------

def test_site_feed_lists_recent_revisions_across_documents_newest_first(client, two_documents):
    root = feed_of(client.get("/feeds/changes.atom"))
    assert titles(root) == ["Revision 3 of Fair votes", "Revision 2 of Clean air", "Revision 2 of Fair votes",
                            "Revision 1 of Clean air", "Revision 1 of Fair votes"]
    assert link(root, "self") == "http://localhost/feeds/changes.atom"
    assert link(root, "alternate") == "http://localhost/"
    assert root.findtext(f"{A}updated") == "2026-03-06T09:00:00Z"  # the newest revision's time

    newest = entries(root)[0]
    assert newest.findtext(f"{A}id") == "tag:localhost,2026:revision/fair-votes/3"
    assert newest.findtext(f"{A}updated") == "2026-03-06T09:00:00Z"
    assert newest.findtext(f"{A}author/{A}name") == "Carys Green (Green Party)"
    assert link(newest, "alternate") == "http://localhost/documents/fair-votes/diff?from=2&to=3"
    summary = newest.findtext(f"{A}summary")
    assert summary.startswith("Tighten") and "+2" in summary and "\u22120" in summary
    first = entries(root)[-1]
    assert link(first, "alternate") == "http://localhost/documents/fair-votes/revisions/1"
    for entry in entries(root):
        assert RFC3339.match(entry.findtext(f"{A}updated"))
        assert entry.findtext(f"{A}author/{A}name")


def ids_by_title(root: ET.Element) -> dict[str, str]:
    return {entry.findtext(f"{A}title"): entry.findtext(f"{A}id") for entry in entries(root)}


def test_entry_ids_stay_the_same_as_the_feed_moves_on(client, two_documents, tom, edit_document):
    before = ids_by_title(feed_of(client.get("/feeds/changes.atom")))
    edit_document(tom, two_documents[0], "Later.")
    after = ids_by_title(feed_of(client.get("/feeds/changes.atom")))
    assert all(after[title] == before[title] for title in before)
    assert after["Revision 4 of Fair votes"] == "tag:localhost,2026:revision/fair-votes/4"


def test_site_feed_holds_at_most_fifty_entries(client, make_document, tom):
    make_document(tom, title="Long history", revisions=52)
    root = feed_of(client.get("/feeds/changes.atom"))
    assert len(entries(root)) == 50
    assert titles(root)[0] == "Revision 52 of Long history" and titles(root)[-1] == "Revision 3 of Long history"


def test_an_empty_site_has_a_valid_empty_feed(client):
    root = feed_of(client.get("/feeds/changes.atom"))
    assert entries(root) == [] and root.findtext(f"{A}author/{A}name") == "PolicyHub"


def test_hostile_text_stays_escaped_text(client, make_document, tom, edit_document):
    document = make_document(tom, title='<b>Bold</b> & "quoted" votes', slug="hostile")
    edit_document(tom, document, "x", summary="<script>alert('x')</script>")
    response = client.get("/feeds/changes.atom")
    raw = response.get_data(as_text=True)
    assert "<script>" not in raw and "<b>" not in raw
    assert "&lt;script&gt;" in raw and "&lt;b&gt;Bold&lt;/b&gt; &amp;" in raw
    root = feed_of(response)
    assert not list(root.iter("script")) and not list(root.iter(f"{A}script"))
    newest = entries(root)[0]
    assert newest.findtext(f"{A}title") == 'Revision 2 of <b>Bold</b> & "quoted" votes'
    assert newest.findtext(f"{A}summary").startswith("<script>alert('x')</script>")
    assert newest.find(f"{A}summary").get("type") == "text"


def test_feeds_answer_conditional_gets(client, two_documents, tom, edit_document):
    response = client.get("/feeds/changes.atom")
    etag = response.headers["ETag"]
    assert response.headers["Last-Modified"] == "Fri, 06 Mar 2026 09:00:00 GMT"
    again = client.get("/feeds/changes.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/feeds/changes.atom", headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304

    edit_document(tom, two_documents[0], "News.")
    changed = client.get("/feeds/changes.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


# --- one document ----------------------------------------------------------------------------------------

def test_document_feed_lists_only_that_documents_revisions(client, two_documents):
    root = feed_of(client.get("/documents/fair-votes/changes.atom"))
    assert titles(root) == ["Revision 3 of Fair votes", "Revision 2 of Fair votes", "Revision 1 of Fair votes"]
    assert root.findtext(f"{A}title") == "Changes to Fair votes"
    assert root.findtext(f"{A}id") == "tag:localhost,2026:document/fair-votes/changes"
    assert link(root, "self") == "http://localhost/documents/fair-votes/changes.atom"
    assert link(root, "alternate") == "http://localhost/documents/fair-votes/history"
    assert client.get("/documents/nothing-here/changes.atom").status_code == 404


def test_document_feed_names_an_accepted_amendment(client, make_document, tom, dan, make_user, green):
    document = make_document(tom, title="Fair votes", slug="fair-votes")
    lead = make_user("Liz Lead", party=green, role="lead")
    current = documents.get_revision(document, 1)
    documents.apply_change(lead, document, title=None, body=current.body + "\nDan's clause.\n", base_number=1,
                           summary="Dan's clause", source="amendment", permission=None, author=dan,
                           amendment_number=4)
    newest = entries(feed_of(client.get("/documents/fair-votes/changes.atom")))[0]
    assert newest.findtext(f"{A}summary").startswith("Accepted amendment 4. Dan's clause")
    assert newest.findtext(f"{A}author/{A}name") == "Dan Nonaligned"


# --- a party's endorsements ------------------------------------------------------------------------------

@pytest.fixture
def endorsements(two_documents, make_user, labour, green):
    """Labour endorses both documents (the first one ended); the Greens endorse one."""
    votes, air = two_documents
    labour_lead = make_user("Rachel Lead", party=labour, role="lead")
    green_lead = make_user("Carys Lead", party=green, role="lead")
    rows = [
        Endorsement(document_id=votes.id, party_id=labour.id, revision_number=2, endorsed_by_id=labour_lead.id,
                    statement="We back <this>.", created_at=START + timedelta(days=5),
                    ended_at=START + timedelta(days=7), ended_by_id=labour_lead.id, end_reason="withdrawn"),
        Endorsement(document_id=air.id, party_id=labour.id, revision_number=2, endorsed_by_id=labour_lead.id,
                    statement="", created_at=START + timedelta(days=6)),
        Endorsement(document_id=votes.id, party_id=green.id, revision_number=3, endorsed_by_id=green_lead.id,
                    statement="Green yes", created_at=START + timedelta(days=8)),
    ]
    with write_transaction(db.session):
        db.session.add_all(rows)
    return rows


def test_party_feed_lists_that_partys_endorsements_only_newest_first(client, endorsements):
    root = feed_of(client.get("/parties/labour/endorsements.atom"))
    assert titles(root) == ["Labour endorsed revision 2 of Clean air",
                            "Labour endorsed revision 2 of Fair votes (withdrawn)"]
    assert root.findtext(f"{A}title") == "Endorsements by Labour"
    assert link(root, "self") == "http://localhost/parties/labour/endorsements.atom"
    assert link(root, "alternate") == "http://localhost/parties/labour"
    ended = entries(root)[1]
    assert ended.findtext(f"{A}id") == f"tag:localhost,2026:endorsement/{endorsements[0].id}"
    assert ended.findtext(f"{A}updated") == "2026-03-09T09:00:00Z"  # when it ended
    assert ended.findtext(f"{A}published") == "2026-03-07T09:00:00Z"
    assert ended.findtext(f"{A}summary") == ("We back <this>. Ended on 9 Mar 2026, 09:00 UTC by Rachel Lead: "
                                              "withdrawn.")
    assert ended.findtext(f"{A}author/{A}name") == "Rachel Lead (Labour)"
    assert link(ended, "alternate") == "http://localhost/documents/fair-votes/revisions/2"
    assert root.findtext(f"{A}updated") == "2026-03-09T09:00:00Z"

    green = feed_of(client.get("/parties/green/endorsements.atom"))
    assert titles(green) == ["Green Party endorsed revision 3 of Fair votes"]


def test_party_feed_for_an_unknown_party_is_not_found(client, endorsements):
    assert client.get("/parties/nobody/endorsements.atom").status_code == 404


def test_a_party_without_endorsements_has_an_empty_feed(client, labour):
    assert entries(feed_of(client.get("/parties/labour/endorsements.atom"))) == []
