"""Search: the index as derived data, kept in step through a job queue in the database.

- A change enqueues an IndexJob in its own write transaction (``enqueue_document``/``enqueue_amendment``);
  the ``revision_created`` signal enqueues documents on every save, creation included.
- After the request that wrote jobs, ``apply_pending_jobs`` claims them (a lease in ``not_before``; on
  PostgreSQL with SKIP LOCKED, on SQLite under the write lock), re-reads the targets from the database while
  holding the index's write lock, and indexes them. A busy or broken index never fails the save: the jobs
  stay queued with ``attempts`` + 1 and are retried later.
- ``rebuild`` builds a fresh index from the database and swaps it in; ``ensure_index`` detects a missing,
  corrupt or out-of-step index and rebuilds it (in the background when the database is large).
"""
from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import delete, func, or_, select

from policyhub.db import utcnow, write_transaction
from policyhub.documents.services import revision_created, status_changed
from policyhub.errors import N_
from policyhub.extensions import db
from policyhub.search.backend import Entry, IndexBusy, IndexUnavailable, SearchBackend, entry_key
from policyhub.search.models import IndexJob
from policyhub.text.plain import html_to_text
from policyhub.text.rendering import render
from policyhub.search.query import SearchQuery, SearchResults

log = logging.getLogger(__name__)

EXTENSION = "policyhub.search"
BACKENDS = ("whoosh", "postgres")
JOB_LEASE = timedelta(seconds=120)       # a claimed job not applied by then (process died) is retried
MAX_BACKOFF_SECONDS = 300
INLINE_REBUILD_MAX = 500                 # a smaller database is rebuilt at once, a larger one in the background
BATCH = 200
REBUILDING_MESSAGE = N_("The search index is being rebuilt; search will be back in a minute or two.")


# --- the backend ---------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Drain index jobs after requests. (The backend setting is checked when the backend is first built.)"""
    app.config.setdefault("SEARCH_INDEX_PATH", os.path.join(app.instance_path, "search-index"))
    app.after_request(_drain_after_request)


