"""A database that cannot be reached answers 503 with Retry-After (never 500), and the app recovers on its
own once the database is back: no restart."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from policyhub.extensions import db
from policyhub.outages import MESSAGE, RETRY_AFTER_SECONDS

PG_SKIP = "needs PostgreSQL and no PostgreSQL URL is configured (set POLICYHUB_TEST_DATABASE_URL)"


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_url(request, closed_port, tmp_path) -> str:
    if request.param == "postgresql":
        return f"postgresql://postgres@127.0.0.1:{closed_port}/policyhub"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'policyhub.db'}"


def assert_unavailable(response, *, json: bool) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    if json:
        assert response.json["error"] == "unavailable" and response.json["message"] == MESSAGE
        assert response.json["request_id"] == response.headers["X-Request-ID"]
    else:
        assert response.mimetype == "text/html" and MESSAGE in response.text


def test_an_unreachable_database_answers_503_not_500(make_app, unreachable_url):
    client = make_app(DATABASE_URL=unreachable_url).test_client()
    assert_unavailable(client.get("/api/v1/parties"), json=True)
    assert_unavailable(client.get("/"), json=False)
    assert_unavailable(client.get("/agenda"), json=False)


def test_a_mistake_in_sql_is_still_a_server_error(make_app):
    """SQLite reports "no such table" as an OperationalError too; that is a bug to see, not an outage."""
    other = make_app(PROPAGATE_EXCEPTIONS=False)
    other.add_url_rule("/_bad-sql", view_func=lambda: str(db.session.execute(text("SELECT * FROM no_such_table"))))
    response = other.test_client().get("/_bad-sql")
    assert response.status_code == 500 and "Retry-After" not in response.headers


def test_connections_to_a_database_server_are_pinged_before_use(make_app, closed_port, tmp_path):
    server = make_app(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port}/policyhub")
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    sqlite_file = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'other.db'}")
    assert "pool_pre_ping" not in sqlite_file.config["SQLALCHEMY_ENGINE_OPTIONS"]  # a file does not go away


# --- PostgreSQL drops the app's connections (a restart, a failover, an idle timeout) ------------------------

@pytest.fixture
def pg_url(postgres_url: str | None) -> str:
    if postgres_url is None:
        pytest.skip(PG_SKIP)
    return postgres_url


def terminate_other_connections(url: str) -> int:
    """What a server restart does to the app's pooled connections; waits until each backend is gone."""
    engine = create_engine(make_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )).all())
    finally:
        engine.dispose()


def test_pooled_connections_dropped_by_postgres_are_replaced_unseen(app, client, pg_url, make_party):
    make_party("labour", "Labour")
    assert client.get("/api/v1/parties").status_code == 200
    assert terminate_other_connections(pg_url) >= 1
    # pool_pre_ping finds the dead connection before the request uses it and opens a new one.
    response = client.get("/api/v1/parties")
    assert response.status_code == 200 and [party["slug"] for party in response.json["parties"]] == ["labour"]
    assert client.get("/").status_code == 200


def test_without_pre_ping_a_dropped_connection_costs_one_503_then_recovers(app, make_app, pg_url, make_party):
    make_party("labour", "Labour")
    client = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False}).test_client()
    assert client.get("/api/v1/parties").status_code == 200
    assert terminate_other_connections(pg_url) >= 1
    assert_unavailable(client.get("/api/v1/parties"), json=True)
    assert client.get("/api/v1/parties").status_code == 200

    assert client.get("/").status_code == 200
    assert terminate_other_connections(pg_url) >= 1
    assert_unavailable(client.get("/"), json=False)
    assert client.get("/").status_code == 200
