"""Handing out clause keys for a new revision: the pure rule shared by saves and by the migration that
gave every existing revision its keys.

A key is a short string (the document's clause counter in base 36) that a clause keeps for as long as
matching (policyhub.text.clauses.match_blocks) recognises it from one revision to the next: through edits,
moves, splits and merges, and back again after a deletion (a clause re-added later takes its old key).
Keys are never reused within a document: the counter only grows.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from policyhub.text.clauses import Block, match_blocks

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def key_for(number: int) -> str:
    """The key of the ``number``-th clause of a document (1 -> "1", 36 -> "10"): base 36, short."""
    if number < 1:
        raise ValueError("clause numbers start at 1")
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
    return out


@dataclass(frozen=True)
class Event:
    """One clause's change in the new revision (see policyhub.documents.models.ClauseEvent)."""

    key: str
    kind: str  # added, edited, moved, split, merged, removed, restored
    text: str
    origin: str | None = None


@dataclass(frozen=True)
class KeyPlan:
    keys: list[str]  # one per block of the new text, in order
    events: list[Event]  # only the clauses that changed, moved, appeared or went
    counter: int  # the document's clause counter after this revision
    changed: set[str] = field(default_factory=set)  # keys whose words changed, or that appeared or went


def plan_keys(old: Sequence[tuple[str, Block]], new: Sequence[Block], counter: int,
              retired: Sequence[tuple[str, str]] = ()) -> KeyPlan:
    """Keys for the blocks ``new`` of a revision whose predecessor had the keyed blocks ``old``.

    ``retired`` are (key, last text) of clauses removed in earlier revisions, so that a clause re-added
    takes its key back. ``counter`` is the highest key number handed out so far in the document.
    """
    matching = match_blocks(old, new, retired)
    old_text = {key: block.text for key, block in old}
    keys: list[str] = []
    events: list[Event] = []
    for block, match in zip(new, matching.matches):
        if match.key is None:
            counter += 1
            key = key_for(counter)
            kind = "split" if match.how == "split" else "added"
            events.append(Event(key, kind, block.text, match.origin if match.how == "split" else None))
        else:
            key = match.key
            if match.how == "restored":
                events.append(Event(key, "restored", block.text))
            elif block.text != old_text.get(key):
                events.append(Event(key, "edited", block.text))
            elif match.how == "moved":
                events.append(Event(key, "moved", block.text))
        keys.append(key)
    for absorbed, into in matching.merged.items():
        events.append(Event(absorbed, "merged", old_text[absorbed], into))
    for key in matching.removed:
        events.append(Event(key, "removed", old_text[key]))
    changed = {event.key for event in events if event.kind != "moved"}
    return KeyPlan(keys=keys, events=events, counter=counter, changed=changed)
