"""Red lines: clauses a party's lead marks as ones the party cannot give up, and the notices when they change.

Rules:
- Only a lead marks or clears red lines (``red_line:manage``), and always for their own party, taken from
  their membership; never on an archived document. A red line names a clause key of the current revision
  (Invalid otherwise). Marking one already marked changes nothing and writes nothing; clearing one that
  does not exist is NotFound. Both are audited (``red_line.mark``, ``red_line.clear``) in the change's
  write transaction, with the document row locked.
- A red line outlives its clause's removal: a clause written again takes its key back, and the red line
  with it.
- When a revision changes the words of a red-line clause (``words()`` differ: formatting, punctuation and
  whitespace alone are cosmetic and stay quiet), or removes it, or merges it into another, every approved
  member of the party except the person saving gets one notification (kind "red_line") with the clause's
  word diff, inside the save's transaction.
- The party's Atom feed of red-line changes is built from the clause events themselves, not from the
  notifications: edits, removals and merges of its red-line clauses after each was marked, newest first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from policyhub.accounts.models import User
from policyhub.db import write_transaction
from policyhub.documents.clauses import Clause, clauses_of
from policyhub.documents.models import ClauseEvent, Document, Revision, without_head
from policyhub.documents.services import lock_document
from policyhub.endorsements.models import RedLine
from policyhub.errors import N_, BadRequest, Invalid, NotFound
from policyhub.extensions import db
from policyhub.notifications.services import FEED_LIMIT, local_path, notify, shorten
from policyhub.parties import audit
from policyhub.parties.models import Membership, Party
from policyhub.permissions import Action, require
from policyhub.text.clauses import words
from policyhub.text.diffing import diff_words
from policyhub.text.excerpt import excerpt

_KEY = re.compile(r"[0-9a-z]{1,12}")
# The clause events that change what a red line protects; "moved" alone does not.
FEED_KINDS = ("edited", "removed", "merged")


# --- reading ---------------------------------------------------------------------------------------------

def red_lines(document: Document) -> list[RedLine]:
    """The document's red lines, by party name, then in the order they were marked."""
    return list(db.session.scalars(
        select(RedLine).join(Party, Party.id == RedLine.party_id).where(RedLine.document_id == document.id)
        .order_by(Party.name, RedLine.id)
    ))


@dataclass(frozen=True)
class RedLineItem:
    """A red line with its clause in the current revision (None when the clause was removed since)."""

    red_line: RedLine
    clause: Clause | None

    @property
    def excerpt(self) -> str:
        return excerpt(self.clause.text) if self.clause is not None else ""


@dataclass(frozen=True)
class PartyRedLines:
    party: Party
    items: list[RedLineItem]


def red_lines_by_party(document: Document, clauses: list[Clause] | None = None) -> list[PartyRedLines]:
    """The document's red lines grouped by party (parties without any are left out), each item with its
    clause in the current revision; items in the order of the text, removed clauses last."""
    if clauses is None:
        clauses = clauses_of(document.current_revision)
    by_key = {clause.key: clause for clause in clauses}
    groups: dict[int, PartyRedLines] = {}
    for red_line in red_lines(document):
        group = groups.setdefault(red_line.party_id, PartyRedLines(red_line.party, []))
        group.items.append(RedLineItem(red_line, by_key.get(red_line.clause_key)))
    for group in groups.values():
        group.items.sort(key=lambda item: (item.clause is None,
                                           item.clause.position if item.clause is not None else 0))
    return list(groups.values())


# --- writing ---------------------------------------------------------------------------------------------

def _key(value: object) -> str:
    if value is None:
        raise Invalid(N_("Choose a clause."), {"clause": N_("Choose a clause of the current text.")})
    if not isinstance(value, str):
        raise BadRequest(N_("'clause' must be a clause id (a string)."))
    key = value.strip()
    if not key:
        raise Invalid(N_("Choose a clause."), {"clause": N_("Choose a clause of the current text.")})
    return key


def _label(document: Document, key: str) -> str:
    for clause in clauses_of(document.current_revision):
        if clause.key == key:
            return clause.label
    return f"clause {key}"


