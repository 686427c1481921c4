"""Leads of one party endorsing the same document at the same moment, from threads, on a file SQLite
database and on PostgreSQL: the document lock serialises them, so every endorsement lands, each one
supersedes the one before, and exactly one stays live. No error, no second live row."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from policyhub.accounts.models import User
from policyhub.documents.services import get_document
from policyhub.endorsements import services
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db

THREADS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path, postgres_url: str | None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'race.db'}"
    if postgres_url is None:
        pytest.skip("PostgreSQL not configured: set POLICYHUB_TEST_DATABASE_URL to run this case")
    return postgres_url


def test_leads_of_one_party_racing_leave_one_live_endorsement(app, make_user, labour, author, make_document):
    document = make_document(author, slug="race")
    lead_ids = [make_user(f"Lead {i}", party=labour, role="lead").id for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = [None] * THREADS

    def endorser(i: int) -> None:
        with app.app_context():
            try:
                lead = db.session.get(User, lead_ids[i])
                _ = lead.party
                doc = get_document("race")
                db.session.rollback()
                barrier.wait(timeout=30)
                outcomes[i] = services.endorse_revision(lead, doc, statement=f"Statement {i}").created
            except Exception as error:  # reported by the assertion below
                outcomes[i] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=endorser, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an endorser hung"
    assert outcomes == [True] * THREADS

    db.session.rollback()
    rows = db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id)
                              .order_by(Endorsement.id)).all()
    assert len(rows) == THREADS
    assert [row.end_reason for row in rows] == ["superseded"] * (THREADS - 1) + [None]
    assert len({row.endorsed_by_id for row in rows}) == THREADS
