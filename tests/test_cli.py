"""The command line of API.md: each command works, and fails with one line and a non-zero exit."""
from __future__ import annotations

from sqlalchemy import func, select

from policyhub.accounts.models import User
from policyhub.accounts.services import user_for_token
from policyhub.documents.models import Document, Revision
from policyhub.extensions import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_parties_create_and_its_errors(app):
    ok = run(app, "parties", "create", "plaid", "--name", "Plaid Cymru", "--colour", "#005B54")
    assert ok.exit_code == 0 and "Plaid Cymru" in ok.output
    again = run(app, "parties", "create", "plaid", "--name", "Plaid", "--colour", "#005B54")
    bad = run(app, "parties", "create", "snp", "--name", "SNP", "--colour", "yellow")
    for result in (again, bad):
        assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1


def test_users_create_with_party_and_role(app):
    run(app, "parties", "create", "green", "--name", "Green Party", "--colour", "#02A95B")
    result = run(app, "users", "create", "carys@example.org", "--name", "Carys", "--password",
                 "a long enough password", "--party", "green", "--role", "lead")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "carys@example.org"))
    assert user.is_lead and user.party.slug == "green"


def test_users_create_refuses_unknown_party_and_duplicate_email_without_side_effects(app):
    unknown = run(app, "users", "create", "x@example.org", "--name", "X", "--password", "a long enough password",
                  "--party", "nope")
    assert unknown.exit_code != 0 and "nope" in unknown.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    run(app, "users", "create", "x@example.org", "--name", "X", "--password", "a long enough password")
    duplicate = run(app, "users", "create", "x@example.org", "--name", "X", "--password", "a long enough password")
    assert duplicate.exit_code != 0 and "already registered" in duplicate.output


def test_users_token_prints_the_token_alone_once(app):
    run(app, "users", "create", "t@example.org", "--name", "T", "--password", "a long enough password")
    result = run(app, "users", "token", "t@example.org", "--label", "ci")
    token = result.output.strip()
    assert result.exit_code == 0 and len(result.output.splitlines()) == 1
    assert user_for_token(token).email == "t@example.org"
    assert run(app, "users", "token", "nobody@example.org").exit_code != 0


def test_demo_loads_once_with_histories_by_several_parties(app):
    first = run(app, "demo")
    assert first.exit_code == 0 and "rachel@labour.example" in first.output
    documents = db.session.scalars(select(Document)).all()
    assert len(documents) >= 4
    for document in documents:
        authors = db.session.scalars(select(Revision).where(Revision.document_id == document.id)).all()
        assert len(authors) >= 5
        assert len({revision.author.party.slug for revision in authors}) >= 3
    second = run(app, "demo")
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert db.session.scalar(select(func.count()).select_from(Document)) == len(documents)
