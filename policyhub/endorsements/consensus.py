"""Decision rules, the clauses × parties matrix and common ground: DESIGN.md's "Consensus" clause by clause.

- A document's **decision rule** is "all" (every party endorses: the default, and DESIGN.md's meaning of
  *agreed*) or "k_of_n" (at least k parties endorse and no party objects). Leads and admins set it
  (``set_rule``); it is stored on the document (``rule_kind``, ``rule_k``).
- A party's **standing** on the whole document, from its live endorsement:
  "endorse"       the endorsement holds (``staleness.holds``: current, or stale only cosmetically or outside
                  its scope) and every clause of the current text is endorsed, with or without reservations
                  (a whole-document endorsement endorses every clause);
  "object"        it holds and objects to at least one current clause;
  "partial"       it holds, objects to nothing, but leaves some current clauses unreviewed;
  "not_reviewed"  it holds but covers no current clause;
  "stale"         it no longer holds (the text changed substantively);
  "none"          the party has no live endorsement.
  Only "endorse" counts towards agreement; "object" also blocks a k-of-n rule.
- **Common ground** is the current text's clauses that every party endorses (stance endorse or
  reservations) at the current text, with the headings of their sections kept for structure. A clause
  whose words changed since a party endorsed it is "stale" for that party, so it is not common ground;
  a clause the change left alone keeps the party's stance (``staleness.clause_stances``).

Everything is computed on read, never stored, from the live endorsements (``services``), the per-clause
stances (``staleness.clause_stances``) and the current text's clauses; a few queries whatever the size.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, select

from policyhub.db import utcnow, write_transaction
from policyhub.documents.clauses import Clause, clauses_of
from policyhub.documents.models import Document, Revision, without_head
from policyhub.documents.services import lock_document
from policyhub.endorsements import services, staleness
from policyhub.endorsements.models import Endorsement
from policyhub.errors import N_, BadRequest, Invalid
from policyhub.extensions import db
from policyhub.notifications.services import local_path, notify
from policyhub.parties import audit
from policyhub.parties.models import Party
from policyhub.parties.services import list_parties
from policyhub.permissions import Action, require
from policyhub.templating import format_datetime
from policyhub.text.excerpt import excerpt

RULE_KINDS = ("all", "k_of_n")
CLAUSE_STANCES = ("endorse", "reservations", "object", "not_reviewed", "stale")
ENDORSING = frozenset({"endorse", "reservations"})
STANDINGS = ("endorse", "object", "partial", "not_reviewed", "stale", "none")


# --- the decision rule -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A document's decision rule: ``kind`` "all", or "k_of_n" with ``k`` (1 or more)."""

    kind: str = "all"
    k: int | None = None

    @classmethod
    def of(cls, document: Document) -> Rule:
        if document.rule_kind == "k_of_n" and document.rule_k:
            return cls("k_of_n", document.rule_k)
        return cls()

    def agrees(self, standings: Iterable[str]) -> bool:
        """Whether parties standing so agree: with no parties nothing is agreed."""
        standings = list(standings)
        if not standings:
            return False
        if self.kind == "k_of_n":
            return standings.count("endorse") >= (self.k or len(standings)) and "object" not in standings
        return all(standing == "endorse" for standing in standings)

    def describe(self, parties: int | None = None) -> str:
        """In words, for pages and notifications: "every party", "at least 2 of 3 parties and no objection"."""
        if self.kind != "k_of_n":
            return "every party endorses"
        of = f" of {parties}" if parties is not None else ""
        noun = "party" if self.k == 1 and parties is None else "parties"
        verb = "endorses" if self.k == 1 else "endorse"
        return f"at least {self.k}{of} {noun} {verb} and no party objects"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "k": self.k}


