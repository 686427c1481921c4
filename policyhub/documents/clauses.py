"""Clauses: the blocks of a revision (headings, paragraphs, list items) under keys that survive edits.

Every save matches the new text's blocks to the previous revision's (policyhub.text.clauses) and stores
the result twice: the keys of all blocks on the revision (``Revision.clause_keys``), and one ClauseEvent per
clause that the revision added, edited, moved, split, merged, removed or restored, which is each clause's
own history. Both are written in the save's transaction; a clause's key is its permalink (``#c-<key>``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from policyhub.documents.models import ClauseEvent, Document, Revision
from policyhub.errors import NotFound
from policyhub.extensions import db
from policyhub.text.clause_keys import KeyPlan, plan_keys
from policyhub.text.clauses import Block, sections, split_blocks
from policyhub.text.rendering import Parsed


@dataclass(frozen=True)
class Clause:
    """One clause of one revision. ``position`` counts from 1 in document order; ``section`` is the key
    of the heading it sits under (for a heading: the heading above it), or None."""

    key: str
    kind: str
    text: str
    section: str | None
    line: int
    level: int
    start: int
    end: int
    position: int

    @property
    def anchor(self) -> str:
        return f"c-{self.key}"

    @property
    def label(self) -> str:
        """How people cite it: "§3" is the third clause of the text they are reading."""
        return f"§{self.position}"


def keys_of(revision: Revision) -> list[str]:
    """The clause keys of ``revision``'s blocks, in order."""
    return revision.clause_keys.split()


def keyed_blocks(revision: Revision) -> list[tuple[str, Block]]:
    """``revision``'s blocks with their keys. A revision saved before clauses existed, or damaged, whose
    keys do not fit its blocks, gets none rather than wrong ones."""
    blocks = split_blocks(revision.body)
    keys = keys_of(revision)
    return list(zip(keys, blocks)) if len(keys) == len(blocks) else []


def clauses_of(revision: Revision) -> list[Clause]:
    """The clauses of ``revision`` in document order."""
    keyed = keyed_blocks(revision)
    blocks = [block for _key, block in keyed]
    parents = sections(blocks)
    return [Clause(key=key, kind=block.kind, text=block.text,
                   section=keyed[parent][0] if parent is not None else None,
                   line=block.line, level=block.level, start=block.start, end=block.end, position=index + 1)
            for index, ((key, block), parent) in enumerate(zip(keyed, parents))]


def get_clause(revision: Revision, key: str) -> Clause:
    """The clause ``key`` of ``revision``. Raises NotFound when that revision does not hold it."""
    for clause in clauses_of(revision):
        if clause.key == key:
            return clause
    raise NotFound(f"Revision {revision.number} has no clause {key}.")


def history(document: Document, key: str) -> list[ClauseEvent]:
    """Everything that happened to clause ``key``, oldest first. Raises NotFound for a key never used."""
    events = list(db.session.scalars(
        select(ClauseEvent).where(ClauseEvent.document_id == document.id, ClauseEvent.key == key)
        .order_by(ClauseEvent.number)
    ))
    if not events:
        raise NotFound(f"'{document.title}' has no clause {key}.")
    return events


def events_between(document: Document, after: int, upto: int) -> list[ClauseEvent]:
    """The clause events of revisions ``after`` + 1 to ``upto``, in revision order."""
    return list(db.session.scalars(
        select(ClauseEvent)
        .where(ClauseEvent.document_id == document.id, ClauseEvent.number > after, ClauseEvent.number <= upto)
        .order_by(ClauseEvent.number, ClauseEvent.id)
    ))


def _retired(document: Document, keep: set[str]) -> list[tuple[str, str]]:
    """Clauses removed (or merged away) at some point and not in the previous revision: (key, last text),
    so that a clause written again takes its key back."""
    rows = db.session.execute(
        select(ClauseEvent.key, ClauseEvent.text)
        .where(ClauseEvent.document_id == document.id, ClauseEvent.kind.in_(("removed", "merged")))
        .order_by(ClauseEvent.number.desc())
    )
    found: dict[str, str] = {}
    for key, text in rows:
        if key not in keep and key not in found:
            found[key] = text
    return list(found.items())


def plan_for(document: Document, previous: Revision | None, body: str, parsed: Parsed | None = None) -> KeyPlan:
    """The keys of ``body``'s blocks as the revision after ``previous`` (None for a first revision).
    ``parsed``: the body parsed already (the save renders from the same parse)."""
    old = keyed_blocks(previous) if previous is not None else []
    retired = _retired(document, {key for key, _block in old}) if previous is not None else []
    return plan_keys(old, split_blocks(body, parsed), document.clause_counter, retired)


def record(document: Document, number: int, plan: KeyPlan) -> None:
    """Write the plan's events for revision ``number`` (inside the save's transaction). The document's
    clause counter moves with the revision, in the same UPDATE as its current pointer (the caller's)."""
    db.session.add_all(ClauseEvent(document_id=document.id, key=event.key, number=number, kind=event.kind,
                                   text=event.text, origin=event.origin) for event in plan.events)


def keyed(keys: Sequence[str]) -> str:
    return " ".join(keys)
