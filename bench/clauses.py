"""Clause benchmarks: splitting a document into blocks, the words of a body, and matching a revision's blocks
to the previous revision's (policyhub/text/clauses.py).

    python bench/clauses.py [--smoke]

Inputs are deterministic (fixed seed, bench/corpus.py): 8 policy papers of 256 KB cut into short blocks (about
2,000 each, as a long agenda paper with many short clauses has), and for each a revision with a few blocks
revised (a third of their words replaced), one with 1% of all words replaced and one with 30% of the blocks
rewritten. A figure is the p95 of 24 timings (8 inputs, 3 times each). Matching is timed alone: splitting is
its own figure, done once per saved revision.
"""
from __future__ import annotations

import random
import sys

from common import Figure, at_most, p95_ms, smoke_main
from corpus import KB, Writer, edit_words, join, make_vocabulary, revise_blocks, rewrite_blocks

from policyhub.text.clauses import match_blocks, split_blocks, words
from policyhub.text.rendering import Parsed

SEED = 20240817


def short_blocks(writer: Writer, size: int) -> list[str]:
    """A document of ``size`` bytes whose paragraphs are one or two sentences."""
    blocks = ["# " + " ".join(writer.words(5)).capitalize()]
    total = len(blocks[0])
    while total < size:
        block = writer.block()
        if not block.startswith(("#", "-", "|")):
            block = " ".join(writer.sentence() for _ in range(writer.rng.randint(1, 2)))
        blocks.append(block)
        total += len(block.encode()) + 2
    return blocks


def figures(smoke: bool = False) -> list[Figure]:
    size, variants, repeats = (8 * KB, 2, 1) if smoke else (256 * KB, 8, 3)
    rng = random.Random(SEED)
    writer = Writer(rng, make_vocabulary(rng))
    bases = [short_blocks(writer, size) for _ in range(variants)]
    texts = [join(blocks) for blocks in bases]
    olds = [[(f"k{index}", block) for index, block in enumerate(split_blocks(text))] for text in texts]
    few = [split_blocks(join(revise_blocks(writer, blocks, 5 / len(blocks)))) for blocks in bases]
    edited = [split_blocks(edit_words(writer, text, 0.01)) for text in texts]
    rewritten = [split_blocks(join(rewrite_blocks(writer, blocks, 0.30))) for blocks in bases]
    label = f"{size // KB} KB, {sum(map(len, olds)) // len(olds):,} blocks"

    def matching(news: list) -> float:
        return p95_ms([lambda old=old, new=new: match_blocks(old, new) for old, new in zip(olds, news)], repeats)

    return [
        at_most(f"match {label}, a few blocks revised: p95", matching(few), "ms", 20),
        at_most(f"match {label}, unchanged: p95", matching([[block for _, block in old] for old in olds]), "ms", 20),
        Figure(f"match {label}, 1% of words replaced: p95", matching(edited), "ms"),
        Figure(f"match {label}, 30% of blocks rewritten: p95", matching(rewritten), "ms"),
        # Through Parsed: split_blocks keeps the blocks of the last few texts, which would time the memo.
        Figure(f"split_blocks {size // KB} KB (parse included): p95",
               p95_ms([lambda text=text: split_blocks(text, Parsed(text)) for text in texts], repeats), "ms"),
        Figure(f"words of a {size // KB} KB body: p95",
               p95_ms([lambda text=text: words(text) for text in texts], repeats), "ms"),
    ]


def main() -> None:
    smoke_main(__doc__, figures)


if __name__ == "__main__":
    sys.exit(main())
