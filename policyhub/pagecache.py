"""Pages for visitors, rendered once per change: a per-process cache with ETags that every host agrees on.

A shared agenda page is read thousands of times for every edit, almost always by visitors who are not signed
in and see exactly what every other visitor sees. So a visitor's page is kept, per process, under its URL and
the site's *content generation*: one counter in the database that every transaction changing content raises
as it commits. One primary-key read per request tells every worker on every host whether its copy is still
good; no cache is ever told to forget anything, and no page is ever served older than the last commit.

Only requests that carry no session, remember-me cookie or API token are served from or stored in the cache,
and only answers that wrote nothing to the session (no CSRF token, no flashed message) and set no cookie are
kept. Pages say "3 minutes ago", so a kept page is also re-rendered after ``PAGE_CACHE_SECONDS``.

Every cached page carries an ``ETag`` (a hash of its bytes), so a browser revalidating its copy gets a 304.
Views whose answer can never change (an old revision, a diff between fixed revisions) ask for a long-lived
``Cache-Control`` with ``immutable_for_visitors``.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, make_response, request, session
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from policyhub import i18n
from policyhub.extensions import db
from policyhub.lru import SizedLRU

View = TypeVar("View", bound=Callable[..., Any])

#: Rows that no cached page shows: changing them must not empty every worker's cache.
_INVISIBLE_TABLES = frozenset({"content_generation", "search_index_jobs", "search_entries", "search_words",
                               "api_tokens", "notifications", "mail_preferences", "outgoing_mail"})
IMMUTABLE_MAX_AGE = 24 * 3600  # HTML still holds the site's navigation, which can change; a day bounds it
FOREVER = 365 * 24 * 3600


class ContentGeneration(db.Model):
    """One row: a number raised by every commit that changes what pages show."""

    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)


def current_generation() -> int:
    """The site's content generation (0 before the first change)."""
    return db.session.scalar(select(ContentGeneration.generation).where(ContentGeneration.id == 1)) or 0


# --- raising the generation ------------------------------------------------------------------------------

_CHANGED = "policyhub_content_changed"


def _touches_visible(tables: Any) -> bool:
    return any(table.name not in _INVISIBLE_TABLES for table in tables)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context: Any) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    if any(_touches_visible([obj.__table__]) for obj in changed if hasattr(obj, "__table__")):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: Any) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and _touches_visible(
            [mapper.local_table for mapper in state.all_mappers]):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _raise_generation(session: Session) -> None:
    session.flush()  # changes still pending would otherwise be flushed after this hook has looked
    if not session.info.pop(_CHANGED, False):
        return
    raised = session.execute(update(ContentGeneration).where(ContentGeneration.id == 1)
                             .values(generation=ContentGeneration.generation + 1))
    if raised.rowcount == 0:  # a database made by create_all (tests), or emptied: start counting
        try:
            with session.begin_nested():
                session.execute(insert(ContentGeneration).values(id=1, generation=1))
        except IntegrityError:  # another transaction inserted it first; raising it is enough
            session.execute(update(ContentGeneration).where(ContentGeneration.id == 1)
                            .values(generation=ContentGeneration.generation + 1))
    session.info.pop(_CHANGED, None)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


# --- the cache -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Page:
    body: bytes
    etag: str
    mimetype: str
    cache_control: str
    stored_at: float


class PageCache:
    """A bounded LRU of rendered pages, by (URL, generation), for one process; a page older than
    ``max_age`` seconds is not served (and is dropped)."""

    def __init__(self, max_bytes: int, max_age: float) -> None:
        self.max_age = max_age
        self._pages = SizedLRU(max_bytes, largest_share=8)

    def get(self, key: tuple[str, str, int]) -> _Page | None:
        page: _Page | None = self._pages.get(key)
        if page is not None and time.monotonic() - page.stored_at > self.max_age:
            self._pages.discard(key)
            return None
        return page

    def put(self, key: tuple[str, str, int], page: _Page) -> None:
        self._pages.put(key, page, len(page.body))


def _cache() -> PageCache | None:
    return current_app.extensions.get("policyhub_page_cache")


def _is_visitor_request() -> bool:
    config = current_app.config
    personal = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return (request.method in ("GET", "HEAD") and "Authorization" not in request.headers
            and not any(name in request.cookies for name in personal))


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def visitor_cached(view: View) -> View:
    """Serve the view's page to visitors from the cache; render it (and keep it) when the cache has none."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cache = _cache()
        if cache is None or not _is_visitor_request():
            return view(*args, **kwargs)
        key = (request.full_path, i18n.current(), current_generation())
        page = cache.get(key)
        if page is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or session.modified or "Set-Cookie" in response.headers \
                    or response.direct_passthrough:
                return response
            body = response.get_data()
            page = _Page(body, _etag(body), response.mimetype, g.get("visitor_cache_control", "no-cache"),
                         time.monotonic())
            cache.put(key, page)
        return _answer(page)

    return wrapper  # type: ignore[return-value]


def _answer(page: _Page) -> Response:
    response = Response(page.body, mimetype=page.mimetype)
    response.set_etag(page.etag)
    response.vary.add("Cookie")
    # no-cache (the default) lets a browser keep the page but ask each time: a 304 when nothing changed.
    response.headers["Cache-Control"] = page.cache_control
    return response.make_conditional(request)


def immutable_for_visitors(max_age: int = IMMUTABLE_MAX_AGE) -> None:
    """Called by a view whose answer never changes: visitors' browsers may keep it for ``max_age`` seconds
    without asking (FOREVER adds ``immutable``: not even a reload asks)."""
    g.visitor_cache_control = f"public, max-age={max_age}" + (", immutable" if max_age >= FOREVER else "")


def init_app(app: Flask) -> None:
    """Keep pages for visitors unless PAGE_CACHE_BYTES is 0."""
    max_bytes = app.config["PAGE_CACHE_BYTES"]
    if max_bytes:
        app.extensions["policyhub_page_cache"] = PageCache(max_bytes, app.config["PAGE_CACHE_SECONDS"])
