"""Graded staleness of endorsements, and each party's stance on each clause.

An endorsement is pinned to one revision; once the text moves on, how much that matters is graded by
comparing the endorsed revision's clauses with the current revision's, clause key by clause key:

- ``current``: the endorsed revision is the current one;
- ``cosmetic``: the whole text still has the same words (``policyhub.text.clauses.words``): only
  whitespace, punctuation or Markdown formatting changed, a heading level included;
- ``outside_scope``: a scoped endorsement none of whose clauses changed its words, appeared in, left, or
  moved between its named sections since;
- ``substantive``: anything else (for a whole-document endorsement: any change of words).

Only ``substantive`` asks the lead to review again; the endorsement *holds* otherwise. The grade and the
changed clause keys of the endorsement's scope are written on the endorsement in the transaction of every
save (``regrade``, a ``revision_created`` receiver), so that reading them costs nothing; ``grade`` computes
them (without writing) for a row graded against an older revision, e.g. one made before grading existed.

A scoped endorsement names clause keys of its revision (usually headings, i.e. sections) with a stance each.
The stance on a clause is the stance of the innermost named scope holding it (``section_scope``); clauses in
no named scope are ``not_reviewed`` by that party. A whole-document endorsement endorses every clause.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import undefer

from policyhub.accounts.models import User
from policyhub.documents import storage
from policyhub.documents.clauses import Clause, keyed_blocks
from policyhub.documents.models import Document, Revision
from policyhub.documents.services import revision_created
from policyhub.endorsements.models import Endorsement
from policyhub.endorsements.red_lines import possessive
from policyhub.errors import N_
from policyhub.extensions import db
from policyhub.notifications.services import local_path, notify, shorten
from policyhub.parties.models import Membership
from policyhub.text.clauses import Block, section_scope, words
from policyhub.text.diff_html import inline_html
from policyhub.text.diffing import diff_words

if TYPE_CHECKING:
    from policyhub.parties.models import Party

GradeName = Literal["current", "cosmetic", "outside_scope", "substantive"]
GRADES: tuple[GradeName, ...] = ("current", "cosmetic", "outside_scope", "substantive")
HOLDING: frozenset[str] = frozenset({"current", "cosmetic", "outside_scope"})
ClauseStance = Literal["endorse", "reservations", "object", "not_reviewed", "stale"]
CLAUSE_STANCES: tuple[ClauseStance, ...] = ("endorse", "reservations", "object", "not_reviewed", "stale")

# How each grade reads on the pages (the API uses the names); marked for the catalogue, translated where shown.
GRADE_WORDS: dict[str, str] = {
    "current": N_("current"),
    "cosmetic": N_("cosmetic changes since (no review needed)"),
    "outside_scope": N_("changes outside the endorsed sections"),
    "substantive": N_("stale: review"),
}


@dataclass(frozen=True)
class Grade:
    """How stale an endorsement is against the current text. ``changed_keys``: the clause keys of its
    scope (the whole document when unscoped) whose words changed, that were added into the scope or moved
    between its sections, or that were removed, since the endorsed revision; new text's order first, then
    removed keys. Empty unless ``substantive`` (and empty then only when the keys cannot be told)."""

    staleness: GradeName
    changed_keys: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return self.staleness in HOLDING

    @property
    def needs_review(self) -> bool:
        return self.staleness == "substantive"

    @property
    def words(self) -> str:
        return GRADE_WORDS[self.staleness]


CURRENT = Grade("current")


# --- one revision's text, prepared once for every endorsement compared with it ---------------------------

class _Text:
    """A revision's keyed blocks, with the words of each clause and of the whole body computed on demand,
    once, however many endorsements are compared with it."""

    def __init__(self, body: str, keyed: Sequence[tuple[str, Block]]) -> None:
        self.body = body
        self.keys = [key for key, _block in keyed]
        self.blocks = [block for _key, block in keyed]
        self.text = {key: block.text for key, block in keyed}
        self._words: dict[str, tuple[str, ...]] = {}
        self._body_words: tuple[str, ...] | None = None
        # A revision saved before clauses existed, or whose keys do not fit its blocks, has no keyed blocks:
        # its changes cannot be told clause by clause.
        self.unkeyed = not keyed and bool(body.strip())

    @classmethod
    def of(cls, revision: Revision) -> "_Text":
        return cls(storage.body_of(revision), keyed_blocks(revision))

    def words_of(self, key: str) -> tuple[str, ...]:
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = words(self.text[key])
        return found

    @property
    def body_words(self) -> tuple[str, ...]:
        if self._body_words is None:
            self._body_words = words(self.body)
        return self._body_words


def owners(blocks: Sequence[Block], keys: Sequence[str], named: Iterable[str]) -> dict[str, str]:
    """Clause key -> the innermost named key whose scope holds it (clauses in no named scope are absent).

    Sections nest or are apart, so of two named scopes holding a clause the inner one starts later: walking
    named clauses in text order, a later scope overwrites an earlier one."""
    named = set(named)
    owner: dict[str, str] = {}
    for index, key in enumerate(keys):
        if key in named:
            for inside in section_scope(blocks, index):
                owner[keys[inside]] = key
    return owner


def _compare(named: Iterable[str], old: _Text, new: _Text) -> Grade:
    """The grade of an endorsement naming ``named`` clause keys (none: the whole document) of ``old``,
    against ``new``."""
    if old.body_words == new.body_words:
        return Grade("cosmetic")
    if old.unkeyed or new.unkeyed:
        return Grade("substantive")
    named = set(named)
    if named:
        old_owner = owners(old.blocks, old.keys, named)
        new_owner = owners(new.blocks, new.keys, named)
        in_new = [key for key in new.keys if key in old_owner or key in new_owner]
        gone = [key for key in old.keys if key in old_owner and key not in new.text]
        changed = [key for key in in_new
                   if key not in old.text or old_owner.get(key) != new_owner.get(key)
                   or old.words_of(key) != new.words_of(key)]
        changed += gone
        return Grade("substantive", changed) if changed else Grade("outside_scope")
    changed = [key for key in new.keys if key not in old.text or old.words_of(key) != new.words_of(key)]
    changed += [key for key in old.keys if key not in new.text]
    return Grade("substantive", changed)


def _named(endorsement: Endorsement) -> list[str]:
    return [stance.clause_key for stance in endorsement.stances]


def _revisions(document_id: int, numbers: Iterable[int]) -> dict[int, Revision]:
    """Revisions of a document by number, with their clause keys, in one query."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    return {revision.number: revision for revision in db.session.scalars(
        select(Revision).where(Revision.document_id == document_id, Revision.number.in_(wanted))
        .options(undefer(Revision.clause_keys))
    )}


