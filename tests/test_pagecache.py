"""Visitors' pages are rendered once per change (pagecache.py): never stale, never personal, revalidated by ETag,
and long-lived where the answer can never change."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from policyhub.documents import services
from policyhub.endorsements import services as endorsements
from policyhub.extensions import db
from policyhub.pagecache import ContentGeneration, current_generation
from policyhub.parties import services as parties
from policyhub.permissions import SYSTEM


@pytest.fixture
def lead(make_user, labour):
    return make_user("Lena Lead", party=labour, role="lead")


@pytest.fixture
def document(make_document, lead):
    return make_document(lead, title="Fair votes", body="# Fair votes\n\nProportional representation now.\n",
                         revisions=3)


def visitor(app):
    """A browser without cookies: every request is a first visit."""
    return app.test_client(use_cookies=False)


def test_a_visitor_page_is_rendered_once_then_served_with_one_query(app, document, count_queries):
    url = f"/documents/{document.slug}"
    first = visitor(app).get(url)
    assert first.status_code == 200 and b"Proportional representation now." in first.data
    again: list = []
    queries = count_queries(lambda: again.append(visitor(app).get(url)))
    assert again[0].data == first.data
    assert queries == 1  # the content generation, nothing else


def test_an_edit_is_seen_by_the_next_visitor(app, document, lead, edit_document):
    url = f"/documents/{document.slug}"
    assert b"Single transferable vote" not in visitor(app).get(url).data
    edit_document(lead, document, "Single transferable vote in every council.")
    page = visitor(app).get(url)
    assert b"Single transferable vote in every council." in page.data
    assert f"Revision {document.current_number}".encode() in page.data


def test_an_endorsement_and_a_renamed_party_change_the_cached_page(app, document, lead, labour):
    url = f"/documents/{document.slug}"
    before, agenda_before = visitor(app).get(url).data, visitor(app).get("/agenda").data
    endorsements.endorse(lead, document)
    assert visitor(app).get(url).data != before
    assert visitor(app).get("/agenda").data != agenda_before
    parties.update_party(SYSTEM, labour, "Labour and Co-operative", labour.colour)
    assert b"Labour and Co-operative" in visitor(app).get(url).data


def test_every_commit_that_changes_content_raises_the_generation_and_reads_do_not(app, document, lead,
                                                                                   edit_document):
    start = current_generation()
    visitor(app).get(f"/documents/{document.slug}")
    visitor(app).get("/search?q=votes")
    assert current_generation() == start
    edit_document(lead, document)
    assert current_generation() > start


def test_conditional_get_answers_304_until_the_page_changes(app, document, lead, edit_document):
    url = f"/documents/{document.slug}"
    first = visitor(app).get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"  # keep it, but ask each time
    unchanged = visitor(app).get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    edit_document(lead, document)
    changed = visitor(app).get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_visitor_pages_start_no_session(app, document):
    for url in (f"/documents/{document.slug}", f"/documents/{document.slug}/revisions/1",
                f"/documents/{document.slug}/history", f"/documents/{document.slug}/diff?from=1&to=2"):
        response = visitor(app).get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, url
        assert "ETag" in response.headers, url


def test_signed_in_people_get_their_own_page_never_the_cached_one(app, document, lead, login):
    url = f"/documents/{document.slug}"
    cached = visitor(app).get(url)
    assert b">Edit</a>" not in cached.data
    own = login(app.test_client(), lead).get(url)
    assert b">Edit</a>" in own.data
    assert own.headers["Cache-Control"] == "no-store" and "ETag" not in own.headers
    assert b">Edit</a>" not in visitor(app).get(url).data  # and the lead's page was not kept for visitors


def test_old_revisions_and_fixed_diffs_are_long_lived_current_ones_are_not(app, document):
    slug = document.slug
    old = visitor(app).get(f"/documents/{slug}/revisions/1")
    assert old.headers["Cache-Control"] == "public, max-age=86400"
    current = visitor(app).get(f"/documents/{slug}/revisions/{document.current_number}")
    assert current.headers["Cache-Control"] == "no-cache"  # it says "current", which will stop being true
    fixed = visitor(app).get(f"/documents/{slug}/diff?from=1&to=2")
    assert fixed.headers["Cache-Control"] == "public, max-age=86400"
    latest = visitor(app).get(f"/documents/{slug}/diff")
    assert latest.headers["Cache-Control"] == "no-cache"
    api_diff = visitor(app).get(f"/api/v1/documents/{slug}/diff?from=1&to=2")
    assert api_diff.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert visitor(app).get(f"/api/v1/documents/{slug}/diff?from=1&to=2",
                            headers={"If-None-Match": api_diff.headers["ETag"]}).status_code == 304
    api_revision = visitor(app).get(f"/api/v1/documents/{slug}/revisions/1")
    assert api_revision.headers["Cache-Control"] == "public, max-age=86400"
    assert api_revision.get_json()["number"] == 1


def test_errors_are_not_kept(app, document, make_document, lead):
    missing = f"/documents/{document.slug}/revisions/{document.current_number + 1}"
    assert visitor(app).get(missing).status_code == 404
    services.save_revision(lead, document, body="# Fair votes\n\nRevision four.\n",
                           base_number=document.current_number)
    assert visitor(app).get(missing).status_code == 200


def test_api_readers_with_a_token_bypass_the_cache(app, document, token_for, lead):
    response = app.test_client().get(f"/api/v1/documents/{document.slug}", headers=token_for(lead))
    assert response.status_code == 200 and "ETag" not in response.headers


def test_static_files_are_linked_by_content_and_kept_for_a_year(app, document):
    page = visitor(app).get(f"/documents/{document.slug}").get_data(as_text=True)
    start = page.index("/static/css/app.css?v=")
    url = page[start:page.index('"', start)]
    response = visitor(app).get(url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert visitor(app).get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_cache_can_be_turned_off(make_app, document, count_queries):
    uncached = make_app(PAGE_CACHE_BYTES=0)
    url = f"/documents/{document.slug}"
    visitor(uncached).get(url)
    with uncached.app_context():
        assert count_queries(lambda: visitor(uncached).get(url)) > 1


def test_the_generation_row_is_created_by_the_first_change_on_an_empty_table(app, document, lead, edit_document):
    db.session.execute(ContentGeneration.__table__.delete())
    db.session.commit()
    assert db.session.scalar(select(ContentGeneration)) is None
    edit_document(lead, document)
    assert current_generation() >= 1


def test_the_tables_no_page_shows_are_real_tables(app):
    from policyhub.pagecache import _INVISIBLE_TABLES
    assert _INVISIBLE_TABLES <= set(db.metadata.tables)  # a renamed table must not silently empty caches
