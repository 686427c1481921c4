"""Rendered HTML back to readable plain text: what search indexes and shows in snippets, so that a snippet
reads like the document and not like its Markdown source."""
from __future__ import annotations

from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre", "div",
                     "section", "table", "ul", "ol", "hr", "br"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0  # inside a heading's permalink: its "#" is not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and ("class", "heading-anchor") in attrs:
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:  # line breaks in the source are layout; blocks come from the tags
            self.parts.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """The text of ``html`` with one blank line between blocks and no markup."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    paragraphs: list[str] = []
    for line in lines:
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)
