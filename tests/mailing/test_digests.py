"""Daily and weekly digests (policyhub.mailing.digests, ``flask mail digests``): grouped by document, one per
person per period, only of the kinds at that cadence, since the last digest; queued, then sent by `mail send`."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from policyhub.db import clock_at, utcnow, write_transaction
from policyhub.extensions import db
from policyhub.mailing.digests import period_start, queue_digests
from policyhub.notifications.services import notify

from .conftest import with_smtp


@pytest.fixture
def app_config(app_config, smtp_port):
    return with_smtp(app_config, smtp_port)


def digests(app, *args: str):
    return app.test_cli_runner().invoke(args=["mail", "digests", *args])


def test_period_starts_at_midnight_utc_and_weeks_on_monday():
    thursday = datetime(2026, 11, 26, 15, 30, tzinfo=timezone.utc)
    assert period_start("daily", thursday) == datetime(2026, 11, 26, tzinfo=timezone.utc)
    assert period_start("weekly", thursday) == datetime(2026, 11, 23, tzinfo=timezone.utc)


def test_a_daily_digest_groups_notifications_by_document_and_running_twice_queues_one(
        app, labour, make_user, make_document, edit_document, watching, queued):
    author = make_user("Tom Hughes", party=labour)
    ann = make_user("Ann Reader", email="ann@example.org")
    votes = make_document(author, title="Fair votes for all")
    homes = make_document(author, title="Homes & <gardens>")
    for document in (votes, homes):
        watching(ann, document)
    for _ in range(3):
        edit_document(author, votes)
    for _ in range(2):
        edit_document(author, homes)
    assert queued() == []  # revisions are daily by default: nothing at once
    result = digests(app, "--period", "daily")
    assert result.exit_code == 0 and result.output == "queued 1 daily digest\n"
    [row] = queued()
    assert row.to_address == "ann@example.org"
    assert row.subject == "PolicyHub daily digest: 5 updates on 2 documents"
    assert row.dedupe_key == f"digest:{ann.id}:daily:{utcnow().date().isoformat()}"
    assert row.text.index("Fair votes for all") < row.text.index("Homes & <gardens>")
    assert row.text.count("saved revision") == 5
    assert f"https://agenda.example/hub/documents/{votes.slug}" in row.text
    assert "Homes &amp; &lt;gardens&gt;" in row.html and "<gardens>" not in row.html
    assert "style" not in row.html
    assert set(row.headers) == {"List-Unsubscribe", "List-Unsubscribe-Post"}
    assert "/unsubscribe/" in row.text and "/unsubscribe/" in row.html
    again = digests(app, "--period", "daily")
    assert again.exit_code == 0 and again.output == "queued 0 daily digests\n"
    assert len(queued()) == 1
    assert digests(app, "--period", "weekly").output == "queued 0 weekly digests\n"  # nobody chose weekly


def test_the_next_digest_covers_only_what_came_after_the_last(app, labour, make_user, make_document, edit_document,
                                                              watching, queued):
    author, ann = make_user(party=labour), make_user()
    document = make_document(author)
    watching(ann, document)
    edit_document(author, document)
    assert queue_digests("daily") == 1
    tomorrow = utcnow() + timedelta(days=1)
    assert queue_digests("daily", tomorrow) == 0  # nothing new
    with clock_at(tomorrow - timedelta(hours=1)):
        edit_document(author, document)
    assert queue_digests("daily", tomorrow) == 1
    first, second = queued()
    assert "1 update on 1 document" in second.subject
    assert "revision 3" in second.text and "revision 2" not in second.text


def test_weekly_kinds_go_to_the_weekly_digest_and_immediate_kinds_to_neither(
        app, labour, make_user, make_document, edit_document, watching, prefer, queued):
    author, ann = make_user(party=labour), make_user()
    document = make_document(author)
    watching(ann, document)
    prefer(ann, revision="weekly", comment="never")
    edit_document(author, document)
    with write_transaction(db.session):
        notify(document, actor=author, kind="comment", message="A comment", url="/documents/x")
        notify(document, actor=author, kind="amendment", message="Amendment 1", url="/documents/x")
    assert [row.dedupe_key.split(":")[0] for row in queued()] == ["notification"]  # the amendment, at once
    result = digests(app)  # both periods
    assert result.exit_code == 0 and result.output == "queued 0 daily digests\nqueued 1 weekly digest\n"
    weekly = queued()[-1]
    assert weekly.subject == "PolicyHub weekly digest: 1 update on 1 document"
    assert "A comment" not in weekly.text and "Amendment 1" not in weekly.text


def test_digests_are_sent_by_mail_send(app, labour, make_user, make_document, edit_document, watching,
                                       smtp_server):
    author, ann = make_user(party=labour), make_user(email="ann@example.org")
    document = make_document(author)
    watching(ann, document)
    edit_document(author, document)
    assert digests(app, "--now", (utcnow() + timedelta(hours=1)).isoformat()).exit_code == 0
    assert app.test_cli_runner().invoke(args=["mail", "send"]).output == "sent 1, failed 0, retrying 0\n"
    [message] = smtp_server.messages
    assert message["Subject"] == "PolicyHub daily digest: 1 update on 1 document"
    assert message.get_content_type() == "multipart/alternative"


def test_bad_arguments_exit_with_usage_errors(app):
    assert digests(app, "--period", "hourly").exit_code == 2
    result = digests(app, "--now", "yesterday")
    assert result.exit_code == 2 and "not an ISO date" in result.output
