"""Keeping the index in step, on each backend: jobs queued with each change, applied after commit, retried
when the index is busy or broken; rebuilds; corrupt-index detection; several processes writing at once.
(The PostgreSQL backend's own cases: test_postgres_backend.py.)"""
from __future__ import annotations

import gc
import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import select

from policyhub.extensions import db
from policyhub.search import services
from policyhub.search.models import IndexJob

whoosh_only = pytest.mark.parametrize("search_backend", ["whoosh"], indirect=True)


def titles(results):
    return [hit.title for hit in results.hits]


def test_a_save_queues_a_job_in_its_transaction(member, make_document):
    document = make_document(member)
    jobs = db.session.scalars(select(IndexJob)).all()
    assert [(job.kind, job.target_id) for job in jobs] == [("document", document.id)]


def test_the_index_follows_edits(member, make_document, edit_document, find):
    document = make_document(member, title="Water", body="Clean rivers.")
    assert find("rivers").total == 1
    edit_document(member, document, "Sewage outflows banned.")
    assert find("sewage").total == 1
    assert services.pending_jobs() == 0


def test_accepted_amendments_and_endorsements_reach_the_index(member, make_user, make_document, find, lead_of):
    from policyhub.amendments.services import accept_amendment, propose_amendment
    from policyhub.documents.services import get_revision
    from policyhub.endorsements.services import endorse, withdraw_endorsement
    document = make_document(member, title="Energy", body="Solar panels on roofs.\n")
    proposer = make_user("Proposer")
    amendment = propose_amendment(proposer, document, title="Add wind", rationale="Wind is cheap.",
                                  body="Solar panels on roofs.\n\nOffshore turbines too.\n", base_number=1)
    assert find("turbines", kind="amendment").facets["status"] == {"open": 1}
    accept_amendment(lead_of(member.party), amendment)
    assert find("turbines", kind="document").total == 1
    assert find("turbines", kind="amendment").hits[0].status == "accepted"
    endorsement = endorse(lead_of(member.party), document)
    assert find("turbines", party=member.party.slug).total == 1
    withdraw_endorsement(lead_of(member.party), endorsement)
    assert find("turbines", party=member.party.slug).total == 0
    assert get_revision(document, 2).body.endswith("turbines too.\n")


def test_a_request_that_saves_applies_its_jobs_after_commit(app, client, login, member):
    login(client, member)
    response = client.post("/documents/new", data={"title": "Libraries", "body": "Open seven days.",
                                                   "policy_area": "Culture", "summary": ""})
    assert response.status_code in (302, 303)
    assert services.pending_jobs() == 0
    from policyhub.search.query import SearchQuery
    assert services.get_backend().search(SearchQuery(text="libraries")).total == 1


def test_a_save_is_answered_before_its_index_job_runs(app, client, login, member):
    """The response is whole (status, headers, body) while the job still waits: a server sends it, then
    closes it, and only closing applies the job (response.call_on_close)."""
    from policyhub.search.query import SearchQuery
    assert services.ensure_index() == "ready"
    login(client, member)
    response = client.post("/documents/new", data={"title": "Libraries", "body": "Open seven days.",
                                                   "policy_area": "Culture", "summary": ""}, buffered=False)
    assert response.status_code in (302, 303) and response.headers["Location"].startswith("/documents/")
    response.get_data()  # the body, read to its end as a server sends it
    db.session.rollback()  # a fresh snapshot: the test's transaction began before the request committed
    assert services.pending_jobs() == 1
    assert services.get_backend().search(SearchQuery(text="libraries")).total == 0
    response.close()  # the server is done with the response: now the job runs
    db.session.rollback()
    assert services.pending_jobs() == 0
    assert services.get_backend().search(SearchQuery(text="libraries")).total == 1


@whoosh_only
def test_a_busy_index_keeps_the_job_and_the_save_succeeds(app, member, make_document, edit_document, find):
    document = make_document(member, title="Water", body="Clean rivers.")
    services.apply_pending_jobs()
    backend = services.get_backend()
    lock = backend._index().lock("WRITELOCK")  # another writer holds whoosh's lock
    assert lock.acquire()
    try:
        revision = edit_document(member, document, "Beavers reintroduced.")
        assert revision.number == 2
        assert services.apply_pending_jobs() == 0
        job = db.session.scalars(select(IndexJob)).one()
        assert job.attempts == 1 and "IndexBusy" in job.last_error
    finally:
        lock.release()
    assert services.apply_pending_jobs() == 1
    assert find("beavers").total == 1


