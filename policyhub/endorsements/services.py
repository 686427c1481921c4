"""Endorsements, staleness and consensus: the rules of DESIGN.md's "Endorsement" and "Consensus".

- A lead endorses one exact revision of a document for their own party. The party is always the one of
  the actor's approved membership, never an argument: no input can name another party. Admins never
  endorse (the rule lives in ``permissions``).
- An endorsement is **current** while its revision is the document's current revision and **stale** once
  the text moves on. A document is **agreed** when every party (every row of ``parties``) has a current
  endorsement; with no parties nothing is agreed. Both are computed here on every read, never stored.
- Rows are never deleted. Withdrawing ends the live row (``end_reason="withdrawn"``); endorsing again ends
  it with ``end_reason="superseded"`` and inserts a new one, in the same write transaction. A partial
  unique index allows one live row per party and document, and the document row is locked while writing,
  so two leads of one party racing cannot both insert (a lost race becomes a Conflict, never a 500).
- The audit event and the watchers' notifications are written in the change's transaction.

Public surface (used by the HTML views and, later, the JSON API):

    reading     live_endorsements, live_endorsements_by_document, endorsement_record, get_live_endorsement,
                party_states, is_agreed, agenda, agreed_documents, agreed_markdown
    writing     endorse (-> Endorsement), endorse_revision (-> EndorseOutcome, says whether a row was made),
                withdraw_endorsement

Reads take a small, fixed number of queries whatever the number of documents or parties.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, undefer

from policyhub.accounts.models import User
from policyhub.db import utcnow, write_transaction
from policyhub.documents import storage
from policyhub.documents.clauses import keys_of
from policyhub.documents.models import Document, Revision, without_head
from policyhub.documents.services import lock_document
from policyhub.endorsements import staleness
from policyhub.endorsements.models import REASON_MAX, STANCES, STATEMENT_MAX, Endorsement, EndorsementStance
from policyhub.errors import N_, BadRequest, Conflict, Invalid, NotFound
from policyhub.extensions import db
from policyhub.notifications.services import ensure_watching, local_path, notify
from policyhub.parties import audit
from policyhub.parties.models import Membership, Party
from policyhub.parties.services import list_parties
from policyhub.permissions import Action, require
from policyhub.search.services import enqueue_document
from policyhub.templating import format_datetime
from policyhub.validation import Checker

StateName = Literal["current", "stale", "none"]
STATES: tuple[StateName, ...] = ("current", "stale", "none")


# --- value objects ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartyState:
    """Where one party stands on one document: its live endorsement (or None) and what that means now."""

    party: Party
    endorsement: Endorsement | None
    state: StateName
    # How stale the endorsement is (policyhub.endorsements.staleness): None without one. "stale" above
    # says only that the text moved on; the grade says whether that matters.
    grade: staleness.Grade | None = None

    @property
    def holds(self) -> bool:
        """Whether the endorsement still stands for the current text (current, cosmetic, outside scope)."""
        return self.grade is not None and self.grade.holds

    @property
    def needs_review(self) -> bool:
        return self.grade is not None and self.grade.needs_review

    @property
    def endorsed_number(self) -> int | None:
        return self.endorsement.revision_number if self.endorsement is not None else None

    @property
    def is_current(self) -> bool:
        return self.state == "current"

    @property
    def is_stale(self) -> bool:
        return self.state == "stale"


@dataclass(frozen=True)
class EndorseOutcome:
    """What ``endorse_revision`` did: ``created`` is False when the party already endorsed that revision
    with that statement (nothing was written); ``superseded`` is the live row it ended, if any."""

    endorsement: Endorsement
    created: bool
    superseded: Endorsement | None = None


@dataclass(frozen=True)
class AgendaRow:
    """One document of the agenda: each party's state (keyed by party slug, in party order)."""

    document: Document
    states: dict[str, PartyState]
    agreed: bool

    @property
    def current_count(self) -> int:
        return sum(1 for state in self.states.values() if state.is_current)


@dataclass(frozen=True)
class ReviewItem:
    """A document a party has yet to review: it has no endorsement of it, or a stale one."""

    document: Document
    state: PartyState


@dataclass(frozen=True)
class AgendaCounts:
    documents: int
    agreed: int
    by_party: dict[str, dict[str, int]]  # party slug -> {"current": n, "stale": n, "none": n}


