"""Queueing mail for notifications (policyhub.mailing.queue): in the event's own transaction, only for those
who want the kind at once, only to confirmed, active accounts, rendered with links and unsubscribe links."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from policyhub.db import utcnow, write_transaction
from policyhub.extensions import db
from policyhub.mailing.models import OutgoingMail
from policyhub.notifications.models import Notification
from policyhub.notifications.services import notify

from .conftest import with_smtp


@pytest.fixture
def app_config(app_config, smtp_port):
    return with_smtp(app_config, smtp_port)


def test_a_save_on_a_watched_document_queues_a_mail_in_its_transaction(labour, make_user, make_document, edit_document,
                                                                        watching, prefer, queued):
    author, reader = make_user("Tom Hughes", party=labour), make_user("Ann Reader", email="ann@example.org")
    document = make_document(author, title="Fair votes for all")
    watching(reader, document)
    prefer(reader, revision="immediately")
    edit_document(author, document, "A new paragraph.")
    [row] = queued()
    [notification] = db.session.scalars(select(Notification).where(Notification.user_id == reader.id))
    assert row.dedupe_key == f"notification:{notification.id}"
    assert row.user_id == reader.id and row.to_address == "ann@example.org"
    assert "Fair votes for all" in row.subject and "Tom Hughes" in row.subject
    assert row.sent_at is None and row.failed_at is None and row.attempts == 0 and row.next_attempt_at <= utcnow()
    link = f"https://agenda.example/hub/documents/{document.slug}/diff?from=1&to=2"
    assert link in row.text and link.replace("&", "&amp;") in row.html
    assert set(row.headers) == {"List-Unsubscribe", "List-Unsubscribe-Post"}
    assert row.headers["List-Unsubscribe"].startswith("<https://agenda.example/hub/")


def test_a_rolled_back_event_queues_nothing(labour, make_user, make_document, watching, queued):
    author, reader = make_user(party=labour), make_user()
    document = make_document(author)
    watching(reader, document)
    with pytest.raises(RuntimeError):
        with write_transaction(db.session):
            assert notify(document, actor=author, kind="amendment", message="Proposed amendment 1",
                          url=f"/documents/{document.slug}") == 1
            assert db.session.scalar(select(func.count(OutgoingMail.id))) == 1  # queued, inside
            raise RuntimeError("the event fails after notifying")
    assert queued() == []
    assert db.session.scalar(select(func.count(Notification.id))) == 0


@pytest.mark.parametrize("cadence", ["never", "daily", "weekly"])
def test_other_cadences_queue_no_immediate_mail(labour, make_user, make_document, watching, prefer, queued, cadence):
    author, reader = make_user(party=labour), make_user()
    document = make_document(author)
    watching(reader, document)
    prefer(reader, amendment=cadence)
    with write_transaction(db.session):
        notify(document, actor=author, kind="amendment", message="Proposed amendment 1", url="/documents/x")
    assert queued() == []
    assert db.session.scalar(select(func.count(Notification.id))) == 1  # still told in the app


def test_in_app_only_kinds_and_the_default_daily_revisions_are_not_mailed_at_once(labour, make_user, make_document,
                                                                                   edit_document, watching, queued):
    author, reader = make_user(party=labour), make_user()
    document = make_document(author)
    watching(reader, document)
    edit_document(author, document)  # revisions default to the daily digest
    with write_transaction(db.session):
        notify(document, actor=author, kind="endorsement", message="Labour endorsed it", url="/documents/x")
        notify(document, actor=author, kind="conflict", message="Conflict", url="/documents/x")
    assert queued() == []


def test_unconfirmed_and_deactivated_accounts_get_no_mail(labour, make_user, make_document, watching, queued):
    from policyhub.accounts.models import User
    author, unconfirmed, gone, active = make_user(party=labour), make_user(), make_user(), make_user()
    document = make_document(author)
    for user in (unconfirmed, gone, active):
        watching(user, document)
    with write_transaction(db.session):
        db.session.get(User, unconfirmed.id).email_confirmed_at = None
        db.session.get(User, gone.id).deactivated_at = utcnow()
    with write_transaction(db.session):
        notify(document, actor=author, kind="decision", message="Amendment 1 was accepted", url="/documents/x")
    assert [row.user_id for row in queued()] == [active.id]


def test_queueing_takes_the_same_queries_for_few_and_many_recipients(labour, make_user, make_document,
                                                                    recorded_queries):
    author = make_user(party=labour)
    document = make_document(author)

    def notify_many(count: int) -> list[str]:
        ids = [make_user().id for _ in range(count)]
        db.session.rollback()
        with recorded_queries() as statements:
            _notify(document, author, ids)
        # The notifications' own inserts are notify's business (one statement on PostgreSQL).
        return [s.split("(")[0] for s in statements if not s.startswith("INSERT INTO notifications")]
    few, many = notify_many(2), notify_many(8)
    assert few == many and sum(s.startswith("INSERT INTO outgoing_mail") for s in few) == 1
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 10


def _notify(document, author, ids) -> None:
    with write_transaction(db.session):
        notify(document, actor=author, kind="amendment", message="Proposed amendment 2", url="/documents/x",
               only=ids)


def test_a_red_line_mail_shows_the_clause_diff_escaped(labour, make_user, make_document, watching, queued):
    author, reader = make_user(party=labour), make_user()
    document = make_document(author)
    watching(reader, document)
    diff = [["equal", "Votes at "], ["delete", "<b>18</b>"], ["insert", "16 & over"]]
    with write_transaction(db.session):
        notify(document, actor=author, kind="red_line", message="Red line changed", url="/documents/x", diff=diff)
    [row] = queued()
    assert "Votes at [-<b>18</b>-]{+16 & over+}" in row.text
    assert "Votes at <del>&lt;b&gt;18&lt;/b&gt;</del><ins>16 &amp; over</ins>" in row.html
    assert "<b>" not in row.html and "style" not in row.html
