"""Revision storage: snapshots and delta chains rebuild every revision exactly, the current text is read from
the document's head, rows are never updated, and small edits cost a small fraction of their full texts."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm.attributes import set_committed_value

from policyhub.amendments import services as amendments
from policyhub.db import write_transaction
from policyhub.documents import services, storage
from policyhub.documents.models import Document, Revision
from policyhub.extensions import db
from policyhub.text.delta import SNAPSHOT_EVERY, apply, stored_form
from policyhub.text.diffing import diff_words
from policyhub.text.clauses import split_blocks
from policyhub.text.rendering import render

WORDS = ("fair", "votes", "seats", "rail", "fares", "homes", "rivers", "naïve", "Straße", "日本語", "emoji😀",
         "𝔘nicode", "cafe\u0301", "ñandú", "tab\there", "x=+-:12")
REVISIONS = 120


def paragraph(rng: random.Random, words: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def fresh_session() -> None:
    """Forget every loaded object and the app's cache of rebuilt texts, as a new process would."""
    db.session.remove()
    storage.cache().clear()


@pytest.fixture
def history(member, make_user, make_party):
    """A document with 120 revisions of varied edits (words replaced, unicode added, paragraphs dropped,
    headings, whole rewrites, a revert, an accepted amendment) and the text each revision must have."""
    rng = random.Random(7)
    lead = make_user("Lena Lead", party=make_party(), role="lead")
    first = "# Agenda\n\n" + "\n\n".join(paragraph(rng) for _ in range(20)) + "\n"
    document = services.create_document(member, title="Agenda", body=first, policy_area="Democratic reform")
    texts = {1: first}
    rewrites = set()
    while document.current_number < REVISIONS:
        number, current = document.current_number + 1, texts[document.current_number]
        pieces = current.split("\n\n")
        kind = ("amendment" if number == 60 else "revert" if number == 80 else "rewrite" if number % 37 == 0
                else rng.choice(["replace", "insert", "drop", "heading", "append"]))
        if kind == "amendment":
            proposed = current.replace("\n\n", "\n\nAmended, 👩‍👩‍👧 by the lead.\n\n", 1)
            amendment = amendments.propose_amendment(member, document, title="Say more", rationale="Clearer.",
                                                     body=proposed, base_number=document.current_number)
            _, revision = amendments.accept_amendment(lead, amendment)
            texts[revision.number] = proposed
            continue
        if kind == "revert":
            services.revert_document(member, document, to_number=number - 3, base_number=number - 1)
            texts[number] = texts[number - 3]
            continue
        if kind == "rewrite":
            body = "# Agenda, again\n\n" + "\n\n".join(paragraph(rng, 20) for _ in range(30)) + "\n"
            rewrites.add(number)
        elif kind == "replace":
            index = rng.randrange(1, len(pieces))
            words = pieces[index].split(" ")
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            pieces[index] = " ".join(words)
            body = "\n\n".join(pieces)
        elif kind == "insert":
            pieces.insert(rng.randrange(1, len(pieces) + 1), paragraph(rng, 5))
            body = "\n\n".join(pieces)
        elif kind == "drop" and len(pieces) > 3:
            del pieces[rng.randrange(1, len(pieces))]
            body = "\n\n".join(pieces)
        elif kind == "heading":
            pieces.insert(rng.randrange(1, len(pieces) + 1), f"## Section {number} ✓")
            body = "\n\n".join(pieces)
        else:
            body = current + f"\nLine {number}: {rng.choice(WORDS)}\r\n"
        result = services.save_revision(member, document, body=body, base_number=document.current_number,
                                        summary=kind)
        texts[result.revision.number] = result.revision.body
        assert result.revision.number == number
    return document.id, texts, rewrites


