"""'Did you mean' for the PostgreSQL backend, the parts that need no database: which words go into the
vocabulary, and how close a candidate is to what was typed."""
from __future__ import annotations

import re
from collections.abc import Iterable

MAX_DISTANCE = 2                  # as the whoosh backend's corrector (maxdist=2)
MIN_WORD, MAX_WORD = 3, 40        # shorter words make silly suggestions; longer ones are not words
_WORD = re.compile(rf"[^\W\d_]{{{MIN_WORD},{MAX_WORD}}}")


def vocabulary_words(*folded_texts: str) -> set[str]:
    """The lower-case words of already folded texts, as a suggestion may offer them (letters only)."""
    words: set[str] = set()
    for text in folded_texts:
        words.update(_WORD.findall(text.lower()))
    return words


def edit_distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def closest(word: str, candidates: Iterable[str], limit: int = MAX_DISTANCE) -> list[str]:
    """The candidates within ``limit`` edits of ``word``, nearest first (ties keep the candidates' order)."""
    scored = [(edit_distance(word, candidate, limit), n, candidate)
              for n, candidate in enumerate(candidates) if candidate != word]
    return [candidate for distance, _n, candidate in sorted(scored) if distance <= limit]
