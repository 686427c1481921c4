"""Clauses: a document split into blocks, and the blocks of a new revision matched to the previous one's.

A clause is one block of a document (a heading, a paragraph, a list item) with a key that survives the
revisions: people endorse or object to clauses, so a clause must keep its key when it is edited, moved,
split or merged, and a new key only when it is really new. Matching goes from the cheap and certain to
the costly and probable: identical texts through a dict, then similar texts among what is left only,
with candidate pairs found through an index of words, so that a long document with a few edits costs
little more than hashing its blocks.
"""
from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from policyhub.text.rendering import BlockLines, Parsed

Kind = Literal["heading", "paragraph", "item"]
How = Literal["unchanged", "edited", "moved", "split", "merged", "restored", "new"]

# Shares of words (see match_blocks). An edit keeps at least half of the larger text's words; a piece
# split off, or a block merged in, brings at least 60% of its own words; a restored clause is close to
# what it was when removed.
EDITED_SIMILARITY = 0.5
CONTAINED_SHARE = 0.6
RESTORED_SIMILARITY = 0.8
# Fewer shared words than this are chance ("the", "of"), never a split or a merge.
_MIN_SHARED = 2

_NEWLINE = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class Block:
    """One block of a document's Markdown: `text` is markdown[start:end] (code points), from its first
    character to its last, without the line break after it; `line` is its first line, 1-based."""

    kind: Kind
    start: int
    end: int
    line: int
    level: int  # heading level 1-6; 0 for paragraphs and items
    text: str


def split_blocks(markdown: str, parsed: Parsed | None = None) -> list[Block]:
    """The blocks of a document in source order, never overlapping (rendering.block_lines says which).
    Pass ``parsed`` when the text is parsed already (rendering.Parsed of the same text).

    Any string gives a list: empty text, NULs, lone surrogates and any line endings included.
    """
    with _recent_lock:
        found = _recent.get(markdown)
        if found is not None:
            _recent.move_to_end(markdown)
            return list(found)
    found = _blocks_at(markdown, (parsed or Parsed(markdown)).block_lines)
    with _recent_lock:
        _recent[markdown] = found
        while len(_recent) > _RECENT:
            _recent.popitem(last=False)
    return list(found)


# A save splits the previous and the new text, and regrading endorsements splits the new text and the
# endorsed ones again; parsing is most of the cost, so the last few texts' blocks are kept.
_RECENT = 8
_recent: OrderedDict[str, tuple[Block, ...]] = OrderedDict()
_recent_lock = threading.Lock()


def _blocks_at(markdown: str, found: Sequence[BlockLines]) -> tuple[Block, ...]:
    if not found:
        return ()
    starts, ends = [0], []
    for line_break in _NEWLINE.finditer(markdown):
        ends.append(line_break.start())
        starts.append(line_break.end())
    ends.append(len(markdown))
    blocks = []
    for kind, first, last, level, column in found:
        start, end = starts[first] + column, ends[last - 1]
        while end > start and markdown[end - 1] in " \t":
            end -= 1
        blocks.append(Block(kind, start, end, first + 1, level, markdown[start:end]))
    return tuple(blocks)


# --- words ---------------------------------------------------------------------------------------------

# Digits keep the separators between them: "1,000" is not "1.000" nor "1000".
_DIGIT_JOIN = r"(?<=\d)[.,:](?=\d)"
# Symbols that are not Markdown syntax but meaning: "x < 5" is not "x > 5", "5%" not "5".
_ASCII_SYMBOLS = "$%<=>"
_QUOTE_PREFIX = re.compile(r"^[ \t]*>(?:[ \t]*>)*", re.MULTILINE)
_SETEXT_EQUALS = re.compile(r"^[ \t]*=+[ \t]*$", re.MULTILINE)
_MAYBE_NUMBERED = re.compile(r"^[ \t]*\d{1,9}[.)](?:[ \t]|$)", re.MULTILINE)
_NUMBERED = re.compile(r"(\d{1,9})[.)](?=[ \t]|$)")
_BULLET = re.compile(r"[-*+](?=[ \t]|$)")
_FENCE = re.compile(r"`{3,}|~{3,}")
_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")