def test_a_failing_index_keeps_the_job_with_back_off(app, member, make_document, monkeypatch, find):
    backend = services.get_backend()
    make_document(member, title="First", body="Nothing.")
    services.apply_pending_jobs()

    def broken(changes):
        raise OSError("disk full")
    monkeypatch.setattr(backend, "apply", broken)
    make_document(member, title="Second", body="Hedgehogs.")
    assert services.apply_pending_jobs() == 0
    assert services.apply_pending_jobs() == 0  # waiting out its back-off
    job = db.session.scalars(select(IndexJob)).one()
    assert job.attempts == 1 and "disk full" in job.last_error and job.not_before is not None
    monkeypatch.undo()
    assert find("hedgehogs").total == 1


def test_reindex_command_rebuilds_from_the_database(app, member, make_document):
    make_document(member, title="Forests", body="Plant trees.")
    make_document(member, title="Peat", body="Protect bogs.")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing documents and amendments" in result.output  # the progress bar's label
    assert "Indexed 2" in result.output
    from policyhub.search.query import SearchQuery
    assert services.get_backend().search(SearchQuery(text="bogs")).total == 1


@whoosh_only
def test_rebuild_swaps_in_a_new_generation_and_keeps_searching(app, member, make_document, find):
    make_document(member, title="Forests", body="Plant trees.")
    assert find("trees").total == 1
    backend = services.get_backend()
    before = backend._current_generation()
    services.rebuild()
    after = backend._current_generation()
    assert after != before and find("trees").total == 1


@whoosh_only
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # whoosh leaks the bad file
def test_a_corrupt_index_is_detected_and_rebuilt(app, member, make_document, find):
    make_document(member, title="Forests", body="Plant trees.")
    assert find("trees").total == 1
    backend = services.get_backend()
    generation = Path(backend.root) / backend._current_generation()
    for path in generation.iterdir():
        if path.suffix in (".seg", ".toc") or path.name.startswith("_"):
            path.write_bytes(b"garbage")
    backend._ix = None
    backend.close()
    assert not backend.is_healthy()
    assert services.ensure_index(force_check=True) == "ready"
    assert backend.is_healthy() and find("trees").total == 1
    gc.collect()  # let whoosh's leaked handle on the garbage file be reported inside this test


@whoosh_only
def test_a_missing_index_is_rebuilt_on_first_use(app, member, make_document, find):
    make_document(member, title="Forests", body="Plant trees.")
    services.apply_pending_jobs()
    import shutil
    backend = services.get_backend()
    shutil.rmtree(backend.root)
    app.extensions.pop(services.EXTENSION + ".checked", None)
    assert find("trees").total == 1


def test_an_out_of_step_index_is_rebuilt(app, member, make_document, find):
    make_document(member, title="Forests", body="Plant trees.")
    services.apply_pending_jobs()
    db.session.execute(IndexJob.__table__.delete())
    db.session.commit()
    backend = services.get_backend()
    backend.remove(f"document:{db.session.scalars(select(IndexJob.id)).first() or 1}")
    assert services.ensure_index(force_check=True) == "ready"
    assert find("trees").total == 1


def _save_documents(config: dict, worker: int, count: int) -> None:
    """In a spawned process: save documents through the services, applying jobs after each save."""
    from policyhub import create_app
    from policyhub.accounts.models import User
    from policyhub.documents import services as documents
    from policyhub.search import services as search
    app = create_app(config)
    with app.app_context():
        author = db.session.scalars(select(User)).first()
        for n in range(count):
            document = documents.create_document(author, title=f"Worker {worker} paper {n}",
                                                 body=f"Body text zebra{worker}x{n}.", policy_area="Tests")
            documents.save_revision(author, document, body=f"Final text quokka{worker}x{n}.", base_number=1)
            search.apply_pending_jobs()
        db.engine.dispose()


def test_index_updates_from_several_processes(app, app_config, member, make_document):
    make_document(member, title="Seed", body="Seed.")
    services.apply_pending_jobs()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_save_documents, args=(dict(app_config), worker, 5)) for worker in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=180)
    assert all(process.exitcode == 0 for process in processes)
    services.apply_pending_jobs(include_delayed=True)
    backend = services.get_backend()
    assert backend.is_healthy()
    from policyhub.search.query import SearchQuery
    for worker in range(4):
        for n in range(5):
            assert backend.search(SearchQuery(text=f"quokka{worker}x{n}")).total == 1
            assert backend.search(SearchQuery(text=f"zebra{worker}x{n}")).total == 0
    assert backend.doc_count() == 21
