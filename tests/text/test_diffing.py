"""Word diffs: exactness, word granularity, paragraph alignment, statistics, independence from the clock."""
from __future__ import annotations

import importlib
import random
import time
from itertools import pairwise
from types import SimpleNamespace

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from policyhub.text.diffing import (
    DiffOp,
    DiffStats,
    diff_stats,
    diff_words,
    number_change_groups,
    split_paragraphs,
)

from .strategies_text import documents, edited

property_settings = settings(max_examples=120, deadline=None)


def old_text(ops: list[DiffOp]) -> str:
    return "".join(text for op, text in ops if op != "insert")


def new_text(ops: list[DiffOp]) -> str:
    return "".join(text for op, text in ops if op != "delete")


def assert_well_formed(ops: list[DiffOp], old: str, new: str) -> None:
    assert old_text(ops) == old
    assert new_text(ops) == new
    assert all(text for _, text in ops), "no op may be empty"
    assert all(a[0] != b[0] for a, b in pairwise(ops)), "neighbouring ops must be coalesced"
    assert {op for op, _ in ops} <= {"equal", "insert", "delete"}


def test_changed_word_is_one_deletion_and_one_insertion() -> None:
    assert diff_words("the cat sat on the mat", "the dog sat on the mat") == [
        ("equal", "the "), ("delete", "cat"), ("insert", "dog"), ("equal", " sat on the mat"),
    ]


def test_a_longer_word_replaces_the_whole_word_not_a_suffix() -> None:
    assert diff_words("cat", "cats") == [("delete", "cat"), ("insert", "cats")]
    assert diff_words("one cat here", "one cats here") == [
        ("equal", "one "), ("delete", "cat"), ("insert", "cats"), ("equal", " here"),
    ]


def test_punctuation_change_is_separate_from_the_word() -> None:
    assert diff_words("We agree.", "We agree!") == [("equal", "We agree"), ("delete", "."), ("insert", "!")]


def test_identical_texts_are_one_equal_op_and_empty_texts_no_ops() -> None:
    assert diff_words("same\n\ntext", "same\n\ntext") == [("equal", "same\n\ntext")]
    assert diff_words("", "") == []
    assert diff_words("", "new") == [("insert", "new")]
    assert diff_words("old", "") == [("delete", "old")]


def test_inserted_paragraph_is_one_insertion_between_unchanged_paragraphs() -> None:
    old = "First paragraph.\n\nThird paragraph.\n"
    new = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n"
    ops = diff_words(old, new)
    assert [op for op, _ in ops] == ["equal", "insert", "equal"]
    assert ops[1][1].strip() == "Second paragraph."


def test_rewritten_paragraph_is_replaced_whole_instead_of_word_confetti() -> None:
    old = "Intro.\n\nThe council should fund the buses of the region from the levy.\n\nEnd."
    new = "Intro.\n\nA citizens assembly decides on rail investment after a consultation.\n\nEnd."
    ops = diff_words(old, new)
    changes = [op for op in ops if op[0] != "equal"]
    assert changes == [
        ("delete", "The council should fund the buses of the region from the levy"),
        ("insert", "A citizens assembly decides on rail investment after a consultation"),
    ]


def test_edits_in_many_paragraphs_are_each_found_at_word_level() -> None:
    paragraphs = [f"Paragraph {i} talks about topic {i} at some length." for i in range(200)]
    changed = list(paragraphs)
    for i in range(0, 200, 7):
        changed[i] = changed[i].replace("talks", "speaks")
    ops = diff_words("\n\n".join(paragraphs), "\n\n".join(changed))
    assert [text for op, text in ops if op == "delete"] == ["talks"] * len(range(0, 200, 7))
    assert [text for op, text in ops if op == "insert"] == ["speaks"] * len(range(0, 200, 7))


def test_more_than_65536_distinct_tokens_are_diffed_exactly() -> None:
    # Token codes then go beyond the BMP and around the surrogate range.
    rng = random.Random(7)
    words = [f"w{i}" for i in range(80_000)]
    old = " ".join(words)
    new_words = list(words)
    for index in rng.sample(range(len(words)), 300):
        new_words[index] = f"x{index}"
    new = " ".join(new_words)
    ops = diff_words(old, new)
    assert_well_formed(ops, old, new)
    assert diff_stats(ops) == DiffStats(added_words=300, removed_words=300, changes=300)


def test_many_distinct_paragraphs_beyond_the_bmp_are_aligned_exactly() -> None:
    old = "\n\n".join(f"p{i}" for i in range(70_000))
    new = "\n\n".join(f"p{i}" if i % 1000 else f"q{i}" for i in range(70_000))
    ops = diff_words(old, new)
    assert_well_formed(ops, old, new)
    assert diff_stats(ops).changes == 70


