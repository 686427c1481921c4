"""Input hygiene for text people type: newlines, forbidden characters, sizes and slugs."""
from __future__ import annotations

import re
import unicodedata

# C0 controls except tab and LF (CR is allowed only because it is normalised away first), DEL,
# C1 controls, lone surrogates (only reachable through surrogateescape or JSON "\ud800") and the
# two non-characters that mark byte-order confusion.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile(r"\r\n?")
# Bidi embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI) reorder what a reader
# sees without changing what is stored (the "Trojan Source" trick): a title could read differently from its
# characters, or a clause differently from the words a party endorsed. The marks LRM, RLM and ALM only steer
# neutral characters next to right-to-left text, which people writing Arabic or Hebrew need; they stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Characters that show nothing at all. In a name or a title they only serve to make two different strings
# look the same, or a name look empty: soft hyphen, combining grapheme joiner, Hangul and Khmer fillers,
# Mongolian vowel separator, zero-width space, word joiner, invisible operators, the blank Braille pattern, the
# BOM. ZWJ and ZWNJ stay: several scripts and emoji sequences need them.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2064\u2800\u3164\ufeff\uffa0]")
# The three scripts whose letters are look-alikes of each other ('a' U+0061, 'а' U+0430, 'α' U+03B1).
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
_WORD = re.compile(r"\w+")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF: browsers submit textareas with CRLF, we store LF only."""
    return _NEWLINES.sub("\n", text)


def control_character_error(text: str) -> str | None:
    """Name the first forbidden character and where it is, or None when the text is clean.

    Forbidden: NUL and the other C0/C1 control characters except tab, LF and CR (CR is expected to
    be normalised away before storage), DEL, unpaired surrogates, U+FFFE and U+FFFF. Positions are
    1-based line and column, counted in characters, as an editor would show them.
    """
    match = _FORBIDDEN.search(text)
    return None if match is None else _at(text, match, "the invisible character")


def bidi_control_error(text: str) -> str | None:
    """Name the first bidi embedding, override or isolate character, or None when there is none."""
    match = _BIDI_CONTROLS.search(text)
    return None if match is None else _at(text, match, "the text-direction control")


def invisible_character_error(text: str) -> str | None:
    """For names and titles: name the first character that shows nothing, or None when there is none."""
    match = _INVISIBLE.search(text)
    return None if match is None else _at(text, match, "the invisible character")


def lookalike_error(text: str) -> str | None:
    """For names and titles: name the first word that mixes Latin, Cyrillic and Greek letters ('Rаchel' with a
    Cyrillic 'а' looks like 'Rachel' but is not), or None. Whole words in one script are fine (Russian names,
    Greek titles), and so are scripts that are not look-alikes of these three."""
    for word in _WORD.finditer(text):
        scripts = {_lookalike_script(char) for char in word.group()} - {None}
        if len(scripts) > 1:
            mixed = " and ".join(script.capitalize() for script in _LOOKALIKE_SCRIPTS if script in scripts)
            return (f"mixes {mixed} letters in the word '{word.group()}', so it would look like a different word; "
                    f"type it in one alphabet.")
    return None


def _lookalike_script(char: str) -> str | None:
    script = unicodedata.name(char, "").split(" ", 1)[0]
    return script if script in _LOOKALIKE_SCRIPTS else None


def _at(text: str, match: re.Match[str], what: str) -> str:
    offset = match.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"contains {what} {_describe(match.group())} at line {line}, column {column}; remove it and try again."


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    # Controls and surrogates have no unicodedata name; fall back to the code alone.
    name = unicodedata.name(char, "")
    return f"{code} ({name})" if name else code


def utf8_size(text: str) -> int:
    """Size of the text in UTF-8 bytes, the unit the document cap is expressed in.

    Lone surrogates cannot be encoded; they count as the 3 bytes CESU would use rather than
    raising, so a size check never crashes on input that the character check will refuse anyway.
    """
    return len(text.encode("utf-8", "surrogatepass"))


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII slug: accents folded, other characters to single hyphens, at most max_length.

    A slug that is too long is cut at the last hyphen that keeps it within max_length (or hard at
    max_length when its first word is longer). Returns "" when nothing alphanumeric is left.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ALPHANUMERIC.sub("-", folded.lower()).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug.rfind("-", 0, max_length + 1)
    return slug[:cut] if cut > 0 else slug[:max_length].rstrip("-")
