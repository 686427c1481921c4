"""Word diffs, diff statistics and three-way merge: the only module that knows diff-match-patch.

How a diff is computed, and why:

1. Paragraphs first. Each text is cut into paragraphs (a paragraph keeps the blank lines that end
   it), every distinct paragraph becomes one character (diff-match-patch's line-mode trick), and the
   two character strings are aligned. Unchanged paragraphs, most of a typical revision, never
   reach the word level.
2. Words inside changed runs only. The deleted and inserted paragraphs of each changed run are
   cut into tokens (words, runs of punctuation, newlines, runs of other whitespace), encoded the
   same way and aligned, so a change always covers whole tokens: "cat" -> "dog" is one deletion
   and one insertion, never character fragments.
3. Each alignment anchors on tokens that occur exactly once on each side and appear in the same
   order (patience diff), then runs diff-match-patch's exact Myers diff (Diff_Timeout = 0: no
   time-dependent answers) only on the stretches between anchors. Plain Myers is quadratic in the
   size of the difference: 1,000 paragraphs with 30% rewritten took 140 ms at the paragraph level
   alone, where the anchors take about 2 ms.
4. A stretch whose two sides share less than half of their words is a rewrite, shown as one
   deletion and one insertion; aligning it word by word only produces confetti (matching "the"
   and "of") at quadratic cost. As a last resort, a fixed work budget per diff bounds the cost of
   hostile input (long texts made of a handful of repeated words): once spent, the remaining
   stretches are also replaced wholesale. The result is always exact; only its granularity
   depends on the input, never on the clock.
5. Word-level results get diff-match-patch's semantic clean-up, still on token characters, which
   folds tiny equalities between changes into the change so that the diff reads as edits.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from typing import Literal, NamedTuple, TypeVar

from diff_match_patch import diff_match_patch

Op = Literal["equal", "insert", "delete"]
DiffOp = tuple[Op, str]

_DELETE, _EQUAL, _INSERT = -1, 0, 1
_OP_NAMES: dict[int, Op] = {_DELETE: "delete", _EQUAL: "equal", _INSERT: "insert"}
_CodedOp = tuple[int, str]
_Kind = TypeVar("_Kind")

# A paragraph ends after a line break followed by one or more blank (or blank-looking) lines.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# Combining marks belong to the word they decorate (decomposed accents, Indic vowel signs).
_WORD_CHARS = r"\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_TOKEN = re.compile(rf"[{_WORD_CHARS}]+|[^{_WORD_CHARS}\s]+|\n|[^\S\n]+")
_WORD_RUN = re.compile(rf"[{_WORD_CHARS}]+")
# Places that are token boundaries whatever the context: a change between word and non-word
# characters, or between whitespace and non-whitespace. Symmetric, so it works on reversed text.
_BOUNDARY = re.compile(
    rf"(?<=[{_WORD_CHARS}])(?=[^{_WORD_CHARS}])|(?<=[^{_WORD_CHARS}])(?=[{_WORD_CHARS}])"
    r"|(?<=\s)(?=\S)|(?<=\S)(?=\s)"
)

# Units are (tokens on both sides of a stretch)**2, the worst-case cost of Myers on it; at 10 to
# 100 ns per unit measured, this bounds the exact-diff work of one diff to 0.02-0.2 s. Realistic
# revisions of 256 KB use under 100,000 (a third of the words changed in every paragraph).
_MYERS_BUDGET = 2_000_000

# Surrogates are not characters one can safely put in a str that diff-match-patch slices.
_SURROGATES_START, _SURROGATES_SIZE = 0xD800, 0x800
_MAX_CODE_POINT = 0x10FFFF


def split_paragraphs(text: str) -> list[str]:
    """Cut text into paragraphs, each keeping the blank-line separator that ends it.

    The pieces concatenate back to the text exactly. A paragraph ends at a newline followed by at
    least one line that holds only spaces or tabs.
    """
    pieces, start = [], 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        pieces.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def diff_words(old: str, new: str) -> list[DiffOp]:
    """Diff two texts by whole words, aligning paragraphs first.

    Exact: the equal and delete texts concatenate to `old`, the equal and insert texts to `new`.
    No op has empty text and no two neighbouring ops have the same kind. Changes cover whole
    tokens (words, punctuation runs, whitespace); a passage that shares less than half of its
    words with its counterpart is shown as deleted and inserted whole.
    """
    if old == new:
        return [("equal", old)] if old else []
    return _Differ().diff(old, new)


@dataclass(frozen=True)
class DiffStats:
    """Size of a diff: words added and removed, and the number of separate changes."""

    added_words: int
    removed_words: int
    changes: int


def diff_stats(ops: Sequence[DiffOp]) -> DiffStats:
    """Count whitespace-separated words inserted and deleted, and the change groups.

    A change group is a maximal run of non-equal ops (a replacement is one change).
    """
    numbers = number_change_groups(ops)
    return DiffStats(
        added_words=sum(len(text.split()) for op, text in ops if op == "insert"),
        removed_words=sum(len(text.split()) for op, text in ops if op == "delete"),
        changes=max((n for n in numbers if n is not None), default=0),
    )


def number_change_groups(ops: Sequence[DiffOp]) -> list[int | None]:
    """For each op, the 1-based number of the change group it belongs to; None for equal ops."""
    numbers: list[int | None] = []
    current = 0
    previous_was_change = False
    for op, _ in ops:
        is_change = op != "equal"
        if is_change and not previous_was_change:
            current += 1
        numbers.append(current if is_change else None)
        previous_was_change = is_change
    return numbers


@dataclass(frozen=True)
class Conflict:
    """One region both sides changed differently: its text in the base, in ours and in theirs."""

    base: str
    ours: str
    theirs: str


@dataclass(frozen=True)
class MergeResult:
    """The merged text, or None with the conflicts when the two sides' changes collide."""

    text: str | None
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        """True when the merge produced a text (there are no conflicts)."""
        return not self.conflicts


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Three-way merge by words (diff3 rules).

    Each side's changes are hunks over ranges of the base. Hunks from the two sides that overlap,
    or touch, form a conflict unless both sides made the identical change, which is taken once.
    Every other change is applied. Conflicts report whole tokens of each side.

    Touching means that no unchanged word and no line break of the base lies between the two
    hunks; two insertions at the same point touch. Unchanged spaces or punctuation alone do not
    keep changes apart: "Tax land fairly" with "land" -> "wealth" on one side and "and wealth"
    inserted after "land " on the other must not merge into "Tax wealth and wealth fairly".
    """
    ours_hunks = _hunks(diff_words(base, ours))
    theirs_hunks = _hunks(diff_words(base, theirs))
    pieces: list[str] = []
    conflicts: list[Conflict] = []
    position = 0
    for cluster in _clusters(base, ours_hunks, theirs_hunks):
        start, end = cluster.start, cluster.end
        pieces.append(base[position:start])
        ours_region = _apply(base, start, end, cluster.ours)
        theirs_region = _apply(base, start, end, cluster.theirs)
        if ours_region == theirs_region or not cluster.theirs:
            pieces.append(ours_region)
        elif not cluster.ours:
            pieces.append(theirs_region)
        else:
            conflicts.append(Conflict(base=base[start:end], ours=ours_region, theirs=theirs_region))
        position = end
    pieces.append(base[position:])
    if conflicts:
        return MergeResult(text=None, conflicts=tuple(conflicts))
    return MergeResult(text="".join(pieces), conflicts=())


class _Hunk(NamedTuple):
    """One side's change: base[start:end] replaced by text."""

    start: int
    end: int
    text: str


