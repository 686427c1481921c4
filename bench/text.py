"""Text layer benchmarks: word diffs, three-way merge and rendering of generated Markdown, and bounds on the cost
of hostile input.

    python bench/text.py [--smoke]

Inputs are deterministic (fixed seed, bench/corpus.py): 8 policy papers of 256 KB and, for each, a revision with
30% of its paragraphs rewritten, one with 30% of its paragraphs revised (a third of their words replaced), one
with 1% of its words replaced, and an unrelated document. A figure is the p95 of 24 timings (8 inputs, 3 times
each), hostile inputs 3 timings of one input.

Baseline of the diff figures, timed on the same pairs in the same run: diff-match-patch's own ``diff_main`` on
the whole texts with its default 1 s ``Diff_Timeout``, then ``diff_cleanupSemantic``: what using the library
directly costs. Its answer is not the same diff: it is by characters, and once the timeout fires (on the
rewritten and revised pairs) it gives up and answers a coarser diff, as the "marked deleted" figure shows.
``diff_words`` never depends on the clock.
"""
from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence

from common import Figure, at_most, p95_ms, smoke_main
from corpus import (
    KB,
    Writer,
    edit_words,
    join,
    make_vocabulary,
    revise_blocks,
    rewrite_blocks,
)
from diff_match_patch import diff_match_patch

from policyhub.text.diff_html import inline_html, side_by_side
from policyhub.text.diffing import DiffOp, diff_words, merge3
from policyhub.text.rendering import render

SEED = 20240601
BASELINE = "diff-match-patch diff_main (1 s timeout) + cleanupSemantic"


def library_diff(old: str, new: str) -> list[tuple[int, str]]:
    """The baseline: diff-match-patch used directly, with its default settings."""
    engine = diff_match_patch()
    ops = engine.diff_main(old, new)
    engine.diff_cleanupSemantic(ops)
    return ops


def changed_share(old: str, deleted: Sequence[str]) -> float:
    """Percentage of the old text a diff marks deleted."""
    return 100 * sum(map(len, deleted)) / len(old)


def figures(smoke: bool = False) -> list[Figure]:
    # Smoke: small texts, so that the baseline stays quick (on 256 KB it runs into its 1 s timeout).
    size, small_size, variants, repeats = (4 * KB, 2 * KB, 2, 1) if smoke else (256 * KB, 30 * KB, 8, 3)
    rng = random.Random(SEED)
    writer = Writer(rng, make_vocabulary(rng))
    bases = [writer.document(size) for _ in range(variants)]
    texts = [join(blocks) for blocks in bases]
    rewritten = [join(rewrite_blocks(writer, blocks, 0.30)) for blocks in bases]
    revised = [join(revise_blocks(writer, blocks, 0.30)) for blocks in bases]
    edited = [edit_words(writer, text, 0.01) for text in texts]
    amended = [edit_words(writer, text, 0.01) for text in texts]
    unrelated = texts[1:] + texts[:1]
    label = f"{size // KB} KB"

    def diffs(news: list[str]) -> list[Callable[[], object]]:
        return [lambda old=old, new=new: diff_words(old, new) for old, new in zip(texts, news)]

    def baseline(news: list[str]) -> float:
        return p95_ms([lambda old=old, new=new: library_diff(old, new) for old, new in zip(texts, news)])

    rewritten_ops = [diff_words(old, new) for old, new in zip(texts, rewritten)]
    revised_ops: list[DiffOp] = diff_words(texts[0], revised[0])
    library_ops = library_diff(texts[0], revised[0])
    result = [
        at_most(f"diff {label}, 30% of paragraphs rewritten: p95", p95_ms(diffs(rewritten), repeats), "ms", 100,
                baseline=baseline(rewritten), baseline_name=BASELINE),
        at_most(f"diff {label}, 30% of paragraphs revised (a third of their words): p95",
                p95_ms(diffs(revised), repeats), "ms", 100, baseline=baseline(revised), baseline_name=BASELINE),
        at_most(f"diff {label}, 1% of words edited: p95", p95_ms(diffs(edited), repeats), "ms", 20,
                baseline=baseline(edited), baseline_name=BASELINE),
        Figure(f"diff {label}, 30% revised: share of the old text marked deleted",
               changed_share(texts[0], [text for op, text in revised_ops if op == "delete"]), "%",
               baseline=changed_share(texts[0], [text for op, text in library_ops if op == -1]),
               baseline_name=BASELINE),
        Figure(f"diff {label}, two unrelated documents: p95", p95_ms(diffs(unrelated), repeats), "ms"),
        Figure("inline and side-by-side HTML of the 30%-rewritten diff: p95",
               p95_ms([lambda ops=ops: (inline_html(ops), side_by_side(ops)) for ops in rewritten_ops], repeats),
               "ms"),
        Figure(f"merge3 {label}, two independent 1% amendments: p95", p95_ms([
            lambda base=base, ours=ours, theirs=theirs: merge3(base, ours, theirs)
            for base, ours, theirs in zip(texts, edited, amended)], repeats), "ms"),
        Figure(f"merge3 {label}, a 1% amendment onto an unchanged base: p95", p95_ms([
            lambda base=base, ours=ours: merge3(base, ours, base) for base, ours in zip(texts, edited)], repeats),
            "ms"),
    ]
    small = [join(writer.document(small_size)) for _ in range(variants)]
    result += [
        Figure(f"render {small_size // KB} KB: p95", p95_ms([lambda text=text: render(text) for text in small],
                                                            repeats), "ms"),
        Figure(f"render {label}: p95", p95_ms([lambda text=text: render(text) for text in texts], repeats), "ms"),
    ]
    return result + hostile(rng, smoke)


def hostile(rng: random.Random, smoke: bool) -> list[Figure]:
    """Bounds on the cost of input made to be slow (no targets: they show the bounds hold)."""
    scale = 32 if smoke else 1
    words = 60_000 // scale  # "aye " or "nay ": 240 KB
    two_words = [" ".join(rng.choices(["aye", "nay"], k=words)) for _ in range(2)]
    two_word_paragraphs = [
        "\n\n".join(" ".join(rng.choices(["aye", "nay"], k=300)) for _ in range(words // 300)) for _ in range(2)
    ]
    table = "| a | b |\n|---|---|\n" + "| x | y |\n" * (256 * KB // 10 // scale)
    quotes = "> " * (128 * KB // scale) + "x"
    diffed, rendered = f"{words * 4 // KB} KB", f"{256 // scale} KB"
    cases = [
        (f"hostile: diff 2 × {diffed}, one paragraph of two words", lambda: diff_words(*two_words)),
        (f"hostile: diff 2 × {diffed}, paragraphs of two words", lambda: diff_words(*two_word_paragraphs)),
        (f"hostile: render {rendered} table of one-letter cells", lambda: render(table)),
        (f"hostile: render {rendered} of nested block quotes", lambda: render(quotes)),
    ]
    return [Figure(f"{name}: p95", p95_ms([call], repeats=3), "ms") for name, call in cases]


def main() -> None:
    smoke_main(__doc__, figures)


if __name__ == "__main__":
    sys.exit(main())
