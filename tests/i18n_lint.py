"""Finds user-visible English in a Jinja template that does not go through the translation functions.

Two places hold such English: the template's own text (text between tags, and the attributes a reader sees
or hears: title, placeholder, alt, aria-label, a submit button's value, the meta description), and string
literals in expressions that read like prose ("Done", "Sign in first."). ``{% trans %}`` blocks and the
arguments of ``_``, ``gettext`` and ``ngettext`` are translated, so they are skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from jinja2 import Environment

# Words that are the same in every language we offer: names of things, not English.
SAME_IN_EVERY_LANGUAGE = frozenset({
    "PolicyHub", "Policy", "Hub", "Markdown", "Atom", "API", "JSON", "SHA", "UTC", "URL", "CSV", "HTML",
    "Cymraeg", "English", "PR",
})
VISIBLE_ATTRIBUTES = frozenset({"title", "placeholder", "alt", "aria-label", "aria-description",
                                "aria-roledescription", "aria-valuetext", "label"})
TRANSLATING_CALLS = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext"})
CLASS_BLOCKS = frozenset({"body_class"})
_SKIPPED_ELEMENTS = frozenset({"script", "style", "svg"})
# A Jinja construct inside the template's text: never English itself.
HOLE = "\ue000"
_WORD = re.compile(r"[^\W\d_]{2,}")
# Expression strings that read as prose: a capital, then only letters, spaces and sentence punctuation.
_PROSE = re.compile(r"[A-Z][A-Za-z’' ,.:;!?()–—-]*[a-z][A-Za-z’' ,.:;!?()–—-]*")


@dataclass(frozen=True)
class Finding:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r}"


def english_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if word not in SAME_IN_EVERY_LANGUAGE]


def _skeleton(env: Environment, source: str) -> tuple[str, list[int], list[Finding]]:
    """The template's text outside {% trans %} with every Jinja construct replaced by HOLE, the source line
    of each character, and the prose-like string literals not passed to a translating call."""
    text: list[str] = []
    lines: list[int] = []
    findings: list[Finding] = []
    in_trans = False
    in_class_block = False  # {% block body_class %} holds CSS class names, not words
    previous: list[tuple[str, str]] = []  # the last tokens of the current tag, to see what a string is passed to
    depth_in_call: list[bool] = []
    for lineno, kind, value in env.lex(source):
        if kind == "name" and previous and previous[-1][0] == "block_begin":
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
            elif value == "endblock":
                in_class_block = False
        if (kind == "name" and value in CLASS_BLOCKS and len(previous) >= 2
                and previous[-2][0] == "block_begin" and previous[-1] == ("name", "block")):
            in_class_block = True
        if (kind == "name" and value == "_" and len(previous) >= 2 and previous[-1] == ("name", "set")
                and previous[-2][0] == "block_begin"):
            findings.append(Finding(lineno, "{% set _ %} hides the translation function _"))
        if kind == "data":
            if not in_trans and not in_class_block:
                text.append(value)
                lines.extend(lineno + value[:i].count("\n") for i in range(len(value)))
        elif kind in ("variable_begin", "block_begin", "comment_begin"):
            text.append(HOLE)
            lines.append(lineno)
            previous = []
            depth_in_call = []
        elif kind == "operator" and value in "([{":
            callee = previous[-1] if previous else ("", "")
            depth_in_call.append(value == "(" and callee[0] == "name" and callee[1] in TRANSLATING_CALLS)
        elif kind == "operator" and value in ")]}":
            if depth_in_call:
                depth_in_call.pop()
        elif kind == "string" and not in_trans and not any(depth_in_call):
            literal = value[1:-1]  # the lexer's raw token keeps its quotes
            identifier = " " not in literal and re.search(r"[a-z][A-Z]", literal)  # 'HiddenField'
            if _PROSE.fullmatch(literal) and not literal.isupper() and not identifier and english_words(literal):
                findings.append(Finding(lineno, literal))
        if kind not in ("whitespace",):
            previous.append((kind, value))
    return "".join(text), lines, findings


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[int, str]] = []  # (offset in the skeleton, text)
        self._skipping = 0
        self._offsets: list[int] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._offsets[line - 1] + column

    def feed_skeleton(self, skeleton: str) -> None:
        offset = 0
        for line in skeleton.split("\n"):
            self._offsets.append(offset)
            offset += len(line) + 1
        self.feed(skeleton)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_ELEMENTS:
            self._skipping += 1
        values = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            if (name in VISIBLE_ATTRIBUTES
                    or (name == "value" and tag == "input" and values.get("type") in ("submit", "button"))
                    or (name == "content" and tag == "meta" and values.get("name") == "description")):
                self.pieces.append((self._offset(), value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED_ELEMENTS:
            self._skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.pieces.append((self._offset(), data))


def untranslated(env: Environment, source: str) -> list[Finding]:
    """Every piece of English in ``source`` that a reader of another language would see untranslated."""
    skeleton, lines, findings = _skeleton(env, source)
    parser = _VisibleText()
    parser.feed_skeleton(skeleton)
    for offset, text in parser.pieces:
        for fragment in text.split(HOLE):
            if english_words(fragment):
                line = lines[min(offset, len(lines) - 1)] if lines else 1
                findings.append(Finding(line, " ".join(fragment.split())))
    return sorted(findings, key=lambda finding: finding.line)