# --- reading ---------------------------------------------------------------------------------------------

def grade(endorsement: Endorsement, document: Document) -> Grade:
    """How stale ``endorsement`` is against ``document``'s current revision. The stored grade when it was
    made against that revision (every save writes it); otherwise computed from the two revisions' clauses,
    and not written (a read never writes)."""
    return grades(document, [endorsement])[endorsement.id]


def _stored(endorsement: Endorsement, document: Document) -> Grade | None:
    if endorsement.revision_number == document.current_number:
        return CURRENT
    if endorsement.graded_number == document.current_number and endorsement.staleness in GRADES:
        return Grade(endorsement.staleness, list(endorsement.changed_keys or []))  # type: ignore[arg-type]
    return None


def grades(document: Document, endorsements: Sequence[Endorsement]) -> dict[int, Grade]:
    """Endorsement id -> ``grade``, for several endorsements of ``document`` (a record, live and ended):
    stored grades cost nothing, the others one query for all the revisions they need."""
    found: dict[int, Grade] = {}
    pending: list[Endorsement] = []
    for endorsement in endorsements:
        stored = _stored(endorsement, document)
        if stored is None:
            pending.append(endorsement)
        else:
            found[endorsement.id] = stored
    if pending:
        numbers = {endorsement.revision_number for endorsement in pending} | {document.current_number}
        texts = {number: _Text.of(revision) for number, revision in _revisions(document.id, numbers).items()}
        new = texts.get(document.current_number)
        for endorsement in pending:
            old = texts.get(endorsement.revision_number)
            # A revision number that does not exist: nothing can be said to hold.
            found[endorsement.id] = (_compare(_named(endorsement), old, new) if old is not None and new is not None
                                     else Grade("substantive"))
    return found