@dataclass
class _Cluster:
    """Hunks of both sides whose base ranges overlap or touch, transitively."""

    start: int
    end: int
    ours: list[_Hunk] = field(default_factory=list)
    theirs: list[_Hunk] = field(default_factory=list)


def _hunks(ops: Iterable[DiffOp]) -> list[_Hunk]:
    hunks = []
    position = 0
    for is_equal, group in groupby(ops, key=lambda op: op[0] == "equal"):
        group_ops = list(group)
        consumed = sum(len(text) for op, text in group_ops if op != "insert")
        if not is_equal:
            inserted = "".join(text for op, text in group_ops if op == "insert")
            hunks.append(_Hunk(position, position + consumed, inserted))
        position += consumed
    return hunks


def _clusters(base: str, ours: list[_Hunk], theirs: list[_Hunk]) -> Iterator[_Cluster]:
    # Sorting by (start, end) and sweeping finds the connected groups, transitively.
    tagged = sorted([(hunk, True) for hunk in ours] + [(hunk, False) for hunk in theirs])
    cluster: _Cluster | None = None
    for hunk, is_ours in tagged:
        if cluster is None or _keeps_apart(base, cluster.end, hunk.start):
            if cluster is not None:
                yield cluster
            cluster = _Cluster(hunk.start, hunk.end)
        cluster.end = max(cluster.end, hunk.end)
        (cluster.ours if is_ours else cluster.theirs).append(hunk)
    if cluster is not None:
        yield cluster