def words(text: str) -> tuple[str, ...]:
    """The substantive words of a text, in order, case kept.

    Runs of letters, digits and combining marks are words, as are the digits' own separators ("3.5")
    and a few symbols of meaning ($ % < = > and non-ASCII symbols such as € ≤ ±). Markdown syntax
    (heading marks, quote marks, list bullets and the numbers of numbered lists, emphasis, backticks,
    brackets, table pipes), other punctuation and whitespace are not. A link's URL is words, so that
    changing where a link goes is a change. Equal words for two texts mean that only layout,
    punctuation or formatting differ. Text is compared in Unicode NFC, so that a composed and a
    decomposed "é" are the same word.
    """
    plain = text.isascii()  # most documents: nothing to normalise, no marks or symbols to look for
    if not plain:
        text = unicodedata.normalize("NFC", text)
    text = _SETEXT_EQUALS.sub("", _QUOTE_PREFIX.sub("", text))
    if _MAYBE_NUMBERED.search(text):
        text = _without_list_numbers(text)
    marks: list[str] = []
    symbols: list[str] = []
    for char in () if plain else set(text):
        if char > "\x7f" and not char.isalnum():
            category = unicodedata.category(char)[0]
            if category == "M":
                marks.append(char)
            elif category == "S":
                symbols.append(char)
    return tuple(_word_pattern("".join(sorted(marks)), "".join(sorted(symbols))).findall(text))


@lru_cache(maxsize=256)
def _word_pattern(marks: str, symbols: str) -> re.Pattern[str]:
    # Python's \w leaves out combining marks (Devanagari vowel signs, decomposed accents): without
    # them "कि" and "का" would be the same word. The text's own marks are added to the class.
    marked = f"|[{re.escape(marks)}]" if marks else ""
    return re.compile(rf"(?:[^\W_]{marked}|{_DIGIT_JOIN})+|[{re.escape(_ASCII_SYMBOLS + symbols)}]")


def _without_list_numbers(text: str) -> str:
    """The text without the numbers of numbered list items ("1." or "1)" starting an item).

    A number starting a line is a list marker only where CommonMark says so: at the start of a
    paragraph, in a list already open, or as "1" (only a list starting at 1 may interrupt a
    paragraph). Elsewhere "1984." starting a wrapped line is text, and stays a word. Fenced and
    indented code keep their numbers.
    """
    lines = _NEWLINE.split(text)
    fence = ""
    in_list, after_break = False, True
    for index, line in enumerate(lines):
        stripped = line.lstrip(" \t")
        indent = len(line) - len(stripped)
        if fence:
            closing = stripped.rstrip(" \t")
            if closing.startswith(fence) and not closing.strip(fence[0]):
                fence, after_break = "", True
            continue
        if not stripped:
            after_break = True
            continue
        opening = _FENCE.match(stripped)
        if opening:
            fence, after_break = opening.group(), True
            continue
        if indent >= 4 and after_break and not in_list:
            continue
        numbered = _NUMBERED.match(stripped)
        if numbered and (after_break or in_list or int(numbered[1]) == 1):
            in_list = True
            lines[index] = stripped[numbered.end():]
        elif _BULLET.match(stripped):
            in_list = True
        elif after_break and not indent:
            in_list = False
        after_break = _ATX.match(stripped) is not None
    return "\n".join(lines)


# --- sections ------------------------------------------------------------------------------------------

def sections(blocks: Sequence[Block]) -> list[int | None]:
    """For each block, the index of the heading it is under: the nearest heading before it, and for a
    heading the nearest one before it of a higher level (smaller number). None where there is none."""
    result: list[int | None] = []
    open_headings: list[int] = []  # indices of the headings enclosing the current point, levels rising
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            while open_headings and blocks[open_headings[-1]].level >= block.level:
                open_headings.pop()
            result.append(open_headings[-1] if open_headings else None)
            open_headings.append(index)
        else:
            result.append(open_headings[-1] if open_headings else None)
    return result


