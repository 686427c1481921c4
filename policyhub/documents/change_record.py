"""A readable change record between two revisions, generated from what was recorded: "Revision 4 → revision
7: amendments 3 and 5 accepted; revision 6 edited directly by …; §2 edited, §5 added; Green Party
re-endorsed (revision 7); Liberal Democrats' endorsement stale on §3".

The record covers what happened after revision ``a`` was replaced, up to the moment revision ``b`` was
replaced (now, when ``b`` is the current revision): the revisions a+1 … b (how each was made), the net
change of every clause from a's text to b's, the endorsements given and withdrawn in that time, changes to
the document's status and decision rule (the audit log), and the endorsements standing at the end that are
stale on clauses of their scope.

``change_record`` returns the structured record the page renders; ``sentences`` and ``summary_text`` say it
in plain text (for mail and feeds), in the language of the request: each phrase is one whole translatable
sentence, so a translator can order its parts.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from policyhub.accounts.models import User
from policyhub.documents import clauses
from policyhub.documents.clause_story import amendments_by_number, revisions_by_number
from policyhub.documents.models import Document, Revision
from policyhub.errors import NotFound
from policyhub.extensions import db
from policyhub.parties.models import AuditEvent
from policyhub.text.clauses import words

if TYPE_CHECKING:  # amendments and endorsements build on documents: imported where used
    from policyhub.amendments.models import Amendment
    from policyhub.endorsements.models import Endorsement

# Net kinds of a clause's change, in the order a record lists them.
CLAUSE_KINDS = ("edited", "added", "split", "restored", "moved", "merged", "removed")
HOLDING = ("current", "cosmetic", "outside_scope")  # an endorsement in one of these grades still holds


@dataclass(frozen=True)
class AcceptedAmendment:
    amendment: Amendment
    revision: Revision  # the revision its acceptance made


@dataclass(frozen=True)
class ClauseChange:
    """A clause's net change from the old revision's text to the new one's. ``label`` is its label in the new
    text ("§7 of revision 4" for a clause that went); ``other`` names the clause it was split from or merged
    into."""

    key: str
    kind: str  # one of CLAUSE_KINDS
    label: str
    other_key: str | None = None
    other_label: str | None = None
    cosmetic: bool = False  # edited, but only formatting, punctuation or spacing changed


@dataclass(frozen=True)
class EndorsementChange:
    endorsement: Endorsement
    kind: str  # "endorsed", "re-endorsed", "withdrawn"
    at: datetime


@dataclass(frozen=True)
class ChangedClause:
    key: str
    label: str
    gone: bool  # no longer in the new text


@dataclass(frozen=True)
class EndorsementStanding:
    """An endorsement standing at the end of the record, of a revision older than the new one."""

    endorsement: Endorsement
    staleness: str  # "cosmetic", "outside_scope" or "substantive"
    changed: list[ChangedClause]

    @property
    def holds(self) -> bool:
        return self.staleness in HOLDING


@dataclass(frozen=True)
class ChangeRecord:
    document: Document
    old: Revision
    new: Revision
    revisions: list[Revision]  # old.number + 1 … new.number, oldest first
    amendments: list[AcceptedAmendment]
    edits: list[Revision]  # made by editing directly
    reverts: list[Revision]
    clause_changes: list[ClauseChange]
    title_changed: bool
    endorsement_changes: list[EndorsementChange]  # oldest first
    standing: list[EndorsementStanding] = field(default_factory=list)
    document_events: list[AuditEvent] = field(default_factory=list)  # status and decision rule changes

    @property
    def stale(self) -> list[EndorsementStanding]:
        return [item for item in self.standing if not item.holds]

    @property
    def holding(self) -> list[EndorsementStanding]:
        return [item for item in self.standing if item.holds]

    @property
    def is_empty(self) -> bool:
        return self.old.number == self.new.number


def change_record(document: Document, a: int, b: int) -> ChangeRecord:
    """What changed from revision ``a`` to revision ``b`` of ``document`` (either order: the older is the
    start). Raises NotFound for a revision the document does not have.

    A fixed number of queries however long the range: the revisions (with authors), the accepted
    amendments, the clause events, the endorsement record and the document's audit events.
    """
    a, b = min(a, b), max(a, b)
    for number in (a, b):
        if not 0 < number <= document.current_number:
            raise NotFound(f"'{document.title}' has no revision {number}; it has {document.current_number}.")
    by_number = revisions_by_number(document, range(a, min(b + 1, document.current_number) + 1))
    old, new = by_number[a], by_number[b]
    revisions = [by_number[n] for n in range(a + 1, b + 1)]
    start = by_number[a + 1].created_at if a < b else None
    end = by_number[b + 1].created_at if b < document.current_number else None
    accepted = amendments_by_number(document, {r.amendment_number for r in revisions if r.amendment_number})
    record = _endorsement_record(document)
    return ChangeRecord(
        document=document, old=old, new=new, revisions=revisions,
        amendments=[AcceptedAmendment(accepted[r.amendment_number], r) for r in revisions
                    if r.source == "amendment" and r.amendment_number in accepted],
        edits=[r for r in revisions if r.source == "edit"],
        reverts=[r for r in revisions if r.source == "revert"],
        clause_changes=_clause_changes(document, old, new),
        title_changed=old.title != new.title,
        endorsement_changes=_endorsement_changes(record, start, end) if a < b else [],
        standing=_standing(document, record, new, end),
        document_events=_document_events(document, start, end) if a < b else [],
    )


# --- plain text ------------------------------------------------------------------------------------------

def person_text(user: User | None) -> str:
    """"Ana Pérez (Green Party)": a name with the party it speaks for."""
    if user is None:
        return _("the command line")
    party = user.party
    return f"{user.name} ({party.name if party is not None else _('non-aligned')})"


def joined(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s", items=", ".join(items[:-1]), last=items[-1])


def amendments_sentence(items: Sequence[AcceptedAmendment]) -> str:
    numbers = joined([str(item.amendment.number) for item in items])
    who = "; ".join(
        (f"{item.amendment.number}: " if len(items) > 1 else "")
        + _("proposed by %(proposer)s, accepted by %(decider)s", proposer=person_text(item.amendment.author),
            decider=person_text(item.amendment.decided_by))
        for item in items)
    return ngettext("amendment %(numbers)s accepted (%(who)s)", "amendments %(numbers)s accepted (%(who)s)",
                    len(items), numbers=numbers, who=who)


def edits_sentences(edits: Sequence[Revision], *, reverts: bool = False) -> list[str]:
    """One phrase per author, in order of their first revision: "revisions 5 and 6 edited directly by …"
    ("… reverted to earlier text by …" for ``reverts``)."""
    by_author: dict[int, list[Revision]] = {}
    for revision in edits:
        by_author.setdefault(revision.author_id, []).append(revision)
    found = []
    for items in by_author.values():
        numbers, person = joined([str(r.number) for r in items]), person_text(items[0].author)
        if reverts:
            found.append(ngettext("revision %(numbers)s reverted to earlier text by %(person)s",
                                  "revisions %(numbers)s reverted to earlier text by %(person)s",
                                  len(items), numbers=numbers, person=person))
        else:
            found.append(ngettext("revision %(numbers)s edited directly by %(person)s",
                                  "revisions %(numbers)s edited directly by %(person)s",
                                  len(items), numbers=numbers, person=person))
    return found


def clause_name(key: str | None) -> str:
    """What a clause without a label is called: "clause 8"."""
    return _("clause %(key)s", key=key)


def clause_change_text(change: ClauseChange) -> str:
    label = change.label
    if change.kind == "edited" and change.cosmetic:
        return _("%(clause)s reformatted", clause=label)
    if change.kind == "split":
        return _("%(clause)s split from %(other)s", clause=label,
                 other=change.other_label or clause_name(change.other_key))
    if change.kind == "merged":
        return _("%(clause)s merged into %(other)s", clause=label,
                 other=change.other_label or clause_name(change.other_key))
    # One whole sentence a kind: in other languages the verb's form and place depend on it.
    if change.kind == "edited":
        return _("%(clause)s edited", clause=label)
    if change.kind == "added":
        return _("%(clause)s added", clause=label)
    if change.kind == "restored":
        return _("%(clause)s restored", clause=label)
    if change.kind == "moved":
        return _("%(clause)s moved", clause=label)
    if change.kind == "removed":
        return _("%(clause)s removed", clause=label)
    return f"{label} {change.kind}"


def endorsement_change_text(change: EndorsementChange) -> str:
    endorsement = change.endorsement
    name, number = endorsement.party.name, endorsement.revision_number
    if change.kind == "withdrawn":
        return _("%(party)s withdrew its endorsement (revision %(number)s)", party=name, number=number)
    if change.kind == "re-endorsed":
        return _("%(party)s re-endorsed (revision %(number)s)", party=name, number=number)
    return _("%(party)s endorsed (revision %(number)s)", party=name, number=number)


def standing_text(item: EndorsementStanding) -> str:
    endorsement = item.endorsement
    party, number = endorsement.party.name, endorsement.revision_number
    if item.staleness == "cosmetic":
        return _("%(party)s endorsement (revision %(number)s) still holds: only formatting changed since",
                 party=party, number=number)
    if item.staleness == "outside_scope":
        return _("%(party)s endorsement (revision %(number)s) still holds: nothing in its scope changed",
                 party=party, number=number)
    if not item.changed:
        return _("%(party)s endorsement (revision %(number)s) stale", party=party, number=number)
    clauses_text = joined([_("%(clause)s (removed)", clause=c.label) if c.gone else c.label for c in item.changed])
    return _("%(party)s endorsement (revision %(number)s) stale on %(clauses)s", party=party, number=number,
             clauses=clauses_text)


def phrases(record: ChangeRecord) -> list[str]:
    """The record after its headline, as phrases that can follow a colon ("amendment 3 accepted (…)")."""
    if record.is_empty:
        return [_("the same revision: nothing changed")]
    out = []
    if record.amendments:
        out.append(amendments_sentence(record.amendments))
    out += edits_sentences(record.edits)
    out += edits_sentences(record.reverts, reverts=True)
    if record.title_changed:
        out.append(_("title changed to “%(title)s”", title=record.new.title))
    changes = [clause_change_text(change) for change in record.clause_changes]
    out.append(", ".join(changes) if changes else _("no clause changed"))
    out += [event.summary for event in record.document_events]
    out += [endorsement_change_text(change) for change in record.endorsement_changes]
    out += [standing_text(item) for item in record.standing]
    return out


def headline(record: ChangeRecord) -> str:
    return _("Revision %(old)s → revision %(new)s", old=record.old.number, new=record.new.number)


def sentences(record: ChangeRecord) -> list[str]:
    """The record as short sentences, headline first: the page's summary."""
    return [headline(record)] + [phrase[:1].upper() + phrase[1:] for phrase in phrases(record)]


