"""Diff ops as HTML: inline (one flow of text) and side by side (one row per paragraph pair).

Text is escaped before it is marked up, and the markup carries classes only (diff-ins, diff-del),
never inline styles. Change groups are numbered from 1 in document order, the same numbering as
`diffing.number_change_groups`, so "change-N" ids support previous/next navigation.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from markupsafe import Markup, escape

from policyhub.text.diffing import DiffOp, Op, number_change_groups, split_paragraphs

_MARKUP: dict[Op, Markup] = {
    "insert": Markup('<ins class="diff-ins"{}>{}</ins>'),
    "delete": Markup('<del class="diff-del"{}>{}</del>'),
}


def inline_html(ops: Sequence[DiffOp]) -> Markup:
    """The new text with insertions in <ins class="diff-ins"> and deletions in <del class="diff-del">.

    The first element of change group N carries id="change-N". Newlines are kept as they are:
    show the result in a `white-space: pre-wrap` container.
    """
    parts = []
    previous = None
    for (op, text), number in zip(ops, number_change_groups(ops)):
        first_of_group = number is not None and number != previous
        parts.append(_mark(op, text, f"change-{number}" if first_of_group else None))
        previous = number
    return Markup("").join(parts)


def _mark(op: Op, text: str, element_id: str | None = None) -> Markup:
    if op == "equal":
        return escape(text)
    id_attribute = Markup(' id="{}"').format(element_id) if element_id else Markup("")
    # Markup.format escapes its arguments: the text can never become markup.
    return _MARKUP[op].format(id_attribute, text)


@dataclass(frozen=True)
class SideBySideRow:
    """One paragraph pair: the old side with deletions marked, the new side with insertions marked.

    `change_number` is the number of the first change group that starts in this row (None when the
    row is unchanged, or only continues a change begun in an earlier row), so that each change-N
    id names exactly one row.
    """

    old_html: Markup
    new_html: Markup
    changed: bool
    change_number: int | None


def side_by_side(ops: Sequence[DiffOp]) -> list[SideBySideRow]:
    """Rows of paragraph pairs, paragraphs being split on blank lines as in `split_paragraphs`.

    A row ends where both texts are at a paragraph boundary, so a paragraph deleted or inserted
    whole gets a row of its own (with an empty other side), and a change that merges or splits
    paragraphs keeps the pieces that belong together in one row. The blank lines that end a
    row's paragraphs are left out of its cells, unless they are all that changed.
    """
    old_ends = _paragraph_ends("".join(text for op, text in ops if op != "insert"))
    new_ends = _paragraph_ends("".join(text for op, text in ops if op != "delete"))
    rows: list[SideBySideRow] = []
    row = _RowBuilder()
    old_position = new_position = 0
    started = 0  # the highest change group number seen so far
    for (op, text), number in zip(ops, number_change_groups(ops)):
        starts_group = number is not None and number > started
        started = max(started, number or 0)
        for piece in _cut_at_paragraph_ends(op, text, old_position, new_position, old_ends, new_ends):
            row.add(op, piece, number if starts_group else None)
            starts_group = False
            old_position += len(piece) if op != "insert" else 0
            new_position += len(piece) if op != "delete" else 0
            if old_position in old_ends and new_position in new_ends:
                rows.append(row.build())
                row = _RowBuilder()
    if not row.empty:
        rows.append(row.build())
    return rows


def _paragraph_ends(text: str) -> list[int]:
    """Offsets where paragraphs end (and 0, where the first starts), ascending."""
    return [0, *accumulate(len(paragraph) for paragraph in split_paragraphs(text))]


def _cut_at_paragraph_ends(op: Op, text: str, old_position: int, new_position: int,
                           old_ends: list[int], new_ends: list[int]) -> list[str]:
    """Split an op's text wherever its side(s) reach a paragraph end, so rows can end there."""
    cuts: set[int] = set()
    if op != "insert":
        cuts.update(_ends_inside(old_ends, old_position, len(text)))
    if op != "delete":
        cuts.update(_ends_inside(new_ends, new_position, len(text)))
    bounds = [0, *sorted(cuts), len(text)]
    return [text[start:stop] for start, stop in zip(bounds, bounds[1:])]


def _ends_inside(ends: list[int], position: int, length: int) -> list[int]:
    """Paragraph ends strictly inside (position, position + length), relative to position."""
    first, last = bisect_right(ends, position), bisect_left(ends, position + length)
    return [end - position for end in ends[first:last]]


@dataclass
class _RowBuilder:
    old: list[tuple[Op, str]] = field(default_factory=list)
    new: list[tuple[Op, str]] = field(default_factory=list)
    change_number: int | None = None
    changed: bool = False

    @property
    def empty(self) -> bool:
        return not self.old and not self.new

    def add(self, op: Op, text: str, starts_change: int | None) -> None:
        if op != "insert":
            _append(self.old, op, text)
        if op != "delete":
            _append(self.new, op, text)
        self.changed = self.changed or op != "equal"
        if self.change_number is None:
            self.change_number = starts_change

    def build(self) -> SideBySideRow:
        return SideBySideRow(
            old_html=_cell(self.old),
            new_html=_cell(self.new),
            changed=self.changed,
            change_number=self.change_number,
        )


def _append(pieces: list[tuple[Op, str]], op: Op, text: str) -> None:
    # An op cut at paragraph ends is still one change: keep it in one element.
    if pieces and pieces[-1][0] == op:
        pieces[-1] = (op, pieces[-1][1] + text)
    else:
        pieces.append((op, text))


def _cell(pieces: list[tuple[Op, str]]) -> Markup:
    if pieces:
        # The blank lines that end a paragraph only pad the cell; a change made of nothing but
        # blank lines stays, or it would be invisible.
        op, text = pieces[-1]
        pieces = [*pieces[:-1], (op, text.rstrip(" \t\n") or text)]
    return Markup("").join(_mark(op, text) for op, text in pieces)
