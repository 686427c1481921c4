"""Accent folding for the PostgreSQL backend, in Python so that the database needs no extension.

``fold`` keeps the text's length, character for character: ts_headline runs on the folded copy (so that
"cafe" marks "Café") and the marks are then moved onto the same offsets of the text as written. A character
whose folded form is not a single character (a ligature such as "ﬁ") is kept as it is, on both the index and
the query side, so the two still agree.
"""
from __future__ import annotations

import unicodedata


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table filled on first use of each character (the text's alphabet is small)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "<>\x00":
            # PostgreSQL's parser reads "<...>" as an HTML tag (left out of the index, and of headlines); an
            # index of plain text should see the words inside. NUL cannot be stored in a text column.
            folded = " "
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            folded = base if len(base) == 1 else char
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def shown(text: str) -> str:
    """The text as the index keeps it for display: composed (NFC), so that "e" + a combining accent is one
    character that folds to one character; NUL (refused by PostgreSQL) as a space."""
    return unicodedata.normalize("NFC", text).replace("\x00", " ")


def fold(text: str) -> str:
    """``text`` without accents, the same length as ``shown(text)`` when given it."""
    return text.translate(_TABLE)
