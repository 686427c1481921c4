"""Markdown rendering: features, heading anchors, and safety against hostile input."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings, strategies as st

from policyhub.text.clauses import split_blocks
from policyhub.text.rendering import MAX_DOCUMENT_BYTES, Heading, render


class _Elements(HTMLParser):
    """Collects (tag, attributes) of every start tag, to inspect output structurally."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def urls(html: str) -> list[str]:
    return [value or "" for _, attrs in elements(html) for name, value in attrs.items() if name in ("href", "src")]


def test_document_cap_is_256_kilobytes() -> None:
    assert MAX_DOCUMENT_BYTES == 256 * 1024


def test_renders_paragraphs_emphasis_and_lists() -> None:
    html = render("Some *stress* and **strength**.\n\n- one\n- two\n\n3. three\n").html
    assert "<em>stress</em>" in html and "<strong>strength</strong>" in html
    assert "<li>one</li>" in html
    assert '<ol start="3">' in html


def test_renders_tables_with_alignment_as_classes_not_styles() -> None:
    html = render("| Party | Seats |\n|:------|------:|\n| Green | 4 |\n").html
    assert "<table>" in html
    assert '<th class="align-left">Party</th>' in html
    assert '<td class="align-right">4</td>' in html
    assert "style" not in html


def test_renders_strikethrough() -> None:
    assert "<s>first past the post</s>" in render("~~first past the post~~").html


def test_renders_footnotes_with_their_ids_and_classes() -> None:
    html = render("A claim.[^src]\n\n[^src]: The source.\n").html
    tags = {tag: attrs for tag, attrs in elements(html)}
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1"' in html
    assert tags["section"]["class"] == "footnotes"
    assert tags["li"] == {"id": "fn1", "class": "footnote-item"}
    assert "The source." in html


def test_headings_get_prefixed_slug_ids_and_a_permalink() -> None:
    rendered = render("## Fair votes, now!\n")
    assert rendered.headings == (Heading(level=2, text="Fair votes, now!", anchor="s-fair-votes-now"),)
    heading = elements(rendered.html)
    assert heading[0] == ("h2", {"id": "s-fair-votes-now"})
    link = heading[1]
    assert link[0] == "a"
    assert link[1]["class"] == "heading-anchor"
    assert link[1]["href"] == "#s-fair-votes-now"
    assert link[1]["aria-label"] == "Link to this section"
    assert '>#</a></h2>' in rendered.html


def test_duplicate_headings_get_numbered_ids() -> None:
    rendered = render("# Costs\n\n## Costs\n\nCosts\n-----\n\n# Costs 2\n")
    assert [h.anchor for h in rendered.headings] == ["s-costs", "s-costs-2", "s-costs-3", "s-costs-2-2"]
    ids = [attrs["id"] for tag, attrs in elements(rendered.html) if "id" in attrs]
    assert len(ids) == len(set(ids))


def test_heading_without_letters_gets_a_fallback_id() -> None:
    assert render("# !!!\n").headings[0].anchor == "s-section"


def test_heading_text_is_plain_text_and_escaped_in_html() -> None:
    rendered = render("# Tax & <b>spend</b> *now* `x<y`\n")
    assert rendered.headings[0].text == "Tax & <b>spend</b> now x<y"
    assert "Tax &amp; &lt;b&gt;spend&lt;/b&gt; <em>now</em> <code>x&lt;y</code>" in rendered.html
    assert "<b>" not in rendered.html


def test_headings_are_listed_in_document_order_with_levels() -> None:
    rendered = render("# One\n\ntext\n\n### Three\n\n## Two\n")
    assert [(h.level, h.text) for h in rendered.headings] == [(1, "One"), (3, "Three"), (2, "Two")]


def test_script_tags_are_shown_as_text() -> None:
    html = render("<script>alert(1)</script>\n\nInline <script>alert(2)</script> too.").html
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script" not in [tag for tag, _ in elements(html)]


def test_img_with_event_handler_is_shown_as_text() -> None:
    html = render("<img src=x onerror=alert(1)>").html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not any(name.startswith("on") for _, attrs in elements(html) for name in attrs)


def test_javascript_and_data_urls_never_reach_an_attribute() -> None:
    source = "\n\n".join([
        "[x](javascript:alert(1))",
        "[y](JaVaScRiPt:alert(1))",
        "[z](java\tscript:alert(1))",
        "<javascript:alert(1)>",
        "[ref][r]\n\n[r]: javascript:alert(1)",
        "![x](data:text/html,<script>alert(1)</script>)",
        "![png](data:image/png;base64,iVBORw0KGgo=)",
        "[v](vbscript:msgbox(1)) [f](file:///etc/passwd)",
    ])
    found = urls(render(source).html)
    assert not any(url.lower().replace("\t", "").startswith(("javascript:", "data:", "vbscript:", "file:")) for url in found)


