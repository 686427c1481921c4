"""Twenty saves racing on one base, from threads, on a file SQLite database and on PostgreSQL.

Every save must land as exactly one revision, be merged, or get a conflict that hands its text back:
no lost update, no gap in the numbers, no "database is locked", no other error.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from policyhub.accounts.models import User
from policyhub.documents import services
from policyhub.documents.models import Revision
from policyhub.errors import EditConflict
from policyhub.extensions import db

THREADS = 20
PARAGRAPHS = [f"Paragraph {i} says the policy {i} stands." for i in range(THREADS)]
BODY = "\n\n".join(PARAGRAPHS) + "\n"


def _edit_for(i: int) -> str:
    # Threads 0-14 change a paragraph of their own; 15-19 all rewrite paragraph 0, like thread 0.
    target = i if i < 15 else 0
    return BODY.replace(PARAGRAPHS[target], f"Paragraph {target} was rewritten by writer {i}.")


@pytest.fixture
def database_url(sqlite_and_postgres_url: str) -> str:
    return sqlite_and_postgres_url


def _save(i: int, prepared: tuple[User, object]) -> tuple[str, object]:
    user, document = prepared
    try:
        result = services.save_revision(user, document, body=_edit_for(i), base_number=1, summary=f"writer {i}")
    except EditConflict as conflict:
        return ("conflict", conflict.body)
    return ("merged" if result.merged else "saved", result.revision.number)


def test_twenty_concurrent_saves_on_one_base_never_lose_an_edit(race, member, make_document):
    document = make_document(member, body=BODY)
    member_id, slug = member.id, document.slug
    outcomes = race(THREADS, lambda i: (db.session.get(User, member_id), services.get_document(slug)), _save)

    assert [o for o in outcomes if o[0] in ("error", "missing")] == [], outcomes
    landed = sorted(number for kind, number in outcomes if kind in ("saved", "merged"))
    conflicts = [(i, text) for i, (kind, text) in enumerate(outcomes) if kind == "conflict"]
    numbers = db.session.scalars(
        select(Revision.number).where(Revision.document_id == document.id).order_by(Revision.number)
    ).all()
    assert numbers == list(range(1, len(landed) + 2)), "revision numbers must be gap-free"
    assert landed == numbers[1:], "each successful save is exactly one revision"
    assert sum(kind == "saved" for kind, _ in outcomes) == 1, "only one save can win on the shared base"
    for i, text in conflicts:
        assert text == _edit_for(i), "a conflict hands back exactly what was typed"
    # The fifteen writers of separate paragraphs, and one of the six of paragraph 0, all landed.
    final = services.get_revision(services.get_document(document.slug), numbers[-1]).body
    for i in range(1, 15):
        assert f"rewritten by writer {i}." in final
    assert sum(f"Paragraph 0 was rewritten by writer {i}." in final for i in (0, 15, 16, 17, 18, 19)) == 1
    assert len(landed) == 15 and len(conflicts) == 5
