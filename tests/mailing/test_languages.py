"""Mail is written in its recipient's language (User.locale), whoever's request caused it: rendered, subject
included, under flask_babel.force_locale (policyhub.mail.in_language_of)."""
from __future__ import annotations

import pytest

from policyhub.accounts import services as accounts
from policyhub.db import write_transaction
from policyhub.extensions import db
from policyhub.mailing.digests import queue_digests
from policyhub.notifications.services import notify

from .conftest import with_smtp


@pytest.fixture
def app_config(app_config, smtp_port):
    return with_smtp(app_config, smtp_port)


@pytest.fixture
def readers(labour, make_user, make_document, edit_document, watching, prefer):
    """A Welsh and an English reader of one document that got three revisions (in the daily digest, by
    default); the Welsh reader gets amendments at once, the English one in the digest."""
    author = make_user("Tom Hughes", party=labour)
    gwen, ann = make_user("Gwen Reader", email="gwen@example.org"), make_user("Ann Reader", email="ann@example.org")
    accounts.set_locale(gwen, gwen, "cy")
    document = make_document(author, title="Fair votes for all")
    for reader in (gwen, ann):
        watching(reader, document)
    prefer(gwen, amendment="immediately")
    prefer(ann, amendment="daily")
    for _ in range(3):
        edit_document(author, document)
    return {"cy": gwen, "en": ann, "author": author, "document": document}


def _lang(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_each_mail_is_rendered_in_its_recipients_language_not_the_requests(app, readers, queued):
    # The digests are queued during a Welsh reader's request: the English reader's mail stays English.
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        assert queue_digests("daily") == 2
    rows = {row.to_address: row for row in queued()}
    english, welsh = rows["ann@example.org"], rows["gwen@example.org"]
    assert _lang(english.html) == "en" and _lang(welsh.html) == "cy"
    assert english.subject == "PolicyHub daily digest: 3 updates on 1 document"
    assert "This is your daily digest of documents you watch on PolicyHub." in english.text


def test_an_immediate_mail_is_rendered_in_its_recipients_language(app, readers, queued):
    document = readers["document"]
    with write_transaction(db.session):
        notify(document, actor=readers["author"], kind="amendment", message="Proposed amendment 1",
               url=f"/documents/{document.slug}")
    [row] = queued()
    assert row.to_address == "gwen@example.org" and _lang(row.html) == "cy"


def test_mail_is_written_in_the_recipients_language(app, readers, queued):
    """Needs the Welsh catalogue (policyhub/translations/cy) to hold the mailing strings of
    /tmp/cy/accounts.json: until it is built from them, this fails on the English subject."""
    queue_digests("daily")
    welsh = next(row for row in queued() if row.to_address == "gwen@example.org")
    assert welsh.subject == "Crynodeb dyddiol PolicyHub: 3 diweddariad ar 1 ddogfen"
    assert "Dyma eich crynodeb dyddiol o'r dogfennau rydych chi'n eu gwylio ar PolicyHub." in welsh.text
    assert "Atal pob e-bost gan PolicyHub" in welsh.html
