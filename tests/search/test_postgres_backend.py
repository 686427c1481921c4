"""What only the PostgreSQL backend does: one index shared by every app host, no files; the server's
statement timeout; its write lock; a rebuild in one transaction; suggestions with and without pg_trgm;
user text only ever in bound parameters. (The behaviour both backends share: the other test modules.)"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from policyhub.extensions import db
from policyhub.search import postgres_backend, services
from policyhub.search.backend import Entry
from policyhub.search.models import IndexJob
from policyhub.search.query import SearchQuery

pytestmark = pytest.mark.parametrize("search_backend", ["postgres"], indirect=True)


def entry(number: int, title: str, body: str) -> Entry:
    return Entry(key=f"document:{number}", kind="document", slug=f"doc-{number}", number=None, title=title,
                 body=body, policy_area="Tests", status="draft", parties=(),
                 updated_at=datetime(2026, 1, number, tzinfo=timezone.utc))


def test_two_app_hosts_share_one_index_and_keep_no_files(app, make_app, tmp_path, member, make_document, find):
    from policyhub.accounts.models import User
    from policyhub.documents import services as documents
    from policyhub.documents.models import Document
    other = make_app(INSTANCE_PATH=str(tmp_path / "other-host"))
    document = make_document(member, title="Water", body="Clean rivers.")
    assert find("rivers").total == 1
    user_id, document_id = member.id, document.id  # read here: this session must not load in the other app
    with other.app_context():  # the other host finds what this one indexed, and indexes what it saves
        assert services.search(SearchQuery(text="rivers")).total == 1
        documents.save_revision(db.session.get(User, user_id), db.session.get(Document, document_id),
                                body="Beavers reintroduced.", base_number=1)
        services.apply_pending_jobs()
        db.session.remove()
    assert services.get_backend().search(SearchQuery(text="beavers")).total == 1
    assert services.pending_jobs() == 0
    for instance in (Path(app.instance_path), tmp_path / "other-host"):
        assert not (instance / "search-index").exists()


def test_a_slow_search_is_stopped_by_the_server_with_a_message(app, member, make_document, find):
    make_document(member, title="Water", body="Clean water.")
    assert find("water").total == 1
    backend = services.get_backend()
    backend.time_limit = 0.2
    # Another session holds the table: the search waits on it until statement_timeout cancels it.
    with db.engine.connect() as blocker:
        blocker.execute(text("LOCK TABLE search_entries IN ACCESS EXCLUSIVE MODE"))
        results = backend.search(SearchQuery(text="water"))
        blocker.rollback()
    assert results.total == 0 and results.hits == ()
    assert "too long" in results.message
    assert backend.search(SearchQuery(text="water")).total == 1  # the connection came back usable


def test_a_busy_index_keeps_the_job_and_the_save_succeeds(app, member, make_document, edit_document, find):
    document = make_document(member, title="Water", body="Clean rivers.")
    services.apply_pending_jobs()
    with db.engine.connect() as writer:  # another process is writing to the index
        writer.execute(text("SELECT pg_advisory_lock(:namespace, :lock)"),
                       {"namespace": postgres_backend.LOCK_NAMESPACE, "lock": postgres_backend.WRITE_LOCK})
        try:
            assert edit_document(member, document, "Beavers reintroduced.").number == 2
            assert services.apply_pending_jobs() == 0
            job = db.session.scalars(select(IndexJob)).one()
            assert job.attempts == 1 and "IndexBusy" in job.last_error
        finally:
            writer.execute(text("SELECT pg_advisory_unlock_all()"))
            writer.commit()
    assert services.apply_pending_jobs() == 1
    assert find("beavers").total == 1


def test_a_rebuild_is_seen_whole_or_not_at_all(app, member, make_document, find, monkeypatch):
    make_document(member, title="Forests", body="Plant trees.")
    assert find("trees").total == 1
    backend = services.get_backend()
    monkeypatch.setattr(postgres_backend, "BATCH", 1)  # write each entry before the next is asked for
    seen = []

    def entries():
        yield entry(1, "Peat", "Protect bogs.")
        seen.append((backend.search(SearchQuery(text="trees")).total, backend.search(SearchQuery(text="bogs")).total))
        yield entry(2, "Hedges", "Plant hedgerows.")
        seen.append((backend.search(SearchQuery(text="trees")).total, backend.search(SearchQuery(text="bogs")).total))

    assert backend.rebuild(entries()) == 2
    assert seen == [(1, 0), (1, 0)]  # mid-rebuild, other sessions still read the old index
    assert (find("trees").total, find("bogs").total, backend.doc_count()) == (0, 1, 2)


def test_a_second_rebuild_is_refused_while_one_runs(app, make_app):
    backend = services.get_backend()
    other = services.get_backend(make_app())
    assert backend.claim_rebuild()
    try:
        assert other.is_rebuilding() and not other.claim_rebuild()
        assert services.index_state() == "rebuilding"
    finally:
        backend.release_rebuild()
    assert not other.is_rebuilding() and other.claim_rebuild()
    other.release_rebuild()


def test_user_text_reaches_the_database_only_as_parameters(app, member, make_document, find, recorded_queries):
    make_document(member, title="Zebra crossings", body="Safer roads.")
    services.apply_pending_jobs()
    with recorded_queries() as statements:
        for typed in ("zebra", "title:zebra", '"zebra crossings"', "zebr*", "zebrra", "zebra'); DROP TABLE x; --"):
            services.get_backend().search(SearchQuery(text=typed))
    assert statements and not any("zebr" in statement.lower() for statement in statements)
    assert find("zebra").total == 1


@pytest.mark.parametrize("trigrams", [True, False])
def test_a_misspelt_word_gets_a_suggestion_with_or_without_pg_trgm(app, member, make_document, find, trigrams):
    if trigrams:
        with db.engine.begin() as connection:  # the migration creates it when it may; the test database has none
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    make_document(member, title="Renewable energy", body="Investment in renewable energy and insulation.")
    services.apply_pending_jobs()
    backend = services.get_backend()
    backend.trigrams = trigrams
    assert backend.search(SearchQuery(text="insulaton")).suggestion == "insulation"
    assert backend.search(SearchQuery(text='title:"renewable enregy"')).suggestion == 'title:"renewable energy"'
    # A misspelt first letter is found by trigrams only.
    assert backend.search(SearchQuery(text="wnergy")).suggestion == ("energy" if trigrams else None)


def test_a_word_no_longer_indexed_is_not_suggested(app, member, make_document, edit_document, find):
    from policyhub.documents import services as documents
    document = make_document(member, title="Homes", body="Loft insulation for all.")
    assert find("insulaton").suggestion == "insulation"
    documents.save_revision(member, document, body="Heat pumps for all.", base_number=1)
    assert find("insulaton").suggestion is None