def _keeps_apart(base: str, start: int, end: int) -> bool:
    """Whether unchanged base[start:end] separates two changes: it holds a word or a line break."""
    return start < end and (_WORD_RUN.search(base, start, end) is not None or "\n" in base[start:end])


def _apply(base: str, start: int, end: int, hunks: list[_Hunk]) -> str:
    """base[start:end] with one side's hunks (sorted, non-overlapping, inside it) applied."""
    pieces, position = [], start
    for hunk in hunks:
        pieces += [base[position:hunk.start], hunk.text]
        position = hunk.end
    pieces.append(base[position:end])
    return "".join(pieces)


class _Coder:
    """Maps each distinct token to one character, so diff-match-patch can diff token sequences.

    Codes skip the surrogate range, which leaves 1,112,064 distinct tokens per coder; a 256 KB
    document pair has at most about 270,000.
    """

    def __init__(self, significant_token: Callable[[str], object]) -> None:
        self._codes: dict[str, str] = {}
        self._tokens: dict[str, str] = {}
        self._significant_token = significant_token
        self._significant_codes: set[str] = set()

    def encode(self, tokens: Iterable[str]) -> str:
        codes = self._codes
        return "".join([codes.get(token) or self._add(token) for token in tokens])

    def decode(self, codes: str) -> str:
        return "".join(map(self._tokens.__getitem__, codes))

    def _add(self, token: str) -> str:
        number = len(self._codes)
        if number >= _SURROGATES_START:
            number += _SURROGATES_SIZE
        if number > _MAX_CODE_POINT:
            raise ValueError("text too large to diff: more than 1,112,064 distinct tokens")
        code = chr(number)
        self._codes[token] = code
        self._tokens[code] = token
        if self._significant_token(token):
            self._significant_codes.add(code)
        return code

    def significant(self, codes: str) -> list[str]:
        return [code for code in codes if code in self._significant_codes]

    def shares_little(self, a: str, b: str) -> bool:
        """Whether the significant codes of a and b share under half of the larger set (_shares_little)."""
        if len(a) == 1 == len(b) and a != b:
            # Most stretches between anchors: one word for another, or for punctuation, shares
            # nothing; two different non-words have no significant codes, so not too little.
            return a in self._significant_codes or b in self._significant_codes
        return _shares_little(self.significant(a), self.significant(b))