@dataclass(frozen=True)
class Agenda:
    """The consensus matrix: documents (rows, ordered by policy area then title) by parties (columns)."""

    parties: list[Party]
    rows: list[AgendaRow]
    counts: AgendaCounts
    to_review: dict[str, list[ReviewItem]]  # party slug -> documents it has yet to review, in row order
    area: str | None = None
    areas: list[str] = field(default_factory=list)  # every policy area on the agenda, for the filter
    include_archived: bool = False

    def by_area(self) -> list[tuple[str, list[AgendaRow]]]:
        """Rows grouped by policy area, in order."""
        groups: dict[str, list[AgendaRow]] = {}
        for row in self.rows:
            groups.setdefault(row.document.policy_area, []).append(row)
        return list(groups.items())


@dataclass(frozen=True)
class AgreedDocument:
    """An agreed document at its endorsed (= current) revision, with one endorsement per party."""

    document: Document
    revision: Revision
    endorsements: list[Endorsement]  # in party order

    @property
    def anchor(self) -> str:
        return f"doc-{self.document.slug}"

    @property
    def html(self) -> str:
        """The revision's sanitised HTML fitted into a page of many documents: element ids (and the links
        to them) prefixed with the document's slug so that they stay unique, headings moved down so that
        the document's highest one is h3 (the page title is h1, the document's title h2), whether it wrote
        "#" or started at "##": a skipped level confuses screen-reader navigation. Tag names and id
        prefixes are the only changes, so the HTML stays what the sanitiser produced."""
        return _fit_html(self.revision.html, prefix=f"{self.document.slug}--", top=3)


# --- reading ---------------------------------------------------------------------------------------------

def _with_people(query: Select[Any], *relationships: Any) -> Select[Any]:
    """Load each endorser (and ender) with their membership and party in the same query, so that showing
    "who" never costs a query per row; a scoped endorsement's stances come in the same query too (read the
    results through ``.unique()``)."""
    for relationship in relationships or (Endorsement.endorsed_by,):
        query = query.options(joinedload(relationship).joinedload(User.membership).joinedload(Membership.party))
    return query.options(joinedload(Endorsement.stances))


def _live() -> Select[Any]:
    return _with_people(select(Endorsement).where(Endorsement.ended_at.is_(None)))


def _by_party_name(endorsements: Iterable[Endorsement]) -> list[Endorsement]:
    return sorted(endorsements, key=lambda e: (e.party.name.lower(), e.party.id))


def live_endorsements(document: Document) -> list[Endorsement]:
    """The live endorsements of ``document`` (at most one per party), ordered by party name. One query."""
    return _by_party_name(db.session.scalars(_live().where(Endorsement.document_id == document.id)).unique())


def live_endorsements_by_document(documents: Sequence[Document]) -> dict[int, list[Endorsement]]:
    """Live endorsements of many documents in one query: document id -> list ordered by party name
    (every given document has a key). For lists: never one query per document."""
    found: dict[int, list[Endorsement]] = {document.id: [] for document in documents}
    if found:
        for endorsement in db.session.scalars(_live().where(Endorsement.document_id.in_(list(found)))).unique():
            found[endorsement.document_id].append(endorsement)
    return {document_id: _by_party_name(items) for document_id, items in found.items()}


def endorsement_record(document: Document) -> list[Endorsement]:
    """Every endorsement ever given for ``document``, live and ended, newest first. One query."""
    query = _with_people(select(Endorsement), Endorsement.endorsed_by, Endorsement.ended_by)
    return list(db.session.scalars(
        query.where(Endorsement.document_id == document.id)
        .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
    ).unique())


def get_live_endorsement(document: Document, party: Party | str) -> Endorsement:
    """The live endorsement of ``document`` by ``party`` (a Party or its slug). Raises NotFound."""
    condition = Endorsement.party_id == party.id if isinstance(party, Party) else Endorsement.party.has(slug=party)
    endorsement = db.session.scalars(_live().where(Endorsement.document_id == document.id, condition)).unique().first()
    if endorsement is None:
        name = party.name if isinstance(party, Party) else party
        raise NotFound(f"{name} has no live endorsement of '{document.title}'.")
    return endorsement