def mark_red_line(actor: Any, document: Document, key: object) -> RedLine:
    """Mark clause ``key`` of the current revision as a red line of the actor's party (see the module's
    rules); returns the red line, the existing one if it was marked already. Raises Unauthorized/Forbidden,
    BadRequest (not a string) or Invalid (not a clause of the current text)."""
    require(actor, Action.RED_LINE_MANAGE, document)
    key = _key(key)
    with write_transaction(db.session):
        document = lock_document(document)
        require(actor, Action.RED_LINE_MANAGE, document)  # the status may have changed meanwhile
        clauses = clauses_of(document.current_revision)
        clause = next((item for item in clauses if item.key == key), None)
        if clause is None:
            raise Invalid(f"'{document.title}' has no clause '{shorten(key, 20)}' in its current text.",
                          {"clause": N_("Choose a clause of the current text.")})
        party = actor.party  # always the actor's own party: no input can name another
        existing = db.session.scalar(select(RedLine).where(
            RedLine.document_id == document.id, RedLine.party_id == party.id, RedLine.clause_key == key))
        if existing is not None:
            return existing
        red_line = RedLine(document_id=document.id, party_id=party.id, clause_key=key, created_by_id=actor.id)
        db.session.add(red_line)
        db.session.flush()
        audit.record(actor, "red_line.mark", red_line,
                     f"{party.name} marked {clause.label} of '{document.title}' as a red line",
                     document=document.slug, party=party.slug, clause=key)
    return red_line


def clear_red_line(actor: Any, document: Document, key: object) -> None:
    """Clear the actor's party's red line on clause ``key``. Raises Unauthorized/Forbidden, BadRequest,
    or NotFound when the party has no red line there."""
    require(actor, Action.RED_LINE_MANAGE, document)
    key = _key(key)
    with write_transaction(db.session):
        document = lock_document(document)
        require(actor, Action.RED_LINE_MANAGE, document)
        party = actor.party
        red_line = None if not _KEY.fullmatch(key) else db.session.scalar(select(RedLine).where(
            RedLine.document_id == document.id, RedLine.party_id == party.id, RedLine.clause_key == key))
        if red_line is None:
            raise NotFound(f"{party.name} has no red line on clause '{shorten(key, 20)}' of '{document.title}'.")
        audit.record(actor, "red_line.clear", red_line,
                     f"{party.name} cleared its red line on {_label(document, key)} of '{document.title}'",
                     document=document.slug, party=party.slug, clause=key)
        db.session.delete(red_line)


# --- notices when a red line changes ---------------------------------------------------------------------

def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


@dataclass(frozen=True)
class ClauseChange:
    """What one revision did to one clause, as a red line's members see it."""

    key: str
    kind: str  # the clause event: edited, removed, merged, restored, added, split
    old_text: str
    new_text: str
    label: str
    into_label: str | None = None  # for a merge: the clause that absorbed it

    @property
    def is_substantive(self) -> bool:
        return words(self.old_text) != words(self.new_text)

    def ops(self) -> list[list[str]]:
        return [[op, text] for op, text in diff_words(self.old_text, self.new_text)]

    def headline(self) -> str:
        if self.kind == "removed":
            return "Red line removed"
        if self.kind == "merged":
            return f"Red line merged into {self.into_label}" if self.into_label else "Red line merged"
        if self.kind == "restored":
            return "Red line restored"
        return "Red line changed"


def _changes(revision: Revision, previous: Revision, plan: Any, keys: set[str]) -> dict[str, ClauseChange]:
    old = {clause.key: clause for clause in clauses_of(previous)}
    new = {clause.key: clause for clause in clauses_of(revision)}
    kinds = {event.key: event for event in plan.events}
    changes = {}
    for key in keys:
        event = kinds.get(key)
        before, after = old.get(key), new.get(key)
        into = new.get(event.origin) if event is not None and event.kind == "merged" and event.origin else None
        if into is not None:
            after_text = into.text
        else:
            after_text = after.text if after is not None else ""
        label = (after or before).label if (after or before) is not None else f"clause {key}"
        changes[key] = ClauseChange(key=key, kind=event.kind if event is not None else "edited",
                                    old_text=before.text if before is not None else "", new_text=after_text,
                                    label=label, into_label=into.label if into is not None else None)
    return changes


def _members(party_ids: set[int]) -> dict[int, list[int]]:
    """The approved, active members of each party, by party id."""
    rows = db.session.execute(
        select(Membership.party_id, Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.party_id.in_(party_ids), Membership.state == "approved",
               User.deactivated_at.is_(None))
    )
    members: dict[int, list[int]] = {}
    for party_id, user_id in rows:
        members.setdefault(party_id, []).append(user_id)
    return members


