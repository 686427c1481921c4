"""Checks on what people type, shared by forms, the API and the command line.

Every text field goes through here before a service uses it: newlines normalised, control characters
refused, lengths bounded. Errors are collected per field so that one answer names every problem.

Text is shown as it is stored, so nothing may make it read differently: bidi overrides are refused in every
field. Single-line fields (names, titles, labels) are what people recognise each other and documents by, so
they are also stored in NFC (one way to write "é") and refused when they hold characters that show nothing
or a word that mixes look-alike alphabets. Names are not unique (two people may share one), so a name in
another alphabet that looks like someone else's is allowed, as the same name would be: people are always
shown with their party.
"""
from __future__ import annotations

import re
import unicodedata

from policyhub.errors import N_, Invalid
from policyhub.text.checks import (
    bidi_control_error, control_character_error, invisible_character_error, lookalike_error, normalise_newlines,
    utf8_size,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_INTEGER = 2**31 - 1
"""The largest number an integer column holds (PostgreSQL raises on a bigger one instead of finding nothing):
a revision, amendment or page number above it names nothing that exists."""


class Checker:
    """Collects field errors; ``done()`` raises one Invalid naming them all."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, value: object, *, label: str, max_length: int, required: bool = True,
             multiline: bool = False, max_bytes: int | None = None) -> str:
        """A cleaned string: newlines normalised, single-line fields stripped; '' when it failed."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(name, N_("%(label)s must be text.", label=label))
            return ""
        text = normalise_newlines(value)
        if not multiline:
            text = unicodedata.normalize("NFC", text.strip())
            if "\n" in text:
                self.fail(name, N_("%(label)s must be a single line.", label=label))
                return ""
        problem = control_character_error(text) or bidi_control_error(text)
        if not problem and not multiline:
            problem = invisible_character_error(text) or lookalike_error(text)
        if problem:
            self.fail(name, N_("%(label)s: %(problem)s", label=label, problem=problem))
            return ""
        if required and not text.strip():
            self.fail(name, N_("%(label)s is required.", label=label))
        elif max_bytes is not None and utf8_size(text) > max_bytes:
            self.fail(name, N_("%(label)s is too long: %(size)s KB, the limit is %(limit)s KB.", label=label,
                                 size=utf8_size(text) // 1024, limit=max_bytes // 1024))
        elif len(text) > max_length:
            self.fail(name, N_("%(label)s is too long: %(length)s characters, the limit is %(limit)s.", label=label,
                                 length=len(text), limit=max_length))
        return text

    def email(self, name: str, value: object) -> str:
        email = self.text(name, value, label=N_("Email"), max_length=254).lower()
        if email and not _EMAIL.match(email):
            self.fail(name, N_("Enter an email address like name@example.org."))
        return email

    def slug(self, name: str, value: object, *, label: str = N_("Slug")) -> str:
        slug = self.text(name, value, label=label, max_length=80)
        if slug and not SLUG.match(slug):
            self.fail(name, N_("%(label)s may use lower-case letters, digits and single hyphens only.", label=label))
        return slug

    def choice(self, name: str, value: object, choices: tuple[str, ...], *, label: str) -> str:
        if value not in choices:
            self.fail(name, N_("%(label)s must be one of: %(choices)s.", label=label, choices=", ".join(choices)))
            return ""
        return str(value)

    def done(self, message: str = N_("Please correct the marked fields.")) -> None:
        if self.errors:
            raise Invalid(message, self.errors)
