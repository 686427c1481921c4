"""Hypothesis strategies for realistic documents: paragraphs of words, unicode, punctuation, tabs."""
from __future__ import annotations

from hypothesis import strategies as st

# Repeated short words make diffs ambiguous (many equally good alignments), which is where diff
# and merge bugs hide; the rest add unicode: combining accents, CJK, astral emoji, German, Norse.
WORDS = [
    "the", "a", "of", "cat", "dog", "vote", "votes", "fair", "rail", "42", "x", "yz",
    "Ünïcödé", "naïve", "cafe\u0301", "日本語", "emoji😀", "Straße", "ñandú", "øre",
]

words = st.sampled_from(WORDS)
separators = st.sampled_from([" ", " ", " ", "  ", "\t", ", ", ". ", "; ", " — ", " (", ") ", " *", "* "])
lines = st.builds(
    lambda first, rest: first + "".join(separator + word for separator, word in rest),
    words,
    st.lists(st.tuples(separators, words), max_size=7),
)
paragraphs = st.builds(
    lambda prefix, body: prefix + "\n".join(body),
    st.sampled_from(["", "", "", "- ", "## ", "> "]),
    st.lists(lines, min_size=1, max_size=3),
)
paragraph_breaks = st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n \n", "\n\t\n"])


def documents(min_paragraphs: int = 0, max_paragraphs: int = 6) -> st.SearchStrategy[str]:
    """Markdown-ish text: paragraphs separated by blank lines, maybe a trailing newline."""
    return st.builds(
        lambda parts, end: "".join((pause if index else "") + text for index, (pause, text) in enumerate(parts)) + end,
        st.lists(st.tuples(paragraph_breaks, paragraphs), min_size=min_paragraphs, max_size=max_paragraphs),
        st.sampled_from(["", "\n"]),
    )


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """The text with a few words replaced, inserted or removed, or a paragraph put in."""
    pieces = text.split(" ")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        index = draw(st.integers(min_value=0, max_value=len(pieces) - 1))
        action = draw(st.sampled_from(["replace", "insert", "delete", "paragraph"]))
        if action == "replace":
            pieces[index] = draw(words)
        elif action == "insert":
            pieces.insert(index, draw(words))
        elif action == "delete" and len(pieces) > 1:
            del pieces[index]
        else:
            pieces.insert(index, draw(paragraphs) + "\n\n")
    return " ".join(pieces)