def test_links_get_nofollow_noopener_and_keep_safe_urls() -> None:
    html = render("[a](https://example.org/x) [b](mailto:lead@example.org) [c](/documents/fair-votes) [d](#s-costs)").html
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert [link["href"] for link in links] == [
        "https://example.org/x", "mailto:lead@example.org", "/documents/fair-votes", "#s-costs",
    ]
    assert all(link["rel"] == "nofollow noopener" for link in links)


def test_links_with_other_schemes_lose_their_url() -> None:
    html = render("[ftp](ftp://example.org/file)").html
    assert "ftp://" not in "".join(urls(html))


def test_images_on_this_site_keep_src_alt_and_title() -> None:
    html = render('![Seat map](/static/map.png "Seats")').html
    assert ("img", {"src": "/static/map.png", "alt": "Seat map", "title": "Seats"}) in elements(html)


@pytest.mark.parametrize("src", ["https://example.org/map.png", "HTTP://example.org/map.png",
                                 "//example.org/map.png"])
def test_images_from_other_sites_become_links_named_by_their_alt_text(src: str) -> None:
    html = render(f'![Seat map]({src} "Seats")').html
    assert "<img" not in html
    assert ("a", {"href": src, "rel": "nofollow noopener"}) in elements(html)
    assert ">Seat map</a>" in html
    assert render(f"![]({src})").html.count(f">{src}</a>") == 1  # no alt text: the address is the name


def test_deeply_nested_quotes_render_with_bounded_depth_and_keep_the_text() -> None:
    html = render("> " * 10000 + "innermost").html
    assert 0 < html.count("<blockquote>") <= 32
    assert "innermost" in html


def test_deeply_nested_lists_render_with_bounded_depth_and_keep_the_text() -> None:
    html = render("- " * 5000 + "innermost").html
    assert 0 < html.count("<ul>") <= 32
    assert "innermost" in html


def test_indented_list_staircase_up_to_the_size_cap_keeps_every_item() -> None:
    # 500 levels of two-space indentation is about as deep as 256 KB allows.
    source = "".join("  " * level + f"- item{level}\n" for level in range(500))
    html = render(source).html
    assert 0 < html.count("<ul>") <= 32
    assert all(f"item{level}" in html for level in range(500))


def test_text_after_a_too_deep_structure_is_still_rendered_normally() -> None:
    html = render("> " * 100 + "deep\n\nAfter *that*.").html
    assert "deep" in html
    assert "<p>After <em>that</em>.</p>" in html


def test_nested_brackets_and_emphasis_soup_do_not_break_rendering() -> None:
    html = render("[" * 3000 + "x" + "]" * 3000 + "\n\n" + "*a _b " * 3000).html
    assert "x" in html and "<p>" in html


settings_hostile = settings(max_examples=150, deadline=None)
markdownish = st.text(alphabet=st.sampled_from(list("<>[]()!*_`~#|-:>\"' \n\tabcjsvx=/&;.\\^0")) | st.characters(), max_size=300)


@settings_hostile
@given(markdownish)
def test_arbitrary_markdown_never_produces_scripts_handlers_styles_or_unsafe_urls(source: str) -> None:
    html = render(source).html
    for tag, attrs in elements(html):
        assert tag not in ("script", "style", "iframe", "object")
        assert not any(name.startswith("on") or name == "style" for name in attrs)
    for url in urls(html):
        assert not url.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))


@settings_hostile
@given(
    st.lists(st.sampled_from(["> ", "- ", "1. ", "  ", "* ", "    "]), min_size=1, max_size=80),
    st.lists(st.from_regex(r"[a-z]{3,8}", fullmatch=True), min_size=1, max_size=5),
)
def test_words_nested_at_any_depth_are_never_dropped(markers: list[str], words: list[str]) -> None:
    source = "".join(markers) + " ".join(words) + "\n\n" + "\n".join("".join(markers) + word for word in words)
    html = render(source).html
    assert all(word in html for word in words)


@settings_hostile
@given(st.lists(st.text(alphabet=st.characters(exclude_characters="\n\r"), max_size=30), max_size=8))
def test_every_heading_is_listed_with_a_unique_anchor_present_in_the_html(titles: list[str]) -> None:
    rendered = render("\n\n".join(f"## {title}" for title in titles))
    anchors = [heading.anchor for heading in rendered.headings]
    assert len(anchors) == len(set(anchors))
    for anchor in anchors:
        assert anchor.startswith("s-")
        assert f'id="{anchor}"' in rendered.html