def summary_text(record: ChangeRecord) -> str:
    """One paragraph of plain text: "Revision 4 → revision 7: amendment 3 accepted (…); §2 edited; …"."""
    return f"{headline(record)}: " + "; ".join(phrases(record)) + "."


# --- internals -------------------------------------------------------------------------------------------

def _clause_changes(document: Document, old: Revision, new: Revision) -> list[ClauseChange]:
    if old.number == new.number:
        return []
    before = {clause.key: clause for clause in clauses.clauses_of(old)}
    after = {clause.key: clause for clause in clauses.clauses_of(new)}
    events: dict[str, list[Any]] = {}
    for event in clauses.events_between(document, old.number, new.number):
        events.setdefault(event.key, []).append(event)

    def kinds(key: str) -> set[str]:
        return {event.kind for event in events.get(key, [])}

    found: list[tuple[int, int, ClauseChange]] = []
    for key, clause in after.items():
        if key not in before:
            split = [event for event in events.get(key, []) if event.kind == "split"]
            if split:
                origin = split[-1].origin
                other = after.get(origin) or before.get(origin)
                change = ClauseChange(key, "split", clause.label, origin, other.label if other else None)
            else:
                change = ClauseChange(key, "restored" if "restored" in kinds(key) else "added", clause.label)
        elif clause.text != before[key].text:
            change = ClauseChange(key, "edited", clause.label,
                                  cosmetic=words(clause.text) == words(before[key].text))
        elif "moved" in kinds(key):
            change = ClauseChange(key, "moved", clause.label)
        else:
            continue  # untouched, or edited and edited back: no net change
        found.append((0, clause.position, change))
    for key, clause in before.items():
        if key in after:
            continue
        was = _("%(clause)s of revision %(number)s", clause=clause.label, number=old.number)  # as numbered then
        gone = [event for event in events.get(key, []) if event.kind in ("merged", "removed")]
        if gone and gone[-1].kind == "merged" and gone[-1].origin:
            origin = gone[-1].origin
            other = after.get(origin)
            change = ClauseChange(key, "merged", was, origin, other.label if other else None)
        else:
            change = ClauseChange(key, "removed", was)
        found.append((1, clause.position, change))
    found.sort(key=lambda item: (item[0], item[1]))
    return [change for _group, _position, change in found]


