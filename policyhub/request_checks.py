"""Checks every request passes before a view sees it: valid UTF-8, no NUL in the address, no repeated parameters.

Werkzeug does not refuse form fields with invalid UTF-8: it hands them over undecoded, so a view could
save mangled text. Here the raw body is decoded strictly first. A bad query string is refused outright;
a bad form is decoded with replacement characters and flagged, so that the form comes back with an error
and everything else the person typed (nothing is saved from it).

No address needs a NUL character, and PostgreSQL cannot compare text with one (it raises instead of finding
nothing), so a path with one is a page that does not exist and a parameter with one is refused, before any
view looks something up by it. Form fields are left to the field checks, which name the character.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask, g, request
from werkzeug.datastructures import ImmutableMultiDict

from policyhub.errors import N_, BadRequest, NotFound

FORM_TYPE = "application/x-www-form-urlencoded"


def _decode_pairs(raw: bytes, errors: str) -> list[tuple[str, str]]:
    return parse_qsl(raw.decode("utf-8", errors), keep_blank_values=True, encoding="utf-8", errors=errors)


def _repeated(pairs: list[tuple[str, str]]) -> str | None:
    seen: set[str] = set()
    for name, _value in pairs:
        if name in seen:
            return name
        seen.add(name)
    return None


def check_path() -> None:
    if "\x00" in request.path:
        raise NotFound(N_("There is no page at this address. It may have moved, or the link may be mistyped."))


def check_query_string() -> None:
    raw = request.query_string
    if not raw:
        return
    try:
        pairs = _decode_pairs(raw, "strict")
    except UnicodeDecodeError:
        raise BadRequest(N_("The address contains bytes that are not valid UTF-8.")) from None
    name = _repeated(pairs)
    if name is not None:
        raise BadRequest(f"The parameter '{name}' was given more than once.")
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise BadRequest(f"The parameter '{name}' contains the control character U+0000 (NUL); "
                             f"remove it and try again.")


def check_form_body() -> None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.mimetype != FORM_TYPE:
        return
    raw = request.get_data(cache=True)
    try:
        pairs = _decode_pairs(raw, "strict")
    except UnicodeDecodeError:
        pairs = _decode_pairs(raw, "replace")
        g.invalid_utf8_fields = {name for name, value in pairs if "\ufffd" in value or "\ufffd" in name}
        # Werkzeug loads form and files together; setting one means setting both.
        request.form, request.files = ImmutableMultiDict(pairs), ImmutableMultiDict()
    name = _repeated(pairs)
    if name is not None:
        raise BadRequest(f"The form field '{name}' was sent more than once.")


def invalid_utf8_fields() -> set[str]:
    return g.get("invalid_utf8_fields", set())


def register(app: Flask) -> None:
    app.before_request(check_path)
    app.before_request(check_query_string)
    app.before_request(check_form_body)