def _parse_k(value: object) -> int | None:
    """A whole number from the API (int) or a form (digits); BadRequest for other types, None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest(N_("'k' must be an integer."))
    if isinstance(value, int):
        return value
    text = value.strip()
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        raise Invalid(N_("k must be a whole number."), {"k": N_("Enter a whole number of parties.")})
    return int(text)


def set_rule(actor: Any, document: Document, kind: object, k: object = None) -> Rule:
    """Set ``document``'s decision rule: "all" (``k`` ignored) or "k_of_n" with ``k`` from 1 to the number
    of parties. Leads and admins, not on archived documents (``document:set_rule``).

    Setting the rule it already has writes nothing. Otherwise the change, its audit event
    (``document.rule``) and the watchers' notifications are written in one transaction.
    Raises Unauthorized/Forbidden, BadRequest (wrong types) or Invalid (field errors "kind", "k").
    """
    require(actor, Action.DOCUMENT_SET_RULE, document)
    if kind is not None and not isinstance(kind, str):
        raise BadRequest(N_("'kind' must be a string: \"all\" or \"k_of_n\"."))
    number = _parse_k(k) if kind == "k_of_n" else None  # "all" has no k: whatever came with it is ignored
    errors: dict[str, str] = {}
    if kind not in RULE_KINDS:
        errors["kind"] = N_("Choose a rule: every party (\"all\") or k of n parties (\"k_of_n\").")
    parties = len(list_parties())
    if kind == "k_of_n":
        if not parties:
            errors["k"] = N_("There are no parties yet, so no number of them can agree.")
        elif number is None:
            errors["k"] = f"Say how many parties must endorse: from 1 to {parties}."
        elif not 1 <= number <= parties:
            errors["k"] = f"k must be from 1 to {parties}, the number of parties."
    if errors:
        raise Invalid(N_("The decision rule was not changed."), errors)
    rule = Rule("k_of_n", number) if kind == "k_of_n" else Rule()
    with write_transaction(db.session):
        document = lock_document(document)
        require(actor, Action.DOCUMENT_SET_RULE, document)  # the status may have changed meanwhile
        before = Rule.of(document)
        if before == rule:
            return rule
        document.rule_kind, document.rule_k = rule.kind, rule.k
        summary = (f"'{document.title}' is agreed when {rule.describe(parties)} "
                   f"(before: when {before.describe(parties)})")
        audit.record(actor, "document.rule", document, summary, document=document.slug,
                     before=before.as_dict(), after=rule.as_dict())
        notify(document, actor=actor, kind="endorsement", message=summary,
               url=local_path("endorsements.consensus_page", {"slug": document.slug}))
    return rule


# --- the current text's clauses --------------------------------------------------------------------------

class CurrentText(NamedTuple):
    """What ``clauses_of`` reads of a revision (its body and clause keys), for the current revision,
    read straight from the document's head: no revision object, and no rebuilding of the text."""

    number: int
    title: str
    body: str
    clause_keys: str


def current_texts(document_ids: Iterable[int]) -> dict[int, CurrentText]:
    """The current text of each document, in one query (body and keys from one row each, so they agree)."""
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Document.id, Document.current_number, Document.title, Document.body, Revision.clause_keys)
        .join(Revision, and_(Revision.document_id == Document.id, Revision.number == Document.current_number))
        .where(Document.id.in_(ids))
    )
    return {row[0]: CurrentText(row[1], row[2], row[3], row[4] or "") for row in rows}


def current_clauses(document: Document) -> list[Clause]:
    """The clauses of ``document``'s current text. One query."""
    text = current_texts([document.id]).get(document.id)
    return clauses_of(text) if text is not None else []  # type: ignore[arg-type]  # reads .body, .clause_keys


# --- standings and agreement -----------------------------------------------------------------------------

def _needs_clauses(document: Document, live: Sequence[Endorsement]) -> bool:
    """Only a scoped endorsement that still holds needs the current clauses to say what it covers."""
    return any(endorsement.is_scoped and staleness.holds(endorsement, document) for endorsement in live)


