"""Deltas round-trip any text exactly and refuse to apply where they do not fit."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyhub.text.delta import apply, encode
from policyhub.text.diffing import diff_words

from .strategies_text import documents, edited

# Characters a delta must carry untouched: its own markers and digits, newlines of every kind, tabs,
# combining marks, astral emoji (two UTF-16 units, four UTF-8 bytes), CJK and right-to-left text.
AWKWARD = st.sampled_from(["=", "+", "-", ":", "0", "9", "12:", "\n", "\r\n", "\r", "\t", " ", "e\u0301",
                           "😀", "👩‍👩‍👧", "𝔘", "日本", "שלום", "\u2028", "\ufeff", "\x85"])
texts = st.lists(st.one_of(AWKWARD, st.text(max_size=8)), max_size=30).map("".join)
ops = st.lists(st.tuples(st.sampled_from(["equal", "delete", "insert"]), texts), max_size=20)


def old_of(diff: list[tuple[str, str]]) -> str:
    return "".join(text for op, text in diff if op != "insert")


def new_of(diff: list[tuple[str, str]]) -> str:
    return "".join(text for op, text in diff if op != "delete")


@given(texts, texts)
def test_any_two_texts_round_trip_through_their_word_diff(old, new):
    assert apply(old, encode(diff_words(old, new))) == new


@given(documents(max_paragraphs=8).flatmap(lambda text: st.tuples(st.just(text), edited(text))))
def test_edited_documents_round_trip(pair):
    old, new = pair
    assert apply(old, encode(diff_words(old, new))) == new


@given(ops)
def test_any_ops_round_trip_however_they_are_cut(diff):
    """Empty ops, neighbours of one kind, and inserted text full of markers and digits."""
    assert apply(old_of(diff), encode(diff)) == new_of(diff)


def test_a_small_edit_of_a_long_text_is_stored_as_lengths_and_the_new_words():
    old = "Fair votes for all. " * 1500
    new = old[:15000] + "Proportional " + old[15000:]
    delta = encode(diff_words(old, new))
    assert delta == f"=15000+13:Proportional ={len(old) - 15000}"
    assert apply(old, delta) == new


def test_lengths_count_code_points_not_bytes_or_utf16_units():
    old = "😀 votes 𝔘 seats"
    delta = encode([("equal", "😀 "), ("delete", "votes"), ("insert", "ballots"), ("equal", " 𝔘 seats")])
    assert delta == "=2-5+7:ballots=8"
    assert apply(old, delta) == "😀 ballots 𝔘 seats"


def test_unchanged_and_empty_texts():
    assert encode(diff_words("same", "same")) == "=4"
    assert encode(diff_words("", "")) == ""
    assert apply("", "") == ""
    assert apply("gone", encode(diff_words("gone", ""))) == ""
    assert apply("", encode(diff_words("", "new"))) == "new"


@pytest.mark.parametrize("base", ["short", "a longer base text"])
def test_a_delta_applied_to_a_base_of_another_length_is_refused(base):
    delta = encode(diff_words("a base text", "a based text"))
    with pytest.raises(ValueError):
        apply(base, delta)


@pytest.mark.parametrize("delta", ["x", "=", "=3x", "+5:abc", "+3abc", "=2-", "+-1:a", "=٣"])
def test_malformed_deltas_are_refused(delta):
    with pytest.raises(ValueError):
        apply("abc", delta)


def test_unknown_ops_are_refused():
    with pytest.raises(ValueError):
        encode([("replace", "x")])
