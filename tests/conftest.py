"""Fixtures: a fresh app and database per test, and builders for the things tests need.

SQLite by default (a file per test). With POLICYHUB_TEST_DATABASE_URL set to a PostgreSQL server, the
session creates its own database there, empties it after every test, and drops it at the end.
"""
from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from policyhub import create_app

from .api_conformance import check_response
from .databases import created_database
from policyhub.extensions import db

PG_ENV = "POLICYHUB_TEST_DATABASE_URL"
PASSWORD = "correct horse battery staple"
_serial = count(1)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for this test session, or None when none is configured."""
    server = os.environ.get(PG_ENV)
    if not server:
        yield None
        return
    with created_database(server, "policyhub_test") as url:
        yield url


@pytest.fixture
def database_url(tmp_path: Path, postgres_url: str | None) -> str:
    return postgres_url or f"sqlite:///{tmp_path / 'policyhub.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def sqlite_and_postgres_url(request, tmp_path: Path, postgres_url: str | None) -> str:
    """For race tests, which must hold on both: a module overrides ``database_url`` with this. SQLite is a
    file (several connections); the PostgreSQL case runs whenever a server is configured."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'race.db'}"
    if postgres_url is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run this case")
    return postgres_url


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, postgres_url: str | None) -> str:
    """For the search tests, which must hold on both backends: a module's ``app_config`` sets SEARCH_BACKEND
    from it. The PostgreSQL backend needs the database to be PostgreSQL, so it runs when a server is
    configured. A test pins one with ``@pytest.mark.parametrize("search_backend", [...], indirect=True)``."""
    if request.param == "postgres" and postgres_url is None:
        pytest.skip(f"needs PostgreSQL and no PostgreSQL URL is configured: set {PG_ENV} to run this case")
    return request.param