def _standing(document: Document, endorsement: Endorsement | None, stances: Iterable[str]) -> str:
    if endorsement is None:
        return "none"
    if not staleness.holds(endorsement, document):
        return "stale"
    if not endorsement.is_scoped:
        return "endorse"
    stances = list(stances)
    if "object" in stances:
        return "object"
    if all(stance in ENDORSING for stance in stances):
        return "endorse"
    return "partial" if any(stance in ENDORSING for stance in stances) else "not_reviewed"


def standings(document: Document, parties: Sequence[Party], live: Sequence[Endorsement],
              clauses: Sequence[Clause] | None = None,
              table: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """Each party's standing on ``document`` (party slug -> one of STANDINGS), in party order. The current
    clauses are read (one query) only when a holding scoped endorsement needs them and none were given."""
    by_party = {endorsement.party_id: endorsement for endorsement in live}
    if table is None and _needs_clauses(document, live):
        clauses = current_clauses(document) if clauses is None else clauses
        table = staleness.clause_stances(document, list(clauses), list(live), list(parties))
    table = table or {}
    return {party.slug: _standing(document, by_party.get(party.id),
                                  (stances.get(party.slug, "not_reviewed") for stances in table.values()))
            for party in parties}


def is_agreed_under_rule(document: Document, *, parties: Sequence[Party] | None = None,
                         live: Sequence[Endorsement] | None = None,
                         clauses: Sequence[Clause] | None = None) -> bool:
    """Whether ``document`` is agreed under its decision rule. "all": every party endorses; "k_of_n": at
    least k parties endorse and none objects. With no parties nothing is agreed. Pass what is loaded."""
    parties = list_parties() if parties is None else parties
    live = services.live_endorsements(document) if live is None else live
    return Rule.of(document).agrees(standings(document, parties, live, clauses).values())


def standings_by_document(documents: Sequence[Document], parties: Sequence[Party],
                          live_by_document: dict[int, list[Endorsement]]) -> dict[int, dict[str, str]]:
    """``standings`` for many documents: the current clauses of those that need them in one query, so the
    cost does not grow with the number of documents."""
    needing = [document.id for document in documents
               if _needs_clauses(document, live_by_document.get(document.id, []))]
    texts = current_texts(needing)
    found: dict[int, dict[str, str]] = {}
    for document in documents:
        text = texts.get(document.id)
        clauses = clauses_of(text) if text is not None else None  # type: ignore[arg-type]
        found[document.id] = standings(document, parties, live_by_document.get(document.id, []),
                                       clauses if clauses is not None else ([] if document.id in needing else None))
    return found


def agreed_by_document(documents: Sequence[Document], parties: Sequence[Party],
                       live_by_document: dict[int, list[Endorsement]]) -> dict[int, bool]:
    """``is_agreed_under_rule`` for many documents, in at most one query (see standings_by_document)."""
    standings = standings_by_document(documents, parties, live_by_document)
    return {document.id: Rule.of(document).agrees(standings[document.id].values()) for document in documents}


# --- the clauses × parties matrix ------------------------------------------------------------------------

@dataclass(frozen=True)
class ClauseRow:
    """One clause of the current text and each party's stance on it (party slug -> stance), with the
    reason a party gave for reservations or an objection."""

    clause: Clause
    stances: dict[str, str]
    reasons: dict[str, str]

    @property
    def common(self) -> bool:
        """Every party endorses it (reservations included)."""
        return bool(self.stances) and all(stance in ENDORSING for stance in self.stances.values())

    @property
    def excerpt(self) -> str:
        return excerpt(self.clause.text, 100)


@dataclass(frozen=True)
class PartySummary:
    """One party's column: its live endorsement, standing, and how many clauses it holds each stance on."""

    party: Party
    endorsement: Endorsement | None
    standing: str
    counts: dict[str, int]

    @property
    def staleness(self) -> str | None:
        return self.endorsement.staleness if self.endorsement is not None else None


@dataclass(frozen=True)
class Consensus:
    """Where every party stands on every clause of ``document``'s current text, and what the rule makes of it."""

    document: Document
    revision: int
    rule: Rule
    agreed: bool
    parties: list[Party]
    rows: list[ClauseRow]
    summaries: list[PartySummary]

    @property
    def endorsing(self) -> int:
        return sum(1 for summary in self.summaries if summary.standing == "endorse")

    @property
    def objecting(self) -> int:
        return sum(1 for summary in self.summaries if summary.standing == "object")

    @property
    def common_count(self) -> int:
        return sum(1 for row in self.rows if row.common)


def _reasons(endorsement: Endorsement, clauses: Sequence[Clause], blocks: Sequence[Any]) -> dict[str, tuple[str, str]]:
    """Clause key -> (stance, reason) under a scoped endorsement: the innermost named scope's, found with
    the same rule as the stances themselves (staleness's owners of each clause)."""
    named = {stance.clause_key: stance for stance in endorsement.stances}
    owners = staleness.owners(blocks, [clause.key for clause in clauses], named)
    return {key: (named[owner].stance, named[owner].reason) for key, owner in owners.items()}


def _rows(document: Document, parties: Sequence[Party], live: Sequence[Endorsement],
          clauses: Sequence[Clause], table: dict[str, dict[str, str]]) -> list[ClauseRow]:
    scoped = [endorsement for endorsement in live if endorsement.is_scoped]
    blocks = staleness.clause_blocks(clauses) if scoped else []
    reasons_by_party = {endorsement.party.slug: _reasons(endorsement, clauses, blocks) for endorsement in scoped}
    rows = []
    for clause in clauses:
        stances = {party.slug: table.get(clause.key, {}).get(party.slug, "not_reviewed") for party in parties}
        reasons = {}
        for slug, stance in stances.items():
            given = reasons_by_party.get(slug, {}).get(clause.key)
            if stance in ("reservations", "object") and given is not None and given[0] == stance and given[1]:
                reasons[slug] = given[1]
        rows.append(ClauseRow(clause, stances, reasons))
    return rows


def consensus(document: Document) -> Consensus:
    """The clauses × parties matrix of ``document``'s current text, each party's standing and clause
    counts, the rule, and whether the document is agreed under it. Four or five queries whatever the size
    of the document or the number of parties."""
    parties = list_parties()
    live = services.live_endorsements(document)
    text = current_texts([document.id]).get(document.id)
    clauses = clauses_of(text) if text is not None else []  # type: ignore[arg-type]
    table = staleness.clause_stances(document, clauses, list(live), parties)
    by_party = {endorsement.party_id: endorsement for endorsement in live}
    found = standings(document, parties, live, clauses, table)
    rows = _rows(document, parties, live, clauses, table)
    summaries = []
    for party in parties:
        counts = dict.fromkeys(CLAUSE_STANCES, 0)
        for row in rows:
            counts[row.stances[party.slug]] = counts.get(row.stances[party.slug], 0) + 1
        summaries.append(PartySummary(party, by_party.get(party.id), found[party.slug], counts))
    rule = Rule.of(document)
    return Consensus(document=document, revision=text.number if text is not None else document.current_number,
                     rule=rule, agreed=rule.agrees(found.values()), parties=parties, rows=rows,
                     summaries=summaries)


# --- common ground ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroundClause:
    """A clause kept in the common ground. ``structure``: a heading kept only because clauses of its
    section are common, not itself endorsed by every party. ``reservations``: (party, reason) pairs."""

    clause: Clause
    structure: bool = False
    reservations: tuple[tuple[Party, str], ...] = ()


@dataclass(frozen=True)
class CommonGround:
    """The common ground of one document: its current revision's clauses that every party endorses."""

    document: Document
    revision: int
    title: str
    parties: list[Party]
    items: list[GroundClause]
    total: int  # clauses in the current text
    compiled_at: datetime

    @property
    def clauses(self) -> list[Clause]:
        """The commonly endorsed clauses (headings kept only for structure left out)."""
        return [item.clause for item in self.items if not item.structure]

    @property
    def with_reservations(self) -> list[GroundClause]:
        return [item for item in self.items if item.reservations]

    @property
    def structure_only(self) -> list[GroundClause]:
        return [item for item in self.items if item.structure]

    @property
    def markdown(self) -> str:
        return _document_markdown(self)


@dataclass(frozen=True)
class AgendaCommonGround:
    """The common ground of every (non-archived) document with at least one common clause."""

    grounds: list[CommonGround]
    documents: int  # documents considered
    parties: list[Party]
    compiled_at: datetime

    @property
    def markdown(self) -> str:
        return _agenda_markdown(self)


def _ground_items(rows: Sequence[ClauseRow], parties: Sequence[Party]) -> list[GroundClause]:
    """The common rows, and the headings whose sections hold one (for structure), in document order."""
    keep = {index for index, row in enumerate(rows) if row.common}
    structure: set[int] = set()
    open_headings: list[int] = []  # the headings enclosing the current clause, outermost first
    for index, row in enumerate(rows):
        clause = row.clause
        if clause.kind == "heading":
            while open_headings and rows[open_headings[-1]].clause.level >= clause.level:
                open_headings.pop()
        if index in keep:
            structure.update(heading for heading in open_headings if heading not in keep)
        if clause.kind == "heading":
            open_headings.append(index)
    by_slug = {party.slug: party for party in parties}
    items = []
    for index, row in enumerate(rows):
        if index in keep:
            reservations = tuple((by_slug[slug], row.reasons.get(slug, ""))
                                 for slug, stance in row.stances.items() if stance == "reservations")
            items.append(GroundClause(row.clause, reservations=reservations))
        elif index in structure:
            items.append(GroundClause(row.clause, structure=True))
    return items


def _ground_of(document: Document, parties: Sequence[Party], live: Sequence[Endorsement],
               text: CurrentText | None, compiled_at: datetime) -> CommonGround:
    clauses = clauses_of(text) if text is not None else []  # type: ignore[arg-type]
    table = staleness.clause_stances(document, clauses, list(live), list(parties)) if parties else {}
    rows = _rows(document, parties, live, clauses, table)
    return CommonGround(document=document, revision=text.number if text is not None else document.current_number,
                        title=text.title if text is not None else document.title, parties=list(parties),
                        items=_ground_items(rows, parties) if parties else [], total=len(clauses),
                        compiled_at=compiled_at)


def common_ground(document: Document) -> CommonGround:
    """The clauses of ``document``'s current text that every party endorses at the current text
    (reservations noted), with the headings of their sections kept for structure. With no parties there
    is no common ground. Four or five queries."""
    parties = list_parties()
    live = services.live_endorsements(document)
    text = current_texts([document.id]).get(document.id)
    return _ground_of(document, parties, live, text, utcnow())


def agenda_common_ground() -> AgendaCommonGround:
    """The common ground of every non-archived document, ordered as the agenda (policy area, title),
    keeping those with at least one common clause. A fixed number of queries: parties, documents, live
    endorsements, and the current texts of the documents every party has a live endorsement of."""
    parties = list_parties()
    compiled_at = utcnow()
    selected = select(Document).where(Document.status != "archived")
    documents = list(db.session.scalars(
        selected.order_by(Document.policy_area, Document.title, Document.id).options(*without_head())))
    if not parties or not documents:
        return AgendaCommonGround([], len(documents), parties, compiled_at)
    live_by_document: dict[int, list[Endorsement]] = {}
    for endorsement in services.live_of(selected):
        live_by_document.setdefault(endorsement.document_id, []).append(endorsement)
    # A clause is common only if every party endorses it, so only documents every party has a live
    # endorsement of can have any: the others' texts are not read.
    candidates = [document for document in documents
                  if _all_endorse_something(parties, live_by_document.get(document.id, []))]
    texts = current_texts(document.id for document in candidates)
    grounds = []
    for document in candidates:
        ground = _ground_of(document, parties, live_by_document[document.id], texts.get(document.id),
                            compiled_at)
        if ground.clauses:
            grounds.append(ground)
    return AgendaCommonGround(grounds, len(documents), parties, compiled_at)


def _all_endorse_something(parties: Sequence[Party], live: Sequence[Endorsement]) -> bool:
    endorsing = {endorsement.party_id for endorsement in live}
    return all(party.id in endorsing for party in parties)


# --- common ground as Markdown ---------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _party_names(parties: Sequence[Party]) -> str:
    names = [services.md_inline(party.name) for party in parties]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _clauses_markdown(ground: CommonGround, levels: int) -> list[str]:
    return [services.demote_headings(item.clause.text, levels).strip("\n") for item in ground.items]


def _notes_markdown(ground: CommonGround, heading: str) -> list[str]:
    lines: list[str] = []
    if ground.with_reservations:
        lines += ["", f"{heading} Reservations", ""]
        for item in ground.with_reservations:
            for party, reason in item.reservations:
                why = services.md_inline(_SPACE.sub(" ", reason).strip()) or "(no reason given)"
                lines.append(f"- {item.clause.label} “{services.md_inline(excerpt(item.clause.text, 60))}”: "
                             f"{services.md_inline(party.name)} has reservations: {why}")
    if ground.structure_only:
        labels = ", ".join(item.clause.label for item in ground.structure_only)
        lines += ["", f"Kept as headings only, to show where the common clauses sit (not themselves "
                      f"endorsed by every party): {labels}."]
    return lines


def _document_markdown(ground: CommonGround) -> str:
    title = services.md_inline(ground.title)
    compiled = format_datetime(ground.compiled_at, "short")
    lines = [f"# Common ground: {title}", ""]
    if not ground.parties:
        lines += [f"Compiled {compiled} from revision {ground.revision}. There are no parties yet, so there is "
                  "no common ground.", ""]
        return "\n".join(lines)
    count = len(ground.clauses)
    lines += [f"Compiled {compiled} from revision {ground.revision} of “{title}”: the {count} of {ground.total} "
              f"clause{'' if ground.total == 1 else 's'} that every party ({_party_names(ground.parties)}) "
              "endorses at the current text. Everything else in the document is left out.", ""]
    if not count:
        lines += ["No clause is endorsed by every party yet.", ""]
        return "\n".join(lines)
    lines += ["---", ""]
    lines.append("\n\n".join(_clauses_markdown(ground, 1)))
    notes = _notes_markdown(ground, "##")
    if notes:
        lines += ["", "---", *notes]
    return "\n".join(lines) + "\n"


def _agenda_markdown(view: AgendaCommonGround) -> str:
    compiled = format_datetime(view.compiled_at, "short")
    lines = ["# Common ground of the agenda", ""]
    if not view.parties:
        lines += [f"Compiled {compiled}. There are no parties yet, so there is no common ground.", ""]
        return "\n".join(lines)
    if not view.grounds:
        lines += [f"Compiled {compiled}. No clause of any document is endorsed by every party yet.", ""]
        return "\n".join(lines)
    noun = "document has" if len(view.grounds) == 1 else "documents have"
    lines += [f"Compiled {compiled}: for each document, the clauses that every party "
              f"({_party_names(view.parties)}) endorses at its current text. {len(view.grounds)} of "
              f"{view.documents} {noun} common ground; everything else is left out.", "",
              "## Contents", ""]
    lines += [f"{n}. {services.md_inline(ground.title)} ({services.md_inline(ground.document.policy_area)})"
              for n, ground in enumerate(view.grounds, 1)]
    for ground in view.grounds:
        lines += ["", "---", "", f"## {services.md_inline(ground.title)}", "",
                  f"- Policy area: {services.md_inline(ground.document.policy_area)}",
                  f"- Revision: {ground.revision}",
                  f"- Common clauses: {len(ground.clauses)} of {ground.total}", ""]
        lines.append("\n\n".join(_clauses_markdown(ground, 2)))
        lines += _notes_markdown(ground, "###")
    return "\n".join(lines) + "\n"