def get_backend(app: Flask | None = None) -> SearchBackend:
    """The app's backend, built once per process."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions.get(EXTENSION)
    if backend is None:
        name = app.config.get("SEARCH_BACKEND") or "whoosh"
        if name not in BACKENDS:
            raise RuntimeError(f"Unknown SEARCH_BACKEND {name!r}; use 'whoosh' or 'postgres'.")
        limits = {"time_limit": float(app.config.get("SEARCH_TIME_LIMIT", 2.0)),
                  "lock_timeout": float(app.config.get("SEARCH_LOCK_TIMEOUT", 0.5))}
        if name == "postgres":  # the index lives in the app's database (refused unless it is PostgreSQL)
            from policyhub.search.postgres_backend import PostgresBackend
            with app.app_context():
                engine = db.engine
            backend = PostgresBackend(engine, **limits)
        else:
            from policyhub.search.whoosh_backend import REBUILD_MEMORY_MB, WhooshBackend
            path = app.config.get("SEARCH_INDEX_PATH") or os.path.join(app.instance_path, "search-index")
            backend = WhooshBackend(path, **limits, rebuild_memory_mb=int(
                app.config.get("SEARCH_REBUILD_MEMORY_MB", REBUILD_MEMORY_MB)))
        app.extensions[EXTENSION] = backend
    return backend


# --- reading entries from the database -----------------------------------------------------------------

def document_entries(documents: list[Any]) -> list[Entry]:
    """Index entries for documents at their current revision, with the parties endorsing that revision."""
    from policyhub.documents.models import Revision
    from policyhub.endorsements.services import live_endorsements_by_document
    if not documents:
        return []
    revisions = {(r.document_id, r.number): r for r in db.session.scalars(
        select(Revision).where(or_(*[(Revision.document_id == d.id) & (Revision.number == d.current_number)
                                     for d in documents])))}
    live = live_endorsements_by_document(documents)
    entries = []
    for document in documents:
        revision = revisions.get((document.id, document.current_number))
        if revision is None:
            continue
        parties = tuple(e.party.slug for e in live.get(document.id, [])
                        if e.revision_number == document.current_number)
        entries.append(Entry(
            key=entry_key("document", document.id), kind="document", slug=document.slug, number=None,
            title=revision.title, body=html_to_text(revision.html), policy_area=document.policy_area,
            status=document.status,
            parties=parties, updated_at=document.updated_at,
        ))
    return entries


def amendment_entries(amendments: list[Any]) -> list[Entry]:
    """Index entries for amendments: title, rationale and latest proposed text, state, their document."""
    from policyhub.amendments.services import latest_versions
    versions = latest_versions(amendments)
    entries = []
    for amendment in amendments:
        version = versions.get(amendment.id)
        document = amendment.document
        # Indexed as readable text (snippets quote it), rendered from the Markdown the way pages show it.
        body = html_to_text(amendment.rationale_html)
        if version is not None:
            body += "\n\n" + html_to_text(render(version.body).html)
        entries.append(Entry(
            key=entry_key("amendment", amendment.id), kind="amendment", slug=document.slug,
            number=amendment.number, title=amendment.title, body=body, policy_area=document.policy_area,
            status=amendment.status, parties=(), updated_at=amendment.decided_at or amendment.updated_at,
            document_title=document.title,
        ))
    return entries


def _load(kind: str, ids: list[int]) -> tuple[list[Entry], list[str]]:
    """Entries for the targets that exist, and the keys of those that are gone."""
    from policyhub.amendments.models import Amendment
    from policyhub.documents.models import Document
    model = Document if kind == "document" else Amendment
    found = list(db.session.scalars(select(model).where(model.id.in_(ids))))
    entries = document_entries(found) if kind == "document" else amendment_entries(found)
    present = {item.id for item in found}
    return entries, [entry_key(kind, i) for i in ids if i not in present]


def all_entries(batch: int = BATCH) -> Iterator[Entry]:
    """Every document and amendment, read in batches (for a rebuild)."""
    from policyhub.amendments.models import Amendment
    from policyhub.documents.models import Document
    for model, to_entries in ((Document, document_entries), (Amendment, amendment_entries)):
        last = 0
        while True:
            rows = list(db.session.scalars(select(model).where(model.id > last).order_by(model.id).limit(batch)))
            if not rows:
                break
            yield from to_entries(rows)
            last = rows[-1].id


def count_entries() -> int:
    from policyhub.amendments.models import Amendment
    from policyhub.documents.models import Document
    return (db.session.scalar(select(func.count()).select_from(Document)) or 0) + \
        (db.session.scalar(select(func.count()).select_from(Amendment)) or 0)


# --- the job queue -------------------------------------------------------------------------------------

def _enqueue(kind: str, target_id: int) -> None:
    db.session.add(IndexJob(kind=kind, target_id=target_id, attempts=0, last_error="", created_at=utcnow()))
    if has_app_context():
        g.search_jobs_pending = True


def enqueue_document(document: Any) -> None:
    """Queue a re-index of ``document``. Call inside the change's write transaction."""
    _enqueue("document", document.id)


def enqueue_amendment(amendment: Any) -> None:
    """Queue a re-index of ``amendment``. Call inside the change's write transaction."""
    _enqueue("amendment", amendment.id)


def _on_revision_created(revision: Any, *, document: Any, title_changed: bool = False, **_: Any) -> None:
    # Inside the save's transaction: the jobs commit (or roll back) with the revision.
    enqueue_document(document)
    if title_changed:  # amendments are found by their document's title too
        from policyhub.amendments.models import Amendment
        for amendment_id in db.session.scalars(select(Amendment.id).where(Amendment.document_id == document.id)):
            _enqueue("amendment", amendment_id)


