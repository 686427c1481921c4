"""/healthz: 200 when the database and the search index both answer, 503 naming the part that does not."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest

from policyhub.search import services as search

OK = {"status": "ok", "database": "ok", "search": "ok"}


@pytest.fixture
def indexed(app):
    """The app with its search index built (a fresh app has none until the first save or search)."""
    search.rebuild()
    return app


def test_healthz_answers_ok_when_database_and_search_answer(indexed, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == OK
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_names_the_database_when_it_cannot_be_reached(indexed, make_app, closed_port):
    url = f"postgresql://policyhub:s3cret@127.0.0.1:{closed_port}/policyhub"
    response = make_app(DATABASE_URL=url).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable", "search": "ok"}
    assert str(closed_port) not in response.text and "s3cret" not in response.text  # nothing about the setup


def test_a_fresh_install_without_an_index_is_healthy_and_gets_one(app, make_app, tmp_path, member, make_document):
    make_document(member, title="Forests", body="Plant trees.")
    fresh = make_app(SEARCH_INDEX_PATH=str(tmp_path / "no-index-yet"))
    response = fresh.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == OK  # a small site is indexed there and then
    assert (tmp_path / "no-index-yet" / "CURRENT").exists()


def test_a_large_site_stays_in_rotation_while_its_index_is_rebuilt(app, make_app, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "INLINE_REBUILD_MAX", -1)  # every site counts as large: rebuild in background
    started = []
    monkeypatch.setattr(search, "_rebuild_in_background", lambda app: started.append(app))
    response = make_app(SEARCH_INDEX_PATH=str(tmp_path / "no-index-yet")).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "search": "rebuilding"}
    assert len(started) == 1


def test_healthz_names_search_when_the_backend_cannot_be_reached(app, make_app, monkeypatch):
    other = make_app()

    def broken(*args, **kwargs):
        raise OSError("the index volume is gone")
    monkeypatch.setattr(search, "ensure_index", broken)
    monkeypatch.setattr("policyhub.health.ensure_index", broken)
    monkeypatch.setattr(search.get_backend(other), "is_healthy", lambda: False)
    response = other.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "ok", "search": "unavailable"}
    assert "volume" not in response.text


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # whoosh leaks the bad file
def test_a_corrupt_index_is_rebuilt_by_the_check(indexed, make_app, member, make_document):
    make_document(member, title="Forests", body="Plant trees.")
    search.apply_pending_jobs()
    root = Path(indexed.config["SEARCH_INDEX_PATH"])
    for path in root.glob("gen-*/*"):
        if path.suffix in (".seg", ".toc") or path.name.startswith("_"):
            path.write_bytes(b"garbage")
    other = make_app()
    response = other.test_client().get("/healthz")  # a new process's view: nothing cached
    assert response.status_code == 200 and response.json == OK
    with other.app_context():
        assert search.get_backend(other).is_healthy()
    gc.collect()  # let whoosh's leaked handle on the garbage file be reported inside this test
