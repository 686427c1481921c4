"""Leads of one party endorsing the same document at the same moment, from threads, on a file SQLite
database and on PostgreSQL: the document lock serialises them, so every endorsement lands, each one
supersedes the one before, and exactly one stays live. No error, no second live row."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from policyhub.accounts.models import User
from policyhub.documents.services import get_document
from policyhub.endorsements import services
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db

THREADS = 8


@pytest.fixture
def database_url(sqlite_and_postgres_url: str) -> str:
    return sqlite_and_postgres_url


def test_leads_of_one_party_racing_leave_one_live_endorsement(race, make_user, labour, author, make_document):
    document = make_document(author, slug="race")
    lead_ids = [make_user(f"Lead {i}", party=labour, role="lead").id for i in range(THREADS)]

    def prepare(i: int) -> tuple[User, object]:
        lead = db.session.get(User, lead_ids[i])
        _ = lead.party  # loaded before the race: the membership is not what is being raced for
        return lead, get_document("race")

    def endorse(i: int, prepared: tuple[User, object]) -> bool:
        lead, document = prepared
        return services.endorse_revision(lead, document, statement=f"Statement {i}").created

    outcomes = race(THREADS, prepare, endorse)
    assert outcomes == [True] * THREADS

    db.session.rollback()
    rows = db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id)
                              .order_by(Endorsement.id)).all()
    assert len(rows) == THREADS
    assert [row.end_reason for row in rows] == ["superseded"] * (THREADS - 1) + [None]
    assert len({row.endorsed_by_id for row in rows}) == THREADS