revision_created.connect(_on_revision_created)


def _on_status_changed(document: Any, **_: Any) -> None:
    enqueue_document(document)  # the status facet follows the document


status_changed.connect(_on_status_changed)


def pending_jobs() -> int:
    return db.session.scalar(select(func.count()).select_from(IndexJob)) or 0


def _claim(limit: int, include_delayed: bool) -> list[tuple[int, str, int]]:
    now = utcnow()
    with write_transaction(db.session):
        query = select(IndexJob).order_by(IndexJob.id).limit(limit)
        if not include_delayed:
            query = query.where(or_(IndexJob.not_before.is_(None), IndexJob.not_before <= now))
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        jobs = list(db.session.scalars(query))
        for job in jobs:
            job.not_before = now + JOB_LEASE
        return [(job.id, job.kind, job.target_id) for job in jobs]


def _changes(claimed: list[tuple[int, str, int]]) -> Iterator[Entry | str]:
    """Read the targets' current state from a fresh snapshot (called with the index's lock held)."""
    db.session.rollback()
    for kind in ("document", "amendment"):
        ids = sorted({target for _id, k, target in claimed if k == kind})
        for start in range(0, len(ids), BATCH):
            entries, removals = _load(kind, ids[start:start + BATCH])
            yield from removals
            yield from entries
    db.session.rollback()


def apply_pending_jobs(limit: int = 500, *, include_delayed: bool = False) -> int:
    """Apply up to ``limit`` queued jobs to the index; returns how many were applied.

    Never raises for an index problem: the claimed jobs get ``attempts`` + 1, the error, and a back-off in
    ``not_before`` (``include_delayed`` applies them regardless). While a rebuild runs nothing is applied:
    the jobs wait and are applied to the new index.
    """
    backend = get_backend()
    if getattr(backend, "is_rebuilding", lambda: False)():
        return 0
    if not backend.exists():  # first use: build from the database, which already holds these changes
        if ensure_index(force_check=True) != "ready":
            return 0
    claimed = _claim(limit, include_delayed)
    if not claimed:
        return 0
    ids = [job_id for job_id, _kind, _target in claimed]
    try:
        if not backend.exists():
            raise IndexUnavailable("There is no search index yet.")
        backend.apply(_changes(claimed))  # type: ignore[attr-defined]
    except Exception as error:  # busy, I/O, corrupt: the save already succeeded; keep the jobs
        db.session.rollback()
        log.warning("search index update failed (%d jobs kept): %s", len(ids), repr(error))
        _release(ids, error)
        if isinstance(error, IndexUnavailable):
            ensure_index(force_check=True)
        return 0
    with write_transaction(db.session):
        db.session.execute(delete(IndexJob).where(IndexJob.id.in_(ids)).execution_options(synchronize_session=False))
    return len(ids)


def _release(ids: list[int], error: Exception) -> None:
    now = utcnow()
    with write_transaction(db.session):
        for job in db.session.scalars(select(IndexJob).where(IndexJob.id.in_(ids))):
            job.attempts += 1
            job.last_error = f"{type(error).__name__}: {error}"[:2000]
            busy = isinstance(error, IndexBusy)
            delay = 0 if busy and job.attempts < 3 else min(2 ** job.attempts, MAX_BACKOFF_SECONDS)
            job.not_before = now + timedelta(seconds=delay)


def _drain_after_request(response: Any) -> Any:
    """After a request that queued jobs (its transaction committed by now), apply them once the response
    has been sent, so that the person saving never waits for the index."""
    if g.pop("search_jobs_pending", False):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(functools.partial(drain, app))
    return response


def drain(app: Flask) -> None:
    """Apply queued jobs, then let the backend tidy up (merge small segments), in a context of its own: the
    request's has ended. Never raises: the jobs stay queued for the next drain."""
    with app.app_context():
        try:
            apply_pending_jobs()
            get_backend().maintain()
        except Exception:
            log.exception("draining search jobs failed")
        finally:
            db.session.remove()


