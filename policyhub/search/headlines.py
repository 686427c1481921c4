"""Snippets for the PostgreSQL backend: ts_headline's passage turned into escaped HTML with <mark> only.

ts_headline runs on the folded copy of the text, with random sentinels for the start and end of a match.
Its passage is a verbatim piece of that copy, and the folded copy has the text's length, so the passage is
found in the copy and the same offsets are cut from the text as written. Everything is escaped; the only
markup is the <mark> put in here, so nothing in a document (or a sentinel guessed by its author, which
cannot match a random one) can add markup.
"""
from __future__ import annotations

import re
import secrets

from policyhub.search.snippets import marked_passage

SNIPPET_WIDTH = 240               # characters of text shown when nothing in the body matched

START = f"phs{secrets.token_hex(8)}"
STOP = f"phe{secrets.token_hex(8)}"
_SENTINEL = re.compile(f"({START}|{STOP})")
_WORDY = re.compile(r"\w")


def _spans(headline: str) -> tuple[str, list[tuple[int, int]]]:
    """The passage without sentinels, and the (start, end) offsets of the marked matches in it."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length, opened = 0, None
    for piece in _SENTINEL.split(headline):
        if piece == START:
            opened = length
        elif piece == STOP:
            if opened is not None:
                spans.append((opened, length))
            opened = None
        else:
            plain.append(piece)
            length += len(piece)
    return "".join(plain), spans


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[start:end]`` with each span (offsets from ``start``) marked."""
    return marked_passage(text, start, end, [(start + s, start + e) for s, e in spans])


def snippet(text: str, folded: str, headline: str | None) -> str:
    """The snippet for ``text`` (as written) given ts_headline's output on ``folded``; without a headline
    (a search with no words), the start of the text."""
    if headline is None:
        end = min(len(text), SNIPPET_WIDTH)
        if end < len(text):
            space = text.find(" ", end)
            end = space if 0 <= space < end + 20 else end
        return _render(text, 0, end, [])
    passage, spans = _spans(headline)
    start = folded.find(passage) if passage else 0
    if start < 0:  # not a verbatim piece after all: show the folded passage rather than nothing
        return _render(passage, 0, len(passage), spans)
    end = start + len(passage)
    # ts_headline cuts at words: keep the full stop (or other trailing punctuation) of a text that ends there,
    # and the opening punctuation of one that starts just before, rather than show "…" for nothing.
    if not _WORDY.search(text, end):
        end = len(text)
    if not _WORDY.search(text[:start]):
        spans = [(s + start, e + start) for s, e in spans]
        start = 0
    return _render(text, start, end, spans)