def _state_of(document: Document, endorsement: Endorsement | None) -> StateName:
    if endorsement is None:
        return "none"
    return "current" if endorsement.is_current_for(document) else "stale"


def party_states(document: Document, parties: Sequence[Party] | None = None,
                 live: Sequence[Endorsement] | None = None) -> list[PartyState]:
    """Each party's state on ``document``, in party order: "current" (its live endorsement is of the current
    revision), "stale" (of an older one) or "none". Pass ``parties`` and ``live`` when already loaded;
    otherwise they cost one query each."""
    parties = list_parties() if parties is None else parties
    live = live_endorsements(document) if live is None else live
    by_party = {endorsement.party_id: endorsement for endorsement in live if endorsement.is_live}
    return [PartyState(party, endorsement, _state_of(document, endorsement),
                       staleness.grade(endorsement, document) if endorsement is not None else None)
            for party in parties for endorsement in (by_party.get(party.id),)]


def is_agreed(document: Document, live: Sequence[Endorsement] | None = None,
              parties: Sequence[Party] | None = None) -> bool:
    """Consensus under the document's decision rule (policyhub.endorsements.consensus): by default every
    party has a live endorsement that holds (current, or stale only cosmetically or outside its scope)
    and covers every clause. With no parties nothing is agreed, and a party added later has endorsed
    nothing, so the document stops being agreed until it does."""
    from policyhub.endorsements import consensus  # it builds on this module
    return consensus.is_agreed_under_rule(document, parties=parties, live=live)


def _agenda_documents(area: str | None, include_archived: bool) -> Select[Any]:
    query = select(Document)
    if not include_archived:
        query = query.where(Document.status != "archived")
    if area:
        query = query.where(func.lower(Document.policy_area) == area.lower())
    return query


def live_of(documents: Select[Any]) -> list[Endorsement]:
    """Live endorsements of the documents ``documents`` selects, in one query (a subquery, not a list of
    ids, so that the statement stays the same size however many documents there are)."""
    ids = documents.with_only_columns(Document.id).order_by(None)
    return list(db.session.scalars(_live().where(Endorsement.document_id.in_(ids))).unique())


def agenda(area: str | None = None, *, include_archived: bool = False) -> Agenda:
    """The consensus matrix of every document (archived ones left out unless ``include_archived``),
    optionally of one policy area (case-insensitive), by every party.

    Four queries however many documents and parties: parties, documents, all their live endorsements
    (with the endorsers), and the list of policy areas for the filter.
    """
    parties = list_parties()
    selected = _agenda_documents(area, include_archived)
    documents = list(db.session.scalars(selected.order_by(Document.policy_area, Document.title, Document.id)
                                        .options(*without_head())))
    live_by_document: dict[int, list[Endorsement]] = {}
    for endorsement in live_of(selected):
        live_by_document.setdefault(endorsement.document_id, []).append(endorsement)

    from policyhub.endorsements import consensus  # it builds on this module
    agreed_by_document = consensus.agreed_by_document(documents, parties, live_by_document)
    rows: list[AgendaRow] = []
    to_review: dict[str, list[ReviewItem]] = {party.slug: [] for party in parties}
    by_party: dict[str, dict[str, int]] = {party.slug: dict.fromkeys(STATES, 0) for party in parties}
    for document in documents:
        states = party_states(document, parties=parties, live=live_by_document.get(document.id, []))
        for state in states:
            by_party[state.party.slug][state.state] += 1
            if not state.is_current:
                to_review[state.party.slug].append(ReviewItem(document, state))
        rows.append(AgendaRow(document, {state.party.slug: state for state in states},
                              agreed_by_document[document.id]))

    areas_query = _agenda_documents(None, include_archived).with_only_columns(Document.policy_area)
    areas = list(db.session.scalars(areas_query.distinct().order_by(Document.policy_area)))
    counts = AgendaCounts(documents=len(rows), agreed=sum(1 for row in rows if row.agreed), by_party=by_party)
    return Agenda(parties=parties, rows=rows, counts=counts, to_review=to_review, area=area or None,
                  areas=areas, include_archived=include_archived)


