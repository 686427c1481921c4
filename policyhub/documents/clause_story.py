"""One clause's story: its text now (or its fate), where it came from, everything that happened to it, and
which parties endorsed it while it stood (the clause page, policyhub.documents.views_clauses).

Everything is read from the clause's own events (ClauseEvent rows, written with each revision) plus a fixed
number of bulk reads, however long its history: the revisions its events name with their authors, the
amendments those revisions came from, and the document's endorsement record.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from policyhub.accounts.models import User
from policyhub.documents import clauses
from policyhub.documents.models import ClauseEvent, Document, Revision
from policyhub.errors import NotFound
from policyhub.extensions import db
from policyhub.text.diff_html import inline_html
from policyhub.text.diffing import diff_words
from policyhub.text.clauses import Block, section_scope, split_blocks
from policyhub.text.rendering import render

if TYPE_CHECKING:  # the amendments and endorsements packages build on documents: imported where used
    from policyhub.amendments.models import Amendment
    from policyhub.endorsements.models import Endorsement

GONE = ("removed", "merged")
_CHANGE_ID = re.compile(r' id="change-[0-9]+"')  # after these the clause is no longer in the text
WHOLE_DOCUMENT = "endorse"  # a whole-document endorsement's stance on every clause


@dataclass(frozen=True)
class Step:
    """One event of the clause's history with what it needs to be shown."""

    event: ClauseEvent
    revision: Revision | None  # None only if the revision row is missing (never, short of damage)
    amendment: Amendment | None
    before: str  # the clause's text before this event ("" when it was not in the text)
    after: str  # after it ("" once removed or merged away)

    @property
    def diff(self) -> Markup:
        """The word diff from ``before`` to ``after``, escaped and marked up (diff-ins / diff-del). Without
        inline_html's change-N ids: a clause page shows many diffs, and ids must stay unique."""
        return Markup(_CHANGE_ID.sub("", inline_html(diff_words(self.before, self.after))))

    @property
    def changed_text(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Origin:
    """How the clause entered the text: the revision, its author, and the amendment it came through (whose
    proposer is ``amendment.author`` and decider ``amendment.decided_by``), or None for a direct edit."""

    step: Step
    split_from: str | None  # the key of the clause it was split from
    split_from_label: str | None  # that clause's label in the revision of the split

    @property
    def revision(self) -> Revision | None:
        return self.step.revision

    @property
    def amendment(self) -> Amendment | None:
        return self.step.amendment


@dataclass(frozen=True)
class EndorsementOfClause:
    """An endorsement of a revision holding the clause, with the endorsing party's stance on the clause."""

    endorsement: Endorsement
    stance: str  # endorse, reservations, object, not_reviewed
    reason: str

    @property
    def is_live(self) -> bool:
        return self.endorsement.is_live


@dataclass(frozen=True)
class ClauseStory:
    document: Document
    key: str
    current: clauses.Clause | None  # the clause in the current revision; None once removed or merged away
    last: clauses.Clause | None  # the clause in the last revision that held it (== current while it stands)
    last_text: str  # its current text, or the last text it had
    html: Markup  # ``last_text`` rendered
    origin: Origin
    steps: list[Step]  # oldest first
    endorsements: list[EndorsementOfClause]  # newest first
    fate: Step | None  # the removal or merge, when the clause is gone
    merged_into: clauses.Clause | None  # for a merge: the absorbing clause in the revision that merged it

    @property
    def anchor(self) -> str:
        return f"c-{self.key}"

    @property
    def label(self) -> str:
        return self.last.label if self.last is not None else _("clause %(key)s", key=self.key)

    @property
    def restorations(self) -> list[Step]:
        return [step for step in self.steps if step.event.kind == "restored"]


def clause_story(document: Document, key: str) -> ClauseStory:
    """Everything known about clause ``key`` of ``document``. Raises NotFound for a key it never had."""
    events = clauses.history(document, key)
    gone = events[-1].number if events[-1].kind in GONE else None
    wanted = {event.number for event in events} | {document.current_number}
    revisions = revisions_by_number(document, wanted | ({gone - 1} if gone and gone > 1 else set()))
    if document.current_number not in revisions:
        raise NotFound(f"'{document.title}' has no revision {document.current_number}.")
    amendments = amendments_by_number(document, {revision.amendment_number for revision in revisions.values()
                                                 if revision.amendment_number})
    steps = _steps(events, revisions, amendments)
    current = _find(revisions[document.current_number], key)
    fate = steps[-1] if steps[-1].event.kind in GONE else None
    last, merged_into = current, None
    if fate is not None:
        gone_in = fate.revision
        before_it = revisions.get(fate.event.number - 1)
        last = _find(before_it, key) if before_it is not None else None
        if fate.event.kind == "merged" and fate.event.origin and gone_in is not None:
            merged_into = _find(gone_in, fate.event.origin)
    # Gone: the text it had when it went. Standing but unreadable in the current revision (keys that do not
    # fit its blocks): the text its last event recorded.
    last_text = current.text if current is not None else steps[-1].before if fate else steps[-1].after
    entry = steps[0]
    split_from = entry.event.origin if entry.event.kind == "split" else None
    parent = _find(entry.revision, split_from) if split_from and entry.revision is not None else None
    origin = Origin(step=entry, split_from=split_from, split_from_label=parent.label if parent else None)
    return ClauseStory(
        document=document, key=key, current=current, last=last, last_text=last_text,
        html=_rendered(last_text), origin=origin, steps=steps,
        endorsements=_endorsements_of(document, key, events), fate=fate, merged_into=merged_into,
    )


def revisions_by_number(document: Document, numbers: Iterable[int]) -> dict[int, Revision]:
    """The document's revisions with these numbers, with their clause keys, authors and the authors'
    parties: two queries."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    found = db.session.scalars(
        select(Revision).where(Revision.document_id == document.id, Revision.number.in_(wanted))
        .options(undefer(Revision.clause_keys)))
    return {revision.number: revision for revision in found}


def amendments_by_number(document: Document, numbers: Iterable[int]) -> dict[int, Amendment]:
    """The document's amendments with these numbers, with proposer and decider (and their parties)."""
    from policyhub.amendments.models import Amendment
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    found = db.session.scalars(
        select(Amendment).where(Amendment.document_id == document.id, Amendment.number.in_(wanted))
        .options(selectinload(Amendment.decided_by).selectinload(User.membership)))
    return {amendment.number: amendment for amendment in found}


def is_alive_at(events: Sequence[ClauseEvent], number: int) -> bool:
    """Whether the clause whose events (oldest first) these are is in the text of revision ``number``."""
    state = None
    for event in events:
        if event.number > number:
            break
        state = event.kind
    return state is not None and state not in GONE


def stance_on(endorsement: Endorsement, key: str, endorsed: Revision | None) -> tuple[str, str]:
    """``endorsement``'s stance on clause ``key`` of the revision it endorsed, with the reason given.

    A whole-document endorsement endorses every clause; a scoped one takes the stance of the innermost
    named scope holding the clause, "not_reviewed" when none does (policyhub.endorsements.staleness).
    """
    if not endorsement.is_scoped:
        return WHOLE_DOCUMENT, ""
    if endorsed is None:
        return "not_reviewed", ""
    from policyhub.endorsements.staleness import stance_of
    stance = stance_of(endorsement, clauses.clauses_of(endorsed), key)
    named = _innermost(endorsement, clauses.keyed_blocks(endorsed), key)
    return stance, (named.reason or "") if named is not None and named.stance == stance else ""


# --- internals -------------------------------------------------------------------------------------------

def _rendered(text: str) -> Markup:
    """The clause's text as HTML; a heading clause moved down to h3, under the page's own h1 and h2."""
    from policyhub.endorsements.services import demote_headings
    blocks = split_blocks(text)
    if blocks and blocks[0].kind == "heading" and blocks[0].level < 3:
        text = demote_headings(text, 3 - blocks[0].level)
    return Markup(render(text).html)


def _find(revision: Revision, key: str) -> clauses.Clause | None:
    try:
        return clauses.get_clause(revision, key)
    except NotFound:
        return None


def _steps(events: Sequence[ClauseEvent], revisions: dict[int, Revision],
           amendments: dict[int, Any]) -> list[Step]:
    steps: list[Step] = []
    text, last_text = "", ""
    for event in events:
        revision = revisions.get(event.number)
        amendment = amendments.get(revision.amendment_number) if revision and revision.amendment_number else None
        if event.kind in GONE:
            before, after = text, ""
        elif event.kind == "restored":
            # Shown against the text it had when it went, so a restoration with changes shows them.
            before, after = last_text, event.text
        else:
            before, after = text, event.text
        steps.append(Step(event=event, revision=revision, amendment=amendment, before=before, after=after))
        text = after
        if after:
            last_text = after
    return steps


def _endorsements_of(document: Document, key: str, events: Sequence[ClauseEvent]) -> list[EndorsementOfClause]:
    """The endorsements of revisions holding the clause, newest first, with each one's stance on it."""
    from policyhub.endorsements.services import endorsement_record
    record = [endorsement for endorsement in endorsement_record(document)
              if is_alive_at(events, endorsement.revision_number)]
    scoped = {endorsement.revision_number for endorsement in record if endorsement.is_scoped}
    endorsed = revisions_by_number(document, scoped)
    found = []
    for endorsement in record:
        stance, reason = stance_on(endorsement, key, endorsed.get(endorsement.revision_number))
        found.append(EndorsementOfClause(endorsement=endorsement, stance=stance, reason=reason))
    return found


def _innermost(endorsement: Endorsement, keyed: list[tuple[str, Block]], key: str) -> Any:
    """The stance row (with its reason) of the innermost named scope of ``endorsement`` that holds clause
    ``key`` (scopes nest, so it is the one that starts last), or None."""
    keys = [each for each, _block in keyed]
    if key not in keys:
        return None
    index = keys.index(key)
    blocks = [block for _key, block in keyed]
    best, best_start = None, -1
    for item in endorsement.stances:
        if item.clause_key not in keys:
            continue
        start = keys.index(item.clause_key)
        if start > best_start and index in section_scope(blocks, start):
            best, best_start = item, start
    return best
