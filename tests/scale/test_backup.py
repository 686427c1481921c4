"""The backup and restore that docs/deploy.md describes give back every document, revision and person, and a
search index rebuilt from the restored database finds the texts."""
from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from .serving import own_database, prepare_site


def snapshot(app) -> dict[str, object]:
    from policyhub.accounts.models import User
    from policyhub.documents.models import Document, Revision
    from policyhub.extensions import db
    with app.app_context():
        state = {
            "documents": [(d.slug, d.title, d.current_number) for d in db.session.scalars(
                select(Document).order_by(Document.slug))],
            "revisions": [(r.document_id, r.number, r.body) for r in db.session.scalars(
                select(Revision).order_by(Revision.document_id, Revision.number))],
            "people": sorted(db.session.scalars(select(User.email))),
        }
        db.session.remove()
        db.engine.dispose()
    return state


def add_history(app) -> None:
    from policyhub.accounts.models import User
    from policyhub.documents import services
    from policyhub.extensions import db
    with app.app_context():
        author = db.session.scalar(select(User).where(User.email == "member0@example.org"))
        document = services.create_document(author, title="Clean rivers", body="No sewage in rivers.",
                                            policy_area="Environment")
        services.save_revision(author, document, body="No sewage in rivers by 2030.", base_number=1, summary="")
        db.session.remove()
        db.engine.dispose()


def restored_search_finds(app, word: str) -> list[str]:
    from policyhub.extensions import db
    from policyhub.search import services
    from policyhub.search.query import SearchQuery
    with app.app_context():
        services.rebuild()  # what `flask --app policyhub search reindex` runs after a restore
        slugs = [hit.slug for hit in services.search(SearchQuery(text=word)).hits]
        db.session.remove()
        db.engine.dispose()
    return slugs


def test_a_sqlite_backup_restores(tmp_path: Path):
    with own_database("sqlite", tmp_path, None) as url:
        site = prepare_site(url, tmp_path / "instance", members=1)
        add_history(site.app())
        before = snapshot(site.app())
        # docs/deploy.md: sqlite3 instance/policyhub.db ".backup backup.db" -- the same online backup API
        source = sqlite3.connect(make_url(url).database)
        backup = tmp_path / "backup.db"
        with sqlite3.connect(backup) as target:
            source.backup(target)
        source.close()
    from policyhub import create_app
    restored = create_app({"DATABASE_URL": f"sqlite:///{backup}", "INSTANCE_PATH": str(tmp_path / "restored"),
                           "SECRET_KEY": "x", "TESTING": True})
    assert snapshot(restored) == before
    assert restored_search_finds(restored, "sewage") == ["clean-rivers"]


def test_a_postgresql_backup_restores(tmp_path: Path, postgres_url):
    if postgres_url is None:
        pytest.skip("needs PostgreSQL and no PostgreSQL URL is configured: set POLICYHUB_TEST_DATABASE_URL")
    with own_database("postgresql", tmp_path, postgres_url) as url:
        site = prepare_site(url, tmp_path / "instance", members=1)
        add_history(site.app())
        before = snapshot(site.app())
        dump = tmp_path / "policyhub.dump"
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        # docs/deploy.md: pg_dump --format=custom, then pg_restore into an empty database
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", plain], check=True)
        with own_database("postgresql", tmp_path, postgres_url) as target_url:
            target = make_url(target_url).set(drivername="postgresql").render_as_string(hide_password=False)
            subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(dump)], check=True)
            from policyhub import create_app
            restored = create_app({"DATABASE_URL": target_url, "INSTANCE_PATH": str(tmp_path / "restored"),
                                   "SECRET_KEY": "x", "TESTING": True})
            assert snapshot(restored) == before
            assert restored_search_finds(restored, "sewage") == ["clean-rivers"]