def test_hostile_text_of_two_repeated_words_still_gives_an_exact_diff() -> None:
    # No anchors and a huge Myers problem: the work budget must keep this finite and exact.
    rng = random.Random(3)
    old = " ".join(rng.choices(["aye", "nay"], k=40_000))
    new = " ".join(rng.choices(["aye", "nay"], k=40_000))
    assert_well_formed(diff_words(old, new), old, new)


def _race_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every clock diff-match-patch can read move on an hour per reading: any deadline it
    sets has passed by the time it first checks, as on a machine that stalls mid-diff."""
    now = time.time()

    def hour_later() -> float:
        nonlocal now
        now += 3600
        return now

    engine_module = importlib.import_module(diff_match_patch.__module__)
    clock = SimpleNamespace(time=hour_later, perf_counter=hour_later, monotonic=hour_later)
    monkeypatch.setattr(engine_module, "time", clock)


def test_a_diff_never_depends_on_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two repeated words: no anchors, so the whole paragraph goes to the exact Myers diff, where
    # diff-match-patch's default 1 s Diff_Timeout would give up and answer a coarser diff.
    rng = random.Random(11)
    words = rng.choices(["aye", "nay"], k=300)
    old = " ".join(words)
    for index in rng.sample(range(len(words)), 12):
        words[index] = "nay" if words[index] == "aye" else "aye"
    new = " ".join(words)
    on_time = diff_words(old, new)
    default_engine = diff_match_patch()
    default_on_time = default_engine.diff_main(old, new)

    _race_the_clock(monkeypatch)

    assert default_engine.diff_main(old, new) != default_on_time, "the racing clock makes a timeout fire"
    assert diff_words(old, new) == on_time
    assert diff_stats(on_time).changes > 1, "a word-level diff, not the whole text replaced"


def test_split_paragraphs_keeps_blank_line_separators_with_the_paragraph() -> None:
    text = "one\nstill one\n\ntwo\n \t\n\nthree"
    assert split_paragraphs(text) == ["one\nstill one\n\n", "two\n \t\n\n", "three"]
    assert split_paragraphs("") == []
    assert split_paragraphs("\n\nx\n\n") == ["\n\n", "x\n\n"]


def test_diff_stats_counts_words_and_change_groups() -> None:
    ops = diff_words("We will cut fares for young people.", "We will freeze fares for all people now.")
    assert diff_stats(ops) == DiffStats(added_words=3, removed_words=2, changes=3)


def test_diff_stats_of_no_change_is_zero() -> None:
    assert diff_stats(diff_words("same", "same")) == DiffStats(0, 0, 0)


def test_number_change_groups_counts_a_replacement_as_one_group() -> None:
    ops: list[DiffOp] = [("equal", "a "), ("delete", "b"), ("insert", "c"), ("equal", " d "), ("insert", "e")]
    assert number_change_groups(ops) == [None, 1, 1, None, 2]


@property_settings
@given(documents(), documents())
def test_diff_rebuilds_both_of_two_unrelated_texts(old: str, new: str) -> None:
    assert_well_formed(diff_words(old, new), old, new)


@property_settings
@given(st.data(), documents(min_paragraphs=1))
def test_diff_rebuilds_both_texts_after_small_edits(data: st.DataObject, old: str) -> None:
    new = data.draw(edited(old))
    assert_well_formed(diff_words(old, new), old, new)


@property_settings
@given(st.text(), st.text())
def test_diff_rebuilds_arbitrary_unicode_text(old: str, new: str) -> None:
    assert_well_formed(diff_words(old, new), old, new)


@property_settings
@given(st.data(), documents(min_paragraphs=1))
def test_changes_start_and_end_on_word_boundaries(data: st.DataObject, old: str) -> None:
    new = data.draw(edited(old))
    position = {"old": 0, "new": 0}
    for op, text in diff_words(old, new):
        sides = {"equal": ("old", "new"), "delete": ("old",), "insert": ("new",)}[op]
        for side in sides:
            source = old if side == "old" else new
            start, end = position[side], position[side] + len(text)
            if op != "equal":
                assert not _inside_word(source, start) and not _inside_word(source, end)
            position[side] = end


def _inside_word(text: str, index: int) -> bool:
    """True when index splits a run of letters or digits in two."""
    return 0 < index < len(text) and text[index - 1].isalnum() and text[index].isalnum()


@property_settings
@given(documents(), documents())
def test_diff_stats_match_the_ops(old: str, new: str) -> None:
    ops = diff_words(old, new)
    stats = diff_stats(ops)
    assert stats.added_words == sum(len(text.split()) for op, text in ops if op == "insert")
    assert stats.removed_words == sum(len(text.split()) for op, text in ops if op == "delete")
    assert (stats.changes == 0) == (old == new)
