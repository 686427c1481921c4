"""Timings of the text layer on realistic Markdown: word diffs, three-way merge and rendering.

Run from the repository root:  python bench/bench_text.py
Prints p50/p95 in milliseconds. Deterministic inputs (fixed seed); not part of the test run.
"""
from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policyhub.text.diff_html import inline_html, side_by_side  # noqa: E402
from policyhub.text.diffing import diff_words, merge3  # noqa: E402
from policyhub.text.rendering import render  # noqa: E402

SEED = 20240601
KB = 1024
VARIANTS = 8  # distinct input pairs per case
REPEATS = 3  # timings per input pair


def make_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    letters = "etaoinshrdlucmfwypvbgkjqxz"
    weights = [len(letters) - i for i in range(len(letters))]
    words = {"".join(rng.choices(letters, weights, k=rng.randint(2, 11))) for _ in range(size)}
    return sorted(words)


class Writer:
    """Generates policy-paper-like Markdown: headings, paragraphs, bullet lists, links, emphasis."""

    def __init__(self, rng: random.Random, vocabulary: list[str]) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        # Zipf-like word frequencies, as in real prose.
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

    def block(self) -> str:
        roll = self.rng.random()
        if roll < 0.1:
            return "#" * self.rng.randint(2, 3) + " " + " ".join(self.words(4)).capitalize()
        if roll < 0.25:
            return "\n".join("- " + self.sentence() for _ in range(self.rng.randint(2, 6)))
        return self.paragraph()

    def document(self, size: int) -> list[str]:
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
    """Replace a share of the words, keeping all whitespace."""
    words = text.split(" ")
    for index in writer.rng.sample(range(len(words)), max(1, int(len(words) * share))):
        words[index] = writer.words(1)[0]
    return " ".join(words)


def timed(function: Callable[[], object]) -> float:
    # Start each timing without garbage left by the previous one (as a fresh request would).
    gc.collect()
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def report(name: str, cases: list[Callable[[], object]]) -> None:
    timings = [timed(case) for case in cases for _ in range(REPEATS)]
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
    print(f"{name:<58} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (n={len(timings)})")


def main() -> None:
    rng = random.Random(SEED)
    writer = Writer(rng, make_vocabulary(rng))
    bases = [writer.document(256 * KB) for _ in range(VARIANTS)]
    texts = [join(blocks) for blocks in bases]
    print(f"documents: {VARIANTS} x {len(texts[0].encode()) // KB} KB, "
          f"{len(bases[0])} blocks each; {REPEATS} timings per input\n")

    rewritten = [join(rewrite_blocks(writer, blocks, 0.30)) for blocks in bases]
    revised = [join(revise_blocks(writer, blocks, 0.30)) for blocks in bases]
    edited = [edit_words(writer, text, 0.01) for text in texts]
    amended = [edit_words(writer, text, 0.01) for text in texts]
    unrelated = [texts[(index + 1) % VARIANTS] for index in range(VARIANTS)]

    def pairs(news: list[str]) -> list[Callable[[], object]]:
        return [lambda old=old, new=new: diff_words(old, new) for old, new in zip(texts, news)]

    report("diff_words 256 KB, 30% of paragraphs rewritten", pairs(rewritten))
    report("diff_words 256 KB, 30% of paragraphs revised (1/3 words)", pairs(revised))
    report("diff_words 256 KB, 1% of words edited", pairs(edited))
    report("diff_words 256 KB, two unrelated documents", pairs(unrelated))
    rewritten_ops = [diff_words(old, new) for old, new in zip(texts, rewritten)]
    report("inline_html + side_by_side of the 30%-rewritten diff", [
        lambda ops=ops: (inline_html(ops), side_by_side(ops)) for ops in rewritten_ops
    ])
    report("merge3 256 KB, two independent 1% amendments", [
        lambda base=base, ours=ours, theirs=theirs: merge3(base, ours, theirs)
        for base, ours, theirs in zip(texts, edited, amended)
    ])
    report("merge3 256 KB, 1% amendment onto unchanged base", [
        lambda base=base, ours=ours: merge3(base, ours, base) for base, ours in zip(texts, edited)
    ])

    small = [join(writer.document(30 * KB)) for _ in range(VARIANTS)]
    report("render 30 KB", [lambda text=text: render(text) for text in small])
    report("render 256 KB", [lambda text=text: render(text) for text in texts])

    print("\nhostile input (a bound on cost, not a target):")
    two_words = [" ".join(rng.choices(["aye", "nay"], k=60_000)) for _ in range(2)]
    report("diff_words 2 x 240 KB single paragraph of two words", [lambda: diff_words(*two_words)])
    two_word_paragraphs = [
        "\n\n".join(" ".join(rng.choices(["aye", "nay"], k=300)) for _ in range(200)) for _ in range(2)
    ]
    report("diff_words 2 x 240 KB, 200 paragraphs of two words", [lambda: diff_words(*two_word_paragraphs)])
    table = "| a | b |\n|---|---|\n" + "| x | y |\n" * (256 * KB // 10)
    report("render 256 KB table of one-letter cells", [lambda: render(table)])
    quotes = "> " * (128 * KB) + "x"
    report("render 256 KB of nested block quotes", [lambda: render(quotes)])


if __name__ == "__main__":
    main()