def holds(endorsement: Endorsement, document: Document) -> bool:
    """Whether ``endorsement`` still stands for the current text: current, cosmetic or outside its scope."""
    return grade(endorsement, document).holds


def clause_blocks(clauses: Sequence[Clause]) -> list[Block]:
    return [Block(kind=c.kind, start=c.start, end=c.end, line=c.line, level=c.level, text=c.text)  # type: ignore[arg-type]
            for c in clauses]


def stance_of(endorsement: Endorsement, clauses: Sequence[Clause], key: str) -> str:
    """``endorsement``'s stance on clause ``key`` of its revision, whose clauses are ``clauses``: "endorse"
    for a whole-document endorsement; else the stance of the innermost named scope holding the clause, or
    "not_reviewed" when none does."""
    named = {stance.clause_key: stance.stance for stance in endorsement.stances}
    if not named:
        return "endorse"
    owner = owners(clause_blocks(clauses), [c.key for c in clauses], named).get(key)
    return named[owner] if owner is not None else "not_reviewed"


def clause_stances(document: Document, current_clauses: Sequence[Clause], live_endorsements: Sequence[Endorsement],
                   parties: Sequence[Party]) -> dict[str, dict[str, str]]:
    """Clause key -> party slug -> stance, for every clause of the current text and every party in order.

    "not_reviewed" when the party has no live endorsement or the clause is outside its named sections;
    "stale" for a clause of its scope whose words changed, or that was added into (or moved within) its
    scope, since the endorsed revision; otherwise the recorded stance ("endorse" for every clause of a
    whole-document endorsement). Uses the stored grades (no query) and only the objects passed in.
    A cosmetic or outside-scope change makes nothing stale.
    """
    keys = [clause.key for clause in current_clauses]
    blocks: list[Block] | None = None
    by_party = {e.party_id: e for e in live_endorsements if e.is_live and e.document_id == document.id}
    table: dict[str, dict[str, str]] = {key: {} for key in keys}
    for party in parties:
        endorsement = by_party.get(party.id)
        if endorsement is None:
            for key in keys:
                table[key][party.slug] = "not_reviewed"
            continue
        graded = grade(endorsement, document)
        stale = set(graded.changed_keys)
        unknown = graded.needs_review and not stale  # the changes cannot be told apart: all of the scope
        named = {stance.clause_key: stance.stance for stance in endorsement.stances}
        if not named:
            for key in keys:
                table[key][party.slug] = "stale" if key in stale or unknown else "endorse"
            continue
        if blocks is None:
            blocks = clause_blocks(current_clauses)
        owner = owners(blocks, keys, named)
        for key in keys:
            if key in stale or (unknown and key in owner):
                table[key][party.slug] = "stale"
            else:
                table[key][party.slug] = named[owner[key]] if key in owner else "not_reviewed"
    return table


@dataclass(frozen=True)
class ClauseChange:
    """One changed clause of an endorsement's scope, for the review prompt: its text then and now (None
    where it did not exist) and the word diff between them as HTML."""

    key: str
    kind: str  # "added", "removed" or "changed"
    section: str | None  # the text of the heading it sits under now (or sat under), for orientation
    old: str | None
    new: str | None
    diff_html: Markup

    @property
    def anchor(self) -> str:
        return f"c-{self.key}"


def review(endorsement: Endorsement, document: Document, *, limit: int = 50) -> list[ClauseChange]:
    """The clauses a substantively stale ``endorsement`` should be reviewed on, at most ``limit``, in the
    current text's order then removed ones: only the changed clauses of its scope, each with its old and
    new text and their word diff. Empty when the endorsement holds. Two queries at most."""
    graded = grade(endorsement, document)
    if not graded.needs_review or not graded.changed_keys:
        return []
    revisions = _revisions(document.id, (endorsement.revision_number, document.current_number))
    old_revision, new_revision = revisions.get(endorsement.revision_number), revisions.get(document.current_number)
    if old_revision is None or new_revision is None:
        return []
    old, new = _Text.of(old_revision), _Text.of(new_revision)
    headings = {**_headings(old), **_headings(new)}
    changes: list[ClauseChange] = []
    for key in graded.changed_keys[:limit]:
        before, after = old.text.get(key), new.text.get(key)
        kind = "added" if before is None else "removed" if after is None else "changed"
        changes.append(ClauseChange(key=key, kind=kind, section=headings.get(key), old=before, new=after,
                                    diff_html=inline_html(diff_words(before or "", after or ""))))
    return changes


