"""Rendered HTML to plain text for search."""
from policyhub.text.plain import html_to_text
from policyhub.text.rendering import render


def test_markdown_syntax_and_permalinks_disappear_but_words_stay():
    text = html_to_text(render("## Votes at 16\n\nWe back **votes at 16** and *automatic* registration.\n\n"
                               "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").html)
    assert text.startswith("Votes at 16\n\nWe back votes at 16 and automatic registration.")
    assert "**" not in text and "#" not in text and "<" not in text
    assert "one\n\ntwo" in text and "1 2" in text


def test_entities_are_decoded_once():
    assert html_to_text(render("Fish &amp; chips < 5 & <script>").html) == "Fish & chips < 5 & <script>"
