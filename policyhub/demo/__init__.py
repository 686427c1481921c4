"""Demo content for a first run: parties, people, documents with real histories."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from policyhub.accounts.models import User
from policyhub.accounts.services import register_user, set_locale
from policyhub.db import clock_at, utcnow
from policyhub.demo.content import DEMO_PASSWORD, DOCUMENTS, PARTIES, USERS, DemoDocument, DemoRevision
from policyhub.documents import services as documents
from policyhub.documents.models import Document
from policyhub.extensions import db
from policyhub.i18n import LANGUAGES
from policyhub.parties import services as parties
from policyhub.parties.models import Party
from policyhub.permissions import SYSTEM


def database_is_empty() -> bool:
    return not any(db.session.scalar(select(func.count()).select_from(model)) for model in (User, Party, Document))


def load_demo() -> str | None:
    """Load everything through the services (so the audit log and rendering are real). Returns the
    sign-in table to print, or None when the database already has content."""
    if not database_is_empty():
        return None
    party_by_slug = {p.slug: parties.create_party(SYSTEM, p.slug, p.name, p.colour) for p in PARTIES}
    users: dict[str, User] = {}
    for person in USERS:
        user = register_user(person.email, person.name, DEMO_PASSWORD, is_admin=person.admin, confirmed=True)
        if person.locale:
            set_locale(user, user, person.locale)
        if person.party and person.pending:
            parties.request_membership(user, party_by_slug[person.party])
        elif person.party:
            parties.add_member(SYSTEM, user, party_by_slug[person.party], person.role)
        users[person.email] = user
    start = utcnow() - timedelta(days=45)
    for index, demo_document in enumerate(DOCUMENTS):
        _load_document(demo_document, users, start + timedelta(days=3 * index, hours=9))
    _load_collaboration(users, utcnow() - timedelta(days=16))
    _load_consensus(users, utcnow() - timedelta(days=2))
    _mail_digests()
    return _logins_table()


def _mail_digests() -> None:
    """Without a mail server, queue today's digests and send the queue to <instance>/outbox, so that the
    demo's mails (digests and the immediate ones) can be read there. With SMTP_URL nothing is sent here:
    `flask mail send` decides when real mail goes out."""
    from flask import current_app
    from sqlalchemy import func, select

    from policyhub.extensions import db
    from policyhub.mailing.digests import queue_digests
    from policyhub.mailing.sending import send_due
    from policyhub.notifications.models import Notification
    if current_app.config.get("SMTP_URL"):
        return
    # As the cron job would have run just after the story's last event (the story ends a day or so ago).
    end = db.session.scalar(select(func.max(Notification.created_at)))
    if end is not None:
        for period in ("daily", "weekly"):
            queue_digests(period, end + timedelta(minutes=1))
    send_due()


def _apply_edits(body: str, edits: tuple[tuple[str, str], ...]) -> str:
    for old, new in edits:
        body = body.replace(old, new, 1)
    return body


def _load_document(demo: DemoDocument, users: dict[str, User], start: datetime) -> None:
    first, *later = demo.revisions
    with clock_at(start):
        document = documents.create_document(users[first.author], title=demo.title, body=first.body,
                                             policy_area=demo.policy_area, summary=first.summary,
                                             slug=demo.slug)
    for number, step in enumerate(later, start=2):
        # Revisions a day or two apart, at working hours, so that the history reads like real drafting.
        with clock_at(start + timedelta(days=number * 1.5 + (number % 3) * 0.7, hours=number % 5)):
            _apply_step(step, document, users)
    if demo.status != "draft":
        lead = next(u for u in users.values() if u.is_lead)
        with clock_at(start + timedelta(days=len(demo.revisions) * 1.5 + 3)):
            documents.set_status(lead, document, demo.status)


def _apply_step(step: DemoRevision, document: Document, users: dict[str, User]) -> None:
    author = users[step.author]
    if step.source == "revert":
        assert step.revert_to is not None
        documents.revert_document(author, document, to_number=step.revert_to,
                                  base_number=document.current_number, summary=step.summary)
        return
    current = documents.get_revision(document, document.current_number)
    documents.save_revision(author, document, body=_apply_edits(current.body, step.edits),
                            base_number=current.number, title=step.title, summary=step.summary)


def _load_collaboration(users: dict[str, User], start: datetime) -> None:
    """Amendments in every state, then endorsements: current, stale, and one agreed document."""
    from policyhub.amendments import services as amendments
    from policyhub.demo.collaboration import AMENDMENTS, ENDORSEMENTS, DemoAmendment
    from policyhub.endorsements import services as endorsements

    def at(hours: float) -> Any:
        return clock_at(start + timedelta(hours=hours))

    def propose(step: DemoAmendment) -> Any:
        document = documents.get_document(step.document)
        base = step.base or document.current_number
        body = _apply_edits(documents.get_revision(document, base).body, step.edits)
        return amendments.propose_amendment(users[step.author], document, title=step.title,
                                            rationale=step.rationale, body=body, base_number=base)

    hours = 0.0
    for step in AMENDMENTS:
        hours += 17
        with at(hours):
            amendment = propose(step)
        for offset, email in enumerate(step.supporters, start=1):
            with at(hours + offset * 1.5):
                amendments.support(users[email], amendment)
        for offset, (email, text) in enumerate(step.comments, start=1):
            with at(hours + offset * 2.2):
                amendments.add_comment(users[email], amendment, text)
        with at(hours + 12):
            if step.outcome == "accepted":
                amendments.accept_amendment(users[step.decided_by], amendment, step.note)
            elif step.outcome == "rejected":
                amendments.reject_amendment(users[step.decided_by], amendment, step.note)
            elif step.outcome == "withdrawn":
                amendments.withdraw_amendment(users[step.author], amendment)
    for offset, endorsement in enumerate(ENDORSEMENTS, start=1):
        with at(hours + 14 + offset):
            endorsements.endorse(users[endorsement.lead], documents.get_document(endorsement.document),
                                 revision=endorsement.revision, statement=endorsement.statement)


def _load_consensus(users: dict[str, User], start: datetime) -> None:
    """Scoped endorsements, a decision rule, a red line and the edits that make them matter."""
    from policyhub.demo import consensus as demo
    from policyhub.documents.clauses import clauses_of
    from policyhub.endorsements import consensus, red_lines
    from policyhub.endorsements import services as endorsements

    def clause_key(document: Document, starts: str) -> str:
        """The key of the heading with this text, else of the one clause starting so."""
        current = clauses_of(documents.get_revision(document, document.current_number))
        found = ([clause.key for clause in current if clause.kind == "heading" and clause.text.lstrip("# ") == starts]
                 or [clause.key for clause in current if clause.text.startswith(starts)])
        assert len(found) == 1, f"demo: no single clause starting {starts!r} in {document.slug}"
        return found[0]

    for hours, step in enumerate(demo.STEPS, start=1):
        document = documents.get_document(step.document)
        with clock_at(start + timedelta(hours=3 * hours)):
            if isinstance(step, demo.ScopedEndorsement):
                keys = [(clause_key(document, text), stance, reason) for text, stance, reason in step.sections]
                endorsements.endorse(users[step.lead], document, statement=step.statement,
                                     sections={key: stance for key, stance, _ in keys},
                                     reasons={key: reason for key, _, reason in keys if reason})
            elif isinstance(step, demo.WholeEndorsement):
                endorsements.endorse(users[step.lead], document, statement=step.statement)
            elif isinstance(step, demo.RuleChange):
                consensus.set_rule(users[step.actor], document, step.kind, step.k)
            elif isinstance(step, demo.RedLineMark):
                red_lines.mark_red_line(users[step.lead], document, clause_key(document, step.clause_starts))
            else:
                current = documents.get_revision(document, document.current_number)
                documents.save_revision(users[step.author], document, body=_apply_edits(current.body, step.edits),
                                        base_number=current.number, summary=step.summary)


def _logins_table() -> str:
    lines = ["Demo loaded. Sign in at http://127.0.0.1:5000/login with any of these "
             f"(password for all: {DEMO_PASSWORD}):", ""]
    for person in USERS:
        if person.admin:
            role = "administrator"
        elif person.pending:
            role = f"non-aligned (asked to join {person.party})"
        else:
            role = f"{person.role} of {person.party}"
        if person.locale:
            role += f", reads the site in {LANGUAGES[person.locale]}"
        lines.append(f"  {person.email:<26} {person.name:<18} {role}")
    return "\n".join(lines)
