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
from typing import Literal, NamedTuple

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
    "section", "span",
}
# data-clause and data-line tie a rendered block to its clause (render with clause_keys).
_CLAUSE_ATTRIBUTES = {"data-clause", "data-line"}
_ALLOWED_ATTRIBUTES = {
    **{tag: {"id", *_CLAUSE_ATTRIBUTES} for tag in _HEADING_TAGS},
    "a": {"href", "title", "id", "aria-label"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "li": {"id", *_CLAUSE_ATTRIBUTES},
    **{tag: {"id", *_CLAUSE_ATTRIBUTES} for tag in ("p", "pre", "table")},
    "span": {"id"},
}
# Only the classes our own markup emits (footnotes, permalinks, column alignment, clause anchors).
_ALLOWED_CLASSES = {
    "a": {"heading-anchor", "footnote-backref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "sup": {"footnote-ref"},
    "th": _ALIGN_CLASSES,
    "td": _ALIGN_CLASSES,
    "span": {"clause-anchor"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINK_REL = "nofollow noopener"
_OFFSITE = ("http:", "https:", "//")  # other schemes lose their src in the sanitiser
_NEWLINE = re.compile(r"\r\n?|\n")  # markdown-it's own line breaks: its line numbers count these
_CLAUSE_KEY = re.compile(r"[0-9a-z]{1,12}")
_CLAUSE_ID_PREFIX = "c-"
_CLAUSE_ANCHOR_CLASS = "clause-anchor"
_FOOTNOTE_LABEL = re.compile(r"\[\^[^\]]+\]:[ \t]*")
_LIST_OPENS = {"bullet_list_open", "ordered_list_open"}
_CODE = {"fence", "code_block"}


@dataclass(frozen=True)
class Heading:
    """One heading of a document: level 1-6, its plain text (not HTML) and its element id."""

    level: int
    text: str
    anchor: str


BlockKind = Literal["heading", "paragraph", "item"]


class BlockLines(NamedTuple):
    """Where one block (clause) lies in the source: lines start_line..end_line-1 (0-based, end exclusive,
    no blank lines at either end), beginning at code point `column` of its first line."""

    kind: BlockKind
    start_line: int
    end_line: int
    level: int
    column: int


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


def render(markdown: str, clause_keys: Sequence[str] | None = None) -> Rendered:
    """Render Markdown to sanitised HTML and list its headings.

    Every heading gets id "s-<slug of its text>" (de-duplicated with -2, -3, ...) and a visible "#"
    permalink with class "heading-anchor". Table column alignment becomes align-* classes, never
    inline styles. Raw HTML in the source is shown as text; links and images keep only http(s),
    mailto and relative URLs; links get rel="nofollow noopener". Content nested deeper than 30
    levels (quotes, lists) is shown as its literal source instead of being dropped, so every word
    of the Markdown is visible in the HTML. Heading.text is plain text: escape it when output.

    With `clause_keys`, one per block of block_lines(markdown) in order, each block's element (p, li,
    pre, table) gets id "c-<key>", data-clause="<key>" and data-line="<its first line, 1-based>"; a
    heading keeps its "s-" id, gets the data attributes and, as first child, an empty
    <span class="clause-anchor" id="c-<key>">. Keys are [0-9a-z]{1,12}; another key, a repeated key,
    or a list of the wrong length is ignored (rendered plainly) rather than refused: the text must
    always show.
    """
    return Parsed(markdown).render(clause_keys)


class Parsed:
    """One parse of a document, for both its clause blocks and its HTML. A save must know the blocks to
    name its clauses before it renders them with their keys, and parsing is most of the cost of either
    (75 ms for 256 KB), so both come from this one parse. The tokens change as they are rendered:
    ``render`` may be called once."""

    def __init__(self, markdown: str) -> None:
        self.markdown = markdown
        self._env: dict[str, object] = {}
        self._tokens: list[Token] | None = _parse(markdown, self._env)
        self._blocks = _blocks(self._tokens, markdown)

    @property
    def block_lines(self) -> list[BlockLines]:
        """See block_lines()."""
        return [BlockLines(block.kind, block.start_line, block.end_line, block.level, block.column)
                for block in self._blocks]

    def render(self, clause_keys: Sequence[str] | None = None) -> Rendered:
        """See render()."""
        tokens, self._tokens = self._tokens, None
        if tokens is None:
            raise RuntimeError("A parsed document is rendered once; parse it again to render it again.")
        headings = _anchor_headings(tokens)
        _alignment_to_classes(tokens)
        _offsite_images_to_links(tokens)
        if clause_keys is not None:
            _mark_clauses(tokens, self._blocks, clause_keys)
        html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, self._env)
        return Rendered(html=_sanitise(html), headings=headings)


def _parse(markdown: str, env: dict[str, object]) -> list[Token]:
    # Callers refuse lone surrogates, but rendering must never raise: they cannot be encoded for
    # the sanitiser, so they become U+FFFD like the NULs markdown-it already replaces. Both are
    # one code point for one, so line numbers and columns still fit the source as written.
    return _MARKDOWN.parse(_SURROGATE.sub("\ufffd", markdown), env)


def block_lines(markdown: str) -> list[BlockLines]:
    """The blocks a document's clauses are made of, in source order, never overlapping.

    Each heading is a block; each paragraph, table and code block is a "paragraph" (in quotes and
    footnotes too; a footnote's first one starts after its "[^label]:"); each list item is an
    "item" of its own text only: it ends where a list nested in it starts, and the nested items
    are blocks of their own, as are paragraphs after the nested list. An item with no text of its
    own (empty, or starting with a nested list) is no block. Only what render() shows counts: an
    unreferenced footnote or a link reference definition is no block. Parsed exactly as render()
    parses, so that render(markdown, clause_keys) marks the same blocks.
    """
    return Parsed(markdown).block_lines


@dataclass
class _Block:
    kind: BlockKind
    start_line: int
    end_line: int
    level: int
    token: int  # index of the token whose element stands for the block
    column: int = 0
    footnote: bool = False  # the first paragraph of a footnote: its line starts with the label


def _blocks(tokens: Sequence[Token], markdown: str) -> list[_Block]:
    found: list[_Block] = []
    # The list item whose own text is being read: everything in it is part of the item until a
    # nested list starts or the item ends. Lists close the item's text, so at most one is open.
    item: _Block | None = None
    item_level = -1
    item_has_text = False

    def close_item(end_line: int) -> None:
        nonlocal item
        if item is not None and item_has_text:
            item.end_line = min(item.end_line, end_line)
            found.append(item)
        item = None

    for index, token in enumerate(tokens):
        if token.type in _LIST_OPENS:
            close_item(token.map[0] if token.map else -1)
        elif token.type == "list_item_close":
            if item is not None and token.level == item_level:
                close_item(item.end_line)
        elif item is not None:
            item_has_text = item_has_text or token.nesting >= 0
        elif token.map is None:
            continue
        elif token.type == "list_item_open":
            item, item_level, item_has_text = _Block("item", *token.map, 0, index), token.level, False
        elif token.type == "heading_open":
            found.append(_Block("heading", *token.map, int(token.tag[1]), index))
        elif token.type in ("paragraph_open", "table_open") or token.type in _CODE:
            footnote = token.type == "paragraph_open" and index > 0 and tokens[index - 1].type == "footnote_open"
            found.append(_Block("paragraph", *token.map, 0, index, footnote=footnote))
    if item is not None:  # markdown-it always closes its items; kept for safety
        close_item(item.end_line)
    return _trimmed(found, _NEWLINE.split(markdown))


def _trimmed(found: list[_Block], lines: Sequence[str]) -> list[_Block]:
    """Source order, no overlap, no blank lines at either end, no block without text."""
    # Footnotes render at the end whatever their place in the source, and an item's range can
    # hold a footnote defined inside it: sorting and clipping puts every line in one block only.
    found.sort(key=lambda block: block.start_line)
    kept = []
    for position, block in enumerate(found):
        end = min(block.end_line, len(lines))
        if position + 1 < len(found):
            end = min(end, found[position + 1].start_line)
        start = block.start_line
        while start < end and not lines[start].strip(" \t"):
            start += 1
        while end > start and not lines[end - 1].strip(" \t"):
            end -= 1
        if start >= end:
            continue
        first = lines[start]
        column = len(first) - len(first.lstrip(" \t"))
        label = _FOOTNOTE_LABEL.match(first, column) if block.footnote and start == block.start_line else None
        if label and first[label.end():].strip(" \t"):
            column = label.end()
        block.start_line, block.end_line, block.column = start, end, column
        kept.append(block)
    return kept


def _mark_clauses(tokens: list[Token], blocks: Sequence[_Block], keys: Sequence[str]) -> None:
    """Put each block's clause key on its element (see render)."""
    if len(keys) != len(blocks):
        return
    used: set[str] = set()
    for block, key in zip(blocks, keys):
        if not isinstance(key, str) or not _CLAUSE_KEY.fullmatch(key) or key in used:
            continue
        used.add(key)
        token = tokens[block.token]
        anchor = _CLAUSE_ID_PREFIX + key
        if block.kind == "heading":
            token.attrSet("data-clause", key)
            token.attrSet("data-line", str(block.start_line + 1))
            # The heading's id stays its "s-" section anchor, which people already link to.
            inline = tokens[block.token + 1]
            span = Token("clause_anchor_open", "span", 1)
            span.attrSet("class", _CLAUSE_ANCHOR_CLASS)
            span.attrSet("id", anchor)
            inline.children = [span, Token("clause_anchor_close", "span", -1), *(inline.children or [])]
            continue
        token.attrSet("id", anchor)
        token.attrSet("data-clause", key)
        token.attrSet("data-line", str(block.start_line + 1))
        if token.type == "fence":
            # A fence's renderer puts attributes on <code>; a code block's on <pre>. The HTML is
            # otherwise the same once the sanitiser has dropped the language class.
            token.type = "code_block"
        elif token.type == "paragraph_open" and token.hidden:
            # A tight list hides its paragraphs' <p>; one that is a clause needs its element.
            _show_paragraph(tokens, block.token)


def _show_paragraph(tokens: list[Token], opening: int) -> None:
    tokens[opening].hidden = False
    for token in tokens[opening + 1:]:
        if token.type == "paragraph_close" and token.level == tokens[opening].level:
            token.hidden = False
            return


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