def test_every_revision_of_a_long_varied_history_rebuilds_exactly(app, history):
    document_id, texts, _ = history
    fresh_session()
    document = db.session.get(Document, document_id)
    assert document.current_number == REVISIONS == len(texts)
    for number, text in texts.items():
        revision = services.get_revision(document, number)
        assert revision.body == text, number
    for number in (2, 50, 59, 60, 100, 119):  # old revisions' HTML is rendered from the rebuilt text
        revision = services.get_revision(document, number)
        rendered = render(texts[number], clause_keys=revision.clause_keys.split())
        assert revision.html == rendered.html and 'id="c-' in rendered.html
        assert revision.headings == [{"level": h.level, "text": h.text, "anchor": h.anchor}
                                     for h in rendered.headings]
    assert "\r" not in texts[REVISIONS]  # saves normalise line ends: what is stored is what was checked


def test_snapshots_land_where_the_rule_says(app, history):
    document_id, texts, rewrites = history
    rows = db.session.execute(select(Revision.number, Revision.snapshot, Revision.delta)
                              .where(Revision.document_id == document_id).order_by(Revision.number)).all()
    assert all((row.snapshot is None) != (row.delta is None) for row in rows)
    snapshots = {row.number for row in rows if row.snapshot is not None}
    assert snapshots == {1, 51, 101} | rewrites
    assert rewrites and all(n % SNAPSHOT_EVERY != 1 for n in rewrites)  # the size rule made them, not the number
    assert {row.number: row.snapshot for row in rows if row.snapshot is not None} == {n: texts[n] for n in snapshots}


def test_a_small_edit_is_stored_as_a_small_delta(member, make_document):
    document = make_document(member, body="# Plan\n\n" + "Fair votes for all. " * 500 + "\n")
    current = services.get_revision(document, 1)
    services.save_revision(member, document, body=current.body.replace("Fair", "Free", 1), base_number=1)
    stored = db.session.execute(select(Revision.snapshot, Revision.delta)
                                .where(Revision.document_id == document.id, Revision.number == 2)).one()
    assert stored.snapshot is None and len(stored.delta) < 40


