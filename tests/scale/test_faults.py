"""Faults a production site meets: a worker killed in the middle of a save, a disk that fills while the search
index is written. Neither may leave half a change or lose a saved word."""
from __future__ import annotations

import errno
import os
import signal
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from .serving import environment, gunicorn, own_database, prepare_site, request

# Loaded by gunicorn in each worker: a save whose summary is "hang" stops inside its transaction, after the
# revision row is written and before the commit, and says which process to kill.
HANG_HOOK = '''
def post_worker_init(worker):
    import os, time
    from policyhub.documents.services import revision_created

    def hang(revision, **_):
        if revision.summary == "hang":
            with open({marker!r} + ".tmp", "w") as f:
                f.write(str(os.getpid()))
            os.replace({marker!r} + ".tmp", {marker!r})
            time.sleep(120)

    revision_created.connect(hang, weak=False)
'''


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_worker_killed_mid_save_leaves_no_half_written_revision(database, tmp_path: Path, postgres_url):
    if database == "postgresql" and postgres_url is None:
        pytest.skip("needs PostgreSQL and no PostgreSQL URL is configured: set POLICYHUB_TEST_DATABASE_URL")
    instance = tmp_path / "instance"
    marker = tmp_path / "hanging-worker"
    config = tmp_path / "hang.conf.py"
    config.write_text(textwrap.dedent(HANG_HOOK.format(marker=str(marker))))
    with own_database(database, tmp_path, postgres_url) as url:
        site = prepare_site(url, instance, members=1)
        token = site.member_tokens[0]
        with gunicorn(environment(url, instance), workers=2, extra=("--config", str(config))) as base:
            status, document = request("POST", f"{base}/api/v1/documents", token=token, body={
                "title": "Water", "body": "Clean rivers.", "policy_area": "Environment"})
            assert status == 201, document
            slug = document["slug"]
            answers: list[object] = []
            saving = threading.Thread(target=lambda: answers.append(_try(lambda: request(
                "PUT", f"{base}/api/v1/documents/{slug}", token=token, timeout=30,
                body={"body": "Clean rivers and beavers.", "base_revision": 1, "summary": "hang"}))))
            saving.start()
            deadline = time.monotonic() + 30
            while not marker.exists():
                assert time.monotonic() < deadline, "the save never reached its transaction"
                time.sleep(0.05)
            os.kill(int(marker.read_text()), signal.SIGKILL)
            saving.join(timeout=30)
            assert answers and isinstance(answers[0], OSError)  # the connection died with the worker

            # The other worker (and the replacement gunicorn starts) serve on: the document is untouched...
            status, now = request("GET", f"{base}/api/v1/documents/{slug}")
            assert status == 200 and now["current_revision"] == 1 and now["body"] == "Clean rivers."
            # ...and the next save takes revision 2, as if the killed one had never started.
            status, saved = _retry_while_locked(lambda: request(
                "PUT", f"{base}/api/v1/documents/{slug}", token=token,
                body={"body": "Clean rivers and otters.", "base_revision": 1, "summary": "after"}))
            assert status == 200 and saved["revision"]["number"] == 2, saved

        app = site.app()
        from policyhub.documents.models import Revision
        from policyhub.extensions import db
        with app.app_context():
            bodies = [r.body for r in db.session.scalars(select(Revision).order_by(Revision.number))]
            assert bodies == ["Clean rivers.", "Clean rivers and otters."]
            db.session.remove()
            db.engine.dispose()


def _try(call):
    try:
        return call()
    except OSError as error:
        return error


def _retry_while_locked(call, seconds: float = 40):
    """SQLite: the killed worker's write lock is released when the OS closes its file; PostgreSQL: its
    transaction is rolled back when the server notices the dead connection. Either may take a moment."""
    deadline = time.monotonic() + seconds
    while True:
        status, body = call()
        if status not in (409, 503) or time.monotonic() > deadline:
            return status, body
        time.sleep(0.5)


def test_a_full_disk_while_indexing_keeps_the_save(app, member, make_document, edit_document, monkeypatch):
    """The index write fails with ENOSPC: the revision is saved, the job stays queued, and once there is
    room again the index catches up."""
    from whoosh.filedb.filestore import FileStorage

    from policyhub.search import services
    from policyhub.search.models import IndexJob
    from policyhub.search.query import SearchQuery
    from policyhub.extensions import db

    document = make_document(member, title="Water", body="Clean rivers.")
    services.apply_pending_jobs()
    real_create = FileStorage.create_file

    def full_disk(self, name, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", name)

    monkeypatch.setattr(FileStorage, "create_file", full_disk)
    revision = edit_document(member, document, "Beavers reintroduced.")
    assert revision.number == 2
    assert services.apply_pending_jobs() == 0
    job = db.session.scalars(select(IndexJob)).one()
    assert job.attempts == 1 and "No space left" in job.last_error
    db.session.rollback()

    monkeypatch.setattr(FileStorage, "create_file", real_create)
    assert services.apply_pending_jobs(include_delayed=True) == 1
    assert [h.slug for h in services.search(SearchQuery(text="beavers")).hits] == [document.slug]