def agreed_documents() -> list[AgreedDocument]:
    """Every agreed document (archived ones left out) at its endorsed (= current) revision, ordered by
    policy area then title, with its endorsements in party order. Four queries however many documents."""
    parties = list_parties()
    if not parties:
        return []
    selected = _agenda_documents(None, include_archived=False)
    documents = list(db.session.scalars(selected.order_by(Document.policy_area, Document.title, Document.id)))
    live_by_document: dict[int, list[Endorsement]] = {}
    for endorsement in live_of(selected):
        live_by_document.setdefault(endorsement.document_id, []).append(endorsement)
    from policyhub.endorsements import consensus  # it builds on this module
    standings = consensus.standings_by_document(documents, parties, live_by_document)
    agreed = [document for document in documents
              if consensus.Rule.of(document).agrees(standings[document.id].values())]
    if not agreed:
        return []
    revisions = {revision.document_id: revision for revision in db.session.scalars(
        select(Revision).join(Document, and_(Revision.document_id == Document.id,
                                             Revision.number == Document.current_number))
        .where(Document.id.in_([document.id for document in agreed]))
        .options(lazyload(Revision.author))  # the compiled agenda names endorsers, not authors
    )}
    order = {party.id: index for index, party in enumerate(parties)}
    slugs = {party.id: party.slug for party in parties}
    # Under a k-of-n rule only the endorsing parties are named: a party that has not endorsed is not one.
    return [AgreedDocument(document, revisions[document.id],
                           sorted((e for e in live_by_document[document.id]
                                   if standings[document.id].get(slugs.get(e.party_id, "")) == "endorse"),
                                  key=lambda e: order.get(e.party_id, len(order))))
            for document in agreed]


def agreed_markdown() -> str:
    """The agreed agenda as one Markdown file: a title, a contents list, then each agreed document as a
    section with its policy area, revision number, endorsing parties (who, when) and its text (headings
    moved two levels down, under the section's own)."""
    items = agreed_documents()
    today = format_datetime(utcnow(), "short")
    lines = ["# The agreed agenda", ""]
    if not items:
        lines += [f"Compiled {today}. No document is agreed by every party yet.", ""]
        return "\n".join(lines)
    noun = "document" if len(items) == 1 else "documents"
    lines += [f"Compiled {today}: {len(items)} {noun} that every party endorses at the current text.", "",
              "## Contents", ""]
    lines += [f"{n}. {md_inline(item.revision.title)} ({md_inline(item.document.policy_area)})"
              for n, item in enumerate(items, 1)]
    for item in items:
        endorsed = "; ".join(
            f"{md_inline(e.party.name)} ({md_inline(e.endorsed_by.name)}, {format_datetime(e.created_at, 'short')})"
            for e in item.endorsements
        )
        lines += ["", "---", "", f"## {md_inline(item.revision.title)}", "",
                  f"- Policy area: {md_inline(item.document.policy_area)}",
                  f"- Revision: {item.revision.number}",
                  f"- Endorsed by: {endorsed}", ""]
        for endorsement in item.endorsements:
            if endorsement.statement:
                quoted = "\n".join(f"> {line}" if line else ">" for line in endorsement.statement.split("\n"))
                lines += [f"> **{md_inline(endorsement.party.name)}:**", ">", quoted, ""]
        lines.append(demote_headings(item.revision.body, 2).rstrip("\n"))
    return "\n".join(lines) + "\n"


# --- writing ---------------------------------------------------------------------------------------------