def make_test_config(tmp_path: Path, database_url: str, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # the real scrypt costs 50 ms a hash
        "RATELIMIT_ENABLED": False,
        "SMTP_URL": None,  # mails go to <instance>/outbox, whatever POLICYHUB_SMTP_URL the environment sets
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict[str, Any]:
    """Override in a test module (or parametrise) to change the app's configuration."""
    return make_test_config(tmp_path, database_url)


class IsolatedClient(FlaskClient):
    """Each request runs in an empty context, so it gets its own app context, ``g`` and database session,
    as it would in production, instead of sharing the ones the test holds open. Responses are read whole and
    closed, as a server does after sending them, so work deferred with ``call_on_close`` has run."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def make_app(app: Flask, app_config: dict[str, Any]):
    """Another app on the same database with some settings changed; its connections closed afterwards."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        other = create_app({**app_config, **overrides})
        other.test_client_class = IsolatedClient
        built.append(other)
        return other
    yield build
    for other in built:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def broken_app(make_app) -> Flask:
    """An app as in production (the error page, not the traceback) with a page and an API route that raise:
    ``/_boom`` and ``/api/v1/_boom``."""
    def boom() -> str:
        raise RuntimeError("boom")

    broken = make_app(PROPAGATE_EXCEPTIONS=False)
    broken.add_url_rule("/_boom", view_func=boom)
    broken.add_url_rule("/api/v1/_boom", endpoint="api_boom", view_func=boom)
    return broken


@pytest.fixture
def race(app: Flask):
    """``race(count, prepare, act)``: ``count`` threads, each in its own app context, call ``prepare(i)``,
    wait until all are ready, then ``act(i, prepared)`` at once. Returns what each ``act`` returned, or
    ``("error", repr(exception))``."""
    def run(count: int, prepare: Callable[[int], Any], act: Callable[[int, Any], Any]) -> list[Any]:
        barrier = threading.Barrier(count)
        outcomes: list[Any] = [("missing", None)] * count

        def worker(i: int) -> None:
            with app.app_context():
                try:
                    prepared = prepare(i)
                    db.session.rollback()  # give the connection back: idle waiters would drain the pool
                    barrier.wait(timeout=30)
                    outcomes[i] = act(i, prepared)
                except Exception as error:  # reported by the caller's assertions
                    outcomes[i] = ("error", repr(error))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
        db.session.rollback()  # the test's own snapshot predates the race
        return outcomes
    return run


_UNCOUNTED = ("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@contextmanager
def _recording() -> Iterator[list[str]]:
    """The SQL statements (transaction control left out) sent on the app's engine inside the block."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(_UNCOUNTED):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def recorded_queries(app: Flask):
    """``with recorded_queries() as statements:`` — for tests that bound the queries of a page."""
    return _recording


@pytest.fixture
def count_queries(app: Flask) -> Callable[[Callable[[], Any]], int]:
    """``count_queries(run)``: how many SQL statements ``run()`` sends."""
    def count(run: Callable[[], Any]) -> int:
        with _recording() as statements:
            run()
        return len(statements)
    return count


@pytest.fixture
def edit_document(app: Flask):
    """``edit_document(user, document, text, summary)``: save one more paragraph on the current revision;
    returns the new revision."""
    from policyhub.documents import services

    def save(user: Any, document: Any, text: str = "More words.", summary: str = "") -> Any:
        current = services.get_revision(document, document.current_number)
        return services.save_revision(user, document, body=current.body + f"\n{text}\n",
                                      base_number=current.number, summary=summary).revision
    return save


@pytest.fixture
def edit(app):
    """``edit(author, document, old, new)``: save the current text with ``old`` replaced by ``new``, on the current base."""
    from policyhub.documents import services

    def save(author: Any, document: Any, old: str, new: str) -> Any:
        current = services.get_revision(document, document.current_number)
        assert old in current.body
        return services.save_revision(author, document, body=current.body.replace(old, new),
                                      base_number=current.number).revision
    return save


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: for a database or Redis that cannot be reached."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def labour(make_party):
    return make_party("labour", "Labour", "#E4003B")


@pytest.fixture
def libdem(make_party):
    return make_party("libdem", "Liberal Democrats", "#FAA61A")


@pytest.fixture
def green(make_party):
    return make_party("green", "Green Party", "#02A95B")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- builders --------------------------------------------------------------------------------------------

@pytest.fixture
def make_party(app: Flask):
    from policyhub.parties.models import Party
    from policyhub.parties.services import create_party
    from policyhub.permissions import SYSTEM

    def build(slug: str | None = None, name: str | None = None, colour: str = "#336699") -> Party:
        n = next(_serial)
        slug = slug or f"party{n}"
        return create_party(SYSTEM, slug, name or f"Party {slug}", colour)
    return build


@pytest.fixture
def make_user(app: Flask, make_party):
    from policyhub.accounts.models import User
    from policyhub.accounts.services import register_user
    from policyhub.parties.services import add_member, request_membership
    from policyhub.permissions import SYSTEM

    def build(name: str | None = None, *, email: str | None = None, party: Any = None, role: str = "member",
              admin: bool = False, pending: bool = False, password: str = PASSWORD) -> User:
        n = next(_serial)
        user = register_user(email or f"user{n}@example.org", name or f"User {n}", password, is_admin=admin,
                             confirmed=True)
        if party is not None:
            if pending:
                request_membership(user, party)
            else:
                add_member(SYSTEM, user, party, role)
        return user
    return build


@pytest.fixture
def member(make_user, make_party):
    """An approved member of a party of their own."""
    return make_user("Mona Member", party=make_party())


@pytest.fixture
def make_document(app: Flask):
    from policyhub.documents import services

    def build(author: Any, *, title: str = "Fair votes for all", body: str | None = None, revisions: int = 1,
              status: str = "draft", policy_area: str = "Democratic reform", slug: str | None = None) -> Any:
        n = next(_serial)
        body = body or f"# Fair votes\n\nParagraph one of document {n}.\n\nParagraph two.\n"
        document = services.create_document(author, title=title, body=body, policy_area=policy_area, slug=slug)
        for number in range(2, revisions + 1):
            current = services.get_revision(document, document.current_number)
            services.save_revision(author, document, body=current.body + f"\nAddition {number}.\n",
                                   base_number=current.number, summary=f"Edit {number}")
        if status != "draft":
            from policyhub.permissions import SYSTEM
            services.set_status(SYSTEM, document, status)
        return document
    return build


@pytest.fixture
def login():
    """``login(client, user)`` signs ``user`` in on ``client`` the way flask-login keeps it in the session."""
    def sign_in(client: FlaskClient, user: Any) -> FlaskClient:
        from policyhub.reauth import mark_recent_auth
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            mark_recent_auth(session)  # as a password sign-in does
        return client
    return sign_in


@pytest.fixture
def token_for(app: Flask):
    from policyhub.accounts.services import create_token

    def build(user: Any) -> dict[str, str]:
        _token, raw = create_token(None, user, "tests")
        return {"Authorization": f"Bearer {raw}"}
    return build


# --- the JSON API's answers against its OpenAPI description ------------------------------------------------

@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def conforms(spec: dict[str, Any]) -> Callable[[Any, str, str, int], None]:
    """``conforms(response, path, method, status)``: the answer has that status and matches what the spec
    promises for it (tests/api_conformance.py)."""
    def check(response: Any, path: str, method: str, status: int) -> None:
        check_response(spec, response, path, method, status)
    return check