def section_scope(blocks: Sequence[Block], index: int) -> range:
    """The blocks a clause covers: for a heading, itself and everything up to the next heading of the
    same or a higher level; for any other block, itself."""
    block = blocks[index]
    if block.kind != "heading":
        return range(index, index + 1)
    end = index + 1
    while end < len(blocks) and not (blocks[end].kind == "heading" and blocks[end].level <= block.level):
        end += 1
    return range(index, end)


# --- matching ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    """What became of one block of the new revision: the key it keeps (an old or a retired one), or None."""

    key: str | None
    how: How
    origin: str | None = None  # "split": the key of the clause it was split off from


@dataclass(frozen=True)
class Matching:
    matches: list[Match]  # one per new block, in order
    merged: dict[str, str]  # old key absorbed by a merge -> the key that absorbed it
    removed: list[str]  # old keys with no successor at all (not merged), in old order


def match_blocks(
    old: Sequence[tuple[str, Block]], new: Sequence[Block], retired: Sequence[tuple[str, str]] = (),
) -> Matching:
    """Match the blocks of a new revision to the keyed blocks of the previous one.

    In this order, each step taking only what the earlier ones left: identical text (whitespace aside)
    keeps its key, "unchanged" where it keeps its order relative to the other identical blocks and
    "moved" where it does not, repeated texts paired in order; a similar text ("edited": at least half
    the words of the larger of the two shared) keeps the key, most similar pairs first, then the
    nearest; a block with the same words as a retired clause (one removed earlier) takes its key back
    ("restored"); pieces made mostly of one old block's words are a split: the largest keeps the key
    ("edited"), the others are "split" with the old key as origin; old blocks whose words mostly went
    into one new block are merged into it: it keeps the key of the one contributing most ("edited")
    and the others are listed in `merged`; a block close to a retired clause is "restored"; the rest
    is "new". Headings match only headings. No key is given twice; old keys given to no block and not
    merged are `removed`.
    """
    return _Matcher(old, new, retired).run()


def _family(kind: str) -> str:
    # Paragraphs and items are both prose: an item turned into a paragraph is the same clause.
    return "heading" if kind == "heading" else "prose"


def _overlap(one: Counter[str], other: Counter[str]) -> int:
    """Size of the multiset intersection."""
    if len(one) > len(other):
        one, other = other, one
    return sum(min(count, other[word]) for word, count in one.items() if word in other)


class _Words:
    """A block's words as a multiset, computed once."""

    __slots__ = ("counts", "size", "tokens")

    def __init__(self, text: str) -> None:
        self.tokens = words(text)
        self.counts = Counter(self.tokens)
        self.size = len(self.tokens)


