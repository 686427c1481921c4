"""Diff presentation: inline and side-by-side HTML, escaped, classes only, numbered changes."""
from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st
from markupsafe import Markup

from policyhub.text.diff_html import SideBySideRow, inline_html, side_by_side
from policyhub.text.diffing import DiffOp, diff_stats, diff_words

from .strategies_text import documents, edited

property_settings = settings(max_examples=100, deadline=None)


def test_inline_marks_insertions_and_deletions_with_classes() -> None:
    html = inline_html(diff_words("the cat sat", "the dog sat"))
    assert isinstance(html, Markup)
    assert html == 'the <del class="diff-del" id="change-1">cat</del><ins class="diff-ins">dog</ins> sat'


def test_inline_numbers_change_groups_and_only_the_first_element_carries_the_id() -> None:
    ops: list[DiffOp] = [
        ("equal", "a "), ("delete", "b"), ("insert", "c"), ("equal", " d "), ("insert", "e"), ("equal", " f"),
    ]
    html = inline_html(ops)
    assert re.findall(r'id="(change-\d+)"', html) == ["change-1", "change-2"]
    assert '<ins class="diff-ins">c</ins>' in html
    assert '<ins class="diff-ins" id="change-2">e</ins>' in html


def test_inline_escapes_text_before_marking_it_up() -> None:
    html = inline_html(diff_words("<b>x</b> & y", "<script>alert(1)</script> & y"))
    assert "<script" not in html and "<b>" not in html
    assert "script&gt;alert(1)&lt;/script" in html and "&amp; y" in html


def test_inline_keeps_newlines_and_never_uses_inline_styles() -> None:
    html = inline_html(diff_words("one\n\ntwo", "one\n\ntwo\n\nthree"))
    assert html.startswith("one\n\ntwo")
    assert "\n\nthree" in html
    assert "style" not in html and "<br" not in html


def test_side_by_side_gives_one_row_per_paragraph_pair() -> None:
    old = "Keep this.\n\nChange the cat.\n\nKeep that."
    new = "Keep this.\n\nChange the dog.\n\nKeep that."
    rows = side_by_side(diff_words(old, new))
    assert rows == [
        SideBySideRow(Markup("Keep this."), Markup("Keep this."), changed=False, change_number=None),
        SideBySideRow(
            Markup('Change the <del class="diff-del">cat</del>.'),
            Markup('Change the <ins class="diff-ins">dog</ins>.'),
            changed=True,
            change_number=1,
        ),
        SideBySideRow(Markup("Keep that."), Markup("Keep that."), changed=False, change_number=None),
    ]


def test_side_by_side_gives_an_inserted_paragraph_its_own_row_with_an_empty_old_side() -> None:
    rows = side_by_side(diff_words("First.\n\nLast.", "First.\n\nMiddle.\n\nLast."))
    assert [(str(row.old_html), row.changed) for row in rows] == [("First.", False), ("", True), ("Last.", False)]
    assert "Middle." in rows[1].new_html and rows[1].change_number == 1


def test_side_by_side_numbers_rows_by_the_change_groups_that_start_in_them() -> None:
    old = "a b c\n\nd e f\n\ng h i"
    new = "a X c\n\nd e f\n\ng h Y"
    rows = side_by_side(diff_words(old, new))
    assert [row.change_number for row in rows] == [1, None, 2]


def test_side_by_side_escapes_script_on_both_sides() -> None:
    rows = side_by_side(diff_words("<script>alert(1)</script>\n\nsame", "<script>alert(2)</script>\n\nsame"))
    for row in rows:
        for html in (row.old_html, row.new_html):
            assert "<script" not in html
    assert "&lt;script&gt;alert(" in rows[0].old_html and "&lt;script&gt;alert(" in rows[0].new_html


def test_side_by_side_of_identical_texts_has_no_changed_rows() -> None:
    rows = side_by_side(diff_words("one\n\ntwo", "one\n\ntwo"))
    assert [(row.old_html, row.changed, row.change_number) for row in rows] == [("one", False, None), ("two", False, None)]


def _plain(html: str) -> str:
    return Markup(re.sub(r"</?(?:ins|del)[^>]*>", "", html)).unescape()


@property_settings
@given(st.data(), documents(min_paragraphs=1))
def test_rows_carry_increasing_change_numbers_and_continuations_follow_a_change(data: st.DataObject, old: str) -> None:
    new = data.draw(edited(old) | documents())
    ops = diff_words(old, new)
    rows = side_by_side(ops)
    numbers = [row.change_number for row in rows if row.change_number is not None]
    assert numbers == sorted(set(numbers))
    assert (numbers[:1] == [1]) == (diff_stats(ops).changes > 0)
    for previous, row in zip([None, *rows], rows):
        if row.change_number is not None:
            assert row.changed
        elif row.changed:
            assert previous is not None and previous.changed, "a row only continues a change begun above it"


@property_settings
@given(st.data(), documents(min_paragraphs=1))
def test_side_by_side_rows_show_both_texts_in_order(data: st.DataObject, old: str) -> None:
    new = data.draw(edited(old) | documents())
    rows = side_by_side(diff_words(old, new))
    # Cells drop only the blank lines that end a paragraph, so the words all appear, in order.
    assert "\n".join(_plain(row.old_html) for row in rows).split() == old.split()
    assert "\n".join(_plain(row.new_html) for row in rows).split() == new.split()
    assert all(row.changed == (row.old_html != row.new_html or "<" in row.old_html) for row in rows)


@property_settings
@given(documents(), documents())
def test_inline_html_without_markup_is_the_new_and_old_text(old: str, new: str) -> None:
    html = str(inline_html(diff_words(old, new)))
    without_deletions = re.sub(r"<del[^>]*>.*?</del>", "", html, flags=re.S)
    without_insertions = re.sub(r"<ins[^>]*>.*?</ins>", "", html, flags=re.S)
    assert _plain(without_deletions) == new
    assert _plain(without_insertions) == old
