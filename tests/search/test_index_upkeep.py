"""Keeping the index in step beyond the edited entry itself, and keeping it fast as updates accumulate."""
from __future__ import annotations

import pytest

from policyhub.search import services

whoosh_only = pytest.mark.parametrize("search_backend", ["whoosh"], indirect=True)  # segments are whoosh's


def test_renaming_a_document_reindexes_its_amendments(app, member, make_document, edit_document, find):
    from policyhub.amendments.services import propose_amendment
    document = make_document(member, title="Rail fares", body="Cheaper rail.")
    propose_amendment(member, document, title="Young persons' cards", rationale="For students.",
                      body="Cheaper rail for the young.", base_number=1)
    assert {h.kind for h in find("fares").hits} == {"document", "amendment"}
    from policyhub.documents.services import apply_change
    apply_change(member, document, title="Bus and rail tickets", body="Cheaper rail.", base_number=1,
                 summary="", source="web", permission=None)
    assert find("fares").total == 0  # neither the document nor its amendment keeps the old title
    tickets = find("tickets")
    assert {h.kind for h in tickets.hits} == {"document", "amendment"}


def test_an_edit_that_keeps_the_title_queues_only_the_document(app, member, make_document, edit_document):
    from policyhub.amendments.services import propose_amendment
    from policyhub.search.models import IndexJob
    from policyhub.extensions import db
    from sqlalchemy import select
    document = make_document(member, title="Rail fares", body="Cheaper rail.")
    propose_amendment(member, document, title="Cards", rationale="For students.", body="Cheaper.", base_number=1)
    services.apply_pending_jobs(include_delayed=True)
    edit_document(member, document, "Cheaper rail for all.")
    assert [(job.kind, job.target_id) for job in db.session.scalars(select(IndexJob))] == [("document", document.id)]


@whoosh_only
def test_small_segments_left_by_updates_are_merged(app, member, make_document, edit_document, find):
    from policyhub.search.whoosh_backend import MAX_SEGMENTS
    document = make_document(member, title="Water", body="Clean rivers.")
    services.apply_pending_jobs()
    backend = services.get_backend()
    for i in range(MAX_SEGMENTS + 2):
        edit_document(member, document, f"Clean rivers, version {i}.")
        services.apply_pending_jobs()
    assert len(backend._index()._segments()) > MAX_SEGMENTS  # each update commits a segment of its own
    backend.maintain()
    assert len(backend._index()._segments()) <= MAX_SEGMENTS
    assert find("rivers").total == 1  # one entry, not one per update
    assert find(f'"version {MAX_SEGMENTS + 1}"').total == 1


@whoosh_only
def test_a_request_that_saves_merges_segments_after_its_response(app, client, login, member, make_document):
    from policyhub.search.whoosh_backend import MAX_SEGMENTS
    document = make_document(member, title="Water", body="Clean rivers.")
    services.apply_pending_jobs()
    login(client, member)
    for i in range(MAX_SEGMENTS + 2):
        response = client.post(f"/documents/{document.slug}/edit", data={
            "title": "Water", "body": f"Clean rivers, version {i}.", "summary": "",
            "base_revision": str(document.current_number + i)})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert len(services.get_backend()._index()._segments()) <= MAX_SEGMENTS