def notify_red_lines(revision: Revision, *, document: Document, actor: Any, clause_plan: Any = None,
                     previous: Revision | None = None, **_: Any) -> int:
    """Receiver of ``documents.services.revision_created``, inside the save's transaction: tell each party
    whose red-line clause this revision substantively changed, removed or merged (see the module's rules).
    Returns how many notifications were written. Raising here would undo the save."""
    if clause_plan is None or previous is None or not clause_plan.changed:
        return 0
    lines = list(db.session.scalars(select(RedLine).where(
        RedLine.document_id == document.id, RedLine.clause_key.in_(sorted(clause_plan.changed)))))
    if not lines:
        return 0
    changes = _changes(revision, previous, clause_plan, {line.clause_key for line in lines})
    fired = [(line, changes[line.clause_key]) for line in lines if changes[line.clause_key].is_substantive]
    if not fired:
        return 0
    members = _members({line.party_id for line, _change in fired})
    diff_url = local_path("documents.diff", {"slug": document.slug, "from": previous.number,
                                             "to": revision.number})
    title = shorten(document.title)
    written = 0
    for line, change in fired:
        message = (f"{change.headline()}: {change.label} of '{title}' ({possessive(line.party.name)} red line) "
                   f"in revision {revision.number}")
        written += notify(document, actor=actor, kind="red_line", message=message,
                          url=f"{diff_url}#c-{change.key}", only=members.get(line.party_id, []),
                          diff=change.ops())
    return written


# --- the party's feed ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RedLineEvent:
    """A change of one of a party's red-line clauses, for the feed."""

    document: Document
    revision: Revision
    key: str
    kind: str
    old_text: str
    new_text: str

    @property
    def when(self) -> datetime:
        return self.revision.created_at

    def ops(self) -> list[list[str]]:
        return [[op, text] for op, text in diff_words(self.old_text, self.new_text)]


def recent_red_line_changes(party: Party, limit: int = FEED_LIMIT) -> list[RedLineEvent]:
    """Substantive edits, removals and merges of ``party``'s red-line clauses made after each was marked,
    newest first, at most ``limit``. A fixed number of queries whatever the number of entries."""
    rows = db.session.execute(
        select(ClauseEvent, Revision)
        .join(RedLine, and_(RedLine.document_id == ClauseEvent.document_id, RedLine.clause_key == ClauseEvent.key))
        .join(Revision, and_(Revision.document_id == ClauseEvent.document_id,
                             Revision.number == ClauseEvent.number))
        .where(RedLine.party_id == party.id, ClauseEvent.kind.in_(FEED_KINDS),
               Revision.created_at >= RedLine.created_at)
        .options(joinedload(Revision.document).options(*without_head()))
        .order_by(Revision.created_at.desc(), ClauseEvent.id.desc())
        .limit(limit * 3)  # cosmetic edits are dropped below; this keeps the feed full in practice
    ).all()
    if not rows:
        return []
    # The text before each event is the text of the clause's previous event (every clause has one: "added").
    wanted = {(event.document_id, event.key) for event, _revision in rows}
    absorbers = {(event.document_id, event.origin, event.number)
                 for event, _revision in rows if event.kind == "merged" and event.origin}
    history = list(db.session.scalars(
        select(ClauseEvent).where(or_(*(and_(ClauseEvent.document_id == document_id, ClauseEvent.key == key)
                                         for document_id, key in wanted)))
        .order_by(ClauseEvent.number)
    ))
    absorbed_text: dict[tuple[int, str, int], str] = {}
    if absorbers:
        for event in db.session.scalars(select(ClauseEvent).where(or_(*(
                and_(ClauseEvent.document_id == document_id, ClauseEvent.key == key, ClauseEvent.number == number)
                for document_id, key, number in absorbers)))):
            absorbed_text[(event.document_id, event.key, event.number)] = event.text
    by_clause: dict[tuple[int, str], list[ClauseEvent]] = {}
    for event in history:
        by_clause.setdefault((event.document_id, event.key), []).append(event)
    found = []
    for event, revision in rows:
        earlier = [item for item in by_clause.get((event.document_id, event.key), []) if item.number < event.number]
        old_text = earlier[-1].text if earlier else ""
        if event.kind == "edited":
            new_text = event.text
        elif event.kind == "merged":
            new_text = absorbed_text.get((event.document_id, event.origin or "", event.number), "")
            old_text = event.text  # its last text, as it was absorbed
        else:  # removed: the event holds the last text
            old_text, new_text = event.text, ""
        if words(old_text) == words(new_text):
            continue
        found.append(RedLineEvent(document=revision.document, revision=revision, key=event.key, kind=event.kind,
                                  old_text=old_text, new_text=new_text))
        if len(found) == limit:
            break
    return found