def _headings(text: _Text) -> dict[str, str]:
    """Clause key -> the text of the innermost heading above or at it (for headings: itself)."""
    found: dict[str, str] = {}
    headings = [index for index, block in enumerate(text.blocks) if block.kind == "heading"]
    for index in headings:
        for inside in section_scope(text.blocks, index):
            found[text.keys[inside]] = text.blocks[index].text.lstrip("#").strip()
    return found


# --- writing ---------------------------------------------------------------------------------------------

def store(endorsement: Endorsement, graded: Grade, number: int) -> None:
    """Write ``graded`` (made against revision ``number``) on the endorsement; inside a write transaction."""
    endorsement.staleness = graded.staleness
    endorsement.graded_number = number
    endorsement.changed_keys = list(graded.changed_keys)


def grade_against(endorsement: Endorsement, endorsed: Revision, current: Revision) -> Grade:
    """The grade of ``endorsement`` (of revision ``endorsed``) against ``current``, computed now."""
    if endorsed.number == current.number:
        return CURRENT
    return _compare(_named(endorsement), _Text.of(endorsed), _Text.of(current))


def regrade(revision: Revision, *, document: Document, previous: Revision | None = None, actor: Any = None,
            **_: Any) -> None:
    """``revision_created`` receiver, inside the save's transaction: grade every live endorsement of
    ``document`` against the new ``revision`` and store it. Each endorsed revision is read and split once
    (the previous one usually needs no query: the save has just read it). An endorsement that this revision
    made substantively stale (it was not before) is told to its party's leads (``notify_stale``)."""
    live = list(db.session.scalars(
        select(Endorsement).where(Endorsement.document_id == document.id, Endorsement.ended_at.is_(None))
    ))
    if not live:
        return
    new = _Text.of(revision)
    texts: dict[int, _Text] = {}
    if previous is not None:
        texts[previous.number] = _Text.of(previous)
    missing = {e.revision_number for e in live} - set(texts) - {revision.number}
    for number, old in _revisions(document.id, missing).items():
        texts[number] = _Text.of(old)
    newly_stale: list[tuple[Endorsement, Grade]] = []
    for endorsement in live:
        number = endorsement.revision_number
        if number == revision.number:
            graded = CURRENT
        elif number in texts:
            graded = _compare(_named(endorsement), texts[number], new)
        else:
            graded = Grade("substantive")
        was = endorsement.staleness
        store(endorsement, graded, revision.number)
        if graded.needs_review and was != "substantive":
            newly_stale.append((endorsement, graded))
    if newly_stale:
        notify_stale(newly_stale, document=document, revision=revision, actor=actor)


def notify_stale(stale: Sequence[tuple[Endorsement, Grade]], *, document: Document, revision: Revision,
                 actor: Any) -> int:
    """Inside the save's transaction: tell the leads of each party whose endorsement ``revision`` made
    substantively stale (approved lead memberships of active accounts; never the actor), once, when it
    becomes stale: later saves while it stays stale say nothing more. Returns how many were written."""
    party_ids = sorted({endorsement.party_id for endorsement, _graded in stale})
    leads: dict[int, list[int]] = {}
    for party_id, user_id in db.session.execute(
        select(Membership.party_id, Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.party_id.in_(party_ids), Membership.state == "approved", Membership.role == "lead",
               User.deactivated_at.is_(None))
    ):
        leads.setdefault(party_id, []).append(user_id)
    url = local_path("endorsements.record", {"slug": document.slug})
    title = shorten(document.title)
    written = 0
    for endorsement, graded in stale:
        recipients = leads.get(endorsement.party_id)
        if not recipients:
            continue
        count = len(graded.changed_keys)
        what = (f"{count} clause{'' if count == 1 else 's'} changed" if count else "its text changed")
        message = (f"{possessive(endorsement.party.name)} endorsement of '{title}' is stale: {what} in "
                   f"revision {revision.number}")
        written += notify(document, actor=actor, kind="stale", message=message, url=url, only=recipients)
    return written


revision_created.connect(regrade)
