"""Three-way merge (diff3 rules on words): clean merges, conflicts, and the laws a merge obeys."""
from __future__ import annotations

import random
import re

from hypothesis import assume, given, settings, strategies as st

from policyhub.text.diffing import Conflict, MergeResult, merge3

from .strategies_text import WORDS, documents, edited, lines, paragraph_breaks

property_settings = settings(max_examples=120, deadline=None)

BASE = "We will cut fares.\n\nWe will build homes.\n\nWe will plant trees."


def test_edits_to_different_paragraphs_both_survive() -> None:
    ours = BASE.replace("cut fares", "freeze fares")
    theirs = BASE.replace("plant trees", "plant forests")
    result = merge3(BASE, ours, theirs)
    assert result == MergeResult(
        text="We will freeze fares.\n\nWe will build homes.\n\nWe will plant forests.", conflicts=(),
    )
    assert result.clean


def test_edits_to_different_words_of_one_sentence_both_survive() -> None:
    base = "Fund the buses of the north from the regional levy."
    ours = base.replace("buses", "trams")
    theirs = base.replace("regional", "national")
    assert merge3(base, ours, theirs).text == "Fund the trams of the north from the national levy."


def test_different_edits_of_the_same_word_conflict_and_report_each_side() -> None:
    ours = BASE.replace("build homes", "build council homes")
    theirs = BASE.replace("build homes", "build social housing")
    result = merge3(BASE, ours, theirs)
    assert not result.clean
    assert result.text is None
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.base in "We will build homes."
    assert "council" in conflict.ours and "social housing" in conflict.theirs
    assert "council" not in conflict.theirs


def test_identical_edits_on_both_sides_are_taken_once() -> None:
    ours = theirs = BASE.replace("homes", "affordable homes")
    assert merge3(BASE, ours, theirs).text == ours


def test_two_different_insertions_at_the_same_point_conflict() -> None:
    base = "Alpha beta."
    result = merge3(base, "Alpha gamma beta.", "Alpha delta beta.")
    assert result.conflicts == (Conflict(base="", ours="gamma ", theirs="delta "),)


def test_identical_insertions_at_the_same_point_are_taken_once() -> None:
    assert merge3("Alpha beta.", "Alpha new beta.", "Alpha new beta.").text == "Alpha new beta."


def test_insertion_touching_the_other_sides_replacement_conflicts() -> None:
    # No unchanged word between the two changes: which order the reader meant is unknowable.
    base = "Tax land fairly."
    result = merge3(base, "Tax wealth fairly.", "Tax land and wealth fairly.")
    assert not result.clean


def test_deletion_overlapping_an_edit_conflicts() -> None:
    ours = BASE.replace("We will build homes.\n\n", "")
    theirs = BASE.replace("build homes", "build more homes")
    assert not merge3(BASE, ours, theirs).clean


def test_deleting_one_paragraph_and_editing_another_merges() -> None:
    ours = BASE.replace("We will build homes.\n\n", "")
    theirs = BASE.replace("cut fares", "abolish fares")
    assert merge3(BASE, ours, theirs).text == "We will abolish fares.\n\nWe will plant trees."


def test_conflicts_are_reported_in_document_order() -> None:
    ours = BASE.replace("cut", "halve").replace("plant", "grow")
    theirs = BASE.replace("cut", "scrap").replace("plant", "protect")
    result = merge3(BASE, ours, theirs)
    assert [(c.ours, c.theirs) for c in result.conflicts] == [("halve", "scrap"), ("grow", "protect")]


def test_one_percent_amendment_of_a_large_document_merges_onto_distant_edits() -> None:
    rng = random.Random(11)
    paragraphs = [" ".join(rng.choices(WORDS[:12], k=60)) + f" end{i}." for i in range(400)]
    base = "\n\n".join(paragraphs)
    ours_paragraphs, theirs_paragraphs = list(paragraphs), list(paragraphs)
    for i in range(0, 400, 10):
        ours_paragraphs[i] = ours_paragraphs[i].replace(f"end{i}", f"ours{i}")
        theirs_paragraphs[i + 5] = theirs_paragraphs[i + 5].replace(f"end{i + 5}", f"theirs{i + 5}")
    expected = [p.replace(f"end{i}", f"ours{i}" if i % 10 == 0 else f"theirs{i}" if i % 10 == 5 else f"end{i}")
                for i, p in enumerate(paragraphs)]
    result = merge3(base, "\n\n".join(ours_paragraphs), "\n\n".join(theirs_paragraphs))
    assert result.text == "\n\n".join(expected)


