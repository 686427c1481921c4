"""Generated policy papers and their revisions, for the text and save benchmarks.

Deterministic given the random.Random passed in. Words are drawn with Zipf-like frequencies from a vocabulary
of made-up words, as in real prose: a few words everywhere, most rare, so that paragraphs share common words
but rarely whole sentences.
"""
from __future__ import annotations

import random

KB = 1024


def make_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    letters = "etaoinshrdlucmfwypvbgkjqxz"
    weights = [len(letters) - i for i in range(len(letters))]
    words = {"".join(rng.choices(letters, weights, k=rng.randint(2, 11))) for _ in range(size)}
    return sorted(words)


class Writer:
    """Writes policy-paper-like Markdown: headings, paragraphs, bullet lists, links, emphasis, and with
    ``tables`` some tables too (off by default, so that the text benchmark's inputs stay the same)."""

    def __init__(self, rng: random.Random, vocabulary: list[str], *, tables: bool = False) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        self.tables = tables
        self.weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocabulary, self.weights, k=count)

    def sentence(self) -> str:
        words = self.words(self.rng.randint(6, 24))
        if self.rng.random() < 0.15:
            words[0] = f"**{words[0]}**"
        if self.rng.random() < 0.08:
            words[-1] = f"[{words[-1]}](https://example.org/{words[-1]})"
        punctuation = self.rng.choice([".", ".", ".", "?", ";"])
        return " ".join(words).capitalize() + punctuation

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def table(self) -> str:
        columns = self.rng.randint(2, 4)
        header = "| " + " | ".join(word.capitalize() for word in self.words(columns)) + " |"
        rule = "|" + "|".join(self.rng.choice(["---", ":---", "---:", ":---:"]) for _ in range(columns)) + "|"
        rows = ["| " + " | ".join(" ".join(self.words(self.rng.randint(1, 3))) for _ in range(columns)) + " |"
                for _ in range(self.rng.randint(3, 8))]
        return "\n".join([header, rule, *rows])

    def block(self) -> str:
        roll = self.rng.random()
        if roll < 0.1:
            return "#" * self.rng.randint(2, 3) + " " + " ".join(self.words(4)).capitalize()
        if roll < 0.25:
            return "\n".join("- " + self.sentence() for _ in range(self.rng.randint(2, 6)))
        if self.tables and roll >= 0.94:
            return self.table()
        return self.paragraph()

    def document(self, size: int) -> list[str]:
        """Blocks (to be joined by blank lines) adding up to ``size`` bytes or a block more."""
        blocks = ["# " + " ".join(self.words(5)).capitalize()]
        total = len(blocks[0])
        while total < size:
            blocks.append(self.block())
            total += len(blocks[-1].encode()) + 2
        return blocks


def join(blocks: list[str]) -> str:
    return "\n\n".join(blocks) + "\n"


def rewrite_blocks(writer: Writer, blocks: list[str], share: float) -> list[str]:
    """Replace a share of blocks by freshly written ones (a true rewrite)."""
    return [writer.block() if writer.rng.random() < share else block for block in blocks]


def revise_blocks(writer: Writer, blocks: list[str], share: float) -> list[str]:
    """In a share of blocks, change a third of the words (a heavy revision, not a rewrite)."""
    return [edit_words(writer, block, 1 / 3) if writer.rng.random() < share else block for block in blocks]


def edit_words(writer: Writer, text: str, share: float) -> str:
    """Replace a share of the words (at least one), keeping all whitespace."""
    words = text.split(" ")
    for index in writer.rng.sample(range(len(words)), max(1, int(len(words) * share))):
        words[index] = writer.words(1)[0]
    return " ".join(words)


def small_edit(writer: Writer, blocks: list[str]) -> None:
    """What most saves are: one to three words replaced in one block (never the title), in place."""
    index = writer.rng.randrange(1, len(blocks))
    before = blocks[index]
    while blocks[index] == before:  # a word replaced by itself is no edit
        blocks[index] = edit_words(writer, before, writer.rng.randint(1, 3) / max(1, before.count(" ") + 1))
