"""Markdown to safe HTML: the only module that knows markdown-it-py, its plugins and nh3.

Rendering happens once per saved revision and the result is stored, so the rules here decide what
every reader's browser will receive. Two independent layers keep it safe: markdown-it with raw
HTML off and its link validation, then nh3 with an explicit allow-list of tags, attributes,
classes and URL schemes. Either layer alone should be enough; neither is trusted alone.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from policyhub.text.checks import slugify

MAX_DOCUMENT_BYTES = 256 * 1024
"""Cap on a document's Markdown in UTF-8 bytes; callers enforce it before rendering."""

# The preset's default (100) lets a hostile document nest deep enough to cost real time and
# produce absurd HTML; 32 levels is far beyond any legitimate agenda paper.
_MAX_NESTING = 32
# markdown-it silently drops whatever lies deeper than maxNesting. Text nobody can see must not
# be endorsable, so from this level on, nested content is shown as a paragraph of its source.
# A list opens two levels (list, item) before it parses its content, hence the margin of two.
_FLATTEN_FROM_LEVEL = _MAX_NESTING - 2

_ANCHOR_PREFIX = "s-"
_ANCHOR_FALLBACK = "section"
_PERMALINK_LABEL = "Link to this section"

_HEADING_TAGS = {f"h{level}" for level in range(1, 7)}
_ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
_ALLOWED_TAGS = _HEADING_TAGS | {
    "p", "br", "hr", "blockquote", "pre", "code",
    "strong", "em", "s", "sup",
    "ul", "ol", "li",
    "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
    "section",
}
_ALLOWED_ATTRIBUTES = {
    **{tag: {"id"} for tag in _HEADING_TAGS},
    "a": {"href", "title", "id", "aria-label"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "li": {"id"},
}
# Only the classes our own markup emits (footnotes, permalinks, column alignment).
_ALLOWED_CLASSES = {
    "a": {"heading-anchor", "footnote-backref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "sup": {"footnote-ref"},
    "th": _ALIGN_CLASSES,
    "td": _ALIGN_CLASSES,
}
_URL_SCHEMES = {"http", "https", "mailto"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINK_REL = "nofollow noopener"
_OFFSITE = ("http:", "https:", "//")  # other schemes lose their src in the sanitiser


@dataclass(frozen=True)
class Heading:
    """One heading of a document: level 1-6, its plain text (not HTML) and its element id."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML for a document and its headings in document order (for a table of contents)."""

    html: str
    headings: tuple[Heading, ...]


def _build_parser() -> MarkdownIt:
    # js-default: raw HTML off, no typographer, validateLink refusing javascript:/vbscript:/file:
    # and non-image data: URLs. Tables and strikethrough are part of the preset; enabled
    # explicitly so that a change of preset cannot drop them silently.
    md = MarkdownIt("js-default", options_update={"maxNesting": _MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.block.ruler.before("table", "deep_nesting_as_text", _deep_nesting_as_text)
    return md


def _deep_nesting_as_text(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: content nested too deep for structure becomes one paragraph of its source text."""
    if state.level < _FLATTEN_FROM_LEVEL:
        return False
    if silent:
        return True
    source = state.getLines(start_line, end_line, state.blkIndent, False).strip()
    state.push("paragraph_open", "p", 1).map = [start_line, end_line]
    # Literal text, not parsed inline: it shows the source as written, and parsing a long run of
    # markers character by character would cost seconds.
    inline = state.push("inline", "", 0)
    inline.map = [start_line, end_line]
    inline.children = [Token("text", "", 0, content=source)]
    state.push("paragraph_close", "p", -1)
    state.line = end_line
    return True


# Parsing keeps no state on the instance (per-call state lives in `env`), so one is shared.
_MARKDOWN = _build_parser()


def render(markdown: str) -> Rendered:
    """Render Markdown to sanitised HTML and list its headings.

    Every heading gets id "s-<slug of its text>" (de-duplicated with -2, -3, ...) and a visible "#"
    permalink with class "heading-anchor". Table column alignment becomes align-* classes, never
    inline styles. Raw HTML in the source is shown as text; links and images keep only http(s),
    mailto and relative URLs; links get rel="nofollow noopener". Content nested deeper than 30
    levels (quotes, lists) is shown as its literal source instead of being dropped, so every word
    of the Markdown is visible in the HTML. Heading.text is plain text: escape it when output.
    """
    env: dict[str, object] = {}
    # Callers refuse lone surrogates, but rendering must never raise: they cannot be encoded for
    # the sanitiser, so they become U+FFFD like the NULs markdown-it already replaces.
    tokens = _MARKDOWN.parse(_SURROGATE.sub("\ufffd", markdown), env)
    headings = _anchor_headings(tokens)
    _alignment_to_classes(tokens)
    _offsite_images_to_links(tokens)
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, env)
    return Rendered(html=_sanitise(html), headings=headings)


def _anchor_headings(tokens: Sequence[Token]) -> tuple[Heading, ...]:
    """Give each heading a unique id and a permalink; return the headings found."""
    used: set[str] = set()
    headings = []
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type != "heading_open":
            continue
        text = _plain_text(inline.children or [])
        anchor = _unique(_ANCHOR_PREFIX + (slugify(text) or _ANCHOR_FALLBACK), used)
        opening.attrSet("id", anchor)
        inline.children = [*(inline.children or []), *_permalink(anchor)]
        headings.append(Heading(level=int(opening.tag[1]), text=text, anchor=anchor))
    return tuple(headings)


def _plain_text(children: Sequence[Token]) -> str:
    # Emphasis, links and the like are open/close tokens around text tokens, so collecting
    # text-bearing leaves gives what a reader sees; an image contributes its alt text.
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _unique(anchor: str, used: set[str]) -> str:
    candidate, suffix = anchor, 2
    while candidate in used:
        candidate, suffix = f"{anchor}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def _permalink(anchor: str) -> list[Token]:
    link_open = Token("link_open", "a", 1)
    link_open.attrSet("class", "heading-anchor")
    link_open.attrSet("href", f"#{anchor}")
    link_open.attrSet("aria-label", _PERMALINK_LABEL)
    return [
        Token("text", "", 0, content=" "),
        link_open,
        Token("text", "", 0, content="#"),
        Token("link_close", "a", -1),
    ]


def _alignment_to_classes(tokens: Sequence[Token]) -> None:
    """Replace the table rule's style="text-align:x" with class "align-x" (styles are stripped)."""
    for token in tokens:
        style = token.attrGet("style") if token.type in ("th_open", "td_open") else None
        if isinstance(style, str) and style.startswith("text-align:"):
            del token.attrs["style"]
            token.attrSet("class", "align-" + style.removeprefix("text-align:"))


def _offsite_images_to_links(tokens: Sequence[Token]) -> None:
    """An image from another site becomes a link to it, its alt text the link's text. The pages' policy
    (img-src 'self') would block it anyway, and rightly: an embedded third-party image tells its host who
    read the agenda and when, and its host could change what it shows after the text was endorsed."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        for child in token.children:
            src = child.attrGet("src") if child.type == "image" else None
            if isinstance(src, str) and src.lower().startswith(_OFFSITE):
                link_open = Token("link_open", "a", 1)
                link_open.attrSet("href", src)
                children += [link_open, Token("text", "", 0, content=_plain_text([child]) or src),
                             Token("link_close", "a", -1)]
            else:
                children.append(child)
        token.children = children


def _sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes=_URL_SCHEMES,
        link_rel=_LINK_REL,
        strip_comments=True,
    )