def test_lone_surrogates_and_nul_become_replacement_characters() -> None:
    assert render("a\ud800b\x00c").html == "<p>a\ufffdb\ufffdc</p>\n"


# --- clause ids (render with clause_keys) ---------------------------------------------------------------
CLAUSED = ("# Fair votes\n\nA claim.[^n]\n\n- one\n  - nested\n- two\n\n```py\nx = 1\n```\n\n    indented\n\n"
           "| a | b |\n|---|---|\n| 1 | 2 |\n\n> Quoted.\n\n[^n]: The note.\n")


def keys_for(source: str) -> list[str]:
    return [f"k{index}" for index in range(len(split_blocks(source)))]


def test_clause_keys_mark_each_block_element_with_id_key_and_line() -> None:
    html = render(CLAUSED, keys_for(CLAUSED)).html
    marked = [(tag, attrs) for tag, attrs in elements(html) if "data-clause" in attrs]
    assert [(tag, attrs["data-clause"], attrs["data-line"]) for tag, attrs in marked] == [
        ("h1", "k0", "1"), ("p", "k1", "3"), ("li", "k2", "5"), ("li", "k3", "6"), ("li", "k4", "7"),
        ("pre", "k5", "9"), ("pre", "k6", "13"), ("table", "k7", "15"), ("p", "k8", "19"), ("p", "k9", "21"),
    ]
    assert all(attrs["id"] == "c-" + attrs["data-clause"] for tag, attrs in marked if tag != "h1")
    assert '<pre id="c-k5" data-clause="k5" data-line="9"><code>x = 1\n</code></pre>' in html


def test_a_heading_keeps_its_section_id_and_gets_a_clause_anchor_inside() -> None:
    html = render("## Fair votes\n", ["h1"]).html
    assert html.startswith('<h2 id="s-fair-votes" data-clause="h1" data-line="1">'
                           '<span class="clause-anchor" id="c-h1"></span>Fair votes <a class="heading-anchor"')
    assert render("## Fair votes\n", ["h1"]).headings == render("## Fair votes\n").headings


def test_a_clause_paragraph_hidden_by_a_tight_list_gets_its_element() -> None:
    source = "- a\n  - b\n  # H\n  c\n"
    blocks = split_blocks(source)
    assert [block.text for block in blocks] == ["- a", "- b", "# H", "c"]
    html = render(source, ["a", "b", "h", "c"]).html
    assert '<p id="c-c" data-clause="c" data-line="4">c</p>' in html


def test_without_usable_keys_the_html_is_exactly_the_plain_rendering() -> None:
    plain = render(CLAUSED).html
    count = len(split_blocks(CLAUSED))
    assert render(CLAUSED, None).html == plain
    assert render(CLAUSED, []).html == plain
    assert render(CLAUSED, keys_for(CLAUSED)[:-1]).html == plain
    assert render(CLAUSED, ["bad key"] * count).html == plain
    assert "data-clause" not in plain and "clause-anchor" not in plain


@pytest.mark.parametrize("key", ['"><script>alert(1)</script>', "ABC", "", "a" * 13, "a-b", "é", "k 1"])
def test_keys_outside_the_key_alphabet_are_ignored_not_escaped_into_the_page(key: str) -> None:
    html = render("One.\n\nTwo.\n", [key, "ok2"]).html
    assert html == '<p>One.</p>\n<p id="c-ok2" data-clause="ok2" data-line="3">Two.</p>\n'


def test_a_repeated_key_marks_only_its_first_block() -> None:
    html = render("One.\n\nTwo.\n", ["same", "same"]).html
    assert html.count('id="c-same"') == 1


def test_markdown_cannot_forge_clause_markup() -> None:
    html = render('<span class="clause-anchor" id="c-x" data-clause="x">hi</span>\n\n<p data-line="9">x</p>').html
    assert all(tag != "span" and "data-clause" not in attrs and "data-line" not in attrs
               for tag, attrs in elements(html))


@settings_hostile
@given(markdownish)
def test_every_block_of_any_markdown_is_marked_once_and_nothing_unsafe_appears(source: str) -> None:
    keys = [format(index, "x") for index in range(len(split_blocks(source)))]
    html = render(source, keys).html
    marked = [attrs["data-clause"] for _, attrs in elements(html) if "data-clause" in attrs]
    assert sorted(marked) == sorted(keys)  # footnotes render at the end, wherever they are in the source
    ids = [attrs["id"] for _, attrs in elements(html) if "id" in attrs]
    assert len(ids) == len(set(ids))
    for tag, attrs in elements(html):
        assert tag not in ("script", "style", "iframe", "object")
        assert not any(name.startswith("on") or name == "style" for name in attrs)
