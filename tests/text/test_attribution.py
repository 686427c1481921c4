"""Attribution replays edits: kept text keeps its revision, inserted text is the new revision's, and every span
is a passage its revision's text holds as it is."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyhub.text.attribution import Attribution, Span, attribute, edits_of_delta, word_count
from policyhub.text.delta import encode
from policyhub.text.diffing import diff_words

from .strategies_text import documents, edited

ONE = "The cat sat on the mat.\n\nVotes for all.\n"


def step(attribution: Attribution, old: str, new: str, number: int) -> Attribution:
    return attribution.after_ops(diff_words(old, new), number)


def pieces_of(attribution: Attribution, text: str) -> list[tuple[str, int]]:
    return attribution.pieces(text)


def test_a_first_revision_owns_all_of_its_text():
    attribution = Attribution.new(ONE, 1)
    assert attribution.spans() == [Span(0, len(ONE), 1, 0)]
    assert Attribution.new("", 1).spans() == []


def test_inserted_words_belong_to_the_new_revision_and_kept_text_keeps_its_own():
    two = ONE.replace("The cat", "The black cat")
    attribution = step(Attribution.new(ONE, 1), ONE, two, 2)
    assert pieces_of(attribution, two) == [("The ", 1), ("black ", 2), (two[10:], 1)]


def test_a_word_changed_later_moves_to_the_later_revision():
    two = ONE.replace("mat", "rug")
    three = two.replace("Votes", "Fair votes")
    attribution = step(step(Attribution.new(ONE, 1), ONE, two, 2), two, three, 3)
    owners = {text: number for text, number in pieces_of(attribution, three)}
    assert owners["rug"] == 2
    assert "Fair" in next(text for text, number in pieces_of(attribution, three) if number == 3)
    assert "".join(text for text, _ in pieces_of(attribution, three)) == three


def test_deleting_the_text_between_two_passages_of_one_revision_rejoins_them():
    two = ONE.replace("cat sat", "cat quietly sat")
    three = two.replace("quietly ", "")
    attribution = step(step(Attribution.new(ONE, 1), ONE, two, 2), two, three, 3)
    assert three == ONE and attribution.spans() == [Span(0, len(ONE), 1, 0)]


def test_two_passages_a_revision_wrote_apart_stay_two_spans_each_found_in_its_text():
    two = "Alpha NEW beta gamma NEWER delta"
    attribution = step(Attribution.new("Alpha beta gamma delta", 1), "Alpha beta gamma delta", two, 2)
    three = "Alpha NEW NEWER delta"  # revision 1's "beta gamma " between them goes
    attribution = step(attribution, two, three, 3)
    spans = [span for span in attribution.spans() if span.number == 2]
    assert len(spans) == 2
    for span in spans:
        assert two[span.origin:span.origin + span.length] == three[span.start:span.end]


def test_a_revert_attributes_the_restored_text_to_the_revert():
    two = ONE.replace("Votes for all.", "Seats for some.")
    three = ONE  # revision 3 restores revision 1's text
    attribution = step(step(Attribution.new(ONE, 1), ONE, two, 2), two, three, 3)
    pieces = pieces_of(attribution, three)
    assert any("Votes for all" in text and number == 3 for text, number in pieces)
    assert {number for _, number in pieces} <= {1, 3}  # nothing of revision 2 is left


def test_the_stored_delta_gives_the_same_attribution_as_the_diff():
    two = ONE.replace("sat", "lay").replace("all", "everyone")
    ops = diff_words(ONE, two)
    start = Attribution.new(ONE, 1)
    assert start.after_delta(encode(ops), 2) == start.after_ops(ops, 2)


def test_attribute_works_on_span_lists():
    two = ONE.replace("cat", "dog")
    spans = attribute([Span(0, len(ONE), 1, 0)], ONE, two, 2)
    assert [two[span.start:span.end] for span in spans if span.number == 2] == ["dog"]
    assert Attribution.from_spans(spans).spans() == spans


def test_spans_with_gaps_are_refused():
    with pytest.raises(ValueError):
        Attribution.from_spans([Span(0, 3, 1, 0), Span(4, 6, 1, 4)])


@pytest.mark.parametrize("delta", ["=5", "=30", "-3=3", "+3:abc=20=5", "=2x", "+9:ab"])
def test_an_edit_that_does_not_fit_the_text_is_refused(delta):
    with pytest.raises(ValueError):
        Attribution.new("x" * 23, 1).after_delta(delta, 2)


def test_a_delta_reads_as_its_edit_script():
    assert list(edits_of_delta("=3-2+4:=+-:=1")) == [("=", 3), ("-", 2), ("+", 4), ("=", 1)]


def test_words_are_counted_without_punctuation():
    assert word_count("Fair votes, now — for all!") == 5
    assert word_count(" .\n") == 0


@st.composite
def history(draw: st.DrawFn) -> list[str]:
    """A first text and a few revisions, each an edit of the one before (sometimes a rewrite or a revert)."""
    texts = [draw(documents(min_paragraphs=1, max_paragraphs=5))]
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["edit", "edit", "edit", "rewrite", "revert"]))
        if kind == "rewrite":
            texts.append(draw(documents(max_paragraphs=3)))
        elif kind == "revert":
            texts.append(draw(st.sampled_from(texts)))
        else:
            texts.append(draw(edited(texts[-1])) if texts[-1] else draw(documents(max_paragraphs=2)))
    return texts


@settings(max_examples=150, deadline=None)
@given(history())
def test_spans_always_cover_the_text_and_each_stands_in_its_revisions_text(texts):
    by_ops = by_delta = Attribution.new(texts[0], 1)
    for number, (old, new) in enumerate(zip(texts, texts[1:]), start=2):
        ops = diff_words(old, new)
        by_ops = by_ops.after_ops(ops, number)
        by_delta = by_delta.after_delta(encode(ops), number)
    final = texts[-1]
    assert by_ops == by_delta
    spans = by_ops.spans()
    assert "".join(final[span.start:span.end] for span in spans) == final
    assert all(span.length > 0 for span in spans)
    for span in spans:
        written = texts[span.number - 1]
        assert written[span.origin:span.origin + span.length] == final[span.start:span.end]
    for before, after in zip(spans, spans[1:]):  # joined as far as one passage of one revision goes
        assert not (before.number == after.number and before.origin + before.length == after.origin)