# --- rebuilding ----------------------------------------------------------------------------------------

def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database into a fresh directory and swap it in; returns the entry count.

    Jobs queued meanwhile wait (drains skip during a rebuild) and are applied to the new index afterwards;
    the database is read after the rebuild marker is set, so nothing committed before is missed.
    """
    backend = get_backend()
    if not backend.claim_rebuild():  # type: ignore[attr-defined]
        raise RuntimeError("Another rebuild of the search index is running.")
    try:
        db.session.rollback()
        count = backend.rebuild(all_entries(), progress)
        db.session.rollback()
    finally:
        backend.release_rebuild()  # type: ignore[attr-defined]
    current_app.extensions[EXTENSION + ".checked"] = True
    apply_pending_jobs(include_delayed=True)
    return count


def index_state() -> str:
    """"ready", "rebuilding" or "missing"."""
    backend = get_backend()
    if backend.is_rebuilding():  # type: ignore[attr-defined]
        return "rebuilding"
    return "ready" if backend.exists() else "missing"


def ensure_index(*, force_check: bool = False, background: bool | None = None) -> str:
    """Make sure a usable index exists: checked once per process (and after errors). A missing, unreadable
    or out-of-step index (its entry count differs from the database's by more than the queued jobs) is
    rebuilt: at once for a small database, else in a background thread. Returns index_state()."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    checked_key = EXTENSION + ".checked"
    backend = get_backend(app)
    if app.extensions.get(checked_key) and not force_check:
        return "ready" if backend.exists() else index_state()
    if backend.is_rebuilding():  # type: ignore[attr-defined]
        return "rebuilding"
    healthy = backend.exists() and backend.is_healthy()
    if healthy:
        try:
            gap = abs(backend.doc_count() - count_entries())
            healthy = gap <= pending_jobs()
        except IndexUnavailable:
            healthy = False
        db.session.rollback()
    if healthy:
        app.extensions[checked_key] = True
        return "ready"
    log.warning("search index missing, corrupt or out of step: rebuilding")
    if background is None:
        background = bool(app.config.get("SEARCH_BACKGROUND_REBUILD", True)) and count_entries() > INLINE_REBUILD_MAX
    if not background:
        try:
            rebuild()
        except RuntimeError:
            return "rebuilding"
        return "ready"
    threading.Thread(target=_rebuild_in_background, args=(app,), daemon=True, name="search-rebuild").start()
    return "rebuilding"


def _rebuild_in_background(app: Flask) -> None:
    with app.app_context():
        try:
            rebuild()
        except Exception:
            log.exception("background rebuild of the search index failed")
        finally:
            db.session.remove()


# --- searching -----------------------------------------------------------------------------------------

def search(query: SearchQuery) -> SearchResults:
    """Answer ``query`` (see SearchResults): never raises for what a person typed; while the index is being
    rebuilt, an empty answer with a message. Jobs left queued (a busy index, writes from the CLI) are
    applied first, so results are never behind the database for long."""
    state = ensure_index()
    if state == "ready":
        try:
            if db.session.scalar(select(IndexJob.id).where(or_(
                    IndexJob.not_before.is_(None), IndexJob.not_before <= utcnow())).limit(1)) is not None:
                apply_pending_jobs()
        except Exception:
            log.exception("draining search jobs before a search failed")
            db.session.rollback()
    if state != "ready":
        return SearchResults(query=query, total=0, hits=(), notes=(REBUILDING_MESSAGE,))
    try:
        return get_backend().search(query)
    except IndexUnavailable:
        state = ensure_index(force_check=True)
        if state == "ready":
            return get_backend().search(query)
        return SearchResults(query=query, total=0, hits=(), notes=(REBUILDING_MESSAGE,))
