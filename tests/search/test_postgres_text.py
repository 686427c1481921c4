"""The PostgreSQL backend's pure parts, no database: accent folding that keeps offsets, snippets from
ts_headline's output, spelling distances."""
from __future__ import annotations

from policyhub.search.folding import fold, shown
from policyhub.search.headlines import START, STOP, snippet
from policyhub.search.spelling import closest, edit_distance, vocabulary_words


def marked(passage: str) -> str:
    """``passage`` with [brackets] as ts_headline would mark it."""
    return passage.replace("[", START).replace("]", STOP)


def test_folding_removes_accents_and_keeps_every_offset():
    text = shown("Naïve e\u0301lections at the Café: ﬁnance <b>bold</b>\x00")
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "Naive elections at the Cafe: ﬁnance  b bold /b  "  # tags and NUL become spaces


def test_a_snippet_marks_the_text_as_written_where_the_folded_copy_matched():
    text = shown("Before the vote. Naïve élections policy & <script>x</script> more words after.")
    headline = marked("[Naive] [elections] policy &  script x /script  more")
    assert snippet(text, fold(text), headline) == (
        "… <mark>Naïve</mark> <mark>élections</mark> policy &amp; &lt;script&gt;x&lt;/script&gt; more …")


def test_a_snippet_reaching_the_end_of_the_text_keeps_its_full_stop():
    text = "Homes for all. Railways are mentioned once here."
    assert snippet(text, fold(text), marked("Homes for all. [Railways] are mentioned once here")) == (
        "Homes for all. <mark>Railways</mark> are mentioned once here.")


def test_only_the_real_sentinels_make_marks():
    text = "phs0000000000000000 guessed phe0000000000000000 <mark>"
    assert snippet(text, fold(text), marked(text)) == (
        "phs0000000000000000 guessed phe0000000000000000 &lt;mark&gt;")


def test_a_passage_not_found_in_the_text_is_shown_escaped_rather_than_lost():
    assert snippet("Other text.", "Other text.", marked("a [b] <c>")) == "a <mark>b</mark> &lt;c&gt;"


def test_without_a_headline_the_snippet_is_the_start_of_the_text():
    text = "word " * 100
    result = snippet(text, fold(text), None)
    assert result.startswith("word word") and result.endswith(" …") and len(result) < 270


def test_spelling_distance_and_the_nearest_candidates():
    assert edit_distance("insulaton", "insulation") == 1
    assert edit_distance("enregy", "energy") == 2
    assert edit_distance("cat", "elephant") == 3  # cut short past the limit
    assert closest("enregy", ["entry", "energy", "enrage", "zebra"]) == ["energy", "enrage"]  # entry: 3 edits
    assert vocabulary_words("Loft insulation, CO2 & 2030 at", "x insulation") == {"loft", "insulation"}
