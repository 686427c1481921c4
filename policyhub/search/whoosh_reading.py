"""Reading a whoosh index fast, for the whoosh backend: posting lists read a block at a time and kept per
searcher (that is, per version of the index), BM25F scores computed from them, phrases checked on positions.

whoosh walks its posting lists one document at a time through layers of matcher objects, which costs a few
microseconds per posting in Python; a search here touches each posting of its words once, in bulk, and then
works on Python sets and dicts. The numbers are whoosh's own: the same scorer objects (BM25F with the index's
statistics) and the same field lengths, so results rank exactly as whoosh would rank them.

With whoosh_backend, the only modules that import whoosh.
"""
from __future__ import annotations

import heapq
import mmap
import os
import threading
import time
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, compress, repeat
from operator import add, neg
from pickle import loads
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25FScorer, WeightLengthScorer
from whoosh.searching import TimeLimit

_Postings = tuple[Any, int, Sequence[int], Sequence[float]]   # a segment's searcher, offset, ids, weights
BUDGET = 1_000_000            # set members and dict entries (2 each) a searcher's cache may hold: ~80 MB at most
_LENGTHS_KEPT = 64            # segments whose field lengths are kept (segments never change once written)


class MappedStorage(FileStorage):
    """A FileStorage whose files are read through memory maps, without copies.

    whoosh's own maps a segment's file and then copies each part whole into a BytesIO as a reader opens it
    (~50 ms per reader at 10,000 documents, paid by every update and by the first search after it); plain
    file reads instead would keep a file handle open per reader. Here a part is a view of the map, and the
    file is closed at once (the map outlives it)."""

    def open_file(self, name: str, **_kwargs: Any) -> Any:
        with open(self._fpath(name), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            source: Any = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return ViewFile(memoryview(source), name=name)


class ViewFile(BufferFile):
    """whoosh's in-memory file over a view that is never copied (its ``subset`` is a view too)."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewReader(buf)

    def subset(self, position: int, length: int, name: str | None = None) -> ViewFile:
        return ViewFile(self._buf[position:position + length], name=name or self._name)


class _ViewReader:
    """The file interface whoosh reads through (read, readline, readinto, seek, tell) over a memoryview, and
    ``peek``, which lets pickle.load read a pickle in one or two calls rather than one per opcode."""

    __slots__ = ("_view", "_pos")

    def __init__(self, view: Any) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start, length = self._pos, len(self._view)
        end = length if size is None or size < 0 else min(length, start + size)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def peek(self, size: int = 0) -> bytes:
        return bytes(self._view[self._pos:self._pos + min(max(size, 1), 512)])

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        start = self._pos
        rest = self._view[start:] if size is None or size < 0 else self._view[start:start + size]
        end = bytes(rest).find(b"\n")
        return self.read(len(rest) if end < 0 else end + 1)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        pass  # the map closes when the last view of it goes


class SegmentLengths:
    """Each segment's field lengths (one per document, as whoosh's scorer sees them), kept across versions of
    the index: a segment never changes once written, and an update adds a small segment beside the big one."""

    def __init__(self) -> None:
        self._tables: OrderedDict[tuple[str, str], list[Any]] = OrderedDict()
        self._lock = threading.Lock()  # the searchers of all threads share the tables

    def table(self, reader: Any, fieldname: str) -> list[Any]:
        segment = reader.segment()
        key = (segment.segment_id() if segment is not None else str(id(reader)), fieldname)
        with self._lock:
            table = self._tables.get(key)
            if table is not None:
                self._tables.move_to_end(key)
                return table
        length = reader.doc_field_length
        table = [length(docnum, fieldname, 1) for docnum in range(reader.doc_count_all())]
        with self._lock:
            self._tables[key] = table
            while len(self._tables) > _LENGTHS_KEPT:
                self._tables.popitem(last=False)
        return table


class ReadCache:
    """What one searcher has read: document sets, scores and phrase matches by term, least recently used
    dropped beyond BUDGET. Global document numbers throughout (a segment's own plus its offset)."""

    def __init__(self, searcher: Any, lengths: SegmentLengths, budget: int = BUDGET) -> None:
        self.searcher = searcher
        self.lengths = lengths
        self.budget = budget
        self._entries: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self._size = 0

    # --- the cache --------------------------------------------------------------------------------------

    def _get(self, key: tuple[Any, ...]) -> Any:
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0]

    def _put(self, key: tuple[Any, ...], value: Any, size: int) -> Any:
        self._entries[key] = (value, size)
        self._size += size
        while self._size > self.budget and len(self._entries) > 1:
            _key, (_value, dropped) = self._entries.popitem(last=False)
            self._size -= dropped
        return value

    # --- reading postings -------------------------------------------------------------------------------

    def _segments(self) -> list[tuple[Any, int]]:
        return self.searcher.leaf_searchers()

    def postings(self, fieldname: str, text: str, *, values: bool = False
                 ) -> Iterator[tuple[Any, int, Sequence[int], Sequence[float], Sequence[bytes]]]:
        """For each segment holding the term: (its searcher, its offset, the live documents' local numbers,
        their weights, and their encoded values when ``values``)."""
        for sub, offset in self._segments():
            reader = sub.reader()
            try:
                matcher = reader.postings(fieldname, text)
            except TermNotFound:
                continue
            yield (sub, offset, *read_postings(matcher, values=values))

    def _kept(self, fieldname: str, text: str, read: Iterable[Any] | None = None) -> list[_Postings]:
        """The term's postings, kept for scoring (from ``read`` when the caller has them). Lists: their
        numbers are the very objects the term's document set and scores hold."""
        key = ("postings", fieldname, text)
        found = self._get(key)
        if found is None:
            found = [(sub, offset, ids, weights)
                     for sub, offset, ids, weights, _values in (self.postings(fieldname, text) if read is None
                                                                 else read)]
            self._put(key, found, sum(len(ids) for _sub, _offset, ids, _weights in found) // 2 + 1)
        return found

    def docs(self, fieldname: str, text: str, *, scored: bool = False) -> frozenset[int]:
        """The documents holding the term. ``scored``: it is a word of the query, to be scored too, so its
        postings are kept for that."""
        key = ("docs", fieldname, text)
        found = self._get(key)
        if found is None:
            read = self._kept(fieldname, text) if scored else self.postings(fieldname, text)
            found = frozenset(chain.from_iterable(map(offset.__add__, ids) if offset else ids
                                                  for _sub, offset, ids, *_rest in read))
            self._put(key, found, len(found) + 1)
        return found

    def scores(self, fieldname: str, text: str) -> dict[int, float]:
        """Each document's BM25F score for the term, as whoosh's scorer computes it."""
        key = ("scores", fieldname, text)
        found = self._get(key)
        if found is None:
            found = {}
            for sub, offset, ids, weights in self._kept(fieldname, text):
                scored = self._score(sub, fieldname, text, ids, weights)
                found.update(zip(map(offset.__add__, ids) if offset else ids, scored))
            self._put(key, found, 2 * len(found) + 1)
        return found

    def _some_scores(self, fieldname: str, text: str, docnums: Sequence[int]) -> dict[int, float]:
        """The scores of a few documents for the term (not kept): for a page of a narrow search, scoring
        every posting of a common word would cost more than finding these few among them."""
        found: dict[int, float] = {}
        for sub, offset, ids, weights in self._kept(fieldname, text):
            end = offset + sub.doc_count_all()
            where = [i for docnum in docnums if offset <= docnum < end
                     and (i := bisect_left(ids, docnum - offset)) < len(ids) and ids[i] == docnum - offset]
            mine = [ids[i] for i in where]
            scored = self._score(sub, fieldname, text, mine, [weights[i] for i in where])
            found.update(zip(map(offset.__add__, mine) if offset else mine, scored))
        return found

    def _score(self, sub: Any, fieldname: str, text: str, ids: Sequence[int], weights: Sequence[float]
               ) -> Iterable[float]:
        scorer = self.searcher.weighting.scorer(sub, fieldname, text)
        if not (isinstance(scorer, WeightLengthScorer) and hasattr(scorer, "_score")):
            return _matcher_scores(sub, fieldname, text, ids)  # another weighting model: ask whoosh
        lengths = map(self.lengths.table(sub.reader(), fieldname).__getitem__, ids)
        return _bm25f(scorer, weights, lengths) if type(scorer) is BM25FScorer else map(scorer._score, weights,
                                                                                        lengths)

    def phrase_docs(self, fieldname: str, words: Sequence[str], deadline: float) -> frozenset[int]:
        """The documents holding ``words`` one after the other (stop words do not count: the analyzer
        numbers positions without them)."""
        key = ("phrase", fieldname, tuple(words))
        found = self._get(key)
        if found is not None:
            return found
        # Each word's postings are read once, positions and all, and kept for scoring (a phrase is scored by
        # its words).
        read = {word: list(self.postings(fieldname, word, values=True)) for word in dict.fromkeys(words)}
        for word, postings in read.items():
            self._kept(fieldname, word, postings)
        candidates = set.intersection(*sorted((set(self.docs(fieldname, word, scored=True)) for word in read),
                                             key=len))
        matched: set[int] = set()
        if candidates:
            # Where each phrase could start, in every candidate at once: document * _SPAN + position of the
            # first word, which the n-th word must confirm at position - n. Set operations, not a loop per
            # document.
            decode = _position_decoder(self.searcher.schema[fieldname].format)
            starts: set[int] | None = None
            for shift, word in enumerate(words):
                if time.monotonic() > deadline:
                    raise TimeLimit
                at = {docnum * _SPAN + position - shift
                      for _sub, offset, ids, _weights, values in read[word]
                      for docnum, value in zip(map(offset.__add__, ids) if offset else ids, values)
                      if docnum in candidates for position in decode(value)}
                starts = at if starts is None else starts & at
            matched = {start // _SPAN for start in starts or ()}
        return self._put(key, frozenset(matched), len(matched) + 1)

    # --- ranking ----------------------------------------------------------------------------------------

    def _table(self, fieldname: str, text: str, docs: list[int]) -> dict[int, float]:
        """Scores of the term covering ``docs``: all of them (kept) unless ``docs`` are few beside them."""
        found = self._get(("scores", fieldname, text))
        if found is None and 8 * len(docs) < len(self.docs(fieldname, text, scored=True)):
            return self._some_scores(fieldname, text, docs)
        return self.scores(fieldname, text) if found is None else found

    def top(self, leaves: Iterable[tuple[str, str]], docnums: Iterable[int], limit: int) -> list[int]:
        """The best ``limit`` of ``docnums`` by the sum of their scores for each (field, term) leaf; equal
        scores in index order (as whoosh's collector does)."""
        docs = list(docnums)
        tables = [self._table(fieldname, text, docs) for fieldname, text in leaves]
        if not tables or not docs:
            return []
        totals: Any = map(tables[0].get, docs, repeat(0.0))
        for table in tables[1:]:
            totals = map(add, totals, map(table.get, docs, repeat(0.0)))
        totals = list(totals)
        if len(totals) > 4 * limit:  # keep those that can make the page, without a tuple per document
            threshold = heapq.nlargest(limit, totals)[-1]
            keep = list(map(threshold.__le__, totals))
            totals, docs = list(compress(totals, keep)), list(compress(docs, keep))
        return [-negated for _score, negated in heapq.nlargest(limit, zip(totals, map(neg, docs)))]


def read_postings(matcher: Any, *, values: bool = False) -> tuple[Sequence[int], Sequence[float], Sequence[bytes]]:
    """A posting list's live document numbers, weights and (when ``values``) encoded values, read a block at
    a time where the matcher is whoosh's own on-disk one, else one posting at a time."""
    deleted: frozenset[int] = frozenset()
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", False):
        deleted, matcher = frozenset(matcher._ids), matcher.child  # a segment's deleted documents
    ids: list[int] = []
    weights: list[float] = []
    found: list[bytes] = []
    if _has_blocks(matcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if values:
                matcher._read_values()
                found.extend(matcher._values)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                found.append(matcher.value())
            matcher.next()
    if deleted:
        keep = [i for i, docnum in enumerate(ids) if docnum not in deleted]
        ids, weights = [ids[i] for i in keep], [weights[i] for i in keep]
        found = [found[i] for i in keep] if values else found
    return ids, weights, found


def _has_blocks(matcher: Any) -> bool:
    """Whether ``matcher`` is whoosh 2.7's block reader, whose private block API read_postings uses."""
    return all(hasattr(matcher, name) for name in ("_read_ids", "_read_weights", "_read_values", "_next_block",
                                                   "_ids", "_weights", "_values"))


def _bm25f(scorer: Any, weights: Iterable[float], lengths: Iterable[int]) -> list[float]:
    """whoosh's bm25() for each posting, inlined (the function call per posting was most of the cost); the
    same operations in the same order, so the same floats."""
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    k1_plus_1, one_minus_b = k1 + 1, 1 - b
    return [idf * ((tf * k1_plus_1) / (tf + k1 * (one_minus_b + b * fl / avgfl))) for tf, fl in zip(weights, lengths)]


def _matcher_scores(sub: Any, fieldname: str, text: str, ids: Sequence[int]) -> list[float]:
    """The scores of the (live, local) ``ids`` as whoosh's matcher gives them."""
    from whoosh.query import Term
    matcher = Term(fieldname, text).matcher(sub, sub.context())
    scores = []
    for docnum in ids:
        matcher.skip_to(docnum)
        scores.append(matcher.score())
    return scores


_SPAN = 1 << 32   # more positions than any document has: document * _SPAN + position is unique
_DECODED: dict[bytes, tuple[int, ...]] = {}
DECODED_KEPT = 100_000


def _position_decoder(fmt: Any) -> Any:
    """Encoded value -> positions. whoosh's Positions format pickles the position deltas after a 4-byte
    count; decoded here without its per-call overhead, and remembered: the same few bytes (a word once, at
    position 12) stand in thousands of documents."""
    if type(fmt) is not Positions:
        return fmt.decode_positions

    def decode(value: bytes) -> tuple[int, ...]:
        found = _DECODED.get(value)
        if found is None:
            if len(_DECODED) >= DECODED_KEPT:
                _DECODED.clear()
            body = value[4:]
            found = _DECODED[value] = tuple(accumulate(loads(body if body[-1:] == b"." else body + b".")))
        return found
    return decode