class _Differ:
    """State for one diff: the diff-match-patch engine, token codes and the work budget."""

    def __init__(self) -> None:
        self._engine = diff_match_patch()
        self._engine.Diff_Timeout = 0
        self._budget = _MYERS_BUDGET

    def diff(self, old: str, new: str) -> list[DiffOp]:
        coder = _Coder(significant_token=lambda paragraph: True)
        coded = self._align(coder.encode(split_paragraphs(old)), coder.encode(split_paragraphs(new)), coder)
        words = _Coder(significant_token=_WORD_RUN.fullmatch)
        ops: list[DiffOp] = []
        for deleted, inserted, unchanged in _runs(coded):
            # As many paragraphs out as in: most likely each one was edited in place, and
            # diffing them pair by pair keeps every word-level diff small.
            pairs = zip(deleted, inserted) if len(deleted) == len(inserted) else [(deleted, inserted)]
            for old_part, new_part in pairs:
                ops += self._diff_words(coder.decode(old_part), coder.decode(new_part), words)
            if unchanged:
                ops.append(("equal", coder.decode(unchanged)))
        return _coalesce(ops)

    def _diff_words(self, old: str, new: str, coder: _Coder) -> list[DiffOp]:
        # Most changed paragraphs differ in a word or two: cutting the common ends at character
        # level (fast) before tokenising (slow) keeps the cost proportional to the change.
        head = self._common_head(old, new)
        tail = self._common_tail(old[head:], new[head:])
        middle = self._diff_tokens(old[head:len(old) - tail], new[head:len(new) - tail], coder)
        return [("equal", old[:head]), *middle, ("equal", old[len(old) - tail:])]

    def _diff_tokens(self, old: str, new: str, coder: _Coder) -> list[DiffOp]:
        # Typically one word replaced by another, or a paragraph rewritten: nothing to align.
        if _shares_little(_WORD_RUN.findall(old), _WORD_RUN.findall(new)):
            return [("delete", old), ("insert", new)]
        coded = self._align(coder.encode(_TOKEN.findall(old)), coder.encode(_TOKEN.findall(new)), coder)
        self._engine.diff_cleanupSemantic(coded)
        return [(_OP_NAMES[op], coder.decode(codes)) for op, codes in coded]

    def _align(self, a: str, b: str, coder: _Coder) -> list[_CodedOp]:
        """Patience-anchored alignment of two coded strings; exact Myers between anchors."""
        return _coalesce(self._with_common_ends(a, b, partial(self._between_anchors, coder=coder)))

    def _between_anchors(self, a: str, b: str, coder: _Coder) -> list[_CodedOp]:
        ops: list[_CodedOp] = []
        i = j = 0
        # The sentinel after the last anchor closes the final gap; its "anchor" slice is empty.
        # This loop runs once per anchor, most words of a revised paragraph: the common ends of
        # a gap are cut here rather than by _with_common_ends, saving two calls per gap.
        for anchor_i, anchor_j in [*_unique_common_anchors(a, b), (len(a), len(b))]:
            gap_a, gap_b = a[i:anchor_i], b[j:anchor_j]
            if gap_a == gap_b:  # most gaps between anchors: a space, or nothing at all
                ops.append((_EQUAL, a[i:anchor_i + 1]))
            else:
                prefix, suffix = self._common_ends(gap_a, gap_b)
                ops.append((_EQUAL, gap_a[:prefix]))
                ops += self._stretch(gap_a[prefix:len(gap_a) - suffix], gap_b[prefix:len(gap_b) - suffix], coder)
                ops.append((_EQUAL, a[anchor_i - suffix:anchor_i + 1]))
            i, j = anchor_i + 1, anchor_j + 1
        return ops

    def _stretch(self, a: str, b: str, coder: _Coder) -> list[_CodedOp]:
        """Diff a stretch between anchors: exactly, unless it is a rewrite or too costly."""
        if not a or not b:
            return [(_DELETE, a), (_INSERT, b)]
        cost = (len(a) + len(b)) ** 2
        if cost > self._budget or coder.shares_little(a, b):
            return [(_DELETE, a), (_INSERT, b)]
        self._budget -= cost
        return self._engine.diff_main(a, b, False)

    def _common_head(self, a: str, b: str) -> int:
        """Length of the common prefix, cut back to a token boundary of both texts."""
        length = self._engine.diff_commonPrefix(a, b)
        if _is_boundary(a, length) and _is_boundary(b, length):
            return length
        # The last boundary inside the prefix is the first one in the reversed prefix (the
        # pattern is symmetric); lookbehind cannot see past the start, so both of its
        # characters lie in the common part and it is a boundary of both texts.
        boundary = _BOUNDARY.search(a[length - 1::-1]) if length else None
        return length - boundary.start() if boundary else 0

    def _common_tail(self, a: str, b: str) -> int:
        """Length of the common suffix, cut forward to a token boundary of both texts."""
        length = self._engine.diff_commonSuffix(a, b)
        if _is_boundary(a, len(a) - length) and _is_boundary(b, len(b) - length):
            return length
        # Searching from one past the start of the common part keeps both characters inside it.
        boundary = _BOUNDARY.search(a, len(a) - length + 1) if length else None
        return len(a) - boundary.start() if boundary else 0

    def _with_common_ends(self, a: str, b: str, diff_middle: Callable[[str, str], list[_CodedOp]]) -> list[_CodedOp]:
        prefix, suffix = self._common_ends(a, b)
        middle = diff_middle(a[prefix:len(a) - suffix], b[prefix:len(b) - suffix])
        return [(_EQUAL, a[:prefix]), *middle, (_EQUAL, a[len(a) - suffix:])]

    def _common_ends(self, a: str, b: str) -> tuple[int, int]:
        """Lengths of the common prefix and of the common suffix of what remains after it."""
        prefix = self._engine.diff_commonPrefix(a, b)
        return prefix, self._engine.diff_commonSuffix(a[prefix:], b[prefix:])


