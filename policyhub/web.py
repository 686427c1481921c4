"""Small helpers shared by the HTML views: query arguments and safe redirect targets."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request

from policyhub.errors import BadRequest

_NUMBER = re.compile(r"[0-9]{1,9}")


def int_arg(name: str, default: int | None = None, *, minimum: int = 1) -> int | None:
    """An integer query argument; a malformed one is a 400, not a silent default."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only ('²'.isdigit() is True) and bounded, so that the database never sees an overflow.
    if not _NUMBER.fullmatch(raw) or int(raw) < minimum:
        raise BadRequest(f"'{name}' must be a whole number of at least {minimum}.")
    return int(raw)


def is_local_path(target: str | None) -> bool:
    """True only for a path on this site: '/x', never '//evil', '/\\evil', 'https:evil' or encodings of them."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_local_path(target) else fallback
