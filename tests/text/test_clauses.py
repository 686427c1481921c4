"""Clauses: splitting Markdown into blocks, the words that make a change substantive, sections, and matching
the blocks of a new revision to the previous one's so that clause keys survive edits."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from policyhub.text.clauses import (
    Block,
    Match,
    match_blocks,
    section_scope,
    sections,
    split_blocks,
    words,
)


def kinds_and_texts(markdown: str) -> list[tuple[str, str]]:
    return [(block.kind, block.text) for block in split_blocks(markdown)]


def assert_well_formed(markdown: str, blocks: list[Block]) -> None:
    """Offsets slice the source exactly, blocks are in order, never overlap and never blank."""
    previous_end = 0
    for block in blocks:
        assert previous_end <= block.start < block.end <= len(markdown)
        assert markdown[block.start:block.end] == block.text
        assert block.text.strip(" \t\r\n")  # markdown-it blank: spaces and tabs only
        assert block.text == block.text.rstrip(" \t\r\n")
        previous_end = block.end


# --- split_blocks ---------------------------------------------------------------------------------------

def test_empty_and_blank_documents_have_no_blocks() -> None:
    assert split_blocks("") == []
    assert split_blocks("\n\n  \n\t\n") == []


def test_atx_and_setext_headings_are_heading_blocks_with_their_level() -> None:
    source = "# Title\n\nIntro text.\n\nCosts\n=====\n\nMore\n----\n\n###### Deep ###\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.level, b.text, b.line) for b in blocks] == [
        ("heading", 1, "# Title", 1),
        ("paragraph", 0, "Intro text.", 3),
        ("heading", 1, "Costs\n=====", 5),
        ("heading", 2, "More\n----", 8),
        ("heading", 6, "###### Deep ###", 11),
    ]
    assert_well_formed(source, blocks)


def test_paragraphs_span_their_lines_and_offsets_slice_the_source() -> None:
    source = "First line\nsecond line.  \n\n\n   Indented start.\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.text, b.line) for b in blocks] == [
        ("paragraph", "First line\nsecond line.", 1),
        ("paragraph", "Indented start.", 5),
    ]
    assert blocks[1].start == source.index("Indented")
    assert_well_formed(source, blocks)


def test_thematic_breaks_and_blank_lines_are_not_blocks() -> None:
    assert kinds_and_texts("One.\n\n---\n\n***\n\nTwo.\n") == [("paragraph", "One."), ("paragraph", "Two.")]


def test_each_list_item_is_a_block_and_nested_items_are_their_own() -> None:
    source = "- Fair votes\n  for all\n  - nested one\n  - nested two\n- Second item\n\n1. First\n2. Second\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.text) for b in blocks] == [
        ("item", "- Fair votes\n  for all"),
        ("item", "- nested one"),
        ("item", "- nested two"),
        ("item", "- Second item"),
        ("item", "1. First"),
        ("item", "2. Second"),
    ]
    assert_well_formed(source, blocks)


def test_text_of_an_item_after_its_nested_list_is_a_paragraph_block() -> None:
    source = "- Parent\n  - child\n\n  Parent continues.\n- Next\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.text) for b in blocks] == [
        ("item", "- Parent"), ("item", "- child"), ("paragraph", "Parent continues."), ("item", "- Next"),
    ]
    assert_well_formed(source, blocks)


def test_empty_items_and_items_starting_with_a_list_have_no_block_of_their_own() -> None:
    source = "-\n- - inner\n-   \n- real\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.text) for b in blocks] == [("item", "- - inner"), ("item", "- real")]
    assert_well_formed(source, blocks)


def test_a_loose_item_with_two_paragraphs_is_one_block() -> None:
    source = "- First paragraph.\n\n  Second paragraph.\n\n- Other.\n"
    assert kinds_and_texts(source) == [("item", "- First paragraph.\n\n  Second paragraph."), ("item", "- Other.")]


def test_paragraphs_in_block_quotes_are_paragraph_blocks() -> None:
    source = "> Quoted first\n> still first\n>\n> Quoted second\n\nAfter.\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "> Quoted first\n> still first"), ("paragraph", "> Quoted second"), ("paragraph", "After."),
    ]
    assert_well_formed(source, blocks)


def test_tables_and_code_blocks_are_one_paragraph_block_each() -> None:
    source = ("| Party | Seats |\n|---|---:|\n| Green | 4 |\n\n```python\nx = 1\n\ny = 2\n```\n\n"
              "    indented code\n    more code\n\nEnd.\n")
    blocks = split_blocks(source)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "| Party | Seats |\n|---|---:|\n| Green | 4 |"),
        ("paragraph", "```python\nx = 1\n\ny = 2\n```"),
        ("paragraph", "indented code\n    more code"),
        ("paragraph", "End."),
    ]
    assert_well_formed(source, blocks)


def test_footnote_paragraphs_are_blocks_in_source_order_without_their_label() -> None:
    source = "A claim.[^src]\n\n[^src]: The source,\n    page 4.\n\n    Second note paragraph.\n\nAfter.\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.text, b.line) for b in blocks] == [
        ("paragraph", "A claim.[^src]", 1),
        ("paragraph", "The source,\n    page 4.", 3),
        ("paragraph", "Second note paragraph.", 6),
        ("paragraph", "After.", 8),
    ]
    assert_well_formed(source, blocks)


def test_unreferenced_footnotes_and_link_definitions_are_not_shown_so_not_blocks() -> None:
    assert kinds_and_texts("Text.\n\n[^unused]: Never shown.\n\n[ref]: https://example.org\n") == [
        ("paragraph", "Text."),
    ]


def test_crlf_and_cr_line_endings_give_offsets_in_the_source_as_written() -> None:
    source = "# Title\r\n\r\nLine one\r\nline two\r\n\r\n- item\rlast\r\n"
    blocks = split_blocks(source)
    assert [(b.kind, b.text, b.line) for b in blocks] == [
        ("heading", "# Title", 1), ("paragraph", "Line one\r\nline two", 3), ("item", "- item\rlast", 6),
    ]
    assert_well_formed(source, blocks)


def test_nul_and_lone_surrogates_do_not_break_splitting() -> None:
    source = "a\x00b\n\nc\ud800d\n"
    assert kinds_and_texts(source) == [("paragraph", "a\x00b"), ("paragraph", "c\ud800d")]


def test_content_nested_too_deep_for_structure_is_still_a_block() -> None:
    for source in ("> " * 200 + "innermost", "- " * 200 + "innermost"):
        blocks = split_blocks(source)
        assert blocks[-1].text.endswith("innermost")
        assert_well_formed(source, blocks)
    staircase = "".join("  " * level + f"- item{level}\n" for level in range(100))
    blocks = split_blocks(staircase)
    assert_well_formed(staircase, blocks)
    covered = "".join(block.text for block in blocks)
    assert all(f"item{level}" in covered for level in range(100))


markdownish = st.text(alphabet=st.sampled_from(list("<>[]()!*_`~#|-:=>\"' \n\r\t\x00abcx1.^") + ["\ud800"]),
                      max_size=200) | st.text(max_size=80)


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_any_string_splits_into_ordered_non_overlapping_blocks(source: str) -> None:
    blocks = split_blocks(source)
    assert_well_formed(source, blocks)
    assert all(block.kind in ("heading", "paragraph", "item") for block in blocks)
    assert all((block.level > 0) == (block.kind == "heading") for block in blocks)
    # The line number is the line the block starts on, whatever the line endings.
    for block in blocks:
        assert block.line == 1 + source[:block.start].count("\n") + source[:block.start].count("\r") \
            - source[:block.start].count("\r\n")


# --- words ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new"), [
    ("Fair votes for all.", "Fair  votes\nfor   all."),
    ("Fair votes for all.", "Fair votes, for all!"),
    ("Fair votes for all.", "Fair **votes** for _all_."),
    ("Use `vote()` now.", "Use vote() now."),
    ("## Costs", "### Costs"),
    ("## Costs", "Costs\n-----"),
    ("1. one\n2. two\n3. three", "1. one\n1. two\n1. three"),
    ("3. one\n4. two", "1) one\n2) two"),
    ("- one\n- two", "* one\n+ two"),
    ("> quoted text", "quoted text"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n--|--\n1 | 2"),
    ("[the source](https://example.org/x)", "the source https://example.org/x"),
    ("caf\u00e9 na\u00efve", "cafe\u0301 nai\u0308ve"),
])
def test_formatting_punctuation_and_layout_are_not_words(old: str, new: str) -> None:
    assert words(old) == words(new)


@pytest.mark.parametrize(("old", "new"), [
    ("Fair votes for all.", "Fair votes for some."),
    ("Fair votes for all.", "Fair Votes for all."),
    ("[the source](https://example.org/x)", "[the source](https://example.org/y)"),
    ("A budget of 1,000 euros.", "A budget of 1.000 euros."),
    ("A share of 3.5 percent.", "A share of 35 percent."),
    ("Turnout above 50%.", "Turnout above 50."),
    ("If x < 5 then", "If x > 5 then"),
    ("Costs in \u20ac.", "Costs in $."),
    ("\u0915\u093f", "\u0915\u093e"),  # Devanagari: the vowel sign is the difference
    ("The rate rose by\n5. Then it fell.", "The rate rose by\n6. Then it fell."),  # text, not a list number
    ("```\n1. step\n```", "```\n2. step\n```"),
])
def test_changed_words_numbers_urls_and_symbols_are_substantive(old: str, new: str) -> None:
    assert words(old) != words(new)


def test_words_keeps_case_and_order_and_drops_markdown_syntax() -> None:
    assert words("## The *Fair* Votes Act\n\n- Section 2: [text](https://ex.org/a_b)") == (
        "The", "Fair", "Votes", "Act", "Section", "2", "text", "https", "ex", "org", "a", "b",
    )
    assert words("") == ()
    assert words("--- *** ___ ``` |:-:|") == ()


# --- sections -------------------------------------------------------------------------------------------

SECTIONED = "Preamble.\n\n# One\n\nText 1.\n\n## One.A\n\n- item\n\n### One.A.i\n\nDeep.\n\n## One.B\n\n# Two\n\nText 2.\n"


def test_each_block_belongs_to_the_nearest_heading_and_headings_to_their_parent() -> None:
    blocks = split_blocks(SECTIONED)
    names = [block.text for block in blocks]
    assert names == ["Preamble.", "# One", "Text 1.", "## One.A", "- item", "### One.A.i", "Deep.", "## One.B",
                     "# Two", "Text 2."]
    assert sections(blocks) == [None, None, 1, 1, 3, 3, 5, 1, None, 8]


def test_a_heading_scope_runs_to_the_next_heading_of_the_same_or_higher_level() -> None:
    blocks = split_blocks(SECTIONED)
    assert section_scope(blocks, 1) == range(1, 8)
    assert section_scope(blocks, 3) == range(3, 7)
    assert section_scope(blocks, 5) == range(5, 7)
    assert section_scope(blocks, 8) == range(8, 10)
    assert section_scope(blocks, 2) == range(2, 3)
    assert sections([]) == []


# --- matching -------------------------------------------------------------------------------------------

A = "The council shall publish its budget every year before the first of March."
B = "Members of the public may ask questions at any ordinary meeting of the council."
C = "Votes are counted by two officers who are not members of any party."
D = "The chair announces the result and it is recorded in the minutes."
BASE = "\n\n".join(["# Rules of procedure", A, B, C, D])


def keyed(markdown: str, prefix: str = "k") -> list[tuple[str, Block]]:
    return [(f"{prefix}{index}", block) for index, block in enumerate(split_blocks(markdown))]


def match(old: str, new: str, retired: tuple[tuple[str, str], ...] = ()):
    return match_blocks(keyed(old), split_blocks(new), retired)


def hows(matching) -> list[tuple[str | None, str]]:
    return [(m.key, m.how) for m in matching.matches]


def assert_keys_unique(matching) -> None:
    kept = [m.key for m in matching.matches if m.key is not None]
    assert len(kept) == len(set(kept))
    assert not set(kept) & set(matching.merged)
    assert not set(kept) & set(matching.removed)
    assert not set(matching.merged) & set(matching.removed)


def test_an_unchanged_document_keeps_every_key() -> None:
    result = match(BASE, BASE)
    assert hows(result) == [("k0", "unchanged"), ("k1", "unchanged"), ("k2", "unchanged"), ("k3", "unchanged"),
                            ("k4", "unchanged")]
    assert (result.merged, result.removed) == ({}, [])


def test_whitespace_only_changes_are_unchanged() -> None:
    result = match(BASE, BASE.replace("publish its", "publish\n  its"))
    assert hows(result)[1] == ("k1", "unchanged")


def test_editing_one_word_keeps_the_key() -> None:
    result = match(BASE, BASE.replace("budget", "accounts"))
    assert hows(result) == [("k0", "unchanged"), ("k1", "edited"), ("k2", "unchanged"), ("k3", "unchanged"),
                            ("k4", "unchanged")]


def test_a_heavy_edit_that_keeps_half_the_words_keeps_the_key() -> None:
    heavy = "The council must publish its full budget each year before the first of April, online."
    result = match(BASE, BASE.replace(A, heavy))
    assert hows(result)[1] == ("k1", "edited")
    assert result.removed == []


def test_a_rewrite_is_a_new_clause_and_the_old_one_is_removed() -> None:
    result = match(BASE, BASE.replace(A, "Railway stations open at dawn and close late on Sundays."))
    assert hows(result)[1] == (None, "new")
    assert result.removed == ["k1"]


def test_moving_a_paragraph_keeps_its_key_and_marks_only_it_moved() -> None:
    moved = "\n\n".join(["# Rules of procedure", B, C, A, D])
    result = match(BASE, moved)
    assert hows(result) == [("k0", "unchanged"), ("k2", "unchanged"), ("k3", "unchanged"), ("k1", "moved"),
                            ("k4", "unchanged")]


def test_moving_a_section_keeps_all_its_keys() -> None:
    old = "# A\n\nText of A.\n\n# B\n\nText of B.\n\n# C\n\nText of C.\n"
    new = "# A\n\nText of A.\n\n# C\n\nText of C.\n\n# B\n\nText of B.\n"
    result = match(old, new)
    assert [m.key for m in result.matches] == ["k0", "k1", "k4", "k5", "k2", "k3"]
    assert Counter(m.how for m in result.matches) == {"unchanged": 4, "moved": 2}


def test_swapping_two_paragraphs_keeps_both_keys() -> None:
    result = match(BASE, "\n\n".join(["# Rules of procedure", B, A, C, D]))
    assert [m.key for m in result.matches] == ["k0", "k2", "k1", "k3", "k4"]
    assert sorted(m.how for m in result.matches[1:3]) == ["moved", "unchanged"]


def test_a_moved_and_edited_paragraph_keeps_its_key() -> None:
    result = match(BASE, "\n\n".join(["# Rules of procedure", B, C, D, A.replace("March", "April")]))
    assert hows(result)[4] == ("k1", "edited")


def test_splitting_in_two_keeps_the_key_on_the_larger_piece() -> None:
    split = BASE.replace(C, "Votes are counted by two officers.\n\nThe officers are not members of any party.")
    result = match(BASE, split)
    assert result.matches[3] == Match(None, "split", "k3")
    assert result.matches[4] == Match("k3", "edited")
    assert (result.merged, result.removed) == ({}, [])


def test_splitting_in_three_gives_two_split_pieces_with_the_origin() -> None:
    split = BASE.replace(C, "Votes are counted.\n\nBy two officers.\n\nWho are not members of any party.")
    result = match(BASE, split)
    assert result.matches[3:6] == [Match(None, "split", "k3"), Match(None, "split", "k3"), Match("k3", "edited")]


def test_merging_two_keeps_the_key_of_the_larger_and_lists_the_other() -> None:
    longer_d = D + " It is read out twice."
    old = "\n\n".join(["# Rules of procedure", A, B, C, longer_d])
    result = match(old, "\n\n".join(["# Rules of procedure", A, B, C + " " + longer_d]))
    assert result.matches[3] == Match("k4", "edited")
    assert result.merged == {"k3": "k4"}
    assert result.removed == []


def test_merging_three_lists_both_absorbed_keys() -> None:
    result = match(BASE, "\n\n".join(["# Rules of procedure", A, B + " " + C + " " + D]))
    kept = result.matches[2].key
    assert result.matches[2].how == "edited" and kept in ("k2", "k3", "k4")
    assert sorted(result.merged) == sorted({"k2", "k3", "k4"} - {kept})
    assert set(result.merged.values()) == {kept}
    assert result.removed == []


def test_deleting_a_paragraph_removes_only_its_key() -> None:
    result = match(BASE, BASE.replace(B + "\n\n", ""))
    assert [m.key for m in result.matches] == ["k0", "k1", "k3", "k4"]
    assert all(m.how == "unchanged" for m in result.matches)
    assert result.removed == ["k2"]


def test_a_deleted_clause_added_back_gets_its_retired_key() -> None:
    retired = (("old7", "Smoking is not allowed in the chamber."), ("old8", "# Annex"))
    result = match(BASE, BASE + "\n\nSmoking is *not* allowed in the chamber!\n", retired)
    assert result.matches[-1] == Match("old7", "restored")


def test_a_clause_close_to_a_retired_one_is_restored() -> None:
    retired = (("old7", "Smoking is not allowed anywhere in the council chamber or its galleries."),)
    result = match(BASE, BASE + "\n\nSmoking is not allowed anywhere in the council chamber or galleries.\n", retired)
    assert result.matches[-1] == Match("old7", "restored")


def test_a_retired_key_still_in_use_or_of_the_other_kind_is_not_restored() -> None:
    retired = (("k1", "Brand new text here."), ("old8", "# Brand new text here"))
    result = match(BASE, BASE + "\n\nBrand new text here.\n", retired)
    assert result.matches[-1] == Match(None, "new")


def test_inserting_between_paragraphs_is_new_and_keeps_the_others() -> None:
    result = match(BASE, BASE.replace(B, B + "\n\nA totally fresh idea about trains."))
    assert hows(result) == [("k0", "unchanged"), ("k1", "unchanged"), ("k2", "unchanged"), (None, "new"),
                            ("k3", "unchanged"), ("k4", "unchanged")]


def test_duplicate_texts_are_paired_in_order() -> None:
    old = "Agreed.\n\nFirst point made here.\n\nAgreed.\n"
    new = "Agreed.\n\nAgreed.\n\nFirst point made here.\n\nAgreed.\n"
    result = match(old, new)
    assert [m.key for m in result.matches] == ["k0", "k2", "k1", None]
    assert result.matches[3].how == "new"
    assert_keys_unique(result)


def test_a_heading_never_matches_a_paragraph_with_the_same_words() -> None:
    result = match("# Costs and benefits\n\nSome text.\n", "Costs and benefits\n\nSome text.\n")
    assert hows(result) == [(None, "new"), ("k1", "unchanged")]
    assert result.removed == ["k0"]


def test_a_paragraph_turned_into_a_list_item_keeps_its_key() -> None:
    result = match("Costs and benefits of the scheme.\n", "- Costs and benefits of the scheme.\n")
    assert hows(result) == [("k0", "edited")]


def test_a_heading_edit_keeps_the_key() -> None:
    result = match("## Costs of the scheme\n\nText.\n", "### Costs of this scheme\n\nText.\n")
    assert hows(result) == [("k0", "edited"), ("k1", "unchanged")]


def test_everything_new_against_an_empty_revision_and_everything_removed_for_an_empty_one() -> None:
    assert hows(match("", BASE)) == [(None, "new")] * 5
    result = match(BASE, "")
    assert result.matches == [] and result.removed == ["k0", "k1", "k2", "k3", "k4"]


def test_a_key_repeated_in_the_old_revision_is_never_given_twice() -> None:
    blocks = split_blocks("One two three.\n\nOne two three.\n")
    result = match_blocks([("k", blocks[0]), ("k", blocks[1])], blocks)
    assert [m.key for m in result.matches].count("k") == 1
    assert_keys_unique(result)


def test_matching_a_long_document_with_one_edit_is_exact_everywhere_else() -> None:
    paragraphs = [f"Paragraph {n} says rule{n} applies to group{n % 7} from year {1900 + n}." for n in range(2000)]
    old = "\n\n".join(paragraphs)
    paragraphs[1000] = paragraphs[1000].replace("applies", "never applies")
    result = match(old, "\n\n".join(paragraphs))
    assert [m.key for m in result.matches] == [f"k{n}" for n in range(2000)]
    assert [n for n, m in enumerate(result.matches) if m.how != "unchanged"] == [1000]


# Random revisions of a list of paragraphs: deleted, duplicated, moved, edited, inserted.
sentence_words = st.sampled_from(["vote", "votes", "fair", "rail", "the", "a", "of", "council", "budget", "42",
                                  "na\u00efve", "Stra\u00dfe", "\u65e5\u672c", "x"])
sentences = st.lists(sentence_words, min_size=1, max_size=12).map(" ".join)
prefixes = st.sampled_from(["", "", "", "- ", "## ", "1. "])
paragraph_lists = st.lists(st.tuples(prefixes, sentences).map("".join), min_size=0, max_size=12)


@st.composite
def revisions(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    old = draw(paragraph_lists)
    new = list(old)
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["delete", "duplicate", "move", "edit", "insert"]))
        if action == "insert" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(st.tuples(prefixes, sentences).map("".join)))
            continue
        index = draw(st.integers(0, len(new) - 1))
        if action == "delete":
            del new[index]
        elif action == "duplicate":
            new.insert(draw(st.integers(0, len(new))), new[index])
        elif action == "move":
            new.insert(draw(st.integers(0, len(new) - 1)), new.pop(index))
        else:
            new[index] = new[index] + " " + draw(sentence_words)
    return old, new


@settings(max_examples=300, deadline=None)
@given(revisions(), st.lists(st.tuples(st.sampled_from(["r1", "r2", "k1"]), sentences), max_size=3))
def test_random_revisions_never_give_a_key_twice_and_unchanged_blocks_keep_theirs(
    revision: tuple[list[str], list[str]], retired: list[tuple[str, str]],
) -> None:
    old_source, new_source = ("\n\n".join(paragraphs) for paragraphs in revision)
    old, new = keyed(old_source), split_blocks(new_source)
    result = match_blocks(old, new, retired)
    assert len(result.matches) == len(new)
    assert_keys_unique(result)
    old_keys = [key for key, _ in old]
    accounted = [m.key for m in result.matches if m.key in old_keys] + list(result.merged) + result.removed
    assert sorted(accounted) == sorted(old_keys)  # every old key is kept, merged or removed, once
    assert all(target in [m.key for m in result.matches] for target in result.merged.values())
    for m in result.matches:
        assert (m.how == "new") == (m.key is None and m.origin is None)
        assert (m.how == "split") == (m.origin is not None)
    # Identical texts keep identical texts' keys, as many as both revisions have.
    text_of = {key: " ".join(block.text.split()) for key, block in old}
    old_counts = Counter(text_of.values())
    new_counts = Counter(" ".join(block.text.split()) for block in new)
    for text, count in new_counts.items():
        kept_same = sum(1 for m, block in zip(result.matches, new)
                        if " ".join(block.text.split()) == text and text_of.get(m.key or "") == text)
        assert kept_same == min(count, old_counts[text])