def _endorsement_record(document: Document) -> list[Endorsement]:
    from policyhub.endorsements.services import endorsement_record
    return endorsement_record(document)


def _within(moment: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    return moment is not None and (start is None or moment >= start) and (end is None or moment < end)


def _endorsement_changes(record: Sequence[Endorsement], start: datetime | None,
                         end: datetime | None) -> list[EndorsementChange]:
    """Endorsements given (a party's first, or replacing its earlier one) and withdrawn in [start, end)."""
    found = []
    for endorsement in record:
        if _within(endorsement.created_at, start, end):
            earlier = any(other.party_id == endorsement.party_id and other.created_at < endorsement.created_at
                          for other in record)
            found.append(EndorsementChange(endorsement, "re-endorsed" if earlier else "endorsed",
                                           endorsement.created_at))
        if endorsement.end_reason == "withdrawn" and _within(endorsement.ended_at, start, end):
            assert endorsement.ended_at is not None
            found.append(EndorsementChange(endorsement, "withdrawn", endorsement.ended_at))
    return sorted(found, key=lambda change: (change.at, change.endorsement.id))


def _standing_at(record: Sequence[Endorsement], moment: datetime | None) -> list[Endorsement]:
    """The endorsements live at ``moment`` (None: now)."""
    if moment is None:
        return [endorsement for endorsement in record if endorsement.is_live]
    return [endorsement for endorsement in record if endorsement.created_at < moment
            and (endorsement.ended_at is None or endorsement.ended_at >= moment)]


def _standing(document: Document, record: Sequence[Endorsement], new: Revision,
              end: datetime | None) -> list[EndorsementStanding]:
    """Each endorsement standing when revision ``new`` was replaced (now, for the current one) of an older
    revision, graded against ``new``: whether it still holds, and on which clauses of its scope it is stale."""
    older = [endorsement for endorsement in _standing_at(record, end) if endorsement.revision_number < new.number]
    if not older:
        return []
    endorsed = revisions_by_number(document, {endorsement.revision_number for endorsement in older})
    labels_after = {clause.key: clause.label for clause in clauses.clauses_of(new)}
    found = []
    for endorsement in sorted(older, key=lambda e: (e.party.name.lower(), e.party_id)):
        revision = endorsed.get(endorsement.revision_number)
        if revision is None:
            continue
        staleness, changed_keys = _grade(endorsement, document, revision, new)
        labels_before = {clause.key: clause.label for clause in clauses.clauses_of(revision)} \
            if any(key not in labels_after for key in changed_keys) else {}
        changed = [ChangedClause(key, labels_after[key], False) if key in labels_after else
                   ChangedClause(key, _("%(clause)s of revision %(number)s",
                                        clause=labels_before.get(key) or clause_name(key), number=revision.number),
                                 True) for key in changed_keys]
        found.append(EndorsementStanding(endorsement, staleness, changed))
    return found


def _grade(endorsement: Endorsement, document: Document, endorsed: Revision,
           new: Revision) -> tuple[str, list[str]]:
    """(staleness, changed keys of its scope) of ``endorsement`` against revision ``new``: the staleness
    service's grade (stored by every save) against the current revision, the same rule applied to the two
    texts against an older one."""
    from policyhub.endorsements import staleness
    graded = (staleness.grade(endorsement, document) if new.number == document.current_number
              else staleness.grade_against(endorsement, endorsed, new))
    return graded.staleness, list(graded.changed_keys)


def _document_events(document: Document, start: datetime | None, end: datetime | None) -> list[AuditEvent]:
    """Changes of the document's status and decision rule in [start, end), from the audit log."""
    query = select(AuditEvent).where(
        AuditEvent.target_type == Document.__tablename__, AuditEvent.target_id == document.id,
        AuditEvent.action.startswith("document.", autoescape=True))
    if start is not None:
        query = query.where(AuditEvent.created_at >= start)
    if end is not None:
        query = query.where(AuditEvent.created_at < end)
    return list(db.session.scalars(query.order_by(AuditEvent.created_at, AuditEvent.id)))