class _Index:
    """Blocks by the words they contain, to find the few that may share enough words with a probe.

    Prefix filtering: if a probe of n words must share at least `need` of them, any block that does
    shares one of any n - need + 1 of its words, so looking up only the rarest ones is enough. Past
    _PROBE_WORDS rare words, and for words in a large share of the blocks (in a long document: "the",
    "of"), a block sharing enough words but none of those looked up is so unlikely, and the lists so
    long, that they are not read. Blocks near their old place were all compared already (_LOCAL_PAIRS).
    """

    def __init__(self, entries: Iterable[tuple[int, _Words]]) -> None:
        self.postings: dict[str, list[int]] = defaultdict(list)
        blocks = 0
        for number, entry in entries:
            blocks += 1
            for word in entry.counts:
                self.postings[word].append(number)
        self.common = max(_COMMON_FLOOR, blocks // _COMMON_SHARE)

    def candidates(self, probe: _Words, share: float) -> set[int]:
        if not probe.size:
            return set()
        need = max(1, math.ceil(share * probe.size - 1e-9))
        rarest = sorted(probe.counts, key=lambda word: (len(self.postings.get(word, ())), word))
        found: set[int] = set()
        taken = looked_up = 0
        for word in rarest:  # distinct words, each standing for all its occurrences
            if taken >= probe.size - need + 1 or looked_up >= _PROBE_WORDS:
                break
            postings = self.postings.get(word, ())
            if len(postings) > self.common and looked_up:
                break
            found.update(postings)
            taken += probe.counts[word]
            looked_up += 1
        return found


_PROBE_WORDS = 12
_COMMON_FLOOR, _COMMON_SHARE = 16, 20  # a word in more than max(16, 1/20 of the blocks)
# Between two blocks that kept their place, the few unmatched blocks on each side are compared all
# with all (an edited paragraph is nearly always where it was); larger gaps go to the word index.
_LOCAL_PAIRS = 64


class _Matcher:
    def __init__(self, old: Sequence[tuple[str, Block]], new: Sequence[Block],
                 retired: Sequence[tuple[str, str]]) -> None:
        self.old, self.new, self.retired = old, new, retired
        self.keys = [key for key, _ in old]
        self.key_of: list[str | None] = [None] * len(new)
        self.how: list[How] = ["new"] * len(new)
        self.origin: list[str | None] = [None] * len(new)
        self.kept_by: list[int | None] = [None] * len(old)  # the new block holding this old block's key
        self.exact_old: set[int] = set()
        self.merged: dict[str, str] = {}
        self.used: set[str] = set()
        self._old_words: dict[int, _Words] = {}
        self._new_words: dict[int, _Words] = {}
        self._anchor: list[tuple[int, int]] = []  # per new block: the nearest exact pair at or before it
        self._in_order: list[tuple[int, int]] = []  # exact pairs that kept their order
        self._shared: dict[int, dict[int, int]] = defaultdict(dict)  # new j -> {old i: shared words}

    def run(self) -> Matching:
        self._identical()
        if self._open_new():
            self._similar()
        if self._open_new():
            self._restore(exact=True)
        if self._open_new():
            self._split()
        if any(self.kept_by[i] is None for i in range(len(self.old))):
            self._merge()
        if self._open_new():
            self._restore(exact=False)
        matches = [Match(key, how, origin) for key, how, origin in zip(self.key_of, self.how, self.origin)]
        removed = [key for i, key in enumerate(self.keys) if self.kept_by[i] is None and key not in self.used]
        return Matching(matches=matches, merged=self.merged, removed=list(dict.fromkeys(removed)))

    # -- helpers

    def _open_new(self) -> list[int]:
        return [j for j in range(len(self.new)) if self.key_of[j] is None and self.how[j] == "new"]

    def _give(self, j: int, key: str, how: How, old_index: int | None = None) -> bool:
        if key in self.used:
            return False
        self.used.add(key)
        self.key_of[j], self.how[j] = key, how
        if old_index is not None:
            self.kept_by[old_index] = j
        return True

    def old_words(self, i: int) -> _Words:
        if i not in self._old_words:
            self._old_words[i] = _Words(self.old[i][1].text)
        return self._old_words[i]

    def new_words(self, j: int) -> _Words:
        if j not in self._new_words:
            self._new_words[j] = _Words(self.new[j].text)
        return self._new_words[j]

    def _same_family(self, i: int, j: int) -> bool:
        return _family(self.old[i][1].kind) == _family(self.new[j].kind)

    def _shared_words(self, i: int, j: int) -> int:
        known = self._shared[j].get(i)
        if known is None:
            known = self._shared[j][i] = _overlap(self.new_words(j).counts, self.old_words(i).counts)
        return known

    def _similarity(self, i: int, j: int) -> float:
        larger = max(self.new_words(j).size, self.old_words(i).size)
        return self._shared_words(i, j) / larger if larger else 0.0

    def _distance(self, i: int, j: int) -> int:
        """How far old block i is from where new block j would be expected, given the exact matches."""
        anchor_old, anchor_new = self._anchor[j]
        return abs(i - (anchor_old + j - anchor_new))

    def _pair_most_similar(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Give keys for similar pairs (old i, new j), most similar first, then nearest; one to one."""
        scored = []
        for i, j in pairs:
            if self._same_family(i, j):
                similarity = self._similarity(i, j)
                if similarity >= EDITED_SIMILARITY:
                    scored.append((-similarity, self._distance(i, j), j, i))
        for _, _, j, i in sorted(scored):
            if self.key_of[j] is None and self.kept_by[i] is None:
                self._give(j, self.keys[i], "edited", i)

    # -- steps

    def _identical(self) -> None:
        waiting: dict[tuple[bool, str], deque[int]] = defaultdict(deque)
        for i, (_, block) in enumerate(self.old):
            waiting[(block.kind == "heading", " ".join(block.text.split()))].append(i)
        pairs: list[tuple[int, int]] = []
        claimed: set[str] = set()
        for j, block in enumerate(self.new):
            queue = waiting.get((block.kind == "heading", " ".join(block.text.split())))
            while queue:
                i = queue.popleft()
                if self.keys[i] not in claimed:  # a key repeated in `old` is given once
                    claimed.add(self.keys[i])
                    pairs.append((i, j))
                    break
        in_order = _longest_increasing(pairs)
        for i, j in pairs:
            self._give(j, self.keys[i], "unchanged" if (i, j) in in_order else "moved", i)
            self.exact_old.add(i)
        self._in_order = sorted(in_order, key=lambda pair: pair[1])
        anchor, pending = (-1, -1), iter(self._in_order)
        pair = next(pending, None)
        for j in range(len(self.new)):
            if pair is not None and pair[1] == j:
                anchor, pair = pair, next(pending, None)
            self._anchor.append(anchor)

    def _similar(self) -> None:
        # Where it was: the unmatched blocks between two blocks that kept their place.
        bounds = [(-1, -1), *self._in_order, (len(self.old), len(self.new))]
        for (old_from, new_from), (old_to, new_to) in zip(bounds, bounds[1:]):
            olds = [i for i in range(old_from + 1, old_to) if self.kept_by[i] is None]
            news = [j for j in range(new_from + 1, new_to) if self.key_of[j] is None]
            if olds and news and len(olds) * len(news) <= _LOCAL_PAIRS:
                self._pair_most_similar((i, j) for j in news for i in olds)
        # Anywhere else: through the word index. Old blocks already edited stay in it, as the split
        # step looks for pieces of them among the same candidates.
        searched = [i for i in range(len(self.old)) if i not in self.exact_old]
        probes = self._open_new()
        if not searched or not probes:
            return
        index = _Index((i, self.old_words(i)) for i in searched)
        pairs = []
        for j in probes:
            for i in index.candidates(self.new_words(j), EDITED_SIMILARITY):
                self._shared_words(i, j)
                if self.kept_by[i] is None:
                    pairs.append((i, j))
        self._pair_most_similar(pairs)

    def _restore(self, exact: bool) -> None:
        old_keys = set(self.keys)
        retired = [(key, text) for key, text in self.retired if key not in old_keys and key not in self.used]
        if not retired:
            return
        entries = [(n, _Words(text), _looks_like_heading(text)) for n, (key, text) in enumerate(retired)]
        if exact:
            waiting: dict[tuple[bool, tuple[str, ...]], deque[int]] = defaultdict(deque)
            for n, entry, heading in entries:
                waiting[(heading, entry.tokens)].append(n)
            for j in self._open_new():
                queue = waiting.get((self.new[j].kind == "heading", self.new_words(j).tokens))
                while queue:
                    if self._give(j, retired[queue.popleft()][0], "restored"):
                        break
            return
        index = _Index((n, entry) for n, entry, _ in entries)
        scored = []
        for j in self._open_new():
            probe = self.new_words(j)
            for n in index.candidates(probe, RESTORED_SIMILARITY):
                if entries[n][2] == (self.new[j].kind == "heading"):
                    entry = entries[n][1]
                    similarity = _overlap(probe.counts, entry.counts) / max(probe.size, entry.size)
                    if similarity >= RESTORED_SIMILARITY:
                        scored.append((-similarity, j, n))
        for _, j, n in sorted(scored):
            if self.key_of[j] is None:
                self._give(j, retired[n][0], "restored")

    def _split(self) -> None:
        pieces: dict[int, list[tuple[int, int]]] = defaultdict(list)
        leftovers: dict[int, Counter[str]] = {}  # per edited old block: its words its successor lacks
        for j in self._open_new():
            size = self.new_words(j).size
            fits = []
            for i, count in self._shared[j].items():
                if i in self.exact_old or not self._same_family(i, j):
                    continue
                keeper = self.kept_by[i]
                if keeper is not None:
                    # The successor took part of the words; a piece is made of the rest.
                    if i not in leftovers:
                        leftovers[i] = self.old_words(i).counts - self.new_words(keeper).counts
                    count = _overlap(self.new_words(j).counts, leftovers[i])
                if count >= _MIN_SHARED and count >= CONTAINED_SHARE * size:
                    fits.append((count, -self._distance(i, j), i))
            if fits:
                count, _, i = max(fits)
                pieces[i].append((count, j))
        for i, found in sorted(pieces.items()):
            key = self.keys[i]
            if self.kept_by[i] is None:
                whole = self.old_words(i)
                together = sum((self.new_words(j).counts for _, j in found), Counter())
                if _overlap(whole.counts, together) < EDITED_SIMILARITY * whole.size:
                    continue  # a few of its words reused elsewhere, not the block cut in pieces
                _, keeper = max(found, key=lambda piece: (piece[0], -self._distance(i, piece[1]), -piece[1]))
                if not self._give(keeper, key, "edited", i):
                    continue
            for _, j in found:
                if self.key_of[j] is None:
                    self.how[j], self.origin[j] = "split", key

    def _merge(self) -> None:
        absorbed = [i for i in range(len(self.old))
                    if self.kept_by[i] is None and i not in self.exact_old and self.keys[i] not in self.used]
        targets = [j for j in range(len(self.new))
                   if self.how[j] == "edited" or (self.key_of[j] is None and self.how[j] == "new")]
        if not absorbed or not targets:
            return
        keeper_of = {j: i for i, j in enumerate(self.kept_by) if j is not None}
        gained: dict[int, Counter[str]] = {}  # per edited new block: its words its predecessor lacked
        index = _Index((j, self.new_words(j)) for j in targets)
        groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i in absorbed:
            probe = self.old_words(i)
            fits = []
            for j in index.candidates(probe, CONTAINED_SHARE):
                if not self._same_family(i, j):
                    continue
                if j in keeper_of:
                    # Only the words the block gained can have come from another one.
                    if j not in gained:
                        gained[j] = self.new_words(j).counts - self.old_words(keeper_of[j]).counts
                    count = _overlap(probe.counts, gained[j])
                else:
                    count = self._shared_words(i, j)
                if count >= _MIN_SHARED and count >= CONTAINED_SHARE * probe.size:
                    fits.append((count, -self._distance(i, j), j))
            if fits:
                count, _, j = max(fits)
                groups[j].append((count, i))
        for j, found in sorted(groups.items()):
            if self.key_of[j] is None:
                whole = self.new_words(j)
                together = sum((self.old_words(i).counts for _, i in found), Counter())
                if _overlap(whole.counts, together) < EDITED_SIMILARITY * whole.size:
                    continue
                _, keeper = max(found, key=lambda part: (part[0], -self._distance(part[1], j), -part[1]))
                if not self._give(j, self.keys[keeper], "edited", keeper):
                    continue
            keeping = self.key_of[j]
            assert keeping is not None
            for _, i in found:
                if self.kept_by[i] is None and self.keys[i] not in self.used:
                    self.merged[self.keys[i]] = keeping
                    self.used.add(self.keys[i])


def _looks_like_heading(text: str) -> bool:
    """Whether a retired clause's last text was a heading (ATX "#" or setext underline)."""
    return bool(re.match(r"[ \t]*#{1,6}(?:[ \t]|$)", text) or re.search(r"\n[ \t]*(?:=+|-+)[ \t]*$", text))


def _longest_increasing(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """The largest set of pairs (old, new), given in new order, whose old indices also rise: the blocks
    that kept their order. Patience sorting, O(n log n)."""
    tails: list[int] = []  # tails[k]: position in pairs of the smallest last old index of a run of k+1
    before: list[int] = [-1] * len(pairs)
    tail_values: list[int] = []
    for position, (i, _) in enumerate(pairs):
        k = bisect.bisect_left(tail_values, i)
        before[position] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(position)
            tail_values.append(i)
        else:
            tails[k], tail_values[k] = position, i
    chosen: set[tuple[int, int]] = set()
    position = tails[-1] if tails else -1
    while position >= 0:
        chosen.add(pairs[position])
        position = before[position]
    return chosen