@pytest.fixture
def statements(app):
    """The SQL statements sent on the app's engine while the test runs."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(" ".join(statement.split()))
    event.listen(db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(db.engine, "before_cursor_execute", record)


def test_the_current_revisions_text_comes_from_the_head_without_touching_revision_storage(
        app, member, make_document, statements):
    document = make_document(member, revisions=60)
    slug, expected = document.slug, services.get_revision(document, 60).body
    fresh_session()
    document = services.get_document(slug)
    current = services.get_revision(document, document.current_number)
    from_api = document.current_revision
    statements.clear()
    assert current.body == expected and from_api.body == expected
    assert '<h1 id="s-fair-votes"' in current.html and current.headings[0]["anchor"] == "s-fair-votes"
    assert statements == []

    old = services.get_revision(document, 59)
    statements.clear()
    assert old.body == expected.removesuffix("\nAddition 60.\n")
    assert len(statements) == 1 and "FROM revisions" in statements[0]  # one SELECT of the chain
    statements.clear()
    assert "Addition 59" in old.html and old.body
    db.session.remove()
    document = services.get_document(slug)
    statements.clear()
    assert services.get_revision(document, 59).body == old.body  # rebuilt once per process
    assert not any("snapshot" in statement for statement in statements)


def test_a_revision_of_a_document_not_loaded_reads_the_head_in_one_small_query(app, member, make_document,
                                                                               statements):
    document = make_document(member, revisions=3)
    document_id, expected = document.id, services.get_revision(document, 3).body
    fresh_session()
    current = db.session.scalar(select(Revision).where(Revision.document_id == document_id, Revision.number == 3))
    statements.clear()
    assert current.body == expected
    assert len(statements) == 1 and "FROM documents" in statements[0] and "snapshot" not in statements[0]


def test_a_listed_documents_head_is_trusted_only_for_the_revision_it_belongs_to(app, member, make_document):
    """A document listed without its head, whose head a later query fills in while its current_number
    stays as first read (a save landed in between, under READ COMMITTED): the head must not be taken for
    the older revision."""
    document = make_document(member, revisions=3)
    slug, texts = document.slug, {n: services.get_revision(document, n).body for n in (2, 3)}
    fresh_session()
    listed, _ = services.list_documents()
    set_committed_value(listed[0], "current_number", 2)  # as read before revision 3 was saved
    reloaded = services.get_document(slug)  # fills in the head, of revision 3
    assert reloaded is listed[0] and reloaded.current_number == 2 and reloaded.head_number == 3
    assert services.get_revision(reloaded, 2).body == texts[2]
    revision_3 = db.session.scalar(select(Revision).where(Revision.document_id == reloaded.id, Revision.number == 3))
    assert revision_3.body == texts[3]


def test_saves_reverts_and_accepted_amendments_never_update_revision_rows(app, member, make_user, make_party,
                                                                          make_document, statements):
    lead = make_user(party=make_party(), role="lead")
    document = make_document(member, revisions=2)
    statements.clear()
    for n in range(3):
        current = services.get_revision(document, document.current_number)
        services.save_revision(member, document, body=current.body + f"\nMore {n}.\n", base_number=current.number)
    services.revert_document(member, document, to_number=2, base_number=document.current_number)
    current = services.get_revision(document, document.current_number)
    amendment = amendments.propose_amendment(member, document, title="More", rationale="Because.",
                                             body=current.body + "\nAmended.\n", base_number=current.number)
    amendments.accept_amendment(lead, amendment)
    assert document.current_number == 7
    assert any(s.startswith("INSERT INTO revisions") for s in statements)
    assert not [s for s in statements if s.upper().startswith(("UPDATE REVISIONS", "DELETE FROM REVISIONS"))]


def test_texts_read_inside_a_rolled_back_save_are_not_remembered(app, member, make_document):
    """A rolled-back save's revision numbers are taken again by the next save: nothing read inside the
    rolled-back transaction may be served for them afterwards."""
    document = make_document(member)
    slug = document.slug

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with write_transaction(db.session):
            for text in ("Rolled back one.", "Rolled back two."):
                services.save_revision(member, document, body=text, base_number=document.current_number)
            db.session.expunge_all()
            revision_2 = db.session.scalar(select(Revision).where(Revision.number == 2))
            assert revision_2.body == "Rolled back one."  # rebuilt from the uncommitted chain
            raise Undo
    document = services.get_document(slug)
    for text in ("Kept one.", "Kept two."):
        services.save_revision(member, document, body=text, base_number=document.current_number)
    db.session.remove()
    assert services.get_revision(services.get_document(slug), 2).body == "Kept one."


def test_a_damaged_chain_is_an_error_not_another_text(app, member, make_document):
    document = make_document(member, revisions=3)
    slug = document.slug
    db.session.execute(Revision.__table__.update()
                       .where(Revision.document_id == document.id, Revision.number == 2).values(delta="=1"))
    db.session.commit()
    fresh_session()
    with pytest.raises(storage.StorageError):
        _ = services.get_revision(services.get_document(slug), 2).body


def test_a_thousand_small_edits_of_a_30_kb_text_take_under_5_percent_of_the_full_texts():
    """The storage rule saves use, applied to 1,000 small edits (a word changed, a sentence added or
    removed) of a 30 KB Markdown text: stored bytes against the bytes of every full text."""
    rng = random.Random(30)
    pieces = [paragraph(rng, 40) for _ in range(110)]
    body = "\n\n".join(pieces)
    assert 29_000 < len(body.encode()) < 40_000
    stored_bytes = full_bytes = 0
    chain = []
    for number in range(1, 1001):
        if number > 1:
            index = rng.randrange(len(pieces))
            words = pieces[index].split(" ")
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            pieces[index] = " ".join(words)
            if number % 10 == 0:
                pieces.insert(rng.randrange(len(pieces)), paragraph(rng, 8))
            previous, body = body, "\n\n".join(pieces)
        else:
            previous = ""
        form = stored_form(number, body, diff_words(previous, body))
        stored_bytes += len((form.snapshot or form.delta).encode())
        full_bytes += len(body.encode())
        chain.append(form)
    assert stored_bytes <= 0.05 * full_bytes, (stored_bytes, full_bytes)
    rebuilt = ""
    for form in chain:
        rebuilt = form.snapshot if form.snapshot is not None else apply(rebuilt, form.delta)
    assert rebuilt == body


def test_the_migration_converts_full_texts_to_chains_and_back(app):
    """Revisions stored whole (the schema before delta storage) become snapshots and deltas by the same rule
    as saves, the document gets its head, and a downgrade restores every full text and its HTML."""
    from datetime import datetime

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    try:
        upgrade(revision="0007")
        downgrade(revision="-1")
        rng = random.Random(5)
        pieces = [paragraph(rng) for _ in range(15)]
        bodies = {}
        for number in range(1, 61):
            if number == 30:
                pieces = [paragraph(rng, 20) for _ in range(15)]  # a rewrite: stored whole by the size rule
            elif number > 1:
                pieces[rng.randrange(len(pieces))] = paragraph(rng)
            bodies[number] = "## Heading ✓\n\n" + "\n\n".join(pieces) + "\n"
        now = datetime(2026, 1, 1)
        old_revisions = sa.table("revisions", *(sa.column(name) for name in (
            "document_id", "number", "title", "body", "html", "author_id", "created_at", "summary", "source",
            "added_words", "removed_words")), sa.column("headings", sa.JSON))
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (id, email, name, password_hash, is_admin, created_at, session_version) "
                "VALUES (1, 'a@example.org', 'A', 'x', false, :now, 1)"), {"now": now})
            connection.execute(sa.text(
                "INSERT INTO documents (id, slug, title, policy_area, status, current_number, created_by_id, "
                "created_at, updated_at) VALUES (1, 'agenda', 'Agenda', 'Reform', 'draft', 60, 1, :now, :now)"),
                {"now": now})
            connection.execute(old_revisions.insert(), [
                {"document_id": 1, "number": n, "title": "Agenda", "body": body, "html": render(body).html,
                 "headings": [{"level": 2, "text": "Heading ✓", "anchor": "s-heading"}], "author_id": 1,
                 "created_at": now, "summary": "", "source": "edit", "added_words": 0, "removed_words": 0}
                for n, body in bodies.items()])

        upgrade()  # 0008 then gives every revision its clause keys, matched as saves do; the models need head
        db.session.remove()
        document = services.get_document("agenda")
        keys = {n: services.get_revision(document, n).clause_keys.split() for n in bodies}
        assert all(len(keys[n]) == len(split_blocks(body)) and keys[n][0] == "1" for n, body in bodies.items())
        assert len(set(keys[59]) & set(keys[60])) >= len(keys[60]) - 1  # one paragraph replaced per revision
        assert document.body == bodies[60] and document.html == render(bodies[60], clause_keys=keys[60]).html
        assert document.headings[0]["text"] == "Heading ✓"
        assert {n: services.get_revision(document, n).body for n in bodies} == bodies
        snapshots = set(db.session.scalars(select(Revision.number).where(Revision.snapshot.is_not(None))))
        assert snapshots == {1, 30, 51}
        db.session.remove()

        downgrade(revision="0006")
        with db.engine.connect() as connection:
            restored = connection.execute(sa.select(old_revisions.c.number, old_revisions.c.body,
                                                    old_revisions.c.html, old_revisions.c.headings)).all()
        assert {row.number: row.body for row in restored} == bodies
        assert all(row.html == render(bodies[row.number]).html for row in restored)
        assert all(row.headings == storage.heading_dicts(render(bodies[row.number])) for row in restored)
        assert restored[0].headings[0]["text"] == "Heading ✓"
    finally:
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
