"""Attribution ("blame") of a text, passage by passage, to the revision that wrote it.

An ``Attribution`` holds, for one revision's text, a run for every passage: its length, the number of the
revision that introduced it, and where it stood in that revision's text (its *origin*). Walking a document's
history is replaying its edit scripts: text an edit keeps keeps its attribution, text it inserts belongs to
the new revision, text it drops is gone. Two edit scripts are understood:

- the word diffs of policyhub.text.diffing (``(op, text)`` pairs): changes cover whole words, so
  attribution is at word level;
- the stored deltas of policyhub.text.delta (``=n``, ``-n``, ``+n:text``), which are those same word diffs
  encoded, so that a history stored as deltas is replayed without diffing anything.

Neighbouring runs of one revision are joined only when they were neighbours in that revision's text too, so
every span is a passage that revision's text holds as it is (``body[origin:origin + length]``). Two
passages a revision wrote apart, brought together later by a deletion between them, stay two spans.

Consequences worth knowing (they follow from replaying edits, and are intended):
- a revert restores the old text by inserting it again, so the restored words belong to the revert
  revision, whose author chose to bring them back;
- a passage moved elsewhere is a deletion plus an insertion: it belongs to the revision that moved it;
- a word changed, even by one letter, belongs to the revision that changed it.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from policyhub.text.delta import runs as delta_runs
from policyhub.text.diffing import diff_words

_WORD = re.compile(r"\w+")

Run = tuple[int, int, int]  # (length, revision number, origin: offset in that revision's text)
Edit = tuple[str, int]  # ("=", n) keep, ("-", n) drop, ("+", n) insert n characters of the new text


@dataclass(frozen=True)
class Span:
    """Characters ``start:end`` of a text, introduced by revision ``number``, in whose text they stood at
    ``origin:origin + (end - start)``."""

    start: int
    end: int
    number: int
    origin: int

    @property
    def length(self) -> int:
        return self.end - self.start


class Attribution:
    """Who wrote which characters of one text. Immutable: each edit makes a new one."""

    __slots__ = ("_runs", "length")

    def __init__(self, runs: Sequence[Run] = ()) -> None:
        self._runs: tuple[Run, ...] = tuple(runs)
        self.length: int = sum(run[0] for run in self._runs)

    @classmethod
    def new(cls, text: str, number: int) -> Attribution:
        """The attribution of a first revision: all of ``text`` is revision ``number``'s."""
        return cls([(len(text), number, 0)] if text else [])

    @classmethod
    def from_spans(cls, spans: Iterable[Span]) -> Attribution:
        """Back from ``spans()`` (which must cover their text from 0, in order, without gaps)."""
        runs: list[Run] = []
        position = 0
        for span in spans:
            if span.start != position or span.end < span.start:
                raise ValueError(f"spans must follow each other without gaps: one starts at {span.start}, "
                                 f"expected {position}")
            _append(runs, span.length, span.number, span.origin)
            position = span.end
        return cls(runs)

    def spans(self) -> list[Span]:
        """The spans, in text order; they cover the text exactly."""
        spans, position = [], 0
        for length, number, origin in self._runs:
            spans.append(Span(position, position + length, number, origin))
            position += length
        return spans

    def numbers(self) -> set[int]:
        """The revisions that wrote some of the text."""
        return {run[1] for run in self._runs}

    def pieces(self, text: str) -> list[tuple[str, int]]:
        """``text`` (the attributed text) cut into (passage, revision number) pairs."""
        if len(text) != self.length:
            raise ValueError(f"the text has {len(text)} characters; the attribution covers {self.length}")
        pieces, position = [], 0
        for length, number, _origin in self._runs:
            pieces.append((text[position:position + length], number))
            position += length
        return pieces

    def after_ops(self, ops: Iterable[tuple[str, str]], number: int) -> Attribution:
        """The attribution of the new text of a word diff (``(op, text)`` pairs from the old text, which this
        attributes, to the new one) made by revision ``number``."""
        return self._replay(_edits_of_ops(ops), number)

    def after_delta(self, delta: str, number: int) -> Attribution:
        """The attribution of the text that revision ``number``'s stored ``delta`` makes of this one's."""
        return self._replay(edits_of_delta(delta), number)

    def _replay(self, edits: Iterable[Edit], number: int) -> Attribution:
        runs = self._runs
        ends = list(accumulate(run[0] for run in runs))
        out: list[Run] = []
        read = written = 0
        for kind, length in edits:
            if not length:
                continue
            if kind == "=":
                if read + length > self.length:
                    raise ValueError("the edit keeps more text than there is")
                _keep(out, runs, ends, read, read + length)
                read += length
                written += length
            elif kind == "-":
                read += length
            else:
                _append(out, length, number, written)
                written += length
        if read != self.length:
            raise ValueError(f"the edit covers {read} of the text's {self.length} characters")
        return Attribution(out)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attribution) and self._runs == other._runs

    def __hash__(self) -> int:
        return hash(self._runs)

    def __len__(self) -> int:
        """How many runs (spans) it holds."""
        return len(self._runs)

    def __repr__(self) -> str:
        return f"Attribution({list(self._runs)!r})"


def attribute(previous: Sequence[Span], old: str, new: str, number: int) -> list[Span]:
    """The spans of ``new``, written by revision ``number`` on ``old`` (whose spans are ``previous``): text
    kept keeps its attribution, inserted text is ``number``'s."""
    return Attribution.from_spans(previous).after_ops(diff_words(old, new), number).spans()


def edits_of_delta(delta: str) -> Iterator[Edit]:
    """The edit script a stored delta (policyhub.text.delta) encodes. Raises ValueError when it is malformed."""
    for kind, length, _inserted in delta_runs(delta):
        yield kind, length


def word_count(text: str) -> int:
    """Words in ``text`` (runs of letters and digits: punctuation and spaces are not words)."""
    return len(_WORD.findall(text))


def _edits_of_ops(ops: Iterable[tuple[str, str]]) -> Iterator[Edit]:
    for op, text in ops:
        if op == "equal":
            yield "=", len(text)
        elif op == "delete":
            yield "-", len(text)
        elif op == "insert":
            yield "+", len(text)
        else:
            raise ValueError(f"unknown diff op {op!r}")


def _append(out: list[Run], length: int, number: int, origin: int) -> None:
    """Add a run, joining it to the last one when both are one passage of the same revision."""
    if length <= 0:
        return
    if out:
        last_length, last_number, last_origin = out[-1]
        if last_number == number and last_origin + last_length == origin:
            out[-1] = (last_length + length, number, last_origin)
            return
    out.append((length, number, origin))


def _keep(out: list[Run], runs: Sequence[Run], ends: list[int], start: int, end: int) -> None:
    """Copy the attribution of characters ``start:end`` of the old text (``ends``: each run's end offset)."""
    first = bisect_right(ends, start)  # the run holding character ``start``
    last = bisect_left(ends, end)  # the run holding character ``end - 1``
    length, number, origin = runs[first]
    offset = start - (ends[first] - length)
    if first == last:
        _append(out, end - start, number, origin + offset)
        return
    _append(out, length - offset, number, origin + offset)
    if last > first + 1:
        # Whole runs in between were joined already as far as they can be; only the first may join ``out``.
        _append(out, *runs[first + 1])
        out.extend(runs[first + 2:last])
    length, number, origin = runs[last]
    _append(out, end - ends[last - 1], number, origin)
