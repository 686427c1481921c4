"""Input hygiene: newlines, forbidden characters, sizes, slugs."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from policyhub.text.checks import control_character_error, normalise_newlines, slugify, utf8_size


def test_normalise_newlines_turns_crlf_and_lone_cr_into_lf() -> None:
    assert normalise_newlines("a\r\nb\rc\nd\r\n\r\n") == "a\nb\nc\nd\n\n"


def test_normalise_newlines_leaves_other_text_alone() -> None:
    text = "tab\there — ünïcödé 😀\n"
    assert normalise_newlines(text) == text


def test_clean_text_with_tabs_newlines_and_unicode_has_no_error() -> None:
    assert control_character_error("Fair votes\tnow\r\nfor all — 日本語 😀\n") is None


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\ufffe", "\uffff"],
)
def test_forbidden_character_is_reported_with_its_code(char: str) -> None:
    message = control_character_error(f"ok{char}ok")
    assert message is not None
    assert f"U+{ord(char):04X}" in message


def test_error_names_line_and_column_of_first_offender() -> None:
    message = control_character_error("first line\nsecond\x00 line\x01\n")
    assert message is not None
    assert "U+0000" in message and "U+0001" not in message
    assert "line 2, column 7" in message


def test_error_position_on_first_line_counts_from_one() -> None:
    message = control_character_error("\x00")
    assert message is not None and "line 1, column 1" in message


def test_utf8_size_counts_bytes_not_characters() -> None:
    assert utf8_size("abc") == 3
    assert utf8_size("é") == 2
    assert utf8_size("日") == 3
    assert utf8_size("😀") == 4


def test_utf8_size_does_not_raise_on_lone_surrogate() -> None:
    assert utf8_size("a\ud800") == 4


def test_slugify_folds_accents_and_lowercases() -> None:
    assert slugify("Égalité des Chances: Fair Votes!") == "egalite-des-chances-fair-votes"


def test_slugify_collapses_runs_of_other_characters_into_one_hyphen() -> None:
    assert slugify("  --Net   zero // by 2030--  ") == "net-zero-by-2030"


def test_slugify_returns_empty_when_nothing_alphanumeric_is_left() -> None:
    assert slugify("!!! ---") == ""
    assert slugify("日本語") == ""


def test_slugify_cuts_long_text_at_a_hyphen_within_the_limit() -> None:
    assert slugify("proportional representation for every election", max_length=30) == "proportional-representation"


def test_slugify_hard_cuts_a_single_word_longer_than_the_limit() -> None:
    assert slugify("a" * 100, max_length=10) == "a" * 10


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=100))
def test_slugify_always_returns_a_valid_bounded_slug(text: str, max_length: int) -> None:
    slug = slugify(text, max_length=max_length)
    assert len(slug) <= max_length
    assert slug == "" or re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)


printable = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]) | st.sampled_from("\t\n"))


@settings(max_examples=200, deadline=None)
@given(printable)
def test_printable_text_with_tabs_and_newlines_is_accepted(text: str) -> None:
    assert control_character_error(text) is None


@settings(max_examples=200, deadline=None)
@given(printable, printable, st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ufffe"]))
def test_an_inserted_control_character_is_found_where_it_was_put(before: str, after: str, char: str) -> None:
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    message = control_character_error(before + char + after)
    assert message is not None
    assert f"U+{ord(char):04X}" in message
    assert f"line {line}, column {column};" in message
