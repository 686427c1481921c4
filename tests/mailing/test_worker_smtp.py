"""The sending worker (``flask mail send``, policyhub.mailing.sending) against a real SMTP server on loopback:
what arrives, retries while the server is down without losing or doubling a mail, giving up after the last
attempt, and the outbox when no SMTP_URL is set."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from policyhub.db import clock_at, utcnow, write_transaction
from policyhub.extensions import db
from policyhub.mailing import sending
from policyhub.mailing.models import OutgoingMail
from policyhub.notifications.services import notify

from .conftest import with_smtp


@pytest.fixture
def app_config(app_config, smtp_port):
    return with_smtp(app_config, smtp_port)


@pytest.fixture
def amendment_mail(labour, make_user, make_document, watching):
    """A queued mail to Ann about an amendment on a document she watches; returns (ann, document)."""
    author = make_user("Tom Hughes", party=labour)
    ann = make_user("Ann Reader", email="ann@example.org")
    document = make_document(author, title="Fair votes for all")
    watching(ann, document)
    with write_transaction(db.session):
        notify(document, actor=author, kind="amendment", message="Tom Hughes proposed amendment 1 to 'Fair votes for all'",
               url=f"/documents/{document.slug}/amendments/1")
    return ann, document


def send(app, *args: str):
    return app.test_cli_runner().invoke(args=["mail", "send", *args])


def test_mail_send_delivers_a_queued_mail_with_both_parts_the_link_and_unsubscribe_headers(
        app, amendment_mail, smtp_server, queued):
    ann, document = amendment_mail
    result = send(app)
    assert result.exit_code == 0 and result.output == "sent 1, failed 0, retrying 0\n"
    [(sender, recipients, message)] = smtp_server.received
    assert sender == "hub@agenda.example" and recipients == ["ann@example.org"]
    assert message["Subject"] == "Tom Hughes proposed amendment 1 to 'Fair votes for all'"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    link = f"https://agenda.example/hub/documents/{document.slug}/amendments/1"
    assert link in plain.get_content() and f'href="{link}"' in html.get_content()
    assert message["List-Unsubscribe"].startswith("<https://agenda.example/hub/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = queued()
    assert row.sent_at is not None and row.attempts == 0
    assert send(app).output == "sent 0, failed 0, retrying 0\n"  # nothing is sent twice
    assert len(smtp_server.received) == 1


def test_a_server_that_is_down_loses_nothing_and_the_retry_sends_exactly_once(app, amendment_mail, start_smtp,
                                                                               queued):
    result = send(app)
    assert result.exit_code == 0 and result.output == "sent 0, failed 0, retrying 1\n"
    [row] = queued()
    assert row.attempts == 1 and row.sent_at is None and row.failed_at is None and row.last_error
    assert row.next_attempt_at - utcnow() > timedelta(seconds=50)  # waits a minute
    server = start_smtp()
    assert send(app).output == "sent 0, failed 0, retrying 0\n"  # not due yet
    with clock_at(utcnow() + timedelta(minutes=2)):
        assert send(app).output == "sent 1, failed 0, retrying 0\n"
        assert send(app).output == "sent 0, failed 0, retrying 0\n"
    assert len(server.received) == 1
    [row] = queued()
    assert row.sent_at is not None and row.attempts == 1


def test_every_attempt_at_one_mail_carries_the_same_message_id(app, amendment_mail):
    [row] = db.session.scalars(select(OutgoingMail))
    assert sending.message_id(row.id, row.dedupe_key) == sending.message_id(row.id, row.dedupe_key)
    assert sending.message_id(row.id, row.dedupe_key).endswith("@agenda.example>")
    assert sending.message_id(row.id, row.dedupe_key) != sending.message_id(row.id + 1, row.dedupe_key)


def test_the_sixth_failure_gives_up(app, amendment_mail, queued):
    moment = utcnow()
    outputs = []
    for _ in range(sending.MAX_ATTEMPTS):
        with clock_at(moment):
            outputs.append(send(app).output)
        moment += timedelta(hours=13)  # past the longest wait
    assert outputs == ["sent 0, failed 0, retrying 1\n"] * 5 + ["sent 0, failed 1, retrying 0\n"]
    [row] = queued()
    assert row.attempts == 6 and row.failed_at is not None and row.sent_at is None
    with clock_at(moment + timedelta(days=2)):
        assert send(app).output == "sent 0, failed 0, retrying 0\n"


def test_backoff_waits_grow(app, amendment_mail, queued):
    waits = []
    moment = utcnow()
    for _ in range(5):
        with clock_at(moment):
            send(app)
        row = queued()[0]
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
    assert waits == list(sending.BACKOFF)


def test_limit_sends_the_oldest_first(app, labour, make_user, make_document, watching, smtp_server):
    author = make_user(party=labour)
    document = make_document(author)
    readers = [make_user() for _ in range(3)]
    for reader in readers:
        watching(reader, document)
    for n in (1, 2):
        with clock_at(utcnow() - timedelta(minutes=10 - n)):
            with write_transaction(db.session):
                notify(document, actor=author, kind="decision", message=f"Decision {n}", url="/documents/x",
                       only=[readers[0].id])
    result = send(app, "--limit", "1")
    assert result.output == "sent 1, failed 0, retrying 0\n"
    assert [m["Subject"] for m in smtp_server.messages] == [f"{document.title}: Decision 1"]
    assert send(app, "--limit", "5").output == "sent 1, failed 0, retrying 0\n"
    assert send(app, "--limit", "0").exit_code == 2


def test_loop_keeps_sending_until_interrupted(app, amendment_mail, smtp_server, monkeypatch):
    import time as time_module

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(time_module, "sleep", interrupt)
    result = send(app, "--loop", "--interval", "5")
    assert result.exit_code == 0 and result.output == "sent 1, failed 0, retrying 0\nstopped\n"
    assert len(smtp_server.received) == 1


@pytest.mark.postgres
def test_a_row_another_worker_holds_is_skipped_not_waited_for(app, labour, make_user, make_document, watching,
                                                               smtp_server):
    """PostgreSQL: FOR UPDATE SKIP LOCKED; another worker's locked row is left to it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SKIP LOCKED is what lets two workers share the queue")
    author, reader = make_user(party=labour), make_user()
    document = make_document(author)
    watching(reader, document)
    for n in (1, 2):
        with clock_at(utcnow() - timedelta(minutes=10 - n)):
            with write_transaction(db.session):
                notify(document, actor=author, kind="decision", message=f"Decision {n}", url="/documents/x")
    first = db.session.scalars(select(OutgoingMail.id).order_by(OutgoingMail.next_attempt_at)).first()
    db.session.rollback()
    with db.engine.connect() as other:
        other.execute(text("SELECT id FROM outgoing_mail WHERE id = :id FOR UPDATE"), {"id": first})
        assert str(sending.send_due(limit=1)) == "sent 1, failed 0, retrying 0"
        assert [m["Subject"] for m in smtp_server.messages] == [f"{document.title}: Decision 2"]
        other.rollback()
    assert str(sending.send_due()) == "sent 1, failed 0, retrying 0"
    assert len(smtp_server.received) == 2


def test_without_smtp_url_the_worker_writes_eml_files_with_both_parts(make_app, amendment_mail, tmp_path):
    from email import message_from_bytes, policy
    local = make_app(SMTP_URL=None)
    with local.app_context():
        result = local.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and result.output == "sent 1, failed 0, retrying 0\n"
    [path] = (tmp_path / "instance" / "outbox").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "ann@example.org" and message.get_content_type() == "multipart/alternative"
    assert "/amendments/1" in message.get_body(("plain",)).get_content()
    assert "<a href=" in message.get_body(("html",)).get_content()
