"""Input hygiene for text people type: newlines, forbidden characters, sizes and slugs."""
from __future__ import annotations

import re
import unicodedata

# C0 controls except tab and LF (CR is allowed only because it is normalised away first), DEL,
# C1 controls, lone surrogates (only reachable through surrogateescape or JSON "\ud800") and the
# two non-characters that mark byte-order confusion.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile(r"\r\n?")
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
    if match is None:
        return None
    offset = match.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return (
        f"contains the invisible character {_describe(match.group())} at line {line}, "
        f"column {column}; remove it and try again."
    )


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