def _shares_little(a: Sequence[Hashable], b: Sequence[Hashable]) -> bool:
    """True when two multisets (of words, or of their codes) share under half of the larger one.

    Callers pass words only: every text shares whitespace and punctuation, which would make any
    two paragraphs look alike.
    """
    # Called for most stretches between anchors, which are short: what the sizes decide, and one
    # item against one or two, need no counting.
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if 2 * len(small) < len(large):  # sharing all of the smaller one would still be too little
        return True
    if len(small) <= 1:
        return bool(small) and 2 * (small[0] in large) < len(large)
    counts = Counter(large)
    shared = 0
    for item, number in Counter(small).items():
        found = counts.get(item, 0)
        shared += min(number, found)
    return 2 * shared < len(large)


def _is_boundary(text: str, position: int) -> bool:
    return position in (0, len(text)) or _BOUNDARY.match(text, position) is not None


def _unique_common_anchors(a: str, b: str) -> list[tuple[int, int]]:
    """Pairs (i, j) with a[i] == b[j] occurring once in each, longest run in the same order."""
    counts_a, counts_b = Counter(a), Counter(b)
    position_in_b = {code: j for j, code in enumerate(b) if counts_b[code] == 1}
    pairs = [
        (i, position_in_b[code])
        for i, code in enumerate(a)
        if counts_a[code] == 1 and code in position_in_b
    ]
    return _longest_increasing(pairs)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of pairs (already increasing in i) that also increases in j.

    Patience sorting, O(n log n): tails[k] is the smallest j ending an increasing run of k + 1.
    """
    j_values = [j for _, j in pairs]
    if j_values == sorted(j_values):  # nothing moved, as in most revisions: all pairs are the run
        return pairs
    tails: list[int] = []
    tail_pair: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        length = bisect_left(tails, j)
        if length:
            previous[index] = tail_pair[length - 1]
        if length == len(tails):
            tails.append(j)
            tail_pair.append(index)
        else:
            tails[length] = j
            tail_pair[length] = index
    chain = []
    index = tail_pair[-1] if tail_pair else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _coalesce(ops: Iterable[tuple[_Kind, str]]) -> list[tuple[_Kind, str]]:
    """Drop empty ops and join neighbours of the same kind (works for coded and named ops)."""
    result: list[tuple[_Kind, str]] = []
    pieces: list[str] = []
    current: _Kind | None = None
    for kind, text in ops:
        if not text:
            continue
        if kind != current:
            if pieces:
                result.append((current, "".join(pieces)))  # type: ignore[arg-type]
            current, pieces = kind, [text]
        else:
            pieces.append(text)
    if pieces:
        result.append((current, "".join(pieces)))  # type: ignore[arg-type]
    return result


def _runs(ops: list[_CodedOp]) -> Iterator[tuple[str, str, str]]:
    """Yield (deleted, inserted, following unchanged) for each change run; either may be empty."""
    deleted: list[str] = []
    inserted: list[str] = []
    for op, codes in ops:
        if op == _EQUAL:
            yield "".join(deleted), "".join(inserted), codes
            deleted, inserted = [], []
        else:
            (deleted if op == _DELETE else inserted).append(codes)
    if deleted or inserted:
        yield "".join(deleted), "".join(inserted), ""
