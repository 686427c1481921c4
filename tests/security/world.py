"""For the security tests: the routes (read from the app's url_map, so that a route added anywhere shows up
here), a seeded world with a sample value for every URL argument, and a snapshot of the whole database."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from policyhub.extensions import db

from ..mailbox import mailed_links, read_outbox

PASSWORD = "correct horse battery staple"  # tests/conftest.py's
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_BLUEPRINT = "api"


def state_changing_rules(app: Flask) -> list[Rule]:
    """Every rule that accepts POST, PUT, PATCH or DELETE."""
    return sorted((rule for rule in app.url_map.iter_rules() if rule.methods & WRITE_METHODS),
                  key=lambda rule: (rule.endpoint, rule.rule))


def get_rules(app: Flask) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())),
                  key=lambda rule: (rule.endpoint, rule.rule))


def is_api(rule: Rule) -> bool:
    return rule.endpoint.split(".")[0] == API_BLUEPRINT


@dataclass
class Seeded:
    """The people and things of the seeded world, with a value for every URL argument."""

    admin: Any
    lead: Any  # of labour; writes the document and the amendment, so every action is theirs to try
    member: Any
    applicant: Any  # waiting to join labour
    document: Any
    amendment: Any
    token_id: int
    notification_id: int
    confirm_token: str  # for an unconfirmed registration, from the mail sent
    reset_token: str  # for the member, from the mail sent
    unsubscribe_token: str = ""  # a real one-click unsubscribe link's, for the member (all mail)

    def value(self, rule: Rule, argument: str) -> Any:
        party_page = rule.rule.startswith(("/parties/", "/admin/parties/"))
        values = {
            "slug": "labour" if party_page else self.document.slug,
            "number": self.amendment.number if "/amendments/" in rule.rule else 1,
            "n": self.amendment.number,
            "version": 1,
            "party_slug": "labour",
            "party": "labour",
            "user_id": self.member.id,
            "token_id": self.token_id,
            "notification_id": self.notification_id,
            "membership_id": self.applicant.membership.id,
            "filename": "css/app.css",
            "clause": "1",  # a clause id, in the API's red-line paths
            "endorsement_id": 1, "id": 1,  # the seeded endorsement, the first one made
            "key": "1",  # a clause key: the document's first clause
            "token": (self.confirm_token if rule.rule.startswith("/register/")
                      else self.unsubscribe_token if rule.rule.startswith("/unsubscribe/") else self.reset_token),
        }
        if argument not in values:
            raise AssertionError(f"no sample value for <{argument}> in {rule.rule}: add one to Seeded.value")
        return values[argument]

    def url(self, app: Flask, rule: Rule, method: str) -> str:
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, {name: self.value(rule, name) for name in rule.arguments},
                             method=method)


def _mailed_token(app: Flask, marker: str) -> str:
    """The token in the newest mailed link whose path contains ``marker`` (mail goes to the outbox in tests)."""
    for message in reversed(read_outbox(Path(app.instance_path) / "outbox")):
        for link in mailed_links(message):
            if marker in link:
                return urlsplit(link).path.split(marker, 1)[1].strip("/")
    raise AssertionError(f"no mail with a {marker} link")


def database_snapshot() -> dict[str, str]:
    """Every table's full contents, as a digest per table: a change to any row of any table shows."""
    db.session.rollback()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        order = [column for column in table.primary_key.columns] or list(table.columns)
        rows = db.session.execute(select(table).order_by(*order)).all()
        snapshot[table.name] = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
    return snapshot


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def seed(app: Flask, make_user: Any, labour: Any, green: Any, make_document: Any, edit_document: Any) -> Seeded:
    """The seeded world: two parties, an admin, a lead and a member of labour, a request waiting, a document
    with an amendment, an endorsement, a token, a notification, and mailed confirmation and reset links."""
    from policyhub.accounts import services as accounts
    from policyhub.amendments import services as amendments
    from policyhub.endorsements import services as endorsements
    from policyhub.notifications import services as notifications
    from policyhub.notifications.models import Notification
    from policyhub.search.services import apply_pending_jobs

    admin = make_user("Ada Admin", admin=True)
    lead = make_user("Rachel Lead", party=labour, role="lead")
    member = make_user("Tom Member", party=labour)
    make_user("Carys Lead", party=green, role="lead")
    applicant = make_user("Dan Applicant", party=labour, pending=True)
    document = make_document(lead, title="Fair votes", slug="fair-votes", revisions=2)
    amendment = amendments.propose_amendment(
        lead, document, title="Say proportional", rationale="Precision.",
        body=document.current_revision.body + "\nA proportional paragraph.\n", base_number=2)
    endorsements.endorse(lead, document)
    token, _raw = accounts.create_token(None, member, "sample")
    notifications.watch(member, document)
    edit_document(lead, document, "A third paragraph.")
    notification_id = db.session.scalar(select(Notification.id).where(Notification.user_id == member.id))
    accounts.start_registration("new@example.org", "New Person", "a long enough password for this")
    confirm_token = _mailed_token(app, "/register/confirm/")
    accounts.request_password_reset(member.email)
    reset_token = _mailed_token(app, "/password/reset/")
    apply_pending_jobs()  # the index is up to date: a request has no reason to touch it
    from policyhub.mailing.unsubscribe import make_token
    return Seeded(admin, lead, member, applicant, document, amendment, token.id, notification_id,
                  confirm_token, reset_token, make_token(member.id, None))
