"""Snippet HTML for every backend: a passage of the text, escaped, with the matches in <mark> and nothing else.

The text is escaped piece by piece and the only markup is the <mark> added here, so nothing a document says
can become markup in the results.
"""
from __future__ import annotations

import html
import re

_SPACES = re.compile(r"\s+")


def _plain(segment: str) -> str:
    return html.escape(_SPACES.sub(" ", segment), quote=True)


def marked_passage(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[start:end]`` escaped, each (start, end) span of ``text`` inside it wrapped in <mark>, and "…"
    where the passage cuts the text."""
    pieces = ["… " if start else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        pieces.append(_plain(text[cursor:span_start]))
        pieces.append(f"<mark>{_plain(text[span_start:span_end])}</mark>")
        cursor = span_end
    pieces.append(_plain(text[cursor:end]))
    if end < len(text):
        pieces.append(" …")
    return "".join(pieces).strip()
