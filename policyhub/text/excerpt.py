"""A short plain-text excerpt of a Markdown passage, for lists of clauses: no block markers, no inline
formatting, one line, cut at a word boundary. Approximate by design (it is never rendered as Markdown)."""
from __future__ import annotations

import re

_BLOCK_MARKER = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|[0-9]{1,9}[.)][ \t]+|>[ \t]?)+",
                           re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~|`+)(?=\S)(.+?)(?<=\S)\1")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)


def excerpt(markdown: str, limit: int = 140) -> str:
    """The passage's words as one line of at most ``limit`` characters (an ellipsis marks a cut)."""
    text = _CLOSING_HASHES.sub("", _BLOCK_MARKER.sub("", markdown))
    text = _LINK.sub(r"\1", text)
    for _ in range(3):  # nested emphasis: **_word_**
        text = _EMPHASIS.sub(r"\2", text)
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"