def _parse_revision(checker: Checker, value: object) -> int | None:
    """None (the current revision) or a positive whole number; anything else is a field error."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest(N_("revision must be a revision number."))
    text = value.strip() if isinstance(value, str) else str(value)
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
        checker.fail("revision", N_("Choose a revision number (1 or more)."))
        return None
    return int(text)


def _parse_scope(sections: object, reasons: object) -> tuple[dict[str, str], dict[str, object]]:
    """The shapes of ``sections`` (clause key -> stance) and ``reasons`` (clause key -> text): None or empty
    for none; anything but an object of strings is a BadRequest. Their contents are checked against the
    endorsed revision by ``_check_scope``."""
    if sections is None:
        sections = {}
    if reasons is None:
        reasons = {}
    if not isinstance(sections, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in sections.items()):
        raise BadRequest("sections must be an object mapping clause ids to a stance: "
                         + ", ".join(f'"{stance}"' for stance in STANCES) + ".")
    if not isinstance(reasons, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                                for k, v in reasons.items()):
        raise BadRequest(N_("reasons must be an object mapping clause ids to text."))
    return sections, reasons


_STANCE_NOUNS = {"reservations": "your reservations", "object": "the objection"}


def _check_scope(checker: Checker, keys: Sequence[str], sections: dict[str, str],
                 reasons: dict[str, object]) -> list[EndorsementStance]:
    """The stances to record, in the revision's clause order; problems go to ``checker``: unknown clause
    keys and stances under "sections", a reason for a clause not named under "reasons", and a missing or
    too long reason under "reasons.<key>" (one field per clause, so that a form shows it in place)."""
    position = {key: index for index, key in enumerate(keys, 1)}
    unknown = [key for key in sections if key not in position]
    if unknown:
        checker.fail("sections", f"The endorsed revision has no clause {_quoted(unknown)}: name clauses by "
                                 "their ids in that revision.")
    wrong = [key for key, stance in sections.items() if key in position and stance not in STANCES]
    if wrong:
        checker.fail("sections", f"The stance on §{position[wrong[0]]} ({wrong[0]}) must be one of "
                                 + ", ".join(f'"{stance}"' for stance in STANCES) + ".")
    stray = [key for key in reasons if key not in sections]
    if stray:
        checker.fail("reasons", f"A reason was given for {_quoted(stray)}, which the endorsement does not "
                                "name in its sections.")
    stances: list[EndorsementStance] = []
    for key in sorted((key for key in sections if key in position), key=position.__getitem__):
        stance = sections[key]
        needs_reason = stance in _STANCE_NOUNS
        reason = checker.text(f"reasons.{key}", reasons.get(key), label=f"The reason for §{position[key]}",
                              max_length=REASON_MAX, required=False, multiline=True).strip()
        if needs_reason and not reason and f"reasons.{key}" not in checker.errors:
            checker.fail(f"reasons.{key}", f"Give the reason for {_STANCE_NOUNS[stance]} on §{position[key]}: "
                                           "the other parties read it.")
        stances.append(EndorsementStance(clause_key=key, stance=stance, reason=reason))
    return stances


def _quoted(keys: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(f'"{key[:20]}"' for key in keys[:most])
    return shown + (f" and {len(keys) - most} more" if len(keys) > most else "")


def _same_scope(endorsement: Endorsement, stances: Sequence[EndorsementStance]) -> bool:
    return ({(s.clause_key, s.stance, s.reason) for s in endorsement.stances}
            == {(s.clause_key, s.stance, s.reason) for s in stances})


def endorse(actor: Any, document: Document, *, revision: object = None, statement: object = "",
            sections: object = None, reasons: object = None) -> Endorsement:
    """``actor``'s party endorses ``revision`` (default: the current one) of ``document``; returns the live
    endorsement. See ``endorse_revision`` for the rules; this returns only the endorsement."""
    return endorse_revision(actor, document, revision=revision, statement=statement, sections=sections,
                            reasons=reasons).endorsement


def endorse_revision(actor: Any, document: Document, *, revision: object = None, statement: object = "",
                     sections: object = None, reasons: object = None) -> EndorseOutcome:
    """A lead endorses a revision of ``document`` for their own party (taken from their approved
    membership), with an optional public statement (up to 2,000 characters), for the whole document or
    for named sections.

    - The revision defaults to the current one; a named revision must exist (Invalid, field "revision").
      An older revision may be endorsed: the endorsement is then stale from the start (and graded).
    - ``sections`` (clause key -> "endorse", "reservations" or "object"; None or empty: the whole
      document) names clauses of the endorsed revision, usually headings, each standing for its section.
      ``reasons`` (clause key -> text, up to 2,000 characters) must give a reason for reservations and
      objections and may give one for an endorsement; only for named clauses. Wrong shapes are a
      BadRequest; unknown keys, stances and missing reasons are Invalid (fields "sections", "reasons",
      "reasons.<key>").
    - If the party already endorses that very revision with the same statement and the same sections and
      reasons, nothing is written and the existing endorsement comes back (``created=False``): endorsing
      is idempotent, so a double submit or an API retry is harmless. Anything different is recorded as a
      new endorsement.
    - Otherwise the party's live endorsement (if any) ends as "superseded" and a new one is inserted with
      its stances, the SHA-256 of the endorsed text and its grade, with the audit event
      (``endorsement.give``) and the watchers' notification, in one write transaction. The endorser starts
      watching the document, to hear when the text moves on.

    Raises Unauthorized/Forbidden (not a lead, an admin, or an archived document), BadRequest, Invalid, or
    Conflict when another lead of the same party endorsed at the same moment.
    """
    require(actor, Action.ENDORSEMENT_GIVE, document)
    named, reasons_given = _parse_scope(sections, reasons)
    checker = Checker()
    number = _parse_revision(checker, revision)
    text = checker.text("statement", statement, label=N_("Statement"), max_length=STATEMENT_MAX, required=False,
                        multiline=True).strip()
    if not named and not reasons_given:
        checker.done()
    try:
        with write_transaction(db.session):
            document = lock_document(document)
            require(actor, Action.ENDORSEMENT_GIVE, document)  # the status may have changed meanwhile
            party = actor.party  # always the actor's own party: no input can name another
            number = document.current_number if number is None else number
            if number > document.current_number:
                raise Invalid(N_("That revision does not exist."), {
                    **checker.errors,
                    "revision": f"There is no revision {number}; the latest is {document.current_number}."})
            revisions = {r.number: r for r in db.session.scalars(
                select(Revision).where(Revision.document_id == document.id,
                                       Revision.number.in_({number, document.current_number}))
                .options(undefer(Revision.clause_keys)))}
            endorsed = revisions[number]
            stances = _check_scope(checker, keys_of(endorsed), named, reasons_given) if named or reasons_given else []
            checker.done()
            live = db.session.scalars(select(Endorsement).where(
                Endorsement.document_id == document.id, Endorsement.party_id == party.id,
                Endorsement.ended_at.is_(None))).first()
            if (live is not None and live.revision_number == number and live.statement == text
                    and _same_scope(live, stances)):
                return EndorseOutcome(live, created=False)
            if live is not None:
                _end(live, actor, "superseded")
                db.session.flush()  # free the one-live-row slot before inserting its successor
            body = storage.body_of(endorsed)
            endorsement = Endorsement(document_id=document.id, party_id=party.id, revision_number=number,
                                      endorsed_by_id=actor.id, statement=text, stances=stances,
                                      content_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest())
            staleness.store(endorsement, staleness.grade_against(endorsement, endorsed,
                                                                 revisions[document.current_number]),
                            document.current_number)
            db.session.add(endorsement)
            db.session.flush()  # the partial unique index fires here if another lead of the party won
            replaced = f" (in place of revision {live.revision_number})" if live is not None else ""
            summary = f"{party.name} endorsed revision {number} of '{document.title}'{_scope_words(stances)}{replaced}"
            audit.record(actor, "endorsement.give", endorsement, summary, document=document.slug,
                         party=party.slug, revision=number,
                         superseded=live.id if live is not None else None,
                         sections={s.clause_key: s.stance for s in stances} or None)
            enqueue_document(document)
            ensure_watching(actor, document)
            notify(document, actor=actor, kind="endorsement", message=summary,
                   url=local_path("endorsements.record", {"slug": document.slug}))
    except IntegrityError:
        raise Conflict(N_("Another lead of your party endorsed this document at the same moment. "
                          "Reload the page to see where your party stands.")) from None
    return EndorseOutcome(endorsement, created=True, superseded=live)


def _scope_words(stances: Sequence[EndorsementStance]) -> str:
    """" by section (2 endorsed, 1 with reservations, 1 objection)" for a scoped endorsement, else ""."""
    if not stances:
        return ""
    counts = {stance: sum(1 for s in stances if s.stance == stance) for stance in STANCES}
    words = {"endorse": "endorsed", "reservations": "with reservations", "object": "objected to"}
    parts = [f"{counts[stance]} {words[stance]}" for stance in STANCES if counts[stance]]
    return f" by section ({', '.join(parts)})"


def withdraw_endorsement(actor: Any, endorsement: Endorsement) -> None:
    """End a live endorsement (``end_reason="withdrawn"``); the row stays in the record.

    Allowed to a lead of the endorsing party and to admins. Audited (``endorsement.withdraw``) and
    notified to watchers in the same transaction. Raises Unauthorized/Forbidden, or Conflict when the
    endorsement has already ended (withdrawn or superseded meanwhile).
    """
    if not endorsement.is_live:
        raise _already_ended(endorsement)
    require(actor, Action.ENDORSEMENT_WITHDRAW, endorsement)
    with write_transaction(db.session):
        document = lock_document(endorsement.document)
        db.session.refresh(endorsement)  # read it again under the lock: it may have ended meanwhile
        if not endorsement.is_live:
            raise _already_ended(endorsement)
        require(actor, Action.ENDORSEMENT_WITHDRAW, endorsement)
        _end(endorsement, actor, "withdrawn")
        enqueue_document(document)
        party = endorsement.party
        summary = (f"{party.name}'s endorsement of revision {endorsement.revision_number} of "
                   f"'{document.title}' was withdrawn by {getattr(actor, 'name', 'someone')}")
        audit.record(actor, "endorsement.withdraw", endorsement, summary, document=document.slug,
                     party=party.slug, revision=endorsement.revision_number)
        notify(document, actor=actor, kind="endorsement", message=summary,
               url=local_path("endorsements.record", {"slug": document.slug}))


# --- internals -------------------------------------------------------------------------------------------

# One whole sentence per way of ending (END_REASONS), so that the catalogue can hold each.
_ALREADY_ENDED = {
    "withdrawn": N_("This endorsement has already ended (withdrawn). Reload the page to see where the party "
                    "stands."),
    "superseded": N_("This endorsement has already ended (superseded). Reload the page to see where the party "
                     "stands."),
}


def _already_ended(endorsement: Endorsement) -> Conflict:
    return Conflict(_ALREADY_ENDED.get(endorsement.end_reason or "")
                    or f"This endorsement has already ended ({endorsement.end_reason}). "
                       "Reload the page to see where the party stands.")


def _end(endorsement: Endorsement, actor: Any, reason: str) -> None:
    endorsement.ended_at = utcnow()
    endorsement.ended_by_id = getattr(actor, "id", None)
    endorsement.end_reason = reason


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md_inline(text: str) -> str:
    """Names and titles as literal Markdown text (no accidental emphasis, links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def demote_headings(markdown: str, levels: int) -> str:
    """Move every top-level ATX and setext heading ``levels`` down (capped at 6), leaving fenced code
    alone, so that a document's own headings nest under the section that holds it."""
    out: list[str] = []
    fence: str | None = None
    lines = markdown.split("\n")
    for line in lines:
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opened:
            fence = opened.group(1)
            out.append(line)
            continue
        atx = _ATX.match(line)
        if atx:
            level = min(len(atx.group(2)) + levels, 6)
            out.append(atx.group(1) + "#" * level + line[atx.end():])
            continue
        underline = _SETEXT.match(line)
        previous = out[-1] if out else ""
        if underline and _is_paragraph_line(previous):
            level = min((1 if underline.group(1)[0] == "=" else 2) + levels, 6)
            out[-1] = "#" * level + " " + previous.strip()
            continue
        out.append(line)
    return "\n".join(out)


_NOT_PARAGRAPH = re.compile(r"^( {4}|\t| {0,3}(>|[-*+]([ \t]|$)|[0-9]{1,9}[.)]([ \t]|$)|#))")


def _is_paragraph_line(line: str) -> bool:
    """Whether ``line`` can be the text of a setext heading (so the next line underlines it): a plain,
    non-blank top-level line, not a list item, quote, code, heading or thematic break."""
    return bool(line.strip()) and not _NOT_PARAGRAPH.match(line) and not _SETEXT.match(line) \
        and not re.match(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$", line)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
_ID_ATTRIBUTE = re.compile(r'(\sid=")')
_FRAGMENT_LINK = re.compile(r'(\shref="#)')


def _fit_html(html: str, *, prefix: str, top: int) -> str:
    levels = [int(level) for _slash, level in _HEADING_TAG.findall(html)]
    shift = top - min(levels) if levels else 0
    html = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", html)
    html = _ID_ATTRIBUTE.sub(lambda m: m.group(1) + prefix, html)
    return _FRAGMENT_LINK.sub(lambda m: m.group(1) + prefix, html)
