"""Turning what a person typed into a small, safe query: words, "phrases", prefixes (clim*) and title:...

Nothing else reaches the index: no other fields, no ranges, no boolean operators (AND/OR/NOT are plain
words), no leading or inner wildcards. Pure functions, no whoosh: the backend builds its own query objects
from the clauses, so user text is never handed to a query parser.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from policyhub.errors import N_
from policyhub.search.query import MAX_QUERY_LENGTH

MIN_PREFIX_LETTERS = 3
MAX_CLAUSES = 12

_WORD = re.compile(r"\w+", re.UNICODE)
# A token: an optional field prefix, then a quoted phrase (possibly unclosed) or a run of non-space text.
_TOKEN = re.compile(r'(?P<field>title:)?(?:"(?P<phrase>[^"]*)("|$)|(?P<bare>[^\s"]+))', re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    kind: str                      # "word" | "phrase" | "prefix"
    words: tuple[str, ...]         # the words (a phrase has several; a prefix has one, without the *)
    title_only: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]
    text: str                      # the text actually searched (cut when too long)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.clauses


def _clean(text: str) -> str:
    # Control characters and odd spaces become spaces; the rest stays for the analyzer to fold.
    return "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)


def parse(text: str) -> ParsedQuery:
    """Parse ``text`` into at most MAX_CLAUSES clauses, all implicitly ANDed. Never raises."""
    notes: list[str] = []
    text = text or ""
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        notes.append(N_("Your search was longer than %(count)s characters; only the start was used.",
                        count=MAX_QUERY_LENGTH))
    text = _clean(text).strip()
    clauses: list[Clause] = []
    short_prefix = False
    for match in _TOKEN.finditer(text):
        title_only = bool(match.group("field"))
        phrase = match.group("phrase")
        if phrase is not None:
            words = tuple(_WORD.findall(phrase))
            if len(words) == 1:
                clauses.append(Clause("word", words, title_only))
            elif words:
                clauses.append(Clause("phrase", words, title_only))
            continue
        bare = match.group("bare") or ""
        if bare.endswith("*") and _WORD.fullmatch(bare.rstrip("*")):
            stem = bare.rstrip("*")
            if len(stem) >= MIN_PREFIX_LETTERS and not stem.isdigit():
                clauses.append(Clause("prefix", (stem,), title_only))
                continue
            short_prefix = True
        # Anything else is words: punctuation (colons of other "fields", brackets, inner * and ?) separates.
        for word in _WORD.findall(bare):
            clauses.append(Clause("word", (word,), title_only))
    if short_prefix:
        notes.append(N_("A * needs at least %(count)s letters before it (as in clim*); "
                        "it was searched as a plain word.", count=MIN_PREFIX_LETTERS))
    if len(clauses) > MAX_CLAUSES:
        clauses = clauses[:MAX_CLAUSES]
        notes.append(N_("Only the first %(count)s words or phrases of your search were used.", count=MAX_CLAUSES))
    return ParsedQuery(clauses=tuple(clauses), text=text, notes=tuple(notes))


def rewrite(parsed: ParsedQuery, replace: Callable[[Clause, str], str]) -> str:
    """The query as a person would type it, each word passed through ``replace`` (for "did you mean")."""
    rendered = []
    for clause in parsed.clauses:
        text = " ".join(replace(clause, word) for word in clause.words)
        if clause.kind == "phrase":
            text = f'"{text}"'
        elif clause.kind == "prefix":
            text += "*"
        rendered.append(("title:" if clause.title_only else "") + text)
    return " ".join(rendered)