@property_settings
@given(st.data(), documents())
def test_merge_with_unchanged_theirs_is_ours(data: st.DataObject, base: str) -> None:
    ours = data.draw(documents() | edited(base) if base else documents())
    assert merge3(base, ours, base).text == ours


@property_settings
@given(st.data(), documents())
def test_merge_with_unchanged_ours_is_theirs(data: st.DataObject, base: str) -> None:
    theirs = data.draw(documents() | edited(base) if base else documents())
    assert merge3(base, base, theirs).text == theirs


@property_settings
@given(st.data(), documents())
def test_merge_of_the_same_change_on_both_sides_is_that_change(data: st.DataObject, base: str) -> None:
    both = data.draw(documents() | edited(base) if base else documents())
    assert merge3(base, both, both).text == both


@st.composite
def paragraph_lists(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Paragraphs and the blank-line separators that follow each (the last one may have none)."""
    texts = draw(st.lists(lines, min_size=2, max_size=7))
    pauses = [draw(paragraph_breaks) for _ in texts[:-1]] + [draw(st.sampled_from(["", "\n"]))]
    return texts, pauses


def join(texts: list[str], pauses: list[str]) -> str:
    return "".join(text + pause for text, pause in zip(texts, pauses))


@property_settings
@given(st.data(), paragraph_lists())
def test_edits_to_separate_paragraphs_both_survive(data: st.DataObject, base_parts: tuple[list[str], list[str]]) -> None:
    texts, pauses = base_parts
    i, j = data.draw(st.lists(st.integers(0, len(texts) - 1), min_size=2, max_size=2, unique=True))
    ours_text, theirs_text = data.draw(lines), data.draw(lines)
    assume(ours_text != texts[i] and theirs_text != texts[j])
    ours, theirs, expected = list(texts), list(texts), list(texts)
    ours[i] = expected[i] = ours_text
    theirs[j] = expected[j] = theirs_text
    result = merge3(join(texts, pauses), join(ours, pauses), join(theirs, pauses))
    assert result.text == join(expected, pauses)


@property_settings
@given(st.data(), documents(min_paragraphs=1))
def test_two_different_edits_of_the_same_word_always_conflict(data: st.DataObject, base: str) -> None:
    positions = [index for index, piece in enumerate(base.split(" ")) if piece.isalnum()]
    assume(positions)
    index = data.draw(st.sampled_from(positions))
    original = base.split(" ")[index]
    ours_word, theirs_word = data.draw(st.lists(st.sampled_from(WORDS).filter(str.isalnum), min_size=2, max_size=2, unique=True))
    assume(original not in (ours_word, theirs_word))

    def replaced(word: str) -> str:
        pieces = base.split(" ")
        pieces[index] = word
        return " ".join(pieces)

    result = merge3(base, replaced(ours_word), replaced(theirs_word))
    assert result.text is None and result.conflicts
    assert any(ours_word in c.ours and theirs_word in c.theirs for c in result.conflicts)


@property_settings
@given(st.data(), documents(min_paragraphs=1))
def test_a_clean_merge_keeps_every_word_either_side_added(data: st.DataObject, base: str) -> None:
    ours, theirs = data.draw(edited(base)), data.draw(edited(base))
    result = merge3(base, ours, theirs)
    assert result.clean == (result.text is not None) == (not result.conflicts)
    if result.text is not None:
        for side in (ours, theirs):
            for word in set(re.findall(r"\w+", side)) - set(re.findall(r"\w+", base)):
                assert word in result.text


@property_settings
@given(st.data(), documents(min_paragraphs=1))
def test_merge_does_not_depend_on_which_side_is_ours(data: st.DataObject, base: str) -> None:
    ours, theirs = data.draw(edited(base)), data.draw(edited(base))
    forward, backward = merge3(base, ours, theirs), merge3(base, theirs, ours)
    assert forward.text == backward.text
    assert [(c.base, c.ours, c.theirs) for c in forward.conflicts] == [
        (c.base, c.theirs, c.ours) for c in backward.conflicts
    ]
