"""Compact deltas between two texts, made from a diff's ops: the storage form of a revision.

A delta keeps the lengths of the runs the new text shares with the old one (``=n``) and of the runs it
drops (``-n``), and the text it inserts, length-prefixed (``+n:text``), so that inserted text may hold
any character, the delta's own markers included. Lengths count code points (Python ``str`` lengths),
which every database returns unchanged, whatever the bytes they take on disk.

    =1203-5+7:ballots=88

``apply`` checks that the delta consumes its base exactly: a delta applied to the wrong base, or a
damaged one, raises ValueError instead of producing some other text.

``stored_form`` is the rule for a chain of revisions: revision 1 and every 50th after it (51, 101, ...) keep
their full text, so that rebuilding any revision applies at most 49 deltas; the others keep a delta from the
revision before them, unless the delta would not be much smaller than the text itself.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

_RUN = re.compile(r"([=+-])([0-9]+)")

SNAPSHOT_EVERY = 50


class StoredForm(NamedTuple):
    """How one revision's text is stored: exactly one of the two is set."""

    snapshot: str | None
    delta: str | None


def is_chain_start(number: int) -> bool:
    """Whether revision ``number`` always keeps its full text (1, 51, 101, ...)."""
    return number % SNAPSHOT_EVERY == 1


def chain_start(number: int) -> int:
    """The revision at or below ``number`` that always keeps its full text: no chain reaches below it."""
    return number - (number - 1) % SNAPSHOT_EVERY


def stored_form(number: int, text: str, ops: Iterable[tuple[str, str]]) -> StoredForm:
    """The stored form of revision ``number``, whose ``text`` ``ops`` (the diff from the revision before it)
    produce."""
    if not is_chain_start(number):
        delta = encode(ops)
        # A delta near the text's own size (a rewrite) saves little and costs a step on every rebuild.
        if 2 * len(delta) <= len(text):
            return StoredForm(None, delta)
    return StoredForm(text, None)


def encode(ops: Iterable[tuple[str, str]]) -> str:
    """The delta that turns the old text of a diff into its new text.

    ``ops`` are ``(op, text)`` pairs as policyhub.text.diffing makes them: "equal" and "delete" texts
    concatenate to the old text, "equal" and "insert" texts to the new one. Empty ops are left out and
    neighbouring ops of one kind are joined, so the delta is the same however the diff was cut.
    """
    parts: list[str] = []
    kind, length, inserted = "", 0, []
    for op, text in ops:
        if op not in ("equal", "delete", "insert"):
            raise ValueError(f"unknown diff op {op!r}")
        if not text:
            continue
        if op != kind:
            parts.append(_run(kind, length, inserted))
            kind, length, inserted = op, 0, []
        length += len(text)
        if op == "insert":
            inserted.append(text)
    parts.append(_run(kind, length, inserted))
    return "".join(parts)


def _run(kind: str, length: int, inserted: list[str]) -> str:
    if not length:
        return ""
    if kind == "insert":
        return f"+{length}:{''.join(inserted)}"
    return f"{'=' if kind == 'equal' else '-'}{length}"


def runs(delta: str) -> Iterator[tuple[str, int, str]]:
    """The runs of ``delta`` in order, as ``(kind, length, inserted)``: kind "=", "-" or "+", and for "+" the
    text it inserts ("" for the others). Raises ValueError, on reaching it, where the delta is malformed."""
    read = 0
    while read < len(delta):
        match = _RUN.match(delta, read)
        if match is None:
            raise ValueError(f"malformed delta at offset {read}")
        kind, length = match.group(1), int(match.group(2))
        read = match.end()
        if kind != "+":
            yield kind, length, ""
            continue
        if delta[read:read + 1] != ":" or read + 1 + length > len(delta):
            raise ValueError(f"malformed insertion at offset {match.start()}")
        yield kind, length, delta[read + 1:read + 1 + length]
        read += 1 + length


def apply(base: str, delta: str) -> str:
    """The text ``delta`` makes of ``base``. Raises ValueError when the delta is malformed or was not made
    from a text of ``base``'s length."""
    pieces: list[str] = []
    position = 0
    for kind, length, inserted in runs(delta):
        if kind == "+":
            pieces.append(inserted)
            continue
        if position + length > len(base):
            raise ValueError("the delta runs past the end of its base text")
        if kind == "=":
            pieces.append(base[position:position + length])
        position += length
    if position != len(base):
        raise ValueError(f"the delta covers {position} of its base text's {len(base)} characters")
    return "".join(pieces)
